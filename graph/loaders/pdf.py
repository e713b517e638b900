"""PDF files: pypdf's text layer, pages separated by a blank line, and the info dictionary.

pypdf reads damaged files as far as it can and says so through its logger; those messages
become a caveat on the document (its text may be incomplete) instead of noise on stderr.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

from pypdf import PdfReader

from ..errors import DocumentError
from . import Limits, Loaded

NO_TEXT = "PDF has no text layer (a scan?); run OCR on it or save its text as .txt"
ENCRYPTED = "PDF is encrypted; save an unlocked copy or its text as .txt"


def load(path: Path, data: bytes, limits: Limits) -> Loaded:
    """Read a .pdf file (its bytes are ``data``): every page's text plus title/author/date."""
    with _pypdf_messages() as messages:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not _unlocks(reader):
                raise DocumentError(str(path), ENCRYPTED)
            pages = [(page.extract_text() or "").strip("\n") for page in reader.pages]
            info = reader.metadata
        except DocumentError:
            raise
        except Exception as exc:  # pypdf fails on broken files in many ways, all the file's
            raise DocumentError(
                str(path),
                f"not a readable PDF ({type(exc).__name__}: {exc}); "
                "re-export it or save its text as .txt",
            ) from exc
    text = "\n\n".join(p for p in pages if p.strip())
    if not text.strip():
        raise DocumentError(str(path), NO_TEXT)
    notes: tuple[tuple[str, str], ...] = ()
    if messages:
        notes = (
            (
                "warning",
                f"PDF is damaged ({messages[0]}); some text may be missing, re-export it",
            ),
        )
    if info is None:
        return Loaded(text=text + "\n", notes=notes)
    created = info.get("/CreationDate")
    return Loaded(
        text=text + "\n",
        title=str(info.title or "").strip(),
        author=str(info.author or "").strip(),
        published=_pdf_date(str(created)) if created else "",
        notes=notes,
    )


def _unlocks(reader: PdfReader) -> bool:
    """Whether the empty user password opens it (owner-only protection is common)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # e.g. AES without the optional cryptography package: still locked
        return False


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(" ".join(record.getMessage().split()))


@contextlib.contextmanager
def _pypdf_messages() -> Iterator[list[str]]:
    """Collect pypdf's warnings (logged or warned) instead of printing them."""
    messages: list[str] = []
    logger = logging.getLogger("pypdf")
    handler = _Collect(messages)
    saved = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
        messages.extend(" ".join(str(w.message).split()) for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _pdf_date(raw: str) -> str:
    """``D:20170324101500+01'00'`` -> ``2017-03-24`` (or ``2017-03`` / ``2017`` if shorter)."""
    digits = raw.removeprefix("D:")[:8]
    if not digits.isdigit() or len(digits) < 4:
        return ""
    parts = [digits[:4], digits[4:6], digits[6:8]]
    return "-".join(p for p in parts if len(p) == 2 or p == parts[0])
