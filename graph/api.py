"""The Python API for notebooks and scripts: open a build, query it, get it as tables and graphs.

from labourgraph.api import open_build
b = open_build("out", sources="sources")       # builds sources/ into out/ when out/ has no build
b.query("actor", actor="KNPRK")                 # a saved query: rows as dicts of plain values
b.dataframe("incidents", type="Killing")        # the same as a pandas DataFrame (typed columns)
b.networkx()                                    # actors and incidents as a networkx MultiDiGraph
b.dataset()                                     # every quad as an rdflib Dataset
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .dataset import GRAPH_FILE, rdflib_dataset
from .errors import BuildNotFoundError, QueryError
from .model import ACTOR_TYPES
from .query import SavedQuery, lookup, run_saved, saved_queries

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from rdflib import Dataset

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}
_DECIMALS = {XSD + "decimal"}
_FLOATS = {XSD + "double", XSD + "float"}


def python_value(term: object) -> object:
    """An RDF term as a Python value: numbers, booleans and dates typed; others and IRIs as str."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        kind = term.datatype.value
        try:
            if kind in _INTEGERS:
                return int(term.value)
            if kind in _DECIMALS:
                return float(Decimal(term.value))
            if kind in _FLOATS:
                return float(term.value)
        except ValueError:  # an ill-typed literal keeps its text
            return term.value
        if kind == XSD + "boolean":
            return term.value in ("true", "1")
        if kind == XSD + "date":
            try:
                return date.fromisoformat(term.value)
            except ValueError:
                return term.value
        return term.value
    return str(term.value) if hasattr(term, "value") else str(term)


@dataclass(frozen=True)
class Build:
    """A finished build folder (``OUT``), read-only."""

    out: Path

    def saved_queries(self) -> list[SavedQuery]:
        """The saved queries with their titles, descriptions and parameters."""
        return saved_queries()

    def _solutions(self, name_or_text: str, params: dict[str, str]) -> ox.QuerySolutions:
        result = run_saved(self.out, lookup(name_or_text), params)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError(
                "query() and dataframe() run SELECT queries; use construct() for graphs"
            )
        return result

    def query(self, name_or_text: str, **params: str) -> list[dict[str, object]]:
        """Run a saved query (by name) or a SELECT text; rows as dicts (numbers typed)."""
        result = self._solutions(name_or_text, params)
        names = [v.value for v in result.variables]
        return [{n: python_value(sol[n]) for n in names} for sol in result]

    def dataframe(self, name_or_text: str, **params: str) -> pd.DataFrame:
        """Like :meth:`query`, as a pandas DataFrame with one column per variable."""
        import pandas as pd

        result = self._solutions(name_or_text, params)
        names = [v.value for v in result.variables]
        return pd.DataFrame(
            [[python_value(sol[n]) for n in names] for sol in result], columns=names
        )

    def construct(self, name_or_text: str, **params: str) -> Dataset:
        """Run a CONSTRUCT (saved or text) into an rdflib Dataset (its default graph)."""
        from rdflib import Dataset

        result = run_saved(self.out, lookup(name_or_text), params)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("construct() runs CONSTRUCT queries; use query() for SELECT")
        ds = Dataset()
        ds.parse(data=ox.serialize(result, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return ds

    def networkx(self) -> nx.MultiDiGraph:
        """Actors, places, conventions and incidents with their role edges (as in the view)."""
        from .export import to_networkx

        return to_networkx(self.out)

    def actor_network(self) -> nx.Graph:
        """Actors linked when they share an incident or a post/affiliation (see :func:`actor_network`)."""
        return actor_network(self.networkx())

    def dataset(self) -> Dataset:
        """Every quad of the build, one named graph per document, as an rdflib Dataset."""
        return rdflib_dataset(self.out / GRAPH_FILE)


def actor_network(g: nx.MultiDiGraph) -> nx.Graph:
    """Project the view graph onto actors: an edge per pair that shares an incident or a link.

    ``weight`` counts the incidents both take part in (as agent or target) plus their direct
    links (posts, affiliations, parts); node attributes are kept.
    """
    import networkx as nx

    actors = [n for n, d in g.nodes(data=True) if d.get("kind") in ACTOR_TYPES]
    net = nx.Graph()
    net.add_nodes_from((n, g.nodes[n]) for n in actors)

    def link(a: str, b: str) -> None:
        if a != b:
            w = net.get_edge_data(a, b, {"weight": 0})["weight"]
            net.add_edge(a, b, weight=w + 1)

    for n, d in g.nodes(data=True):
        if d.get("kind") == "Incident":
            # Each actor counted once per incident, whatever roles it has in it.
            involved = sorted(
                {
                    v
                    for _, v, k in g.out_edges(n, data="kind")
                    if v in net and k in ("agent", "target")
                }
            )
            for i, a in enumerate(involved):
                for b in involved[i + 1 :]:
                    link(a, b)
    for a, b, k in g.edges(data="kind"):
        if a in net and b in net and k in ("position", "affiliated_to", "part_of"):
            link(a, b)
    return net


def open_build(out: str | Path = "out", sources: str | Path | None = None) -> Build:
    """Open the build in ``out``; with ``sources``, build them there first if ``out`` has none."""
    out = Path(out)
    if not (out / "store").is_dir() or not (out / GRAPH_FILE).is_file():
        if sources is None:
            raise BuildNotFoundError(str(out))
        from .build import build

        build([Path(sources)], out)
    return Build(out)
