"""Shared fixtures: one build of the bundled sources per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from labourgraph.browser import CHROMIUM
from labourgraph.build import BuildResult, build

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


# The outputs a build writes the same whatever it reused (cache) or how it ran (jobs).
OUTPUTS = ("graph.trig", "graphs.json", "report.json", "review.json", "network.html")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A copy of ``sources/`` the test may edit."""
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES, folder)
    return folder


def quiet_build(sources: Path, out: Path, **kwargs) -> BuildResult:
    """A rules-only build of ``sources`` into ``out`` that prints nothing."""
    return build([sources], out, ner=False, echo=lambda line: None, **kwargs)


def same_as_fresh(sources: Path, out: Path, tmp_path: Path) -> None:
    """``out`` holds what a build of ``sources`` without a cache makes, byte for byte."""
    fresh = tmp_path / "fresh"
    quiet_build(sources, fresh, cache=False)
    same_outputs(out, fresh)


def same_outputs(a: Path, b: Path) -> None:
    """Every output of the builds in ``a`` and ``b`` is byte for byte the same."""
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    texts = {p.name: p.read_bytes() for p in (a / "text").iterdir()}
    assert texts == {p.name: p.read_bytes() for p in (b / "text").iterdir()}, "text/"
