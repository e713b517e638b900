"""PDF files: pypdf's text layer, pages separated by a blank line, and the info dictionary."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import DocumentError
from . import Loaded, read_bytes

NO_TEXT = "PDF has no text layer (a scan?); run OCR on it or save its text as .txt"
ENCRYPTED = "PDF is encrypted; save an unlocked copy or its text as .txt"


def load(path: Path) -> Loaded:
    """Read a .pdf file: the text of every page plus title/author/creation date."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about the file, not us
    try:
        reader = PdfReader(io.BytesIO(read_bytes(path)))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(str(path), ENCRYPTED)
        pages = [(page.extract_text() or "").strip("\n") for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(
            str(path), f"not a readable PDF ({exc}); re-export it or save its text as .txt"
        ) from exc
    text = "\n\n".join(p for p in pages if p.strip())
    if not text.strip():
        raise DocumentError(str(path), NO_TEXT)
    if info is None:
        return Loaded(text=text + "\n")
    created = info.get("/CreationDate")
    return Loaded(
        text=text + "\n",
        title=str(info.title or "").strip(),
        author=str(info.author or "").strip(),
        published=_pdf_date(str(created)) if created else "",
    )


def _pdf_date(raw: str) -> str:
    """``D:20170324101500+01'00'`` -> ``2017-03-24`` (or ``2017-03`` / ``2017`` if shorter)."""
    digits = raw.removeprefix("D:")[:8]
    if not digits.isdigit() or len(digits) < 4:
        return ""
    parts = [digits[:4], digits[4:6], digits[6:8]]
    return "-".join(p for p in parts if len(p) == 2 or p == parts[0])
