"""The spaCy pipeline and matchers extraction shares, built once per process from reference data."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import regex as re
import spacy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc as SpacyDoc

from ..reference import Reference, Title, load_reference

# All-caps aliases up to this length are acronyms and match case-sensitively ("ILO", not "ilo").
ACRONYM_MAX = 8
NON_SPACE = re.compile(r"\S+")  # the words of a name, with their offsets


@dataclass(eq=False)  # hashed by identity: one per process
class Matchers:
    nlp: Language
    exact: PhraseMatcher  # acronyms, case-sensitive
    folded: PhraseMatcher  # names, case-insensitive
    triggers: PhraseMatcher
    ref: Reference
    # PhraseMatcher keys are strings; these map them back to what they stand for.
    entity_of_key: dict[str, str]


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and len(text) <= ACRONYM_MAX and all(c.isupper() for c in letters)


@functools.cache
def matchers() -> Matchers:
    """Build the tokenizer, sentencizer and phrase matchers (cached per process)."""
    ref = load_reference()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    folded = PhraseMatcher(nlp.vocab, attr="LOWER")
    entity_of_key: dict[str, str] = {}
    exact_terms: dict[str, list[str]] = {}
    folded_terms: dict[str, list[str]] = {}
    for ent in sorted(ref.entities.values(), key=lambda e: e.id):
        names = {ent.name, *ent.aliases, *(r["name"] for r in ent.renamed if "name" in r)}
        key = f"E:{ent.id}"
        entity_of_key[key] = ent.id
        for name in sorted(names):
            target = exact_terms if _is_acronym(name) else folded_terms
            target.setdefault(key, []).append(name)
    for key, names in exact_terms.items():
        exact.add(key, [nlp.make_doc(n) for n in names])
    for key, names in folded_terms.items():
        folded.add(key, [nlp.make_doc(n) for n in names])

    triggers = PhraseMatcher(nlp.vocab, attr="LOWER")
    for itype, spec in sorted(ref.triggers.items()):
        triggers.add(itype, [nlp.make_doc(t) for t in spec.triggers])

    return Matchers(nlp, exact, folded, triggers, ref, entity_of_key)


@functools.lru_cache(maxsize=4096)
def compiled(pattern: str, flags: int = 0) -> re.Pattern:
    """A pattern built from document words (a surname, an acronym), compiled once per process.

    The regex module's own cache is keyed on flags it re-derives per call, which cost more than
    the search itself for the short scans these patterns do.
    """
    return re.compile(pattern, flags)


def find_literal(
    text: str, literal: str, before: re.Pattern, after: re.Pattern
) -> Iterator[tuple[int, int]]:
    """Spans of ``literal`` where ``before`` matches at its start and ``after`` at its end.

    The matches of the pattern "<lookbehinds><literal><lookaheads>" (``before`` holding the
    lookbehinds, ``after`` the lookaheads), found without compiling a pattern per literal.
    """
    pos = 0
    while (s := text.find(literal, pos)) >= 0:
        e = s + len(literal)
        if before.match(text, s) and after.match(text, e):
            yield s, e
            pos = e
        else:
            pos = s + 1


def alternation(words: list[str] | set[str]) -> str:
    """Pattern text matching any of ``words``, longest first, as a trie: "a(?:b(?:c)?)?".

    The same matches as the words joined with "|" longest first: the words that fit at one
    position are prefixes of one another, so they lie on one path of the trie, and the greedy
    optional tails try the longest of them first. The engine then follows one path per
    position instead of trying hundreds of words (demonyms: 5 times faster).
    Words must differ other than by case when matched case-insensitively.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def branch(node: dict) -> str:
        tails = [re.escape(ch) + branch(child) for ch, child in sorted(node.items()) if ch]
        if not tails:
            return ""
        body = tails[0] if len(tails) == 1 else "(?:" + "|".join(tails) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(trie)


class Gated:
    """A pattern each of whose matches holds one of some words (matched case-sensitively).

    ``finditer`` gives the pattern's matches, but scans only texts that hold one of the words:
    most documents name no plantation, no guerrillas, no subsidiary, and a search for a word is
    far cheaper than a pattern tried at every word.
    """

    def __init__(self, pattern: str, *, needs: tuple[str, ...]) -> None:
        self.pattern = re.compile(pattern)
        self.needs = needs

    def finditer(self, text: str) -> Iterator[re.Match]:
        if any(word in text for word in self.needs):
            yield from self.pattern.finditer(text)


