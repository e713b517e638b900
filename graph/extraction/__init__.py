"""Extraction stage: mentions, relations and incidents of one document, all with evidence offsets."""

from __future__ import annotations

from ..model import Document, Extraction

__all__ = ["extract"]


def extract(doc: Document, *, ner: bool | None = None) -> Extraction:
    """Run every extraction step over the cleaned text of ``doc``.

    ``ner`` adds the statistical model's people to what the rules find; None uses the model when
    it is installed (`pip install -r requirements-ner.txt`), so a build works with or without it.
    """
    # Imported on first use (spaCy takes a second): a build whose documents are all known
    # from its cache never needs them.
    from . import ner as ner_model
    from .incidents import find_incidents
    from .mentions import find_mentions
    from .nlp import matchers, sentence_spans
    from .relations import find_relations

    if ner is None:
        ner = ner_model.available()
    m = matchers()
    # Tokens only: sentence_spans applies the pipeline's sentencizer rule itself, faster.
    sdoc = m.nlp.make_doc(doc.text)
    sentences = _split_lines(sentence_spans(sdoc, m), doc.text)
    mentions, country = find_mentions(doc, sdoc, m, ner)
    relations = find_relations(doc, mentions, sentences, m.ref)
    incidents = find_incidents(doc, sdoc, mentions, sentences, m, country)
    return Extraction(doc, tuple(mentions), tuple(relations), tuple(incidents))


def _split_lines(sentences: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Also end a sentence at a line break: cleaning already joined wrapped lines, so a line
    break left in the cleaned text ends a heading, a dateline or a list item."""
    out = []
    for s, e in sentences:
        start = s
        while (i := text.find("\n", start, e)) >= 0:
            if text[start:i].strip():
                out.append((start, i))
            start = i + 1
        if text[start:e].strip():
            out.append((start, e))
    return out
