"""Crash safety and locking, with real processes: a build killed by SIGKILL at any point leaves
the previous ``OUT`` whole and queryable; two builds into one ``OUT`` never write it at once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from labourgraph import outdir
from labourgraph.build import build

from .conftest import SOURCES

GOOD = Path(__file__).parent / "fixtures" / "bad" / "good.txt"


def _cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "labourgraph.cli", "build", str(src), "--out", str(out), *extra]


def _env(kill_at: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != outdir.KILL_ENV}
    return {**env, outdir.KILL_ENV: kill_at} if kill_at else env


def _assert_whole(out: Path) -> dict:
    """``out`` is a complete build: its report parses and its store answers a query."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for name in ("graph.trig", "graphs.json", "network.html"):
        assert (out / name).stat().st_size > 0, name
    store = ox.Store.read_only(str(out / "store"))
    docs = {
        s["p"].value
        for s in store.query(
            "SELECT ?p WHERE { GRAPH ?g { ?d <https://w3id.org/labourgraph/ontology#sourcePath> ?p } }"
        )
    }
    del store
    assert docs == set(report["documents"])
    assert sum(report["incidents"].values()) > 0
    return report


@pytest.fixture()
def previous(built: Path, tmp_path: Path) -> Path:
    """A finished build of sources/ in a fresh folder, to be replaced by the next build."""
    out = tmp_path / "out"
    shutil.copytree(built, out)
    return out


@pytest.fixture()
def bigger(tmp_path: Path) -> Path:
    """Two documents, one new: a build of them differs from the previous one (and is quick)."""
    src = tmp_path / "src"
    src.mkdir()
    first = sorted(SOURCES.glob("*.txt"))[0]
    shutil.copy(first, src / first.name)
    shutil.copy(GOOD, src / "zz_good.txt")
    return src


