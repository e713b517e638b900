"""Extraction rules on sentences written for these tests (none is taken from the seeds)."""

from __future__ import annotations

import pytest
from labourgraph.documents import document_from_text
from labourgraph.extraction import extract
from labourgraph.extraction import ner as ner_model
from labourgraph.model import Extraction


def run(text: str, *, ner: bool = False) -> Extraction:
    return extract(document_from_text(text, "t.txt"), ner=ner)


def names(x: Extraction, etype: str) -> set[str]:
    return {m.span.text for m in x.mentions if m.type == etype}


def test_organisation_names_stop_at_headings_dates_and_coordination() -> None:
    x = run(
        "PRESS RELEASE\n\nIn May the Federation of Metal Workers of Ruritania and the "
        "Ruritanian Confederation of Labour met the Ministry of Labour and Social Affairs on Monday."
    )
    orgs = names(x, "UnionFederation")
    assert "Federation of Metal Workers of Ruritania" in orgs
    assert "Ruritanian Confederation of Labour" in orgs
    assert "Ministry of Labour and Social Affairs" in names(x, "GovernmentBody")
    assert not any("PRESS" in o or "May" in o for o in orgs)


def test_head_word_decides_the_type() -> None:
    x = run("The story ran in Union Rights Daily. The Harbour Workers' Union of Ruritania said so.")
    assert "Union Rights Daily" in names(x, "Media")
    assert "Harbour Workers' Union of Ruritania" in names(x, "TradeUnion")


def test_people_from_cues_lists_and_shared_surnames() -> None:
    x = run(
        "Police detained the activist Ilse Marwood, Tomas Brenn and Aiko Tanabe. "
        "Journalists Olek and Danuta Wierzba were released."
    )
    people = names(x, "Person")
    assert {"Ilse Marwood", "Tomas Brenn", "Aiko Tanabe", "Danuta Wierzba"} <= people
    assert "Olek" in people  # "Olek and Danuta Wierzba": Olek Wierzba
    wierzba = {m.name for m in x.mentions if m.span.text == "Olek"}
    assert wierzba == {"Olek Wierzba"}


def test_acronym_in_parentheses_names_the_same_organisation() -> None:
    x = run("The Dockers' Union of Ruritania (DUR) struck. Later the DUR called it off.")
    dur = [m for m in x.mentions if m.span.text == "DUR"]
    assert len(dur) == 2 and {m.name for m in dur} == {"Dockers' Union of Ruritania"}


def test_articles_point_to_the_code_of_the_country() -> None:
    x = run("In Belarus she was charged under Article 342 of the Criminal Code.")
    laws = [m for m in x.mentions if m.type == "Legislation"]
    assert [m.name for m in laws] == ["Criminal Code of Belarus"]


def test_positions_in_apposition_signature_and_its() -> None:
    x = run(
        "The Textile Workers' Federation of Bangladesh denounced the attack. Its general "
        "secretary, Rahim Uddin, was injured.\n\nYours sincerely,\n\nMara Kessel\nCoordinator\n"
        "Global Textile Union Network\n"
    )
    posts = {(r.subject.name, r.object.name, r.detail) for r in x.relations if r.type == "position"}
    assert (
        "Rahim Uddin",
        "Textile Workers' Federation of Bangladesh",
        "general secretary",
    ) in posts
    assert any(s == "Mara Kessel" and d == "Coordinator" for s, _, d in posts)


def test_calls_for_release_are_not_releases_and_months_are_not_marches() -> None:
    x = run(
        "Geneva, 3 March 2024. The federation calls on the government to release Pavel Dorn "
        "immediately. Police arrested Pavel Dorn in Minsk on 1 March 2024."
    )
    types = sorted(i.type for i in x.incidents)
    assert "Release" not in types and "Protest" not in types
    arrest = next(i for i in x.incidents if i.type == "Arrest")
    assert [t.name for t in arrest.targets] == ["Pavel Dorn"]
    assert arrest.date is not None and arrest.date.iso == "2024-03-01"


def test_a_subject_that_cannot_act_undergoes() -> None:
    x = run(
        "The Hotel Workers' Union of Ruritania was dissolved by the Supreme Court of Ruritania."
    )
    dereg = next(i for i in x.incidents if i.type == "Deregistration")
    assert [t.name for t in dereg.targets] == ["Hotel Workers' Union of Ruritania"]


def test_pronoun_stands_for_the_last_person_named() -> None:
    x = run("The union leader Nadia Ferrant spoke. In June she was arrested at the port of Velm.")
    arrest = next(i for i in x.incidents if i.type == "Arrest")
    assert [t.name for t in arrest.targets] == ["Nadia Ferrant"]


def test_a_letter_is_one_statement_from_senders_to_addressees() -> None:
    x = run(
        "GLOBAL TEXTILE UNION NETWORK\nGeneva\n\nMinister Ana Sol\nMinistry of Labour\n\n"
        "Geneva, 2 May 2024\n\nDear Minister,\n\nWe write to protest the arrest of Pavel Dorn. "
        "We urge you to act.\n\nYours sincerely,\n\nMara Kessel\nCoordinator\n"
    )
    statements = [i for i in x.incidents if i.type == "Statement"]
    assert len(statements) == 1
    assert "Ana Sol" in {t.name for t in statements[0].targets}
    assert "Mara Kessel" in {a.name for a in statements[0].agents}
    assert statements[0].date is not None and statements[0].date.iso == "2024-05-02"


@pytest.mark.skipif(not ner_model.available(), reason="the optional NER model is not installed")
def test_statistical_ner_adds_people_the_rules_miss() -> None:
    text = "Outside the plant on Monday, Siarhei Antusevich spoke to reporters about wages."
    assert "Siarhei Antusevich" not in names(run(text), "Person")
    assert "Siarhei Antusevich" in names(run(text, ner=True), "Person")


def test_opening_participle_clause_takes_the_main_subject() -> None:
    x = run(
        "Having condemned the ban on the Dockers' Union of Ruritania, the International Transport "
        "Workers' Federation wrote to the Ministry of Labour of Ruritania."
    )
    statements = [i for i in x.incidents if i.type == "Statement"]
    assert statements
    assert "International Transport Workers' Federation" in {
        a.name for i in statements for a in i.agents
    }


def test_items_of_a_list_of_demands_are_not_reports() -> None:
    x = run(
        "Police arrested Pavel Dorn on 2 May 2024.\n\nWe therefore ask the Ministry to:\n\n"
        "- release Pavel Dorn;\n- stop the dismissal of strikers;\n- end the prosecution of union members.\n"
    )
    types = sorted(i.type for i in x.incidents)
    assert "Arrest" in types
    assert not {"Release", "Dismissal", "Prosecution"} & set(types)
