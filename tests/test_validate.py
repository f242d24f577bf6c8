"""`kg validate` (kg/shacl.py: SHACL as SPARQL on pyoxigraph) finds what pyshacl, the
reference, finds: nothing on the seed build, and the same violations, node for node and
constraint for constraint, in a graph broken in one way per constraint component."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg.cli import main
from kg.resources import ONTOLOGY
from kg.shacl import validate_store
from kg.store import load_store

KG = Namespace("https://w3id.org/gwr-kg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")


def first(g: Graph, cls):
    return sorted(g.subjects(RDF.type, cls))[0]


def broken(seed_ttl: Path) -> Graph:
    """The seed graph with one defect per constraint component the shapes use."""
    g = Graph().parse(seed_ttl, format="turtle")
    report = first(g, KG.Report)
    g.remove((report, RDFS.label, None))                                     # minCount
    g.add((report, DCT.identifier, Literal("second-id")))                    # maxCount
    g.set((report, DCT.issued, Literal("2022-02-30", datatype=XSD.date)))    # datatype, ill-typed
    spans = sorted(g.subjects(NIF.beginIndex, None))
    begin = g.value(spans[0], NIF.beginIndex)
    g.set((spans[0], NIF.beginIndex, Literal(int(begin), datatype=XSD.integer)))  # datatype
    end = g.value(spans[1], NIF.endIndex)
    g.set((spans[1], NIF.endIndex, Literal(int(end) + 3, datatype=XSD.nonNegativeInteger)))  # SPARQL target
    status = sorted(g.subjects(KG.statusValue, None))[0]
    g.set((status, KG.statusValue, Literal("done")))                        # in
    section = first(g, KG.Section)
    g.set((section, KG.level, Literal(7)))                                   # maxInclusive
    mention = first(g, KG.Mention)
    g.set((mention, KG.mentionOf, Literal("not an entity")))                 # class
    metric = first(g, KG.Metric)
    n = g.value(metric, KG.normalizedValue)
    g.set((metric, KG.normalizedValue, Literal(float(n) + 1)))               # SPARQL constraint
    commitment = first(g, KG.Commitment)
    g.set((commitment, KG.promise, Literal("a promise")))                    # nodeKind
    entity = sorted(g.subjects(PROV.wasDerivedFrom, None))[0]
    g.add((entity, PROV.wasDerivedFrom, report))                             # or
    area = sorted(g.subjects(KG.adminCode, None))[0]
    g.set((area, KG.adminCode, Literal("12ab")))                             # pattern
    return g


def pyshacl_found(g: Graph) -> set[tuple[str, str, str]]:
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")
    _, results, _ = pyshacl_validate(g, shacl_graph=shapes, inference="none", advanced=True,
                                     allow_warnings=True)
    out = set()
    for r in results.subjects(RDF.type, SH.ValidationResult):
        comp = str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        path = results.value(r, SH.resultPath)
        out.add((str(results.value(r, SH.focusNode)), comp, str(path) if path is not None else ""))
    return out


def ours(path: Path) -> set[tuple[str, str, str]]:
    return {(v.focus, v.component, v.path) for v in validate_store(load_store(path), path)}


def test_the_seed_build_conforms(seed_build):
    assert validate_store(load_store(seed_build / "kg.ttl"), seed_build / "kg.ttl") == []
    r = CliRunner().invoke(main, ["validate", str(seed_build / "kg.trig")])
    assert r.exit_code == 0 and "conforms" in r.output


def test_the_same_violations_as_pyshacl(seed_build, tmp_path):
    g = broken(seed_build / "kg.ttl")
    path = tmp_path / "broken.ttl"
    g.serialize(path, format="turtle")
    want, got = pyshacl_found(g), ours(path)
    assert len(want) >= 12
    assert got == want
    r = CliRunner().invoke(main, ["validate", str(path)])
    assert r.exit_code == 1 and f"Results ({len(want)})" in r.output
    assert "2022-02-30" in r.output and "MaxInclusiveConstraintComponent" in r.output


@pytest.mark.parametrize("shapes_text", [
    "@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> .",
    "@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; "
    "sh:property [ sh:path ( <urn:a> <urn:b> ) ; sh:minCount 1 ] .",
])
def test_shapes_beyond_it_are_left_to_pyshacl(tmp_path, shapes_text):
    from kg.shacl import Unsupported
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(shapes_text, encoding="utf-8")
    data = tmp_path / "d.nt"
    data.write_text("<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:C> .\n", encoding="utf-8")
    with pytest.raises(Unsupported):
        validate_store(load_store(data), data, shapes)
