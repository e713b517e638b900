"""One loader per file format: each returns the source text and the metadata the file carries.

The source text is what evidence offsets index: the decoded file for .txt/.md, the visible text
for .html, the text layer for .pdf. Metadata values are kept as written (dates unparsed); the
documents stage decides what they mean. A loader raises DocumentError for a file it cannot use
and returns caveats about one it can (a guessed encoding, a damaged PDF) in ``Loaded.notes``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size limits that keep one hostile file from stalling or sinking a build (build options)."""

    max_file_bytes: int = 20 * MB  # checked before reading: larger files are skipped
    max_text_chars: int = 1_000_000  # of cleaned text; the spaCy tokenizer's own default limit
    # A longer cleaned line is split: extraction slows down fast with sentence length, and the
    # longest real paragraph in the corpora is under 1,300 characters.
    max_paragraph_chars: int = 5_000
    max_html_depth: int = 200  # deeper pages are refused; libxml2 itself stops at 256 levels


@dataclass(frozen=True)
class Loaded:
    """What a loader read from one file: its text and any metadata found in the file itself."""

    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published: str = ""  # as written, e.g. "2017-03-24T10:00:00Z" or "D:20170324"
    url: str = ""
    language: str = ""
    notes: tuple[tuple[str, str], ...] = ()  # (severity "warning"/"note", message) caveats


# Extension -> format name (Document.format).
FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


def format_of(path: Path) -> str:
    """The format name of ``path`` by extension; DocumentError for an unsupported one."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        kinds = ", ".join(FORMATS)
        raise DocumentError(
            str(path), f"unsupported file type '{path.suffix}'; convert it to one of {kinds}"
        )
    return fmt


def load_file(path: Path, data: bytes | None = None, limits: Limits | None = None) -> Loaded:
    """Read ``path`` (whose bytes are ``data`` when already read) with its format's loader."""
    from . import html, pdf, text  # here, not at the top: each pulls in its own parser

    loaders: dict[str, Callable[[Path, bytes, Limits], Loaded]] = {
        "txt": text.load,
        "md": text.load,
        "html": html.load,
        "pdf": pdf.load,
    }
    limits = limits or Limits()
    loader = loaders[format_of(path)]
    return loader(path, read_bytes(path, limits.max_file_bytes) if data is None else data, limits)


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; DocumentError otherwise.

    The size is checked before reading, so a huge file costs nothing, and at most one byte more
    than the limit is read, in case the file grows meanwhile.
    """
    try:
        # Non-blocking, so that opening a FIFO returns at once and fstat can refuse it.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):  # a FIFO would block the build forever
                raise DocumentError(str(path), "not a regular file (a pipe or device); remove it")
            limit = info.st_size if max_bytes is None else max_bytes
            if info.st_size > limit:
                raise DocumentError(str(path), too_big(info.st_size, limit))
            data = f.read(limit + 1)
    except OSError as exc:
        raise DocumentError(
            str(path), f"cannot read file ({exc.strerror}); check it exists and is readable"
        ) from exc
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentError(str(path), too_big(len(data), max_bytes))
    return data


def too_big(size: int, limit: int) -> str:
    """The problem of a file of ``size`` bytes over the ``limit``."""
    return (
        f"file is {_size(size)}, over the {_size(limit)} limit; "
        "split it, or raise the limit with --max-file-mb"
    )


def _size(n: int) -> str:
    return f"{n / MB:.3g} MB" if n >= MB // 10 else f"{n} bytes"
