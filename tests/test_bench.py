"""The scale benches still run at their smallest size and print figures (no timing asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from labourgraph.scoring import load_facts_dir

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402  (bench/corpus.py)

pytestmark = pytest.mark.slow


def run(*args: str, timeout: int = 120) -> list[str]:
    """Run a bench script; its stdout lines (it must exit 0)."""
    cmd = [sys.executable, *args]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def test_corpus_is_deterministic_with_gold_for_every_document(tmp_path: Path) -> None:
    corpus.generate(5, 7, tmp_path / "a")
    run(str(BENCH / "corpus.py"), "--docs", "5", "--seed", "7", "--out", str(tmp_path / "b"))
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert files == sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    gold = load_facts_dir(tmp_path / "a" / "gold")
    sources = [p for p in (tmp_path / "a" / "sources").iterdir() if not p.name.endswith(".yaml")]
    assert sorted(gold) == sorted(p.name for p in sources)
    # Any 5 consecutive documents hold incidents of all 13 types.
    assert {e["type"] for facts in gold.values() for e in facts["events"]} >= set(corpus.TYPES)
    registry = yaml.safe_load((tmp_path / "a" / "gold" / "entities.yaml").read_text())
    assert {e["id"] for e in registry} == {
        e["id"] for facts in gold.values() for e in facts["entities"]
    }
    # A bigger corpus starts with the same documents.
    corpus.generate(6, 7, tmp_path / "c")
    for rel in files:
        if rel.name != "entities.yaml":
            assert (tmp_path / "c" / rel).read_bytes() == (tmp_path / "a" / rel).read_bytes()


def test_background_sentences_carry_no_trigger_word() -> None:
    triggers = yaml.safe_load((ROOT / "ontology" / "triggers.yaml").read_text(encoding="utf-8"))
    words = {t.lower() for spec in triggers.values() for t in spec["triggers"]}
    for sentence in corpus.FILLER:
        text = " " + " ".join(sentence.lower().replace(",", " ").replace(".", " ").split()) + " "
        assert not [w for w in words if f" {w} " in text], sentence


def test_build_bench_prints_its_figures() -> None:
    lines = run(
        str(BENCH / "build_bench.py"), "--sizes", "5", "--jobs", "1", "--no-ner", "--rebuilds", "2"
    )
    assert lines[0] == "Command: bench/build_bench.py --sizes 5 --jobs 1 --no-ner --rebuilds 2"
    assert lines[1].startswith("Machine: ") and " cores, " in lines[1]
    assert lines[2].startswith("Load average")
    assert lines[3].startswith("CPU check (")
    build = [line for line in lines if line.startswith("| off | 1 |")]
    assert len(build) == 1 and build[0].count("|") == 10  # nine columns, the last CPU s
    assert any(line.startswith("| NER | load s |") for line in lines)
    assert any(line.startswith("| NER | entity F1 |") for line in lines)
    stages = [line for line in lines if line.startswith("- NER off, jobs 1: load ")]
    assert len(stages) == 1 and "resolve" in stages[0] and "view" in stages[0]
    rebuild = [line for line in lines if line.startswith("Incremental rebuild after editing")]
    assert len(rebuild) == 2  # one per edit, each of one more document
    assert all("4 of 5 documents from the cache" in line for line in rebuild)
    assert all(re.search(r"\(CPU \d+\.\d s, all processes\)", line) for line in rebuild)
    assert sum(line.startswith("Median of 2 incremental rebuilds: ") for line in lines) == 1
    memory = [line for line in lines if line.startswith("Memory of one more incremental rebuild")]
    assert len(memory) == 1 and "peak memory of all processes" in memory[0]


def test_query_bench_prints_both_stores_side_by_side() -> None:
    lines = run(
        str(BENCH / "query_bench.py"),
        *("--docs", "3", "--quads", "3000", "--repeat", "1", "--timeout", "2"),
    )
    assert lines[1].startswith("Machine: ")
    assert any(line.startswith("store: ") and "rdflib in memory" in line for line in lines)
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| query")]
    names = {line.split("|")[1].strip() for line in rows[1:]}
    assert {"actor", "incidents", "documents"} <= names


def test_layout_bench_compares_full_and_scaled_iterations() -> None:
    from labourgraph import layout

    big = layout.FULL_ITERATIONS_UP_TO + 1_000
    lines = run(str(BENCH / "layout_bench.py"), "--sizes", f"300,{big}", timeout=300)
    assert lines[1].startswith("Machine: ")
    rows = [line.split("|")[1:-1] for line in lines if line[2:3].isdigit()]
    # A small component is drawn once, at full iterations; a large one both ways.
    assert [(r[0].strip(), int(r[1])) for r in rows] == [
        ("300", layout.ITERATIONS),
        (f"{big:,}", layout.ITERATIONS),
        (f"{big:,}", layout.iterations(big)),
    ]
    assert layout.iterations(big) < layout.ITERATIONS
