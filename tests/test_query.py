"""Saved queries, bound parameters and result formats, on the build of the bundled sources."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from labourgraph.cli import main
from labourgraph.errors import QueryError
from labourgraph.query import (
    format_result,
    parse_query,
    resolved_text,
    run_on_store,
    saved_queries,
    saved_query,
    select,
    store_answers,
)
from labourgraph.store import (
    bind_values,
    is_update,
    mask_sparql,
    open_store,
    outer_group_start,
    run_query,
    sparql_literal,
    uses_service,
)
from rdflib import Dataset, Graph

# Values a required parameter gets in the tests: an alias, not the full name.
REQUIRED = {"actor": "KNPRK"}
PAYLOADS = [
    'x" } DROP ALL { ',
    "x' } DROP ALL { '",
    "}",
    "{",
    '") } UNION { ?s ?p ?o } #',
    "\\",
    '\\" } DROP ALL #',
    "KNPRK\n} DROP ALL {",
    "http://example.org/x> } DROP ALL { <http://example.org/y",
    "DROP ALL",
]


def run(built: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--out", str(built)])
    return result.exit_code, result.output


def quad_count(built: Path) -> int:
    return len(open_store(built))


def test_the_library_has_the_queries_an_analyst_asks_for() -> None:
    names = {q.name for q in saved_queries()}
    assert len(names) >= 12
    assert names >= {
        "incidents_by_country_year",
        "incidents",
        "actor",
        "posts",
        "affiliates",
        "most_targeted",
        "government_agents",
        "conventions_by_country",
        "timeline",
        "unreleased_detentions",
        "multi_source_incidents",
        "co_targeted",
    }


@pytest.mark.parametrize("q", saved_queries(), ids=lambda q: q.name)
def test_every_saved_query_has_a_header_and_uses_its_parameters(q) -> None:
    assert q.title != q.name and q.description, q.name
    assert q.text.startswith("# title: ")
    for p in q.parameters:
        assert f"?{p.name}" in q.text, (q.name, p.name)
        assert p.description, (q.name, p.name)
        assert p.required or p.default, (q.name, p.name)


@pytest.mark.parametrize("q", saved_queries(), ids=lambda q: q.name)
def test_every_saved_query_answers_on_the_sources(built: Path, q) -> None:
    args = ["query", q.name, "--format", "csv"]
    if "CONSTRUCT" in q.text:
        args[-1] = "turtle"
    for p in q.parameters:
        if p.required:
            args += ["--param", f"{p.name}={REQUIRED[p.name]}"]
    code, output = run(built, *args)
    assert code == 0, output
    if "CONSTRUCT" in q.text:
        g = Graph().parse(data=output, format="turtle")
        assert len(g) > 0
    else:
        body = list(csv.reader(io.StringIO(output)))
        assert len(body) >= 2, (q.name, output)  # a header and at least one row


def test_list_shows_every_query_with_its_parameters(built: Path) -> None:
    code, output = run(built, "query", "--list")
    assert code == 0
    for q in saved_queries():
        assert q.name in output and q.title in output
        for p in q.parameters:
            assert f"--param {p.name}=" in output
    assert "(default Arrest)" in output and "(required)" in output


def test_an_actor_is_found_by_any_alias_in_any_case(built: Path) -> None:
    answers = [
        select(built, "actor", actor=name)
        for name in (
            "KNPRK",
            "cntuk",
            "Confederation of Independent Trade Unions of Kazakhstan",
            "https://w3id.org/labourgraph/id/entity/cntuk",
        )
    ]
    assert answers[0], "KNPRK names nothing"
    assert all(a == answers[0] for a in answers)
    assert {r["entity"] for r in answers[0]} == {
        "Confederation of Independent Trade Unions of Kazakhstan"
    }
    # The actor query covers incidents and posts held in the organisation, each with a quote.
    assert {r["role"] for r in answers[0]} >= {"target", "organisation"}
    assert all(r["quote"] and r["document"] for r in answers[0])


def test_parameters_have_defaults(built: Path) -> None:
    assert select(built, "incidents") == select(built, "incidents", type="Arrest")
    assert select(built, "incidents", type="arrest") == select(built, "incidents", type="Arrest")
    assert select(built, "affiliates") == select(built, "affiliates", federation="ITUC")
    assert {r["member"] for r in select(built, "affiliates")} >= {
        "Confederation of Independent Trade Unions of Kazakhstan"
    }


def test_a_saved_query_refuses_a_parameter_it_does_not_have(built: Path) -> None:
    code, output = run(built, "query", "posts", "--param", "actor=KNPRK")
    assert code == 1
    assert output.strip() == "Error: query 'posts' has no parameter 'actor'; it takes no parameters"
    code, output = run(built, "query", "timeline")
    assert output.strip() == "Error: query 'timeline' needs --param actor=..."


def test_unknown_query_name_lists_the_names(built: Path) -> None:
    code, output = run(built, "query", "nonesuch")
    assert code == 1
    assert output.startswith("Error: no saved query named 'nonesuch'; saved queries: actor, ")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_through_param_is_a_plain_value(built: Path, payload: str) -> None:
    before = quad_count(built)
    code, output = run(built, "query", "actor", "--param", f"actor={payload}")
    assert code == 0, output
    assert output == "(no results)\n"
    code, output = run(built, "query", "incidents", "--param", f"type={payload}", "--format", "csv")
    assert code == 0, output
    assert output.splitlines() == [
        "incident,date,earliest,targets,agents,count,place,quote,document"
    ]
    assert quad_count(built) == before


def test_a_value_with_quotes_still_matches_as_written(built: Path) -> None:
    # The same binding that defuses a payload keeps an ordinary value intact.
    found = select(built, "SELECT ?n WHERE { BIND(STR(?v) AS ?n) }", v='a "quoted" \\ value\n')
    assert found == [{"n": 'a "quoted" \\ value\n'}]


def test_formats_table_csv_tsv_json(built: Path) -> None:
    code, table = run(built, "query", "posts")
    assert code == 0
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["person", "title", "role"]
    assert set(lines[1]) == {"-", " "}
    assert lines[-1].endswith("rows)")
    _, as_csv = run(built, "query", "posts", "--format", "csv")
    _, as_tsv = run(built, "query", "posts", "--format", "tsv")
    rows_csv = list(csv.reader(io.StringIO(as_csv)))
    rows_tsv = list(csv.reader(io.StringIO(as_tsv), delimiter="\t"))
    assert rows_csv == rows_tsv
    assert rows_csv[0] == ["person", "title", "role", "organisation", "as_of", "quote", "document"]
    _, as_json = run(built, "query", "posts", "--format", "json")
    answer = json.loads(as_json)
    assert answer["head"]["vars"] == rows_csv[0]
    bindings = answer["results"]["bindings"]
    assert len(bindings) == len(rows_csv) - 1
    assert bindings[0]["person"]["type"] == "literal"


def test_construct_gives_turtle_json_ld_or_a_table_of_triples(built: Path) -> None:
    code, turtle = run(
        built, "query", "actor_graph", "--param", "actor=KNPRK", "--format", "turtle"
    )
    assert code == 0
    g = Graph().parse(data=turtle, format="turtle")
    code, jsonld = run(built, "query", "actor_graph", "--param", "actor=KNPRK", "--format", "json")
    assert code == 0
    ds = Dataset().parse(data=jsonld, format="json-ld")
    assert len(ds) == len(g) > 0
    code, output = run(built, "query", "actor_graph", "--param", "actor=KNPRK", "--format", "csv")
    assert code == 0
    triples = list(csv.reader(io.StringIO(output)))
    assert triples[0] == ["subject", "predicate", "object"]
    assert len(triples) - 1 == len(g)
    code, output = run(built, "query", "posts", "--format", "turtle")
    assert output.strip() == "Error: --format turtle is for CONSTRUCT queries"


def test_ask_and_ad_hoc_queries_use_the_project_prefixes(built: Path) -> None:
    code, output = run(built, "query", "-q", "ASK { ?i a lg:Incident }")
    assert (code, output) == (0, "true\n")
    code, output = run(built, "query", "-q", "SELECT ?x WHERE { BIND(?v AS ?x) }", "--param", "v=1")
    assert code == 0 and "1" in output


def test_a_query_file_gets_its_header_defaults(built: Path, tmp_path: Path) -> None:
    rq = tmp_path / "mine.rq"
    rq.write_text(
        "# title: Mine\n# param: kind (default: Killing) an incident type\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?i lg:incidentType ?t "
        "FILTER(STRAFTER(STR(?t), STR(lg:)) = ?kind) }\n"
    )
    code, by_default = run(built, "query", "-f", str(rq), "--format", "csv")
    assert code == 0
    _, given = run(built, "query", "-f", str(rq), "--format", "csv", "--param", "kind=Killing")
    assert by_default == given and by_default != "n\n0\n"


def test_a_syntax_error_is_one_line(built: Path) -> None:
    code, output = run(built, "query", "-q", "SELECT ?x WHERE {")
    assert code == 1
    assert output.startswith("Error: query failed: ") and output.count("\n") == 1


# --- resolvers: a name or type resolved to its IRIs before the query runs ----------------------

CNTUK = "https://w3id.org/labourgraph/id/entity/cntuk"
ITUC = "https://w3id.org/labourgraph/id/entity/ituc"
HOSTILE = ['x" } ; DROP ALL ; #', "> ?e . }", "> ?f . } DROP ALL { <x", CNTUK + "> } DROP ALL { <x"]
# Values of each resolved parameter: aliases in any case, a full name, an IRI, an unknown name.
RESOLVED = {
    "actor": [
        "KNPRK",
        "knprk",
        "cntuk",
        "Confederation of Independent Trade Unions of Kazakhstan",
        "CONFEDERATION OF INDEPENDENT TRADE UNIONS OF KAZAKHSTAN",
        CNTUK,
        "ituc",
        "police",
        "nobody at all",
        "https://w3id.org/labourgraph/id/entity/nobody",
        *HOSTILE,
    ],
    "federation": [
        "ITUC",
        "ituc",
        "International Trade Union Confederation",
        ITUC,
        "none",
        *HOSTILE,
    ],
    "type": ["Arrest", "arrest", "HUNGER STRIKE", "hungerstrike", "Statement", "nothing", *HOSTILE],
}
RESOLVED_CASES = [
    (q, value)
    for q in saved_queries()
    if q.resolvers
    for p in q.parameters
    for value in RESOLVED[p.name]
]


def answer_text(result) -> str:
    """A result as CSV (a CONSTRUCT's triples sorted), to compare two runs byte for byte."""
    return format_result(result, "csv")


def test_name_and_type_parameters_are_resolved_before_the_query_runs() -> None:
    resolved = {q.name: [r.variable for r in q.resolvers] for q in saved_queries() if q.resolvers}
    assert resolved == {
        "actor": ["e"],
        "actor_graph": ["e"],
        "affiliates": ["f"],
        "incidents": ["t"],
        "timeline": ["e"],
    }
    for q in saved_queries():
        for r in q.resolvers:
            body = "\n".join(line for line in q.text.splitlines() if not line.startswith("#"))
            assert f"?{r.variable} " in body, q.name
            assert r.sparql.upper().startswith("SELECT")


@pytest.mark.parametrize(
    ("q", "value"), RESOLVED_CASES, ids=[f"{q.name}-{v[:20]}" for q, v in RESOLVED_CASES]
)
def test_a_resolved_query_answers_exactly_as_its_filter_alone(built: Path, q, value: str) -> None:
    store = open_store(built)
    given = {q.parameters[0].name: value}
    before = len(store)
    resolved = answer_text(run_on_store(store, q, given))
    plain = answer_text(run_query(store, q.text, q.values(given)))
    assert resolved == plain
    assert len(store) == before


def test_resolvers_bind_the_iris_a_name_denotes(built: Path) -> None:
    store = open_store(built)
    actor = saved_query("actor")
    for name in (
        "KNPRK",
        "cntuk",
        "Confederation of Independent Trade Unions of Kazakhstan",
        CNTUK,
    ):
        text = resolved_text(actor, actor.values({"actor": name}), store_answers(store))
        assert f"VALUES ?e {{ <{CNTUK}> }}" in text, name
    incidents = saved_query("incidents")
    text = resolved_text(
        incidents, incidents.values({"type": "hunger strike"}), store_answers(store)
    )
    assert "VALUES ?t { <https://w3id.org/labourgraph/ontology#HungerStrike> }" in text
    # A name that names nothing binds no IRI: the answer is empty at once.
    for value in ("nobody at all", *HOSTILE):
        text = resolved_text(actor, actor.values({"actor": value}), store_answers(store))
        assert "VALUES ?e { <urn:labourgraph:nothing> }" in text
        assert "DROP" not in text
        assert select(built, "actor", actor=value) == []
    assert select(built, "actor", actor="cntuk") == select(built, "actor", actor="KNPRK") != []


def test_the_cli_and_the_api_run_the_resolved_query(built: Path) -> None:
    store = open_store(built)
    timeline = saved_query("timeline")
    plain = answer_text(run_query(store, timeline.text, {"actor": "Knprk"}))
    code, output = run(built, "query", "timeline", "--param", "actor=Knprk", "--format", "csv")
    assert code == 0 and output == plain and output.count("\n") > 2
    rows = list(csv.DictReader(io.StringIO(plain)))
    assert select(built, "timeline", actor="Knprk") == rows


def test_only_iris_are_written_into_the_query() -> None:
    q = parse_query(
        "x",
        "# title: X\n# param: v (required) V\n"
        "# resolve: SELECT DISTINCT ?e WHERE { ?e ?p ?v }\n"
        "SELECT ?e WHERE { ?e ?p ?o }\n",
    )
    assert [(r.variable, r.sparql) for r in q.resolvers] == [
        ("e", "SELECT DISTINCT ?e WHERE { ?e ?p ?v }")
    ]
    seen = []

    def answers(found):
        def run(sparql):
            seen.append(sparql)
            return found

        return run

    text = resolved_text(q, {"v": "a"}, answers(["http://example.org/b", "http://example.org/a"]))
    assert "VALUES ?e { <http://example.org/a> <http://example.org/b> }\n" in text
    assert seen == ['SELECT DISTINCT ?e WHERE {\nVALUES (?v) { ("a") }\n ?e ?p ?v }']
    # Not an IRI (a blank node or literal answer), or not a valid one: the query is left as is.
    for found in ([None], ["http://example.org/a", None], ["http://x> } DROP ALL { <http://y"]):
        assert resolved_text(q, {"v": "a"}, answers(found)) == q.text
    nothing = resolved_text(q, {"v": "a"}, answers([]))
    assert nothing.count("VALUES ?e { <urn:labourgraph:nothing> }") == 1


def test_a_resolve_line_must_be_a_select_of_one_variable() -> None:
    with pytest.raises(QueryError):
        parse_query("x", "# resolve: DROP ALL\nSELECT * {}\n")
    with pytest.raises(QueryError):
        parse_query("x", "# resolve: SELECT ?a ?b WHERE { ?a ?p ?b }\nSELECT * {}\n")


# --- the binding machinery itself -------------------------------------------------------------


def test_values_go_into_the_outer_where_group() -> None:
    q = 'CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s WHERE { ?s ?p "{" } } }'
    bound = bind_values(q, {"a": "1"})
    assert bound.startswith('CONSTRUCT { ?s ?p ?o } WHERE {\nVALUES (?a) { ("1") }\n')
    q = "# WHERE { in a comment\nSELECT (EXISTS { ?a ?b ?c } AS ?e) { ?s ?p ?o }"
    assert outer_group_start(q) == q.index("{ ?s") + 1
    with pytest.raises(QueryError):
        outer_group_start("SELECT ?x")


def test_literals_escape_what_could_end_them() -> None:
    assert sparql_literal('a"b\\c\nd\re') == '"a\\"b\\\\c\\nd\\re"'
    assert bind_values("SELECT * WHERE { }", {"v": "http://example.org/x"}).count("<http") == 1
    # Not a valid IRI: bound as a string, so it cannot close the IRI early.
    bound = bind_values("SELECT * WHERE { }", {"v": "http://x> } DROP ALL {"})
    assert '"http://x> } DROP ALL {"' in bound


def test_parameter_names_must_be_plain() -> None:
    with pytest.raises(QueryError):
        bind_values("SELECT * WHERE { }", {"a) } DROP ALL {": "x"})


def test_masking_keeps_offsets_and_hides_data() -> None:
    q = 'SELECT * { ?s ?p "SERVICE { }" . <http://a#b> ?q ?r } # SERVICE'
    masked = mask_sparql(q)
    assert len(masked) == len(q)
    assert "SERVICE" not in masked and "#" not in masked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", True),
        ("select * { service silent ?e { ?s ?p ?o } }", True),
        ("SELECT * {?s ?p ?o .SERVICE<http://x>{}}", True),
        ("SELECT * { ?service ?p ex:service . ?s ?p 'SERVICE' } # SERVICE", False),
        ("PREFIX service: <http://x/> SELECT * { ?s service:p ?o }", False),
    ],
)
def test_service_is_recognised(text: str, expected: bool) -> None:
    assert uses_service(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DROP ALL", True),
        ("PREFIX a: <http://x> INSERT DATA { a:s a:p a:o }", True),
        ("# note\n delete where { ?s ?p ?o }", True),
        ("BASE <http://x/> WITH <g> DELETE { } WHERE { }", True),
        ("PREFIX insert: <http://x/> SELECT * { ?s insert:p ?o }", False),
        ("SELECT * { ?s ?p 'DROP ALL' }", False),
    ],
)
def test_updates_are_recognised(text: str, expected: bool) -> None:
    assert is_update(text) is expected


def test_a_header_is_read_only_from_leading_comments() -> None:
    q = parse_query(
        "x", "# title: T\n# param: a (required) A\nSELECT * {}\n# param: b (default: 1) B\n"
    )
    assert [p.name for p in q.parameters] == ["a"]
    assert q.params == (("a", True),)
