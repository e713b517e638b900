"""Mentions: gazetteer matches, then rules for how such texts name organisations, laws and people."""

from __future__ import annotations

from collections import Counter

import regex as re
from spacy.tokens import Doc as SpacyDoc

from ..model import Document, Mention
from .nlp import Matchers, longest_first

NAME = r"\p{Lu}[\p{L}'’\-]*\p{L}"
CONNECT = r"(?:of|and|for|on|in|the|de|&)"
# A run of capitalised words, possibly joined by connectors: the usual shape of a proper name.
CAP_RUN = re.compile(rf"{NAME}(?:\s+(?:{CONNECT}\s+)*{NAME})*")

ORG_HEADS: list[tuple[str, re.Pattern]] = [
    (
        "GovernmentBody",
        re.compile(
            r"\b(Ministry|Ministries|Department|Prosecutor|Prosecutor's|Police|"
            r"Court|Parliament|Senate|Cabinet|Government|Akimat|Administration|"
            r"Constitutional Council|Inspectorate|Mayor's Office|Militia|"
            r"Security Service|National Security Committee|Registration Service)\b"
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
            r"\b(Company|Corporation|LLP|LLC|Ltd|Inc|JSC|PLC|plc|GmbH|Group|Holding|"
            r"Industries|Enterprises?|Factory|Mining|Oil|Energy)\s*$"
        ),
    ),
    (
        "CivilSocietyGroup",
        re.compile(
            r"\b(Alliance|Human Rights|Foundation|Watch|Movement|Party|"
            r"Bureau|Initiative|Coalition|Campaign|Network|Society)\b"
        ),
    ),
    ("Media", re.compile(r"\b(News|Times|Post|Gazette|Radio|Television|TV|Tribune|Herald)\b")),
    (
        "InternationalOrganization",
        re.compile(r"\b(Committee|Commission|Mission|Delegation|Office)\b"),
    ),
]
LAW = re.compile(
    r"(?:(?:Article|Section|Art\.)\s+\d+[\w.()\s-]{0,12}\s+of\s+(?:the\s+)?)?"
    rf"(?:(?:{NAME}\s+){{0,3}}(?:Criminal|Labou?r|Penal|Civil|Administrative)\s+(?:Code|Offences Code)"
    rf"|(?:Law|Act)\s+(?:on|of)\s+(?:the\s+)?{NAME}(?:\s+(?:on|of|and)?\s*{NAME}){{0,4}}"
    rf"|{NAME}(?:\s+{NAME}){{0,3}}\s+(?:Act|Law)\b"
    r"|Constitution)"
)
CONVENTION = re.compile(
    r"\b(?:ILO\s+)?Conventions?\s+(?:No(?:s)?\.?\s*)?(\d{1,3})(?:\s*(?:and|,|&)\s*(?:No\.?\s*)?(\d{1,3}))?"
    r"|\bC\.?\s?0?(\d{2,3})\b"
)
GENERIC_GOV: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"\b(?:government|authorities)\b", re.I), "government", "Government of {c}"),
    (re.compile(r"\bpolice\b", re.I), "police", "Police of {c}"),
    (re.compile(r"\bcourts?\b(?!\s+of\s+(?:law|appeal))", re.I), "courts", "Courts of {c}"),
    (re.compile(r"\bsecurity forces\b", re.I), "security-forces", "Security forces of {c}"),
    # "the President" alone or "President of <country>"; "President Kharkova" is a person's title.
    (
        re.compile(r"(?<=\b[Tt]he\s)President\b(?!\s+\p{Lu})(?:\s+of\s+\p{Lu}\p{L}+)?"),
        "president",
        "President of {c}",
    ),
]
LOWER_UNION = re.compile(
    r"\b(?:\p{Lu}\p{L}+\s+)?(?:[\p{Ll}-]+\s+){0,3}workers[’']?\s+(?:trade\s+)?union\b"
)
PERSON_PREFIX = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+$")


def _slug(text: str) -> str:
    return re.sub(r"[^\p{L}\p{N}]+", "-", text.lower()).strip("-")


