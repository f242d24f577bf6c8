"""Build the RDF graph: one named graph per report, ontology beside it.

``build_dataset`` is the one core every output starts from (Turtle, TriG, SPARQL,
viz, serve). Everything is an IRI minted from content: no blank nodes, no counters.

>>> from kg.ingest import parse_text
>>> ds = build_dataset([parse_text("上半年工作回顾\\n完成采样。\\n", name="t")], with_ontology=False)
>>> len(list(ds.graphs())) >= 1
True
"""
from __future__ import annotations

import functools
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from pypinyin import Style, pinyin
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg import ids
from kg.extract import extract
from kg.facts import Facts, read_facts
from kg.facts.commitments import link, placed
from kg.facts.linking import add_hubs, hubs, linkable, same_in_report
from kg.facts.rdf import add_commitments, add_facts
from kg.ingest import check_limit
from kg.records import Entity, Mention, Report
from kg.resolve import resolve, scope_of
from kg.resources import ONTOLOGY, load_toml
from kg.numbers import xsd_decimal
from kg.vocab import KG, NIF, PREFIXES, curie

MODALITY_IRI = {"review": KG.Review, "plan": KG.Plan, "glossary": KG.GlossaryModality,
                "other": KG.OtherModality}


@dataclass
class ReportResult:
    """What one report produced: its parsed text, mentions and entities."""

    report: Report
    mentions: list[Mention]
    entities: list[Entity]
    facts: Facts = field(default_factory=Facts)


def analyse(report: Report, tagger=True, progress=None) -> ReportResult:
    """Extract and resolve one report (meta mentions for speaker and place included);
    ``tagger=False``: names from the rules alone; ``progress``: called with each step's name."""
    step = progress or (lambda _name: None)
    mentions = extract(report, tagger=tagger, progress=step) + _meta_mentions(report)
    mentions = sorted(set_unique(mentions), key=Mention.sort_key)
    check_limit("mentions", len(mentions), report.path or report.name, "names and numbers")
    step("entities")
    entities = resolve(report, mentions)
    step("facts")
    return ReportResult(report, mentions, entities, read_facts(report, mentions))


def set_unique(mentions: list[Mention]) -> list[Mention]:
    seen: set[tuple] = set()
    out = []
    for m in mentions:
        k = (m.type, m.start, m.end, m.key)
        if k not in seen:
            seen.add(k)
            out.append(m)
    return out


def _meta_mentions(report: Report) -> list[Mention]:
    """Mentions for the speaker and the report's place, located in the front matter."""
    out = []
    text, meta = report.text, report.meta
    front_end = report.sections[0].start if report.sections else len(text)
    speaker = meta.get("speaker")
    if speaker:
        pat = r"\s?".join(map(re.escape, speaker))
        m = re.search(pat, text[:front_end])
        if m:
            attrs = {"role": meta["speaker_role"]} if meta.get("speaker_role") else {}
            out.append(Mention("Person", m.group(0), m.start(), m.end(), speaker, attrs))
    place = meta.get("place")
    if place:
        pos = text.find(place, report.body_start)
        if pos >= 0:
            out.append(Mention("AdministrativeArea", place, pos, pos + len(place), place))
    return out


# -- graph construction ---------------------------------------------------------------

@functools.cache
def _mapping() -> dict:
    return load_toml("rules/rdf.toml")



def ontology_graph() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY / "kg.ttl", format="turtle")
    return g


def bind_prefixes(g: Graph) -> None:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True, replace=True)
    g.bind("id", ids.base() + "id/", override=True)


def analysed(reports: Iterable[Report], tagger=True, jobs: int = 1) -> Iterator[ReportResult]:
    """``analyse`` of each report, in the order given, on ``jobs`` processes (forked after
    the names model is loaded, so that workers share it): the same results whatever
    ``jobs`` is."""
    yield from _analyse_all(list(reports), tagger, jobs)


def _analyse_all(reports: list[Report], tagger, jobs: int) -> Iterator[ReportResult]:
    return ordered_map(functools.partial(analyse, tagger=tagger), reports, jobs, tagger)


def ordered_map(fn: Callable, items: list, jobs: int, tagger=False) -> Iterator:
    """``fn`` of each item, in order, on ``jobs`` forked processes (``tagger=True``: the
    names model is loaded first, so that the workers share it)."""
    if jobs <= 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for x in items:
            yield fn(x)
        return
    if tagger is True:
        from kg.names.tagger import tagger as shipped_model
        shipped_model()
    with multiprocessing.get_context("fork").Pool(min(jobs, len(items))) as pool:
        yield from pool.imap(fn, items)


