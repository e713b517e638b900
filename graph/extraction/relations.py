"""Relations between mentions: positions, affiliations and parts, from how texts state them."""

from __future__ import annotations

import regex as re

from ..model import ORG_TYPES, Document, Mention, Relation
from ..reference import Reference
from .nlp import between as starting_in
from .nlp import title_for

# "X, president of the Y", "X, president of the Gazipur district committee of the Y".
APPOSITION_OF = re.compile(
    r"^,\s+(?:the\s+|a\s+|an\s+|another\s+of\s+(?:its|the)\s+)?([\p{L}’'\s-]+?)\s+"
    r"(?:of|at|in|for|with)\s+[^,;()]{0,60}?(?:the\s+)?$"
)
# "its general secretary, X", "another of its leaders, X": a post in the organisation last named.
ITS_TITLE = re.compile(r"\b(?:[Ii]ts|[Tt]heir)\s+((?:[\p{Ll}-]+\s+){0,3}?[\p{Ll}-]+?)s?,?\s+$")
# "his deputy, X": a post in the organisation of the person named before.
HIS_TITLE = re.compile(r"\b(?:[Hh]is|[Hh]er)\s+((?:[\p{Ll}-]+\s+){0,2}?[\p{Ll}-]+?),?\s+$")
SUBSIDIARY_OF = re.compile(
    r"^,?\s+(?:is\s+|was\s+)?(?:an?\s+|the\s+)?(?:subsidiary|branch|division|unit|part)\s+of\s+"
    r"(?:the\s+)?(?:[\p{L}-]+\s+){0,3}?$"
)
AFFILIATED_PREFIX = re.compile(r"-affiliated\s+(?:the\s+)?$")
AFFILIATE_OF = re.compile(
    r"^,?\s+(?:(?:is|are|was|were)\s+)?(?:an?\s+)?(?:affiliated\s+(?:to|with)|affiliates?\s+of|"
    r"members?\s+of|member\s+organi[sz]ations?\s+of)\s+(?:the\s+)?$"
)
ITS_AFFILIATE = re.compile(
    r"\bits\s+(?:affiliates?|member\s+organi[sz]ations?|affiliated\s+unions?)\s+(?:the\s+)?$"
)


UNION_TYPES = ("TradeUnion", "UnionFederation")
LIST_JOIN = re.compile(r"(?:,|\band)\s+$")
GENITIVE = re.compile(r"^['’]s\s+")
COMMA_ONLY = re.compile(r"^,\s+(?:the\s+)?$")
CLOSING = re.compile(
    r"(?im)^\s*(?:yours\s+(?:sincerely|faithfully|truly)|sincerely|(?:kind|best|warm)\s+regards|"
    r"in\s+solidarity)\b"
)
AFFILIATE_LIST = re.compile(
    r"(?:\b(?P<its>its)|(?P<owner>\b\p{Lu}[\p{Lu}\p{L}-]*))\s+(?:\w+\s+){0,2}?"
    r"(?P<word>affiliates|affiliated\s+unions|member\s+unions|member\s+organi[sz]ations)\b[^:.\n]{0,60}:"
)
# Parts of a state that are not "the government": other branches, and forces monitors name apart.
STATE_BRANCH = re.compile(
    r"^(?:government|courts?|.*court|parliament|president|senate|.*assembly|police|.*police|"
    r"security-forces|military|army)"
)


def _title(ref: Reference, text: str) -> tuple[str, str] | None:
    """``(as written, role id)`` when ``text`` is a title from the lookup, else None."""
    t = text.strip().strip(",").strip()
    hit = title_for(ref, t)
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

    orgs = [m for m in mentions if m.type in ORG_TYPES]
    by_start = sorted(mentions, key=lambda m: m.clean_start)
    starts = [m.clean_start for m in by_start]
    for ss, se in sentences:
        ms = starting_in(by_start, starts, ss, se)
        for i, m in enumerate(ms):
            prev = ms[i - 1] if i else None
            nxt = ms[i + 1] if i + 1 < len(ms) else None
            if m.type == "Person":
                before = len(out)
                _position_rules(text, ref, m, prev, nxt, ms[i + 1 :], add, ss, se)
                if len(out) == before:
                    _context_positions(text, ref, m, ms[i + 1 :], orgs, out, add, ss, se)
            elif m.type in ORG_TYPES and prev is not None and prev.type in ORG_TYPES:
                between = text[prev.clean_end : m.clean_start]
                if (
                    between.startswith("-") and AFFILIATED_PREFIX.search(between)
                ) or ITS_AFFILIATE.search(text[ss : m.clean_start]):
                    add("affiliated_to", m, prev, "", "", ss, se)
            if m.type in ORG_TYPES and nxt is not None and nxt.type in ORG_TYPES:
                between = text[m.clean_end : nxt.clean_start]
                if AFFILIATE_OF.match(between):
                    add("affiliated_to", m, nxt, "", "", ss, se)
                elif SUBSIDIARY_OF.match(between):
                    add("part_of", m, nxt, "", "", ss, se)

    _affiliate_lists(text, orgs, add)
    _curated_parts(doc, mentions, ref, add)
    return sorted(out.values(), key=lambda r: (r.evidence.start, r.type, r.subject.identity))