class Confined:
    """A pattern whose matches hold only characters of one class and each contain an anchor.

    ``finditer`` gives exactly the pattern's own matches, but runs the pattern only over the
    runs of class characters that hold an anchor: a pattern that starts a costly attempt at
    every word is then run over a few clauses instead of the whole text. No match can cross a
    character outside the class, so each run is searched on its own; the character after a run
    stays visible, so ``\\b`` there reads as in the whole text. So: the pattern never matches
    the empty string, has no ``$``, and looks at most one character past a match; ``anchor`` is
    made of class characters.
    """

    def __init__(self, pattern: str, *, anchor: str, chars: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        self.anchor = re.compile(anchor, flags)
        self._after = re.compile(rf"[^{chars}]")
        self._before = re.compile(rf"[^{chars}]", re.REVERSE)

    def finditer(self, text: str) -> Iterator[re.Match]:
        end = 0
        for hit in self.anchor.finditer(text):
            if hit.start() < end:
                continue  # in the run just searched
            before = self._before.search(text, end, hit.start())
            start = before.end() if before else end
            after = self._after.search(text, hit.end())
            end = after.start() if after else len(text)
            yield from self.pattern.finditer(text, start, min(end + 1, len(text)))


# Per tuple of titles (one per process): lower-cased variant -> title, the first title on ties.
_TITLE_INDEX: dict[int, tuple[tuple[Title, ...], dict[str, Title]]] = {}


def title_for(ref: Reference, text: str) -> Title | None:
    """``ref.title_for(text)`` by one dictionary look-up instead of a scan of every variant."""
    entry = _TITLE_INDEX.get(id(ref.titles))
    if entry is None or entry[0] is not ref.titles:
        index: dict[str, Title] = {}
        for title in ref.titles:
            for variant in title.variants:
                index.setdefault(variant.lower(), title)
        entry = _TITLE_INDEX[id(ref.titles)] = (ref.titles, index)
    return entry[1].get(text.lower())


@functools.cache
def _ender_ids(m: Matchers) -> np.ndarray:
    """The ORTH ids (string hashes) of the characters that end a sentence for the sentencizer."""
    strings = m.nlp.vocab.strings
    punct_chars = m.nlp.get_pipe("sentencizer").punct_chars
    return np.array(sorted(strings[c] for c in punct_chars), dtype=np.uint64)


_BOUNDS = "labourgraph.token_bounds"  # the key of match_chars' lists in Doc.user_data


def match_chars(sdoc: SpacyDoc, ts: int, te: int) -> tuple[int, int]:
    """``(start_char, end_char)`` of the tokens ``sdoc[ts:te]`` (te > ts), as the Span has them.

    The token bounds are read into lists once per document: a Span per matcher hit cost more.
    """
    bounds = sdoc.user_data.get(_BOUNDS)
    if bounds is None:
        cols = sdoc.to_array([IDX, LENGTH])
        bounds = sdoc.user_data[_BOUNDS] = (cols[:, 0].tolist(), (cols[:, 0] + cols[:, 1]).tolist())
    return bounds[0][ts], bounds[1][te - 1]


def sentence_spans(sdoc: SpacyDoc, m: Matchers) -> list[tuple[int, int]]:
    """``(start_char, end_char)`` of the sentences the pipeline's sentencizer marks in ``sdoc``.

    The sentencizer's own rule, read from token arrays: a token that is neither punctuation nor
    a sentence-ending character starts a sentence when such a character came before it. The
    sentencizer makes a Python object per token, which cost as much as tokenising.
    """
    n = len(sdoc)
    if n == 0:
        return []
    cols = sdoc.to_array([ORTH, IS_PUNCT, IDX, LENGTH])
    orth, punct, idx, length = cols[:, 0], cols[:, 1].astype(bool), cols[:, 2], cols[:, 3]
    ends = np.isin(orth, _ender_ids(m))
    plain = np.flatnonzero(~(punct | ends))
    # The first plain token after each sentence-ending character opens a sentence.
    after = np.searchsorted(plain, np.flatnonzero(ends), side="right")
    starts = np.union1d([0], plain[after[after < len(plain)]]).tolist()
    last = [*starts[1:], n]
    return [
        (int(idx[a]), int(idx[b - 1] + length[b - 1])) for a, b in zip(starts, last, strict=True)
    ]


def longest_first(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep the longest of overlapping ``(start, end, label)`` spans, earlier first on ties."""
    chosen: list[tuple[int, int, str]] = []
    # The chosen non-empty spans, which never overlap, by start: a span overlaps one of them
    # only if it overlaps a neighbour of where it would go (a set of characters cost a look-up
    # per character of every span).
    starts: list[int] = []
    ends: list[int] = []
    for s, e, label in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if s < e:
            i = bisect.bisect_left(starts, s)
            if (i < len(starts) and starts[i] < e) or (i > 0 and ends[i - 1] > s):
                continue
            starts.insert(i, s)
            ends.insert(i, e)
        chosen.append((s, e, label))
    return sorted(chosen)


class Covered:
    """The union of some spans, asked in O(log n) whether a span lies inside it or meets it.

    Rules ask this for every candidate; a linear scan made documents dense with names quadratic.
    """

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def contains(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, s) - 1
        return i >= 0 and self.ends[i] >= e

    def meets(self, s: int, e: int) -> bool:
        """True when some covered character lies in [s, e)."""
        i = bisect.bisect_left(self.starts, e) - 1
        return i >= 0 and self.ends[i] > s


def between(items: list, starts: list[int], s: int, e: int) -> list:
    """The items (sorted by start, with their starts) that start in [s, e)."""
    return items[bisect.bisect_left(starts, s) : bisect.bisect_left(starts, e)]
