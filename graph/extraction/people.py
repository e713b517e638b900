"""People: capitalised names that the text marks as people (a title, an apposition, a verb of saying)."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable

import regex as re
import yaml

from ..dates import MONTH_AND_DAY_NAMES
from ..reference import ONTOLOGY_DIR
from .nlp import NON_SPACE, Covered, Matchers, alternation, find_literal, title_for

WORD = r"\p{Lu}[\p{Ll}'’\-]*\p{Ll}(?:-\p{Lu}\p{Ll}+)?"
# A name stays on one line: a line break ends a signature's name or a heading.
# Particles inside names: "Alcides de Jesús Cotes Jurado", "Ursula von der Leyen".
PARTICLE = r"(?:de|da|del|della|dos|das|do|van|von|der|den|bin|binti|ibn|al|el|la|le|di|du|ter)"
NAME_RUN = re.compile(rf"{WORD}(?:[ \t]+(?:{PARTICLE}[ \t]+){{0,2}}{WORD}){{0,3}}")
EMAIL_NAME = re.compile(r"\b(\p{L}{2,})[._](\p{L}{2,})(?=@[\w-]+\.)")
HEAD = re.compile(
    r"\b(?:Union|Confederation|Federation|Committee|Ministry|Council|Congress|ITUC|ETUC)\b"
)
HONORIFIC = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof|Mister|Madam)\.?\s+$")
# "the general secretary of the Birleşik Metal-İş union, " before a name.
OFFICE_OF_BODY = re.compile(r"(\p{L}[\p{L}\s-]*?)\s+of\s+(?:the\s+)?\p{Lu}[\p{L}'’\s-]*,\s+$")
APPOSITION = re.compile(r"^,[ \t]+(?:the[ \t]+|a[ \t]+|an[ \t]+)?((?:[\p{L}\-’'.]+[ \t]*){1,5})")
TRAILING_COMMA = re.compile(r",\s+$")  # what OFFICE_OF_BODY ends with: a cheap test first
# Around a surname: not part of a word or an address, not after another capitalised word.
SURNAME_BEFORE = re.compile(r"(?<![\p{L}.@])(?<!\p{Lu}\p{L}+[ \t])")
SURNAME_AFTER = re.compile(r"(?![\p{L}@])")
POSSESSIVE_S = re.compile(r"['’]s$")
LIST_GAP = re.compile(r"\s*(?:,|,?\s+and|,?\s+or)\s+")
GIVEN_NAME_AND = re.compile(rf"(?<![\p{{L}}])({WORD})\s+and\s+$")
NOT_NAMES = {
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "We",
    "Our",
    "In",
    "On",
    "At",
    "For",
    "Dear",
    "To",
    "From",
    "Cc",
    "Re",
    "Attn",
    "Subject",
    "Trade",
    "Union",
    "Unions",
    "Workers",
    "Convention",
    "Law",
    "Code",
    "Committee",
    "Ministry",
    "Government",
    "Follow",
    "News",
    "Policies",
    "Constitution",
    "Act",
    "Confederation",
    "Federation",
    "Council",
    "Court",
    "Police",
    "Regular",
    "Images",
    "Colour",
    "Statement",
    "Having",
    "Ever",
    "Other",
    "Nationwide",
    "Hundreds",
    "Social",
    "Several",
    "Due",
    "Contrary",
    "Instead",
    "Furthermore",
    "Accordingly",
    "Kind",
    "Yours",
    "Sincerely",
    "Regards",
    "General",
    "Secretary",
    "Deputy",
    "Vice",
    "High",
    "Representative",
    "Commissioner",
    "Minister",
    "Chair",
    "Leader",
    "Director",
    "Head",
    "Unrest",
    "Strikes",
    "Anti",
    "State",
} | MONTH_AND_DAY_NAMES


@functools.cache
def _cues() -> tuple[re.Pattern, re.Pattern]:
    """Patterns from ontology/person_cues.yaml: a cue noun before, a verb after the name."""
    data = yaml.safe_load((ONTOLOGY_DIR / "person_cues.yaml").read_text(encoding="utf-8"))

    def alt(words: list[str]) -> str:
        # Only whether these patterns match is asked: a trie of the words matches the same.
        return alternation(set(words))

    # A noun before the name ("activist X"), or an act done to people ("police arrested X").
    cue_words = alt([*data["before"], *data["done_to"]])
    before = re.compile(rf"(?:^|[^\p{{L}}])(?:{cue_words})[ \t]*,?[ \t]+$", re.I)
    after = re.compile(
        r"^(?:\s*,\s*(?:aged\s+)?\d{1,3}\s*,|\s*\(\d{1,3}\))?\s+"
        r"(?:(?:was|were|is|are|has|have|had|had been|has been|have been|remains|remained)\s+)?"
        rf"(?:\p{{Ll}}+ly\s+)?(?:{alt(data['done_to'])}|{alt(data['self'])})\b"
        r"|^\s*,\s*(?:who|whose|aged\s+\d|\d{1,3}\s*,)\b|^\s*\(\d{1,3}\)"
        r"|^\s*,\s*an?\s+\d{1,3}-year-old\b"
    )
    return before, after


@functools.cache
def _title_words(m: Matchers) -> frozenset[str]:
    return frozenset(w.lower() for t in m.ref.titles for v in t.variants for w in v.split())


@functools.cache
def _title_endings(m: Matchers) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Every title variant lower-cased, with the length of the variant as written."""
    variants = [v for t in m.ref.titles for v in t.variants]
    return tuple(v.lower() for v in variants), tuple(len(v) for v in variants)


