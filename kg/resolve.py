"""Resolution: merge mentions into entities and mint their IRIs.

Mentions with the same (class, key) are one entity. A mention may also name keys of
the same class it is known to equal (``attrs["same_as"]``: a parcel's alias under two
code systems); those entities are merged too. The merged entity's key is the smallest
of its keys, so the IRI does not depend on the order of the text.

>>> from kg.records import Mention
>>> ms = [Mention("LandParcel", "28街坊71丘", 0, 7, "28街坊71丘", {"same_as": ["菲特莫古地块"]}),
...       Mention("LandParcel", "08单元16-02", 20, 29, "08单元16-02", {"same_as": ["菲特莫古地块"]})]
>>> [(e.key, sorted(e.names)) for e in resolve_mentions(ms, scope="周浦镇")]
[('08单元16-02', ['08单元16-02', '28街坊71丘'])]
"""
from __future__ import annotations

from typing import Any

from kg.ids import entity_iri
from kg.records import Entity, Mention, Report


def entity_class(m: Mention) -> str:
    return str(m.attrs.get("class") or m.type)


def scope_of(report: Report) -> str:
    """The place that scopes a report's entity IRIs (its own administrative area)."""
    return str(report.meta.get("place") or report.name)


def resolve(report: Report, mentions: list[Mention]) -> list[Entity]:
    # observations are scoped by what the report is (title and date), not its file name
    identity = "|".join(str(report.meta.get(k) or "") for k in ("title", "date")).strip("|")
    return resolve_mentions(mentions, scope_of(report), report_name=identity or report.name)


def _per_report_classes() -> frozenset[str]:
    from kg.resources import load_toml
    return frozenset(load_toml("rules/rdf.toml")["scope"]["per_report"])


def resolve_mentions(mentions: list[Mention], scope: str, report_name: str = "") -> list[Entity]:
    """Merge ``mentions`` into entities; IRIs are scoped by place (and, for classes such
    as Metric that are observations of one report, by report)."""
    per_report = _per_report_classes()
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            parent[hi] = lo

    for m in mentions:
        node = (entity_class(m), m.key)
        find(node)
        for other in m.attrs.get("same_as", ()) or ():
            union(node, (entity_class(m), str(other)))

    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in sorted(mentions, key=Mention.sort_key):
        groups.setdefault(find((entity_class(m), m.key)), []).append(m)

    entities = []
    for (cls, key), ms in sorted(groups.items()):
        names: list[str] = []
        for m in ms:
            label = str(m.attrs.get("label") or m.key)
            for n in (label, m.key, *m.attrs.get("names", ())):
                if n not in names:
                    names.append(n)
        rels = [(r, m) for m in ms for r in m.rels]
        ent = Entity(type=ms[0].type, key=key, iri=entity_iri(cls, key, f"{scope}/{report_name}" if cls in per_report else scope),
                     label=_label(ms, key), names=names, mentions=ms,
                     attrs=_merge_attrs(ms), rels=rels, cls=cls)
        entities.append(ent)
    return entities


def _label(ms: list[Mention], key: str) -> str:
    for m in ms:
        if m.key == key and m.attrs.get("label"):
            return str(m.attrs["label"])
    return key


_INTERNAL = {"same_as", "class", "label", "names"}  # names: extra surface forms (skos:altLabel)


def _merge_attrs(ms: list[Mention]) -> dict[str, Any]:
    """Union list-valued attributes (order of first appearance); first scalar wins."""
    out: dict[str, Any] = {}
    for m in ms:
        for k, v in m.attrs.items():
            if k in _INTERNAL or v is None or v == "" or v == []:
                continue
            if isinstance(v, (list, tuple)):
                cur = out.setdefault(k, [])
                if not isinstance(cur, list):
                    cur = out[k] = [cur]
                for x in v:
                    if x not in cur:
                        cur.append(x)
            elif k not in out:
                out[k] = v
    return out
