"""Extraction: one module per entity family, run in order over a parsed report.

Each module has ``extract(report, found) -> list[Mention]`` where ``found`` holds the
mentions of the modules before it (a project extractor can see the roads).
"""
from __future__ import annotations

from kg.extract import glossary, metrics
from kg.extract import orgs, programs, projects
from kg.extract import parcels, places, roads
from kg.records import Mention, Report

# Order matters: later families may look at earlier ones' mentions.
EXTRACTORS: tuple = (roads, places, parcels, orgs, projects, programs, glossary, metrics)


def extract(report: Report) -> list[Mention]:
    """All mentions in a report, sorted by position; ``m.text == report.text[m.start:m.end]``."""
    found: list[Mention] = []
    for module in EXTRACTORS:
        found.extend(module.extract(report, tuple(found)))
    for m in found:
        if report.text[m.start:m.end] != m.text:  # a bug in an extractor, never user error
            raise AssertionError(f"{m.type} mention {m.text!r} does not match text at {m.start}")
    return sorted(found, key=Mention.sort_key)


__all__ = ["extract", "EXTRACTORS"]
