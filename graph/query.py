"""Saved queries (``.rq`` files with a header), parameters bound as values, and result formats.

A saved query starts with comment lines::

    # title: Incidents of one type with victims, perpetrators, dates and quotes
    # description: One line on what it answers.
    # param: type (default: Arrest) what the parameter means
    # param: actor (required) what the parameter means
    # resolve: SELECT DISTINCT ?e WHERE { ... the terms ?actor names ... }

Parameters become variables of the query (``?type``), bound in a ``VALUES`` block, so a value is
data whatever characters it holds. Results print as an aligned table, CSV, TSV, SPARQL 1.1
results JSON, or (CONSTRUCT) Turtle / JSON-LD.

A ``# resolve:`` line is a one-variable SELECT run first, with the same parameters: the IRIs it
answers are bound to that variable of the query by a second ``VALUES`` block, so the query starts
from the few terms a name or type denotes instead of filtering every candidate (a parameter used
only in a ``FILTER`` gives the engine nothing to start from). The resolver must answer every term
the query's own filter lets through; the query keeps that filter, so the answer is the same with
or without the block, only faster. The terms are IRIs read from the store and written as terms,
never the user's text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import regex as re

from .errors import QueryError
from .store import bind_values, open_store, outer_group_start, run_query, term_text

FORMATS = ("table", "csv", "tsv", "json", "turtle")
_PARAM = re.compile(r"#\s*param:\s*(\w+)\s*\((required|default:\s*([^)]*))\)\s*(.*)")
# A resolver: a SELECT of one variable, written on one header line.
_RESOLVE = re.compile(
    r"#\s*resolve:\s*(SELECT\s+(?:DISTINCT\s+)?\?(\w+)\s+WHERE\s*\{.*\})", flags=re.I
)
# Bound when a resolver answers nothing: an IRI no build holds, so the query answers nothing at
# once (an empty VALUES block would say the same, but rdflib, the bench's yardstick, fails on it).
NOTHING = "urn:labourgraph:nothing"


@dataclass(frozen=True)
class Param:
    """A query parameter: its name, its default (``None`` when it must be given), what it means."""

    name: str
    default: str | None
    description: str

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Resolver:
    """A ``# resolve:`` line: a SELECT whose answers are bound to ``variable`` of the query."""

    variable: str
    sparql: str


@dataclass(frozen=True)
class SavedQuery:
    """A query with its header: name, title, one-line description, parameters and resolvers."""

    name: str
    title: str
    text: str
    description: str = ""
    parameters: tuple[Param, ...] = ()
    saved: bool = False  # shipped with labourgraph: an unknown parameter is a mistake
    resolvers: tuple[Resolver, ...] = ()

    @property
    def params(self) -> tuple[tuple[str, bool], ...]:
        """``(name, required)`` for each parameter."""
        return tuple((p.name, p.required) for p in self.parameters)

    def values(self, given: Mapping[str, str]) -> dict[str, str]:
        """``given`` with defaults filled in; a missing required or unknown parameter raises."""
        known = {p.name for p in self.parameters}
        if self.parameters or self.saved:
            unknown = sorted(set(given) - known)
            if unknown:
                takes = ", ".join(sorted(known)) or "no parameters"
                raise QueryError(
                    f"query {self.name!r} has no parameter {unknown[0]!r}; it takes {takes}"
                )
        values = dict(given)
        for p in self.parameters:
            if p.name not in values:
                if p.default is None:
                    raise QueryError(f"query {self.name!r} needs --param {p.name}=...")
                values[p.name] = p.default
        return values


def parse_query(name: str, text: str) -> SavedQuery:
    """Read the header comments of a query text (a query without a header has no parameters)."""
    title, description, params, resolvers = name, "", [], []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if line.startswith("# title:"):
            title = line.split(":", 1)[1].strip()
        elif line.startswith("# description:"):
            description = line.split(":", 1)[1].strip()
        elif m := _PARAM.fullmatch(line.strip()):
            default = None if m.group(2) == "required" else m.group(3).strip()
            params.append(Param(m.group(1), default, m.group(4).strip()))
        elif re.match(r"#\s*resolve:", line):
            if not (m := _RESOLVE.fullmatch(line.strip())):
                raise QueryError(f"query {name!r}: '# resolve:' takes SELECT ?var WHERE {{ ... }}")
            resolvers.append(Resolver(m.group(2), m.group(1)))
    return SavedQuery(name, title, text, description, tuple(params), resolvers=tuple(resolvers))


def saved_queries() -> list[SavedQuery]:
    """The ``.rq`` files shipped in ``labourgraph.queries``, sorted by name."""
    folder = resources.files("labourgraph.queries")
    found = [
        replace(parse_query(f.name[:-3], f.read_text(encoding="utf-8")), saved=True)
        for f in folder.iterdir()
        if f.name.endswith(".rq")
    ]
    return sorted(found, key=lambda q: q.name)


def saved_query(name: str) -> SavedQuery:
    """The saved query called ``name``; an unknown name raises with the list of names."""
    for q in saved_queries():
        if q.name == name:
            return q
    names = ", ".join(q.name for q in saved_queries())
    raise QueryError(f"no saved query named {name!r}; saved queries: {names}")


