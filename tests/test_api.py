"""The notebook API: open a build, query into rows and DataFrames, graphs out."""

from __future__ import annotations

import datetime
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from labourgraph.api import actor_network, open_build, python_value
from labourgraph.errors import BuildNotFoundError, QueryError
from labourgraph.query import select

from .conftest import SOURCES, nquads


def test_query_rows_are_typed_and_match_select(built: Path) -> None:
    b = open_build(built)
    rows = b.query("incidents_by_type_year")
    assert rows and all(isinstance(r["incidents"], int) for r in rows)
    plain = select(built, "incidents_by_type_year")
    assert [str(r["incidents"]) for r in rows] == [r["incidents"] for r in plain]


def test_dataframe_of_a_saved_query_with_a_parameter(built: Path) -> None:
    df = open_build(built).dataframe("actor", actor="KNPRK")
    assert isinstance(df, pd.DataFrame) and len(df) > 0
    assert list(df.columns) == ["entity", "role", "type", "what", "date", "quote", "document"]
    assert set(df["entity"]) == {"Confederation of Independent Trade Unions of Kazakhstan"}


def test_dates_become_dates(built: Path) -> None:
    df = open_build(built).dataframe("all_incidents")
    dated = df["date_earliest"].dropna()
    assert len(dated) > 0 and all(isinstance(d, datetime.date) for d in dated)
    assert pd.api.types.is_integer_dtype(df["reports"])


def test_ad_hoc_text_and_bound_values(built: Path) -> None:
    b = open_build(built)
    found = b.query("SELECT ?n WHERE { BIND(STRLEN(?v) AS ?n) }", v='"} DROP ALL {')
    assert found == [{"n": 13}]
    with pytest.raises(QueryError, match="no saved query named 'nonesuch'"):
        b.query("nonesuch")
    with pytest.raises(QueryError, match="SELECT"):
        b.query("actor_graph", actor="KNPRK")


def test_construct_networkx_and_dataset(built: Path) -> None:
    b = open_build(built)
    assert len(b.construct("actor_graph", actor="KNPRK")) > 0
    g = b.networkx()
    assert isinstance(g, nx.MultiDiGraph) and g.number_of_nodes() > 20
    ds = b.dataset()
    assert len(list(ds.quads((None, None, None, None)))) == sum(
        1 for line in nquads(built).splitlines() if line
    )


def test_actor_network_links_actors_of_one_incident(built: Path) -> None:
    g = open_build(built).networkx()
    net = actor_network(g)
    assert all(
        d["kind"] not in ("Incident", "Place", "ILOConvention") for _, d in net.nodes(data=True)
    )
    cntuk = "https://w3id.org/labourgraph/id/entity/cntuk"
    nurbek = "https://w3id.org/labourgraph/id/entity/nurbek-kushakbaev"
    assert net.has_edge(cntuk, nurbek)  # his post in the confederation
    assert all(w >= 1 for *_, w in net.edges(data="weight"))


def test_python_value_of_terms() -> None:
    import pyoxigraph as ox

    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert python_value(ox.Literal("3", datatype=ox.NamedNode(xsd + "integer"))) == 3
    assert python_value(ox.Literal("2.5", datatype=ox.NamedNode(xsd + "decimal"))) == 2.5
    assert python_value(ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean"))) is True
    assert python_value(ox.Literal("x", datatype=ox.NamedNode(xsd + "integer"))) == "x"
    assert python_value(ox.NamedNode("http://example.org/a")) == "http://example.org/a"
    assert python_value(None) is None


def test_open_build_builds_when_asked_and_only_then(tmp_path: Path) -> None:
    with pytest.raises(BuildNotFoundError):
        open_build(tmp_path / "out")
    b = open_build(tmp_path / "out", sources=SOURCES)
    assert (b.out / "store").is_dir() and b.query("documents")
