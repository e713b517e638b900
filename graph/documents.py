"""The documents stage: find source files and turn each into a cleaned, dated :class:`Document`.

Metadata comes from, in order: the sidecar ``<file name>.meta.yaml`` next to the file (a key
set to null there means "known to be absent": nothing is detected for it), the file itself
(HTML head, PDF info), then the text (first heading or line as title; a dateline near the top,
else the newest item date, as publication date). Item headers of list pages ("17 April, 2023 /
kazakhstan", "(April 2017) ...") each start a :class:`Section` dated by the header, so relative
dates inside an item resolve against the item (:meth:`Document.anchor_at`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from .cleaning import Cleaned, clean
from .dates import find_dates, parse_date
from .errors import DocumentError
from .loaders import FORMATS, Limits, Loaded, format_of, load_file, read_bytes
from .model import DateValue, Document, DocumentMeta, Problem, Section

SIDECAR_SUFFIX = ".meta.yaml"
SIDECAR_KEYS = ("title", "publisher", "published", "url", "language", "format")
_TOP_LINES = 20  # a dateline further down is a date in the text, not the document's
_TITLE_MAX = 200
_SIDECAR_MAX_BYTES = 64 * 1024  # a few lines of metadata; anything bigger is not a sidecar
# After an item date: nothing, or a "/ tag" or "| tag" (the news list's "/ kazakhstan").
_ITEM_TAIL = re.compile(r"\)?\s*(?:[/|–—-]\s*[\w ,&'’-]{1,40})?")
# "Brussels, 24 March 2017", "(Brussels, 13 March 2020)": a place, a comma, then the date.
_DATELINE_HEAD = re.compile(r"\(?[A-Z][\w.'’ -]{1,40}?,\s+")
# A header's date opens its line (after at most a place and a comma), so only a line's first
# words are read for it: a paragraph is not scanned whole for a date that must start it.
_HEADER_SCAN = 160


def find_sources(
    paths: list[Path], problems: list[Problem] | None = None
) -> list[tuple[Path, Path]]:
    """Source files under ``paths``, each with the root it was found under, without duplicates.

    Folders are walked recursively in sorted order for .txt .md .markdown .html .htm .pdf,
    skipping hidden files and folders and ``*.meta.yaml`` sidecars. A symlink is followed only
    to a file inside its root that is not found anyway; one that loops, dangles or leaves the
    root is skipped and appended to ``problems``, as is a folder that cannot be read. A file
    named directly is taken whatever its type (loading it reports a bad type).
    """
    found: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    problems = [] if problems is None else problems

    def add(file: Path, real: Path, root: Path) -> None:
        if real not in seen:
            seen.add(real)
            found.append((file, root))

    for path in paths:
        if path.is_dir():
            for file, real in _walk(path, problems):
                add(file, real, path)
        elif path.is_file():
            if not path.name.endswith(SIDECAR_SUFFIX):
                add(path, path.resolve(), path.parent)
        else:
            raise DocumentError(str(path), "no such file or folder; check the path")
    return found


def _walk(root: Path, problems: list[Problem]) -> list[tuple[Path, Path]]:
    """Supported files under ``root`` with their real paths; a symlink only if it stays inside
    and adds a file."""
    real_root = root.resolve()
    found: list[tuple[tuple[str, ...], Path, Path]] = []  # (parts below root, file, real)
    links: list[tuple[tuple[str, ...], Path]] = []

    # Folders are read with scandir, which tells symlinks and folders apart without a stat
    # per file, and only real folders are walked (a folder loop cannot trap it); so a file
    # that is no symlink is really at the root's real path joined with its own relative path.
    def visit(here: Path, real_here: Path, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(
                Problem(str(exc.filename), f"cannot read folder ({exc.strerror}); skipped")
            )
            return
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(name)
            elif name.endswith(SIDECAR_SUFFIX):
                continue
            elif entry.is_symlink():
                links.append(((*parts, name), here / name))
            elif os.path.splitext(name)[1].lower() in FORMATS:
                found.append(((*parts, name), here / name, real_here / name))
        for name in folders:
            visit(here / name, real_here / name, (*parts, name))

    visit(root, real_root, ())
    real_files = {real for _, _, real in found}
    for parts, link in sorted(links):
        target, problem = _link_target(link, real_root)
        if problem:
            problems.append(Problem(str(link), problem))
        elif target is not None and target.is_file() and target not in real_files:
            if link.suffix.lower() in FORMATS or target.suffix.lower() in FORMATS:
                found.append((parts, link, target))
    return [(file, real) for _, file, real in sorted(found, key=lambda f: f[0])]


def _link_target(link: Path, real_root: Path) -> tuple[Path | None, str]:
    """Where ``link`` leads inside ``real_root``, or why it is skipped."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:  # Python 3.11/3.12 name a loop this way
        return None, "symlink loop; skipped (remove the link)"
    except FileNotFoundError:
        return None, f"symlink to a missing file ({os.readlink(link)}); skipped"
    except OSError as exc:  # ELOOP on newer Pythons
        if exc.errno == errno.ELOOP:
            return None, "symlink loop; skipped (remove the link)"
        return None, f"cannot follow symlink ({exc.strerror}); skipped"
    if not target.is_relative_to(real_root):
        return None, (
            f"symlink to {target}, outside the sources folder; skipped "
            "(copy it in, or pass its path to build as well)"
        )
    return target, ""