@pytest.mark.parametrize("point", ["locked", "loaded", "staged", "stored", "rendered"])
def test_killed_build_leaves_the_previous_build_whole(previous, bigger, point) -> None:
    before = (previous / "report.json").read_bytes()
    proc = subprocess.run(
        _cmd(bigger, previous), env=_env(point), capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (previous / "report.json").read_bytes() == before
    assert "zz_good.txt" not in _assert_whole(previous)["documents"]
    # The next build clears what the killed one left, and replaces the build.
    proc = subprocess.run(_cmd(bigger, previous), env=_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "zz_good.txt" in _assert_whole(previous)["documents"]
    assert sorted(p.name for p in previous.parent.iterdir()) == [
        "out",
        "out.cache",
        "out.lock",
        "src",
    ]


@pytest.mark.parametrize("point", ["staged", "stored"])
def test_killed_with_two_jobs_leaves_no_process_holding_the_lock(previous, bigger, point) -> None:
    """With --jobs 2 the view is drawn in a second process, alive at these points: it dies
    with the build and lets go of the lock, so the next build runs at once (no --wait)."""
    proc = subprocess.run(
        _cmd(bigger, previous, "--jobs", "2"), env=_env(point), capture_output=True, timeout=600
    )
    assert proc.returncode == -signal.SIGKILL
    assert "zz_good.txt" not in _assert_whole(previous)["documents"]
    proc = subprocess.run(
        _cmd(bigger, previous, "--jobs", "2"), env=_env(), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "zz_good.txt" in _assert_whole(previous)["documents"]


def test_killed_right_after_the_swap_leaves_the_new_build_whole(previous, bigger) -> None:
    proc = subprocess.run(_cmd(bigger, previous), env=_env("swapped"), capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert "zz_good.txt" in _assert_whole(previous)["documents"]
    leftovers = [p.name for p in previous.parent.iterdir() if ".building-" in p.name]
    assert len(leftovers) == 1  # holding the old build, removed by the next one
    proc = subprocess.run(_cmd(bigger, previous), env=_env(), capture_output=True, text=True)
    assert proc.returncode == 0
    assert f"Note: {previous}: removed {leftovers[0]}, left by a build that was stopped" in (
        proc.stderr
    )
    assert not (previous.parent / leftovers[0]).exists()


def test_killed_while_the_store_is_written(previous, bigger) -> None:
    # Killed from outside as soon as the staged store appears, whatever it is doing then.
    before = (previous / "report.json").read_bytes()
    proc = subprocess.Popen(_cmd(bigger, previous), env=_env(), stderr=subprocess.DEVNULL)
    staged_store = previous.with_name(f"out.building-{proc.pid}") / "store"
    while not staged_store.exists() and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.returncode == -signal.SIGKILL:  # else the build won the race and finished whole
        assert (previous / "report.json").read_bytes() == before
    _assert_whole(previous)


def test_a_swap_killed_between_its_renames_is_undone(previous, built, tmp_path) -> None:
    # Where the file system cannot exchange two folders, the swap is two renames; killed
    # between them, OUT is missing until the next build puts the previous one back.
    new = tmp_path / "new"
    shutil.copytree(built, new)
    script = (
        "import shutil, sys; from pathlib import Path; from labourgraph import outdir\n"
        "out, new = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "with outdir.locked(out):\n"
        "    staging = outdir.staging_dir(out); staging.rmdir(); shutil.copytree(new, staging)\n"
        "    outdir.swap_in(staging, out, exchange=False)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(previous), str(new)], env=_env("half-swapped")
    )
    assert proc.wait() == -signal.SIGKILL
    assert not previous.exists()
    before = (built / "report.json").read_bytes()
    with outdir.locked(previous):
        done = outdir.recover(previous)
    assert done[0] == f"restored the previous build from out.old-{proc.pid}"
    assert (previous / "report.json").read_bytes() == before
    _assert_whole(previous)
    assert not list(tmp_path.glob("out.building-*")) and not list(tmp_path.glob("out.old-*"))


def test_swap_without_exchange_replaces_the_build(previous, bigger, tmp_path) -> None:
    staging = tmp_path / "out.building-1"
    build([bigger], tmp_path / "other", cache=False)
    shutil.copytree(tmp_path / "other", staging)
    outdir.swap_in(staging, previous, exchange=False)
    assert "zz_good.txt" in _assert_whole(previous)["documents"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "other.lock", "out", "src"]


def _wait_for_lock(out: Path, pid: int, proc: subprocess.Popen) -> None:
    lock = outdir.lock_path(out)
    while not (lock.exists() and lock.read_text() == f"pid {pid}\n"):
        assert proc.poll() is None, "the first build ended before taking the lock"
        time.sleep(0.01)


def test_a_second_build_stops_or_waits_while_one_runs(previous, bigger) -> None:
    first = subprocess.Popen(_cmd(bigger, previous), env=_env(), stderr=subprocess.PIPE)
    try:
        _wait_for_lock(previous, first.pid, first)
        first.send_signal(signal.SIGSTOP)  # holds the lock as long as the test needs
        # --wait 0 (the default): stops at once with exit status 3.
        proc = subprocess.run(_cmd(SOURCES, previous), env=_env(), capture_output=True, text=True)
        assert proc.returncode == 3
        assert proc.stderr == (
            f"Error: {previous}: another build (pid {first.pid}) is writing it; "
            "wait for it to finish, pass --wait SECONDS, or use another --out\n"
        )
        proc = subprocess.run(
            _cmd(SOURCES, previous, "--wait", "0.3"), env=_env(), capture_output=True, text=True
        )
        assert proc.returncode == 3
        assert proc.stderr.splitlines() == [
            f"Waiting up to 0.3 s for another build (pid {first.pid}) writing {previous}",
            f"Error: {previous}: another build (pid {first.pid}) is writing it after waiting "
            "0.3 s; wait for it to finish, pass --wait SECONDS, or use another --out",
        ]
        # --wait long enough: builds once the first one is done.
        second = subprocess.Popen(
            _cmd(SOURCES, previous, "--wait", "600"),
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert second.stderr is not None
        line = second.stderr.readline()
        assert (
            line == f"Waiting up to 600 s for another build (pid {first.pid}) writing {previous}\n"
        )
        first.send_signal(signal.SIGCONT)
        assert first.wait() == 0
        assert "zz_good.txt" in _assert_whole(previous)["documents"]
        out, err = second.communicate()
        assert second.returncode == 0, err
        assert out.startswith(f"Built 5 documents into {previous}/")
        assert "zz_good.txt" not in _assert_whole(previous)["documents"]
    finally:
        for p in (first,):
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
                p.wait()
