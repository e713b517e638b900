"""Hostile input: every bad file gets one clear line and a row in report.json; the build goes on.

``tests/fixtures/bad/`` holds the small bad files (its PDFs were made with pypdf: the first half
of a one-page PDF, and the same PDF encrypted with RC4 and user password "secret"); the big or
odd ones (50 MB of text, a 10,000-line paragraph, HTML nested 10,000 deep, symlinks, file names
with spaces, Cyrillic letters and newlines) are made here in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from labourgraph.build import build
from labourgraph.cleaning import clean
from labourgraph.cli import main
from labourgraph.documents import find_sources, load_document
from labourgraph.errors import DocumentError, one_line
from labourgraph.loaders import MB, Limits
from labourgraph.loaders.html import visible_text
from labourgraph.model import Problem

from .conftest import SOURCES, nquads

BAD = Path(__file__).parent / "fixtures" / "bad"
NEWLINE_GOOD = "new\nline.txt"
NEWLINE_EMPTY = "empty\nname.txt"

# File -> (line label, start of the problem), for each bad input of the corpus built below.
EXPECTED = {
    "bad_sidecar.txt.meta.yaml": (
        "Skipped",
        "malformed sidecar, so bad_sidecar.txt is skipped: not readable as YAML "
        "(expected ',' or ']', but got ':' at line 2); fix it",
    ),
    "bad_utf8.txt": (
        "Warning",
        "3 bytes not valid UTF-8 (the first at byte 82) replaced by U+FFFD; "
        "re-save the file as UTF-8",
    ),
    "binary.txt": ("Skipped", "binary file, not text (NUL bytes or control characters);"),
    "cp1251.txt": (
        "Warning",
        "not UTF-8; read as Windows-1251 (Cyrillic), a guess from its letters; "
        "re-save it as UTF-8 if the text looks wrong",
    ),
    "dup_b.txt": ("Skipped", "same content as {src}/dup_a.txt; skipped"),
    "empty.txt": ("Skipped", "empty file (no text); add its text or remove it from the sources"),
    "encrypted.pdf": ("Skipped", "PDF is encrypted; save an unlocked copy or its text as .txt"),
    "latin1.txt": ("Warning", "not UTF-8; read as Windows-1252 (Latin-1, Western), a guess"),
    "scripts.html": (
        "Warning",
        "page is mostly scripts and frames (8 dropped, never run) around 34 characters of text; "
        "if a script draws the article, save the rendered text as .txt",
    ),
    "truncated.pdf": ("Skipped", "not a readable PDF (PdfStreamError: "),
    "utf16.txt": ("Note", "UTF-16 text, read by its byte-order mark"),
    "whitespace.md": ("Skipped", "empty file (no text);"),
    "big.txt": (
        "Skipped",
        "file is 50 MB, over the 20 MB limit; split it, or raise the limit with --max-file-mb",
    ),
    "paragraph.txt": (
        "Warning",
        "lines over 5,000 characters split in ",
    ),
    "deep.html": (
        "Skipped",
        "HTML nested more than 255 levels deep (limit 200); save the article text as .txt, "
        "or raise --max-html-depth (at most 255)",
    ),
    "loop.txt": ("Skipped", "symlink loop; skipped (remove the link)"),
    "outside.txt": ("Skipped", "symlink to {outside}, outside the sources folder; skipped"),
    NEWLINE_EMPTY: ("Skipped", "empty file (no text);"),
}
GOOD = {"good.txt", "dup_a.txt", "name with spaces.txt", "Профсоюз.txt", NEWLINE_GOOD}
USED_WITH_CAVEAT = {"bad_utf8.txt", "cp1251.txt", "latin1.txt", "scripts.html", "utf16.txt"}


def _odd_inputs(src: Path, outside: Path) -> None:
    """Add the big and odd inputs that are made at test time to ``src``."""
    line = b"The union said the strike goes on and the workers stay at the gates.\n"
    with open(src / "big.txt", "wb") as f:
        f.write(line * (50 * MB // len(line) + 1))
    # One paragraph of 10,000 wrapped lines: each joins the next (it starts lowercase).
    (src / "paragraph.txt").write_text(
        "Workers at the plant\n\n"
        + "\n".join(
            f"workers of shift {i} stayed at the gates of the plant and" for i in range(10_000)
        )
        + "\nwent home.\n"
    )
    (src / "deep.html").write_text(
        "<html><body>" + "<div>" * 10_000 + "Deep text." + "</div>" * 10_000 + "</body></html>"
    )
    (src / "loop.txt").symlink_to("loop.txt")
    outside.write_text("A file outside the sources folder.\n")
    (src / "outside.txt").symlink_to(outside)
    good = (BAD / "good.txt").read_text()
    (src / "name with spaces.txt").write_text(good.replace("Astana", "Almaty"))
    (src / "Профсоюз.txt").write_text(good.replace("Astana", "Shymkent"))
    (src / NEWLINE_GOOD).write_text(good.replace("Astana", "Aktau"))
    (src / NEWLINE_EMPTY).write_text("")


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.Popen]:
    """A --strict build, in another process, of the bad fixtures plus the odd inputs."""
    tmp = tmp_path_factory.mktemp("bad")
    src = tmp / "src"
    shutil.copytree(BAD, src)
    _odd_inputs(src, tmp / "outside.txt")
    out = tmp / "out"
    cmd = [sys.executable, "-m", "labourgraph.cli", "build", "src", "--out", "out", "--strict"]
    proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, env=_env())
    return tmp, out, proc


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "LABOURGRAPH_KILL_AT"}


def test_each_bad_input_gets_exactly_one_clear_line(bad_build) -> None:
    tmp, _out, proc = bad_build
    lines = proc.stderr.splitlines()
    assert lines[-1] == (
        f"Error: --strict: {len(EXPECTED) - 1} file problems "
        f"(listed above and in {tmp / 'out'}/report.json)"
    )
    lines = lines[:-1]
    assert len(lines) == len(EXPECTED), proc.stderr
    for name, (label, problem) in EXPECTED.items():
        problem = problem.format(src="src", outside=tmp / "outside.txt")
        head = f"{label}: {one_line('src/' + name)}: "
        mine = [line for line in lines if line.startswith(head)]
        assert len(mine) == 1, (name, proc.stderr)
        assert mine[0][len(head) :].startswith(problem), mine[0]
    assert "Traceback" not in proc.stderr


def test_strict_build_exits_1_and_still_writes_everything(bad_build) -> None:
    _tmp, out, proc = bad_build
    assert proc.returncode == 1, proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(report["documents"]) == GOOD | USED_WITH_CAVEAT | {"paragraph.txt"}
    assert proc.stdout.startswith(f"Built {len(report['documents'])} documents into {out}/")
    assert "problems: 12 skipped, 5 warnings, 1 note" in proc.stdout
    for name in ("graph.trig", "network.html", "store"):
        assert (out / name).exists()


def test_report_lists_every_problem(bad_build) -> None:
    tmp, out, _proc = bad_build
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    listed = {p["path"]: p for p in report["problems"]}
    assert set(listed) == {f"src/{name}" for name in EXPECTED}
    severity = {"Skipped": "error", "Warning": "warning", "Note": "note"}
    for name, (label, problem) in EXPECTED.items():
        row = listed[f"src/{name}"]
        assert row["severity"] == severity[label]
        assert row["problem"].startswith(problem.format(src="src", outside=tmp / "outside.txt"))


def test_odd_file_names_are_built_with_their_names(bad_build) -> None:
    _tmp, out, _proc = bad_build
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for name in ("name with spaces.txt", "Профсоюз.txt", NEWLINE_GOOD):
        assert report["documents"][name]["incidents"] >= 1, name
    kept = sorted(p.name for p in (out / "text").iterdir())
    assert {"name-with-spaces-txt.txt", "profsoyuz-txt.txt", "new-line-txt.txt"} <= set(kept)
    nq = nquads(out)
    assert '"new\\nline.txt"' in nq and '"Профсоюз.txt"' in nq


def test_decoded_legacy_text_is_used(bad_build) -> None:
    _tmp, out, _proc = bad_build
    kept = (out / "text" / "cp1251-txt.txt").read_text(encoding="utf-8")
    assert kept.startswith("Забастовка нефтяников")
    kept = (out / "text" / "latin1-txt.txt").read_text(encoding="utf-8")
    assert "déclaré la grève générale" in kept
    kept = (out / "text" / "bad-utf8-txt.txt").read_text(encoding="utf-8")
    assert "Astana — \ufffd\ufffd\ufffd( the police" in kept and "Жанаозен" in kept


def test_script_content_never_reaches_the_text(bad_build) -> None:
    _tmp, out, _proc = bad_build
    kept = (out / "text" / "scripts-html.txt").read_text(encoding="utf-8")
    assert kept == "Union banned, said the federation.\n"
    trig = (out / "graph.trig").read_text(encoding="utf-8")
    for payload in ("alert", "javascript:", "evil.example", "tracker.example", "written by"):
        assert payload not in trig


# --- loaders, one by one -----------------------------------------------------------------------


def test_notes_do_not_fail_a_strict_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(BAD / "good.txt", src)
    shutil.copy(BAD / "utf16.txt", src)
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "o"), "--strict"])
    assert result.exit_code == 0, result.output
    assert f"Note: {src / 'utf16.txt'}: UTF-16 text, read by its byte-order mark" in result.output
    assert "problems: 1 note" in result.output


def test_big_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with open(path, "wb") as f:  # a sparse file: refused by its size, reading it would fail
        f.truncate(50 * MB)
    with pytest.raises(DocumentError) as err:
        load_document(path, tmp_path)
    assert err.value.problem.startswith("file is 50 MB, over the 20 MB limit")
    # Only a higher limit lets it be read, and found out as the NUL bytes it is.
    with pytest.raises(DocumentError, match="binary file"):
        load_document(path, tmp_path, limits=Limits(max_file_bytes=100 * MB))


def test_file_size_limit_is_an_option(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("The union went on strike.\n" * 100_000)  # 2.6 MB
    limits = Limits(max_file_bytes=2 * MB)
    with pytest.raises(DocumentError, match=r"^.*: file is 2.48 MB, over the 2 MB limit"):
        load_document(path, tmp_path, limits=limits)


def test_text_length_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("The union went on strike.\n\n" * 100)
    with pytest.raises(DocumentError) as err:
        load_document(path, tmp_path, limits=Limits(max_text_chars=1000))
    assert err.value.problem == (
        "text is 2,700 characters, over the 1,000 limit; "
        "split the file, or raise the limit with --max-text-chars"
    )


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    problems: list[Problem] = []
    found = find_sources([tmp_path], problems)
    assert [p.name for p, _ in found] == ["pipe.txt"]
    with pytest.raises(DocumentError) as err:
        load_document(tmp_path / "pipe.txt", tmp_path)
    assert err.value.problem == "not a regular file (a pipe or device); remove it"


def test_huge_paragraph_is_split_within_the_limit(tmp_path: Path) -> None:
    text = "Workers\n\n" + "\n".join(
        f"workers of shift {i} stayed at the gates and" for i in range(3000)
    )
    path = tmp_path / "p.txt"
    path.write_text(text)
    problems: list[Problem] = []
    doc = load_document(path, tmp_path, limits=Limits(max_paragraph_chars=1000), problems=problems)
    assert max(len(line) for line in doc.text.split("\n")) <= 1000
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].problem.startswith("lines over 1,000 characters split in ")
    # Every word still maps back to itself.
    for start in range(0, len(doc.text), 997):
        span = doc.source_span(start, min(start + 40, len(doc.text)))
        assert text[span.start : span.end] == span.text


def test_one_enormous_line_is_cut_at_white_space_or_mid_word() -> None:
    words = "strike " * 3000
    cleaned = clean(words, max_line=500)
    assert cleaned.cuts > 0
    assert all(len(line) <= 500 for line in cleaned.text.split("\n"))
    assert cleaned.text.replace("\n\n", " ").split() == words.split()
    no_spaces = "x" * 5000
    cleaned = clean(no_spaces, max_line=1000)
    assert cleaned.text.split("\n\n") == ["x" * 1000] * 5


def test_good_documents_are_not_changed_by_the_paragraph_limit() -> None:
    for path, root in find_sources([Path(__file__).resolve().parents[1] / "sources"]):
        problems: list[Problem] = []
        doc = load_document(path, root, problems=problems)
        unlimited = load_document(path, root, limits=Limits(max_paragraph_chars=10**9))
        assert doc.text == unlimited.text and problems == []


def test_deeply_nested_html_is_refused_not_truncated(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 300 + "Deep." + "</div>" * 300 + "<p>End.</p>")
    with pytest.raises(DocumentError, match="HTML nested more than 255 levels deep"):
        load_document(path, tmp_path)
    path.write_text("<html><body>" + "<div>" * 220 + "Deep." + "</div>" * 220 + "<p>End.</p>")
    with pytest.raises(DocumentError, match=r"HTML nested 201\+ levels deep \(limit 200\)"):
        load_document(path, tmp_path)
    doc = load_document(path, tmp_path, limits=Limits(max_html_depth=255))
    assert doc.source_text == "Deep.\n\nEnd.\n"


def test_visible_text_does_not_recurse() -> None:
    # Built in code, the tree can be deeper than any parser allows and than Python's stack.
    root = lxml.html.fromstring("<div></div>")
    el = root
    for _ in range(sys.getrecursionlimit() * 3):
        el = lxml.html.etree.SubElement(el, "span")
    el.text = "bottom"
    assert visible_text(root, max_depth=10**6) == "bottom\n"
    with pytest.raises(DocumentError, match="levels deep"):
        visible_text(root)


def test_text_after_an_embed_is_kept(tmp_path: Path) -> None:
    # libxml2 nests what follows an <embed> inside it; dropping it dropped the article.
    path = tmp_path / "e.html"
    path.write_text("<body><p>Intro.</p><embed src='x.swf'><p>The union was banned.</p></body>")
    assert load_document(path, tmp_path).source_text == "Intro.\n\nThe union was banned.\n"


def test_pdf_owner_password_only_is_read(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BAD / "encrypted.pdf", password="secret"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    with open(tmp_path / "owner.pdf", "wb") as f:
        writer.write(f)
    doc = load_document(tmp_path / "owner.pdf", tmp_path)
    assert "Police arrested the union leader" in doc.text


def test_symlinks_that_loop_dangle_or_leave_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("A.\n")
    (src / "loop.txt").symlink_to("loop.txt")
    (src / "x.txt").symlink_to("y.txt")
    (src / "y.txt").symlink_to("x.txt")
    (src / "gone.txt").symlink_to("missing.txt")
    (src / "up").symlink_to(tmp_path)  # a folder outside: not followed
    (src / "sub" / "again").symlink_to(src)  # a folder loop inside: not followed, not reported
    (src / "inside.md").symlink_to(src / "a.txt")  # the same file again: skipped quietly
    problems: list[Problem] = []
    found = find_sources([src], problems)
    assert [p.name for p, _ in found] == ["a.txt"]
    assert [(Path(p.path).name, p.problem) for p in problems] == [
        ("gone.txt", "symlink to a missing file (missing.txt); skipped"),
        ("loop.txt", "symlink loop; skipped (remove the link)"),
        (
            "up",
            f"symlink to {tmp_path}, outside the sources folder; skipped "
            "(copy it in, or pass its path to build as well)",
        ),
        ("x.txt", "symlink loop; skipped (remove the link)"),
        ("y.txt", "symlink loop; skipped (remove the link)"),
    ]


def test_same_slug_names_do_not_collide(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a b.txt").write_text("The union went on strike in Astana.\n")
    (src / "a-b.txt").write_text("The union went on strike in Almaty.\n")
    lines: list[str] = []
    result = build([src], tmp_path / "out", echo=lines.append)
    assert result.documents == 1
    assert lines == [
        f"Skipped: {src / 'a-b.txt'}: its name gives the same id 'a-b-txt' as "
        f"{src / 'a b.txt'}; skipped (rename one of them)"
    ]


def test_a_parser_failure_is_a_problem_for_that_file_only(tmp_path, monkeypatch) -> None:
    # Fault injection: lxml failing as it never should (with RecursionError, then MemoryError).
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(BAD / "good.txt", src)
    (src / "page.html").write_text("<p>The union was banned.</p>")
    for exc in (RecursionError("maximum recursion depth exceeded"), MemoryError()):

        def fail(*args, exc=exc, **kwargs):
            raise exc

        monkeypatch.setattr(lxml.html, "document_fromstring", fail)
        lines: list[str] = []
        result = build([src], tmp_path / "out", echo=lines.append)
        assert result.documents == 1
        assert lines == [
            f"Skipped: {src / 'page.html'}: could not be read ({type(exc).__name__}"
            + (f": {exc}" if str(exc) else "")
            + "); report it with the file (--debug shows where it failed)"
        ]
        with pytest.raises(type(exc)):
            build([src], tmp_path / "out", debug=True, echo=lines.append)


def test_unexpected_errors_are_one_line_unless_debug(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "file" / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(BAD / "good.txt"), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: FileExistsError: [Errno 17] File exists: '{out.parent}' "
        "(run with --debug for details)\n"
    )
    result = runner.invoke(main, ["build", str(BAD / "good.txt"), "--out", str(out), "--debug"])
    assert isinstance(result.exception, FileExistsError)


def test_out_that_is_not_a_build_is_refused(tmp_path: Path) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["build", str(BAD / "good.txt"), "--out", str(precious)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {precious}: exists and is not a labourgraph build (no report.json); choose "
        "another --out or empty it, since a build replaces the whole folder\n"
    )
    assert (precious / "mine.txt").read_text() == "keep me"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--max-html-depth", "1000"])
    assert result.exit_code == 2


def test_problem_lines_escape_control_characters() -> None:
    assert one_line("a\nb\x1b[31m.txt") == "a\\nb\\x1b[31m.txt"
    err = DocumentError("bad\nname.txt", "empty file\n(no text)")
    assert str(err) == "bad\\nname.txt: empty file (no text)"


# --- the same outputs with --jobs 2 ------------------------------------------------------------


def test_jobs_2_gives_byte_identical_outputs_and_exports(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([SOURCES], out, jobs=2)
    for name in ("graph.trig", "graphs.json", "network.html", "report.json"):
        assert (out / name).read_bytes() == (built / name).read_bytes(), name
    runner = CliRunner()
    for fmt, name in [("turtle", "g.ttl"), ("jsonld", "g.jsonld"), ("graphml", "g.graphml")]:
        for which in (built, out):
            dest = tmp_path / f"{which.name}-{name}"
            result = runner.invoke(main, ["export", fmt, str(dest), "--out", str(which)])
            assert result.exit_code == 0, result.output
        assert (tmp_path / f"out-{name}").read_bytes() == (
            tmp_path / f"{built.name}-{name}"
        ).read_bytes(), fmt


def test_jobs_2_reports_the_same_problems_in_the_same_order(tmp_path: Path) -> None:
    runs = []
    for jobs in (1, 2):
        lines: list[str] = []
        build([BAD], tmp_path / f"out{jobs}", jobs=jobs, echo=lines.append)
        report = (tmp_path / f"out{jobs}" / "report.json").read_bytes()
        runs.append((lines, report))
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == 12
