"""Extraction quality cannot slip unnoticed: `evaluate` on both development sets against floors.

The floors sit a little under what is measured today with and without the statistical NER (see
the README's figures), so a change that loses facts fails here whichever way the build runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from labourgraph.build import build
from labourgraph.evaluate import evaluate_build

from .conftest import ROOT, SEED_GOLD

DEVSET = ROOT / "tests" / "fixtures" / "devset"

FLOORS = {
    "seeds": {"entity": 0.90, "identity": 0.93, "relation": 0.78, "incident": 0.70},
    "devset": {"entity": 0.83, "identity": 0.94, "relation": 0.62, "incident": 0.53},
}


@pytest.fixture(scope="module")
def devset_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("devset") / "out"
    build([DEVSET], out)
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
def test_seed_quality_floors(built: Path) -> None:
    _check(evaluate_build(built, SEED_GOLD), FLOORS["seeds"])


def test_devset_quality_floors(devset_build: Path) -> None:
    scores = evaluate_build(devset_build, DEVSET)
    _check(scores, FLOORS["devset"])
    # Every document of the set has gold: no stray file was built as a source.
    assert scores.documents_ignored == 0
