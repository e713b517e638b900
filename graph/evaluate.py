"""Score a build's facts against gold facts files (the shared annotation format)."""

from __future__ import annotations

from pathlib import Path

from .facts import facts_from_store
from .scoring import Scores, differences, load_facts_dir, score
from .store import open_store, rows, run_query


def evaluate_build(out: Path, gold_dir: Path) -> Scores:
    """Score ``OUT`` against ``gold_dir``; quotes are checked against the build's source texts."""
    store = open_store(out)
    return score(load_facts_dir(gold_dir), _predicted(store), _texts(out, store))


def evaluate_differences(out: Path, gold_dir: Path) -> str:
    """Missed and extra facts of ``OUT`` against ``gold_dir``, per document."""
    return differences(load_facts_dir(gold_dir), _predicted(open_store(out)))


def _predicted(store) -> dict[str, dict]:
    # A document is matched by file name, whatever folder the build found it in.
    by_name = {Path(k).name: v for k, v in facts_from_store(store).items()}
    for v in by_name.values():
        v["document"] = Path(v["document"]).name
    return by_name


def _texts(out: Path, store) -> dict[str, str]:
    """The text each document's offsets index, rebuilt from the build's own files."""
    texts: dict[str, str] = {}
    q = "SELECT ?path ?file WHERE { GRAPH ?g { ?d lg:sourcePath ?path . OPTIONAL { ?d lg:textFile ?file } } }"
    for r in rows(run_query(store, q)):
        name = Path(r["path"]).name
        if r["file"] and (out / r["file"]).exists():
            texts[name] = (out / r["file"]).read_text(encoding="utf-8")
    return texts
