"""Date phrases: found by pattern, normalised to bounds and precision, anchored when relative."""

from __future__ import annotations

from datetime import date

import pytest
from labourgraph.dates import find_dates, parse_date
from labourgraph.model import DateValue


def day(iso: str) -> DateValue:
    d = date.fromisoformat(iso)
    return DateValue(iso, d, d, "day")


def found(text: str, anchor: DateValue | None = None) -> list[tuple[str, str, str, str, str]]:
    """Each hit as (phrase, iso, earliest, latest, precision), the phrase checked against text."""
    out = []
    for start, end, value in find_dates(text, anchor):
        assert value.text == text[start:end]
        out.append((value.text, value.iso, str(value.earliest), str(value.latest), value.precision))
    return out


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("17 April, 2023 / kazakhstan", None, ("17 April, 2023", "2023-04-17", "day")),
        ("Brussels, 24 March 2017", None, ("24 March 2017", "2017-03-24", "day")),
        ("arrested on 23 January 2017.", None, ("23 January 2017", "2017-01-23", "day")),
        ("was arrested in January 2017.", None, ("January 2017", "2017-01", "month")),
        ("(April 2017) The European", None, ("April 2017", "2017-04", "month")),
        ("launched on 5 January by", day("2017-01-23"), ("5 January", "2017-01-05", "day")),
        ("On 8 January, people", day("2022-01-09"), ("8 January", "2022-01-08", "day")),
        ("on February 7, the sixth", day("2022-02-08"), ("February 7", "2022-02-07", "day")),
        ("at Zhanaozen in 2011, the", None, ("2011", "2011", "year")),
        ("erupted in early January in", day("2022-01-09"), ("early January", "2022-01", "month")),
        ("took place 11-12 March 2020 in", None, ("11-12 March 2020", "2020-03-11", "day")),
        ("shook the country last month.", day("2022-02-08"), ("last month", "2022-01", "month")),
        ("rocked it earlier this year,", day("2022-08-11"), ("earlier this year", "2022", "year")),
        ("as this year began", day("2022-08-11"), ("this year", "2022", "year")),
        ("a strike last year", day("2022-08-11"), ("last year", "2021", "year")),
        ("detained yesterday", day("2022-08-11"), ("yesterday", "2022-08-10", "day")),
        ("released on Tuesday, it said", day("2022-08-11"), ("Tuesday", "2022-08-09", "day")),
        ("ISO 2022-01-05 here", None, ("2022-01-05", "2022-01-05", "day")),
        ("Tuesday, 5 January 2017", None, ("Tuesday, 5 January 2017", "2017-01-05", "day")),
    ],
)
def test_date_phrases(text: str, anchor: DateValue | None, expected: tuple[str, str, str]) -> None:
    hits = found(text, anchor)
    assert [(h[0], h[1], h[4]) for h in hits] == [expected]


def test_range_has_first_and_last_day() -> None:
    assert found("took place 11-12 March 2020 in") == [
        ("11-12 March 2020", "2020-03-11", "2020-03-11", "2020-03-12", "day")
    ]


def test_month_and_year_bounds() -> None:
    assert found("in February 2024")[0][2:4] == ("2024-02-01", "2024-02-29")
    assert found("in 2011, the")[0][2:4] == ("2011-01-01", "2011-12-31")


def test_on_tuesday_is_the_anchor_day_itself_when_it_is_a_tuesday() -> None:
    assert found("on Tuesday", day("2022-08-09"))[0][1] == "2022-08-09"
    assert found("last Tuesday", day("2022-08-09"))[0][1] == "2022-08-02"


def test_yearless_day_well_after_the_anchor_is_last_year() -> None:
    assert found("on 28 December", day("2017-01-02"))[0][1] == "2016-12-28"
    # A few days ahead is the near future ("the upcoming meeting on 28 March").
    assert found("meeting on 28 March", day("2017-03-24"))[0][1] == "2017-03-28"


@pytest.mark.parametrize(
    "text",
    ["on 5 January", "last month", "earlier this year", "yesterday", "on Tuesday", "in early June"],
)
def test_relative_dates_without_anchor_are_left_out(text: str) -> None:
    assert find_dates(text, None) == []


def test_relative_day_needs_a_day_anchor() -> None:
    month = DateValue("April 2017", date(2017, 4, 1), date(2017, 4, 30), "month")
    assert found("yesterday", month) == []
    assert found("last month", month)[0][1] == "2017-03"


@pytest.mark.parametrize(
    "text",
    [
        "ILO Convention 87",
        "181 million workers in 163 countries",
        "pursuant to sections 11 (3), 12 (3), 13 (3) and 14 (4) of the Act",
        "under section 10 (3), to affiliate",
        "Tel. +32 (0) 2224 0211 Fax +32 (0) 2201 5815",
        "ITUC OnLine 004/230117",
        "2,500 men and women",
        "in 50 per cent of all regions",
        "It may rain in march.",
        "since 2000 workers joined",
    ],
)
def test_numbers_are_not_dates(text: str) -> None:
    assert find_dates(text, day("2017-03-24")) == []


def test_several_dates_in_text_order() -> None:
    text = "Arrested in January 2017, released on 5 March; the strike of 2011 ended."
    assert [h[0] for h in found(text, day("2017-03-24"))] == ["January 2017", "5 March", "2011"]


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("2017-01-23", "2017-01-23", "day"),
        ("2017-01", "2017-01", "month"),
        ("2017", "2017", "year"),
        ("24 March 2017", "2017-03-24", "day"),
        ("2022-01-05T09:30:00Z", "2022-01-05", "day"),
        ("Jan. 5th, 2017", "2017-01-05", "day"),
    ],
)
def test_parse_date(text: str, iso: str, precision: str) -> None:
    value = parse_date(text)
    assert value is not None
    assert (value.iso, value.precision, value.text) == (iso, precision, text)


@pytest.mark.parametrize(
    "text", ["", "87", "Convention 87", "nonsense", "2017-13", "a 24 March 2017 b"]
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_relative_uses_anchor() -> None:
    value = parse_date("last month", day("2022-02-08"))
    assert value is not None and value.iso == "2022-01"
    assert parse_date("last month") is None


def test_day_in_last_year_and_years_prior_counted_from_the_anchor() -> None:
    from datetime import date as d

    from labourgraph.dates import find_dates
    from labourgraph.model import DateValue

    anchor = DateValue("2021-08-17", d(2021, 8, 17), d(2021, 8, 17), "day")
    assert [x[2].iso for x in find_dates("on 31 July last year", anchor)] == ["2020-07-31"]
    assert [x[2].iso for x in find_dates("Ten years prior, a strike", anchor)] == ["2011"]
    assert [x[2].iso for x in find_dates("shot dead last night", anchor)] == ["2021-08-16"]
    assert [x[2].iso for x in find_dates("sent back last November", anchor)] == ["2020-11"]
