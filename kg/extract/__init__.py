"""Extraction: one module per entity family, run in order over a parsed report, then
the names tagger.

Each module has ``extract(report, found) -> list[Mention]`` where ``found`` holds the
mentions of the modules before it (a project extractor can see the roads). After the
name families, the statistical tagger (:mod:`kg.names`) takes the names without a closed
pattern and :func:`kg.names.merge.merge` decides where rules and tagger both speak;
glossary entries and metrics come last and see the merged names.
"""
from __future__ import annotations

from kg.extract import glossary, metrics
from kg.extract import orgs, programs, projects
from kg.extract import parcels, places, roads
from kg.records import Mention, Report

# Order matters: later families may look at earlier ones' mentions.
NAME_RULES: tuple = (roads, places, parcels, orgs, projects, programs)
AFTER_NAMES: tuple = (glossary, metrics)
EXTRACTORS: tuple = NAME_RULES + AFTER_NAMES


def extract(report: Report, tagger=True, progress=None) -> list[Mention]:
    """All mentions in a report, sorted by position; ``m.text == report.text[m.start:m.end]``.

    ``tagger``: True for the shipped model, a :class:`kg.names.crf.Tagger` for another
    one, False for the rules alone (no statistical names). ``progress``: called with the
    name of each step before it runs (for a progress display).
    """
    step = progress or (lambda _name: None)
    found: list[Mention] = []
    for module in NAME_RULES:
        step(module.__name__.rsplit(".", 1)[-1])
        found.extend(module.extract(report, tuple(found)))
    if tagger:
        step("names tagger")
        from kg.names.merge import merge
        from kg.names.tagger import tag_report
        from kg.names.merge import owners
        model = None if tagger is True else tagger
        own, _ = owners()
        cands = [(m.start, m.end, m.type) for m in found if m.type in own]
        spans, beliefs = tag_report(report, model, cands)
        found = merge(report, found, spans, beliefs)
    else:
        found = [_with_source(m) for m in found]
    for module in AFTER_NAMES:
        step(module.__name__.rsplit(".", 1)[-1])
        found.extend(_with_source(m) for m in module.extract(report, tuple(found)))
    for m in found:
        if report.text[m.start:m.end] != m.text:  # a bug in an extractor, never user error
            raise AssertionError(f"{m.type} mention {m.text!r} does not match text at {m.start}")
    return sorted(found, key=Mention.sort_key)


def _with_source(m: Mention) -> Mention:
    from kg.names.merge import rule_source
    if "source" not in m.attrs:
        m.attrs["source"] = rule_source(m)
    return m


__all__ = ["extract", "EXTRACTORS", "NAME_RULES", "AFTER_NAMES"]
