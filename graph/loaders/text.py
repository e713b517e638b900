"""Plain text and markdown: decode the bytes, refusing binary and empty files.

Encodings, in order: a BOM (UTF-8, UTF-32, UTF-16), strict UTF-8, then a choice between
cp1251 (Cyrillic Windows text, common for Kazakh and Russian sources) and cp1252/latin-1.
charset-normalizer is not a declared dependency and guesses poorly on short texts, so the
choice is a simple test: cp1251 when most letters it yields are Cyrillic.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from ..errors import DocumentError
from . import Loaded, read_bytes

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


def load(path: Path) -> Loaded:
    """Read a .txt or .md file as text."""
    return Loaded(text=decode(read_bytes(path), str(path)))


def decode(data: bytes, path: str) -> str:
    """Decode file bytes to text; DocumentError for binary, undecodable or empty content."""
    text = _decode(data, path)
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if "\x00" in text or controls > _MAX_CONTROL_SHARE * max(len(text), 1):
        raise DocumentError(path, BINARY)
    if not text.strip():
        raise DocumentError(path, EMPTY)
    return text


def _decode(data: bytes, path: str) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    path, f"not valid {codec.upper()} despite its byte-order mark; re-save as UTF-8"
                ) from exc
    if b"\x00" in data:
        raise DocumentError(path, BINARY)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _legacy(data)


def _legacy(data: bytes) -> str:
    """cp1251 if that reads as mostly Cyrillic letters, else cp1252 (latin-1 as last resort)."""
    try:
        cyr = data.decode("cp1251")
    except UnicodeDecodeError:  # byte 0x98 is unassigned in cp1251
        cyr = ""
    letters = [c for c in cyr if c.isalpha()]
    if letters and sum("\u0400" <= c <= "\u04ff" for c in letters) > len(letters) / 2:
        return cyr
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # five bytes unassigned in cp1252; latin-1 maps every byte
        return data.decode("latin-1")