def build_dataset(reports: Iterable[Report], with_ontology: bool = True,
                  progress: Callable[[Report], None] | None = None,
                  results: list[ReportResult] | None = None, tagger: bool = True,
                  jobs: int = 1) -> Dataset:
    """One named graph per report (plus the ontology's own graph); reports are analysed
    on ``jobs`` processes, their graphs written in order."""
    ds = Dataset()
    bind_prefixes(ds)
    if with_ontology:
        og = ds.graph(URIRef(ids.base() + "graph/ontology"))
        for t in ontology_graph():
            og.add(t)
    ledgers: dict = {}
    done: list[ReportResult] = []
    for res in analysed(reports, tagger=tagger, jobs=jobs):
        report = res.report
        done.append(res)
        if results is not None:
            results.append(res)
        g = ds.graph(URIRef(ids.graph_iri(report.name)))
        ledgers[str(URIRef(ids.report_iri(report.name)))] = (g, add_report(g, res))
        if progress:
            progress(report)
    add_links(ds, ledgers, done)
    return ds


def add_links(ds: Dataset, ledgers: dict, results: list[ReportResult]) -> None:
    """What ties reports together, in the links graph: the same program, line or river in
    the reports of several places, and commitments another report answers (those its own
    text answers, or nothing does, stay in the report's graph)."""
    own, linked = placed(link([e for _, ledger in ledgers.values() for e in ledger]))
    for report, commitments in own.items():
        add_commitments(ledgers[report][0], commitments)
    found = hubs(linkable(results)) if len(results) > 1 else []
    if found or linked:
        links = ds.graph(URIRef(ids.base() + "graph/links"))
        add_hubs(links, found)
        add_commitments(links, linked)


def union_graph(src: Graph | Dataset) -> Graph:
    """Every triple of every graph of ``src``, with the project's prefixes bound."""
    g = Graph()
    bind_prefixes(g)
    for ctx in src.graphs() if isinstance(src, Dataset) else (src,):
        for t in ctx:
            g.add(t)
    return g


def add_report(g: Graph, res: ReportResult) -> list:
    """Write one report's graph into ``g``; return its ledger of facts (for commitments)."""
    w = _ReportGraph(g, res)
    w.report_node()
    w.text_nodes()
    place = w.entities()
    ledger = w.facts(place)
    w.relations(place)
    same_in_report(g, res.entities)
    return ledger


