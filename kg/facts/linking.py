"""One thing, many mentions: the same name in two classes of one report, and the same
place, line, program or organization in several reports.

Within a report, entities of different classes with the same name (周浦体育中心 as a
Project and a Facility; 四责协同机制 as a Program and a glossary term) are linked with
``kg:sameAs`` (a sub-property of ``skos:exactMatch``), not merged and not ``owl:sameAs``:
a project and the facility it builds share a name and a referent in the text, but they
keep their own class, status and actions, which ``owl:sameAs`` would pool.

Across reports, entity IRIs are scoped by the report's place (the same 人民路 in two
provinces is two roads). Where a name of a class in ``[linking] classes`` of
``data/rules/facts.toml`` appears in the reports of two or more places, each of them gets
``skos:exactMatch`` to one corpus-level entity ``{base}id/cn/{class}/{slug}`` (national
programs, a railway named in several provinces' reports, a river, a national
organization), which has the class, label and key, and is derived from them. Names that mean a different thing in
each place (省政府, 开发区) are not linked: organizations only with a national word, and
nothing of ``[linking] never``.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kg import ids
from kg.records import Entity
from kg.resources import load_toml
from kg.vocab import KG, curie


@functools.cache
def _rules() -> dict:
    return load_toml("rules/facts.toml")["linking"]


def _plain(key: str) -> str:
    return re.sub(r"[“”\"'‘’《》]", "", key)


def same_in_report(g: Graph, entities: list[Entity]) -> int:
    """``kg:sameAs`` between entities of one report with one name and different classes."""
    classes = set(_rules()["within"])
    groups: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        if e.cls in classes:
            groups[_plain(e.key)].append(e)
    n = 0
    for _, es in sorted(groups.items()):
        if len({e.cls for e in es}) < 2:
            continue
        for a in es:
            for b in es:
                if a.cls != b.cls:
                    g.add((URIRef(a.iri), KG.sameAs, URIRef(b.iri)))
                    n += 1
    return n


def _linkable(cls: str, key: str) -> bool:
    r = _rules()
    if cls not in r["classes"] or len(key) < 2 or key in r["never"]:
        return False
    if cls == "Organization":
        return any(w in key for w in r["national_words"])
    if cls == "Road":
        return bool(re.search(r["road_pattern"], key))
    if cls == "Document":  # 建议, 纲要（草案）: each province's own; a national law has a full name
        return len(re.sub(r"[（）()]", "", key)) > int(r["document_min_chars"])
    return True


def hub_iri(cls: str, key: str) -> str:
    return ids.entity_iri(cls, key, scope="cn")


def linkable(results: list) -> list[tuple[str, str, str, str]]:
    """(class, name, entity IRI, place) of the entities of ``results`` (analysed reports)
    that may be the same thing as an entity of another place."""
    from kg.resolve import scope_of
    out = set()
    for res in results:
        scope = scope_of(res.report)
        for e in res.entities:
            key = _plain(e.key)
            if _linkable(e.cls, key):
                out.add((e.cls, key, e.iri, scope))
    return sorted(out)


def hubs(names) -> list[tuple[str, str, list[str]]]:
    """(class, name, entity IRIs) of each name in the reports of two or more places
    (``names``: :func:`linkable` tuples of every report), sorted."""
    iris: dict[tuple[str, str], set[str]] = defaultdict(set)     # (class, name) -> entities
    places: dict[tuple[str, str], set[str]] = defaultdict(set)   # (class, name) -> places
    for cls, key, iri, scope in names:
        iris[(cls, key)].add(iri)
        places[(cls, key)].add(scope)
    return [(cls, key, sorted(members)) for (cls, key), members in sorted(iris.items())
            if len(places[(cls, key)]) >= 2]


def add_hubs(g, found: list[tuple[str, str, list[str]]]) -> int:
    """One corpus-level entity per :func:`hubs` entry, ``skos:exactMatch`` from each of its
    reports' entities (``g``: anything with ``add``); returns how many."""
    mapping = load_toml("rules/rdf.toml")["classes"]
    for cls, key, members in found:
        hub = URIRef(hub_iri(cls, key))
        g.add((hub, RDF.type, curie(mapping[cls])))
        g.add((hub, RDFS.label, Literal(key, lang="zh")))
        g.add((hub, KG.key, Literal(key)))
        for iri in members:
            g.add((URIRef(iri), SKOS.exactMatch, hub))
            g.add((hub, PROV.wasDerivedFrom, URIRef(iri)))
    return len(found)


__all__ = ["same_in_report", "hubs", "add_hubs", "linkable", "hub_iri"]