def _title_before(text: str, pos: int, m: Matchers) -> bool:
    """A title (or an honorific) ends right before ``pos``: "union leader X", "President X"."""
    before = text[max(0, pos - 60) : pos]
    if HONORIFIC.search(before):
        return True
    # "the President of Kazakhstan, Nursultan Nazarbayev": a title of a body, then the name.
    # "the general secretary of the Birleşik Metal-İş union, Özkan Atar": the same, with a
    # lower-case word or two after the organisation's name.
    office = TRAILING_COMMA.search(before) and OFFICE_OF_BODY.search(before)
    if office:
        words = office.group(1).split()
        if any(title_for(m.ref, " ".join(words[-n:])) is not None for n in (1, 2, 3)):
            return True
    # "the BGIWF president, Kalpona Akter": a comma may close the title.
    low = before.lower().rstrip().removesuffix(",").rstrip()
    if not low or before[-1:] not in " \t":
        return False
    lowered, lengths = _title_endings(m)
    if not low.endswith(lowered):
        return False  # no title at all: the common case, settled without a loop
    return any(
        low.endswith(v) and (len(low) == n or not low[-n - 1].isalnum())
        for v, n in zip(lowered, lengths, strict=True)
    )


def _apposition_after(text: str, end: int, m: Matchers) -> bool:
    """ ", ORG Title" or ", Title of/at ORG" follows the name."""
    after = text[end : end + 80]
    mt = APPOSITION.match(after)
    if not mt:
        return False
    words = mt.group(1).lower().split()
    titles = _title_words(m)
    return any(w.strip(",.") in titles for w in words[:4])


def _known_name(words: list[str], m: Matchers) -> bool:
    """True when a word is a known place/organisation name: "Kazakhstan", "Zhanaozen"."""
    return any(w.lower() in m.ref.country_name for w in words)


def find_people(
    text: str,
    m: Matchers,
    taken: list[tuple[int, int]],
    ner: Callable[[str], list[tuple[int, int, str]]] | None = None,
) -> list[tuple[int, int, str]]:
    """Return ``(start, end, full name)`` for each person mention in cleaned text.

    ``ner`` (optional) proposes more names from a statistical model; rules and known names win.
    """
    titles = _title_words(m)
    cue_before, cue_after = _cues()
    candidates: list[tuple[int, int, str]] = []
    blocked = sorted(taken)

    covered = Covered(blocked)

    def free(s: int, e: int) -> bool:
        return not covered.meets(s, e)

    found: list[tuple[int, int, str]] = []
    for mt in NAME_RUN.finditer(text):
        run = POSSESSIVE_S.sub("", mt.group(0))  # "Kharkova's lawyer": the name ends before 's
        words = run.split()
        starts = [mt.start() + mt.group(0).index(w) for w in words]
        # Drop leading title and stop words: "Deputy President Nurbek Kushakbaev".
        i = 0
        while i < len(words) and (words[i] in NOT_NAMES or words[i].lower() in titles):
            i += 1
        words, starts = words[i:], starts[i:]
        if not words or _known_name(words, m):
            continue
        s, e = starts[0], mt.start() + len(run)
        # "International Trade Union Confederations wrote": an organisation, not a person.
        if not free(s, e) or any(w in NOT_NAMES for w in words):
            continue
        titled = _title_before(text, s, m) or bool(cue_before.search(text[max(0, s - 40) : s]))
        if len(words) == 1:
            # A lone surname counts only right after a title: "To Vice-President Mogherini".
            if titled and words[0] not in NOT_NAMES and len(words[0]) > 3:
                found.append((s, e, words[0]))
            continue
        candidates.append((s, e, " ".join(words)))
        if titled or _apposition_after(text, e, m) or cue_after.match(text[e : e + 80]):
            found.append((s, e, " ".join(words)))
    found += _signatures(text, candidates, m)
    found += [p for p in _emails(text) if free(p[0], p[1])]
    if ner is not None:
        for ps, _pe, name in ner(text):
            # The model's spans can carry a greeting or a title: "To Vice-President X", "Dear X".
            words = list(NON_SPACE.finditer(name))
            while words and (
                words[0].group(0) in NOT_NAMES
                or words[0].group(0).lower() in titles
                or words[0].group(0) in {"To", "Dear", "Cc", "From"}
            ):
                words.pop(0)
            if len(words) < 2 or any(w.group(0) in NOT_NAMES for w in words):
                continue
            s, e = ps + words[0].start(), ps + words[-1].end()
            if free(s, e) and not _known_name([w.group(0) for w in words], m):
                found.append((s, e, text[s:e]))
    found = _coordinated(text, _dedupe(found), candidates)
    found += _shared_surname(text, found, free)
    return _propagate_surnames(text, _dedupe(found), free)