def load_document(
    path: Path,
    root: Path,
    *,
    limits: Limits | None = None,
    problems: list[Problem] | None = None,
) -> Document:
    """Load, clean and date one source file; DocumentError if it cannot be used.

    Caveats about a file that is used (a guessed encoding, a split paragraph) are appended to
    ``problems`` with severity "warning" or "note".
    """
    limits = limits or Limits()
    fmt = format_of(path)
    sidecar = read_sidecar(path)
    data = read_bytes(path, limits.max_file_bytes)
    loaded = load_file(path, data, limits)
    digest = hashlib.sha256(data).hexdigest()
    doc_id = doc_id_of(path, root)
    # Checked before cleaning (which costs time per character) and after (what extraction reads).
    _check_length(path, len(loaded.text), limits.max_text_chars)
    made = _document(loaded, fmt, doc_id, str(path), digest, sidecar, limits.max_paragraph_chars)
    _check_length(path, len(made.document.text), limits.max_text_chars)
    if problems is not None:
        problems.extend(Problem(str(path), text, severity) for severity, text in loaded.notes)
        if made.cuts:
            problems.append(
                Problem(
                    str(path),
                    f"lines over {limits.max_paragraph_chars:,} characters split in "
                    f"{made.cuts} place{'s' if made.cuts > 1 else ''} (quotes stop at a split); "
                    "break the text into paragraphs, or raise --max-paragraph-chars",
                    "warning",
                )
            )
    return made.document


def _check_length(path: Path, chars: int, limit: int) -> None:
    if chars > limit:
        raise DocumentError(
            str(path),
            f"text is {chars:,} characters, over the {limit:,} limit; "
            "split the file, or raise the limit with --max-text-chars",
        )


def document_from_text(
    text: str, doc_id: str = "text.txt", *, max_paragraph_chars: int = Limits.max_paragraph_chars
) -> Document:
    """Clean and date ``text`` as if read from a file named ``doc_id`` (no sidecar)."""
    fmt = format_of(Path(doc_id))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return _document(
        Loaded(text=text), fmt, doc_id, doc_id, digest, {}, max_paragraph_chars
    ).document


@dataclass(frozen=True)
class _Made:
    document: Document
    cuts: int  # lines split to keep within the paragraph limit


def _document(
    loaded: Loaded,
    fmt: str,
    doc_id: str,
    path: str,
    digest: str,
    sidecar: dict[str, str | None],
    max_line: int | None,
) -> _Made:
    cleaned = clean(
        loaded.text, markdown=fmt in ("txt", "md"), protect=_is_protected, max_line=max_line
    )
    sections = _sections(cleaned)
    doc = Document(
        doc_id=doc_id,
        path=path,
        format=fmt,
        sha256=digest,
        source_text=loaded.text,
        text=cleaned.text,
        offsets=cleaned.offsets,
        meta=_meta(sidecar, loaded, cleaned, sections),
        sections=sections,
    )
    return _Made(doc, cleaned.cuts)


