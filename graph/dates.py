"""Find date expressions in text and normalise them to :class:`DateValue`.

Spans are found with regular expressions only, never with a free-text date search:
dateparser's ``search_dates`` reads "Convention 87" or "section 11 (3)" as dates. Each span is
then normalised here (``earliest``/``latest`` are the first and last day the phrase may mean).
Relative phrases ("last month", "on 5 January", "on Tuesday") need an anchor, the date of the
news item or document; without one they are left out rather than guessed. A day or month
without a year takes the anchor's year, or the year before when that would put it more than
two months after the anchor (news reports the past). Whole strings that the patterns do not
cover (sidecar values, HTML ``<time>`` attributes) go to dateparser in :func:`parse_date`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from .model import DateValue

_FULL = [calendar.month_name[i] for i in range(1, 13)]
_ABBR = ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
# Case-sensitive on purpose: lowercase "may" and "march" are usually not months.
_FULL_RE = "|".join(sorted({*_FULL, *(m.upper() for m in _FULL)}, key=len, reverse=True))
MON = rf"(?:(?:{_FULL_RE})\b|(?:{'|'.join(sorted(_ABBR, key=len, reverse=True))})\b\.?)"
DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
YEAR_DIGITS = r"(?:1[89]\d\d|20\d\d)"
YEAR = rf"{YEAR_DIGITS}(?![\d/])"
_WEEKDAYS = [calendar.day_name[i] for i in range(7)]
# Capitalised words that are never names: other stages skip them when reading names.
MONTH_AND_DAY_NAMES = frozenset(_FULL + _WEEKDAYS)
WEEKDAY = "|".join(_WEEKDAYS)
_OPT_WD = rf"(?:(?:{WEEKDAY}),?\s+)?"
_NO_NUM_BEFORE = r"(?<![\d/.,-])"
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUMBERS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_NUMBERS |= {"fifteen": 15, "twenty": 20, "thirty": 30}
_LATE_SLACK = timedelta(days=62)  # "well after the anchor": then the previous year is meant

Handler = Callable[[re.Match[str], DateValue | None], DateValue | None]


def _month_no(word: str) -> int:
    return {m[:3].lower(): i for i, m in enumerate(_FULL, 1)}[word.rstrip(".")[:3].lower()]


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + month - 1 + delta
    return n // 12, n % 12 + 1


def _value(text: str, earliest: date, latest: date, precision: str) -> DateValue:
    return DateValue(text=text, earliest=earliest, latest=latest, precision=precision)


def _day(text: str, y: int, m: int, d: int) -> DateValue | None:
    try:
        return _value(text, date(y, m, d), date(y, m, d), "day")
    except ValueError:  # 31 February and the like: not a date after all
        return None


def _year_for(
    make: Callable[[int], DateValue | None], anchor: DateValue | None
) -> DateValue | None:
    """Place a yearless day or month: the anchor's year, or the one before if far ahead."""
    if anchor is None:
        return None
    value = make(anchor.latest.year)
    if value is not None and value.earliest > anchor.latest + _LATE_SLACK:
        value = make(anchor.latest.year - 1)
    return value


