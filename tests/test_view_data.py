"""What the view reads from the store and how `labourgraph view` narrows it (no browser)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from labourgraph import view
from labourgraph.cli import main
from labourgraph.store import open_store, rows, run_query
from labourgraph.view_data import (
    QuadScans,
    ViewFacts,
    ViewFilterError,
    collect,
    date_bound,
    filter_view,
    find_node,
    parse_types,
    view_data,
    view_data_from_store,
)

sys.path.insert(0, str(Path(__file__).parent))
from test_view import BASE, synthetic_view

CNTUK = "Confederation of Independent Trade Unions of Kazakhstan"
COUNT = """SELECT (COUNT(DISTINCT ?n) AS ?count) WHERE {
  { ?n a lg:Incident } UNION {
    ?n a ?t ; skos:prefLabel ?label .
    VALUES ?t { lg:Person lg:TradeUnion lg:UnionFederation lg:GovernmentBody
                lg:InternationalOrganization lg:Company lg:CivilSocietyGroup lg:Media
                lg:ILOConvention lg:Legislation lg:Place } } }"""


def ids(data) -> set[str]:
    return {n.id.removeprefix(BASE) for n in data.nodes}


@pytest.fixture(scope="module")
def sources_view(built: Path):
    return view_data_from_store(open_store(built))


# ---------------------------------------------------------------- the store


def test_the_build_draws_what_the_store_holds(built: Path, sources_view, tmp_path: Path) -> None:
    """The build reads its view from the graphs it writes, `labourgraph view` from the store."""
    view.render(sources_view, tmp_path / "from-store.html")
    assert (tmp_path / "from-store.html").read_bytes() == (built / "network.html").read_bytes()


def test_facts_merge_in_any_order(built: Path, sources_view) -> None:
    """Facts read graph by graph and merged, either way round, draw what the union draws."""
    store = open_store(built)
    graphs = sorted(g.value for g in store.named_graphs())
    assert len(graphs) > 5
    parts = [
        collect(QuadScans(store.quads_for_pattern(None, None, None, ox.NamedNode(g))))
        for g in graphs
    ]
    for order in (parts, parts[::-1]):
        merged = ViewFacts()
        for part in order:
            merged.merge(part)
        assert view_data(merged) == sources_view


def test_every_actor_and_incident_is_a_node(built: Path, sources_view) -> None:
    count = next(rows(run_query(open_store(built), COUNT)))["count"]
    assert len(sources_view.nodes) == int(count) > 100
    known = {n.id for n in sources_view.nodes}
    assert all(e.source in known and e.target in known for e in sources_view.edges)


def test_evidence_is_unique_and_has_context(sources_view) -> None:
    for node in sources_view.nodes:
        keys = [(e.doc_id, e.start, e.end) for e in node.evidence]
        assert len(keys) == len(set(keys)) and keys == sorted(keys), node.label
    knprk = find_node(sources_view, "KNPRK")
    assert knprk.label == CNTUK
    assert any(e.prefix and e.suffix for e in knprk.evidence)


def test_one_span_quoted_two_ways_keeps_the_smallest_quote_whatever_the_order() -> None:
    """Two graphs with different quotes of one span (never seen in a build, where a span's
    key names the document that holds it): the view keeps the same one, merged either way."""

    node = "https://w3id.org/labourgraph/id/entity/x"

    def quoting(exact: str) -> ViewFacts:
        f = ViewFacts()
        f.lg_types[node].add("TradeUnion")
        f.values["pref"][node].add("X")
        f.quoted[node] = {("a.txt", 1, 2): (exact, "a.txt", *("",) * 4, 1, 2, "", "")}
        return f

    views = []
    for first, second in (("b", "a"), ("a", "b")):
        merged = quoting(first)
        merged.merge(quoting(second))
        views.append(view_data(merged))
    assert views[0] == views[1]
    assert [e.quote for e in views[0].nodes[0].evidence] == ["a"]


REPORTS_TRIG = """
@prefix lg: <https://w3id.org/labourgraph/ontology#> .
@prefix id: <https://w3id.org/labourgraph/id/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
id:ann-a oa:hasBody id:i ; oa:hasTarget id:t-a . id:t-a oa:hasSource id:doc-a ;
  oa:hasSelector id:q-a, id:p-a . id:q-a oa:exact "arrested" ; oa:prefix "was " .
