"""What the graph page's details panel shows of the text: every mention of each drawn
entity, with its sentence, its offsets and the report it is in (and that report's reader
page, ``build/reports/NAME.html``, anchored at the sentence).

The result is plain JSON-ready data, small enough to ship in the page: each sentence and
report is written once, mentions point at them by index.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix kg: <https://w3id.org/gwr-kg/ontology#> .
... @prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
... @prefix dct: <http://purl.org/dc/terms/> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <urn:r> a kg:Report ; dct:identifier "2022h1_zhoupu" ; rdfs:label "周浦镇报告"@zh .
... <urn:s> a kg:Sentence ; kg:report <urn:r> ; nif:beginIndex 10 ; nif:anchorOf "推进韵涛路建设。" .
... <urn:m> kg:mentionOf <urn:e> ; kg:inSentence <urn:s> ; nif:beginIndex 12 ; nif:endIndex 15 .
... ''', format="turtle")
>>> spans, text = mention_spans(g, ["urn:e"])
>>> spans, text["sentences"], text["reports"]
({'urn:e': [[0, 12, 15]]}, [[0, 10, '推进韵涛路建设。']], [['2022h1_zhoupu', '周浦镇报告']])
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS

from kg.graphview import iter_triples
from kg.reader import page_name
from kg.vocab import KG, NIF


def mention_spans(src: Graph | Dataset, entities: Iterable[str]) -> tuple[dict[str, list], dict]:
    """(entity IRI -> [[sentence index, begin, end], …] in report and text order,
    {"sentences": [[report index, begin, text], …], "reports": [[page name, label], …]}).

    Offsets are the report's own (``kg extract``'s), so ``text[begin - sentence begin:
    end - sentence begin]`` is the mention; only sentences of the given entities are kept.
    """
    wanted = {URIRef(e) for e in entities}
    mention_of: dict[URIRef, URIRef] = {}
    for m, _, e in iter_triples(src, (None, KG.mentionOf, None)):
        if e in wanted:
            mention_of[m] = e
    sentence: dict[URIRef, URIRef] = {}
    for m, _, s in iter_triples(src, (None, KG.inSentence, None)):
        if m in mention_of:
            sentence[m] = s
    begin: dict[URIRef, int] = {}
    end: dict[URIRef, int] = {}
    needed = set(sentence.values())
    for s, _, o in iter_triples(src, (None, NIF.beginIndex, None)):
        if s in sentence or s in needed:
            begin[s] = int(o)
    for s, _, o in iter_triples(src, (None, NIF.endIndex, None)):
        if s in sentence:
            end[s] = int(o)
    text: dict[URIRef, str] = {}
    for s, _, o in iter_triples(src, (None, NIF.anchorOf, None)):
        if s in needed:
            text[s] = str(o)
    report_of: dict[URIRef, URIRef] = {}
    for s, _, o in iter_triples(src, (None, KG.report, None)):
        if s in needed:
            report_of[s] = o
    reports = sorted(set(report_of.values()), key=str)
    ident: dict[URIRef, str] = {}
    label: dict[URIRef, str] = {}
    for r in reports:
        for _, _, o in iter_triples(src, (r, DCTERMS.identifier, None)):
            ident[r] = str(o)
        for _, _, o in iter_triples(src, (r, RDFS.label, None)):
            label[r] = str(o)
    reports.sort(key=lambda r: (ident.get(r, ""), str(r)))
    rep_index = {r: i for i, r in enumerate(reports)}
    usable = sorted((s for s in needed if s in text and s in begin and s in report_of),
                    key=lambda s: (rep_index[report_of[s]], begin[s], str(s)))
    sent_index = {s: i for i, s in enumerate(usable)}
    spans: dict[str, list] = defaultdict(list)
    for m, e in mention_of.items():
        s = sentence.get(m)
        if s in sent_index and m in begin and m in end:
            spans[str(e)].append([sent_index[s], begin[m], end[m]])
    for v in spans.values():
        v.sort()
    return dict(spans), {
        "sentences": [[rep_index[report_of[s]], begin[s], text[s]] for s in usable],
        "reports": [[page_name(ident[r]) if r in ident else "", label.get(r, "")] for r in reports],
    }


__all__ = ["mention_spans"]
