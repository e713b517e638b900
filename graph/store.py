"""Store stage: the build's quads in an embedded Oxigraph store, and SPARQL over it.

Query values are bound with pyoxigraph ``substitutions`` (never pasted into the query text).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
import regex as re

from .errors import BuildNotFoundError, QueryError
from .vocab import PREFIXES

PREFIX_BLOCK = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def load_store(path: Path, nquads_file: Path) -> None:
    """Create a fresh store at ``path`` from an N-Quads file (the folder must not exist)."""
    store = ox.Store(str(path))
    with nquads_file.open("rb") as fh:
        store.bulk_load(fh, ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store


def open_store(out: Path) -> ox.Store:
    """Open ``OUT/store`` read-only (several readers may share it)."""
    path = out / "store"
    if not path.is_dir():
        raise BuildNotFoundError(str(out))
    return ox.Store.read_only(str(path))


def _term(value: str) -> ox.Literal | ox.NamedNode:
    if value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    return ox.Literal(value)


def bind_values(sparql: str, params: Mapping[str, str]) -> str:
    """Add a ``VALUES`` block binding ``params`` at the top of the outer WHERE group.

    Each value goes in as an RDF term serialised by pyoxigraph (quotes, backslashes and
    newlines escaped), so a value can never change the query's structure. pyoxigraph's own
    ``substitutions`` only bind projected variables, hence this.
    """
    if not params:
        return sparql
    for key in params:
        if not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise QueryError(f"parameter name {key!r} is not a plain SPARQL variable name")
    names = sorted(params)
    row = " ".join(str(_term(params[k])) for k in names)
    block = f"VALUES ({' '.join('?' + k for k in names)}) {{ ({row}) }}\n"
    mt = re.search(r"\bWHERE\s*\{", sparql, flags=re.I) or re.search(r"\{", sparql)
    if mt is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    return sparql[: mt.end()] + "\n" + block + sparql[mt.end() :]


def run_query(
    store: ox.Store, sparql: str, params: Mapping[str, str] | None = None
) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Run a SELECT/ASK/CONSTRUCT with ``params`` bound as values (IRIs when they look like IRIs)."""
    text = sparql if re.search(r"^\s*PREFIX", sparql, flags=re.I | re.M) else PREFIX_BLOCK + sparql
    text = bind_values(text, params or {})
    try:
        return store.query(text, use_default_graph_as_union=True)
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"query failed: {exc}") from exc


def term_text(term: object) -> str:
    """The plain value of an RDF term (IRI string, literal lexical form) or "" for unbound."""
    if term is None:
        return ""
    return str(term.value) if hasattr(term, "value") else str(term)


def rows(result: ox.QuerySolutions) -> Iterator[dict[str, str]]:
    names = [v.value for v in result.variables]
    for sol in result:
        yield {n: term_text(sol[n]) for n in names}