class MentionFinder:
    """Finds the mentions of one document."""

    def __init__(self, doc: Document, sdoc: SpacyDoc, m: Matchers) -> None:
        self.doc, self.sdoc, self.m, self.ref = doc, sdoc, m, m.ref
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
                span = self.sdoc[ts:te]
                self._add(span.start_char, span.end_char, "gazetteer", ent.type, key, ent.name)

    def _main_country(self) -> str:
        counts = Counter(
            lab.split("|")[2]
            for _, _, lab in self.spans
            if self.ref.entities.get(lab.split("|")[2]) is not None
            and self.ref.entities[lab.split("|")[2]].place_kind == "country"
        )
        for d, c in self.ref.demonym_country.items():
            n = len(re.findall(rf"\b{re.escape(d)}\b", self.text, flags=re.I))
            if n:
                counts[c] += n
        return counts.most_common(1)[0][0] if counts else ""

    def _conventions(self) -> None:
        for mt in CONVENTION.finditer(self.text):
            numbers = [g for g in mt.groups() if g]
            for num in numbers:
                conv = self.ref.convention_by_number(int(num))
                if conv is None:
                    continue
                s, e = (mt.start(), mt.end()) if len(numbers) == 1 else mt.span()
                self._add(s, e, "convention-number", "ILOConvention", conv.id, conv.name)
                break

    def _laws(self) -> None:
        for mt in LAW.finditer(self.text):
            name = mt.group(0)
            key = f"{self.country}-{_slug(name)}" if self.country else ""
            if name == "Constitution" and self.country:
                key = f"{self.country}-constitution"
                country = self.ref.entities[self.country].name
                name = f"Constitution of {country}"
            self._add(mt.start(), mt.end(), "law-pattern", "Legislation", key, name, self.country)

    def _organisations(self) -> None:
        for mt in CAP_RUN.finditer(self.text):
            run = mt.group(0)
            if " " not in run:
                continue
            for etype, head in ORG_HEADS:
                if head.search(run):
                    s = mt.start()
                    if run.startswith("The "):
                        s += 4
                    name = self.text[s : mt.end()]
                    key = ""
                    if etype == "GovernmentBody" and self.country and " of " not in name[-20:]:
                        key = f"{self.country}-{_slug(name)}"
                        name = f"{name} of {self.ref.entities[self.country].name}"
                    self._add(s, mt.end(), "org-pattern", etype, key, name, self.country)
                    break
        for mt in LOWER_UNION.finditer(self.text):
            self._add(mt.start(), mt.end(), "union-pattern", "TradeUnion", "", mt.group(0))

    def _generic_government(self) -> None:
        for pattern, suffix, template in GENERIC_GOV:
            for mt in pattern.finditer(self.text):
                country = self._country_near(mt.start())
                if not country:
                    continue
                self._add_body(mt.start(), mt.end(), country, suffix, template)
        for d, country in self.ref.demonym_country.items():
            pat = rf"\b{re.escape(d)}\s+(government|authorities|police|courts?)\b"
            for mt in re.finditer(pat, self.text, flags=re.I):
                word = mt.group(1).lower()
                suffix = {"authorities": "government", "court": "courts"}.get(word, word)
                self._add_body(
                    mt.start(), mt.end(), country, suffix, suffix.capitalize() + " of {c}"
                )

    def _add_body(self, s: int, e: int, country: str, suffix: str, template: str) -> None:
        """A body of a country's state: "the authorities", "Kazakh police" -> kazakhstan-police."""
        name = template.format(c=self.ref.entities[country].name)
        self._add(
            s, e, "generic-government", "GovernmentBody", f"{country}-{suffix}", name, country
        )

    def _country_near(self, pos: int) -> str:
        """The country named right after ("government of X") or the document's main country."""
        after = self.text[pos : pos + 60]
        mt = re.match(r"[\w\s]*?\bof\s+(?:the\s+)?(\p{Lu}[\p{L}\s-]+)", after)
        if mt:
            for n in range(len(mt.group(1)), 0, -1):
                cid = self.ref.country_name.get(mt.group(1)[:n].strip().lower())
                if cid:
                    return cid
        return self.country

    def _people(self) -> None:
        from .people import find_people

        # A person's name may contain a place name ("Nursultan Nazarbayev"): places don't block.
        taken = [(s, e) for s, e, lab in self.spans if lab.split("|")[1] != "Place"]
        for s, e, name in find_people(self.text, self.sdoc, self.m, taken):
            self._add(s, e, "person-rule", "Person", "", name)

    # -- assemble
    def _to_mentions(self, spans: list[tuple[int, int, str]]) -> list[Mention]:
        out = []
        for s, e, label in spans:
            rule, etype, key, country, name = label.split("|", 4)
            src = self.doc.source_span(s, e)
            if not src.text.strip():
                continue
            if key in self.ref.entities:
                country = self.ref.entities[key].country
            out.append(Mention(self.doc.doc_id, src, s, e, etype, name, key, rule, country))
        return out


def find_mentions(doc: Document, sdoc: SpacyDoc, m: Matchers) -> tuple[list[Mention], str]:
    """Return the document's mentions and its main country id ("" when unknown)."""
    finder = MentionFinder(doc, sdoc, m)
    mentions = finder.run()
    return mentions, finder.country