def _full_day(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    text, mon, d = m.group("s"), _month_no(m.group("mon")), int(m.group("d").rstrip("stndrh"))
    if m.group("y"):
        return _day(text, int(m.group("y")), mon, d)
    return _year_for(lambda y: _day(text, y, mon, d), anchor)


def _day_of_year(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    """ "31 July last year", "on 3 May this year": the day in a year counted from the anchor."""
    if anchor is None:
        return None
    year = anchor.earliest.year - (1 if m.group("rel").lower() == "last" else 0)
    return _day(m.group("s"), year, _month_no(m.group("mon")), int(m.group("d").rstrip("stndrh")))


def _iso(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    return _day(m.group("s"), int(m.group("y")), int(m.group("m")), int(m.group("d")))


def _range(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    text, mon = m.group("s"), _month_no(m.group("mon"))
    d1, d2 = int(m.group("d1").rstrip("stndrh")), int(m.group("d2").rstrip("stndrh"))

    def make(y: int) -> DateValue | None:
        first, last = _day(text, y, mon, d1), _day(text, y, mon, d2)
        if first is None or last is None or last.earliest < first.earliest:
            return None
        return _value(text, first.earliest, last.latest, "day")

    return make(int(m.group("y"))) if m.group("y") else _year_for(make, anchor)


def _month(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    if not (m.group("y") or m.groupdict().get("q") or m.groupdict().get("prep")):
        return None  # a bare month name ("March on Astana") is too weak on its own
    text, mon = m.group("s"), _month_no(m.group("mon"))

    def make(y: int) -> DateValue:
        return _value(text, *_month_span(y, mon), "month")

    return make(int(m.group("y"))) if m.group("y") else _year_for(make, anchor)


def _year(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    y = int(m.group("y"))
    return _value(m.group("s"), date(y, 1, 1), date(y, 12, 31), "year")


_SPACES = re.compile(r"\s+")
_UNIT = re.compile(r"(day|week|month|year)s?\b")
_AGO = re.compile(r"\b(?:ago|prior|earlier|before)$")


def _relative(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    """Yesterday, this/last week|month|year, N units ago: counted back from the anchor."""
    if anchor is None:
        return None
    text, phrase = m.group("s"), _SPACES.sub(" ", m.group("s").lower())
    a, rank = anchor.earliest, {"day": 0, "month": 1, "year": 2}[anchor.precision]
    phrase = {"last night": "yesterday", "tonight": "today", "this morning": "today"}.get(
        phrase, phrase
    )
    if phrase in ("yesterday", "today"):
        if rank > 0:  # a day before "April 2017" cannot be placed to the day
            return None
        d = a - timedelta(days=1 if phrase == "yesterday" else 0)
        return _value(text, d, d, "day")
    unit = _UNIT.search(phrase).group(1)
    if _AGO.search(phrase):
        n = _NUMBERS.get(phrase.split()[0]) or int(phrase.split()[0])
    else:
        n = 1 if "last" in phrase else 0
    if unit in ("day", "week"):
        if rank > 0:
            return None
        if unit == "day":
            d = a - timedelta(days=n)
            return _value(text, d, d, "day")
        monday = a - timedelta(days=a.weekday() + 7 * n)
        return _value(text, monday, min(monday + timedelta(days=6), a), "day")
    if unit == "month":
        if rank > 1:
            return None
        y, mo = _add_months(a.year, a.month, -n)
        return _value(text, *_month_span(y, mo), "month")
    return _value(text, date(a.year - n, 1, 1), date(a.year - n, 12, 31), "year")


def _weekday(m: re.Match[str], anchor: DateValue | None) -> DateValue | None:
    """ "on Tuesday": the last Tuesday on or before the anchor ("last Tuesday": before it)."""
    if anchor is None or anchor.precision != "day":
        return None
    a = anchor.earliest
    back = (a.weekday() - _WEEKDAYS.index(m.group("wd").title())) % 7
    if back == 0 and m.group("last"):
        back = 7
    d = a - timedelta(days=back)
    return _value(m.group("s"), d, d, "day")


_PREP = r"(?i:in|since|until|till|by|from|during|of|before|after|throughout|around|last)"
_QUAL = r"(?i:early|mid|late|the\s+end\s+of|the\s+beginning\s+of|the\s+middle\s+of)"
_UNITS = rf"(?:\d+|(?i:{'|'.join(sorted(_NUMBERS, key=len, reverse=True))}))"
# Each pattern marks the date phrase as group "s"; prepositions around it are context only.
# What a sentence must hold for a pattern to match in it: a month's name or abbreviation (in
# every pattern with a "mon" group, never optional there), a digit (a mandatory day or year),
# a weekday's name, a unit of time, a word of the relative days. Most sentences hold few of
# them, and a pattern tried at every word costs far more than looking for a word.
_NONE: frozenset[str] = frozenset()
_DIGIT = frozenset({"digit"})
_MONTH = frozenset({"month"})
_MONTH_DIGIT = _MONTH | _DIGIT
_WEEKDAY = frozenset({"weekday"})
_TIME_UNIT = frozenset({"unit"})
_RELATIVE_DAY = frozenset({"relative-day"})
_PATTERNS: list[tuple[str, Handler, frozenset[str]]] = [
    (
        rf"(?<![\d/-])(?P<s>(?P<y>{YEAR_DIGITS})-(?P<m>[01]\d)-(?P<d>[0-3]\d))(?![\d/-])",
        _iso,
        _DIGIT,
    ),
    (
        rf"{_NO_NUM_BEFORE}(?P<s>(?P<d1>{DAY})\s*(?:-|–|(?i:to|and))\s*(?P<d2>{DAY})\s+"
        rf"(?:of\s+)?(?P<mon>{MON})(?:,?\s+(?P<y>{YEAR}))?)",
        _range,
        _MONTH_DIGIT,
    ),
    (
        rf"(?P<s>{_NO_NUM_BEFORE}(?P<d>{DAY})\s+(?:of\s+)?(?P<mon>{MON})\s+(?P<rel>(?i:last|this))\s+"
        r"(?i:year))",
        _day_of_year,
        _MONTH_DIGIT,
    ),
    (
        rf"(?P<s>{_OPT_WD}{_NO_NUM_BEFORE}(?P<d>{DAY})\s+(?:of\s+)?(?P<mon>{MON})"
        rf"(?:,?\s+(?P<y>{YEAR}))?)",
        _full_day,
        _MONTH_DIGIT,
    ),
    (
        rf"(?P<s>{_OPT_WD}(?P<mon>{MON})\s+(?P<d>{DAY})(?:,?\s+(?P<y>{YEAR}))?)",
        _full_day,
        _MONTH_DIGIT,
    ),
    (rf"(?P<s>(?:(?P<q>{_QUAL})[\s-]+)?(?P<mon>{MON}),?\s+(?P<y>{YEAR}))", _month, _MONTH_DIGIT),
    (
        rf"(?:\b(?P<prep>{_PREP})\s+)?(?P<s>(?:(?P<q>{_QUAL})[\s-]+)?(?P<mon>{_FULL_RE})\b)"
        rf"(?P<y>)(?!\s*\d)",
        _month,
        _MONTH,
    ),
    (
        rf"\b{_PREP}\s+(?:(?i:the\s+)?(?i:early|mid|late)[\s-]+)?(?P<s>(?P<y>{YEAR}))"
        r"(?![-–/.,]?\d)(?!\s*%)(?!\s+[a-z]+s\b)",
        _year,
        _DIGIT,
    ),
    (
        r"\b(?P<s>(?i:yesterday|today|last\s+night|tonight|this\s+morning))\b",
        _relative,
        _RELATIVE_DAY,
    ),
    (
        r"\b(?P<s>(?i:(?:earlier\s+|later\s+)?(?:this|last)\s+(?:year|month|week)))\b",
        _relative,
        _TIME_UNIT,
    ),
    (
        rf"\b(?P<s>{_UNITS}\s+(?i:(?:day|week|month|year)s?\s+(?:ago|prior|earlier)))\b",
        _relative,
        _TIME_UNIT,
    ),
    (rf"\b(?:(?i:on)\s+|(?P<last>(?i:last))\s+)(?P<s>(?P<wd>{WEEKDAY}))\b", _weekday, _WEEKDAY),
]
_COMPILED = [(re.compile(p), h, needs) for p, h, needs in _PATTERNS]
_MONTH_WORDS = (*_FULL, *(m.upper() for m in _FULL), *_ABBR)
_DIGIT_RE = re.compile(r"\d")  # the engine's own \d: the same digits the patterns read


def _cues(text: str) -> set[str]:
    """The cues of _PATTERNS that ``text`` holds."""
    cues = set()
    if any(word in text for word in _MONTH_WORDS):
        cues.add("month")
    if _DIGIT_RE.search(text):
        cues.add("digit")
    if "day" in text:  # every weekday's name (matched case-sensitively) ends so
        cues.add("weekday")
    # Read case-insensitively, so looked for in the lower-cased text: no character other than
    # these words' own letters in either case matches them under IGNORECASE (unlike "i", "s").
    low = text.lower()
    if any(word in low for word in ("day", "week", "month", "year")):
        cues.add("unit")
    if any(word in low for word in ("day", "ght", "morn")):  # yesterday, tonight, this morning
        cues.add("relative-day")
    return cues


def find_dates(text: str, anchor: DateValue | None) -> list[tuple[int, int, DateValue]]:
    """Return ``(start, end, value)`` for each date phrase in ``text``, in text order.

    Overlapping matches are settled longest first ("11-12 March 2020" beats "12 March 2020");
    a phrase that cannot be placed still blocks shorter readings inside it, then is dropped.
    """
    found: list[tuple[int, int, DateValue | None]] = []
    cues = _cues(text)
    for pattern, handler, needs in _COMPILED:
        if not needs <= cues:
            continue  # cannot match: spare the scan
        for m in pattern.finditer(text):
            found.append((m.start("s"), m.end("s"), handler(m, anchor)))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    taken: list[tuple[int, int, DateValue | None]] = []
    for start, end, value in found:
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, value))
    return sorted((s, e, v) for s, e, v in taken if v is not None)


_ISO_PARTIAL = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{1,2}))?")


def parse_date(text: str, anchor: DateValue | None = None) -> DateValue | None:
    """Normalise a whole string ("2017-01-23", "2017-01", "24 March 2017", ISO datetimes).

    The string must be one date, give or take punctuation around it; else ``None``.
    """
    raw = text.strip()
    if not raw:
        return None
    iso = _ISO_PARTIAL.fullmatch(raw)
    if iso:
        y, mo = int(iso.group("y")), iso.group("m")
        if mo is None:
            return _value(raw, date(y, 1, 1), date(y, 12, 31), "year")
        if 1 <= int(mo) <= 12:
            return _value(raw, *_month_span(y, int(mo)), "month")
        return None
    dt = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$", raw)
    if dt:
        return _day(raw, int(dt.group(1)), int(dt.group(2)), int(dt.group(3)))
    hits = find_dates(raw, anchor)
    if len(hits) == 1:
        start, end, value = hits[0]
        if not re.search(r"\w", raw[:start] + raw[end:]):
            return value
        return None
    return _dateparser_whole(raw, anchor) if not hits else None


def _dateparser_whole(raw: str, anchor: DateValue | None) -> DateValue | None:
    """Last resort for odd formats ("Jan. 5th, 2017", "05/01/2017"): dateparser, whole string."""
    if not re.search(r"\d", raw) or re.fullmatch(r"\d{1,3}", raw):
        return None  # a bare number is a count or a convention, not a date
    from datetime import datetime

    import dateparser  # imported late: slow to load and only needed for odd strings

    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if anchor is not None:
        settings["RELATIVE_BASE"] = datetime.combine(anchor.earliest, datetime.min.time())
    data = dateparser.date.DateDataParser(languages=["en"], settings=settings).get_date_data(raw)
    if data.date_obj is None:
        return None
    d, period = data.date_obj.date(), data.period or "day"
    if period == "year":
        return _value(raw, date(d.year, 1, 1), date(d.year, 12, 31), "year")
    if period == "month":
        return _value(raw, *_month_span(d.year, d.month), "month")
    return _value(raw, d, d, "day")