def _dedupe(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """One person per span, the longest of overlapping spans."""
    out: list[tuple[int, int, str]] = []
    starts: list[int] = []  # of the chosen spans, which never overlap: neighbours decide
    for s, e, name in sorted(found, key=lambda p: (-(p[1] - p[0]), p[0], -len(p[2]), p[2])):
        i = bisect.bisect_left(starts, s)
        if (i < len(out) and out[i][0] < e) or (i > 0 and out[i - 1][1] > s):
            continue
        out.insert(i, (s, e, name))
        starts.insert(i, s)
    return out


def _coordinated(text: str, found, candidates) -> list[tuple[int, int, str]]:
    """Names listed with a person's name are people too: "Ana Lima, Rui Sousa and Eva Cruz"."""
    found = list(found)
    spans = {(s, e) for s, e, _ in found}
    changed = True
    while changed:
        changed = False
        for s, e, name in candidates:
            if (s, e) in spans:
                continue
            for ps, pe, _ in found:
                gap = text[pe:s] if pe <= s else text[e:ps]
                if LIST_GAP.fullmatch(gap):
                    found.append((s, e, name))
                    spans.add((s, e))
                    changed = True
                    break
    return found


def _shared_surname(text: str, found, free) -> list[tuple[int, int, str]]:
    """ "Seitkazy and Aset Matayev": the first given name shares the surname that follows."""
    out = []
    for s, _e, name in found:
        parts = name.split()
        if len(parts) < 2:
            continue
        mt = GIVEN_NAME_AND.search(text[max(0, s - 40) : s])
        if mt and mt.group(1) not in NOT_NAMES:
            gs = max(0, s - 40) + mt.start(1)
            ge = gs + len(mt.group(1))
            if free(gs, ge):
                out.append((gs, ge, f"{mt.group(1)} {parts[-1]}"))
    return out


def _signatures(text: str, candidates, m: Matchers) -> list[tuple[int, int, str]]:
    """A name alone on its line with a title or an organisation on the next: a signature."""
    out = []
    titles = _title_words(m)
    for s, e, name in candidates:
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", e)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_start:s].strip() or text[e:line_end].strip(" \t,"):
            continue
        nxt = text[line_end + 1 : line_end + 80].split("\n", 1)[0].strip()
        words = {w.strip(",.").lower() for w in nxt.split()}
        if nxt and (words & titles or HEAD.search(nxt)):
            out.append((s, e, name))
    return out


def _emails(text: str) -> list[tuple[int, int, str]]:
    """ "toivo.klaar@ec.europa.eu": a person's name in an address's local part."""
    out: list[tuple[int, int, str]] = []
    if "@" not in text:
        return out  # EMAIL_NAME looks for an "@" after the name: no need to scan
    for mt in EMAIL_NAME.finditer(text):
        given, family = mt.group(1), mt.group(2)
        out.append((mt.start(), mt.end(2), f"{given.capitalize()} {family.capitalize()}"))
    return out


def _propagate_surnames(text, found, free) -> list[tuple[int, int, str]]:
    """Later "Mogherini" after "Federica Mogherini": the same person, by full name."""
    full = {name.split()[-1]: name for _, _, name in found if " " in name}
    out = []
    for s, e, name in found:
        out.append((s, e, full.get(name, name)))
    seen = {(s, e) for s, e, _ in out}
    for surname, name in sorted(full.items()):
        # Not inside another full name: "Aminul Islam" is not Shahidul Islam.
        for s, e in find_literal(text, surname, SURNAME_BEFORE, SURNAME_AFTER):
            if (s, e) in seen or not free(s, e) or any(a <= s < b for a, b, _ in out):
                continue
            out.append((s, e, name))
    return sorted(out)
