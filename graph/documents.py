"""The documents stage: find source files and turn each into a cleaned, dated :class:`Document`.

Metadata comes from, in order: the sidecar ``<file name>.meta.yaml`` next to the file (a key
set to null there means "known to be absent": nothing is detected for it), the file itself
(HTML head, PDF info), then the text (first heading or line as title; a dateline near the top,
else the newest item date, as publication date). Item headers of list pages ("17 April, 2023 /
kazakhstan", "(April 2017) ...") each start a :class:`Section` dated by the header, so relative
dates inside an item resolve against the item (:meth:`Document.anchor_at`).
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, datetime
from pathlib import Path

import yaml

from .cleaning import Cleaned, clean
from .dates import find_dates, parse_date
from .errors import DocumentError
from .loaders import FORMATS, Loaded, format_of, load_file, read_bytes
from .model import DateValue, Document, DocumentMeta, Section

SIDECAR_SUFFIX = ".meta.yaml"
SIDECAR_KEYS = ("title", "publisher", "published", "url", "language", "format")
_TOP_LINES = 20  # a dateline further down is a date in the text, not the document's
_TITLE_MAX = 200
# After an item date: nothing, or a "/ tag" or "| tag" (the news list's "/ kazakhstan").
_ITEM_TAIL = re.compile(r"\)?\s*(?:[/|–—-]\s*[\w ,&'’-]{1,40})?")
# "Brussels, 24 March 2017", "(Brussels, 13 March 2020)": a place, a comma, then the date.
_DATELINE_HEAD = re.compile(r"\(?[A-Z][\w.'’ -]{1,40}?,\s+")


def find_sources(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Source files under ``paths``, each with the root it was found under, without duplicates.

    Folders are walked recursively in sorted order for .txt .md .markdown .html .htm .pdf,
    skipping hidden files and folders, ``*.meta.yaml`` sidecars and symlinks that leave the
    root. A file named directly is taken whatever its type (loading it reports a bad type).
    """
    found: list[tuple[Path, Path]] = []
    seen: set[Path] = set()

    def add(file: Path, root: Path) -> None:
        real = file.resolve()
        if real not in seen:
            seen.add(real)
            found.append((file, root))

    for path in paths:
        if path.is_dir():
            for file in _walk(path):
                add(file, path)
        elif path.is_file():
            if not path.name.endswith(SIDECAR_SUFFIX):
                add(path, path.parent)
        else:
            raise DocumentError(str(path), "no such file or folder; check the path")
    return found


def _walk(root: Path) -> list[Path]:
    """Supported files under ``root``; a symlink only if it stays inside and adds a file."""
    real_root = root.resolve()
    files: list[Path] = []
    links: list[Path] = []
    for folder, dirs, names in os.walk(root):  # does not descend into symlinked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            file = Path(folder) / name
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            if file.suffix.lower() in FORMATS:
                (links if file.is_symlink() else files).append(file)
    real_files = {f.resolve() for f in files}
    for link in links:
        target = link.resolve()
        if target.is_file() and target.is_relative_to(real_root) and target not in real_files:
            files.append(link)
    return sorted(files, key=lambda f: f.relative_to(root).parts)


def load_document(path: Path, root: Path) -> Document:
    """Load, clean and date one source file; DocumentError if it cannot be used."""
    fmt = format_of(path)
    sidecar = read_sidecar(path)
    loaded = load_file(path)
    digest = hashlib.sha256(read_bytes(path)).hexdigest()
    return _document(loaded, fmt, _doc_id(path, root), str(path), digest, sidecar)


def document_from_text(text: str, doc_id: str = "text.txt") -> Document:
    """Clean and date ``text`` as if read from a file named ``doc_id`` (no sidecar)."""
    fmt = format_of(Path(doc_id))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _document(Loaded(text=text), fmt, doc_id, doc_id, digest, {})


def _document(
    loaded: Loaded, fmt: str, doc_id: str, path: str, digest: str, sidecar: dict[str, str | None]
) -> Document:
    cleaned = clean(loaded.text, markdown=fmt in ("txt", "md"), protect=_is_protected)
    sections = _sections(cleaned)
    return Document(
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


def _doc_id(path: Path, root: Path) -> str:
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
        return DocumentError(str(sidecar), f"malformed sidecar: {problem}; fix it (keys: {keys})")

    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise bad(f"not readable as YAML ({' '.join(str(exc).split())})") from exc
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


def _header(line: str) -> tuple[str, DateValue] | None:
    """What a line's leading date is: ``("item", d)``, ``("prefix", d)``, ``("dateline", d)``.

    item: a line that is only a date (and a tag), as in news lists; prefix: "(April 2017) text",
    an item date opening its paragraph; dateline: "Brussels, 24 March 2017" or
    "(Brussels, 13 March 2020) text", the place and date a document was written.
    """
    hits = find_dates(line, None)
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
