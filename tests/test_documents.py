"""The documents stage: finding sources, loading each format, cleaning with offsets, dating."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from labourgraph.cleaning import clean
from labourgraph.dates import find_dates
from labourgraph.documents import document_from_text, find_sources, load_document
from labourgraph.errors import DocumentError
from labourgraph.model import Document

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
SOURCES = Path(__file__).resolve().parents[1] / "sources"


def load(name: str) -> Document:
    return load_document(FIXTURES / name, FIXTURES)


def assert_words_verbatim(doc: Document) -> None:
    """Every word of the cleaned text maps to the same word in the source text."""
    for m in re.finditer(r"\S+", doc.text):
        span = doc.source_span(m.start(), m.end())
        assert doc.source_text[span.start : span.end] == span.text
        # Markdown escapes ("\(") are the only characters cleaning drops inside a word.
        assert span.text.replace("\\", "") == m.group(), (m.group(), span)


def assert_offsets_consistent(doc: Document) -> None:
    previous_clean = previous_source = 0
    for c, s, n in doc.offsets.segments:
        assert n > 0 and c >= previous_clean and s >= previous_source
        assert doc.text[c : c + n] == doc.source_text[s : s + n]
        previous_clean, previous_source = c + n, s + n
    covered = {i for c, _, n in doc.offsets.segments for i in range(c, c + n)}
    assert {doc.text[i] for i in range(len(doc.text)) if i not in covered} <= {" ", "\n"}


# --- formats and encodings -------------------------------------------------------------------


def test_html_drops_chrome_and_keeps_article() -> None:
    doc = load("page.html")
    assert doc.format == "html"
    for gone in ("Font size", "tracking", "Home", "About us", "Related", "Subscribe", "Copyright"):
        assert gone not in doc.source_text
    assert "Enable JavaScript" not in doc.text and "hidden template" not in doc.text
    assert "Police detained the union's chairman Erlan Baltabay on Tuesday" in doc.text
    assert "released & fined" in doc.text  # entities unescaped
    assert doc.text.startswith("Union leader detained in Astana\n\n")
    assert_words_verbatim(doc)


def test_html_head_metadata() -> None:
    meta = load("page.html").meta
    assert meta.title == "Union leader detained in Astana"  # "| Example Union News" dropped
    assert meta.publisher == "Example Union News"
    assert meta.published is not None and meta.published.iso == "2022-01-05"
    assert meta.url == "https://news.example.org/2022/01/detained"
    assert meta.language == "en"


def test_cp1251_text() -> None:
    doc = load("cp1251.txt")
    assert doc.text.startswith("Профсоюз работников нефтяной отрасли\n\nАлматы, 24 марта")


def test_utf16_text() -> None:
    doc = load("utf16.txt")
    assert "Police arrested two union leaders – “without charge”." in doc.text
    assert doc.meta.published is not None and doc.meta.published.iso == "2022-01-05"


def test_utf8_bom_and_latin1(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfUnion news\n")
    (tmp_path / "latin.txt").write_bytes("Café workers’ union\n".encode("cp1252"))
    assert load_document(tmp_path / "bom.txt", tmp_path).source_text == "Union news\n"
    assert load_document(tmp_path / "latin.txt", tmp_path).text == "Café workers’ union"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (
            "binary.txt",
            "binary file, not text (NUL bytes or control characters); "
            "convert it to UTF-8 text, HTML or PDF first",
        ),
        ("empty.txt", "empty file (no text); add its text or remove it from the sources"),
        ("whitespace.md", "empty file (no text); add its text or remove it from the sources"),
    ],
)
def test_bad_files_raise_document_error(name: str, problem: str) -> None:
    with pytest.raises(DocumentError) as err:
        load(name)
    assert err.value.path == str(FIXTURES / name)
    assert err.value.problem == problem
    assert str(err.value) == f"{FIXTURES / name}: {problem}"


def test_control_characters_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(1, 9)) * 50 + b"some text")
    with pytest.raises(DocumentError, match="binary file, not text"):
        load_document(path, tmp_path)


def test_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError) as err:
        load_document(path, tmp_path)
    assert err.value.problem == (
        "unsupported file type '.docx'; "
        "convert it to one of .txt, .md, .markdown, .html, .htm, .pdf"
    )


def _pdf(lines: list[str], info: str = "") -> bytes:
    """A minimal one-page PDF with a Helvetica text layer (and an optional info dictionary)."""
    content = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(f"({t}) Tj T*" for t in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        f"<< {info} >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>"
    return out + f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()


def test_pdf_text_layer_and_info(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    lines = [
        "Dear Minister,",
        "We write about the arrest of the union leaders in view of the",
        "meeting.",
    ]
    path.write_bytes(_pdf(lines, "/Title (Letter on arrests) /CreationDate (D:20170324101500Z)"))
    doc = load_document(path, tmp_path)
    assert doc.format == "pdf"
    assert "arrest of the union leaders in view of the" in doc.source_text
    assert doc.meta.title == "Letter on arrests"
    assert doc.meta.published is not None and doc.meta.published.iso == "2017-03-24"
    assert_words_verbatim(doc)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf([]))
    with pytest.raises(DocumentError) as err:
        load_document(path, tmp_path)
    assert err.value.problem == (
        "PDF has no text layer (a scan?); run OCR on it or save its text as .txt"
    )


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"this is not a pdf at all")
    with pytest.raises(DocumentError, match=r"not a readable PDF \(.*\); re-export it"):
        load_document(path, tmp_path)


# --- cleaning ---------------------------------------------------------------------------------


def test_markdown_chrome_removed_content_kept() -> None:
    doc = load("chrome.md")
    for gone in ("Font size", "A A A", "Colour", "Log in", "Printer", "Health", "ILO in", "Share"):
        assert gone not in doc.text
    assert "Follow us" not in doc.text
    assert doc.text.startswith(
        "Strike at the copper mine enters second week\n\n(Brussels, 13 March"
    )
    # Markdown syntax stripped, wrapped lines of the paragraph joined with single spaces.
    assert "Miners at the copper mine walked out on 5 March after the company cut their wages." in (
        doc.text
    )
    assert "**" not in doc.text and "](" not in doc.text and "#" not in doc.text
    assert doc.meta.title == "Strike at the copper mine enters second week"
    assert doc.meta.published is not None and doc.meta.published.iso == "2020-03-13"
    assert_words_verbatim(doc)


def test_hard_wrapped_letter_is_unwrapped() -> None:
    doc = load("letter.txt")
    assert (
        "in your country in view of the upcoming meeting of the Cooperation Committee in Astana"
        in doc.text
    )
    assert "in violation of ILO Convention 87. We urge you" in doc.text
    # Salutation, dateline and signature lines stay lines; paragraphs stay apart.
    assert "\n\nBrussels, 24 March 2017\n\nDear Minister,\nWe write" in doc.text
    assert doc.text.endswith("Yours sincerely,\n\nSharan Burrow\nGeneral Secretary")
    assert doc.meta.published is not None and doc.meta.published.iso == "2017-03-24"
    assert doc.sections == ()
    assert_words_verbatim(doc)
    assert_offsets_consistent(doc)


def test_join_across_a_blank_line_only_for_lowercase() -> None:
    text = clean("We met the local ILO\n\nrepresentative today.\n\nNew paragraph here.\n").text
    assert text == "We met the local ILO representative today.\n\nNew paragraph here."


def test_hyphenated_line_end_is_joined_without_space() -> None:
    assert (
        clean("the threat of de-\nregistration of unions").text
        == "the threat of de-registration of unions"
    )


def test_list_entries_stay_on_their_own_lines() -> None:
    text = clean(
        "Demands:\n- release of\n  the leaders\n- an end to\n  repression\n1. first\n"
    ).text
    assert text == "Demands:\nrelease of the leaders\nan end to repression\n1. first"


def test_whitespace_collapsed() -> None:
    cleaned = clean("   Union\t\t leaders \u00a0 met.   \n\n\n\n  Then   left.  ")
    assert cleaned.text == "Union leaders met.\n\nThen left."


def test_crlf_and_lone_cr_line_breaks() -> None:
    doc = document_from_text(
        "Title line\r\n\r\nThe union said that the\r\nstrike goes on.\rEnd.\r\n"
    )
    assert doc.text == "Title line\n\nThe union said that the strike goes on.\nEnd."
    assert_words_verbatim(doc)


def test_bracketed_month_headers_start_sections() -> None:
    doc = document_from_text(
        "Intro line.\n\n(January 2017)\nThe court acted on 5 January.\n\n"
        "(April 2017) Unions wrote last month.\n"
    )
    assert [(s.date.iso, s.title) for s in doc.sections if s.date] == [
        ("2017-01", "The court acted on 5 January."[:0]),
        ("2017-04", ""),
    ]
    # Before the first item only the page date helps: the newest item stands in for it.
    assert doc.anchor_at(0) == doc.meta.published and doc.meta.published.iso == "2017-04"
    pos = doc.text.index("last month")
    assert find_dates(doc.text[pos:], doc.anchor_at(pos))[0][2].iso == "2017-03"


def test_a_sentence_starting_with_a_date_is_not_an_item_header() -> None:
    doc = document_from_text("Report\n\n5 January 2022 - Police arrested two men.\n")
    assert doc.sections == ()


def test_news_list_items_are_dated_sections() -> None:
    doc = load("news_list.txt")
    assert "Font size" not in doc.text and "Regular version" not in doc.text
    assert "\nNews\n" not in doc.text
    assert doc.text.count("Oil workers strike in Zhanaozen") == 1  # repeated headline dropped
    assert [(s.date.iso, s.title) for s in doc.sections if s.date] == [
        ("2023-04-17", "Oil workers strike in Zhanaozen"),
        ("2022-08-11", "Union deregistered"),
    ]
    first, second = doc.sections
    assert doc.text[first.start :].startswith("17 April, 2023 / kazakhstan")
    assert first.end == second.start and second.end == len(doc.text)
    # Relative dates inside an item resolve against the item's own date.
    pos = doc.text.index("on 2 January")
    anchor = doc.anchor_at(pos)
    assert anchor is not None and anchor.iso == "2022-08-11"
    hits = find_dates(doc.text[pos : pos + 40], anchor)
    assert [v.iso for _, _, v in hits] == ["2022-01-02", "2022"]
    pos = doc.text.index("last month")
    assert find_dates("last month", doc.anchor_at(pos))[0][2].iso == "2023-03"
    # The list has no date of its own: the newest item stands in.
    assert doc.meta.published is not None and doc.meta.published.iso == "2023-04-17"


# Pieces of text that exercise every cleaning rule: markdown, white space, chrome, date headers.
_PIECES = [*"ab Kz.,-#*[]()\\_`>!/\n\t\u00a0", "\n\n", "Font size::", "[x](#)", "17 April, 2023"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=80).map("".join),
    st.data(),
)
def test_every_cleaned_span_maps_back_to_its_source(source: str, data: st.DataObject) -> None:
    doc = document_from_text(source, "t.md")
    assert_offsets_consistent(doc)
    if not doc.text:
        return
    start = data.draw(st.integers(0, len(doc.text) - 1))
    end = data.draw(st.integers(start + 1, len(doc.text)))
    covered = {i for c, _, n in doc.offsets.segments for i in range(c, c + n)}
    real = "".join(doc.text[i] for i in range(start, end) if i in covered)
    span = doc.source_span(start, end)
    assert source[span.start : span.end] == span.text
    if not real:
        return
    # The source slice starts and ends where the cleaned span does, and holds its characters in
    # order; in between, only what cleaning dropped (chrome lines, markup, extra white space).
    assert span.text[0] == real[0] and span.text[-1] == real[-1]
    chars = iter(span.text)
    assert all(c in chars for c in real)
    if all(i in covered for i in range(start, end)) and "\n" not in doc.text[start:end]:
        joined = re.sub(r"\s+", " ", span.text)
        assert re.sub(r"[\\*`\[\]()#_>!]", "", joined).replace(" ", "") == re.sub(
            r"[\\*`\[\]()#_>!]", "", doc.text[start:end]
        ).replace(" ", "")


# --- finding sources and sidecars -------------------------------------------------------------


def test_find_sources(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    for name in ("b.txt", "a.md", "sub/c.html", "sub/d.pdf", "e.markdown", "f.htm"):
        (root / name).write_text("text")
    for name in (".hidden.txt", ".git/x.txt", "b.txt.meta.yaml", "notes.docx", "g.csv"):
        (root / name).write_text("skip")
    outside = tmp_path / "outside.txt"
    outside.write_text("outside")
    (root / "escape.txt").symlink_to(outside)
    (root / "dup.txt").symlink_to(root / "b.txt")
    found = find_sources([root, root / "b.txt", root / "sub"])
    assert [(p.relative_to(root).as_posix(), r) for p, r in found] == [
        ("a.md", root),
        ("b.txt", root),
        ("e.markdown", root),
        ("f.htm", root),
        ("sub/c.html", root),
        ("sub/d.pdf", root),
    ]


def test_find_sources_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as err:
        find_sources([tmp_path / "nope"])
    assert str(err.value) == f"{tmp_path / 'nope'}: no such file or folder; check the path"


def test_doc_id_and_hash(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "x.txt"
    path.write_bytes(b"Union news\n")
    doc = load_document(path, tmp_path)
    assert doc.doc_id == "sub/x.txt" and doc.path == str(path) and doc.format == "txt"
    assert doc.sha256 == hashlib.sha256(b"Union news\n").hexdigest()


def test_sidecar_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("Headline here\n\nBrussels, 24 March 2017\n\nText.\n")
    (tmp_path / "x.txt.meta.yaml").write_text(
        "# from the text\ntitle: Real title\npublisher: ITUC\npublished: 2017-03\n"
        "url: https://example.org/x\nlanguage: en\nformat: pdf\n"
    )
    meta = load_document(path, tmp_path).meta
    assert (meta.title, meta.publisher, meta.url) == ("Real title", "ITUC", "https://example.org/x")
    assert meta.published is not None and meta.published.iso == "2017-03"
    (tmp_path / "x.txt.meta.yaml").write_text("published: null\n")
    meta = load_document(path, tmp_path).meta
    assert meta.published is None and meta.title == "Headline here"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("title: [unclosed\n", "not readable as YAML (expected ',' or ']', but got '<stream end>'"),
        ("- a list\n", "expected key: value lines; fix it"),
        ("author: Someone\n", "unknown key 'author'; fix it"),
        ("published: soon\n", "published 'soon' is not a date"),
        ("format: docx\n", "format 'docx' is not one of html, md, pdf, txt"),
        ("title: {a: 1}\n", "'title' must be a single value"),
        ("title: \xff\n", "not readable as YAML (not UTF-8 text)"),
    ],
)
def test_malformed_sidecar(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text("Text.\n")
    sidecar = tmp_path / "x.txt.meta.yaml"
    sidecar.write_bytes(content.encode("latin-1") if "\xff" in content else content.encode())
    with pytest.raises(DocumentError) as err:
        load_document(path, tmp_path)
    assert err.value.path == str(sidecar)
    assert err.value.problem.startswith("malformed sidecar, so x.txt is skipped: " + problem)
    assert err.value.problem.endswith("(keys: title, publisher, published, url, language, format)")


# --- the bundled sources ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources() -> dict[str, Document]:
    return {p.name[:3]: load_document(p, root) for p, root in find_sources([SOURCES])}


def test_all_sources_load(sources: dict[str, Document]) -> None:
    assert sorted(sources) == ["000", "001", "002", "003", "004"]
    for doc in sources.values():
        assert_words_verbatim(doc)
        assert_offsets_consistent(doc)


def test_source_001_news_list(sources: dict[str, Document]) -> None:
    doc = sources["001"]
    assert "Font size" not in doc.text and "Colour: C C C" not in doc.text
    assert "17 April, 2023 / kazakhstan" in doc.text
    assert "2023-04-17" in [s.date.iso for s in doc.sections if s.date]
    assert len(doc.sections) == 10
    assert doc.meta.published is None  # the sidecar says the list has no date of its own
    pos = doc.text.index("On 8 January")
    assert find_dates(doc.text[pos : pos + 12], doc.anchor_at(pos))[0][2].iso == "2022-01-08"


def test_source_000_tags_removed(sources: dict[str, Document]) -> None:
    doc = sources["000"]
    assert "\nKazakhstan\n" not in doc.text
    assert [s.date.iso for s in doc.sections if s.date] == ["2017-04", "2017-01"]


def test_source_dates_and_publishers(sources: dict[str, Document]) -> None:
    got = {k: (d.meta.published.iso if d.meta.published else None) for k, d in sources.items()}
    assert got == {
        "000": None,
        "001": None,
        "002": "2017-03-24",
        "003": "2020-03-13",
        "004": "2017-01-23",
    }
    assert sources["002"].meta.publisher == "ITUC" and sources["003"].meta.publisher == "EPSU"


def test_source_chrome_and_boilerplate(sources: dict[str, Document]) -> None:
    assert "Log in" not in sources["003"].text and "ILO in Kazakhstan" not in sources["003"].text
    assert "ILO representative the trade union law" in sources["003"].text  # joined over a blank
    assert "Follow us" not in sources["004"].text and "004/230117" not in sources["004"].text
    assert "Sharan Burrow\nGeneral Secretary\nITUC" in sources["002"].text
    assert "Tel." not in sources["002"].text


def test_published_detected_from_text_without_sidecars(tmp_path: Path) -> None:
    for name in ("002_e92af2c9544389e4.txt", "004_0a850f2f5b0b595b.txt"):
        shutil.copy(SOURCES / name, tmp_path / name)
    docs = {p.name[:3]: load_document(p, r) for p, r in find_sources([tmp_path])}
    assert docs["002"].meta.published.iso == "2017-03-24"
    assert docs["004"].meta.published.iso == "2017-01-23"
    assert docs["004"].meta.title == "Kazakhstan: Repression of Independent Trade Unions"