def _context_positions(text, ref, p, later, orgs, out, add, ss, se) -> None:
    """Posts stated around the name rather than next to it: "its general secretary, X", "his
    deputy X", "REP leaders X and Y", a signature's title and organisation lines."""
    before = text[max(ss, p.clean_start - 60) : p.clean_start]
    mt = ITS_TITLE.search(before)
    if mt and (t := _title(ref, mt.group(1))):
        pos = p.clean_start - len(before) + mt.start()
        org = next(
            (o for o in reversed(orgs) if o.clean_end <= pos and o.type in UNION_TYPES), None
        )
        if org is not None:
            add("position", p, org, t[0], t[1], ss, se)
            return
    mt = HIS_TITLE.search(before)
    if mt and (t := _title(ref, mt.group(1))):
        last = [
            r for r in out.values() if r.type == "position" and r.evidence.start <= p.span.start
        ]
        if last:
            add("position", p, last[-1].object, t[0], t[1], ss, se)
            return
    # "REP leaders X and Y": Y shares the post stated for X.
    mt = LIST_JOIN.search(before)
    if mt:
        prior = [
            r
            for r in out.values()
            if r.type == "position"
            and r.subject.type == "Person"
            and r.subject.clean_end <= p.clean_start
            and p.clean_start - r.subject.clean_end < 8
        ]
        if prior:
            add("position", p, prior[-1].object, prior[-1].detail, prior[-1].role, ss, se)
            return
    # A signature or an address block: the name alone on its line, the title on the next line,
    # the organisation on that line or the one after.
    line_end = text.find("\n", p.clean_end)
    if line_end < 0 or text[p.clean_end : line_end].strip(" ,"):
        return
    lines = text[line_end + 1 :].split("\n", 2)[:2]
    if not lines or (
        not (t := _title(ref, lines[0].split(",")[0])) and not lines[0].startswith("Minister")
    ):
        return
    start = line_end + 1
    end = start + sum(len(x) + 1 for x in lines)
    first = next((o for o in orgs if start <= o.clean_start < end), None)
    if first is None:
        # A letter's signature without an organisation line: the letterhead's organisation.
        head_end = text.find("\n\n")
        signed = CLOSING.search(text[max(0, p.clean_start - 200) : p.clean_start])
        head = [o for o in orgs if o.clean_start < head_end]
        if signed and head and t:
            add("position", p, head[0], t[0], t[1], p.clean_start, end)
        return
    # Every organisation on that line: "General Secretary / ETUC and PERC".
    line_of = text.rfind("\n", 0, first.clean_start) + 1
    line_to = text.find("\n", first.clean_start)
    line_to = len(text) if line_to < 0 else line_to
    title = t or (lines[0].strip(), "minister")
    for org in (o for o in orgs if line_of <= o.clean_start < line_to):
        add("position", p, org, title[0], title[1], p.clean_start, end)


def _position_rules(text, ref, p, prev, nxt, later, add, ss, se) -> None:
    # "CNTUK President Larisa Kharkova": ORG TITLE PERSON; "the union's president, X"
    if prev is not None and prev.type in ORG_TYPES:
        between = text[prev.clean_end : p.clean_start]
        t = _title(ref, GENITIVE.sub(" ", between).rstrip(", "))
        if t:
            add("position", p, prev, t[0], t[1], ss, se)
            return
        # "the President of Kazakhstan, Nursultan Nazarbayev"
        if between.strip() in {",", ""} and prev.key.endswith("-president"):
            add("position", p, prev, "President", "president", ss, se)
            return
    if nxt is not None and nxt.type == "Place":
        # "X, president of the Gazipur district committee of the Y": look past the place.
        nxt = next((m for m in later if m.type in ORG_TYPES), None)
    if nxt is None or nxt.type not in ORG_TYPES:
        return
    between = text[p.clean_end : nxt.clean_start]
    # "Nurbek Kushakbaev, CNTUK Vice-President"
    if COMMA_ONLY.match(between):
        after = text[nxt.clean_end : nxt.clean_end + 60]
        for cut in range(min(len(after), 50), 2, -1):
            t = _title(ref, after[:cut])
            if t and (cut == len(after) or not after[cut].isalnum()):
                add("position", p, nxt, t[0], t[1], ss, se)
                return
    # "Amin Eleusinov, shop steward at the Oil Construction Company"
    mt = APPOSITION_OF.match(between)
    if mt:
        t = _title(ref, mt.group(1)) or _title(ref, mt.group(1).split()[-1])
        if t:
            add("position", p, nxt, t[0], t[1], ss, se)


def _affiliate_lists(text: str, orgs: list[Mention], add) -> None:
    """ "X and its affiliates: A, B, C", "three BKDP affiliates were detained: ... A ... B": the
    organisations listed after the colon are affiliates of the one named before."""
    for mt in AFFILIATE_LIST.finditer(text):
        owner = mt.group("owner")
        before = [o for o in orgs if o.clean_end <= mt.start("word") and o.type in UNION_TYPES]
        if owner:
            named = [o for o in before if o.clean_end == mt.start("owner") + len(owner)]
            parent = named[-1] if named else None
        else:
            parent = before[-1] if before else None
        end = text.find(".", mt.end())
        end = len(text) if end < 0 else end
        if parent is None:
            continue
        for o in orgs:
            if mt.end() <= o.clean_start < end and o.type in UNION_TYPES:
                add("affiliated_to", o, parent, "", "", mt.start(), end)


def _curated_parts(doc, mentions, ref, add) -> None:
    """A known body and the body it belongs to, both named in the document: "ILO Committee of Experts"."""
    first: dict[str, Mention] = {}
    for m in mentions:
        first.setdefault(m.identity, m)
    for key, m in sorted(first.items()):
        known = ref.entities.get(key)
        parents = list(known.part_of) if known else []
        # A country's ministries, agencies and offices belong to its government (its courts,
        # parliament and head of state do not: they are other branches).
        if (
            m.type == "GovernmentBody"
            and m.country
            and m.key.startswith(f"{m.country}-")
            and not STATE_BRANCH.search(m.key.removeprefix(f"{m.country}-"))
        ):
            parents.append(f"{m.country}-government")
        for parent in parents:
            if parent in first:
                add("part_of", m, first[parent], "", "", m.clean_start, m.clean_end)
