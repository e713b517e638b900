"""Plain text and markdown: decode the bytes, refusing binary and empty files.

Encodings, in order: a BOM (UTF-8, UTF-32, UTF-16), strict UTF-8, UTF-8 with a few damaged
bytes (replaced by U+FFFD, when valid multi-byte sequences outnumber the bad bytes), then a
choice between cp1251 (Cyrillic Windows text, common for Kazakh and Russian sources) and
cp1252/latin-1. charset-normalizer is not a declared dependency and guesses poorly on short
texts, so the choice is a simple test: cp1251 when most letters it yields are Cyrillic. Every
decoding but plain UTF-8 is reported as a caveat, since offsets then index re-encoded text.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from ..errors import DocumentError
from . import Limits, Loaded

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 starts like FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
BINARY = (
    "binary file, not text (NUL bytes or control characters); "
    "convert it to UTF-8 text, HTML or PDF first"
)
EMPTY = "empty file (no text); add its text or remove it from the sources"
_MAX_CONTROL_SHARE = 0.05  # more control characters than this and it is not prose
_LEGACY_NAMES = {"cp1251": "Windows-1251 (Cyrillic)", "cp1252": "Windows-1252 (Latin-1, Western)"}
_LEGACY_NAMES["latin-1"] = "Latin-1"


def load(path: Path, data: bytes, limits: Limits) -> Loaded:
    """Read a .txt or .md file (its bytes are ``data``) as text."""
    notes: list[tuple[str, str]] = []
    return Loaded(text=decode(data, str(path), notes), notes=tuple(notes))


def decode(data: bytes, path: str, notes: list[tuple[str, str]] | None = None) -> str:
    """Decode file bytes to text; DocumentError for binary, undecodable or empty content.

    How the bytes were read, when not plain UTF-8, is appended to ``notes``.
    """
    text, note = _decode(data, path)
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if "\x00" in text or controls > _MAX_CONTROL_SHARE * max(len(text), 1):
        raise DocumentError(path, BINARY)
    if not text.strip():
        raise DocumentError(path, EMPTY)
    if note and notes is not None:
        notes.append(note)
    return text


def _decode(data: bytes, path: str) -> tuple[str, tuple[str, str] | None]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    path, f"not valid {codec.upper()} despite its byte-order mark; re-save as UTF-8"
                ) from exc
            if codec == "utf-8-sig":
                return text, None
            return text, ("note", f"{codec.upper()} text, read by its byte-order mark")
    if b"\x00" in data:
        raise DocumentError(path, BINARY)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    damaged = _damaged_utf8(data)
    if damaged is not None:
        text, bad = damaged
        return text, (
            "warning",
            f"{bad} byte{'s' if bad > 1 else ''} not valid UTF-8 (the first at byte "
            f"{first_bad}) replaced by U+FFFD; re-save the file as UTF-8",
        )
    text, codec = _legacy(data)
    return text, (
        "warning",
        f"not UTF-8; read as {_LEGACY_NAMES[codec]}, a guess from its letters; "
        "re-save it as UTF-8 if the text looks wrong",
    )


def _damaged_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 with a few bad bytes: ``(text with U+FFFD, bad byte count)``, else None.

    Legacy 8-bit text almost never forms valid multi-byte UTF-8 sequences, so when those
    outnumber the bytes that fail, the file is UTF-8 with damage, not another encoding.
    """
    escaped = data.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for c in escaped if "\udc80" <= c <= "\udcff")
    good = sum(1 for c in escaped if c >= "\x80" and not "\udc80" <= c <= "\udcff")
    if good <= bad:
        return None
    return data.decode("utf-8", errors="replace"), bad


def _legacy(data: bytes) -> tuple[str, str]:
    """cp1251 if that reads as mostly Cyrillic letters, else cp1252 (latin-1 as last resort)."""
    try:
        cyr = data.decode("cp1251")
    except UnicodeDecodeError:  # byte 0x98 is unassigned in cp1251
        cyr = ""
    letters = [c for c in cyr if c.isalpha()]
    if letters and sum("\u0400" <= c <= "\u04ff" for c in letters) > len(letters) / 2:
        return cyr, "cp1251"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # five bytes unassigned in cp1252; latin-1 maps every byte
        return data.decode("latin-1"), "latin-1"
