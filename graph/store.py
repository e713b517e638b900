"""Store stage: the build's quads in an embedded Oxigraph store, and SPARQL over it.

Query values are bound with pyoxigraph ``substitutions`` (never pasted into the query text).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

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


def run_query(
    store: ox.Store, sparql: str, params: Mapping[str, str] | None = None
) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Run a SELECT/ASK/CONSTRUCT with ``params`` bound as values (IRIs when they look like IRIs)."""
    subs = {ox.Variable(k): _term(v) for k, v in (params or {}).items()}
    text = sparql if "PREFIX" in sparql.upper() else PREFIX_BLOCK + sparql
    try:
        return store.query(text, substitutions=subs, use_default_graph_as_union=True)
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
