"""Work in other processes: side processes (the build's view), their errors, and what a
build whose documents are all known leaves unloaded."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from labourgraph.errors import LabourgraphError
from labourgraph.parallel import Side, SideError, finish

from .conftest import SOURCES


def _write_pid(dest: Path) -> None:
    dest.write_text(str(os.getpid()), encoding="utf-8")


def _refuse() -> None:
    raise LabourgraphError("no such thing; check the name")


def _divide() -> None:
    print(1 / 0)


def _vanish() -> None:
    os._exit(3)


def _finish_then_write(dest: Path) -> None:
    _write_pid(dest)
    finish()  # in a side process, the end of it: what follows never runs there
    dest.write_text("after finish", encoding="utf-8")


def _sleep_then_write(dest: Path) -> None:
    time.sleep(3)
    dest.write_text("late", encoding="utf-8")


@pytest.mark.parametrize("fork", [True, False])
def test_side_work_runs_in_another_process_only_when_forked(tmp_path: Path, fork: bool) -> None:
    dest = tmp_path / "pid"
    side = Side(_write_pid, (dest,), fork=fork)
    assert side.wait() >= 0
    assert (int(dest.read_text()) != os.getpid()) is fork


@pytest.mark.parametrize("fork", [True, False])
def test_finishing_ends_a_side_process_at_once_and_nothing_else(tmp_path: Path, fork: bool) -> None:
    dest = tmp_path / "pid"
    assert Side(_finish_then_write, (dest,), fork=fork).wait() >= 0
    assert (dest.read_text() == "after finish") is not fork


def test_a_side_error_comes_back_with_its_class_and_message() -> None:
    with pytest.raises(LabourgraphError, match="no such thing; check the name"):
        Side(_refuse, (), fork=True).wait()
    with pytest.raises(SideError, match="ZeroDivisionError"):
        Side(_divide, (), fork=True).wait()


def test_a_side_process_that_dies_without_a_word_is_an_error() -> None:
    with pytest.raises(LabourgraphError, match=r"died \(exit status 3\)"):
        Side(_vanish, (), fork=True).wait()


def test_leaving_the_block_before_waiting_stops_the_side_work(tmp_path: Path) -> None:
    dest = tmp_path / "late"
    with pytest.raises(KeyError), Side(_sleep_then_write, (dest,), fork=True):
        raise KeyError("the main work failed")
    time.sleep(4)
    assert not dest.exists()


def test_a_build_of_known_documents_loads_no_spacy(tmp_path: Path) -> None:
    """In one process (jobs 1): new documents load spaCy, known ones from the cache do not."""
    out = tmp_path / "out"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from labourgraph.build import build\n"
        f"r = build([Path({str(SOURCES)!r})], Path({str(out)!r}), ner=False,"
        " echo=lambda line: None)\n"
        "print(r.reused, 'spacy' in sys.modules)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    first, second = (r.stdout.split() for r in runs)
    assert first == ["0", "True"]  # new documents: extracted
    assert second[1] == "False" and int(second[0]) > 0  # all known: nothing to extract


def test_with_a_second_job_the_builds_own_process_imports_nothing_to_draw(tmp_path: Path) -> None:
    """The page is drawn and laid out elsewhere: pyvis (and IPython with it), jinja2 and
    networkx stay out of the build's process (igraph comes in for the layout, at the end)."""
    out = tmp_path / "out"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from labourgraph.build import build\n"
        f"build([Path({str(SOURCES)!r})], Path({str(out)!r}), ner=False, jobs=2,"
        " echo=lambda line: None)\n"
        "print(sorted(m for m in ('pyvis', 'IPython', 'jinja2', 'networkx') if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["[]"]
    assert (out / "network.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
