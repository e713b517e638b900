"""Property tests: for any text, the offset map sends every cleaned span and every quote that
extraction makes back to exactly its slice of the original text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from labourgraph.documents import document_from_text
from labourgraph.extraction import extract
from labourgraph.model import Document, Span

# Junk that cleaning has rules for, and words extraction has rules for, mixed with any text.
_JUNK = [
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\t",
    " ",
    "  ",
    "\u00a0",
    "\u200b",
    "\u00ad",
    "\u2028",
    "\x0c",
    "## ",
    "# Title #",
    "> ",
    "- ",
    "* ",
    "1. ",
    "**",
    "*",
    "__",
    "_",
    "`",
    "\\*",
    "---",
    "[a link](https://x.org/a(b)) ",
    "![img](x.png)",
    "<https://x.org>",
    "<b>",
    "</p>",
    "&amp;",
    "<script>alert(1)</script>",
    "Font size: A A A",
    "Share",
    "e\u0301",
    "👍",
    "ǅ",
    "İ",
    "ß",
]
_WORDS = [
    "Police ",
    "arrested ",
    "detained ",
    "KNPRK ",
    "chairman ",
    "Erlan Baltabay ",
    "in Astana ",
    "on 5 January 2022",
    "17 April, 2023 / kazakhstan",
    "(Brussels, 13 March 2020) ",
    "The ITUC ",
    "condemned ",
    "ILO Convention 87",
    "union ",
    "leader ",
    "was ",
    "and ",
    "the ",
    ". ",
    ", ",
    "Amin Eleusinov ",
    "strike ",
    "of the ",
    "government ",
    "released ",
    "Kazakhstan",
]
_SENTENCES = [
    "Police arrested KNPRK chairman Erlan Baltabay in Astana on 5 January 2022.",
    "The ITUC condemned the arrest of Amin Eleusinov and Nurbek Kushakbaev.",
    "Workers of the oil company went on strike in Zhanaozen in March 2017.",
    "The court deregistered the KNPRK, in violation of ILO Convention 87.",
]
# What may stand between two words of a sentence: white space of every kind, line breaks that
# cleaning joins or keeps, markdown emphasis.
_GAPS = [" ", " ", " ", "  ", "\r\n", "\n", "\u00a0", "\t", " \u200b", "\r\n ", " **", "** ", " _"]


@st.composite
def _noisy_sentence(draw: st.DrawFn) -> str:
    words = draw(st.sampled_from(_SENTENCES)).split(" ")
    gaps = draw(st.lists(st.sampled_from(_GAPS), min_size=len(words), max_size=len(words)))
    return "".join(w + g for w, g in zip(words, gaps, strict=True))


_PIECES = st.one_of(
    st.sampled_from(_JUNK),
    st.sampled_from(_WORDS),
    st.text(max_size=6),
    _noisy_sentence(),
    _noisy_sentence(),
)
TEXTS = st.lists(_PIECES, max_size=30).map("".join)


def _source_of(doc: Document) -> dict[int, int]:
    """Cleaned position -> source position, for every character cleaning kept."""
    return {c + k: s + k for c, s, n in doc.offsets.segments for k in range(n)}


def _assert_map_is_exact(doc: Document, source: str) -> None:
    to_src = _source_of(doc)
    for c, s, n in doc.offsets.segments:
        assert doc.text[c : c + n] == source[s : s + n]
    # Only joining white space is made up by cleaning.
    assert {doc.text[i] for i in range(len(doc.text)) if i not in to_src} <= {" ", "\n"}
    # Kept characters stay in order, so every span maps to one slice.
    kept = [to_src[i] for i in sorted(to_src)]
    assert kept == sorted(set(kept))


def _assert_quote(doc: Document, quote: Span) -> None:
    """``quote`` is a verbatim slice that some cleaned span maps to exactly."""
    assert doc.source_text[quote.start : quote.end] == quote.text
    assert quote.text, quote
    back = {s: c for c, s in _source_of(doc).items()}
    first, last = back[quote.start], back[quote.end - 1]  # both ends are kept characters
    assert doc.offsets.to_source(first, last + 1) == (quote.start, quote.end)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.sampled_from(["t.md", "t.txt"]), st.data())
def test_every_cleaned_span_maps_to_exactly_its_slice(source, name, data) -> None:
    doc = document_from_text(source, name)
    assert doc.source_text == source
    _assert_map_is_exact(doc, source)
    if not doc.text:
        return
    start = data.draw(st.integers(0, len(doc.text) - 1))
    end = data.draw(st.integers(start + 1, len(doc.text)))
    to_src = _source_of(doc)
    kept = [i for i in range(start, end) if i in to_src]
    got = doc.offsets.to_source(start, end)
    if kept:
        # Exactly from the first kept character of the span to just after its last one.
        assert got == (to_src[kept[0]], to_src[kept[-1]] + 1)
    span = doc.source_span(start, end)
    assert source[span.start : span.end] == span.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from([80, 5000]))
def test_every_extracted_quote_maps_back(source, max_paragraph) -> None:
    doc = document_from_text(source, "t.md", max_paragraph_chars=max_paragraph)
    _assert_map_is_exact(doc, source)
    x = extract(doc)
    for m in x.mentions:
        _assert_quote(doc, m.span)
        assert doc.offsets.to_source(m.clean_start, m.clean_end) == (m.span.start, m.span.end)
    for r in x.relations:
        _assert_quote(doc, r.evidence)
    for i in x.incidents:
        _assert_quote(doc, i.trigger)
        _assert_quote(doc, i.evidence)
        for m in (*i.agents, *i.targets, *i.conventions, *([i.place] if i.place else [])):
            _assert_quote(doc, m.span)


def test_extraction_on_crlf_text_quotes_the_original() -> None:
    source = "Police arrested the leader of\r\nthe KNPRK, Erlan Baltabay, in Astana.\r\n"
    doc = document_from_text(source, "t.txt")
    x = extract(doc)
    assert [i.type for i in x.incidents] == ["Arrest"]
    quote = x.incidents[0].evidence
    assert quote.text == source.strip()
    _assert_quote(doc, quote)
