"""The whole pipeline: sources -> documents -> extraction -> resolution -> RDF -> store -> view.

Outputs are written into a fresh folder beside ``OUT`` and swapped in at the end, so a failed or
killed build never leaves a half-written ``OUT``: the previous build stays whole until then.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .documents import find_sources, load_document
from .errors import DocumentError, LabourgraphError
from .extraction import extract
from .model import Document, Extraction, Problem
from .rdf import nquads, to_dataset, trig
from .resolve import resolve, slug
from .store import load_store


@dataclass
class BuildResult:
    out: Path
    documents: int = 0
    quads: int = 0
    entities: Counter = field(default_factory=Counter)
    incidents: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Built {self.documents} documents into {self.out}/ ({self.quads} quads)",
            "  entities:  " + ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items())),
            "  incidents: " + ", ".join(f"{k} {v}" for k, v in sorted(self.incidents.items())),
            f"  graph: {self.out}/graph.trig   store: {self.out}/store   view: {self.out}/network.html",
            f"  report: {self.out}/report.json   problems: {len(self.problems)}",
        ]
        lines += [f"  ! {p.path}: {p.problem}" for p in self.problems[:10]]
        return "\n".join(lines)


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _load_all(sources: list[Path], problems: list[Problem]) -> list[Document]:
    docs: list[Document] = []
    by_hash: dict[str, str] = {}
    files = find_sources(sources)
    for path, root in tqdm(files, desc="load", disable=not _show_progress(), unit="doc"):
        try:
            doc = load_document(path, root)
        except DocumentError as exc:
            problems.append(Problem(exc.path, exc.problem))
            print(f"Warning: {exc}", file=sys.stderr)
            continue
        if doc.sha256 in by_hash:
            problem = Problem(str(path), f"same content as {by_hash[doc.sha256]}; skipped")
            problems.append(problem)
            print(f"Warning: {problem.path}: {problem.problem}", file=sys.stderr)
            continue
        by_hash[doc.sha256] = str(path)
        docs.append(doc)
    return sorted(docs, key=lambda d: d.doc_id)


def _extract_all(docs: list[Document], problems: list[Problem]) -> list[Extraction]:
    out = []
    for doc in tqdm(docs, desc="extract", disable=not _show_progress(), unit="doc"):
        try:
            out.append(extract(doc))
        except Exception as exc:  # one bad document must not sink the build
            problems.append(Problem(doc.path, f"extraction failed: {type(exc).__name__}: {exc}"))
            print(f"Warning: {doc.path}: extraction failed: {exc}", file=sys.stderr)
    return out


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with renames (the old build is kept until the last step)."""
    old = out.with_name(out.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    if old.exists():
        shutil.rmtree(old)


def build(sources: list[Path], out: Path) -> BuildResult:
    """Build ``out`` from ``sources``; bad files become problems, the rest goes on."""
    from .view import render
    from .view_data import view_data_from_store

    out = out.resolve()
    result = BuildResult(out)
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        raise LabourgraphError(f"{missing[0]}: no such file or folder")
    docs = _load_all(sources, result.problems)
    extractions = _extract_all(docs, result.problems)
    resolution = resolve(extractions)

    staging = out.with_name(out.name + f".building-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    text_files = {}
    # Every document's source text is kept, so evidence can be checked without the sources.
    for d in docs:
        rel = f"text/{slug(d.doc_id)}.txt"
        _write(staging / rel, d.source_text)
        text_files[d.doc_id] = rel
    ds = to_dataset(extractions, resolution, text_files)
    nq = nquads(ds)
    _write(staging / "graph.nq", nq)
    _write(staging / "graph.trig", trig(ds))
    load_store(staging / "store", staging / "graph.nq")

    result.documents = len(extractions)
    result.quads = nq.count("\n")
    result.entities = Counter(e.type for e in resolution.entities)
    result.incidents = Counter(i.type for x in extractions for i in x.incidents)
    report = {
        "documents": {
            x.document.doc_id: {
                "format": x.document.format,
                "title": x.document.meta.title,
                "mentions": len(x.mentions),
                "relations": len(x.relations),
                "incidents": len(x.incidents),
            }
            for x in extractions
        },
        "entities": dict(sorted(result.entities.items())),
        "incidents": dict(sorted(result.incidents.items())),
        "quads": result.quads,
        "problems": [
            {"path": p.path, "problem": p.problem, "severity": p.severity} for p in result.problems
        ],
        "review_candidates": [
            {"left": c.left, "right": c.right, "score": c.score, "reason": c.reason}
            for c in resolution.candidates
        ],
    }
    _write(
        staging / "report.json",
        json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
    )
    import pyoxigraph as ox

    store = ox.Store.read_only(str(staging / "store"))
    render(view_data_from_store(store), staging / "network.html")
    del store
    _swap_in(staging, out)
    return result
