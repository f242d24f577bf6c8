"""The ontology, the closed namespace, and the data files that point into them."""
from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.build import curie
from kg.records import MENTION_TYPES
from kg.resources import DATA, ONTOLOGY, load_toml, load_tsv
from kg.vocab import KG, KG_NS, PREFIXES


def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "kg.ttl", format="turtle")


def _terms(g: Graph) -> set[str]:
    return {str(s)[len(KG_NS):] for s in g.subjects() if str(s).startswith(KG_NS)}


def test_every_term_has_labels_in_both_languages_and_a_comment():
    g = _ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = [s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(KG_NS)]
    assert len(terms) > 80
    for t in terms:
        langs = {o.language for o in g.objects(t, RDFS.label) if isinstance(o, Literal)}
        assert {"zh", "en"} <= langs, t
        assert g.value(t, RDFS.comment) is not None, t


def test_local_classes_point_to_standard_vocabularies():
    g = _ontology()
    standard = tuple(v for k, v in PREFIXES.items() if k not in ("kg", "xsd"))
    for cls in g.subjects(RDF.type, OWL.Class):
        supers = set(g.transitive_objects(cls, RDFS.subClassOf)) - {cls}
        assert any(str(s).startswith(standard) for s in supers), cls


def test_closed_namespace_matches_the_turtle():
    declared = _terms(_ontology())
    in_python = set(KG.__annotations__)
    assert in_python == declared
    try:
        KG.Polcy
    except AttributeError:
        pass
    else:
        raise AssertionError("a typo must not mint a new IRI")


def test_mapping_points_at_declared_terms():
    g = _ontology()
    mapping = load_toml("rules/rdf.toml")
    subjects = set(g.subjects())
    assert set(MENTION_TYPES) <= set(mapping["classes"])
    for name in mapping["classes"].values():
        assert curie(name) in subjects, name
    for section in ("attrs", "relations"):
        for spec in mapping[section].values():
            iri = curie(spec["property"])
            if str(iri).startswith(KG_NS):
                assert iri in subjects, iri
    for name in mapping["places"]["default_located_in"]:
        assert name in mapping["classes"]


def test_every_data_file_loads():
    for path in sorted((DATA / "lexicons").glob("*.tsv")):
        assert load_tsv(f"lexicons/{path.name}"), path
    for path in sorted((DATA / "rules").glob("*.toml")):
        assert isinstance(load_toml(f"rules/{path.name}"), dict), path


def test_ingest_patterns_compile():
    rules = load_toml("rules/ingest.toml")
    for lv in rules["headings"]["levels"]:
        re.compile(lv["pattern"])
    for p in rules["headings"]["part_patterns"]:
        re.compile(p)
    for key in ("meeting_start", "meeting_end", "salutation", "speaker_name", "place", "period"):
        re.compile(rules["front"][key])


def test_shapes_parse_and_target_declared_classes():
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")
    onto = set(_ontology().subjects())
    SH = "http://www.w3.org/ns/shacl#"
    for cls in shapes.objects(None, URIRef(SH + "targetClass")):
        assert cls in onto, cls
