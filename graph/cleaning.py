"""Clean a document's source text for extraction, keeping a map back to the source.

The cleaned text is made only of slices of the source plus inserted single spaces and
newlines, and :class:`OffsetMap` records the slices, so every cleaned span maps back to a
verbatim source span. Cleaning, line by line: markdown syntax is dropped (``## Title`` ->
``Title``, ``[text](url)`` -> ``text``), white space runs collapse to one space, chrome lines
(patterns in ``ontology/chrome.yaml``), repeated one-word tag lines and a line repeating the one
before are dropped, and hard-wrapped lines are joined. Paragraphs are separated by a blank line.

With ``max_line``, no line of the cleaned text grows longer than that: a longer source line is
cut at white space (mid-word only if it has none) and wrapped lines stop being joined there, so
one enormous paragraph cannot make per-line rules or extraction take quadratic time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import yaml

from .errors import ReferenceDataError
from .model import OffsetMap
from .reference import ONTOLOGY_DIR

CHROME_FILE = ONTOLOGY_DIR / "chrome.yaml"
# Words a sentence does not end on: a wrapped line ending with one continues on the next.
_CONNECTORS = {"a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "by", "for", "from"}
_CONNECTORS |= {"with", "as", "that", "which", "who", "whose", "its", "their", "his", "her"}
_CONNECTORS |= {"our", "is", "are", "was", "were", "be", "been"}
_MD_RULES = [  # (pattern, groups whose text is dropped, characters any match holds)
    (re.compile(r"^\s{0,3}(#{1,6}\s+)(?:.*?)(\s+#+)?\s*$"), (1, 2), "#"),  # ATX heading markers
    (re.compile(r"^\s*((?:>\s?)+)"), (1,), ">"),  # blockquote markers
    (re.compile(r"^\s*([-*+•]\s+)"), (1,), "-*+•"),  # bullet markers
    (
        re.compile(r"(!?\[)[^\]\n]*(\]\((?:[^()\s]|\([^)\s]*\))*(?:\s+\"[^\"]*\")?\))"),
        (1, 2),
        "[",
    ),
    (re.compile(r"(<)(?:https?://|mailto:)[^>\s]+(>)"), (1, 2), "<"),  # autolinks
    (re.compile(r"(\*\*|(?<!\w)__|__(?!\w))"), (1,), "*_"),  # strong emphasis
    (re.compile(r"(?<![\w*])(\*)(?=\S)[^*\n]+?(?<=\S)(\*)(?![\w*])"), (1, 2), "*"),  # emphasis
    (re.compile(r"(\\)[\\`*_{}\[\]()#+\-.!<>|]"), (1,), "\\"),  # backslash escapes
    (re.compile(r"(`+)"), (1,), "`"),  # inline code ticks
]
_ADDRESS = re.compile(r"@|://|^www\.|\]$")  # e-mail, web address, "[bracketed note]"
_LIST_ITEM = re.compile(r"\s*(?:[-*+•▪●◦]|\d{1,2}[.)]|\(?[a-z]\))\s+")  # a list entry
_RULE_LINE = re.compile(r"\s*([-*_])(?:\s*\1){2,}\s*")  # "---", "* * *": a thematic break


@dataclass(frozen=True)
class Line:
    """One kept source line, in cleaned-text coordinates."""

    start: int
    end: int
    text: str
    heading: bool = False
    protected: bool = False


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text, its map to the source, and the kept lines (for titles and sections)."""

    text: str
    offsets: OffsetMap
    lines: tuple[Line, ...]
    cuts: int = 0  # breaks inserted to keep lines within ``max_line``


@dataclass
class _Raw:
    span: tuple[int, int]  # the whole line in the source
    tokens: list[tuple[int, int] | None]  # source slices; None is an inserted space
    plain: str
    heading: bool
    list_item: bool = False
    protected: bool = False
    chrome: bool = False
    piece: bool = False  # part of a source line cut at ``max_line``: never chrome
    cut: bool = False  # a piece after the first: never joined to the one before


@lru_cache(maxsize=1)
def chrome_rules() -> tuple[re.Pattern[str], int]:
    """The chrome line pattern and the repeated-tag word limit from ``ontology/chrome.yaml``.

    The file's patterns are checked one by one, then joined into one alternation: one match
    per line instead of one per pattern (a line matches it when it matches any of them).
    """
    try:
        data = yaml.safe_load(CHROME_FILE.read_text(encoding="utf-8"))
        for p in data["lines"]:
            re.compile(p, re.IGNORECASE)  # a bad pattern is reported on its own
        pattern = re.compile("|".join(f"(?:{p})" for p in data["lines"]), re.IGNORECASE)
        return pattern, int(data.get("repeated_line_max_words", 0))
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error, ValueError) as exc:
        raise ReferenceDataError(
            f"{CHROME_FILE}: malformed chrome patterns ({exc}); fix it"
        ) from exc