def doc_id_of(path: Path, root: Path) -> str:
    """A source file's id: its path within the folder it was found in, POSIX separators."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:  # one given relative, the other absolute
        return path.resolve().relative_to(root.resolve()).as_posix()


def read_sidecar(path: Path) -> dict[str, str | None]:
    """The ``<file name>.meta.yaml`` values next to ``path`` ({} if none), checked."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}

    def bad(problem: str) -> DocumentError:
        keys = ", ".join(SIDECAR_KEYS)
        return DocumentError(
            str(sidecar),
            f"malformed sidecar, so {path.name} is skipped: {problem}; fix it (keys: {keys})",
        )

    try:
        raw = read_bytes(sidecar, _SIDECAR_MAX_BYTES)
    except DocumentError as exc:
        raise bad(exc.problem.split(";")[0]) from exc
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise bad(f"not readable as YAML ({_yaml_problem(exc)})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise bad("expected key: value lines")
    values: dict[str, str | None] = {}
    for key, value in data.items():
        if key not in SIDECAR_KEYS:
            raise bad(f"unknown key '{key}'")
        if isinstance(value, (date, datetime)):  # YAML reads 2017-01-23 as a date
            value = value.isoformat()[:10]
        if value is not None and not isinstance(value, (str, int)):
            raise bad(f"'{key}' must be a single value")
        values[key] = None if value is None else str(value).strip()
    if values.get("published") and parse_date(str(values["published"])) is None:
        raise bad(f"published '{values['published']}' is not a date (write YYYY-MM-DD or YYYY-MM)")
    if values.get("format") and values["format"] not in set(FORMATS.values()):
        raise bad(
            f"format '{values['format']}' is not one of {', '.join(sorted(set(FORMATS.values())))}"
        )
    return values


def _yaml_problem(exc: Exception) -> str:
    """The gist of a YAML error on one line: what is wrong and on which line."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem and exc.problem_mark:
        return f"{exc.problem} at line {exc.problem_mark.line + 1}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return " ".join(str(exc).split())[:200]


def _header(line: str) -> tuple[str, DateValue] | None:
    """What a line's leading date is: ``("item", d)``, ``("prefix", d)``, ``("dateline", d)``.

    item: a line that is only a date (and a tag), as in news lists; prefix: "(April 2017) text",
    an item date opening its paragraph; dateline: "Brussels, 24 March 2017" or
    "(Brussels, 13 March 2020) text", the place and date a document was written.
    """
    cut = line.find(" ", _HEADER_SCAN) if len(line) > 2 * _HEADER_SCAN else -1
    hits = find_dates(line[:cut] if cut > 0 else line, None)
    if not hits:
        return None
    start, end, value = hits[0]
    if start == 0 or (start == 1 and line.startswith("(")):
        rest = line[end:]
        if _ITEM_TAIL.fullmatch(rest):
            return "item", value
        if line.startswith("(") and rest.startswith(") "):
            return "prefix", value
    head = _DATELINE_HEAD.match(line)
    if head and head.end() == start and not re.search(r"\d", line[:start]):
        return "dateline", value
    return None


def _is_protected(line: str) -> bool:
    return _header(line) is not None


def _sections(cleaned: Cleaned) -> tuple[Section, ...]:
    """One section per item header, from the header to the next one (or the end)."""
    starts: list[tuple[int, DateValue, str]] = []
    lines = cleaned.lines
    for i, line in enumerate(lines):
        header = _header(line.text) if line.protected else None
        if header and header[0] in ("item", "prefix"):
            # A bare date header is followed by the item's headline; a prefix has none.
            nxt = lines[i + 1] if header[0] == "item" and i + 1 < len(lines) else None
            headline = nxt and not nxt.protected and len(nxt.text) <= _TITLE_MAX
            title = nxt.text if headline and not nxt.text.endswith(".") else ""
            starts.append((line.start, header[1], title))
    ends = [s for s, _, _ in starts[1:]] + [len(cleaned.text)]
    if not starts:
        return ()
    return tuple(Section(s, e, d, t) for (s, d, t), e in zip(starts, ends, strict=True))


def _meta(
    side: dict[str, str | None], loaded: Loaded, cleaned: Cleaned, sections: tuple[Section, ...]
) -> DocumentMeta:
    def pick(key: str, from_file: str, detect: str = "") -> str:
        if key in side:  # also when null: the sidecar says there is none
            return str(side[key] or "")
        return from_file or detect

    if "published" in side:
        published = parse_date(str(side["published"])) if side["published"] else None
    else:
        published = (parse_date(loaded.published) if loaded.published else None) or _dated(
            cleaned, sections
        )
    return DocumentMeta(
        title=pick("title", loaded.title, "" if "title" in side else _title(cleaned)),
        publisher=pick("publisher", loaded.publisher),
        published=published,
        url=pick("url", loaded.url),
        language=pick("language", loaded.language) or "en",
    )


def _title(cleaned: Cleaned) -> str:
    """The first heading near the top, else the first line that is neither date nor paragraph."""
    top = cleaned.lines[:_TOP_LINES]
    for line in top:
        if line.heading:
            return line.text
    for line in top:
        if not line.protected and len(line.text) <= _TITLE_MAX:
            return line.text
    return ""


def _dated(cleaned: Cleaned, sections: tuple[Section, ...]) -> DateValue | None:
    """A dateline near the top, else the newest item date of a list page."""
    for line in cleaned.lines[:_TOP_LINES]:
        header = _header(line.text) if line.protected else None
        if header and header[0] == "dateline":
            return header[1]
    dates = [s.date for s in sections if s.date is not None]
    return max(dates, key=lambda d: (d.latest, d.earliest)) if dates else None
