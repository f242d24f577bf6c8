"""Graph analytics (``kg stats``): counts per class and relation, the most connected
entities (degree and PageRank), connected components, and the road network.

Everything is computed on :func:`kg.graphview.entity_graph`, the same view the HTML
page draws, plus a count of every ``rdf:type`` (text spans included).

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix kg: <https://w3id.org/gwr-kg/ontology#> .
... <urn:s> a kg:RoadSegment ; kg:segmentOf <urn:a> ; kg:boundedBy <urn:b> .
... <urn:a> a kg:Road . <urn:b> a kg:Road .''', format="turtle")
>>> s = graph_stats(g)
>>> s["entities"]["RoadSegment"], s["components"]["count"], len(s["roads"]["intersections"])
(1, 1, 1)
"""
from __future__ import annotations

from collections import Counter

import networkx as nx
from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from kg.graphview import curie, entity_graph, iter_triples, road_network, undirected_simple


def _entry(view: nx.Graph, n: str, **extra) -> dict:
    d = view.nodes[n]
    return {"iri": n, "label": d.get("label", ""), "class": d.get("cls", ""), **extra}


def graph_stats(src: Graph | Dataset, top: int = 10) -> dict:
    """Counts, rankings, components and road intersections of a built graph, as plain data."""
    types = Counter(curie(o) for _, _, o in iter_triples(src, (None, RDF.type, None)))
    triples = sum(len(g) for g in src.graphs()) if isinstance(src, Dataset) else len(src)
    view = entity_graph(src)
    relations = Counter(k for _, _, k in view.edges(keys=True))
    simple = undirected_simple(view)
    deg = dict(simple.degree())
    by_degree = sorted(view.nodes, key=lambda n: (-deg[n], view.nodes[n].get("label", ""), n))[:top]
    pr = nx.pagerank(nx.DiGraph(view)) if view.number_of_nodes() else {}
    by_rank = sorted(pr, key=lambda n: (-pr[n], n))[:top]
    comps = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    roads = road_network(view)
    inter = []
    for u, v, d in sorted(roads.edges(data=True), key=lambda e: (roads.nodes[e[0]]["label"],
                                                                  roads.nodes[e[1]]["label"])):
        a, b = sorted((roads.nodes[u]["label"], roads.nodes[v]["label"]))
        inter.append({"a": a, "b": b, "segments": d.get("segments", [])})
    inter.sort(key=lambda x: (x["a"], x["b"]))
    return {
        "triples": triples,
        "types": dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        "entities": dict(sorted(Counter(d["cls"] for _, d in view.nodes(data=True)).items(),
                                key=lambda kv: (-kv[1], kv[0]))),
        "entity_count": view.number_of_nodes(),
        "relation_count": view.number_of_edges(),
        "relations": dict(sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))),
        "top_degree": [_entry(view, n, degree=deg[n]) for n in by_degree],
        "top_pagerank": [_entry(view, n, pagerank=round(pr[n], 6)) for n in by_rank],
        "components": {
            "count": len(comps),
            "isolated": sum(1 for c in comps if len(c) == 1),
            "sizes": [len(c) for c in comps[:top]],
            "largest": sorted(view.nodes[n].get("label", n) for n in comps[0])[:top] if comps else [],
        },
        "roads": {
            "roads": sum(1 for _, d in roads.nodes(data=True) if d.get("cls") == "Road"),
            "waterways": sum(1 for _, d in roads.nodes(data=True) if d.get("cls") == "Waterway"),
            "intersections": inter,
            "most_connected": [_entry(roads, n, degree=roads.degree(n)) for n in
                               sorted(roads, key=lambda n: (-roads.degree(n), roads.nodes[n]["label"]))[:top]
                               if roads.degree(n)],
        },
    }


def print_stats(stats: dict, console=None) -> None:
    """Print :func:`graph_stats` as rich tables."""
    from rich.console import Console

    from kg.tables import print_items, print_table

    console = console or Console()

    def table(title: str, cols: list[str], rows: list[list]) -> None:
        print_table(console, cols, rows, title=title, right=("count", "degree", "pagerank"))

    print_items(console, [f"triples: {stats['triples']}", f"entities: {stats['entity_count']}",
                          f"relations between entities: {stats['relation_count']}"])
    table("entities per class", ["class", "count"], [[k, v] for k, v in stats["entities"].items()])
    table("relations", ["predicate", "count"], [[k, v] for k, v in stats["relations"].items()])
    table("all rdf:type", ["class", "count"], [[k, v] for k, v in stats["types"].items()])
    table("most connected (degree)", ["label", "class", "degree"],
          [[e["label"], e["class"], e["degree"]] for e in stats["top_degree"]])
    table("most central (PageRank)", ["label", "class", "pagerank"],
          [[e["label"], e["class"], f"{e['pagerank']:.4f}"] for e in stats["top_pagerank"]])
    c = stats["components"]
    console.print(f"connected components: {c['count']} ({c['isolated']} isolated entities); "
                  f"largest sizes: {', '.join(map(str, c['sizes']))}")
    r = stats["roads"]
    console.print(f"road network: {r['roads']} roads, {r['waterways']} waterways, "
                  f"{len(r['intersections'])} intersections")
    table("intersections (from segments)", ["road", "road", "segments"],
          [[i["a"], i["b"], "、".join(i["segments"])] for i in r["intersections"]])


__all__ = ["graph_stats", "print_stats"]