class _ReportGraph:
    """The steps of :func:`add_report`, each a method, sharing the IRIs minted so far."""

    def __init__(self, g: Graph, res: ReportResult):
        self.g, self.res, self.r = g, res, res.report
        self.rep = URIRef(ids.report_iri(self.r.name))
        self.mapping = _mapping()
        self.sec_iri: dict[str, URIRef] = {}
        self.sent_iri: dict[tuple[int, int], URIRef] = {}
        self.mention_iri: dict[int, URIRef] = {}
        self.by_key = {(e.cls, e.key): e for e in res.entities}
        self.by_type_key: dict[tuple[str, str], Entity] = {}
        for e in res.entities:
            for m in e.mentions:
                self.by_type_key.setdefault((m.type, m.key), e)
                self.by_type_key.setdefault((e.cls, m.key), e)

    def report_node(self) -> None:
        g, rep, r, meta = self.g, self.rep, self.r, self.r.meta
        g.add((rep, RDF.type, KG.Report))
        g.add((rep, RDFS.label, Literal(str(meta.get("title") or r.name), lang="zh")))
        if meta.get("title"):
            g.add((rep, DCTERMS.title, Literal(str(meta["title"]), lang="zh")))
        if meta.get("source"):
            g.add((rep, DCTERMS.source, _url(str(meta["source"]))))
        if meta.get("publisher"):
            g.add((rep, DCTERMS.publisher, Literal(str(meta["publisher"]), lang="zh")))
        if meta.get("date"):
            g.add((rep, DCTERMS.issued, Literal(str(meta["date"]), datatype=XSD.date)))
        if meta.get("index_no"):
            g.add((rep, KG.indexNumber, Literal(str(meta["index_no"]))))
        if meta.get("meeting"):
            g.add((rep, KG.meeting, Literal(str(meta["meeting"]), lang="zh")))
        if meta.get("year"):
            g.add((rep, KG.year, Literal(str(meta["year"]), datatype=XSD.gYear)))
            g.add((rep, KG.reportPeriod, Literal(str(meta["year"]) + "年" + str(meta.get("period", "")),
                                                 lang="zh")))
        g.add((rep, DCTERMS.identifier, Literal(r.name)))

    def span(self, node: URIRef, cls: URIRef, start: int, end: int) -> None:
        g = self.g
        g.add((node, RDF.type, cls))
        g.add((node, KG.report, self.rep))
        g.add((node, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
        g.add((node, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
        g.add((node, NIF.anchorOf, Literal(self.r.text[start:end])))

    def text_nodes(self) -> None:
        """Sections, paragraphs and sentences, each with its span."""
        g, rep, r, span = self.g, self.rep, self.r, self.span
        sec_iri = self.sec_iri
        sec_iri.update({s.path: URIRef(f"{rep}/section/{s.path}") for s in r.sections})
        for s in r.sections:
            node = sec_iri[s.path]
            span(node, KG.Section, s.start, s.end)
            g.add((node, KG.level, Literal(s.level)))
            g.add((node, KG.path, Literal(s.path)))
            if s.number:
                g.add((node, KG.number, Literal(s.number)))
            g.add((node, KG.heading, Literal(s.title, lang="zh")))
            g.add((node, RDFS.label, Literal(f"{s.number}{s.title}", lang="zh")))
            g.add((node, KG.modality, MODALITY_IRI[s.modality]))
            g.add((node, DCTERMS.isPartOf, sec_iri[s.parent] if s.parent else rep))
            if s.parent:
                g.add((node, KG.inSection, sec_iri[s.parent]))
        para_iri = []
        for p in r.paragraphs:
            node = URIRef(f"{rep}/paragraph/{p.start}-{p.end}")
            para_iri.append(node)
            span(node, KG.Paragraph, p.start, p.end)
            if p.section:
                g.add((node, KG.inSection, sec_iri[p.section]))
            g.add((node, DCTERMS.isPartOf, sec_iri[p.section] if p.section else rep))
        for s in r.sentences:
            node = URIRef(f"{rep}/sentence/{s.start}-{s.end}")
            self.sent_iri[(s.start, s.end)] = node
            span(node, KG.Sentence, s.start, s.end)
            g.add((node, KG.inParagraph, para_iri[s.paragraph]))
            if s.section:
                g.add((node, KG.inSection, sec_iri[s.section]))
            g.add((node, KG.modality, MODALITY_IRI[s.modality]))

    def sentence_of(self, m: Mention) -> URIRef | None:
        s = self.r.sentence_at(m.start)
        return self.sent_iri.get((s.start, s.end)) if s else None

    def mention_node(self, m: Mention) -> URIRef:
        node = URIRef(f"{self.rep}/mention/{m.start}-{m.end}-{ids.kebab(m.type)}")
        self.mention_iri[id(m)] = node
        return node

    def source_of(self, m: Mention) -> URIRef:
        return self.mention_iri.get(id(m)) or self.mention_node(m)

    def entity_of(self, m: Mention) -> Entity | None:
        return (self.by_type_key.get((m.type, m.key))
                or self.by_type_key.get((str(m.attrs.get("class") or m.type), m.key)))

    def entities(self) -> Entity | None:
        """The report's place and speaker, its glossary, and each entity with its labels,
        attributes and mentions; returns the report's place."""
        g, rep, r, meta = self.g, self.rep, self.r, self.r.meta
        place_ent = self.by_type_key.get(("AdministrativeArea", str(meta.get("place", ""))))
        if place_ent is not None:
            g.add((rep, KG.place, URIRef(place_ent.iri)))
        speaker_ent = self.by_type_key.get(("Person", str(meta.get("speaker", ""))))
        if speaker_ent is not None:
            g.add((rep, KG.speaker, URIRef(speaker_ent.iri)))
        glossary = URIRef(f"{rep}/glossary")
        if any(e.cls == "GlossaryTerm" for e in self.res.entities):
            g.add((rep, KG.glossary, glossary))
            g.add((glossary, RDF.type, KG.Glossary))
            g.add((glossary, RDFS.label, Literal(f"{meta.get('title') or r.name} 名词解释", lang="zh")))
            g.add((glossary, PROV.wasDerivedFrom, rep))
        mapping = self.mapping
        for e in self.res.entities:
            node = URIRef(e.iri)
            g.add((node, RDF.type, curie(mapping["classes"][e.cls])))
            g.add((node, RDFS.label, Literal(e.label, lang="zh")))
            py = romanize(e.label)
            if py:
                g.add((node, RDFS.label, Literal(py, lang="zh-Latn-pinyin")))
            g.add((node, KG.key, Literal(e.key)))
            for n in e.names:
                if n != e.label:
                    g.add((node, SKOS.altLabel, Literal(n, lang="zh")))
            if e.cls == "GlossaryTerm":
                g.add((node, SKOS.prefLabel, Literal(e.label, lang="zh")))
                g.add((node, SKOS.inScheme, glossary))
            for name, value in e.attrs.items():
                spec = mapping["attrs"].get(name)
                if spec is None:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    lit = _literal(v, spec["datatype"])
                    if lit is not None:
                        g.add((node, curie(spec["property"]), lit))
            modalities = set()
            for m in e.mentions:
                mn = self.mention_node(m)
                self.span(mn, KG.Mention, m.start, m.end)
                g.add((mn, KG.mentionOf, node))
                g.add((mn, KG.mentionType, Literal(m.type)))
                sn = self.sentence_of(m)
                if sn is not None:
                    g.add((mn, KG.inSentence, sn))
                g.add((node, PROV.wasDerivedFrom, mn))
                modalities.add(r.modality_at(m.start))
            for mod in sorted(modalities):
                g.add((node, KG.mentionedInModality, MODALITY_IRI[mod]))
        return place_ent

    def facts(self, place_ent: Entity | None) -> list:
        """Actions, observations and their ledger (kg/facts/rdf.py)."""
        return add_facts(self.g, self.res.facts, self.entity_of, self.source_of,
                         self.sent_iri.get, self.sentence_of, MODALITY_IRI, self.mapping["status"],
                         URIRef(place_ent.iri) if place_ent is not None else None, self.rep,
                         self.r.text, area_key="place:" + scope_of(self.r))

    def assert_rel(self, s: URIRef, p: URIRef, o: URIRef, source: URIRef) -> None:
        g = self.g
        g.add((s, p, o))
        a = URIRef(f"{ids.base()}assertion/{ids.digest(str(s), str(p), str(o), n=16)}")
        g.add((a, RDF.type, KG.Assertion))
        g.add((a, RDF.subject, s))
        g.add((a, RDF.predicate, p))
        g.add((a, RDF.object, o))
        g.add((a, PROV.wasDerivedFrom, source))

    def relations(self, place_ent: Entity | None) -> None:
        """Each relation a mention states, reified with its source; entities of a place
        class with no stated location are located in the report's place."""
        mapping = self.mapping
        located = {"kg:locatedIn", "kg:inPlanningUnit", "kg:inZone"}
        has_location: set[URIRef] = set()
        for e in self.res.entities:
            for rel, m in e.rels:
                spec = mapping["relations"].get(rel.predicate)
                if spec is None:
                    raise ValueError(f"unknown relation {rel.predicate!r} (add it to data/rules/rdf.toml)")
                subj = e
                if rel.subject is not None:
                    subj = self.by_type_key.get(rel.subject) or self.by_key.get(rel.subject)
                target = self.by_type_key.get((rel.type, rel.key)) or self.by_key.get((rel.type, rel.key))
                if subj is None or target is None or subj is target:
                    continue
                s, o = URIRef(subj.iri), URIRef(target.iri)
                p = curie(spec["property"])
                source = self.source_of(m)
                self.assert_rel(s, p, o, source)
                if spec.get("symmetric"):
                    self.assert_rel(o, p, s, source)
                if spec.get("inverse"):
                    self.assert_rel(o, curie(spec["inverse"]), s, source)
                if spec["property"] in located:
                    has_location.add(s)
        if place_ent is not None:
            area = URIRef(place_ent.iri)
            for e in self.res.entities:
                node = URIRef(e.iri)
                if e.cls in mapping["places"]["default_located_in"] and node not in has_location:
                    self.assert_rel(node, KG.locatedIn, area, self.rep)


def _url(value: str) -> URIRef | Literal:
    if re.match(r"^https?://", value):
        return URIRef(quote(value, safe=":/?#[]@!$&'()*+,;=%-._~"))
    return Literal(value)


def _literal(v, datatype: str) -> Literal | None:
    if datatype == "lang":
        return Literal(str(v), lang="zh")
    if datatype == "string":
        return Literal(str(v))
    if datatype == "decimal":
        try:
            d = Decimal(str(v))
        except InvalidOperation:
            return None
        return Literal(xsd_decimal(d), datatype=XSD.decimal)
    if datatype == "integer":
        return Literal(int(v))
    if datatype == "boolean":
        return Literal(bool(v))
    raise ValueError(f"unknown datatype {datatype!r} in data/rules/rdf.toml")


@functools.lru_cache(maxsize=65536)
def romanize(label: str) -> str:
    """Pinyin with tone marks for a Chinese label; '' when it has no Chinese.

    >>> romanize("韵涛路")
    'yùn tāo lù'
    """
    if not re.search(r"[\u4e00-\u9fff]", label):
        return ""
    parts = pinyin(label, style=Style.TONE, errors=lambda s: [s])
    return " ".join(p[0] for p in parts).strip()


__all__ = ["build_dataset", "analyse", "union_graph", "ontology_graph", "ReportResult"]
