"""The SPARQL 1.1 Service Description of ``kg serve`` (what ``GET /sparql`` without a
query answers): the endpoint, the language, the result formats, and the default dataset
(its named graphs, queried as one union default graph).

>>> g = description("http://127.0.0.1:8000/sparql", {"urn:g:a"}, 12)
>>> str(g.value(URIRef("http://127.0.0.1:8000/sparql"), SD.endpoint))
'http://127.0.0.1:8000/sparql'
>>> (URIRef("http://127.0.0.1:8000/sparql"), SD.feature, SD.UnionDefaultGraph) in g
True
"""
from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, VOID, XSD

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

# result formats the endpoint writes (kg/results.py), by their W3C format IRIs
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD")


def description(endpoint: str, graphs: set[str], triples: int) -> Graph:
    """The Service Description graph of the endpoint at IRI ``endpoint`` over a store of
    ``triples`` statements in the named ``graphs`` (none: one default graph)."""
    g = Graph()
    for prefix, ns in (("sd", SD), ("formats", FORMATS), ("void", VOID), ("dct", DCTERMS),
                       ("ent", ENTAILMENT)):
        g.bind(prefix, ns)
    svc = URIRef(endpoint)
    dataset, default = URIRef(endpoint + "#dataset"), URIRef(endpoint + "#default-graph")
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, svc))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        g.add((svc, SD.resultFormat, FORMATS[name]))
    g.add((svc, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    g.add((svc, DCTERMS.title, Literal("kg SPARQL endpoint (read-only)", lang="en")))
    g.add((svc, RDFS.comment, Literal(
        "Read-only SPARQL 1.1 Query over a knowledge graph of government work reports. "
        "Updates, SERVICE and FROM of graphs outside the store are refused; each query has "
        "a time limit and a row limit.", lang="en")))
    g.add((svc, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(triples, datatype=XSD.integer)))
    if graphs:
        g.add((svc, SD.feature, SD.UnionDefaultGraph))
    for i, name in enumerate(sorted(graphs), 1):
        node = URIRef(f"{endpoint}#named-graph-{i}")
        g.add((dataset, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(name)))
    return g


__all__ = ["description", "SD", "RESULT_FORMATS"]
