"""Store stage: the build's quads in an embedded Oxigraph store, and SPARQL over it.

Query values are bound as RDF terms in a ``VALUES`` block (never pasted into the query text as
SPARQL), and the project's prefixes are passed to the parser, so queries may use ``lg:`` etc.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
import regex as re

from .errors import BuildNotFoundError, QueryError
from .vocab import PREFIXES

_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}

# The parts of a query that are data, not syntax: long strings first (they start like short
# ones), then strings, IRIs (no spaces or braces inside, as in the SPARQL grammar), comments.
_DATA = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*",
    flags=re.S,
)
_NAME = re.compile(r"[A-Za-z_]\w*")
_IRI = re.compile(r"https?://[^\s<>\"{}|^`\\]+")


# Bytes of TriG per bulk load: bounds the loader's memory, which grows with the quads of one
# call (8 MiB of the build's TriG hold about as many quads as 32 MiB of N-Quads).
LOAD_CHUNK = 8 * 2**20
_BLOCK_END = b"\n}\n"  # closes a graph in the build's TriG (line breaks in strings are escaped)


def load_store(path: Path, trig_file: Path) -> None:
    """Create a fresh store at ``path`` from a build's ``graph.trig`` (the folder must not exist).

    Loaded in chunks cut where a graph's block ends, each after the file's @prefix lines: one
    bulk load of everything holds several times the file in memory, a chunk at a time stays
    small. Not compacted afterwards: compacting rewrites every file once more, and the saved
    queries are timed on a store as loaded (bench/query_bench.py).
    """
    store = ox.Store(str(path))
    with trig_file.open("rb") as fh:
        data = fh.read(LOAD_CHUNK)
        header = data[: _prefixes_end(data)]
        rest = data[len(header) :]
        while True:
            more = fh.read(LOAD_CHUNK)
            data = rest + more
            end = data.rfind(_BLOCK_END)
            cut = len(data) if not more else end + len(_BLOCK_END) if end >= 0 else 0
            if data[:cut].strip():
                store.bulk_load(header + data[:cut], ox.RdfFormat.TRIG)
            rest = data[cut:]
            if not more:
                break
    store.flush()
    del store


def _prefixes_end(data: bytes) -> int:
    """Where the @prefix lines at the start of a TriG text end."""
    end = 0
    while data.startswith(b"@prefix", end) and (eol := data.find(b"\n", end)) >= 0:
        end = eol + 1
    return end


def update_store(
    path: Path, previous: Path, remove: list[str], add: list[bytes], *, compact: bool = True
) -> None:
    """Make ``path`` a copy of the ``previous`` store with graphs removed and added (TriG).

    The copy is a RocksDB backup: hard links to the previous store's immutable files, so it
    is instant and the previous build stays whole whatever happens here. ``compact`` merges
    the store's files afterwards (see :func:`labourgraph.dataset.write_store` for when).
    """
    ox.Store.read_only(str(previous)).backup(str(path))
    store = ox.Store(str(path))
    for graph in remove:
        store.remove_graph(ox.NamedNode(graph))
    if add:
        # One load for all of them (TriG allows the @prefix lines again before each graph): a
        # bulk load costs per call, and one per graph kept incremental builds waiting for the
        # store (bench/README.md, 10,000 documents).
        store.bulk_load(b"".join(add), ox.RdfFormat.TRIG)
    store.flush()
    if compact:
        store.optimize()
    del store


def open_store(out: Path) -> ox.Store:
    """Open ``OUT/store`` read-only (several readers may share it)."""
    path = out / "store"
    if not path.is_dir():
        raise BuildNotFoundError(str(out))
    return ox.Store.read_only(str(path))


def mask_sparql(sparql: str) -> str:
    """The query with strings, IRIs and comments blanked out, same length (offsets still hold)."""
    return _DATA.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), sparql)


def outer_group_start(sparql: str) -> int:
    """The offset just after the ``{`` that opens the query's outer WHERE group."""
    code = mask_sparql(sparql)
    braces = parens = 0
    first = -1
    for i, ch in enumerate(code):
        if ch == "{":
            if braces == 0 and parens == 0:
                # CONSTRUCT's template is also a top-level group: the WHERE keyword decides.
                if re.search(r"\bWHERE\s*$", code[:i], flags=re.I):
                    return i + 1
                if first < 0:
                    first = i + 1
            braces += 1
        elif ch == "}":
            braces -= 1
        elif ch == "(":
            parens += 1
        elif ch == ")":
            parens -= 1
    if first < 0:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    return first


def sparql_literal(value: str) -> str:
    """``value`` as a SPARQL string literal: quotes, backslashes and line breaks escaped."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def sparql_term(value: str) -> str:
    """An IRI when ``value`` is a valid http(s) IRI, else a plain string literal."""
    if _IRI.fullmatch(value):
        try:
            return str(ox.NamedNode(value))
        except ValueError:  # not a valid IRI after all: a string like any other
            pass
    return sparql_literal(value)


def bind_values(sparql: str, params: Mapping[str, str]) -> str:
    """Add a ``VALUES`` block binding ``params`` at the top of the outer WHERE group.

    Each value goes in as one RDF term with its quotes, backslashes and line breaks escaped, so
    a value can never change the query's structure. pyoxigraph's own ``substitutions`` only
    bind projected variables, hence this; a FILTER in the outer group sees the values.
    """
    if not params:
        return sparql
    for key in params:
        if not _NAME.fullmatch(key):
            raise QueryError(f"parameter name {key!r} is not a plain SPARQL variable name")
    names = sorted(params)
    row = " ".join(sparql_term(params[k]) for k in names)
    block = f"VALUES ({' '.join('?' + k for k in names)}) {{ ({row}) }}\n"
    at = outer_group_start(sparql)
    return sparql[:at] + "\n" + block + sparql[at:]


def uses_service(sparql: str) -> bool:
    """Whether the query has a ``SERVICE`` clause (a call to another endpoint)."""
    # A keyword, not part of a prefixed name, variable or blank node label.
    return bool(re.search(r"(?<![\w:?$\-])SERVICE(?![\w:\-])", mask_sparql(sparql), flags=re.I))


_UPDATES = frozenset(
    ["INSERT", "DELETE", "DROP", "CLEAR", "LOAD", "CREATE", "ADD", "MOVE", "COPY", "WITH"]
)  # the words a SPARQL Update operation can start with


def is_update(sparql: str) -> bool:
    """Whether the text is a SPARQL Update (its first keyword after PREFIX/BASE is an update's)."""
    code = mask_sparql(sparql)
    m = re.match(r"(?:\s*(?:PREFIX\s+[^\s:]*:|BASE))*\s*([A-Za-z]+)", code, flags=re.I)
    return bool(m) and m.group(1).upper() in _UPDATES


def run_query(
    store: ox.Store, sparql: str, params: Mapping[str, str] | None = None
) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Run a SELECT/ASK/CONSTRUCT with ``params`` bound as values (IRIs when they look like IRIs)."""
    text = bind_values(sparql, params or {})
    try:
        return store.query(text, prefixes=_PREFIXES, use_default_graph_as_union=True)
    except (SyntaxError, ValueError, OSError) as exc:
        # The parser lists every token it expected, over several lines: one line, kept short.
        said = " ".join(str(exc).split())
        raise QueryError(f"query failed: {said[:300]}{'…' if len(said) > 300 else ''}") from exc


def term_text(term: object) -> str:
    """The plain value of an RDF term (IRI string, literal lexical form) or "" for unbound."""
    if term is None:
        return ""
    return str(term.value) if hasattr(term, "value") else str(term)


def rows(result: ox.QuerySolutions) -> Iterator[dict[str, str]]:
    """Each solution as a dict of plain values (see :func:`term_text`)."""
    names = [v.value for v in result.variables]
    for sol in result:
        yield {n: term_text(sol[n]) for n in names}
