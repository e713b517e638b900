"""People: capitalised names that the text marks as people (a title, an apposition, a verb of saying)."""

from __future__ import annotations

import functools

import regex as re
from spacy.tokens import Doc as SpacyDoc

from .nlp import Matchers

WORD = r"\p{Lu}[\p{Ll}'’\-]*\p{Ll}(?:-\p{Lu}\p{Ll}+)?"
NAME_RUN = re.compile(rf"{WORD}(?:\s+{WORD}){{0,3}}")
SAYING = re.compile(r"^\s+(?:said|says|told|wrote|added|stated|explained|noted|warned|stressed)\b")
HONORIFIC = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof|Mister|Madam)\.?\s+$")
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
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
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
}


@functools.cache
def _title_words(m: Matchers) -> frozenset[str]:
    return frozenset(w.lower() for t in m.ref.titles for v in t.variants for w in v.split())


def _title_before(text: str, pos: int, m: Matchers) -> bool:
    """A title (or an honorific) ends right before ``pos``: "union leader X", "President X"."""
    before = text[max(0, pos - 60) : pos]
    if HONORIFIC.search(before):
        return True
    # "the President of Kazakhstan, Nursultan Nazarbayev": a title of a body, then the name.
    office = re.search(r"(\p{L}[\p{L}\s-]*?)\s+of\s+(?:the\s+)?\p{Lu}[\p{L}\s-]*,\s+$", before)
    if office and m.ref.title_for(office.group(1).split()[-1]) is not None:
        return True
    low = before.lower().rstrip()
    if not low or before[-1:] not in " \t":
        return False
    for title in m.ref.titles:
        for v in title.variants:
            if low.endswith(v.lower()) and (len(low) == len(v) or not low[-len(v) - 1].isalnum()):
                return True
    return False


def _apposition_after(text: str, end: int, m: Matchers) -> bool:
    """ ", ORG Title" or ", Title of/at ORG" follows the name."""
    after = text[end : end + 80]
    mt = re.match(r"^,[ \t]+(?:the[ \t]+|a[ \t]+|an[ \t]+)?((?:[\p{L}\-’'.]+[ \t]*){1,5})", after)
    if not mt:
        return False
    words = mt.group(1).lower().split()
    titles = _title_words(m)
    return any(w.strip(",.") in titles for w in words[:4])


def _known_name(words: list[str], m: Matchers) -> bool:
    """True when a word is a known place/organisation name: "Kazakhstan", "Zhanaozen"."""
    return any(w.lower() in m.ref.country_name for w in words)


def find_people(
    text: str, sdoc: SpacyDoc, m: Matchers, taken: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """Return ``(start, end, full name)`` for each person mention in cleaned text."""
    del sdoc  # the rules read raw text; kept in the signature for a statistical fallback
    titles = _title_words(m)
    blocked = sorted(taken)

    def free(s: int, e: int) -> bool:
        return not any(bs < e and s < be for bs, be in blocked)

    found: list[tuple[int, int, str]] = []
    for mt in NAME_RUN.finditer(text):
        words = mt.group(0).split()
        starts = [mt.start() + mt.group(0).index(w) for w in words]
        # Drop leading title and stop words: "Deputy President Nurbek Kushakbaev".
        i = 0
        while i < len(words) and (words[i] in NOT_NAMES or words[i].lower() in titles):
            i += 1
        words, starts = words[i:], starts[i:]
        if not words or _known_name(words, m):
            continue
        s, e = starts[0], mt.end()
        if not free(s, e):
            continue
        titled = _title_before(text, s, m)
        if len(words) == 1:
            # A lone surname counts only right after a title: "To Vice-President Mogherini".
            if titled and words[0] not in NOT_NAMES and len(words[0]) > 3:
                found.append((s, e, words[0]))
            continue
        if titled or _apposition_after(text, e, m) or SAYING.match(text[e:]):
            found.append((s, e, " ".join(words)))
    return _propagate_surnames(text, found, free)


def _propagate_surnames(text, found, free) -> list[tuple[int, int, str]]:
    """Later "Mogherini" after "Federica Mogherini": the same person, by full name."""
    full = {name.split()[-1]: name for _, _, name in found if " " in name}
    out = []
    for s, e, name in found:
        out.append((s, e, full.get(name, name)))
    seen = {(s, e) for s, e, _ in out}
    for surname, name in sorted(full.items()):
        for mt in re.finditer(rf"(?<![\p{{L}}.@]){re.escape(surname)}(?![\p{{L}}@])", text):
            s, e = mt.span()
            if (s, e) in seen or not free(s, e) or any(a <= s < b for a, b, _ in out):
                continue
            out.append((s, e, name))
    return sorted(out)
