"""End to end: a build of the bundled sources, its outputs and their guarantees."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from labourgraph.cli import main
from labourgraph.extraction import ner as ner_model
from labourgraph.query import saved_queries, select
from labourgraph.store import open_store, rows, run_query
from rdflib import Dataset

from .conftest import SOURCES, nquads

QUOTES = """SELECT ?path ?file ?exact ?start ?end WHERE {
  GRAPH ?g { ?d lg:sourcePath ?path ; lg:textFile ?file .
             ?t oa:hasSource ?d ; oa:hasSelector ?q, ?p .
             ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end } }"""


def test_graph_has_one_named_graph_per_document(built: Path) -> None:
    ds = Dataset()
    ds.parse(built / "graph.trig", format="trig")
    names = {str(g.identifier) for g in ds.graphs()}
    doc_graphs = {n for n in names if "/id/graph/" in n and not n.endswith("/entities")}
    assert len(doc_graphs) == len(list(SOURCES.glob("*.txt")))
    quads = set(ds.quads((None, None, None, None)))
    assert len(quads) > 200
    nq = Dataset()
    nq.parse(data=nquads(built), format="nquads")
    assert quads == set(nq.quads((None, None, None, None)))


def test_nquads_export_is_each_graphs_canonical_lines(built: Path, tmp_path: Path) -> None:
    # The build keeps TriG only; its N-Quads are made on demand and must be, graph after
    # graph, the sorted unique lines whose hash graphs.json records.
    dest = tmp_path / "g.nq"
    result = CliRunner().invoke(main, ["export", "nquads", str(dest), "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert not (built / "graph.nq").exists()
    by_graph: dict[str, list[bytes]] = {}
    for line in dest.read_bytes().splitlines(keepends=True):
        by_graph.setdefault(line.rsplit(b" ", 2)[-2].decode()[1:-1], []).append(line)
    digests = json.loads((built / "graphs.json").read_text(encoding="utf-8"))["graphs"]
    assert set(by_graph) == set(digests)
    for graph, lines in by_graph.items():
        assert lines == sorted(set(lines)), graph
        assert hashlib.sha256(b"".join(lines)).hexdigest() == digests[graph], graph


def test_every_quote_is_the_slice_its_offsets_name(built: Path) -> None:
    store = open_store(built)
    checked = 0
    for r in rows(run_query(store, QUOTES)):
        text = (built / r["file"]).read_text(encoding="utf-8")
        assert text[int(r["start"]) : int(r["end"])] == r["exact"], r
        checked += 1
    assert checked > 50


def test_text_files_are_the_source_files_for_text_formats(built: Path) -> None:
    for src in SOURCES.glob("*.txt"):
        kept = built / "text" / (src.name.replace(".", "-").replace("_", "-") + ".txt")
        assert kept.read_text(encoding="utf-8") == src.read_text(encoding="utf-8")


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    # Another process with another hash seed: set and dict order must not leak into outputs.
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    cmd = [sys.executable, "-m", "labourgraph.cli", "build", str(SOURCES), "--out", str(again)]
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    for name in ("graph.trig", "graphs.json", "network.html", "report.json", "review.json"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_report_lists_counts_per_document(built: Path) -> None:
    report = json.loads((built / "report.json").read_text())
    assert set(report["documents"]) == {p.name for p in SOURCES.glob("*.txt")}
    assert report["problems"] == []
    assert sum(report["incidents"].values()) > 10
    assert report["ner"] is ner_model.available()  # the build used the model when installed


def test_cntuk_and_knprk_are_one_node(built: Path) -> None:
    found = select(
        built, "SELECT ?e WHERE { ?e skos:altLabel ?a FILTER(?a IN ('KNPRK', 'CNTUK')) }"
    )
    assert {r["e"] for r in found} == {"https://w3id.org/labourgraph/id/entity/cntuk"}


def test_saved_query_returns_the_arrest_of_kushakbaev_with_its_quote(built: Path) -> None:
    found = select(built, "actor", actor="Nurbek Kushakbaev")
    arrests = [r for r in found if r["type"] == "Arrest"]
    assert arrests, found
    assert any("Kushakbaev" in r["quote"] for r in arrests)
    assert {r["document"] for r in arrests} >= {"004_0a850f2f5b0b595b.txt"}


def test_every_saved_query_runs(built: Path) -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["query", "--list", "--out", str(built)])
    assert listing.exit_code == 0
    for q in saved_queries():
        assert q.name in listing.output
        args = ["query", q.name, "--out", str(built), "--format", "csv"]
        for pname, required in q.params:
            if required:  # the others have defaults (tests/test_query.py covers them)
                args += ["--param", f"{pname}=Nurbek Kushakbaev"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (q.name, result.output)
        assert len(result.output.splitlines()) > 1, q.name


def test_param_values_cannot_change_the_query(built: Path) -> None:
    payload = 'x" } } DROP ALL ; SELECT * WHERE { ?s ?p ?o '
    assert select(built, "actor", actor=payload) == []
    assert select(built, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] != "0"


def test_query_needs_its_required_parameter(built: Path) -> None:
    result = CliRunner().invoke(main, ["query", "actor", "--out", str(built)])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: query 'actor' needs --param actor=..."


def test_export_facts_writes_the_shared_format(built: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "facts", str(tmp_path / "facts"), "--out", str(built)]
    )
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "facts").glob("*.yaml"))
    assert len(files) == 5
    for f in files:
        facts = yaml.safe_load(f.read_text())
        assert set(facts) >= {"document", "entities", "relations", "events"}
        for ev in facts["events"]:
            assert ev["agents"] or ev["targets"]
            assert ev["quote"]


def test_exports_in_every_format(built: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for fmt, name in [
        ("trig", "g.trig"),
        ("nquads", "g.nq"),
        ("turtle", "g.ttl"),
        ("jsonld", "g.jsonld"),
        ("graphml", "g.graphml"),
        ("csv", "csv"),
    ]:
        result = runner.invoke(main, ["export", fmt, str(tmp_path / name), "--out", str(built)])
        assert result.exit_code == 0, (fmt, result.output)
        assert (tmp_path / name).exists()
    assert (tmp_path / "csv" / "nodes.csv").read_text().startswith("id,label,kind")


def test_build_conforms_to_its_shapes(built: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert "Conforms" in result.output


def test_missing_build_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "posts", "--out", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {tmp_path / 'nothing'}: no build found; run `labourgraph build --out "
        f"{tmp_path / 'nothing'}` first"
    )


def test_incident_ids_link_reports_across_documents(built: Path) -> None:
    # The arrest of Amin Eleusinov is reported by the letter (002) and the press release (004).
    found = select(
        built,
        """SELECT ?i (COUNT(DISTINCT ?g) AS ?n) WHERE {
        GRAPH ?g { ?i lg:incidentType lg:Arrest ; lg:hasTarget ?p } ?p skos:altLabel ?a
        FILTER(CONTAINS(?a, "leusinov")) } GROUP BY ?i""",
    )
    assert any(int(r["n"]) >= 2 for r in found), found


def test_the_store_loads_in_chunks_cut_at_graph_ends(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyoxigraph as ox
    from labourgraph import store as store_module

    monkeypatch.setattr(store_module, "LOAD_CHUNK", 997)  # cuts mid-graph, mid-character
    store_module.load_store(tmp_path / "store", built / "graph.trig")
    loaded = ox.Store.read_only(str(tmp_path / "store"))
    expected = set(ox.parse(path=str(built / "graph.trig"), format=ox.RdfFormat.TRIG))
    assert set(loaded) == expected and len(expected) > 1000