def clean(
    source: str,
    *,
    markdown: bool = True,
    protect: Callable[[str], bool] | None = None,
    max_line: int | None = None,
) -> Cleaned:
    """Clean ``source``; ``protect(line)`` marks lines never dropped nor joined to the line
    before (date headers, datelines); no cleaned line is longer than ``max_line``."""
    raws: list[_Raw] = []
    for a, b in _line_bounds(source):
        pieces = _pieces(source, a, b, max_line)
        for i, (pa, pb) in enumerate(pieces):
            raws.append(_tokens(source, pa, pb, markdown))
            raws[-1].piece, raws[-1].cut = len(pieces) > 1, i > 0
    for raw in raws:
        raw.protected = bool(raw.plain) and protect is not None and protect(raw.plain)
    _mark_chrome(source, raws)
    return _emit(source, raws, _wrap_width(raws), max_line)


def _line_bounds(source: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line, without its line break (\\n, \\r\\n or a lone \\r)."""
    lines = re.finditer(r"([^\r\n]*)(?:\r\n|\r|\n|$)", source)
    return [(m.start(), m.start() + len(m.group(1))) for m in lines if m.group(0)]


def _pieces(source: str, a: int, b: int, max_line: int | None) -> list[tuple[int, int]]:
    """The line ``[a, b)`` cut into pieces of at most ``max_line`` characters, at white space."""
    if max_line is None or b - a <= max_line:
        return [(a, b)]
    pieces = []
    while b - a > max_line:
        cut = a + max_line
        space = max(source.rfind(" ", a + 1, cut + 1), source.rfind("\t", a + 1, cut + 1))
        cut = space if space > a + max_line // 2 else cut  # no white space near: cut mid-word
        pieces.append((a, cut))
        a = cut
    return [*pieces, (a, b)]


_WORDS = re.compile(r"\S+|\s+")  # re's \s is exactly str.isspace
_ODD_SPACE = re.compile(r"[^\S ]| {2,}")  # white space other than single spaces


def _extend(tokens: list[tuple[int, int] | None], start: int, end: int) -> None:
    """Append a kept slice, joined to the previous one when they touch (fewer, longer runs)."""
    last = tokens[-1] if tokens else None
    if last is not None and last[1] == start:
        tokens[-1] = (last[0], end)
    else:
        tokens.append((start, end))


def _tokens(source: str, a: int, b: int, markdown: bool) -> _Raw:
    """Slices of one line with markdown syntax dropped and white space collapsed.

    A run of white space becomes its first real " " (or an inserted " ", ``None``, when it
    holds none); kept characters that touch in the source form one slice. Dropped characters
    (markdown markers, zero-width ones) vanish: the characters on either side are read as
    adjacent, so "**word**" is a word and " ** " one run of white space.
    """
    line = source[a:b]
    drops: list[tuple[int, int]] = []
    if not line.isascii() and any(unicodedata.category(c) == "Cf" for c in set(line)):
        # zero-width characters and soft hyphens go
        drops += [(i, i + 1) for i, c in enumerate(line) if unicodedata.category(c) == "Cf"]
    heading = False
    if markdown:
        if _RULE_LINE.fullmatch(line):
            drops.append((0, len(line)))
        for pattern, groups, chars in _MD_RULES:
            if not any(c in line for c in chars):
                continue  # cannot match: spare the scan
            for m in pattern.finditer(line):
                heading = heading or pattern is _MD_RULES[0][0]
                drops += [m.span(g) for g in groups if m.group(g) is not None]
    item = bool(_LIST_ITEM.match(line))
    if not drops:
        # Most lines are prose with single spaces: one slice from the first word to the last.
        words = line.strip()
        if not _ODD_SPACE.search(words):
            lead = a + len(line) - len(line.lstrip())
            tokens = [(lead, lead + len(words))] if words else []
            return _Raw((a, b), tokens, words, heading=False, list_item=item)
    runs = _kept_runs(drops, len(line))  # (line offset, kept offset, length)
    kept = "".join(line[i : i + n] for i, _, n in runs) if drops else line
    tokens: list[tuple[int, int] | None] = []
    gap: tuple[int, int] | bool | None = False  # False: no white space waiting
    for m in _WORDS.finditer(kept):
        ks, ke = m.span()
        if kept[ks].isspace():
            if tokens:
                space = kept.find(" ", ks, ke)
                if space < 0:
                    gap = None
                else:
                    at = a + _source_offset(runs, space)
                    gap = (at, at + 1)
            continue
        if gap is not False:
            if gap is None:
                tokens.append(None)
            else:
                _extend(tokens, *gap)
            gap = False
        for i, k, n in runs:
            lo, hi = max(ks, k), min(ke, k + n)
            if lo < hi:
                _extend(tokens, a + i + lo - k, a + i + hi - k)
    plain = "".join(" " if t is None else source[t[0] : t[1]] for t in tokens)
    return _Raw((a, b), tokens, plain, heading=heading and bool(plain), list_item=item)


def _kept_runs(drops: list[tuple[int, int]], length: int) -> list[tuple[int, int, int]]:
    """The parts of a line that ``drops`` leave: (line offset, offset in the kept text, length)."""
    runs, at, kept = [], 0, 0
    for start, end in sorted(drops):
        if start > at:
            runs.append((at, kept, start - at))
            kept += start - at
        at = max(at, end)
    if at < length:
        runs.append((at, kept, length - at))
    return runs


def _source_offset(runs: list[tuple[int, int, int]], k: int) -> int:
    """The line offset of kept-text offset ``k``."""
    for i, start, n in runs:
        if start <= k < start + n:
            return i + k - start
    return k


def _mark_chrome(source: str, raws: list[_Raw]) -> None:
    pattern, max_words = chrome_rules()
    short = Counter(r.plain for r in raws if r.plain and len(r.plain.split()) <= max_words)
    previous = ""
    for raw in raws:
        if not raw.plain or raw.protected or raw.piece:  # a piece of text is never chrome
            previous = raw.plain or previous
            continue
        as_written = source[raw.span[0] : raw.span[1]].strip()
        raw.chrome = (
            bool(pattern.fullmatch(raw.plain) or pattern.fullmatch(as_written))
            or short[raw.plain] >= 2
            or raw.plain == previous  # the news list repeats each headline under itself
        )
        if not raw.chrome:
            previous = raw.plain


def _wrap_width(raws: list[_Raw]) -> int:
    """The line width of hard-wrapped text (a PDF letter), or 0 if lines are paragraphs."""
    lengths = sorted(len(r.plain) for r in raws if r.plain and not r.chrome)
    if len(lengths) < 5:
        return 0
    width = lengths[int(0.9 * (len(lengths) - 1))]
    near = sum(1 for n in lengths if n >= 0.75 * width)
    return width if width <= 150 and near >= 0.3 * len(lengths) else 0


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.!?:;][\"'”’)\]]*$", text))


def _joins(prev: _Raw, nxt: _Raw, width: int, *, across_blank: bool) -> str | None:
    """The glue joining a wrapped line to the next ("" or " "), or None to keep the break.

    Joined: a line that does not end a sentence, followed by one starting lowercase, or (in
    hard-wrapped text) by any line when it is full width or ends on a word like "the" or "and".
    Never joined: headings, list entries, a date header to what precedes it, addresses.
    """
    if prev.heading or nxt.heading or nxt.protected or nxt.list_item or nxt.cut:
        return None
    if _ends_sentence(prev.plain):
        return None
    if _ADDRESS.search(prev.plain.rsplit(" ", 1)[-1]) or _ADDRESS.search(nxt.plain.split(" ")[0]):
        return None
    lower = nxt.plain[0].islower()
    if lower and prev.plain.endswith("-") and prev.plain[-2:-1].isalpha():
        return ""  # a word hyphenated at the line end
    if lower or across_blank or prev.protected:
        return " " if lower else None
    last_word = prev.plain.rsplit(" ", 1)[-1].lower()
    full = width and len(prev.plain) >= 0.7 * width
    return " " if full or last_word in _CONNECTORS else None


def _emit(source: str, raws: list[_Raw], width: int, max_line: int | None = None) -> Cleaned:
    parts: list[str] = []
    segments: list[list[int]] = []
    lines: list[Line] = []
    pos = 0
    line_start = 0  # where the current cleaned line began, to keep it within max_line
    cuts = 0

    def put(token: tuple[int, int] | None, text: str = "") -> None:
        nonlocal pos
        text = source[token[0] : token[1]] if token is not None else text
        if token is not None:
            if (
                segments
                and segments[-1][0] + segments[-1][2] == pos
                and (segments[-1][1] + segments[-1][2] == token[0])
            ):
                segments[-1][2] += token[1] - token[0]
            else:
                segments.append([pos, token[0], token[1] - token[0]])
        parts.append(text)
        pos += len(text)

    prev: _Raw | None = None
    gap = ""  # what lies between prev and this line: "", "blank" or "chrome"
    for raw in raws:
        if raw.chrome or not raw.plain:
            gap = "chrome" if raw.chrome or gap == "chrome" else "blank"
            continue
        if prev is not None:
            glue = (
                None if gap == "chrome" else _joins(prev, raw, width, across_blank=gap == "blank")
            )
            too_long = max_line is not None and pos - line_start + len(raw.plain) + 1 > max_line
            if raw.cut or (glue is not None and too_long):
                glue, gap = None, "cut"
                cuts += 1
            put(None, glue if glue is not None else "\n\n" if gap else "\n")
            if glue is None:
                line_start = pos
        start = pos
        for t in raw.tokens:
            put(t, " ")
        lines.append(Line(start, pos, raw.plain, raw.heading, raw.protected))
        prev, gap = raw, ""
    return _finish(parts, segments, lines, cuts)


def _finish(parts: list[str], segments: list[list[int]], lines: list[Line], cuts: int) -> Cleaned:
    text = "".join(parts)
    offsets = OffsetMap(tuple((c, s, n) for c, s, n in segments))
    return Cleaned(text, offsets, tuple(lines), cuts)
