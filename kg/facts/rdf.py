"""Facts as triples of a report's graph.

- An action is a ``kg:Action`` (a ``schema:Action``, also a ``kg:StatusAssertion`` so the
  status queries read it): ``schema:object`` the entity, ``kg:actionType`` the action's
  concept (``{base}action/…``), ``schema:actionStatus`` and ``kg:statusValue`` its state,
  ``kg:period``, ``kg:modality``, the words, and ``prov:wasDerivedFrom`` its sentence.
  An entity's ``kg:status`` is the most advanced state of its actions.
- A metric (already a ``qb:Observation``) gets ``kg:indicator`` (a ``kg:Indicator``
  concept, standard or local), ``kg:refArea``, ``kg:refPeriod``, ``kg:observationKind``,
  ``kg:measureType`` and, where the text gives one, ``kg:actionType``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from decimal import Decimal

from kg import ids
from kg.facts import Facts, indicators
from kg.facts.commitments import CEILING_WORDS, Commitment, Entry
from kg.facts.actions import lexicon
from kg.records import Entity, Mention
from kg.numbers import xsd_decimal
from kg.vocab import KG, NIF, SCHEMA, curie


def action_iri(name: str) -> URIRef:
    return URIRef(f"{ids.base()}action/{ids.slug(name)}-{ids.digest(name, n=6)}")


def indicator_iri(indicator_id: str, label: str) -> URIRef:
    if indicator_id:
        return URIRef(f"{ids.base()}indicator/{indicator_id.replace('_', '-')}")
    return URIRef(f"{ids.base()}indicator/local/{ids.slug(label)}-{ids.digest(label, n=8)}")


@functools.cache
def _action_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in lexicon().values():
        out.setdefault(row["action"], row["label_en"])
    return out


def add_action_type(g: Graph, name: str, domain: str) -> URIRef:
    node = action_iri(name)
    g.add((node, RDF.type, KG.ActionType))
    g.add((node, RDFS.label, Literal(name, lang="zh")))
    g.add((node, SKOS.prefLabel, Literal(name, lang="zh")))
    en = _action_labels().get(name)
    if en:
        g.add((node, RDFS.label, Literal(en, lang="en")))
    g.add((node, KG.actionDomain, Literal(domain)))
    return node


def add_indicator(g: Graph, indicator_id: str, label: str) -> URIRef:
    node = indicator_iri(indicator_id, label)
    g.add((node, RDF.type, KG.Indicator))
    g.add((node, RDFS.label, Literal(label, lang="zh")))
    g.add((node, SKOS.prefLabel, Literal(label, lang="zh")))
    if indicator_id:
        row = indicators.rows()[indicator_id]
        g.add((node, KG.indicatorId, Literal(indicator_id)))
        g.add((node, RDFS.label, Literal(row["label_en"], lang="en")))
        for n in row["names"][1:] + row["growth_names"]:
            g.add((node, SKOS.altLabel, Literal(n, lang="zh")))
        if row["part_of"]:
            whole = indicators.rows()[row["part_of"]]
            g.add((node, KG.componentOf, add_indicator(g, whole["id"], whole["label"])))
    else:
        g.add((node, KG.localIndicator, Literal(True)))
    return node


def add_facts(g: Graph, facts: Facts, entity_of: Callable[[Mention], Entity | None],
              mention_node: Callable[[Mention], URIRef],
              sentence_node: Callable[[tuple[int, int]], URIRef | None],
              sentence_of: Callable[[Mention], URIRef | None],
              modality_iri: dict, status_map: dict, area: URIRef | None, rep: URIRef,
              text: str, area_key: str = "") -> list[Entry]:
    """Write the facts; return the report's ledger (for commitments). ``area_key``: what
    stands for the area in the ledger where the report's place is no entity (its place's
    name), so that only reports of one place answer each other."""
    ledger: list[Entry] = []
    best: dict[URIRef, tuple[int, str]] = {}
    for a in facts.actions:
        ent = entity_of(a.mention)
        if ent is None:
            continue
        node = URIRef(ent.iri)
        an = URIRef(f"{mention_node(a.mention)}/action/{a.word_at}")
        g.add((node, KG.statusAssertion, an))
        g.add((an, RDF.type, KG.Action))
        g.add((an, RDF.type, KG.StatusAssertion))
        g.add((an, RDFS.label, Literal(f"{ent.label}: {a.action} ({a.state})", lang="zh")))
        g.add((an, SCHEMA.object, node))
        g.add((an, KG.actionType, add_action_type(g, a.action, a.domain)))
        g.add((an, KG.statusValue, Literal(a.state)))
        g.add((an, SCHEMA.actionStatus, curie(status_map[a.state]["iri"])))
        g.add((an, KG.verb, Literal(a.verb or a.word, lang="zh")))
        g.add((an, KG.actionWord, Literal(a.word, lang="zh")))
        g.add((an, KG.report, rep))
        g.add((an, NIF.beginIndex, Literal(a.word_at, datatype=XSD.nonNegativeInteger)))
        g.add((an, NIF.endIndex, Literal(a.word_at + len(a.word), datatype=XSD.nonNegativeInteger)))
        g.add((an, NIF.anchorOf, Literal(text[a.word_at:a.word_at + len(a.word)])))
        g.add((an, KG.modality, modality_iri[a.modality]))
        if a.period:
            g.add((an, KG.period, Literal(a.period)))
        sn = sentence_node(a.sentence)
        g.add((an, PROV.wasDerivedFrom, sn if sn is not None else mention_node(a.mention)))
        ledger.append(Entry("act", str(an), str(rep), a.period, a.state, entity=str(node),
                            action=str(action_iri(a.action)), sentence=str(sn or "")))
        rank = status_map[a.state]["rank"]
        if node not in best or rank > best[node][0]:
            best[node] = (rank, a.state)
    for node, (_, state) in sorted(best.items()):
        g.add((node, KG.status, curie(status_map[state]["iri"])))
    for o in facts.observations:
        ent = entity_of(o.metric)
        if ent is None:
            continue
        node = URIRef(ent.iri)
        ind = add_indicator(g, o.indicator, o.label)
        g.add((node, KG.indicator, ind))
        if area is not None:
            g.add((node, KG.refArea, area))
        if o.period:
            g.add((node, KG.refPeriod, Literal(o.period)))
        g.add((node, KG.observationKind, Literal(o.kind)))
        g.add((node, KG.measureType, Literal(o.measure)))
        if o.action:
            domain = lexicon()[o.action_word]["domain"] if o.action_word in lexicon() else "status"
            g.add((node, KG.actionType, add_action_type(g, o.action, domain)))
            g.add((node, KG.actionWord, Literal(o.action_word, lang="zh")))
        ledger.append(_obs_entry(o, str(node), str(ind), str(area or area_key), str(rep),
                                 sentence_of(o.metric)))
    return ledger


def _obs_entry(o, node: str, ind: str, area: str, rep: str, sentence) -> Entry:
    a = o.metric.attrs
    scale = Decimal(str(a.get("scale") or "1"))
    value = Decimal(str(a["normalized_value"])) if a.get("normalized_value") is not None else None
    vmax = Decimal(str(a["value_max"])) * scale if a.get("value_max") is not None else None
    ceiling = any(w in str(a.get("approx_word") or "") for w in CEILING_WORDS) or "控制在" in \
        str(a.get("subject_context") or "")
    return Entry("obs", node, rep, o.period, o.kind, ind=ind, area=area, measure=o.measure,
                 unit=str(a.get("unit_normalized") or a.get("unit") or ""), value=value,
                 value_max=vmax, ceiling=ceiling, sentence=str(sentence or ""))


def add_commitments(g: Graph, commitments: list[Commitment]) -> None:
    """Each commitment as a kg:Commitment: promise, answer, answer value, progress."""
    for c in commitments:
        node = URIRef(f"{c.promise}/commitment/{ids.digest(c.answer or 'none', n=10)}")
        g.add((node, RDF.type, KG.Commitment))
        g.add((node, KG.promise, URIRef(c.promise)))
        g.add((node, KG.answerValue, Literal(c.value)))
        g.add((node, RDFS.label, Literal(f"承诺: {c.value}", lang="zh")))
        if c.promise_sentence:
            g.add((node, PROV.wasDerivedFrom, URIRef(c.promise_sentence)))
        if c.answer:
            g.add((node, KG.answer, URIRef(c.answer)))
        if c.answer_sentence:
            g.add((node, PROV.wasDerivedFrom, URIRef(c.answer_sentence)))
        if c.progress is not None:
            g.add((node, KG.progress, Literal(xsd_decimal(c.progress), datatype=XSD.decimal)))


__all__ = ["add_facts", "add_commitments", "action_iri", "indicator_iri", "add_indicator"]
