"""Closed namespaces: our ontology's terms and the standard vocabularies we reuse.

``KG.Polcy`` raises ``AttributeError`` instead of minting a new IRI; a test checks that
the terms here are exactly the subjects declared in ``ontology/kg.ttl``.
"""
import re

import rdflib
from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

KG_NS = "https://w3id.org/gwr-kg/ontology#"


class KG(DefinedNamespace):
    """Terms of ``ontology/kg.ttl``."""

    _NS = Namespace(KG_NS)
    _fail = True

    Action: rdflib.URIRef
    ActionType: rdflib.URIRef
    AdministrativeArea: rdflib.URIRef
    Assertion: rdflib.URIRef
    Commitment: rdflib.URIRef
    Community: rdflib.URIRef
    Document: rdflib.URIRef
    Entity: rdflib.URIRef
    Facility: rdflib.URIRef
    Glossary: rdflib.URIRef
    GlossaryModality: rdflib.URIRef
    GlossaryTerm: rdflib.URIRef
    Indicator: rdflib.URIRef
    LandParcel: rdflib.URIRef
    Mention: rdflib.URIRef
    Metric: rdflib.URIRef
    Modality: rdflib.URIRef
    Organization: rdflib.URIRef
    OtherModality: rdflib.URIRef
    Paragraph: rdflib.URIRef
    Person: rdflib.URIRef
    Place: rdflib.URIRef
    Plan: rdflib.URIRef
    PlanningUnit: rdflib.URIRef
    Program: rdflib.URIRef
    Project: rdflib.URIRef
    Region: rdflib.URIRef
    Report: rdflib.URIRef
    Review: rdflib.URIRef
    Road: rdflib.URIRef
    RoadSegment: rdflib.URIRef
    Section: rdflib.URIRef
    Sentence: rdflib.URIRef
    Span: rdflib.URIRef
    StatusAssertion: rdflib.URIRef
    Village: rdflib.URIRef
    Waterway: rdflib.URIRef
    WaterwaySegment: rdflib.URIRef
    Zone: rdflib.URIRef
    about: rdflib.URIRef
    actionDomain: rdflib.URIRef
    actionType: rdflib.URIRef
    actionWord: rdflib.URIRef
    adminCode: rdflib.URIRef
    alias: rdflib.URIRef
    answer: rdflib.URIRef
    answerValue: rdflib.URIRef
    approxWord: rdflib.URIRef
    approximate: rdflib.URIRef
    belongsToProgram: rdflib.URIRef
    boundedBy: rdflib.URIRef
    code: rdflib.URIRef
    componentOf: rdflib.URIRef
    cooperatesWith: rdflib.URIRef
    definedAs: rdflib.URIRef
    glossary: rdflib.URIRef
    heading: rdflib.URIRef
    implementedBy: rdflib.URIRef
    inParagraph: rdflib.URIRef
    inPlanningUnit: rdflib.URIRef
    inSection: rdflib.URIRef
    inSentence: rdflib.URIRef
    inZone: rdflib.URIRef
    indexNumber: rdflib.URIRef
    indicator: rdflib.URIRef
    indicatorId: rdflib.URIRef
    intersects: rdflib.URIRef
    key: rdflib.URIRef
    level: rdflib.URIRef
    localIndicator: rdflib.URIRef
    locatedIn: rdflib.URIRef
    maxValue: rdflib.URIRef
    measureType: rdflib.URIRef
    measures: rdflib.URIRef
    meeting: rdflib.URIRef
    memberOf: rdflib.URIRef
    mentionOf: rdflib.URIRef
    mentionType: rdflib.URIRef
    mentionedInModality: rdflib.URIRef
    mentionsConcept: rdflib.URIRef
    metricKind: rdflib.URIRef
    modality: rdflib.URIRef
    namedAfter: rdflib.URIRef
    normalizedUnit: rdflib.URIRef
    normalizedValue: rdflib.URIRef
    number: rdflib.URIRef
    observationKind: rdflib.URIRef
    partOf: rdflib.URIRef
    path: rdflib.URIRef
    period: rdflib.URIRef
    place: rdflib.URIRef
    plannedSectionOf: rdflib.URIRef
    progress: rdflib.URIRef
    promise: rdflib.URIRef
    qualifier: rdflib.URIRef
    refArea: rdflib.URIRef
    refPeriod: rdflib.URIRef
    report: rdflib.URIRef
    reportPeriod: rdflib.URIRef
    role: rdflib.URIRef
    sameAs: rdflib.URIRef
    scale: rdflib.URIRef
    segmentOf: rdflib.URIRef
    side: rdflib.URIRef
    speaker: rdflib.URIRef
    status: rdflib.URIRef
    statusAssertion: rdflib.URIRef
    statusValue: rdflib.URIRef
    subOrganizationOf: rdflib.URIRef
    subjectLabel: rdflib.URIRef
    unitText: rdflib.URIRef
    value: rdflib.URIRef
    verb: rdflib.URIRef
    year: rdflib.URIRef



class _Namespace(Namespace):
    """A Namespace whose terms are made once: rdflib's makes and checks a new URIRef at
    every ``NS.term`` (a tenth of writing a report's graph went there).

    >>> NIF.beginIndex is NIF.beginIndex
    True
    """

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        term = self.__dict__[name] = self.term(name)
        return term


NIF = _Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
GEO = _Namespace("http://www.opengis.net/ont/geosparql#")
LOCN = _Namespace("http://www.w3.org/ns/locn#")
ORG = _Namespace("http://www.w3.org/ns/org#")
QB = _Namespace("http://purl.org/linked-data/cube#")
SCHEMA = _Namespace("https://schema.org/")
FOAF = _Namespace("http://xmlns.com/foaf/0.1/")
OA = _Namespace("http://www.w3.org/ns/oa#")

PREFIXES = {
    "kg": KG_NS,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "skos": str(SKOS),
    "nif": str(NIF),
    "geo": str(GEO),
    "locn": str(LOCN),
    "org": str(ORG),
    "qb": str(QB),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
}



def curie(name: str) -> rdflib.URIRef:
    """``kg:Road`` or ``schema:object`` as an IRI; ``kg:`` terms must be in the ontology.

    >>> str(curie("schema:CompletedActionStatus"))
    'https://schema.org/CompletedActionStatus'
    """
    prefix, _, local = name.partition(":")
    if prefix == "kg":
        return getattr(KG, local)
    return rdflib.URIRef(PREFIXES[prefix] + local)


__all__ = ["curie", "compact", "KG", "KG_NS", "NIF", "GEO", "LOCN", "ORG", "QB", "SCHEMA", "FOAF", "OA", "PREFIXES",
           "DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SKOS", "XSD"]


def compact(iri: str) -> str:
    """A prefixed name for an IRI in a known namespace, else the IRI.

    >>> compact("https://w3id.org/gwr-kg/ontology#Road")
    'kg:Road'
    """
    for p, ns in _BY_LENGTH:
        if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
            return f"{p}:{iri[len(ns):]}"
    return iri


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
_LOCAL = re.compile(r"[\w.-]*")
