"""Tests for the extraction scorer (labourgraph.scoring)."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLD_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "annotations" / "gold" / "seeds"
SEED_TEXTS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

try:
    from labourgraph import scoring
except ModuleNotFoundError:  # package not installed yet: the module is standalone, load its file
    _spec = importlib.util.spec_from_file_location(
        "labourgraph.scoring", REPO / "graph" / "scoring.py"
    )
    assert _spec is not None and _spec.loader is not None
    scoring = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = scoring  # dataclasses look their module up here
    _spec.loader.exec_module(scoring)

PERFECT = scoring.PRF(1.0, 1.0, 1.0)

TEXT_A = (
    "The ITUC condemned the arrest of KNPRK Deputy\n"
    "President Nurbek Kushakbaev by the authorities.\n"
    "We call on the authorities to release him."
)


def _entity(ident: str, type_: str, name: str, *mentions: str) -> dict:
    return {"id": ident, "type": type_, "name": name, "mentions": list(mentions)}


def _gold() -> dict[str, dict]:
    """Two small documents: 7 (document, entity) pairs, 2 relations, 3 events."""
    ituc = _entity("ituc", "UnionFederation", "International Trade Union Confederation", "ITUC")
    gov = _entity(
        "kazakhstan-government", "GovernmentBody", "Government of Kazakhstan", "authorities"
    )
    cntuk = _entity(
        "cntuk", "UnionFederation", "Confederation of Independent Trade Unions", "KNPRK"
    )
    nurbek = _entity("nurbek-kushakbaev", "Person", "Nurbek Kushakbaev", "Nurbek Kushakbaev")
    return {
        "a.txt": {
            "document": "a.txt",
            "entities": [ituc, gov, nurbek, cntuk],
            "relations": [
                ["nurbek-kushakbaev", "position", "cntuk", "Deputy President"],
                ["cntuk", "affiliated_to", "ituc", None],
            ],
            "events": [
                {
                    "type": "Arrest",
                    "date": "2017-01",
                    "agents": ["kazakhstan-government"],
                    "targets": ["nurbek-kushakbaev"],
                    "quote": "the arrest of KNPRK Deputy President Nurbek Kushakbaev",
                },
                {
                    "type": "Statement",
                    "date": "2017-01-23",
                    "agents": ["ituc"],
                    "targets": ["kazakhstan-government"],
                    "quote": "We call on the authorities to release him",
                },
            ],
        },
        "b.txt": {
            "document": "b.txt",
            "entities": [copy.deepcopy(e) for e in (ituc, cntuk, gov)],
            "relations": [],
            "events": [
                {
                    "type": "Deregistration",
                    "date": 2017,
                    "agents": ["kazakhstan-government"],
                    "targets": ["cntuk"],
                }
            ],
        },
    }


def _one_event(date: object) -> dict[str, dict]:
    """A single-document, single-event facts dict with the given event date."""
    facts = _gold()["a.txt"]
    facts["events"] = [dict(facts["events"][0], date=date)]
    return {"a.txt": facts}


def test_fold_ignores_case_punctuation_space_and_accents() -> None:
    assert scoring.fold("Nur-Sultan") == scoring.fold("NurSultan") == "nursultan"
    assert scoring.fold("Kazakhstan’s  Constitution") == "kazakhstansconstitution"
    assert scoring.fold("Zhanaözen") == "zhanaozen"


@pytest.mark.skipif(not GOLD_SEEDS.is_dir(), reason="seed gold not found next to the repo")
def test_seed_gold_against_itself_is_perfect() -> None:
    gold = scoring.load_facts_dir(GOLD_SEEDS)
    with_document = [f for f in GOLD_SEEDS.glob("*.yaml") if "document:" in f.read_text()]
    assert len(gold) == len(with_document) >= 5  # the entities.yaml registry is skipped
    texts = {doc: (SEED_TEXTS / doc).read_text(encoding="utf-8") for doc in gold}

    s = scoring.score(gold, gold, texts)

    for metric in (s.entity_typed, s.entity_untyped, s.identity, s.relation, s.event):
        assert metric == PERFECT
    assert s.role_accuracy == s.date_accuracy == s.quotes_verbatim == 1.0
    assert all(d.entity_f1 == d.event_f1 == 1.0 for d in s.documents)
    assert (s.documents_missing, s.documents_ignored) == (0, 0)


def test_fixture_against_itself_is_perfect() -> None:
    s = scoring.score(_gold(), _gold(), {"a.txt": TEXT_A})
    for metric in (s.entity_typed, s.entity_untyped, s.identity, s.relation, s.event):
        assert metric == PERFECT
    assert s.role_accuracy == s.date_accuracy == s.quotes_verbatim == 1.0


def test_removing_one_entity_lowers_recall_by_one_pair() -> None:
    predicted = _gold()
    predicted["a.txt"]["entities"] = [
        e for e in predicted["a.txt"]["entities"] if e["id"] != "nurbek-kushakbaev"
    ]
    s = scoring.score(_gold(), predicted)
    assert s.entity_typed.recall == pytest.approx(6 / 7)
    assert s.entity_typed.precision == 1.0
    assert s.relation.recall == pytest.approx(1 / 2)  # his position relation loses an end
    assert s.event.recall == 1.0  # the arrest still matches through its agent


def test_type_change_lowers_typed_but_not_untyped() -> None:
    predicted = _gold()
    predicted["a.txt"]["entities"][3]["type"] = "TradeUnion"  # cntuk
    s = scoring.score(_gold(), predicted)
    assert s.entity_typed.recall == s.entity_typed.precision == pytest.approx(6 / 7)
    assert s.entity_untyped == PERFECT


@pytest.mark.parametrize(
    ("date", "matches", "exact"),
    [
        ("2017-01", True, True),
        ("2017-02", False, None),  # contradicts 2017-01
        (2017, True, False),  # coarser, agrees
        ("2017-01-15", True, False),  # finer, agrees
        (None, True, False),  # missing never contradicts
    ],
)
def test_event_dates_must_not_contradict(date: object, matches: bool, exact: bool | None) -> None:
    s = scoring.score(_one_event("2017-01"), _one_event(date))
    assert s.event.f1 == (1.0 if matches else 0.0)
    assert s.date_accuracy == (None if exact is None else float(exact))


def test_event_needs_an_aligned_participant_and_same_type() -> None:
    predicted = _one_event("2017-01")
    predicted["a.txt"]["events"][0]["type"] = "Prosecution"
    assert scoring.score(_one_event("2017-01"), predicted).event.f1 == 0.0
    predicted = _one_event("2017-01")
    predicted["a.txt"]["events"][0].update(agents=["nobody"], targets=[])
    assert scoring.score(_one_event("2017-01"), predicted).event.f1 == 0.0


def test_swapped_roles_match_but_lower_role_accuracy() -> None:
    predicted = _gold()
    arrest = predicted["a.txt"]["events"][0]
    arrest["agents"], arrest["targets"] = arrest["targets"], arrest["agents"]
    s = scoring.score(_gold(), predicted)
    assert s.event == PERFECT
    assert s.role_accuracy == pytest.approx(2 / 3)


def test_relation_with_a_wrong_end_does_not_match() -> None:
    predicted = _gold()
    predicted["a.txt"]["relations"][0] = ["nurbek-kushakbaev", "position", "ituc", None]
    s = scoring.score(_gold(), predicted)
    assert s.relation.precision == s.relation.recall == pytest.approx(1 / 2)


def test_bcubed_drops_when_two_gold_entities_share_a_predicted_id() -> None:
    predicted = _gold()
    for doc in predicted.values():
        for entity in doc["entities"]:
            if entity["id"] == "cntuk":
                entity["id"] = "ituc"
    s = scoring.score(_gold(), predicted)
    # Predicted cluster "ituc" holds 2 ituc + 2 cntuk pairs: 1/2 each; the other 3 pairs: 1.
    assert s.identity.precision == pytest.approx((4 * 0.5 + 3) / 7)
    assert s.identity.recall == 1.0
    assert s.entity_typed == PERFECT  # entity matching does not look at ids


def test_bcubed_drops_recall_when_one_gold_entity_is_split() -> None:
    predicted = _gold()
    predicted["b.txt"]["entities"][1]["id"] = "knprk"  # cntuk in b only
    s = scoring.score(_gold(), predicted)
    assert s.identity.precision == 1.0
    assert s.identity.recall == pytest.approx((5 + 2 * 0.5) / 7)


def test_duplicates_do_not_inflate_precision() -> None:
    predicted = _gold()
    for doc in predicted.values():
        for key in ("entities", "relations", "events"):
            doc[key] = doc[key] + copy.deepcopy(doc[key])
    s = scoring.score(_gold(), predicted)
    for metric in (s.entity_typed, s.entity_untyped, s.relation, s.event):
        assert (metric.precision, metric.recall) == (0.5, 1.0)


def test_quotes_verbatim_share() -> None:
    predicted = _gold()
    predicted["a.txt"]["events"][1]["quote"] = "We demand the immediate release of everyone"
    s = scoring.score(_gold(), predicted, {"a.txt": TEXT_A})
    # The arrest quote spans a line break in the text and still counts as verbatim.
    assert s.quotes_verbatim == 0.5
    assert s.event == PERFECT  # quotes are not part of event matching
    assert scoring.score(_gold(), predicted).quotes_verbatim is None


def test_missing_documents_are_all_missed_and_extra_ones_ignored() -> None:
    predicted = _gold()
    del predicted["b.txt"]
    predicted["c.txt"] = copy.deepcopy(_gold()["b.txt"]) | {"document": "c.txt"}
    s = scoring.score(_gold(), predicted)
    assert (s.documents_missing, s.documents_ignored) == (1, 1)
    assert (s.entity_typed.precision, s.entity_typed.recall) == (1.0, pytest.approx(4 / 7))
    assert s.event.recall == pytest.approx(2 / 3)
    assert [d.document for d in s.worst(1)] == ["b.txt"]
    assert s.worst(1)[0].event_f1 == s.worst(1)[0].entity_f1 == 0.0


def test_load_facts_dir_skips_files_without_document(tmp_path: Path) -> None:
    (tmp_path / "entities.yaml").write_text("- id: ituc\n  type: UnionFederation\n")
    (tmp_path / "notes.yaml").write_text("title: not a facts file\n")
    (tmp_path / "a.yml").write_text(
        "document: a.txt\nentities: []\nevents:\n  - {type: Arrest, date: 2017-01-05}\n"
    )
    facts = scoring.load_facts_dir(tmp_path)
    assert list(facts) == ["a.txt"]
    assert scoring.parse_date(facts["a.txt"]["events"][0]["date"]) == (2017, 1, 5)
    (tmp_path / "b.yaml").write_text("document: a.txt\n")
    with pytest.raises(ValueError, match="already described"):
        scoring.load_facts_dir(tmp_path)


def test_parse_date_rejects_other_shapes() -> None:
    assert scoring.parse_date(2011) == (2011,)
    assert scoring.parse_date("2017-01") == (2017, 1)
    with pytest.raises(ValueError, match="unreadable date '24 March 2017'"):
        scoring.parse_date("24 March 2017")


def test_format_and_to_dict() -> None:
    s = scoring.score(_gold(), _one_event("2017-01"))
    text = scoring.format_scores(s, worst=1)
    lines = text.splitlines()
    assert lines[0].startswith("entity F1 (typed)      0.")
    for label in ("identity B-cubed F1", "relation F1", "incident F1", "role accuracy"):
        assert any(line.startswith(label) for line in lines)
    assert "quotes verbatim          n/a" in text
    assert lines[-2] == "worst documents:"
    assert lines[-1].startswith("  b.txt  incident F1 0.000")
    data = json.loads(json.dumps(s.to_dict()))
    assert data["entity_typed"]["recall"] == pytest.approx(4 / 7)
    assert data["documents"][1] == {"document": "b.txt", "entity_f1": 0.0, "event_f1": 0.0}
