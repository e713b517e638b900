"""The view benchmark still runs (at a tiny size, with its own browser; no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import NEEDS_BROWSER

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, *NEEDS_BROWSER]


def test_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    cmd = [sys.executable, str(ROOT / "bench" / "view_bench.py")]
    cmd += ["--sizes", "100", "--timeout", "20", "--repeat", "1", "--physics-sizes", "50"]
    cmd += ["--keep", str(tmp_path)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Command: ") and "--sizes 100" in lines[0]
    assert lines[1].startswith("Machine: ") and " cores, " in lines[1] and "Chromium " in lines[1]
    rows = {line.split("|")[3].strip(): line for line in lines if line.startswith("| 100 |")}
    assert set(rows) == {"ours (physics on)", "bare vis-network", "pyvis defaults"}
    ours, bare = rows["ours (physics on)"], rows["bare vis-network"]
    assert "| 0 |" in ours and "| 0 |" in bare  # no request from either page
    assert " ms / " in ours  # search and filter ran on the settled page
    assert any(line.startswith("| 50 |") for line in lines)  # the physics on/off table
    assert {p.name for p in tmp_path.glob("*-100.html")} == {
        "ours-100.html",
        "bare-100.html",
        "pyvis-100.html",
    }
