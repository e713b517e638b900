"""JSON text of the build's outputs: keys sorted, UTF-8 left as it is, the same bytes each time.

Written with orjson: Python's ``json`` formats indented output in Python, which took a quarter
of a second for ``review.json`` and ``report.json`` at 10,000 documents against 0.03 s
(bench/README.md). The text equals ``json.dumps(obj, sort_keys=True, ensure_ascii=False)`` with
``indent=2`` or compact separators, but for floats under 1e-4, which orjson writes ``1e-7``
where Python writes ``1e-07``.
"""

from __future__ import annotations

import orjson

_INDENTED = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def indented(obj: object) -> str:
    """Two-space indented JSON, keys sorted, with a final newline (a file's whole text)."""
    return orjson.dumps(obj, option=_INDENTED).decode("utf-8") + "\n"


def compact(obj: object) -> str:
    """JSON without spaces, keys sorted (for data embedded in a page)."""
    return compact_utf8(obj).decode("utf-8")


def compact_utf8(obj: object) -> bytes:
    """:func:`compact` encoded as UTF-8 (what is compressed needs no text in between)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
