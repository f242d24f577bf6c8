"""A query's answer as Python rows, for notebooks: what :func:`kg.run_query` returns.

A :class:`Rows` is a list of dicts, one per solution, ``{variable: value}``: IRIs as
strings, literals as Python values (``xsd:integer`` and whole ``xsd:decimal`` as ``int``,
other decimals as ``float``, booleans, dates; text as ``str``), ``None`` where unbound.
``rows.labels`` maps the IRIs it holds to their labels (``@zh`` first). From there:
``rows.to_pandas()`` (a DataFrame; with ``labels=True`` the labels in place of IRIs and
the IRIs in ``<var>_iri`` columns, as ``kg query --format csv`` gives them) and
``rows.to_networkx()`` (CONSTRUCT/DESCRIBE triples, or two columns of a SELECT, as a
graph). ``pandas.DataFrame(rows)`` works too.

>>> from rdflib import Literal, URIRef
>>> from rdflib.namespace import XSD
>>> from kg.store import QueryResult
>>> res = QueryResult("select", vars=["road", "n"],
...                   rows=[(URIRef("urn:r"), Literal("7284.0", datatype=XSD.decimal))])
>>> rows = Rows.of(res, {"urn:r": "韵涛路"})
>>> rows, rows.vars
([{'road': 'urn:r', 'n': 7284}], ['road', 'n'])
>>> rows.to_networkx("road", "n").nodes["urn:r"]["label"]
'韵涛路'
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from rdflib import BNode, Literal, URIRef

from kg.errors import KgError
from kg.numbers import as_number


def python_value(term):
    """An RDF term as a plain Python value (see the module's doc).

    >>> from rdflib.namespace import XSD
    >>> python_value(Literal("2.10", datatype=XSD.decimal)), python_value(Literal("35.0", datatype=XSD.decimal))
    (2.1, 35)
    """
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return "_:" + str(term)
    if isinstance(term, Literal):
        if term.language:
            return str(term)
        try:
            v = term.toPython()
        except Exception:  # an ill-typed literal keeps its text
            return str(term)
        if isinstance(v, Decimal):
            return as_number(v)
        if isinstance(v, bool | int | float | datetime.date | datetime.datetime | datetime.time):
            return v
        return str(term)
    return str(term)


class Rows(list):
    """A query's solutions as dicts, with ``vars``, ``labels``, ``kind`` (select, ask,
    graph), ``boolean`` (ASK) and ``triples`` (CONSTRUCT/DESCRIBE, as Python values)."""

    vars: list[str]
    labels: dict[str, str]
    kind: str = "select"
    boolean: bool | None = None
    triples: list[tuple]

    @classmethod
    def of(cls, res, labels: dict[str, str] | None = None) -> "Rows":
        """The rows of a :class:`kg.store.QueryResult`."""
        out = cls()
        out.kind, out.labels, out.boolean, out.triples = res.kind, dict(labels or {}), None, []
        if res.kind == "select":
            out.vars = list(res.vars)
            out.extend({v: python_value(t) for v, t in zip(res.vars, row)} for row in res.rows)
        elif res.kind == "ask":
            out.vars, out.boolean = [], bool(res.boolean)
        else:
            out.vars = ["subject", "predicate", "object"]
            out.triples = [tuple(python_value(t) for t in tr) for tr in res.triples]
            out.extend(dict(zip(out.vars, tr)) for tr in out.triples)
        out._iri_vars = {v for v in out.vars
                         if any(isinstance(t, URIRef) for t in _column(res, out.vars.index(v)))}
        return out

    def to_pandas(self, labels: bool = False):
        """A ``pandas.DataFrame`` of the rows (pandas is not a dependency: install it).
        ``labels``: each IRI column shows labels, its IRIs beside it in ``<var>_iri``."""
        try:
            import pandas as pd
        except ImportError:
            raise KgError("to_pandas needs pandas (python3 -m pip install pandas)") from None
        if not labels:
            return pd.DataFrame(list(self), columns=self.vars)
        cols: list[str] = []
        for v in self.vars:
            cols += [v, f"{v}_iri"] if v in self._iri_vars else [v]
        data = []
        for row in self:
            out = {}
            for v in self.vars:
                if v in self._iri_vars:
                    iri = row[v]
                    out[v] = self.labels.get(iri, iri) if iri is not None else None
                    out[f"{v}_iri"] = iri
                else:
                    out[v] = row[v]
            data.append(out)
        return pd.DataFrame(data, columns=cols)

    def to_networkx(self, source: str | None = None, target: str | None = None):
        """A ``networkx.MultiDiGraph``: the triples of a CONSTRUCT/DESCRIBE (edge key the
        predicate), or for a SELECT an edge ``source`` → ``target`` per row (default the
        first two variables) with the other columns as edge attributes. Nodes that are
        IRIs get their ``label``."""
        import networkx as nx

        g = nx.MultiDiGraph()
        if self.kind == "graph" and source is None and target is None:
            for s, p, o in self.triples:
                g.add_edge(s, o, key=p, predicate=p)
        else:
            if self.kind != "select" and self.kind != "graph":
                raise KgError("to_networkx needs a SELECT, CONSTRUCT or DESCRIBE result")
            source = source or self.vars[0]
            target = target or (self.vars[1] if len(self.vars) > 1 else None)
            missing = [v for v in (source, target) if v not in self.vars]
            if missing or target is None:
                raise KgError(f"to_networkx: no column {missing[0] if missing else 'for the target'} "
                              f"(columns: {', '.join(self.vars)})")
            for row in self:
                if row[source] is None or row[target] is None:
                    continue
                g.add_edge(row[source], row[target],
                           **{k: v for k, v in row.items() if k not in (source, target)})
        for n in g:
            if n in self.labels:
                g.nodes[n]["label"] = self.labels[n]
        return g


def _column(res, i: int) -> list:
    if res.kind == "select":
        return [row[i] for row in res.rows]
    if res.kind == "graph":
        return [t[i] for t in res.triples]
    return []


__all__ = ["Rows", "python_value"]
