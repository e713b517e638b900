"""Saved queries, parameters bound as values, and result formatting (table, csv, tsv, json, turtle)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import regex as re

from .errors import QueryError
from .store import open_store, run_query, term_text


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    params: tuple[tuple[str, bool], ...]  # (name, required)
    text: str


def _parse(name: str, text: str) -> SavedQuery:
    title, params = name, []
    for line in text.splitlines():
        if line.startswith("# title:"):
            title = line.split(":", 1)[1].strip()
        elif line.startswith("# params:"):
            for part in re.findall(r"(\w+)\s*(\([^)]*\))?", line.split(":", 1)[1]):
                if part[0] != "none":
                    params.append((part[0], "required" in part[1]))
    return SavedQuery(name, title, tuple(params), text)


def saved_queries() -> list[SavedQuery]:
    """The ``.rq`` files shipped in ``labourgraph.queries``, sorted by name."""
    folder = resources.files("labourgraph.queries")
    out = [
        _parse(f.name[:-3], f.read_text(encoding="utf-8"))
        for f in folder.iterdir()
        if f.name.endswith(".rq")
    ]
    return sorted(out, key=lambda q: q.name)


def resolve_query_text(name: str | None, sparql: str | None, file: Path | None) -> str:
    given = [x for x in (name, sparql, file) if x]
    if len(given) != 1:
        raise QueryError(
            "give exactly one of NAME, -q SPARQL or -f FILE (see `labourgraph query --list`)"
        )
    if sparql:
        return sparql
    if file:
        return file.read_text(encoding="utf-8")
    for q in saved_queries():
        if q.name == name:
            return q.text
    names = ", ".join(q.name for q in saved_queries())
    raise QueryError(f"no saved query named {name!r}; saved queries: {names}")


def parse_params(params: tuple[str, ...] | list[str]) -> dict[str, str]:
    values = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise QueryError(f"--param {p!r}: expected key=value with a plain name as key")
        values[key] = value
    return values


def _check_params(name: str | None, values: dict[str, str]) -> None:
    if not name:
        return
    for q in saved_queries():
        if q.name == name:
            for pname, required in q.params:
                if required and pname not in values:
                    raise QueryError(f"query {name!r} needs --param {pname}=...")


def _table(header: list[str], body: list[list[str]]) -> str:
    if not body:
        return "(no results)\n"
    cells = [[c.replace("\n", " ") for c in row] for row in body]
    widths = [min(60, max(len(h), *(len(r[i]) for r in cells))) for i, h in enumerate(header)]

    def fmt(row: list[str]) -> str:
        return "  ".join(
            (c if len(c) <= w else c[: w - 1] + "…").ljust(w)
            for c, w in zip(row, widths, strict=True)
        ).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths), *(fmt(r) for r in cells)]
    return "\n".join(lines) + f"\n({len(cells)} rows)\n"


def format_result(result, fmt: str) -> str:
    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=ox.RdfFormat.TURTLE).decode("utf-8")
    if fmt == "json":
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n"
    header = [v.value for v in result.variables]
    body = [[term_text(sol[h]) for h in header] for sol in result]
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        return buf.getvalue()
    if fmt == "turtle":
        raise QueryError("--format turtle is for CONSTRUCT queries")
    return _table(header, body)


def run_and_format(
    out: Path, text: str, values: dict[str, str], fmt: str, name: str | None = None
) -> str:
    """Run ``text`` against ``OUT/store`` with ``values`` bound and format the answer."""
    _check_params(name, values)
    store = open_store(out)
    return format_result(run_query(store, text, values), fmt)


def select(out: Path, name_or_text: str, **params: str) -> list[dict[str, str]]:
    """Run a saved query (by name) or a SELECT text; rows as dicts (for notebooks and tests)."""
    names = {q.name: q.text for q in saved_queries()}
    text = names.get(name_or_text, name_or_text)
    result = run_query(open_store(out), text, params)
    header = [v.value for v in result.variables]
    return [{h: term_text(sol[h]) for h in header} for sol in result]


def to_json(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False)
