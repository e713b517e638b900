"""Every RDF term the code uses, reached through closed namespaces.

``LG`` lists the terms of ``ontology/labourgraph.ttl``; a misspelt term (``LG.Arest``) raises
instead of minting a wrong IRI, and ``tests/test_vocab.py`` keeps this list and the TTL in step.
Instance IRIs live under :data:`ID` (see :mod:`labourgraph.ids` for the rule).
"""

from __future__ import annotations

from types import SimpleNamespace

import pyoxigraph as ox
from rdflib import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = URIRef("https://w3id.org/labourgraph/ontology")
ID = Namespace("https://w3id.org/labourgraph/id/")


class LG(DefinedNamespace):
    """The labourgraph ontology."""

    _NS = Namespace("https://w3id.org/labourgraph/ontology#")
    _fail = True

    # classes
    Actor: URIRef
    Organisation: URIRef
    Person: URIRef
    TradeUnion: URIRef
    UnionFederation: URIRef
    GovernmentBody: URIRef
    InternationalOrganization: URIRef
    Company: URIRef
    CivilSocietyGroup: URIRef
    Media: URIRef
    Place: URIRef
    ILOConvention: URIRef
    Legislation: URIRef
    Incident: URIRef
    Position: URIRef
    Affiliation: URIRef
    PartOf: URIRef
    Document: URIRef
    Judgement: URIRef
    # concept schemes and incident types
    IncidentTypes: URIRef
    Roles: URIRef
    Conventions: URIRef
    Killing: URIRef
    Arrest: URIRef
    Prosecution: URIRef
    Harassment: URIRef
    Deregistration: URIRef
    Dismissal: URIRef
    Strike: URIRef
    HungerStrike: URIRef
    Protest: URIRef
    Statement: URIRef
    Meeting: URIRef
    Release: URIRef
    Apology: URIRef
    # properties
    incidentType: URIRef
    hasAgent: URIRef
    hasTarget: URIRef
    engagesConvention: URIRef
    datePrecision: URIRef
    dateText: URIRef
    victimCount: URIRef
    title: URIRef
    affiliatedTo: URIRef
    holdsPostIn: URIRef
    evidence: URIRef
    mentions: URIRef
    sha256: URIRef
    sourcePath: URIRef
    textFile: URIRef
    extractedBy: URIRef
    country: URIRef
    mergeReason: URIRef
    candidateSame: URIRef
    nameValidFrom: URIRef
    notation: URIRef
    adoptedYear: URIRef
    conventionStatus: URIRef
    judgement: URIRef
    judgedBy: URIRef
    decision: URIRef
    reason: URIRef
    viewEdge: URIRef
    viewShape: URIRef
    viewColour: URIRef


class SEM(DefinedNamespace):
    """Simple Event Model terms labourgraph uses."""

    _NS = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
    _fail = True

    Event: URIRef
    Actor: URIRef
    Place: URIRef
    eventType: URIRef
    hasActor: URIRef
    hasPlace: URIRef
    hasEarliestBeginTimeStamp: URIRef
    hasLatestBeginTimeStamp: URIRef


class OA(DefinedNamespace):
    """W3C Web Annotation terms labourgraph uses."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    Annotation: URIRef
    SpecificResource: URIRef
    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    hasBody: URIRef
    hasTarget: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef
    start: URIRef
    end: URIRef


SCHEMA = Namespace("http://schema.org/")

PREFIXES: dict[str, Namespace] = {
    "lg": Namespace(str(LG._NS)),
    "id": ID,
    "sem": Namespace(str(SEM._NS)),
    "oa": Namespace(str(OA._NS)),
    "org": ORG,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "schema": SCHEMA,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}


class OxTerms:
    """The same namespace as pyoxigraph terms, each made once on first use.

    The RDF stage writes millions of quads with pyoxigraph (rdflib is kept for interoperability,
    out of the hot path); a misspelt term still raises, as the closed namespace behind it does.
    """

    def __init__(self, namespace: Namespace | type) -> None:
        self._ns = namespace
        # An open namespace (``ID``) takes any local name: joined as text, nothing to check.
        self._open = str(namespace) if isinstance(namespace, str) else None

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = ox.NamedNode(str(self._ns[name]))
        setattr(self, name, node)  # later look-ups are plain attribute reads
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        if self._open is None:
            return getattr(self, name)  # a closed namespace's term, checked and kept
        # not kept: this is how instance IRIs (``OX.ID[f"entity/{eid}"]``) are made
        return ox.NamedNode(self._open + name)


OX = SimpleNamespace(
    **{
        **{prefix.upper(): OxTerms(ns) for prefix, ns in PREFIXES.items()},
        # the closed namespaces, so a misspelt term raises
        "LG": OxTerms(LG),
        "SEM": OxTerms(SEM),
        "OA": OxTerms(OA),
    }
)
"""``OX.LG.hasAgent``, ``OX.RDF.type``...: every prefix of :data:`PREFIXES`, upper-cased."""
