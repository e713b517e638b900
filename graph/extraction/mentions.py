"""Mentions: gazetteer matches, then rules for how such texts name organisations, laws and people."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable

import regex as re
from spacy.tokens import Doc as SpacyDoc

from ..dates import MONTH_AND_DAY_NAMES
from ..model import Document, Mention
from .nlp import (
    NON_SPACE,
    Confined,
    Covered,
    Gated,
    Matchers,
    alternation,
    find_literal,
    longest_first,
    match_chars,
)

NAME = r"\p{Lu}[\p{L}'’\-]*\p{L}(?:(?<=[sS])['’])?"
CONNECT = r"(?:of|and|for|on|in|the|de|&)"
# A run of capitalised words, possibly joined by connectors: the usual shape of a proper name.
CAP_RUN = re.compile(rf"{NAME}(?:\s+(?:{CONNECT}\s+)*{NAME})*")
# A line break ends a name unless the line ends on a connector ("ILO Committee of / Experts"):
# headings, letterheads and address blocks put one name per line.
LINE_BREAK = re.compile(r"(?<!\b(?:of|and|for|on|the|de|&))[^\S\n]*\n\s*|\n[^\S\n]*\n\s*")
CAPS_RUN = re.compile(r"\b\p{Lu}[\p{Lu}'’\-]+(?:[ \t]+[\p{Lu}&'’\-]+)+\b")
SMALL_WORDS = frozenset(
    ["of", "and", "for", "on", "in", "the", "de", "by", "to", "at", "a", "an", "with", "from"]
)
CONSTITUENCY = Gated(
    r"\b(?:\p{Lu}[\p{L}-]+[ \t]+(?:and[ \t]+)?){1,4}constituency\b", needs=("constituency",)
)
LEAD_TOKEN = re.compile(rf"({NAME}|\d+)\s+(?:(?:the|of)\s+)*")
POSSESSOR = re.compile(rf"{NAME}['’]s\s+")  # "Belarus's State Security Committee"
AFFIX_WORD = re.compile(r"\S+-(?:affiliated|backed|linked|led|based|run|controlled|aligned)\s+")
# Words that open a sentence or a clause but are never the first word of an organisation's name.
LEAD_WORDS = frozenset(
    [
        "In",
        "On",
        "At",
        "By",
        "From",
        "After",
        "Before",
        "During",
        "Since",
        "Last",
        "This",
        "That",
        "These",
        "Those",
        "Then",
        "When",
        "While",
        "But",
        "And",
        "Also",
        "Both",
        "Meanwhile",
        "However",
        "As",
        "If",
        "Although",
        "Under",
        "With",
        "Without",
        "Today",
        "Yesterday",
        "Tomorrow",
        "Officers",
        "Officials",
        "Members",
        "Leaders",
        "Representatives",
        "Staff",
        "Dear",
        "To",
        "For",
        "Of",
        "The",
        "A",
        "An",
        "Its",
        "Their",
        "His",
        "Her",
        "Our",
        "Several",
        "Many",
        "Some",
        "All",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
        "Seven",
        "Eight",
        "Nine",
        "Ten",
    ]
)
MONTHS_DAYS = MONTH_AND_DAY_NAMES
NOT_NAME_START = LEAD_WORDS | MONTHS_DAYS
# Any word that can head an organisation's name: used to cut runs into their organisations.
HEAD_WORD = re.compile(
    r"\b(?:Ministry|Ministries|Department|Court|Committee|Commission|Council|Unions?|Federation|"
    r"Confederation|Congress|Centre|Center|Association|Alliance|Network|Bureau|Office|Service|"
    r"Police|Parliament|Government|Company|Corporation|Mission|Delegation|Organi[sz]ation|"
    r"Observatory|Party|Movement|Foundation|Agency|Authority|Inspectorate|Administration|Akimat|"
    r"Syndicate|Group|Institute|Limited|LLP|LLC|Ltd|Inc|Watch|Weekly|Daily|News|Times|Coalition|"
    r"Campaign|Society|Prosecutor|Senate|Cabinet|Assembly|Procuracy|Prosecutor's)\b"
)
# Plural heads name several organisations at once ("European and International Trade Union
# Confederations"): not one entity.
PLURAL_HEAD = re.compile(
    r"\b(?:Confederations|Federations|Committees|Ministries|Companies|Courts)$"
)

ORG_HEADS: list[tuple[str, re.Pattern]] = [
    (
        "GovernmentBody",
        re.compile(
            r"\b(Ministry|Ministries|Department|Prosecutor|Prosecutor's|Police|"
            r"Court|Parliament|Senate|Cabinet|Government|Akimat|Administration|"
            r"Constitutional Council|Inspectorate|Mayor's Office|Militia|"
            r"Security Service|(?:National|State) Security Committee|Registration Service|Bureau|"
            r"Prosecutor General's Office|Procuracy|Assembly|\p{Lu}\p{L}+['’]s Office)\b"
        ),
    ),
    (
        "UnionFederation",
        re.compile(
            r"\b(Confederation|Federation|Congress|Centre|Center|Council)\b.*"
            r"\b(Unions?|Labou?r|Workers|Trade|Syndicates)\b|"
            r"\b(Unions?|Labou?r|Workers|Trade)\b.*\b(Confederation|Federation|"
            r"Congress)\b"
        ),
    ),
    ("TradeUnion", re.compile(r"\b(Union|Syndicate|Workers' Association|Trade Union)\b")),
    (
        "Company",
        re.compile(
            r"\b(Company|Corporation|LLP|LLC|Ltd|Inc|JSC|PLC|plc|GmbH|Group|Holding|Limited|"
            r"Industries|Enterprises?|Factory|Mining|Oil|Energy)\s*$"
        ),
    ),
    (
        "CivilSocietyGroup",
        re.compile(
            r"\b(Alliance|Human Rights|Foundation|Watch|Movement|Party|"
            r"Initiative|Coalition|Campaign|Network|Society|Observatory|Association)\b"
        ),
    ),
    (
        "Media",
        re.compile(
            r"\b(News|Times|Post|Gazette|Radio|Television|TV|Tribune|Herald|Weekly|Daily|Journal|"
            r"Magazine|Press Agency|News Agency)\b"
        ),
    ),
    (
        "InternationalOrganization",
        re.compile(r"\b(Committee|Commission|Mission|Delegation|(?<!['’]s )Office)\b"),
    ),
]
# Every law's name holds one of the anchor's words; commas, quotes and the like end a name.
LAW = Confined(
    r"(?:(?:Article|Section|Art\.|Part)\s+\d+[\w.()\s-]{0,12}\s+of\s+(?:the\s+)?)?(?P<law>"
    rf"(?:(?:{NAME}\s+){{0,3}}(?P<code>(?:Criminal|Labou?r|Penal|Civil|Administrative)\s+"
    r"(?:Procedure\s+)?(?:Code|Offences Code))"
    rf"|(?:Law|Act)\s+(?:on|of)\s+(?:the\s+)?{NAME}(?:\s+(?:on|of|and)?\s*{NAME}){{0,4}}"
    rf"|{NAME}(?:\s+{NAME}){{0,3}}\s+(?:Act|Law)\b"
    r"|Constitution))",
    anchor="Code|Law|Act|Constitution",
    chars=r"\w\p{L}\d.()\s'’-",
)
# Laws named in running text: "the labour code", "the new trade union law".
LOWER_LAW = Gated(
    r"\b(?P<code>(?:labou?r|criminal|penal|civil|administrative) code)\b"
    r"|\b(?P<topic>trade union|labou?r|strike|assembly|protest|association)s? law\b",
    needs=("code", "law"),
)
CONVENTION = re.compile(
    r"\b(?:ILO\s+)?Conventions?\s+(?:No(?:s)?\.?\s*)?(\d{1,3})(?:\s*(?:and|,|&)\s*(?:No\.?\s*)?(\d{1,3}))?"
    r"|\bC\.?\s?0?(\d{2,3})\b"
)
GENERIC_GOV: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"\b(?:government|authorities)\b", re.I), "government", "Government of {c}"),
    (re.compile(r"\bpolice\b", re.I), "police", "Police of {c}"),
    # "a court decision", "the courts": the judiciary; "went to court" names no body.
    (
        re.compile(
            r"\bcourts\b(?!\s+of\s+(?:law|appeal))"
            r"|\bcourt(?=\s+(?:decision|ruling|order|verdict|judgment|case|hearing)s?\b)",
            re.I,
        ),
        "courts",
        "Courts of {c}",
    ),
    (re.compile(r"\bsecurity forces\b", re.I), "security-forces", "Security forces of {c}"),
    # "the President" alone or "President of <country>"; "President Kharkova" is a person's title.
    (
        re.compile(r"(?<=\b[Tt]he\s)President\b(?!\s+\p{Lu})(?:\s+of\s+\p{Lu}\p{L}+)?"),
        "president",
        "President of {c}",
    ),
]
# Definite descriptions that point back to a named organisation: (pattern, fits(type, name)).
DEFINITE: list[tuple[re.Pattern | Gated, Callable[[str, str], bool]]] = [
    (
        Gated(r"\b[Tt]he\s+(court)\b", needs=("court",)),
        lambda t, n: t == "GovernmentBody" and "Court" in n,
    ),
    (
        Gated(r"\b[Tt]he\s+((?:con)?federation)\b(?!\s+of)", needs=("federation",)),
        lambda t, n: t == "UnionFederation",
    ),
    (re.compile(r"\b[Tt]he\s+(union)\b(?!\s+of)"), lambda t, n: t == "TradeUnion"),
]
LOWER_HEADS_DONE = frozenset({"court", "union", "federation", "confederation"})
# Unions named in running text: "the Kazakh health workers union", "Metallurgy and mining
# sectoral union". Leading function words are trimmed off afterwards.
LOWER_UNION = Confined(
    r"\b(?:\p{Lu}[\p{Ll}-]+\s+)?(?:[\p{Ll}-]+\s+){0,3}workers[’']?\s+(?:trade\s+)?union\b"
    r"|\b[\p{L}-]+(?:\s+(?:and\s+)?[\p{Ll}-]+){0,4}\s+(?:sectoral|sector|branch|industry)\s+union\b",
    # The words every match ends with ("union" alone is in most sentences), written so that
    # the engine looks for the literal "union" first.
    anchor=r"(?<=(?:workers[’']?|sectoral|sector|branch|industry)\s+(?:trade\s+)?)union\b",
    chars=r"\p{L}\s’'-",
)
# Courts named by kind in running text: "an appeal court", "the district court".
LOWER_COURT = Gated(
    r"\b(?:appeals?|appellate|district|city|regional|provincial|supreme|high|military|"
    r"revolutionary|labou?r|industrial|criminal|municipal|constitutional)\s+court\b",
    needs=("court",),
)
# "Phnom Penh municipal authorities": a place's own administration.
LOCAL_AUTHORITY = Gated(
    r"\b((?:\p{Lu}[\p{L}-]+\s+){1,3})(?:municipal|city|provincial|regional|local|district|town)\s+"
    r"(?:authorities|administration|government|council)\b",
    needs=("authorities", "administration", "government", "council"),
)
# Places the gazetteer cannot know: "in Canlubang, Calamba", "Tangail district".
WRAPPED_LINE = 60
# "shot dead in Cartagena on 3 June": a place between "in" and a date.
PLACE_BEFORE_DATE = re.compile(
    r"\b(?:in|near|outside)\s+((?:\p{Lu}[\p{Ll}-]+\s+){0,2}\p{Lu}[\p{Ll}-]+)\s+"
    r"(?=on\s+(?:\d|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|in\s+\d{4}\b)"
)
PLACE_BEFORE_KNOWN = re.compile(
    r"\b(?:in|near|from|outside|at)\s+((?:\p{Lu}[\p{Ll}-]+\s+){0,2}\p{Lu}[\p{Ll}-]+),\s+(?=\p{Lu})"
)
PLACE_KINDS = (
    "district|province|region|county|municipality|prefecture|governorate|oblast|village|town|"
    "department|canton|commune|township"
)
PLACE_KIND = Gated(
    rf"\b((?:\p{{Lu}}[\p{{Ll}}-]+\s+){{1,2}})({PLACE_KINDS})\b", needs=tuple(PLACE_KINDS.split("|"))
)
SITES = "factory|plant|mill|mine|plantation|estate|hotel|casino|warehouse|shipyard|refinery"
PLANT = Gated(
    rf"\b((?:\p{{Lu}}[\p{{L}}&'’-]+\s+){{1,4}})(?:garment\s+)?(?:{SITES})\b",
    needs=tuple(SITES.split("|")),
)
SUBSIDIARY = Gated(
    r"\b(\p{Lu}[\p{L}&-]+),\s+(?:a|the)\s+(?:[\w-]+\s+)?subsidiary\s+of\s+(?:the\s+)?"
    r"(?:[\p{L}-]+\s+){0,2}?(\p{Lu}[\p{L}&-]+)\b",
    needs=("subsidiary",),
)
EMPLOYERS = (
    "firm|company|employer|multinational|corporation|contractor|subcontractor|manufacturer|"
    "supplier|brand"
)
NAMED_BY_KIND: list[tuple[re.Pattern | Confined | Gated, str]] = [
    # "the Birleşik Metal-İş union": a name, then the kind in lower case.
    (
        Confined(
            r"\b[Tt]he\s+(?P<name>\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*){0,3})\s+(?:trade\s+)?union\b",
            anchor="union",
            chars=r"\p{L}\s’'-",
        ),
        "TradeUnion",
    ),
    (
        Confined(
            r"\b[\p{Ll}'’-]+\s+union\s+(?P<name>\p{Lu}[\p{L}-]{2,})\b",
            anchor="union",
            chars=r"\p{L}\s’'-",
        ),
        "TradeUnion",
    ),
    (
        Gated(
            rf"\b(?:{EMPLOYERS})\s+(?P<name>\p{{Lu}}[\p{{L}}&-]{{2,}})\b",
            needs=tuple(EMPLOYERS.split("|")),
        ),
        "Company",
    ),
    (
        Gated(
            r"\b(?P<name>\p{Lu}[\p{Lu}\p{L}-]{1,})\s+(?:guerrillas?|rebels?|militias?|paramilitar(?:y|ies))\b",
            needs=("guerrilla", "rebel", "militia", "paramilitar"),
        ),
        "CivilSocietyGroup",
    ),
]
MANAGEMENT = Gated(
    r"\b(\p{Lu}[\p{L}&-]+)\s+(?:management|bosses|executives|owners)\b",
    needs=("management", "bosses", "executives", "owners"),
)
BREADCRUMB = re.compile(r"(?m)^[^\n]*\S\s+[>»›]\s+\S[^\n]*$")
FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "by",
        "of",
        "and",
        "its",
        "their",
        "his",
        "her",
        "to",
        "with",
        "for",
        "in",
        "on",
        "at",
        "from",
        "as",
        "this",
        "that",
        "these",
        "those",
        "our",
        "your",
        "whose",
        "which",
        "who",
        "said",
        "says",
    ]
)
LETTER_WORD = re.compile(r"\p{L}[\p{L}'’]*")
COMPLEMENT = re.compile(r"\s+(?:of|on|for)\s+")
AND_THE = re.compile(r"\s+and\s+(?:the\s+)?")
QUALIFIED_OF = re.compile(r"(.+?)\s+of\s+(?:the\s+)?(?=\p{Lu})", flags=re.S)
TRAILING_WHEN_WHERE = re.compile(
    rf"\s+(?:in|on|of|for)\s+(?:\p{{Lu}}\p{{L}}+\s+)*?(?:{'|'.join(sorted(MONTH_AND_DAY_NAMES))})\b"
    r"|\s+in\s+\p{Lu}"
)
UPPER = re.compile(r"\p{Lu}")
NON_ALNUM = re.compile(r"[^\p{L}\p{N}]+")
BRACKETED_ACRONYM = re.compile(r"\s*\((\p{Lu}[\p{Lu}\p{Ll}&-]{1,11})\)")
# Around an acronym: no letter or hyphen on either side.
NOT_AFTER_WORD = re.compile(r"(?<![\p{L}-])")
NOT_BEFORE_WORD = re.compile(r"(?![\p{L}-])")
OF_COUNTRY = re.compile(r"[\w\s]*?\bof\s+(?:the\s+)?(\p{Lu}[\p{L}\s-]+)")
# "Minister of Labour and Vocational Training": the ministry is named through its minister.
MINISTER_OF = re.compile(
    r"\b(?:Deputy[ \t]+)?Minister[ \t]+(?:of|for)[ \t]+((?:the[ \t]+)?\p{Lu}[\p{L}-]*"
    r"(?:[ \t]+(?:and[ \t]+|of[ \t]+|for[ \t]+)?\p{Lu}[\p{L}-]*)*)"
)


def _has_crumb(text: str) -> bool:
    """Whether the text holds a breadcrumb separator, without which BREADCRUMB cannot match."""
    return ">" in text or "»" in text or "›" in text


def _recase_capitals(text: str) -> str:
    """Text of the same length with ALL-CAPS runs in title case and their small words lowered.

    Headings and letterheads shout ("A COMMUNIQUE BY THE CONFEDERATION OF LABOR OF RUSSIA");
    recased, the name rules read them like running text.
    """

    def recase(mt: re.Match) -> str:
        return LETTER_WORD.sub(
            lambda w: (
                w.group(0).lower() if w.group(0).lower() in SMALL_WORDS else w.group(0).title()
            ),
            mt.group(0),
        )

    return CAPS_RUN.sub(recase, text)


@functools.cache
def _demonym_patterns(m: Matchers) -> tuple[re.Pattern, Confined]:
    """One pattern for every demonym ("Kazakh") and one for "<demonym> police|government|...".

    Compiled once per process: a pattern per demonym and document costs more than extraction.
    The second runs only where a body's word is (demonyms are letters, spaces and hyphens).
    """
    alt = alternation(m.ref.demonym_country)
    bodies = "government|authorities|police|courts?"
    return (
        re.compile(rf"\b(?:{alt})\b", re.I),
        Confined(rf"\b({alt})\s+({bodies})\b", anchor=bodies, chars=r"\p{L}\s-", flags=re.I),
    )


@functools.cache
def _office_patterns(m: Matchers) -> list[tuple[str, str, re.Pattern]]:
    """``(office, variant, pattern)`` for each way of writing a state office ("Attorney General")."""
    return [
        (t.office, v, re.compile(rf"\b{re.escape(v)}\b"))
        for t in m.ref.titles
        if t.office
        for v in t.variants
    ]


@functools.cache
def _office_prefixes(m: Matchers) -> tuple[str, ...]:
    """ "Prosecutor General ": an office's name followed by a word (its holder's name)."""
    return tuple(v + " " for _, v, _ in _office_patterns(m))


@functools.cache
def _the_head(head: str) -> re.Pattern:
    return re.compile(rf"\b[Tt]he\s+({re.escape(head)})\b(?!\s+of\b)", re.I)


def _the_heads(text: str, heads: dict[str, str]) -> list[re.Match]:
    """ "the <head>" for any of ``heads``, as one pattern of them all, longest first, finds them.

    Each document has its own heads, and compiling a pattern per document cost more than the
    rest of the rule; heads come from a closed list of words, so a pattern per head is kept.
    Per head the matches cannot overlap ("the" cannot start inside a head word); where several
    heads match at one place, the alternation takes the longest; then leftmost, no overlaps.
    """
    found = sorted(
        ((mt.start(), -len(head), mt) for head in heads for mt in _the_head(head).finditer(text)),
        key=lambda f: f[:2],
    )
    out: list[re.Match] = []
    for start, _, mt in found:
        if not out or start >= out[-1].end():
            out.append(mt)
    return out


def _salient(labels: list[str]) -> str:
    """The organisation the text has named most often so far, the latest on ties: "the
    federation" is the one the story is about, not one named in passing."""
    counts = Counter(lab.split("|", 4)[4] for lab in labels)
    best = max(counts.values())
    return next(lab for lab in reversed(labels) if counts[lab.split("|", 4)[4]] == best)


