"""Judgements, the review queue and explain, on real builds of the bundled sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from labourgraph.build import build
from labourgraph.cli import main
from labourgraph.judgements import JudgementError, load
from labourgraph.query import select
from labourgraph.store import open_store
from labourgraph.view import render, unpack
from labourgraph.view_data import view_data_from_store

from .conftest import SOURCES, nquads

ENTITY = "https://w3id.org/labourgraph/id/entity/"
WHO = {"who": "Ana", "when": "2024-05-02"}


def _review(out: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["review", "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["items"]


def _near_miss(items: list[dict], left: str, right: str) -> list[dict]:
    return [
        i for i in items if i["kind"] == "near_miss" and left in i["text"] and right in i["text"]
    ]


@pytest.fixture(scope="module")
def rejected(built: Path) -> dict[str, str]:
    """A killing reported by one document in the plain build: the incident to reject."""
    found = select(
        built,
        """SELECT ?i (SAMPLE(?path) AS ?doc) WHERE { GRAPH ?g { ?i lg:incidentType lg:Killing ;
             prov:wasDerivedFrom/lg:sourcePath ?path } } GROUP BY ?i HAVING (COUNT(DISTINCT ?g) = 1)
           ORDER BY ?i LIMIT 1""",
    )
    assert found
    return {"iri": found[0]["i"], "id": found[0]["i"].rsplit("/", 1)[1], "doc": found[0]["doc"]}


@pytest.fixture(scope="module")
def judged(built: Path, rejected: dict[str, str], tmp_path_factory) -> tuple[Path, list[str]]:
    """A build of a copy of ``sources/`` with a judgements.yaml, and the lines it printed."""
    src = tmp_path_factory.mktemp("judged") / "sources"
    shutil.copytree(SOURCES, src)
    ok_item = next(i["id"] for i in _review(built) if i["kind"] == "no_date")
    entries = [
        {"not_same": ["CNTUK", "KNPRK"], **WHO, "why": "two bodies"},
        {
            "same": ["Russia and Central-Asia constituency", "Central-Asian constituency"],
            **WHO,
            "why": "one body",
        },
        {"not_same": ["Aset Matayev", "Seitkazy Matayev"], **WHO, "why": "father and son"},
        {"reject": rejected["id"], "who": "Ben", "when": "2024-05-03", "why": "not a killing"},
        {
            "alias": {"entity": "cntuk", "add": "Kazakh independent confederation"},
            **WHO,
            "why": "x",
        },
        {"same": ["Nobody Atall", "Sharan Burrow"], **WHO, "why": "stale"},
        {"type": {"entity": "KazTAG", "to": "Company"}, **WHO, "why": "a private agency"},
        {"title": {"entity": "Nurbek Kushakbaev", "to": "Chair"}, **WHO, "why": "t"},
        {"reject": ["cntuk", "affiliated_to", "ITUC"], **WHO, "why": "not in these texts"},
        {"ok": ok_item, **WHO, "why": "fine as it is"},
        {
            "add": {
                "incident": "Arrest",
                "targets": ["Larisa Kharkova"],
                "agents": ["Police of Kazakhstan"],
                "date": "2017-04",
                "document": "002_e92af2c9544389e4.txt",
                "quote": "CNTUK President Larisa Kharkova",
            },
            **WHO,
            "why": "by hand",
        },
        {
            "add": {
                "incident": "Arrest",
                "targets": ["Larisa Kharkova"],
                "document": "002_e92af2c9544389e4.txt",
                "quote": "words the letter never wrote",
            },
            **WHO,
            "why": "misquoted",
        },
    ]
    (src / "judgements.yaml").write_text(yaml.safe_dump(entries, sort_keys=False), "utf-8")
    out = src.parent / "out"
    lines: list[str] = []
    build([src], out, echo=lines.append)
    return out, lines, ok_item


def _entities_with_alias(out: Path, alias: str) -> set[str]:
    found = select(out, "SELECT ?e ?a WHERE { ?e skos:prefLabel|skos:altLabel ?a }")
    return {r["e"] for r in found if r["a"] == alias}


def test_not_same_splits_a_pair_the_curated_aliases_merge(built: Path, judged) -> None:
    assert _entities_with_alias(built, "KNPRK") == _entities_with_alias(built, "CNTUK")
    out = judged[0]
    knprk, cntuk = _entities_with_alias(out, "KNPRK"), _entities_with_alias(out, "CNTUK")
    assert knprk == {ENTITY + "knprk"} and cntuk == {ENTITY + "cntuk"}
    report = json.loads((out / "report.json").read_text())
    assert any(
        "'KNPRK'" in b and "same reference id cntuk" in b for b in report["judgements"]["blocked"]
    )


def test_same_merges_a_pair_the_resolver_kept_apart(built: Path, judged) -> None:
    a, b = "Russia and Central-Asia constituency", "Central-Asian constituency"
    assert _entities_with_alias(built, a) != _entities_with_alias(built, b)
    out = judged[0]
    assert (
        _entities_with_alias(out, a)
        == _entities_with_alias(out, b)
        == {ENTITY + "russia-and-central-asia-constituency"}
    )
    reasons = select(
        out,
        "SELECT ?r WHERE { ?e lg:mergeReason ?r }",
        e=ENTITY + "russia-and-central-asia-constituency",
    )
    assert "judged same by Ana on 2024-05-02: one body" in {r["r"] for r in reasons}


def test_judged_entities_carry_the_judgement_as_provenance(judged) -> None:
    found = select(
        judged[0],
        """SELECT ?e ?who ?when ?why ?decision WHERE { ?e lg:judgement ?j .
           ?j a lg:Judgement ; lg:judgedBy ?who ; dcterms:created ?when ; lg:reason ?why ;
              lg:decision ?decision }""",
    )
    rows = {(r["e"], r["decision"], r["who"], r["when"], r["why"]) for r in found}
    assert (ENTITY + "knprk", "not_same", "Ana", "2024-05-02", "two bodies") in rows
    assert (ENTITY + "cntuk", "alias", "Ana", "2024-05-02", "x") in rows
    aliases = select(judged[0], "SELECT ?a WHERE { ?e skos:altLabel ?a }", e=ENTITY + "cntuk")
    assert "Kazakh independent confederation" in {r["a"] for r in aliases}


def test_rejected_incident_leaves_graph_view_and_exports(
    built: Path, judged, rejected, tmp_path: Path
) -> None:
    out = judged[0]
    iri = rejected["iri"]
    for where, present in ((built, True), (out, False)):
        assert (iri in nquads(where)) is present
        view = json.dumps(unpack((where / "network.html").read_text(encoding="utf-8")))
        assert (iri.split("/id/", 1)[1] in view) is present  # the view writes IRIs after a base
    assert select(out, "SELECT ?p WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?s = ?i) }", i=iri) == []
    runner = CliRunner()
    counts = {}
    for label, where in (("before", built), ("after", out)):
        dest = tmp_path / label
        for fmt, name in (("csv", "csv"), ("facts", "facts"), ("graphml", "g.graphml")):
            result = runner.invoke(main, ["export", fmt, str(dest / name), "--out", str(where)])
            assert result.exit_code == 0, result.output
        text = (dest / "csv" / "nodes.csv").read_text() + (dest / "g.graphml").read_text()
        assert (iri in text) == (label == "before")
        facts = yaml.safe_load(
            (dest / "facts" / rejected["doc"].replace(".txt", ".yaml")).read_text()
        )
        counts[label] = sum(e["type"] == "Killing" for e in facts["events"])
    assert counts["after"] == counts["before"] - 1


def test_the_judged_view_is_what_its_store_holds(judged, tmp_path: Path) -> None:
    """The build draws from the graphs it writes; judged graphs included, the store agrees."""
    out = judged[0]
    render(view_data_from_store(open_store(out)), tmp_path / "from-store.html")
    assert (tmp_path / "from-store.html").read_bytes() == (out / "network.html").read_bytes()


def test_review_lists_a_near_miss_before_and_not_after_it_is_judged(built: Path, judged) -> None:
    before = _near_miss(_review(built), "Aset Matayev", "Seitkazy Matayev")
    assert len(before) == 1
    assert any(
        s.startswith("- {not_same: [Aset Matayev, Seitkazy Matayev]") for s in before[0]["decide"]
    )
    after = _review(judged[0])
    assert _near_miss(after, "Aset Matayev", "Seitkazy Matayev") == []
    assert judged[2] not in {i["id"] for i in after}  # settled by an `ok` judgement


def test_review_ids_are_stable_and_the_queue_is_ordered(built: Path, judged) -> None:
    before, after = _review(built), _review(judged[0])
    kinds = [i["kind"] for i in before]
    order = ["near_miss", "no_agent", "no_date", "unknown_title", "unknown_place", "seen_once"]
    assert kinds == sorted(kinds, key=order.index) and kinds[0] == "near_miss"
    # Judging one thing does not renumber the rest.
    same = {i["id"]: i["text"] for i in before}.items() & {
        i["id"]: i["text"] for i in after
    }.items()
    assert len(same) > len(before) // 2
    text = CliRunner().invoke(main, ["review", "--limit", "1", "--out", str(built)]).output
    assert (
        text.startswith("1. [near miss ") and f"{len(before)} items to review (showing 1)" in text
    )


def test_explain_shows_why_mentions_were_merged(built: Path, judged) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["explain", "knprk", "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Confederation of Independent Trade Unions of Kazakhstan (UnionFederation, cntuk)"
    )
    # Joined its key's group: the group names it, not the group's first mention elsewhere.
    assert "'KNPRK' [gazetteer]: same reference id cntuk\n" in result.output
    result = runner.invoke(main, ["explain", "CENTRAL-ASIAN CONSTITUENCY", "--out", str(judged[0])])
    assert result.exit_code == 0, result.output
    assert "'Central-Asian constituency' [" in result.output
    assert "judged same by Ana on 2024-05-02: one body (with " in result.output
    assert (
        "same: Russia and Central-Asia constituency / Central-Asian constituency: by Ana on 2024-05-02: one body"
        in result.output
    )
    missing = runner.invoke(main, ["explain", "Kharkova", "--out", str(built)])
    assert missing.exit_code == 1
    assert (
        missing.output
        == "Error: 'Kharkova': no entity has this id, name or alias (did you mean 'larisa kharkova'?)\n"
    )


def test_judgements_naming_nothing_are_reported_not_dropped(judged) -> None:
    out, lines, _ = judged
    stale = [ln for ln in lines if ln.startswith("Judgement: ")]
    assert len(stale) == 2, lines
    assert stale[0].endswith(
        "judgements.yaml: entry 6 (same): 'Nobody Atall' names nothing in this build (not applied)"
    )
    assert "entry 12 (add): the quote is not verbatim in 002_e92af2c9544389e4.txt" in stale[1]
    report = json.loads((out / "report.json").read_text())["judgements"]
    problems = [u["problem"] for u in report["unmatched"]]
    assert problems[0] == "'Nobody Atall' names nothing in this build"
    assert len(report["applied"]) == 10


def test_a_hand_added_fact_is_cited_and_judged(judged) -> None:
    found = select(
        judged[0],
        """SELECT ?quote ?start ?end ?who WHERE { GRAPH ?g { ?i lg:incidentType lg:Arrest ;
             lg:hasTarget ?who_ ; lg:judgement ?j ; lg:evidence ?a .
             ?a oa:hasTarget/oa:hasSelector ?q, ?p . ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end }
           ?j lg:judgedBy ?who }""",
        who_=ENTITY + "larisa-kharkova",
    )
    assert len(found) == 1
    r = found[0]
    text = (SOURCES / "002_e92af2c9544389e4.txt").read_text(encoding="utf-8")
    assert text[int(r["start"]) : int(r["end"])] == r["quote"] == "CNTUK President Larisa Kharkova"
    result = CliRunner().invoke(main, ["validate", "--out", str(judged[0])])
    assert result.exit_code == 0, result.output


def test_a_malformed_entry_is_one_line_naming_file_and_entry(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("The ITUC wrote to the ILO.\n")
    (src / "judgements.yaml").write_text(
        "- {same: [A, B], who: Ana, when: 2024-05-02, why: ok}\n- {same: [A, B], who: Ana, when: soon, why: x}\n"
    )
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {src / 'judgements.yaml'}: entry 2: needs 'when:' as a date, YYYY-MM-DD\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            "{same: [A], who: a, when: 2024-01-01, why: b}",
            "entry 1: same: expected two names, [A, B]",
        ),
        ("{same: [A, a], who: a, when: 2024-01-01, why: b}", "entry 1: same: both names are 'A'"),
        (
            "{reject: [A, knows, B], who: a, when: 2024-01-01, why: b}",
            "relation type 'knows' is not one of",
        ),
        (
            "{type: {entity: A, to: Unicorn}, who: a, when: 2024-01-01, why: b}",
            "type 'Unicorn' is not one of",
        ),
        ("{same: [A, B], who: a, when: 2024-01-01}", "entry 1: needs 'why:' with some text"),
        (
            "{same: [A, B], not_same: [A, B], who: a, when: 2024-01-01, why: b}",
            "needs exactly one decision",
        ),
        ("{same: [A, B], wy: x, who: a, when: 2024-01-01, why: b}", "entry 1: unknown key 'wy'"),
        (
            "{add: {incident: Arrest, document: d, quote: q}, who: a, when: 2024-01-01, why: b}",
            "needs agents or targets",
        ),
        (
            "{add: {incident: Arrest, targets: [A], date: 2024-13, document: d, quote: q}, who: a, when: 2024-01-01, why: b}",
            "date '2024-13'",
        ),
    ],
)
def test_entries_are_checked(tmp_path: Path, entry: str, problem: str) -> None:
    path = tmp_path / "judgements.yaml"
    path.write_text(f"- {entry}\n")
    with pytest.raises(JudgementError) as exc:
        load([path])
    assert str(exc.value).startswith(f"{path}: entry 1: ")
    assert problem in str(exc.value)


def test_judgement_ids_depend_on_content_not_position(tmp_path: Path) -> None:
    a = "- {same: [A, B], who: a, when: 2024-01-01, why: b}\n"
    b = "- {not_same: [C, D], who: a, when: 2024-01-01, why: b}\n"
    (tmp_path / "1.yaml").write_text(a + b)
    (tmp_path / "2.yaml").write_text(b + a)
    first, second = load([tmp_path / "1.yaml"]), load([tmp_path / "2.yaml"])
    assert {j.id for j in first} == {j.id for j in second}
    assert first[0].id == second[1].id and first[0].number == 1 and second[1].number == 2


def test_type_title_and_relation_judgements_change_the_graph(built: Path, judged) -> None:
    out = judged[0]
    kaztag = select(out, "SELECT ?t WHERE { ?e a ?t }", e=ENTITY + "kaztag")
    assert {r["t"].rsplit("#", 1)[1] for r in kaztag} == {"Company"}
    posts = """SELECT ?title ?role ?j WHERE { ?p a lg:Position ; org:member ?e ; lg:title ?title .
               OPTIONAL { ?p org:role ?role } OPTIONAL { ?p lg:judgement ?j } }"""
    before = select(built, posts, e=ENTITY + "nurbek-kushakbaev")
    after = select(out, posts, e=ENTITY + "nurbek-kushakbaev")
    assert before and "Chair" not in {r["title"] for r in before}
    assert {(r["title"], r["role"].rsplit("/", 1)[1], bool(r["j"])) for r in after} == {
        ("Chair", "chair", True)
    }
    affiliation = "SELECT ?a WHERE { ?a a lg:Affiliation ; org:member ?e ; org:organization ?o }"
    assert select(built, affiliation, e=ENTITY + "cntuk", o=ENTITY + "ituc")
    assert select(out, affiliation, e=ENTITY + "cntuk", o=ENTITY + "ituc") == []


def test_review_json_reads_back_as_the_items_written(built: Path) -> None:
    from dataclasses import asdict

    from labourgraph.review import read, to_json

    items = read(built)
    assert items and to_json(items) == (built / "review.json").read_text(encoding="utf-8")
    # The hand-written dict of an item is dataclasses.asdict's, field for field.
    assert json.loads(to_json(items))["items"] == json.loads(json.dumps([asdict(i) for i in items]))


def test_ids_are_written_plain_exactly_when_yaml_would() -> None:
    import random

    from labourgraph import review

    rng = random.Random(1)
    ids = ["0", "08", "0123", "123456789012", "0b1", "0b", "0b1f", "1e5", "deadbeef", "e"]
    ids += [
        "".join(rng.choices("0123456789abcdef", k=rng.choice([1, 2, 3, 12, 16])))
        for _ in range(5000)
    ]
    for text in ids:
        by_resolver = bool(review._PLAIN.fullmatch(text)) and (
            review._RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == review._STR
        )
        assert review._plain(text) is by_resolver, text


@pytest.mark.parametrize(
    "value",
    [
        "ab12cd34ef56",
        "Kuat Nurbek",
        "yes",
        "a: b",
        ["Nurbek Kushakbaev", "Kuat Eleusinov"],
        ["O'Neil", "null"],
        ("x", "1.5"),
        {"entity": "cntuk", "to": "TYPE"},
        {"entity": "place-x", "to": "true"},
        {"entity": "Nurbek Kushakbaev", "organisation": "KNPRK", "to": "TITLE"},
        {"entity": "#hash"},
        7,
    ],
)
def test_snippets_read_as_yaml_writes_them(value: object) -> None:
    """The plain snippets written by hand are the YAML emitter's, byte for byte."""
    from labourgraph import review

    entry = {"same": value, "who": "NAME", "when": "YYYY-MM-DD", "why": "REASON"}
    by_yaml = yaml.safe_dump(
        entry, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**6
    )
    assert review.snippet("same", value) == "- " + by_yaml.strip()
