"""Extraction quality cannot slip unnoticed: `evaluate` on both development sets against floors.

Floors sit a little under what is measured today (see the README's figures), for the rules alone
and, when the model is installed, with the statistical NER; the rules never need the model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from labourgraph.build import build
from labourgraph.evaluate import evaluate_build
from labourgraph.extraction import ner as ner_model

from .conftest import ROOT, SEED_GOLD, SOURCES

DEVSET = ROOT / "tests" / "fixtures" / "devset"

FLOORS = {
    "seeds": {"entity": 0.90, "identity": 0.93, "relation": 0.78, "incident": 0.72},
    "devset": {"entity": 0.85, "identity": 0.94, "relation": 0.63, "incident": 0.57},
}
MODES = [
    pytest.param(False, id="rules"),
    pytest.param(
        True,
        id="rules+ner",
        marks=pytest.mark.skipif(not ner_model.available(), reason="NER model not installed"),
    ),
]


def _build(tmp_path_factory: pytest.TempPathFactory, source: Path, ner: bool) -> Path:
    out = tmp_path_factory.mktemp("quality") / "out"
    build([source], out, ner=ner, echo=lambda _line: None)
    return out


def _check(scores, floors: dict[str, float]) -> None:
    measured = {
        "entity": scores.entity_typed.f1,
        "identity": scores.identity.f1,
        "relation": scores.relation.f1,
        "incident": scores.event.f1,
    }
    low = {k: round(v, 3) for k, v in measured.items() if v < floors[k]}
    assert not low, f"below the floor: {low} (floors {floors})"
    assert scores.quotes_verbatim == 1.0
    assert scores.documents_missing == 0


@pytest.mark.skipif(not SEED_GOLD.is_dir(), reason="needs ../shared beside the clone")
@pytest.mark.parametrize("ner", MODES)
def test_seed_quality_floors(tmp_path_factory: pytest.TempPathFactory, ner: bool) -> None:
    out = _build(tmp_path_factory, SOURCES, ner)
    _check(evaluate_build(out, SEED_GOLD), FLOORS["seeds"])


@pytest.mark.parametrize("ner", MODES)
def test_devset_quality_floors(tmp_path_factory: pytest.TempPathFactory, ner: bool) -> None:
    scores = evaluate_build(_build(tmp_path_factory, DEVSET, ner), DEVSET)
    _check(scores, FLOORS["devset"])
    # Every document of the set has gold: no stray file was built as a source.
    assert scores.documents_ignored == 0
