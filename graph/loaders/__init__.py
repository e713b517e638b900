"""One loader per file format: each returns the source text and the metadata the file carries.

The source text is what evidence offsets index: the decoded file for .txt/.md, the visible text
for .html, the text layer for .pdf. Metadata values are kept as written (dates unparsed); the
documents stage decides what they mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentError


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


def load_file(path: Path) -> Loaded:
    """Read ``path`` with the loader for its format."""
    from . import html, pdf, text  # here, not at the top: each pulls in its own parser

    loaders: dict[str, Callable[[Path], Loaded]] = {
        "txt": text.load,
        "md": text.load,
        "html": html.load,
        "pdf": pdf.load,
    }
    return loaders[format_of(path)](path)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, with an OSError turned into a DocumentError."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            str(path), f"cannot read file ({exc.strerror}); check it exists"
        ) from exc
