"""Relations between mentions: positions, affiliations and parts, from how texts state them."""

from __future__ import annotations

import regex as re

from ..model import ORG_TYPES, Document, Mention, Relation
from ..reference import Reference

APPOSITION_OF = re.compile(
    r"^,\s+(?:the\s+|a\s+|an\s+)?(.+?)\s+(?:of|at|in|for|with)\s+(?:the\s+)?$"
)
AFFILIATED_PREFIX = re.compile(r"-affiliated\s+(?:the\s+)?$")
AFFILIATE_OF = re.compile(
    r"^,?\s+(?:(?:is|are|was|were)\s+)?(?:an?\s+)?(?:affiliated\s+(?:to|with)|affiliates?\s+of|"
    r"members?\s+of|member\s+organi[sz]ations?\s+of)\s+(?:the\s+)?$"
)
ITS_AFFILIATE = re.compile(
    r"\bits\s+(?:affiliates?|member\s+organi[sz]ations?|affiliated\s+unions?)\s+(?:the\s+)?$"
)


def _title(ref: Reference, text: str) -> tuple[str, str] | None:
    """``(as written, role id)`` when ``text`` is a title from the lookup, else None."""
    t = text.strip().strip(",").strip()
    hit = ref.title_for(t)
    return (t, hit.id) if hit else None


def find_relations(
    doc: Document, mentions: list[Mention], sentences: list[tuple[int, int]], ref: Reference
) -> list[Relation]:
    """Relations stated within one sentence, plus curated part-of links between mentioned bodies."""
    text = doc.text
    out: dict[tuple[str, str, str], Relation] = {}

    def add(kind: str, subj: Mention, obj: Mention, detail: str, role: str, s: int, e: int) -> None:
        if subj.identity == obj.identity:
            return
        k = (kind, subj.identity, obj.identity)
        if k not in out:
            out[k] = Relation(kind, subj, obj, detail, role, doc.source_span(s, e))

    for ss, se in sentences:
        ms = [m for m in mentions if ss <= m.clean_start < se]
        for i, m in enumerate(ms):
            prev = ms[i - 1] if i else None
            nxt = ms[i + 1] if i + 1 < len(ms) else None
            if m.type == "Person":
                _position_rules(text, ref, m, prev, nxt, add, ss, se)
            elif m.type in ORG_TYPES and prev is not None and prev.type in ORG_TYPES:
                between = text[prev.clean_end : m.clean_start]
                if (
                    between.startswith("-") and AFFILIATED_PREFIX.search(between)
                ) or ITS_AFFILIATE.search(text[ss : m.clean_start]):
                    add("affiliated_to", m, prev, "", "", ss, se)
            if m.type in ORG_TYPES and nxt is not None and nxt.type in ORG_TYPES:
                if AFFILIATE_OF.match(text[m.clean_end : nxt.clean_start]):
                    add("affiliated_to", m, nxt, "", "", ss, se)

    _curated_parts(doc, mentions, ref, add)
    return sorted(out.values(), key=lambda r: (r.evidence.start, r.type, r.subject.identity))


def _position_rules(text, ref, p, prev, nxt, add, ss, se) -> None:
    # "CNTUK President Larisa Kharkova": ORG TITLE PERSON
    if prev is not None and prev.type in ORG_TYPES:
        between = text[prev.clean_end : p.clean_start]
        t = _title(ref, between)
        if t:
            add("position", p, prev, t[0], t[1], ss, se)
            return
        # "the President of Kazakhstan, Nursultan Nazarbayev"
        if between.strip() in {",", ""} and prev.key.endswith("-president"):
            add("position", p, prev, "President", "president", ss, se)
            return
    if nxt is None or nxt.type not in ORG_TYPES:
        return
    between = text[p.clean_end : nxt.clean_start]
    # "Nurbek Kushakbaev, CNTUK Vice-President"
    if re.match(r"^,\s+(?:the\s+)?$", between):
        after = text[nxt.clean_end : nxt.clean_end + 60]
        for cut in range(min(len(after), 50), 2, -1):
            t = _title(ref, after[:cut])
            if t and (cut == len(after) or not after[cut].isalnum()):
                add("position", p, nxt, t[0], t[1], ss, se)
                return
    # "Amin Eleusinov, shop steward at the Oil Construction Company"
    mt = APPOSITION_OF.match(between)
    if mt:
        t = _title(ref, mt.group(1))
        if t:
            add("position", p, nxt, t[0], t[1], ss, se)


def _curated_parts(doc, mentions, ref, add) -> None:
    """A known body and the body it belongs to, both named in the document: "ILO Committee of Experts"."""
    first: dict[str, Mention] = {}
    for m in mentions:
        first.setdefault(m.identity, m)
    for key, m in sorted(first.items()):
        known = ref.entities.get(key)
        parents = list(known.part_of) if known else []
        # A ministry, police or court of a country belongs to that country's government.
        if m.type == "GovernmentBody" and m.country and m.key.startswith(f"{m.country}-ministry"):
            parents.append(f"{m.country}-government")
        for parent in parents:
            if parent in first:
                add("part_of", m, first[parent], "", "", m.clean_start, m.clean_end)
