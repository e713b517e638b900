"""Shared fixtures: one build of the bundled sources per test session."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from labourgraph.browser import CHROMIUM
from labourgraph.build import build

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
SHARED = ROOT.parent / "shared"
SEED_GOLD = SHARED / "annotations" / "gold" / "seeds"


def nquads(out: Path) -> str:
    """Every quad of a build as N-Quads text (what ``labourgraph export nquads`` writes)."""
    quads = ox.parse(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


# Marks of every test that drives the real browser.
NEEDS_BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian chromium not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``OUT`` of a build of ``sources/`` (built once, shared read-only by the tests)."""
    out = tmp_path_factory.mktemp("build") / "out"
    build([SOURCES], out)
    return out
