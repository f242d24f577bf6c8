"""The JSON shape of ``kg extract --format json`` (see DESIGN.md, Interfaces)."""
from __future__ import annotations

from typing import Any

from kg.build import ReportResult


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def extraction_json(res: ReportResult, types: set[str] | None = None) -> dict:
    """``{"report": {...}, "mentions": [{type, text, start, end, entity, source, attrs}],
    "actions": [{entity, object, action, state, period, …}], "observations": [{entity,
    indicator, period, kind, measure, value, …}]}``;
    ``source`` says where the name came from: ``rule``, ``gazetteer``, ``tagger`` or
    ``rule+tagger`` (both found the same span)."""
    r = res.report
    iri = {}
    for e in res.entities:
        for m in e.mentions:
            iri[id(m)] = e.iri
    report = {"title": r.meta.get("title"), "source": r.meta.get("source"),
              "date": r.meta.get("date"), "name": r.name, "path": r.path,
              "place": r.meta.get("place"), "publisher": r.meta.get("publisher"),
              "speaker": r.meta.get("speaker"), "offsets": "characters from the file start, "
              "BOM removed, line endings normalized to \\n"}
    mentions = []
    for m in res.mentions:
        if types and m.type not in types and m.attrs.get("class") not in types:
            continue
        attrs = {k: _plain(v) for k, v in m.attrs.items() if k not in ("same_as", "source")}
        attrs.setdefault("modality", r.modality_at(m.start))
        mentions.append({"type": m.type, "text": m.text, "start": m.start, "end": m.end,
                         "entity": iri.get(id(m)), "source": m.attrs.get("source", "rule"),
                         "attrs": attrs})
    actions = [{"entity": iri.get(id(a.mention)), "object": a.mention.text,
                "start": a.mention.start, "end": a.mention.end, "action": a.action,
                "word": a.word, "word_start": a.word_at, "state": a.state, "verb": a.verb,
                "period": a.period, "modality": a.modality,
                "sentence": list(a.sentence)} for a in res.facts.actions]
    observations = [{"entity": iri.get(id(o.metric)), "text": o.metric.text,
                     "start": o.metric.start, "end": o.metric.end,
                     "indicator": o.indicator or None, "indicator_label": o.label,
                     "period": o.period, "kind": o.kind, "measure": o.measure,
                     "value": _plain(o.metric.attrs.get("value")),
                     "value_max": _plain(o.metric.attrs.get("value_max")),
                     "unit": o.metric.attrs.get("unit"), "action": o.action or None}
                    for o in res.facts.observations]
    if types:  # --types: the actions on mentions of those types, observations with Metric
        keep = {id(a) for a in res.facts.actions if a.mention.type in types}
        actions = [j for a, j in zip(res.facts.actions, actions) if id(a) in keep]
        observations = observations if "Metric" in types else []
    return {"report": report, "mentions": mentions, "actions": actions,
            "observations": observations}
