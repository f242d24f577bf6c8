"""SHACL Core validation as SPARQL queries on the embedded store (pyoxigraph), for the
constraint components ``ontology/shapes.ttl`` uses; pyshacl remains the reference and the
fallback for shapes that use anything else.

pyshacl walks an rdflib graph node by node: a 10 MB graph takes it about half a minute,
the 23-report corpus minutes. Here each constraint of each shape is one query over all its
focus nodes at once (targets by ``sh:targetClass`` with ``rdfs:subClassOf*``,
``sh:targetSubjectsOf`` and SPARQL targets; ``sh:minCount``, ``sh:maxCount``,
``sh:class``, ``sh:datatype`` with well-formed lexical forms, ``sh:in``, ``sh:pattern``,
``sh:nodeKind``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:or`` of class shapes, and
SPARQL constraints), on simple predicate paths. Terms go into the queries as N3 of rdflib
terms read from the shapes file (the project's own file, not report text).
``tests/test_validate.py`` checks it finds the same violations as pyshacl.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from kg.resources import ONTOLOGY

SUPPORTED = {SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH["in"], SH.pattern,
             SH.nodeKind, SH.minInclusive, SH.maxInclusive, SH["or"], SH.message, SH.name,
             SH.description}
NODE_KEYS = {RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.target, SH.property, SH.sparql,
             SH.message, SH.name, SH.description}
TYPED = "rdf:type/rdfs:subClassOf*"
HEAD = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")


class Unsupported(Exception):
    """The shapes use a construct this validator does not translate (use pyshacl)."""


@dataclass(frozen=True, order=True)
class Violation:
    focus: str
    shape: str
    path: str
    component: str
    value: str
    message: str


def _prefixes(shapes: Graph, node) -> str:
    out = []
    for decl_owner in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(decl_owner, SH.declare):
            p, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            out.append(f"PREFIX {p}: <{ns}> ")
    return "".join(sorted(out))


def _focus(shapes: Graph, shape) -> tuple[str, str]:
    """(graph pattern binding ?this to each focus node, prefixes it needs)."""
    prefixes = ""
    parts = [f"{{ ?this {TYPED} {c.n3()} . }}" for c in sorted(shapes.objects(shape, SH.targetClass))]
    parts += [f"{{ ?this {p.n3()} ?any_ . }}" for p in sorted(shapes.objects(shape, SH.targetSubjectsOf))]
    for t in shapes.objects(shape, SH.target):
        select = shapes.value(t, SH.select)
        if (t, RDF.type, SH.SPARQLTarget) not in shapes or select is None:
            raise Unsupported(f"target {t}")
        parts.append(f"{{ {select} }}")
        prefixes += _prefixes(shapes, t)
    return " UNION ".join(parts), prefixes


def _class_test(var: str, cls) -> str:
    return f"EXISTS {{ {var} {TYPED} {cls.n3()} }}"


def _value_filters(shapes: Graph, prop) -> list[tuple[str, str]]:
    """(component, FILTER expression true when a value violates) of a property shape."""
    out = []
    for key, obj in sorted(shapes.predicate_objects(prop)):
        if key not in SUPPORTED:
            raise Unsupported(f"property key {key}")
        if key == SH["class"]:
            out.append(("ClassConstraintComponent", f"!{_class_test('?v', obj)}"))
        elif key == SH.datatype:
            continue  # checked on the file's own terms (:func:`_datatypes`)
        elif key == SH["in"]:
            terms = list(Collection(shapes, obj))
            same = " || ".join(f"sameTerm(?v, {t.n3()})" for t in terms) or "false"
            out.append(("InConstraintComponent", f"!({same})"))
        elif key == SH.pattern:
            flags = shapes.value(prop, SH.flags)
            args = f", {Literal(str(flags)).n3()}" if flags else ""
            out.append(("PatternConstraintComponent",
                        f"(isBlank(?v) || !REGEX(STR(?v), {Literal(str(obj)).n3()}{args}))"))
        elif key == SH.nodeKind:
            test = {SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
                    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
                    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
                    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))"}.get(obj)
            if test is None:
                raise Unsupported(f"nodeKind {obj}")
            out.append(("NodeKindConstraintComponent", f"!{test}"))
        elif key == SH.minInclusive:
            out.append(("MinInclusiveConstraintComponent", f"!COALESCE(?v >= {obj.n3()}, false)"))
        elif key == SH.maxInclusive:
            out.append(("MaxInclusiveConstraintComponent", f"!COALESCE(?v <= {obj.n3()}, false)"))
        elif key == SH["or"]:
            tests = []
            for member in Collection(shapes, obj):
                keys = set(shapes.predicates(member)) - {RDF.type}
                if keys != {SH["class"]}:
                    raise Unsupported("sh:or of shapes other than one sh:class")
                tests.append(_class_test("?v", shapes.value(member, SH["class"])))
            out.append(("OrConstraintComponent", "!(" + " || ".join(tests) + ")"))
    return out


def _datatypes(data: Path, checks: dict[str, list[tuple]]) -> set[Violation]:
    """``sh:datatype`` on the terms as the file writes them: a store canonicalizes some
    datatypes (pyoxigraph keeps ``xsd:nonNegativeInteger`` as ``xsd:integer``), so the
    file is read once, in a streaming parse, for the predicates that have such a check.
    ``checks``: predicate → (focus nodes, datatype, shape, message)."""
    import pyoxigraph as ox
    from kg.store import _OX_FORMATS, data_format
    fmt = _OX_FORMATS[data_format(data)]
    found: set[Violation] = set()
    ill: dict[tuple[str, str], bool] = {}
    for t in ox.parse(path=str(data), format=fmt):
        p = t.predicate.value
        if p not in checks:
            continue
        subject, o = str(t.subject.value), t.object
        for focus, datatype, shape, message in checks[p]:
            if subject not in focus:
                continue
            if isinstance(o, ox.Literal) and o.datatype.value == datatype:
                key = (o.value, datatype)
                if key not in ill:
                    ill[key] = bool(Literal(o.value, datatype=URIRef(datatype)).ill_typed)
                if not ill[key]:
                    continue
            value = o.value if isinstance(o, (ox.Literal, ox.NamedNode)) else str(o)
            found.add(Violation(subject, shape, p, "DatatypeConstraintComponent", value, message))
    return found


def validate_store(store, data: Path, shapes_path: Path | None = None) -> list[Violation]:
    """Every violation of the shapes in ``store`` (a :mod:`kg.store` store loaded from,
    or published with, the graph file ``data``), sorted."""
    shapes = Graph().parse(shapes_path or ONTOLOGY / "shapes.ttl", format="turtle")
    found: set[Violation] = set()
    checks: dict[str, list[tuple]] = {}
    for shape in sorted(shapes.subjects(RDF.type, SH.NodeShape)):
        if set(shapes.predicates(shape)) - NODE_KEYS:
            raise Unsupported(f"node shape keys of {shape}")
        focus, declared = _focus(shapes, shape)
        if not focus:
            continue
        head = HEAD + declared
        name = str(shape)
        for prop in sorted(shapes.objects(shape, SH.property)):
            path = shapes.value(prop, SH.path)
            if not isinstance(path, URIRef):
                raise Unsupported(f"path {path}")
            message = str(shapes.value(prop, SH.message) or "")
            sub = f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }}"
            for key, comp, op in ((SH.minCount, "MinCountConstraintComponent", "<"),
                                  (SH.maxCount, "MaxCountConstraintComponent", ">")):
                n = shapes.value(prop, key)
                if n is None:
                    continue
                optional = f"OPTIONAL {{ ?this {path.n3()} ?v }}" if op == "<" else f"?this {path.n3()} ?v ."
                q = (f"{head}SELECT ?this WHERE {{ {sub} {optional} }} GROUP BY ?this "
                     f"HAVING (COUNT(DISTINCT ?v) {op} {int(n)})")
                for (this,) in store.query(q).rows:
                    found.add(Violation(str(this), name, str(path), comp, "", message))
            for comp, test in _value_filters(shapes, prop):
                q = (f"{head}SELECT DISTINCT ?this ?v WHERE {{ {sub} ?this {path.n3()} ?v . "
                     f"FILTER({test}) }}")
                for this, v in store.query(q).rows:
                    found.add(Violation(str(this), name, str(path), comp, str(v), message))
            dt = shapes.value(prop, SH.datatype)
            if dt is not None:
                nodes = {str(r[0]) for r in store.query(f"{head}SELECT DISTINCT ?this WHERE {{ {focus} }}").rows}
                checks.setdefault(str(path), []).append((nodes, str(dt), name, message))
        for constraint in shapes.objects(shape, SH.sparql):
            select = shapes.value(constraint, SH.select)
            if select is None:
                raise Unsupported(f"SPARQL constraint {constraint}")
            message = str(shapes.value(constraint, SH.message) or "")
            q = (f"{head}{_prefixes(shapes, constraint)}SELECT DISTINCT ?this WHERE {{ "
                 f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} {{ {select} }} }}")
            for (this,) in store.query(q).rows:
                found.add(Violation(str(this), name, "", "SPARQLConstraintComponent", "", message))
    if checks:
        found |= _datatypes(Path(data), checks)
    return sorted(found)


def report_text(violations: list[Violation]) -> str:
    """A readable report, as ``kg validate`` prints it."""
    lines = ["Validation Report", f"Conforms: {not violations}", f"Results ({len(violations)}):"]
    for v in violations:
        lines.append(f"Constraint Violation in {v.component}:")
        lines.append(f"\tSource Shape: {v.shape}")
        lines.append(f"\tFocus Node: {v.focus}")
        if v.path:
            lines.append(f"\tResult Path: {v.path}")
        if v.value:
            lines.append(f"\tValue Node: {v.value}")
        if v.message:
            lines.append(f"\tMessage: {v.message}")
    return "\n".join(lines) + "\n"


__all__ = ["validate_store", "report_text", "Violation", "Unsupported"]
