"""Extraction stage: mentions, relations and incidents of one document, all with evidence offsets."""

from __future__ import annotations

from ..model import Document, Extraction
from .incidents import find_incidents
from .mentions import find_mentions
from .nlp import matchers
from .relations import find_relations

__all__ = ["extract"]


def extract(doc: Document) -> Extraction:
    """Run every extraction step over the cleaned text of ``doc``."""
    m = matchers()
    sdoc = m.nlp(doc.text)
    sentences = [(s.start_char, s.end_char) for s in sdoc.sents]
    mentions, _country = find_mentions(doc, sdoc, m)
    relations = find_relations(doc, mentions, sentences, m.ref)
    incidents = find_incidents(doc, sdoc, mentions, sentences, m)
    return Extraction(doc, tuple(mentions), tuple(relations), tuple(incidents))