def _org_type(name: str) -> str | None:
    """The type named by the head: the last head word before any "of/on/for" complement.

    "Belarusian Trade Union of Radio ... Workers" is a union, "Union Rights Weekly" a newspaper;
    "Confederation of Labour" has its type only in full.
    """
    if PLURAL_HEAD.search(name):
        return None
    head = COMPLEMENT.split(name, maxsplit=1)[0]
    for text in (head, name):
        best: tuple[int, int, str] | None = None
        for rank, (etype, pattern) in enumerate(ORG_HEADS):
            ends = [m.end() for m in pattern.finditer(text)]
            if ends and (best is None or (max(ends), -rank) > best[:2]):
                best = (max(ends), -rank, etype)
        if best:
            return best[2]
    return None


def _name_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a capitalised run into the organisation names it holds, as (start, end) spans."""
    pieces, pos = [], start
    for br in LINE_BREAK.finditer(text, start, end):
        line = text[text.rfind("\n", 0, br.start()) + 1 : br.start()]
        # A long line broken inside a name is wrapped prose (a letter from a PDF), not a heading.
        if "\n\n" not in br.group(0).replace(" ", "") and len(line) >= WRAPPED_LINE:
            continue
        pieces.append((pos, br.start()))
        pos = br.end()
    pieces.append((pos, end))
    out = []
    for s, e in pieces:
        # "X and the Y": two names when both sides have a head word, else one name with "and".
        parts: list[list[int]] = []
        pos = s
        for mt in AND_THE.finditer(text[s:e]):
            parts.append([pos, s + mt.start()])
            pos = s + mt.end()
        parts.append([pos, e])
        merged: list[list[int]] = []
        for part in parts:
            prev = merged[-1] if merged else None
            if prev and not (
                HEAD_WORD.search(text[prev[0] : prev[1]])
                and HEAD_WORD.search(text[part[0] : part[1]])
            ):
                prev[1] = part[1]
            else:
                merged.append(part)
        out += [span for ps, pe in merged if (span := _trim(text, ps, pe))]
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int] | None:
    """Drop what surrounds a name in a run: "In June the X", "Officers of X", "X in May"."""
    while True:
        mt = LEAD_TOKEN.match(text[s:e])
        if mt and (mt.group(1) in LEAD_WORDS or mt.group(1) in MONTHS_DAYS):
            s += mt.end()
            continue
        # "Members of the X", "Hennadz Fiadynich of the X": what comes before "of" is no name part.
        mt = QUALIFIED_OF.match(text[s:e])
        if mt and not HEAD_WORD.search(mt.group(1)) and HEAD_WORD.search(text[s + mt.end() : e]):
            s += mt.end()
            continue
        mt = POSSESSOR.match(text[s:e])
        if mt:
            s += mt.end()
            continue
        # "ITUC-affiliated Confederation of ...": the first organisation qualifies the second.
        mt = AFFIX_WORD.match(text[s:e])
        if mt:
            s += mt.end()
            continue
        break
    mt = TRAILING_WHEN_WHERE.search(text[s:e])
    if mt:
        e = s + mt.start()
    return (s, e) if e > s and UPPER.search(text[s:e]) else None


def _slug(text: str) -> str:
    return NON_ALNUM.sub("-", text.lower()).strip("-")


class MentionFinder:
    """Finds the mentions of one document."""

    def __init__(self, doc: Document, sdoc: SpacyDoc, m: Matchers, ner: bool = False) -> None:
        self.doc, self.sdoc, self.m, self.ref, self.ner = doc, sdoc, m, m.ref, ner
        self.text = doc.text
        self.spans: list[tuple[int, int, str]] = []  # clean offsets + a label "rule|type|key|name"
        self.country = ""

    def run(self) -> list[Mention]:
        self._gazetteer()
        self.country = self._main_country()
        self._conventions()
        self._laws()
        self._organisations()
        self._generic_government()
        self._local_places()
        self._acronyms()
        self._definite_references()
        self._people()
        return self._to_mentions(longest_first(self.spans))

    # -- each rule adds labelled spans
    def _add(
        self, s: int, e: int, rule: str, etype: str, key: str, name: str, country: str = ""
    ) -> None:
        self.spans.append((s, e, "|".join((rule, etype, key, country, name))))

    def _gazetteer(self) -> None:
        for matcher in (self.m.exact, self.m.folded):
            for match_id, ts, te in matcher(self.sdoc):
                key = self.m.entity_of_key[self.sdoc.vocab.strings[match_id]]
                ent = self.ref.entities[key]
                s, e = match_chars(self.sdoc, ts, te)
                self._add(s, e, "gazetteer", ent.type, key, ent.name)

    def _main_country(self) -> str:
        keys = (lab.split("|")[2] for _, _, lab in self.spans)
        counts = Counter(
            key
            for key in keys
            if (known := self.ref.entities.get(key)) is not None and known.place_kind == "country"
        )
        demonyms = _demonym_patterns(self.m)
        for mt in demonyms[0].finditer(self.text):
            counts[self.ref.demonym_country[mt.group(0).lower()]] += 1
        return counts.most_common(1)[0][0] if counts else ""

    def _conventions(self) -> None:
        for mt in CONVENTION.finditer(self.text):
            # "Conventions 87 and 98": the phrase up to the first number names the first, the second
            # number alone the second (spans must not overlap).
            groups = [k for k in range(1, (mt.lastindex or 0) + 1) if mt.group(k)]
            for n, k in enumerate(groups):
                conv = self.ref.convention_by_number(int(mt.group(k)))
                if conv is None:
                    continue
                s, e = (mt.start(), mt.end(k)) if n == 0 else mt.span(k)
                if len(groups) == 1:
                    e = mt.end()
                self._add(s, e, "convention-number", "ILOConvention", conv.id, conv.name)

    def _laws(self) -> None:
        country = self.ref.entities[self.country].name if self.country else ""
        for mt in LAW.finditer(self.text):
            s, name = mt.start(), mt.group("law")
            # "In June the Law on ..." starts at "Law".
            while (first := name.split(maxsplit=1))[0] in NOT_NAME_START and len(first) > 1:
                name = first[1].removeprefix("the ")
            s = mt.end() - len(name) if mt.start() == mt.start("law") else s
            if name == "Constitution" or (mt.group("code") and mt.group("code") == name):
                # A generic title names a different law in every country.
                name = f"{name} of {country}" if country else name
            key = f"{self.country}-{_slug(name)}" if self.country else ""
            self._add(s, mt.end(), "law-pattern", "Legislation", key, name, self.country)
        for mt in LOWER_LAW.finditer(self.text):
            if mt.group("code"):
                name = mt.group("code").title() + (f" of {country}" if country else "")
                slug = _slug(mt.group("code"))
            else:
                name = mt.group(0)
                slug = "law-on-" + _slug(mt.group("topic")) + "s"
            key = f"{self.country}-{slug}" if self.country else ""
            self._add(mt.start(), mt.end(), "law-pattern", "Legislation", key, name, self.country)

    def _organisations(self) -> None:
        taken = Covered([(s, e) for s, e, lab in self.spans if lab.split("|")[1] != "Place"])
        shadow = _recase_capitals(self.text)
        for mt in CAP_RUN.finditer(shadow):
            if " " not in self.text[mt.start() : mt.end()]:
                continue  # one word (most runs): none of its pieces can pass the test below
            for s, e in _name_pieces(shadow, mt.start(), mt.end()):
                name = self.text[s:e]
                if " " not in name.strip() or taken.contains(s, e):
                    continue
                # "Prosecutor General Andrei Shved": an office, then the person holding it.
                if name.startswith(_office_prefixes(self.m)):
                    continue
                if name.isupper():
                    name = shadow[s:e]  # "WORKERS' RIGHTS OBSERVATORY" named in title case
                etype = _org_type(name)
                if etype is None:
                    continue
                key = ""
                if etype == "GovernmentBody" and self.country and " of " not in name[-20:]:
                    key = f"{self.country}-{_slug(name)}"
                    name = f"{name} of {self.ref.entities[self.country].name}"
                self._add(s, e, "org-pattern", etype, key, name, self.country)
        for mt in LOWER_UNION.finditer(self.text):
            words = list(NON_SPACE.finditer(mt.group(0)))
            while len(words) > 2 and words[0].group(0).lower() in FUNCTION_WORDS:
                words.pop(0)
            s = mt.start() + words[0].start()
            self._add(s, mt.end(), "union-pattern", "TradeUnion", "", self.text[s : mt.end()])
        if self.country:
            country = self.ref.entities[self.country].name
            for mt in LOWER_COURT.finditer(self.text):
                name = f"{mt.group(0).capitalize()} of {country}"
                key = f"{self.country}-{_slug(mt.group(0))}"
                self._add(
                    mt.start(), mt.end(), "org-pattern", "GovernmentBody", key, name, self.country
                )
            for mt in MINISTER_OF.finditer(self.text):
                area = mt.group(1).removeprefix("the ")
                name = f"Ministry of {area} of {country}"
                key = f"{self.country}-ministry-of-{_slug(area)}"
                self._add(mt.start(), mt.end(), "office", "GovernmentBody", key, name, self.country)
            for office, variant, pattern in _office_patterns(self.m):
                if variant not in self.text:
                    continue  # a literal: no need to scan for it
                for mt in pattern.finditer(self.text):
                    name = f"{office} of {country}"
                    key = f"{self.country}-{_slug(office)}"
                    self._add(
                        mt.start(), mt.end(), "office", "GovernmentBody", key, name, self.country
                    )
        # "Russia and Central Asia constituency": a regional structure of a union federation.
        for mt in CONSTITUENCY.finditer(self.text):
            self._add(mt.start(), mt.end(), "org-pattern", "UnionFederation", "", mt.group(0))

    def _local_places(self) -> None:
        """Towns, districts, factories, employers and local administrations the gazetteer lacks."""
        # "NagaWorld, a subsidiary of the Hong Kong-listed NagaCorp", "NagaWorld management".
        for mt in SUBSIDIARY.finditer(self.text):
            for k in (1, 2):
                self._add(
                    mt.start(k), mt.end(k), "org-pattern", "Company", "", mt.group(k), self.country
                )
        # "the public health workers' union ANTHOC", "the security firm Prosegur", "FARC guerrillas":
        # a description names the kind, the capitalised word that follows or precedes the name.
        for pattern, etype in NAMED_BY_KIND:
            for mt in pattern.finditer(self.text):
                word = mt.group("name")
                if word in NOT_NAME_START or word.lower() in self.ref.country_name:
                    continue
                self._add(
                    mt.start("name"), mt.end("name"), "org-pattern", etype, "", word, self.country
                )
        for mt in MANAGEMENT.finditer(self.text):
            if mt.group(1) not in NOT_NAME_START:
                self._add(
                    mt.start(1), mt.end(1), "org-pattern", "Company", "", mt.group(1), self.country
                )
        known = {s for s, e, lab in self.spans if lab.split("|")[1] == "Place"}
        for mt in PLACE_BEFORE_KNOWN.finditer(self.text):
            after = mt.end()
            if after in known and mt.group(1).split()[0] not in MONTHS_DAYS:
                s, e = mt.span(1)
                self._add(s, e, "place-pattern", "Place", "", mt.group(1), self.country)
        for mt in PLACE_BEFORE_DATE.finditer(self.text):
            if mt.group(1).split()[0] not in NOT_NAME_START:
                s, e = mt.span(1)
                self._add(s, e, "place-pattern", "Place", "", mt.group(1), self.country)
        for mt in PLACE_KIND.finditer(self.text):
            words = mt.group(1).split()
            if words[0] in LEAD_WORDS or HEAD_WORD.search(mt.group(1)):
                continue
            self._add(mt.start(), mt.end(), "place-pattern", "Place", "", mt.group(0), self.country)
        for mt in LOCAL_AUTHORITY.finditer(self.text):
            if mt.group(1).split()[0] in LEAD_WORDS:
                continue
            key = f"{_slug(mt.group(1))}-authorities"
            self._add(
                mt.start(),
                mt.end(),
                "org-pattern",
                "GovernmentBody",
                key,
                mt.group(0),
                self.country,
            )
        for mt in PLANT.finditer(self.text):
            words = list(NON_SPACE.finditer(mt.group(1)))
            while words and words[0].group(0) in LEAD_WORDS:
                words.pop(0)
            if not words or HEAD_WORD.search(mt.group(1)):
                continue
            s, e = mt.start(1) + words[0].start(), mt.start(1) + words[-1].end()
            self._add(s, e, "org-pattern", "Company", "", self.text[s:e], self.country)

    def _acronyms(self) -> None:
        """ "Korean Construction Workers' Union (KCWU)": the acronym names the same organisation."""
        for _s, e, label in list(self.spans):
            rule, etype, key, country, name = label.split("|", 4)
            if rule != "org-pattern":
                continue
            mt = BRACKETED_ACRONYM.match(self.text[e : e + 20])
            if not mt or sum(c.isupper() for c in mt.group(1)) < 2:
                continue
            for s, e in find_literal(self.text, mt.group(1), NOT_AFTER_WORD, NOT_BEFORE_WORD):
                self._add(s, e, "acronym", etype, key, name, country)

    def _definite_references(self) -> None:
        """ "the court", "the confederation", "the union": the last one the text named."""
        named = sorted(
            (s, e, lab)
            for s, e, lab in self.spans
            if lab.split("|")[0] in ("org-pattern", "gazetteer", "acronym")
        )
        for pattern, fits in DEFINITE:
            # Which names fit is asked once per name, not once per name and reference.
            fitting = [(e, lab) for s, e, lab in named if fits(*lab.split("|")[1:5:3])]
            for mt in pattern.finditer(self.text):
                before = [lab for e, lab in fitting if e <= mt.start()]
                if before:
                    _rule, etype, key, country, name = _salient(before).split("|", 4)
                    self._add(mt.start(1), mt.end(1), "reference", etype, key, name, country)
        # "the Observatory", "the Syndicate", "the Ministry": the head word of a name given before.
        heads: dict[str, str] = {}
        for _s, _e, lab in named:
            name = lab.split("|", 4)[4]
            words = HEAD_WORD.findall(_recase_capitals(name).split(" of ")[0])
            if words and lab.split("|")[1] != "Person":
                heads.setdefault(words[-1].lower(), "")
        if not heads:
            return
        head_words = [
            (e, lab, lab.split("|", 4)[4].lower().split(" of ")[0].split()) for s, e, lab in named
        ]
        for mt in _the_heads(self.text, heads):
            if self.text[mt.start(1)].islower() and mt.group(1).lower() in LOWER_HEADS_DONE:
                continue  # the rules above settled "the court", "the union", "the federation"
            head = mt.group(1).lower()
            before = [lab for e, lab, words in head_words if e <= mt.start() and head in words]
            if before:
                _rule, etype, key, country, name = before[-1].split("|", 4)
                self._add(mt.start(1), mt.end(1), "reference", etype, key, name, country)

    def _generic_government(self) -> None:
        referred = {(s, e) for s, e, lab in self.spans if lab.startswith("reference|")}
        for pattern, suffix, template in GENERIC_GOV:
            for mt in pattern.finditer(self.text):
                if any(a <= mt.start() < b for a, b in referred):
                    continue
                country = self._country_near(mt.start())
                if not country:
                    continue
                self._add_body(mt.start(), mt.end(), country, suffix, template)
        for mt in _demonym_patterns(self.m)[1].finditer(self.text):
            country = self.ref.demonym_country[mt.group(1).lower()]
            word = mt.group(2).lower()
            suffix = {"authorities": "government", "court": "courts"}.get(word, word)
            self._add_body(mt.start(), mt.end(), country, suffix, suffix.capitalize() + " of {c}")

    def _add_body(self, s: int, e: int, country: str, suffix: str, template: str) -> None:
        """A body of a country's state: "the authorities", "Kazakh police" -> kazakhstan-police."""
        name = template.format(c=self.ref.entities[country].name)
        self._add(
            s, e, "generic-government", "GovernmentBody", f"{country}-{suffix}", name, country
        )

    def _country_near(self, pos: int) -> str:
        """The country named right after ("government of X") or the document's main country."""
        after = self.text[pos : pos + 60]
        mt = OF_COUNTRY.match(after)
        if mt:
            for n in range(len(mt.group(1)), 0, -1):
                cid = self.ref.country_name.get(mt.group(1)[:n].strip().lower())
                if cid:
                    return cid
        return self.country

    def _people(self) -> None:
        from .ner import people as ner_people
        from .people import find_people

        # A person's name may contain a place name ("Nursultan Nazarbayev"): places don't block.
        taken = [(s, e) for s, e, lab in self.spans if lab.split("|")[1] != "Place"]
        proposer = ner_people if self.ner else None
        for s, e, name in find_people(self.text, self.m, taken, proposer):
            self._add(s, e, "person-rule", "Person", "", name)

    # -- assemble
    def _to_mentions(self, spans: list[tuple[int, int, str]]) -> list[Mention]:
        out = []
        # Breadcrumbs ("Home > News > Asia") are site navigation, not what the page says.
        crumbs = (
            [mt.span() for mt in BREADCRUMB.finditer(self.text)] if _has_crumb(self.text) else []
        )
        for s, e, label in spans:
            rule, etype, key, country, name = label.split("|", 4)
            if any(a <= s < b for a, b in crumbs):
                continue
            # "Pro-Beijing media": a place inside a compound adjective is no mention of it.
            if etype == "Place" and s > 0 and self.text[s - 1] == "-" and rule == "gazetteer":
                continue
            src = self.doc.source_span(s, e)
            if not src.text.strip():
                continue
            if key in self.ref.entities:
                country = self.ref.entities[key].country
            out.append(Mention(self.doc.doc_id, src, s, e, etype, name, key, rule, country))
        return out


def find_mentions(
    doc: Document, sdoc: SpacyDoc, m: Matchers, ner: bool = False
) -> tuple[list[Mention], str]:
    """Return the document's mentions and its main country id ("" when unknown)."""
    finder = MentionFinder(doc, sdoc, m, ner)
    mentions = finder.run()
    return mentions, finder.country
