"""The closed namespace and the ontology TTL stay in step; the ontology is labelled and commented."""

from __future__ import annotations

import pytest
from labourgraph.reference import ONTOLOGY_DIR
from labourgraph.vocab import LG
from rdflib import OWL, RDF, RDFS, SKOS, Graph

NS = str(LG._NS)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "labourgraph.ttl", format="turtle")


def test_code_and_ttl_define_the_same_terms(onto: Graph) -> None:
    in_ttl = {str(s)[len(NS) :] for s in onto.subjects() if str(s).startswith(NS)}
    in_code = set(LG.__annotations__)
    assert in_code == in_ttl


def test_misspelt_term_raises() -> None:
    with pytest.raises(AttributeError):
        _ = LG.Arest


def test_every_class_and_property_is_labelled_and_commented(onto: Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept)
    for kind in kinds:
        for term in onto.subjects(RDF.type, kind):
            assert onto.value(term, RDFS.label) is not None, term
            assert onto.value(term, RDFS.comment) is not None, term


def test_shapes_target_known_classes(onto: Graph) -> None:
    shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    from rdflib import URIRef

    for target in shapes.objects(None, URIRef(sh + "targetClass")):
        if str(target).startswith(NS):
            assert (target, RDF.type, OWL.Class) in onto, target


def test_every_entity_and_incident_type_is_an_ontology_term() -> None:
    # rdf.py writes ``LG[type]`` for each: a type the ontology lacks would fail mid-build.
    from labourgraph.model import ENTITY_TYPES, INCIDENT_TYPES

    missing = [t for t in (*ENTITY_TYPES, *INCIDENT_TYPES) if t not in LG.__annotations__]
    assert missing == []