def resolve_query(name: str | None, sparql: str | None, file: Path | None) -> SavedQuery:
    """The query named, given as text (``-q``) or in a file (``-f``): exactly one of them."""
    given = [x for x in (name, sparql, file) if x]
    if len(given) != 1:
        raise QueryError(
            "give exactly one of NAME, -q SPARQL or -f FILE (see `labourgraph query --list`)"
        )
    if sparql:
        return parse_query("-q", sparql)
    if file:
        try:
            return parse_query(file.stem, file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{file}: cannot read the query: {exc}") from exc
    return saved_query(str(name))


def parse_params(params: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``key=value`` strings (``--param``) as a dict; the value may hold anything, even ``=``."""
    values = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise QueryError(f"--param {p!r}: expected key=value with a plain name as key")
        values[key] = value
    return values


def list_text() -> str:
    """The saved queries, one a line with their parameters below, for ``query --list``."""
    lines = []
    for q in saved_queries():
        lines.append(f"{q.name:<26} {q.title}")
        for p in q.parameters:
            how = "required" if p.required else f"default {p.default}"
            lines.append(f"{'':<26}   --param {p.name}=...  ({how}) {p.description}")
    return "\n".join(lines) + "\n"


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


def format_result(result: ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean, fmt: str) -> str:
    """A query answer as text in ``fmt`` (one of :data:`FORMATS`)."""
    if isinstance(result, ox.QueryBoolean):
        if fmt == "json":
            return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n"
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        triples = sorted(result, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        if fmt in ("table", "turtle", "json"):
            rdf = ox.RdfFormat.JSON_LD if fmt == "json" else ox.RdfFormat.TURTLE
            return ox.serialize(triples, format=rdf, prefixes=_prefixes()).decode("utf-8")
        # csv/tsv: one triple a row, for a spreadsheet.
        header = ["subject", "predicate", "object"]
        body = [
            [term_text(t.subject), term_text(t.predicate), term_text(t.object)] for t in triples
        ]
    elif fmt == "turtle":
        raise QueryError("--format turtle is for CONSTRUCT queries")
    elif fmt == "json":
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n"
    else:
        header = [v.value for v in result.variables]
        body = [[term_text(sol[h]) for h in header] for sol in result]
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        return buf.getvalue()
    return _table(header, body)


def _prefixes() -> dict[str, str]:
    from .vocab import PREFIXES

    # Without ``id:``: its local names hold slashes, which Turtle would have to escape.
    return {p: str(ns) for p, ns in PREFIXES.items() if p != "id"}


def resolved_text(
    query: SavedQuery, values: Mapping[str, str], answers: Callable[[str], Iterable[str | None]]
) -> str:
    """The query text with a ``VALUES`` block for each of its resolvers (see the module doc).

    ``answers`` runs a resolver (its parameters already bound) and yields the IRI of each
    answer, or ``None`` for an answer that is not an IRI: a blank node or literal cannot be
    written into a query, so then that resolver is skipped and the query's filter does the work.
    A resolver that answers nothing binds :data:`NOTHING`, so the query answers nothing at once.
    """
    blocks = []
    for r in query.resolvers:
        found = list(answers(bind_values(r.sparql, values)))
        if None in found:
            continue
        try:
            terms = sorted({str(ox.NamedNode(iri)) for iri in found or [NOTHING]})
        except ValueError:  # not an IRI pyoxigraph can write: leave it to the filter too
            continue
        blocks.append(f"VALUES ?{r.variable} {{ {' '.join(terms)} }}\n")
    if not blocks:
        return query.text
    at = outer_group_start(query.text)
    return query.text[:at] + "\n" + "".join(blocks) + query.text[at:]


def store_answers(store: ox.Store) -> Callable[[str], Iterable[str | None]]:
    """:func:`resolved_text`'s ``answers`` for a pyoxigraph store: the IRIs of the first column."""

    def answers(sparql: str) -> Iterable[str | None]:
        result = run_query(store, sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("a '# resolve:' line must be a SELECT")
        first = result.variables[0]
        for sol in result:
            term = sol[first]
            yield term.value if isinstance(term, ox.NamedNode) else None

    return answers


def run_on_store(
    store: ox.Store, query: SavedQuery, given: Mapping[str, str]
) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Run ``query`` on ``store`` with ``given`` values (defaults filled in), resolvers first."""
    values = query.values(given)
    return run_query(store, resolved_text(query, values, store_answers(store)), values)


def run_saved(
    out: Path, query: SavedQuery, given: Mapping[str, str]
) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Run ``query`` against ``OUT/store`` with ``given`` values (defaults filled in)."""
    return run_on_store(open_store(out), query, given)


def lookup(name_or_text: str) -> SavedQuery:
    """A saved query by name, else ``name_or_text`` taken as a query text."""
    for q in saved_queries():
        if q.name == name_or_text:
            return q
    if re.fullmatch(r"\w+", name_or_text.strip()):
        saved_query(name_or_text)  # a bare word is meant as a name: say which names exist
    return parse_query("-q", name_or_text)


def select(out: Path, name_or_text: str, **params: str) -> list[dict[str, str]]:
    """Run a saved query (by name) or a SELECT text; rows as dicts of plain values."""
    result = run_saved(out, lookup(name_or_text), params)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("select() runs SELECT queries; use run_saved() for ASK and CONSTRUCT")
    header = [v.value for v in result.variables]
    return [{h: term_text(sol[h]) for h in header} for sol in result]
