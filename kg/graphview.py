"""The entity graph as networkx: the one view shared by the HTML page, stats and exports.

Entities (instances of any subclass of ``kg:Entity``) become nodes; triples between two
entities become edges keyed by the predicate's CURIE. Text spans, mentions and status
statements are not drawn: they are summarized into node attributes (the sentences an
entity comes from, its sections, modalities and status).

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix kg: <https://w3id.org/gwr-kg/ontology#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <urn:a> a kg:RoadSegment ; rdfs:label "韵涛路(沈梅路-周邓公路)"@zh ; kg:segmentOf <urn:b> .
... <urn:b> a kg:Road ; rdfs:label "韵涛路"@zh .''', format="turtle")
>>> v = entity_graph(g)
>>> sorted(v.nodes[n]["label"] for n in v), [k for _, _, k in v.edges(keys=True)]
(['韵涛路', '韵涛路(沈梅路-周邓公路)'], ['kg:segmentOf'])
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import InputError
from kg.numbers import as_number
from kg.resources import load_toml
from kg.vocab import KG, NIF, PREFIXES, SCHEMA, compact

#: how many source sentences a node keeps (the page shows them on hover)
MAX_SENTENCES = 5

#: node attributes read from one property each (name -> property)
_ATTR_PROPS = {
    "codes": KG.code, "alias": KG.alias, "qualifier": KG.qualifier, "side": KG.side,
    "admin_code": KG.adminCode, "role": KG.role, "value": KG.value, "unit": KG.unitText,
    "normalized_value": KG.normalizedValue, "normalized_unit": KG.normalizedUnit,
    "period": KG.period, "kind": KG.metricKind, "subject": KG.subjectLabel,
    "definition": URIRef(PREFIXES["skos"] + "definition"),
    "alt_labels": URIRef(PREFIXES["skos"] + "altLabel"),
}
#: attributes that may hold several values (lists); the others keep one value
LIST_ATTRS = {"codes", "alias", "alt_labels"}

#: classes drawn as nodes in the road network view, and the segment classes joining them
ROAD_CLASSES = {"Road", "Waterway"}
SEGMENT_CLASSES = {"RoadSegment", "WaterwaySegment"}

_MODALITY = {KG.Review: "review", KG.Plan: "plan", KG.GlossaryModality: "glossary",
             KG.OtherModality: "other"}


def iter_triples(src: Graph | Dataset, pattern: tuple) -> Iterator[tuple]:
    """Triples matching ``pattern`` in a Graph, or in every named graph of a Dataset.

    >>> ds = Dataset(); _ = ds.graph(URIRef("urn:g")).add((URIRef("urn:a"), RDF.type, KG.Road))
    >>> list(iter_triples(ds, (None, RDF.type, None)))[0][2] == KG.Road
    True
    """
    if isinstance(src, Dataset):
        for s, p, o, _ in src.quads(pattern + (None,)):
            yield s, p, o
    else:
        yield from src.triples(pattern)


def curie(iri: URIRef | str) -> str:
    """The shortest prefixed name of ``iri`` with the project's prefixes.

    >>> curie("https://w3id.org/gwr-kg/ontology#segmentOf")
    'kg:segmentOf'
    """
    return compact(str(iri))


@functools.cache
def _ontology() -> Graph:
    from kg.build import ontology_graph
    return ontology_graph()


@functools.cache
def entity_classes() -> frozenset[URIRef]:
    """Every class below ``kg:Entity`` in ``ontology/kg.ttl`` (itself included)."""
    onto = _ontology()
    return frozenset(onto.transitive_subjects(RDFS.subClassOf, KG.Entity))


@functools.cache
def property_labels() -> dict[str, dict[str, str]]:
    """CURIE -> {"zh": …, "en": …} for every property and class labelled in the ontology."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for s, o in _ontology().subject_objects(RDFS.label):
        if isinstance(o, Literal) and o.language in ("zh", "en"):
            out[curie(s)][o.language] = str(o)
    out["skos:narrower"] |= {"zh": "下位词", "en": "narrower"}
    out["skos:broader"] |= {"zh": "上位词", "en": "broader"}
    return dict(out)


