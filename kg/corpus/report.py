"""One report's share of a build, made from that report alone (in a worker process):
its graph written out at once, and a small summary of it for what ties reports together.

The graph of a report goes into the report cache (:mod:`kg.corpus.cache`) as sorted N-Triples
(what the store loads), a Turtle block and a TriG block (what ``kg.ttl`` and ``kg.trig``
are joined from), the rows of the full-text index and its reader page. The summary keeps
its counts and its row of the index page; what the corpus stage needs of it (the ledger
of facts for commitments, the names that may be the same thing in other places, the
hashes of its entities) travels with it once, as :class:`kg.corpus.ledger.Facts`, into
the ledger on disk, and is kept in the cache as ``KEY.facts.pickle``. So the build never
holds more than one report's triples per process, nor any report's facts for long.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg import ids
from kg.corpus.cache import Cache, file_key
from kg.corpus.ledger import Facts
from kg.facts.linking import linkable
from kg.errors import OutputError
from kg.ingest import read_bounded, report_of_bytes, shown_path
from kg.serialize import indented, to_ntriples, turtle_block
from kg.triples import Triples

#: the files of a report in the cache (``KEY.NAME``)
BLOBS = ("nt", "ttl", "trig", "rows.json", "facts.pickle")
READER = "reader.html"
PAGE = "page.html"


@dataclass
class Summary:
    """What the corpus stage keeps of one report."""

    name: str
    key: str
    graph: str                       # the report's named graph
    digest: str                      # SHA-256 of its N-Triples
    triples: int
    sections: int = 0
    sentences: int = 0
    mentions: int = 0
    index_rows: dict[str, tuple] = field(default_factory=dict)  # "top"/"sub" -> index page row
    multi: bool = False              # the index rows link graph pages (a build of several)
    cached: bool = False
    facts: Facts | None = None       # made with the summary, until the ledger has taken it


def prepare(path: Path, encoding: str | None, tagger, html: bool, multi: bool, cache: Cache) -> Summary:
    """Read, analyse and write out one report, or take it from ``cache`` when an earlier
    build made it from the same text with the same code and data."""
    path = Path(path)
    data = read_bounded(path, shown_path(path))
    key = file_key(path, data, encoding, tagger)
    hit = _hit(cache, key, html, multi)
    if hit is not None:
        return hit
    report = report_of_bytes(path, data, encoding)
    import kg.build  # looked up at call time: tests count the analyses
    res = kg.build.analyse(report, tagger=tagger)
    g = Triples()  # add_report only adds; the writers and the page look up by s and p
    ledger = kg.build.add_report(g, res)
    nt = to_ntriples(g)
    graph = ids.graph_iri(report.name)
    summary = Summary(
        name=report.name, key=key, graph=graph, digest=hashlib.sha256(nt).hexdigest(),
        triples=len(g),
        sections=len(report.sections), sentences=len(report.sentences), mentions=len(res.mentions),
        multi=multi)
    ttl = turtle_block(g)
    facts = Facts(ledger, linkable([res]), _entity_hashes(res.entities))
    blobs: dict[str, bytes | str] = {"nt": nt, "ttl": ttl, "trig": indented(ttl),
                                     "facts.pickle": pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)}
    store = _store_of(nt, report.name)
    from kg.textindex import rows_of
    sentences, names = rows_of(store)
    blobs["rows.json"] = json.dumps([sentences, names], ensure_ascii=False)
    if html:
        from kg import viz
        from kg.indexpage import index_rows
        from kg.reader import page_name, report_page
        pages = {report.name: f"graphs/{page_name(report.name)}.html"} if multi else None
        sub = {report.name: f"../graphs/{page_name(report.name)}.html"} if multi else None
        summary.index_rows = {"top": index_rows(store, pages, prefix="reports/")[0],
                              "sub": index_rows(store, sub)[0]}
        blobs[READER] = report_page(store, ids.report_iri(report.name),
                                    str(report.meta.get("title") or report.name))
        blobs[PAGE] = viz.render_dataset(g, reader="../reports/" if multi else "reports/")
    cache.put(key, summary, blobs)
    return replace(summary, facts=facts)


def cached(path: Path, encoding: str | None, tagger, html: bool, multi: bool, cache: Cache) -> Summary | None:
    """The summary an earlier build kept of this report (the same text, code and data),
    or None: what :func:`prepare` would take from the cache, without analysing."""
    path = Path(path)
    return _hit(cache, file_key(path, read_bounded(path, shown_path(path)), encoding, tagger), html, multi)


def _hit(cache: Cache, key: str, html: bool, multi: bool) -> Summary | None:
    hit = cache.get(key, BLOBS + ((READER, PAGE) if html else ()))
    if hit is not None and (not html or (hit.index_rows and hit.multi == multi)):
        hit.cached = True
        return hit
    return None


def _entity_hashes(entities) -> dict[str, list[int]]:
    """Class -> hashes of its entities' IRIs: enough to count entities across reports (the
    same entity in two reports of one place once) without keeping their IRIs."""
    out: dict[str, set[int]] = {}
    for e in entities:
        h = int.from_bytes(hashlib.blake2b(e.iri.encode("utf-8"), digest_size=8).digest(), "big")
        out.setdefault(e.cls, set()).add(h)
    return {cls: sorted(hs) for cls, hs in sorted(out.items())}


def _store_of(nt: bytes, name: str):
    from kg.store import OxigraphStore
    return OxigraphStore(nt, "nt", name)


def facts_of(cache: Cache, s: Summary) -> Facts:
    """The facts of a report: those made with its summary, else those in the cache."""
    if s.facts is not None:
        return s.facts
    facts = cache.load(s.key, "facts.pickle")
    if not isinstance(facts, Facts):
        raise OutputError(f"{cache.folder}: the cache entry of {s.name} lost its facts; "
                          "build again with --no-cache")
    return facts


def text_rows(cache: Cache, key: str) -> tuple[list, list]:
    sentences, names = json.loads(cache.path(key, "rows.json").read_text(encoding="utf-8"))
    return [tuple(r) for r in sentences], [tuple(r) for r in names]


__all__ = ["Summary", "prepare", "facts_of", "BLOBS", "READER", "PAGE", "text_rows"]
