"""Extraction speed (words per second, one process) with rules only and with the statistical NER.

    .venv/bin/python bench/extraction_bench.py [--repeat N] [--no-ner]

Reads the bundled sources and the second development set, loads each document once, then times
`extract` over all of them N times (after one warm-up pass, so spaCy and the matchers are built).
Prints the machine it ran on; figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from labourgraph.documents import find_sources, load_document
from labourgraph.extraction import extract
from labourgraph.extraction import ner as ner_model

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / "sources", ROOT / "tests" / "fixtures" / "devset"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "?"
    return f"{cpu}, {os.cpu_count()} cores, {mem} RAM, Python {platform.python_version()}"


def measure(docs, repeat: int, ner: bool) -> tuple[float, int]:
    for doc in docs:  # warm-up: pipelines and matchers are built once per process
        extract(doc, ner=ner)
    words = sum(len(doc.text.split()) for doc in docs) * repeat
    start = time.perf_counter()
    for _ in range(repeat):
        for doc in docs:
            extract(doc, ner=ner)
    return time.perf_counter() - start, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-ner", action="store_true", help="Skip the NER measurement.")
    args = parser.parse_args()
    paths = [p for folder in FOLDERS for p in find_sources([folder])]
    docs = [load_document(path, root) for path, root in paths]
    print(f"machine: {machine()}")
    print(
        f"corpus: {len(docs)} documents, {sum(len(d.text.split()) for d in docs):,} words, x{args.repeat}"
    )
    modes = [("rules only", False)]
    if not args.no_ner:
        if ner_model.available():
            modes.append(("rules + NER", True))
        else:
            print("rules + NER: skipped (model not installed: pip install -r requirements-ner.txt)")
    for label, ner in modes:
        seconds, words = measure(docs, args.repeat, ner)
        print(
            f"{label:<12} {words / seconds:>10,.0f} words/s  ({words:,} words in {seconds:.2f} s)"
        )


if __name__ == "__main__":
    main()
