"""Plain records passed between stages (ingest -> extract -> resolve -> build).

All offsets are character offsets into ``Report.text``: the decoded file with its
BOM removed and line endings normalized to ``\\n``, counted from the start of the
file (header lines included). ``Report.text[start:end]`` is always the span's text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MODALITIES = ("review", "plan", "glossary", "other")

MENTION_TYPES = (
    "AdministrativeArea", "Village", "Community", "Zone", "Region", "Facility", "LandParcel",
    "PlanningUnit", "Road", "RoadSegment", "Waterway", "Project", "Program",
    "Organization", "Person", "Document", "GlossaryTerm", "Metric",
)


@dataclass(frozen=True)
class Section:
    """A heading and everything under it until the next heading of its level or above."""

    path: str          # "2", "2.1", "2.1.3": position in the tree, 1-based
    level: int         # 0 part (上半年工作回顾), 1 一、, 2 （一）, 3 1., 4 （1）
    number: str        # the numbering as written ("一、", "(一)", "") 
    title: str         # heading text without its numbering
    start: int         # start of the heading line
    end: int           # end of the section's last character
    title_start: int
    title_end: int
    modality: str      # one of MODALITIES
    parent: str | None


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    section: str | None  # Section.path, None before the first heading


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int       # index into Report.paragraphs
    section: str | None
    modality: str


@dataclass(frozen=True)
class Report:
    name: str            # file stem, e.g. "2022h1_zhoupu"
    path: str
    text: str
    meta: dict[str, Any]  # title, source, publisher, date, index_no, speaker, meeting, place, year, period
    body_start: int       # first character after header lines ("# key: value")
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]

    def section(self, path: str | None) -> Section | None:
        for s in self.sections:
            if s.path == path:
                return s
        return None

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing ``offset`` (binary search)."""
        lo, hi = 0, len(self.sentences)
        while lo < hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid
            elif offset >= s.end:
                lo = mid + 1
            else:
                return s
        return None

    def modality_at(self, offset: int) -> str:
        sent = self.sentence_at(offset)
        if sent is not None:
            return sent.modality
        best = None
        for s in self.sections:
            if s.start <= offset < s.end and (best is None or s.level >= best.level):
                best = s
        return best.modality if best else "other"


@dataclass(frozen=True)
class Rel:
    """A relation from a mention's entity to another entity, named by (type, key)."""

    predicate: str       # a name from data/rules/rdf.toml [relations]
    type: str            # target mention type
    key: str             # target entity key
    subject: tuple[str, str] | None = None  # (type, key) when the subject is not the mention's entity


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the text. ``text == report.text[start:end]``."""

    type: str            # one of MENTION_TYPES
    text: str
    start: int
    end: int
    key: str             # normalized name; mentions with equal (type, key) are one entity
    attrs: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    rels: tuple[Rel, ...] = ()

    def sort_key(self) -> tuple:
        return (self.start, self.end, self.type, self.key)


@dataclass
class Entity:
    """Mentions merged into one thing in the world."""

    type: str
    key: str
    iri: str
    label: str
    names: list[str]              # every surface form, first seen first
    mentions: list[Mention]
    attrs: dict[str, Any]
    rels: list[tuple[Rel, Mention]]  # relation and the mention that supports it
    cls: str = ""                  # ontology class local name (defaults to type)
