"""Score the places-and-land extractors against ``places.tsv`` (entity level, per class)."""
from __future__ import annotations

from dataclasses import dataclass

from tests.gold import read

CLASSES = ("AdministrativeArea", "Village", "Community", "Zone", "Facility", "LandParcel",
           "PlanningUnit", "Road", "RoadSegment", "Waterway", "WaterwaySegment")


def gold() -> dict[tuple[str, str], dict[str, list[str]]]:
    out = {}
    for row in read("places.tsv"):
        attrs: dict[str, list[str]] = {}
        for pair in filter(None, (p.strip() for p in row["attrs"].split(";"))):
            k, _, v = pair.partition("=")
            attrs[k.strip()] = v.strip().split("|")
        out[(row["class"], row["key"])] = attrs
    return out


@dataclass
class Score:
    cls: str
    tp: int
    fp: list
    fn: list

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + len(self.fp)) if self.tp + len(self.fp) else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + len(self.fn)) if self.tp + len(self.fn) else 1.0


def found(entities) -> dict[tuple[str, str], object]:
    return {(e.cls, e.key): e for e in entities if e.cls in CLASSES}


def score(entities) -> dict[str, Score]:
    g = gold()
    f = found(entities)
    out = {}
    for cls in CLASSES:
        gk = {k for c, k in g if c == cls}
        fk = {k for c, k in f if c == cls}
        out[cls] = Score(cls, len(gk & fk), sorted(fk - gk), sorted(gk - fk))
    return out
