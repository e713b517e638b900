"""Resolution across documents, on mentions and incidents made here (invented names)."""

from __future__ import annotations

import dataclasses
from datetime import date

from labourgraph.model import DateValue, Document, Extraction, Incident, Mention, OffsetMap, Span
from labourgraph.resolve import Link, resolve_detailed


def _doc(doc_id: str, *names: tuple[str, str]) -> Extraction:
    """A document naming ``(type, name)`` in turn, each name written as it is."""
    text, mentions = "", []
    for etype, name in names:
        start = len(text)
        text += name + ". "
        mentions.append(
            Mention(
                doc_id, Span(start, start + len(name), name), start, start + len(name), etype, name
            )
        )
    document = Document(doc_id, doc_id, "txt", doc_id, text, text, OffsetMap.identity(len(text)))
    return Extraction(document, tuple(mentions))


def _arrest(x: Extraction, target: int, year: int | None) -> Extraction:
    """``x`` reporting the arrest of its mention number ``target`` (in ``year``, if given)."""
    m = x.mentions[target]
    when = None
    if year is not None:
        when = DateValue(str(year), date(year, 1, 1), date(year, 12, 31), "year")
    inc = Incident(x.document.doc_id, "Arrest", m.span, m.span, targets=(m,), date=when)
    return dataclasses.replace(x, incidents=(*x.incidents, inc))


CORPUS = [
    _arrest(
        _doc(
            "a.txt",
            ("CivilSocietyGroup", "Harbour Rights Alliance Fund for Dockers"),
            ("CivilSocietyGroup", "Harbour Rights Alliance for Fair Work"),
            ("CivilSocietyGroup", "Harbour Rights Alliance"),
            ("Person", "Ilse Marwood"),
            ("TradeUnion", "Union of Net Menders"),
        ),
        3,
        2019,
    ),
    _arrest(
        _doc(
            "b.txt",
            ("Person", "Marwood"),
            ("TradeUnion", "Trade Union of Net Menders"),
        ),
        0,
        None,
    ),
    _doc("c.txt", ("Person", "Ilse Marwood"), ("CivilSocietyGroup", "harbour rights alliance")),
]


def _entity(detailed, doc_id: str, text: str) -> str:
    m = next(m for x in CORPUS for m in x.mentions if (m.doc_id, m.span.text) == (doc_id, text))
    return detailed.resolution.entity_of[(m.doc_id, m.span.start, m.span.end)]


def test_a_short_form_joins_its_long_form_in_one_document_only_before_a_linking_word() -> None:
    d = resolve_detailed(CORPUS)
    long_form = _entity(d, "a.txt", "Harbour Rights Alliance for Fair Work")
    assert _entity(d, "a.txt", "Harbour Rights Alliance") == long_form
    # The same name elsewhere joins through the name; a longer name going on otherwise not.
    assert _entity(d, "c.txt", "harbour rights alliance") == long_form
    assert _entity(d, "a.txt", "Harbour Rights Alliance Fund for Dockers") != long_form
    assert _entity(d, "b.txt", "Trade Union of Net Menders") == _entity(
        d, "a.txt", "Union of Net Menders"
    )


def test_people_and_reports_of_one_arrest_join_across_documents() -> None:
    d = resolve_detailed(CORPUS)
    # A surname alone joins the one full name it fits.
    assert _entity(d, "b.txt", "Marwood") == _entity(d, "a.txt", "Ilse Marwood")
    # The undated report of the arrest joins the dated one: one year among the reports.
    ids = {inc.doc_id: d.resolution.incident_ids[inc.key] for x in CORPUS for inc in x.incidents}
    assert ids["a.txt"] == ids["b.txt"]


def test_an_undated_report_stays_apart_when_the_dated_ones_disagree_on_the_year() -> None:
    later = _arrest(_doc("d.txt", ("Person", "Ilse Marwood")), 0, 2021)
    d = resolve_detailed([*CORPUS, later])
    ids = {
        inc.doc_id: d.resolution.incident_ids[inc.key]
        for x in (*CORPUS, later)
        for inc in x.incidents
    }
    assert len({ids["a.txt"], ids["b.txt"], ids["d.txt"]}) == 3


def test_the_order_documents_and_mentions_come_in_changes_nothing() -> None:
    backwards = [
        dataclasses.replace(x, mentions=tuple(reversed(x.mentions))) for x in reversed(CORPUS)
    ]
    ahead, behind = resolve_detailed(CORPUS), resolve_detailed(backwards)
    assert ahead.resolution.entities == behind.resolution.entities
    assert ahead.resolution.entity_of == behind.resolution.entity_of
    assert ahead.resolution.incident_ids == behind.resolution.incident_ids
    assert ahead.mention_reasons == behind.mention_reasons
    assert any("short form" in why for why in ahead.mention_reasons.values())
    assert behind.aligned is None  # out of document order: no slices to read


def test_each_documents_slice_of_the_aligned_resolution_is_its_mentions_resolution() -> None:
    detailed = resolve_detailed(sorted(CORPUS, key=lambda x: x.document.doc_id))
    aligned, res = detailed.aligned, detailed.resolution
    assert aligned is not None
    for x in CORPUS:
        keys = [(m.doc_id, m.span.start, m.span.end) for m in x.mentions]
        where = slice(*aligned.ranges[x.document.doc_id])
        assert aligned.entities[where] == [res.entity_of[k] for k in keys]
        assert aligned.reasons[where] == [detailed.mention_reasons.get(k, "") for k in keys]
    assert any(aligned.reasons) and not all(aligned.reasons)


def test_three_people_of_one_name_judged_apart_get_three_ids() -> None:
    docs = [_doc(f"{d}.txt", ("Person", "Li Wei")) for d in "abc"]
    keys = [frozenset({(x.document.doc_id, 0, 6)}) for x in docs]
    apart = [Link(keys[a], keys[b], "judged apart") for a, b in ((0, 1), (0, 2), (1, 2))]
    d = resolve_detailed(docs, not_same=apart)
    ids = sorted(e.entity_id for e in d.resolution.entities)
    assert ids == ["li-wei", "li-wei-person", "li-wei-person-2"]
