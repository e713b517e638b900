"""Validation stage: the build against ``ontology/shapes.ttl`` with pySHACL."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .dataset import GRAPH_FILE, rdflib_dataset
from .errors import BuildNotFoundError, ValidationFailure
from .reference import ONTOLOGY_DIR


def validate_build(out: Path) -> tuple[bool, str]:
    """Return ``(conforms, report text)``; raise when the validator itself cannot run."""
    trig = out / GRAPH_FILE
    if not trig.exists():
        raise BuildNotFoundError(str(out))
    # The union of all graphs: incidents (document graphs) point at entities (entities graph)
    # and classes (ontology graph), so shapes see the whole picture.
    data = Graph()
    for s, p, o, _g in rdflib_dataset(trig).quads((None, None, None, None)):
        data.add((s, p, o))
    return validate_graph(data)


def validate_graph(data: Graph) -> tuple[bool, str]:
    try:
        from pyshacl import validate
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ValidationFailure(f"pyshacl is not installed: {exc}") from exc
    shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    try:
        conforms, _graph, text = validate(
            data, shacl_graph=shapes, inference="rdfs", allow_warnings=True
        )
    except Exception as exc:
        raise ValidationFailure(f"the SHACL validator could not run: {exc}") from exc
    summary = "Conforms: the build passes every shape." if conforms else text
    return bool(conforms), summary