@functools.cache
def _status_names() -> dict[str, tuple[int, str]]:
    """status word -> (rank, schema IRI) from ``data/rules/rdf.toml``."""
    return {k: (v["rank"], v["iri"]) for k, v in load_toml("rules/rdf.toml")["status"].items()}


def _local(iri: URIRef) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _label(labels: dict[str, str]) -> tuple[str, str]:
    zh = labels.get("zh") or labels.get("") or next(iter(labels.values()), "")
    return zh, labels.get("zh-latn-pinyin", "")


def _plain(v) -> str | float | int | bool:
    """A literal as a number where it is one (whole decimals as ``int``: 7284, not 7284.0)."""
    if isinstance(v, Literal):
        py = v.toPython()
        if isinstance(py, Decimal):
            return as_number(py)
        if isinstance(py, bool | int | float):
            return py
        return str(v)
    return str(v)


def entity_graph(src: Graph | Dataset, types: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """Entities as nodes, entity-to-entity triples as edges (key = predicate CURIE).

    ``types`` keeps only these classes (local names such as ``Road``). Node attributes:
    ``label``, ``label_pinyin``, ``cls``, ``key``, ``status``, ``sentences``,
    ``sections`` (IRIs, ancestors included), ``modalities``, ``reports`` and the
    attributes of ``_ATTR_PROPS``; edge attributes: ``predicate`` (CURIE) and ``label``.
    The graph attribute ``sections`` maps section IRIs to their labels, in report order.
    """
    ent_classes = entity_classes()
    cls_of: dict[URIRef, str] = {}
    for s, _, o in iter_triples(src, (None, RDF.type, None)):
        if o in ent_classes and isinstance(s, URIRef):
            name = _local(o)
            # the most specific class wins (WaterwaySegment over Waterway, Road over Place)
            if s not in cls_of or _depth(o) > _depth_name(cls_of[s]):
                cls_of[s] = name
    if types is not None:
        keep = set(types)
        cls_of = {s: c for s, c in cls_of.items() if c in keep}

    view = nx.MultiDiGraph()
    labels: dict[URIRef, dict[str, str]] = defaultdict(dict)
    for s, _, o in iter_triples(src, (None, RDFS.label, None)):
        if s in cls_of and isinstance(o, Literal):
            labels[s][(o.language or "").lower()] = str(o)
    for s, cls in sorted(cls_of.items()):
        zh, py = _label(labels.get(s, {}))
        view.add_node(str(s), label=zh or _local(s), label_pinyin=py, cls=cls, key="",
                      status="", sentences=[], sections=[], modalities=[], reports=[])
    nodes = view.nodes
    for s, _, o in iter_triples(src, (None, KG.key, None)):
        if s in cls_of:
            nodes[str(s)]["key"] = str(o)
    for name, prop in _ATTR_PROPS.items():
        for s, _, o in iter_triples(src, (None, prop, None)):
            if s in cls_of:
                if name in LIST_ATTRS:
                    vals = nodes[str(s)].setdefault(name, [])
                    if str(o) not in vals:
                        vals.append(str(o))
                else:
                    nodes[str(s)][name] = _plain(o)
    for vals in (d for _, d in view.nodes(data=True)):
        for name in LIST_ATTRS & vals.keys():
            vals[name].sort()
    _add_status(src, view, cls_of)
    for s, _, o in iter_triples(src, (None, KG.mentionedInModality, None)):
        if s in cls_of and o in _MODALITY:
            mods = nodes[str(s)]["modalities"]
            if _MODALITY[o] not in mods:
                mods.append(_MODALITY[o])
    view.graph["sections"] = _add_provenance(src, view, cls_of)
    _add_edges(src, view, cls_of)
    for n, d in view.nodes(data=True):
        d["modalities"].sort()
        d["degree"] = view.degree(n)
    return view


@functools.cache
def _class_depths() -> dict[str, int]:
    onto = _ontology()
    out = {}
    for c in entity_classes():
        depth, cur = 0, c
        while cur != KG.Entity and depth < 10:
            parents = [p for p in onto.objects(cur, RDFS.subClassOf) if str(p).startswith(str(KG))]
            if not parents:
                break
            cur, depth = parents[0], depth + 1
        out[_local(c)] = depth
    return out


def _depth(cls: URIRef) -> int:
    return _class_depths().get(_local(cls), 0)


def _depth_name(name: str) -> int:
    return _class_depths().get(name, 0)


def _add_status(src, view: nx.MultiDiGraph, cls_of: dict) -> None:
    names = _status_names()
    by_iri: dict[str, str] = {}
    for word, (rank, iri) in sorted(names.items(), key=lambda kv: kv[1][0]):
        by_iri[iri.replace("schema:", str(SCHEMA))] = word  # highest rank wins
    best: dict[URIRef, tuple[int, str]] = {}
    for s, _, sa in iter_triples(src, (None, KG.statusAssertion, None)):
        if s not in cls_of:
            continue
        for v in iter_triples(src, (sa, KG.statusValue, None)):
            word = str(v[2])
            rank = names.get(word, (0, ""))[0]
            if s not in best or rank > best[s][0]:
                best[s] = (rank, word)
    for s, _, o in iter_triples(src, (None, KG.status, None)):
        if s in cls_of and s not in best and str(o) in by_iri:
            best[s] = (0, by_iri[str(o)])
    for s, (_, word) in best.items():
        view.nodes[str(s)]["status"] = word


def _add_provenance(src, view: nx.MultiDiGraph, cls_of: dict) -> dict[str, str]:
    """Sentences, sections and reports of every entity; returns section IRI -> label."""
    mention_of: dict[URIRef, URIRef] = {}
    for m, _, e in iter_triples(src, (None, KG.mentionOf, None)):
        if e in cls_of:
            mention_of[m] = e
    sent_of: dict[URIRef, set[URIRef]] = defaultdict(set)
    for m, _, s in iter_triples(src, (None, KG.inSentence, None)):
        if m in mention_of:
            sent_of[mention_of[m]].add(s)
    needed = set().union(*sent_of.values()) if sent_of else set()
    text: dict[URIRef, str] = {}
    begin: dict[URIRef, int] = {}
    for s, _, o in iter_triples(src, (None, NIF.anchorOf, None)):
        if s in needed:
            text[s] = str(o)
    for s, _, o in iter_triples(src, (None, NIF.beginIndex, None)):
        if s in needed:
            begin[s] = int(o)
    parent: dict[URIRef, URIRef] = {}
    for s, _, o in iter_triples(src, (None, KG.inSection, None)):
        parent[s] = o
    report_of: dict[URIRef, URIRef] = {}
    for s, _, o in iter_triples(src, (None, KG.report, None)):
        if s in needed:
            report_of[s] = o
    sec_labels: dict[URIRef, str] = {}
    sec_order: dict[URIRef, tuple] = {}
    for s, _, o in iter_triples(src, (None, RDF.type, KG.Section)):
        sec_labels[s] = ""
    for s in sec_labels:
        for _, _, o in iter_triples(src, (s, RDFS.label, None)):
            sec_labels[s] = str(o)
        for _, _, o in iter_triples(src, (s, KG.path, None)):
            sec_order[s] = (str(s).rsplit("/section/", 1)[0],
                            tuple(int(x) for x in str(o).split(".") if x.isdigit()))
    rep_labels: dict[URIRef, str] = {}
    for r in set(report_of.values()):
        for _, _, o in iter_triples(src, (r, RDFS.label, None)):
            rep_labels[r] = str(o)
    used: set[URIRef] = set()
    for e, sents in sent_of.items():
        d = view.nodes[str(e)]
        ordered = sorted(sents, key=lambda s: (str(report_of.get(s, "")), begin.get(s, 0)))
        d["sentences"] = [text[s] for s in ordered[:MAX_SENTENCES] if s in text]
        secs: list[str] = []
        for s in ordered:
            cur, hops = parent.get(s), 0
            while cur is not None and hops < 10:
                if str(cur) not in secs:
                    secs.append(str(cur))
                used.add(cur)
                cur, hops = parent.get(cur), hops + 1
        d["sections"] = sorted(secs)
        d["reports"] = sorted({rep_labels.get(report_of[s], "") for s in sents if s in report_of})
    view.graph["section_reports"] = {
        str(s): rep_labels.get(URIRef(str(s).rsplit("/section/", 1)[0]), "") for s in used}
    return {str(s): sec_labels[s] for s in sorted(used, key=lambda s: sec_order.get(s, (str(s), ())))
            if s in sec_labels}


def _add_edges(src, view: nx.MultiDiGraph, cls_of: dict) -> None:
    labels = property_labels()
    seen: set[tuple] = set()
    for s in cls_of:
        for _, p, o in iter_triples(src, (s, None, None)):
            if p == RDF.type or o not in cls_of:
                continue
            key = (s, p, o)
            if key in seen:
                continue
            seen.add(key)
            c = curie(p)
            lab = labels.get(c, {})
            view.add_edge(str(s), str(o), key=c, predicate=c, label=lab.get("zh", c),
                          label_en=lab.get("en", ""))


@functools.cache
def symmetric_properties() -> frozenset[str]:
    """CURIEs of the relations ``data/rules/rdf.toml`` marks symmetric (written both ways).

    >>> "kg:intersects" in symmetric_properties()
    True
    """
    rel = load_toml("rules/rdf.toml")["relations"]
    return frozenset(v["property"] for v in rel.values() if v.get("symmetric"))


def undirected_simple(view: nx.MultiDiGraph) -> nx.Graph:
    """The view as a simple undirected graph (for layouts and connected components).

    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "a")])
    >>> undirected_simple(g).number_of_edges()
    1
    """
    g = nx.Graph()
    g.add_nodes_from(view.nodes)
    g.add_edges_from((u, v) for u, v in view.edges() if u != v)
    return g


def road_network(view: nx.MultiDiGraph) -> nx.Graph:
    """Roads and waterways as nodes; an edge where a segment of one is bounded by the other
    (the intersection the text implies), labelled with the segment names, plus any other
    ``kg:intersects`` pair (labelled 相交).

    >>> v = nx.MultiDiGraph()
    >>> v.add_node("r1", cls="Road", label="韵涛路"); v.add_node("r2", cls="Road", label="周园路")
    >>> v.add_node("s", cls="RoadSegment", label="韵涛路(周园路以南)")
    >>> _ = v.add_edge("s", "r1", key="kg:segmentOf"); _ = v.add_edge("s", "r2", key="kg:boundedBy")
    >>> [(d["label"]) for _, _, d in road_network(v).edges(data=True)]
    ['韵涛路(周园路以南)']
    """
    keep = {n for n, d in view.nodes(data=True) if d.get("cls") in ROAD_CLASSES}
    g = nx.Graph(**view.graph)
    for n in sorted(keep):
        g.add_node(n, **view.nodes[n])
    segs = sorted(n for n, d in view.nodes(data=True) if d.get("cls") in SEGMENT_CLASSES)
    for s in segs:
        wholes, bounds = set(), set()
        for _, o, k in view.out_edges(s, keys=True):
            if k in ("kg:segmentOf", "kg:plannedSectionOf", "kg:partOf"):
                wholes.add(o)
            elif k == "kg:boundedBy":
                bounds.add(o)
        for w in sorted(wholes & keep):
            for b in sorted(bounds & keep):
                if w == b:
                    continue
                if g.has_edge(w, b):
                    g.edges[w, b]["segments"].append(view.nodes[s]["label"])
                else:
                    g.add_edge(w, b, predicate="kg:intersects", segments=[view.nodes[s]["label"]])
    for u, v, k in view.edges(keys=True):
        if k == "kg:intersects" and u in keep and v in keep and u != v and not g.has_edge(u, v):
            g.add_edge(u, v, predicate="kg:intersects", segments=[])
    for u, v, d in g.edges(data=True):
        d["segments"] = sorted(set(d["segments"]))
        d["label"] = "、".join(d["segments"]) or property_labels().get("kg:intersects", {}).get("zh", "相交")
    for n in g:
        g.nodes[n]["degree"] = g.degree(n)
    return g


def find_nodes(view: nx.Graph, label: str) -> list[str]:
    """The nodes ``label`` names, by :mod:`kg.lookup` (label, alias, code, key, pinyin,
    prefix, substring: the best rank that matches, ties included); IRIs match themselves.

    >>> v = nx.Graph(); v.add_node("a", label="韵涛路", key="韵涛路", label_pinyin="yùn tāo lù")
    >>> find_nodes(v, "韵涛"), find_nodes(v, "yun tao lu"), find_nodes(v, "a")
    (['a'], ['a'], ['a'])
    """
    from kg.lookup import view_index
    if label in view:
        return [label]
    return [h.entry.iri for h in view_index(view).best(label)]


def hubs(view: nx.MultiDiGraph, classes: Iterable[str], predicates: Iterable[str],
         min_spokes: int) -> set[str]:
    """Entities of ``classes`` that at least ``min_spokes`` edges of ``predicates`` point
    at (the report's own area, which every place is located in).

    >>> v = nx.MultiDiGraph(); v.add_node("town", cls="AdministrativeArea")
    >>> for x in "abc": _ = v.add_edge(x, "town", key="kg:locatedIn")
    >>> hubs(v, ["AdministrativeArea"], ["kg:locatedIn"], 3), hubs(v, ["AdministrativeArea"], ["kg:locatedIn"], 4)
    ({'town'}, set())
    """
    classes, predicates = set(classes), set(predicates)
    return {n for n, d in view.nodes(data=True) if d.get("cls") in classes
            and sum(1 for _, _, k in view.in_edges(n, keys=True) if k in predicates) >= min_spokes}


def _walk(view: nx.MultiDiGraph, start: str, depth: int, blocked: set[str]) -> set[str]:
    """Nodes within ``depth`` hops of ``start`` (either direction), not walking on from a
    node of ``blocked`` (it is reached, not passed through; ``start`` itself is walked)."""
    g = undirected_simple(view)
    seen, frontier = {start}, [start]
    for _ in range(depth):
        nxt = []
        for n in frontier:
            if n in blocked and n != start:
                continue
            for m in sorted(g.neighbors(n)):
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    return seen


def neighbourhood(view: nx.MultiDiGraph, label: str, depth: int = 1,
                  blocked: Iterable[str] = ()) -> nx.MultiDiGraph:
    """The nodes within ``depth`` hops (either direction) of the entity named ``label``
    (found by :mod:`kg.lookup`; entities tied for the best match are all centres), not
    walking through the nodes of ``blocked`` (hubs, :func:`hubs`) other than the centres.
    The graph attribute ``focus`` names the first centre.

    Raises :class:`InputError`, with close names, when no entity matches.

    >>> v = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> nx.set_node_attributes(v, {n: n.upper() for n in v}, "label")
    >>> sorted(neighbourhood(v, "B", depth=1)), sorted(neighbourhood(v, "B", depth=2, blocked={"c"}))
    (['a', 'b', 'c'], ['a', 'b', 'c'])
    """
    from kg.lookup import view_index
    hits = [label] if label in view else [h.entry.iri for h in view_index(view).resolve(label, "--focus ")]
    if depth < 0:
        raise InputError(f"--depth {depth}: must be 0 or more")
    near: set[str] = set()
    for hit in hits:
        near |= _walk(view, hit, depth, set(blocked))
    sub = view.subgraph(near).copy()
    sub.graph["focus"] = hits[0]
    return sub


__all__ = ["entity_graph", "symmetric_properties", "undirected_simple", "road_network", "neighbourhood", "hubs", "find_nodes", "iter_triples", "curie",
           "entity_classes", "property_labels"]