id:p-a oa:start 10 ; oa:end 18 .
id:p a lg:Place ; skos:prefLabel "Almaty" .
id:ga {
  id:doc-a a lg:Document ; lg:sourcePath "a.txt" .
  id:i a lg:Incident ; lg:incidentType lg:Arrest ; rdfs:label "Arrest: X" ; lg:evidence id:ann-a ;
    sem:hasEarliestBeginTimeStamp "2017-01-01"^^xsd:date ;
    sem:hasLatestBeginTimeStamp "2017-01-31"^^xsd:date ;
    lg:datePrecision "month" ; lg:dateText "January 2017" ; sem:hasPlace id:p .
}
id:gb {
  id:doc-b a lg:Document ; lg:sourcePath "b.txt" .
  id:i a lg:Incident ; lg:incidentType lg:Arrest ; rdfs:label "Arrest: X" ;
    sem:hasEarliestBeginTimeStamp "2017-01-05"^^xsd:date ;
    sem:hasLatestBeginTimeStamp "2017-01-05"^^xsd:date ;
    lg:datePrecision "day" ; lg:dateText "5 January" .
}
"""


def test_reports_of_one_incident_do_not_multiply() -> None:
    """Two reports (graphs) of one incident: one node, the narrowest bounds, one quote."""
    store = ox.Store()
    store.load(REPORTS_TRIG.encode(), format=ox.RdfFormat.TRIG)
    data = view_data_from_store(store)
    (incident,) = [n for n in data.nodes if n.kind == "Incident"]
    assert (incident.date_earliest, incident.date_latest) == ("2017-01-05", "2017-01-05")
    assert (incident.precision, incident.place, incident.incident_type) == (
        "day",
        "Almaty",
        "Arrest",
    )
    # reached as the annotation's body and through lg:evidence: one piece of evidence
    (quote,) = incident.evidence
    assert (quote.quote, quote.doc_id, quote.start, quote.end) == ("arrested", "a.txt", 10, 18)
    assert (quote.prefix, quote.suffix) == ("was ", "")
    assert incident.reports == ("a.txt",) and incident.weight == 1
    assert [(e.kind, e.target.rsplit("/", 1)[1]) for e in data.edges] == [("place", "p")]


def test_an_incident_date_comes_whole_from_its_most_precise_report() -> None:
    # The coarse report's text sorts first: mixing fields would show "2017" as a day.
    trig = (
        REPORTS_TRIG.replace('"2017-01-31"', '"2017-12-31"')
        .replace('"month" ; lg:dateText "January 2017"', '"year" ; lg:dateText "2017"')
        .replace('lg:dateText "5 January"', 'lg:dateText "Thursday, 5 January"')
    )
    store = ox.Store()
    store.load(trig.encode(), format=ox.RdfFormat.TRIG)
    (incident,) = [n for n in view_data_from_store(store).nodes if n.kind == "Incident"]
    assert (incident.date_earliest, incident.date_latest, incident.precision) == (
        "2017-01-05",
        "2017-01-05",
        "day",
    )
    assert incident.date_text == "Thursday, 5 January"


# ---------------------------------------------------------------- parsing options


def test_parse_types() -> None:
    assert parse_types("person, trade union,HUNGER-strike,Incident") == (
        "Person",
        "TradeUnion",
        "HungerStrike",
        "Incident",
    )
    assert parse_types(["Arrest", "arrest"]) == ("Arrest",)
    with pytest.raises(ViewFilterError, match=r"^unknown type 'Arest', 'Union'; use any of Pers"):
        parse_types("Arest,Union")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),
        ("2019-03-04", date(2019, 3, 4), date(2019, 3, 4)),
    ],
)
def test_date_bound(text: str, first: date, last: date) -> None:
    assert date_bound(text) == first
    assert date_bound(text, end=True) == last


@pytest.mark.parametrize("text", ["19", "2019-13", "2019-02-30", "March 2019", ""])
def test_date_bound_rejects(text: str) -> None:
    with pytest.raises(ViewFilterError, match="is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"):
        date_bound(text)


# ---------------------------------------------------------------- narrowing


def test_find_node_by_any_alias() -> None:
    data = synthetic_view()
    for name in ("KNPRK", "knprk", " Конфедерация ", "konfederatsiya", f"{BASE}knprk", "KnPrK"):
        assert find_node(data, name).id == BASE + "knprk"
    assert find_node(data, "erlan eleusinov").id == BASE + "eleusinov"  # diacritics folded


def test_find_node_unknown_and_ambiguous() -> None:
    data = synthetic_view()
    with pytest.raises(ViewFilterError) as err:
        find_node(data, "Teachers Unoin")
    assert str(err.value) == (
        "--focus 'Teachers Unoin': no actor, convention, law or place has this name or alias "
        "(did you mean 'Teachers Union'?)"
    )
    twin = view.ViewNode(BASE + "twin", "Teachers Union", "TradeUnion", "")
    doubled = view.ViewData("x", (*data.nodes, twin), data.edges)
    with pytest.raises(ViewFilterError, match=r"2 nodes have this name or alias: Teachers Union"):
        find_node(doubled, "teachers union")


def test_focus_hops() -> None:
    data = synthetic_view()
    one = filter_view(data, focus="KNPRK", hops=1)
    assert ids(one) == {"knprk", "union_oil", "i_dereg", "i_state"}  # "missing" was dangling
    two = filter_view(data, focus="KNPRK", hops=2)
    assert {"court", "ituc", "aktau", "c87", "eleusinov", "i_strike"} <= ids(two)
    assert "i_kill" not in ids(two)
    assert two.title == data.title + " · around Confederation of Independent Trade Unions (2 hops)"
    assert all(e.source in {n.id for n in two.nodes} for e in two.edges)


def test_period_drops_incidents_and_what_only_they_linked() -> None:
    got = filter_view(synthetic_view(), since="2021", until="2022-02")
    incidents = {i for i in ids(got) if i.startswith("i_")}
    assert incidents == {"i_strike", "i_hunger", "i_dismiss"}  # the 2021 strike spans the year
    assert "company" in ids(got) and "union_oil" in ids(got)
    assert "leader2" not in ids(got)  # linked only by the 2019 prosecution
    assert "media" in ids(got)  # never linked to anything: not the period's business
    assert got.title.endswith(" · 2021 to 2022-02")
    with pytest.raises(ViewFilterError, match="--since 2023 is after --until 2022"):
        filter_view(synthetic_view(), since="2023", until="2022")


def test_types_and_focus_together() -> None:
    got = filter_view(synthetic_view(), types="Person,Arrest,Release")
    assert {"eleusinov", "leader2", "i_arrest", "i_release", "bad"} <= ids(got)
    assert not {"knprk", "i_strike", "aktau"} & ids(got)
    focused = filter_view(synthetic_view(), focus="ministry", types=["Incident"], hops=1)
    assert ids(focused) == {"ministry", "i_arrest", "i_release", "i_meet"}  # centre kept


def test_filter_is_deterministic(tmp_path: Path) -> None:
    data = synthetic_view()
    shuffled = view.ViewData(data.title, tuple(reversed(data.nodes)), tuple(reversed(data.edges)))
    a = filter_view(data, focus="KNPRK", since="2019")
    b = filter_view(shuffled, focus="KNPRK", since="2019")
    view.render(a, tmp_path / "a.html")
    view.render(b, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


# ---------------------------------------------------------------- the command


def run(*args: str):
    return CliRunner().invoke(main, ["view", *args])


def test_cli_view_focus(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "cntuk.html"
    result = run("--out", str(built), "-o", str(out), "--focus", "knprk", "--hops", "1")
    assert result.exit_code == 0, result.output
    data = view.unpack(out.read_text(encoding="utf-8"))
    assert (
        result.output == f"Wrote {out} ({len(data['nodes'])} nodes, {len(data['edges'])} links)\n"
    )
    labels = [n[1] for n in data["nodes"]]
    assert CNTUK in labels and 3 < len(labels) < 40
    again = tmp_path / "again.html"
    run("--out", str(built), "-o", str(again), "--focus", "CNTUK", "--hops", "1")
    assert again.read_bytes() == out.read_bytes()


def test_cli_view_filters_and_physics(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.html"
    result = run("--out", str(built), "-o", str(out), "--types", "Arrest,Person", "--physics")
    assert result.exit_code == 0, result.output
    data = view.unpack(out.read_text(encoding="utf-8"))
    types = {data["types"][n[4]][0] for n in data["nodes"]}
    assert types == {"Arrest", "Person"}
    assert data["options"]["physics"]["enabled"] is True
    assert data["title"] == "labourgraph · Arrest, Person"
    result = run("--out", str(built), "-o", str(out), "--since", "2017-03", "--no-physics")
    assert result.exit_code == 0, result.output
    data = view.unpack(out.read_text(encoding="utf-8"))
    assert all(n[10] >= "2017-03-01" for n in data["nodes"] if n[9])
    assert data["options"]["physics"]["enabled"] is False


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--focus", "No Such Union"],
            1,
            "Error: --focus 'No Such Union': no actor, convention, law or place has this name "
            "or alias",
        ),
        (["--types", "Arest"], 2, "Invalid value for '--types': unknown type 'Arest'; use any"),
        (["--since", "2019-13"], 2, "Invalid value for '--since': '2019-13' is not a date"),
        (["--hops", "2"], 2, "Error: --hops needs --focus ACTOR"),
    ],
)
def test_cli_view_errors(built: Path, tmp_path: Path, args, code: int, message: str) -> None:
    out = tmp_path / "never.html"
    result = run("--out", str(built), "-o", str(out), *args)
    assert result.exit_code == code
    assert message in result.output
    assert len(result.output.strip().splitlines()[-1]) > 20 and not out.exists()


@pytest.mark.parametrize("new", [3, 300])
def test_edges_made_ahead_and_patched_are_the_edges_sorted(new: int) -> None:
    """A few or many edges added since the edges were made ahead, and some gone."""
    from labourgraph.view_data import Joined, _view_edges

    def edge(i: int) -> tuple[str, str, str, str]:
        return (f"{BASE}incident/{i % 97:03d}", f"{BASE}entity/{i % 89:03d}", "agent", "agent")

    facts = ViewFacts()
    facts.edges = {edge(i) for i in range(0, 2000, 2)}
    joined = Joined()
    joined.join(facts)
    now = {e for e in facts.edges if int(e[1][-3:]) % 5} | {edge(2 * i + 1) for i in range(new)}
    assert now - facts.edges and facts.edges - now
    assert _view_edges(now, joined) == _view_edges(now) == [view.ViewEdge(*e) for e in sorted(now)]
    assert _view_edges(facts.edges, joined) is joined.view_edges
