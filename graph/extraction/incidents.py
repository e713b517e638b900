"""Incidents: trigger words, actors of the same sentence in their roles, place, conventions, date."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import regex as re
from spacy.tokens import Doc as SpacyDoc

from ..dates import find_dates
from ..model import ACTOR_TYPES, DateValue, Document, Incident, Mention
from ..reference import Reference
from .nlp import Matchers, longest_first

# Acts done to individual people are recorded once per victim (monitors' practice).
PER_VICTIM = {"Arrest", "Killing", "Prosecution", "Release", "Dismissal"}
# What is demanded or feared has not happened: "to demand the release of ...".
IRREALIS = re.compile(
    r"(?:demand(?:s|ed|ing)?|call(?:s|ed|ing)?\s+for|urg(?:e|es|ed|ing)|seek(?:s|ing)?|an\s+end\s+to|"
    r"threat\s+of|could|would|possibility\s+of|to\s+prevent|risk\s+of|calling\s+for)"
    r"\s+(?:the\s+|an?\s+|immediate\s+|their\s+|his\s+|her\s+)*$",
    re.I,
)
COORDINATED = re.compile(
    r"\b(?:as\s+well\s+as|along\s+with|together\s+with)\s+(?:of\s+|the\s+)*"
    r"(?:[\p{Ll}'’-]+\s+){0,5}$"
)
PASSIVE = re.compile(r"\b(?:was|were|been|being|be|is|are|got)\s+(?:\w+ly\s+)?$", re.I)
PRESENT_STATEMENT = re.compile(
    r"^(?:demands|calls|urges|deplores|condemns|says|said|expresses|welcomes|supports|denounces|"
    r"declares|appeals|writes|is committed to support|supports call)$",
    re.I,
)
DATELINE = re.compile(r"^\s*\(?\p{Lu}[\p{L} .'’-]{1,40},\s*$")
MAX_QUOTE = 320


def _sentence_of(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in sentences:
        if s <= pos < e:
            return (s, e)
    return (pos, pos)


class IncidentFinder:
    def __init__(
        self,
        doc: Document,
        sdoc: SpacyDoc,
        mentions: list[Mention],
        sentences: list[tuple[int, int]],
        m: Matchers,
    ) -> None:
        self.doc, self.sdoc, self.mentions, self.sentences = doc, sdoc, mentions, sentences
        self.ref: Reference = m.ref
        self.m = m
        self.text = doc.text

    def _triggers(self) -> list[tuple[int, int, str, bool]]:
        """``(start, end, type, real)`` in cleaned text; ``real`` is False for irrealis uses."""
        spans = []
        for match_id, ts, te in self.m.triggers(self.sdoc):
            span = self.sdoc[ts:te]
            spans.append((span.start_char, span.end_char, self.sdoc.vocab.strings[match_id]))
        inside = [(mm.clean_start, mm.clean_end) for mm in self.mentions if mm.type != "Place"]
        out = []
        for s, e, itype in longest_first(spans):
            if any(a <= s and e <= b for a, b in inside):
                continue
            ss, _ = _sentence_of(self.sentences, s)
            real = not IRREALIS.search(self.text[max(ss, s - 60) : s])
            out.append((s, e, itype, real))
        return out

    def run(self) -> list[Incident]:
        triggers = self._triggers()
        grouped: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for s, e, itype, real in triggers:
            if real:
                grouped.setdefault((_sentence_of(self.sentences, s)[0], itype), []).append((s, e))
        incidents: list[Incident] = []
        for (sent_start, itype), trig in sorted(grouped.items()):
            sentence = _sentence_of(self.sentences, sent_start)
            incidents.extend(self._incidents(itype, trig, sentence, triggers))
        return _merge(incidents)

    def _incidents(self, itype, trig, sentence, all_triggers) -> list[Incident]:
        spec = self.ref.triggers[itype]
        ss, se = sentence
        ts, te = trig[0]
        in_sent = [mm for mm in self.mentions if ss <= mm.clean_start < se]
        actors = [mm for mm in in_sent if mm.type in ACTOR_TYPES]
        agents: list[Mention] = []
        targets: list[Mention] = []
        other = [(s, t) for s, _, t, _ in all_triggers if ss <= s < se and t != itype]
        for k, a in enumerate(actors):
            # Coordinated actors share a role: "the arrest of A ..., as well as of B".
            prev_same = next((b for b in reversed(actors[:k]) if b.type == a.type), None)
            if prev_same is not None and COORDINATED.search(
                self.text[max(ss, a.clean_start - 60) : a.clean_start]
            ):
                if prev_same in targets:
                    targets.append(a)
                    continue
                if prev_same in agents:
                    agents.append(a)
                    continue
            # Each actor belongs to the nearest trigger of the sentence.
            dist = min(abs(a.clean_start - s) for s, _ in trig)
            if any(abs(a.clean_start - s) < dist for s, _ in other):
                continue
            before = a.clean_end <= ts
            gap_before = self.text[a.clean_end : ts] if before else ""
            after_text = self.text[trig[-1][1] : a.clean_start] if not before else ""
            if not before and re.search(r"\bby\s+(?:the\s+)?$", after_text):
                if a.type in spec.agent_types:
                    agents.append(a)
                continue
            if before and PASSIVE.search(self.text[max(a.clean_end, ts - 30) : ts]):
                if a.type in spec.target_types:
                    targets.append(a)
                continue
            if before:
                if a.type in spec.agent_types and len(gap_before) < 120:
                    agents.append(a)
            elif a.type in spec.target_types:
                targets.append(a)
        # Keep only the nearest agent before the trigger: the grammatical subject.
        agents = sorted(agents, key=lambda a: -a.clean_start)[:2] if agents else []
        place = self._place(in_sent, ts)
        if not agents and spec.default_agent == "government":
            agents = self._government(in_sent)
        if not agents and not targets and place is not None and spec.place_stands_in:
            if spec.place_stands_in == "agent":
                agents = [place]
            else:
                targets = [place]
        if not agents and not targets:
            return []
        conventions = tuple(mm for mm in in_sent if mm.type == "ILOConvention")
        date = self._date(itype, sentence, ts, te)
        quote = self._quote(ss, se, ts, te)
        base = Incident(
            self.doc.doc_id,
            itype,
            self.doc.source_span(ts, te),
            quote,
            tuple(_dedup(agents)),
            tuple(_dedup(targets)),
            place,
            conventions,
            date,
            _count(self.text[ss:se]),
        )
        people = [t for t in base.targets if t.type == "Person"]
        if itype in PER_VICTIM and people:
            # Named victims: their organisations ("KNPRK Deputy President X") are not victims too.
            return [replace(base, targets=(p,)) for p in _dedup(people)]
        return [base]

    def _place(self, in_sent: list[Mention], ts: int) -> Mention | None:
        places = [mm for mm in in_sent if mm.type == "Place"]
        if not places:
            return None

        def is_country(p: Mention) -> bool:
            known = self.ref.entities.get(p.key)
            return known is not None and known.place_kind == "country"

        pool = [p for p in places if not is_country(p)] or places
        return min(pool, key=lambda p: abs(p.clean_start - ts))

    def _government(self, in_sent: list[Mention]) -> list[Mention]:
        govs = [mm for mm in self.mentions if mm.key.endswith("-government")]
        near = [g for g in govs if g in in_sent]
        return [(near or govs)[0]] if govs else []

    def _date(self, itype: str, sentence: tuple[int, int], ts: int, te: int) -> DateValue | None:
        ss, se = sentence
        anchor = self.doc.anchor_at(ss)
        word = self.text[ts:te]
        if itype == "Statement" and anchor is not None and PRESENT_STATEMENT.match(word):
            return anchor
        # A dateline opening the sentence dates the document, not what the sentence reports.
        found = [
            f
            for f in find_dates(self.text[ss:se], anchor)
            if not DATELINE.match(self.text[ss : ss + f[0]])
        ]
        if found:
            return min(found, key=lambda f: abs(f[0] + ss - ts))[2]
        if itype == "Statement" and anchor is not None:
            if anchor.precision == "day" and re.search(r"\b(?:has|have)\s+$", self.text[ss:ts]):
                first = anchor.earliest.replace(day=1)
                nxt = first.replace(
                    month=first.month % 12 + 1, year=first.year + (first.month == 12)
                )
                return DateValue(anchor.text, first, nxt - timedelta(days=1), "month")
        return None

    def _quote(self, ss: int, se: int, ts: int, te: int):
        s, e = ss, se
        while e > s and self.text[e - 1] in " \n\t":
            e -= 1
        if e - s > MAX_QUOTE:
            s = max(s, ts - MAX_QUOTE // 2)
            e = min(e, max(te, s + MAX_QUOTE))
            # Cut at word boundaries so the quote reads cleanly.
            while s > ss and self.text[s - 1].isalnum():
                s += 1
            while e < se and e > s and self.text[e - 1].isalnum() and self.text[e].isalnum():
                e -= 1
        return self.doc.source_span(s, e)


def _dedup(ms: list[Mention] | tuple[Mention, ...]) -> list[Mention]:
    seen, out = set(), []
    for mm in ms:
        if mm.identity not in seen:
            seen.add(mm.identity)
            out.append(mm)
    return out


def _count(sentence: str) -> int | None:
    mt = re.search(
        r"\b(\d{1,3}(?:,\d{3})+|\d+)\s+(?:people|workers|protesters|trade unionists|"
        r"activists|persons|men|women|dead)\b",
        sentence,
    )
    return int(mt.group(1).replace(",", "")) if mt else None


def _merge(incidents: list[Incident]) -> list[Incident]:
    """Sentences about the same happening (same type, a shared person or union) become one."""
    out: list[Incident] = []
    for inc in incidents:
        keys = {t.identity for t in inc.targets if t.type != "Place"}
        for i, prev in enumerate(out):
            if prev.type != inc.type or not keys:
                continue
            pkeys = {t.identity for t in prev.targets if t.type != "Place"}
            same_date = (
                prev.date is None or inc.date is None or prev.date.iso[:7] == inc.date.iso[:7]
            )
            if keys == pkeys and same_date:
                out[i] = replace(
                    prev,
                    agents=tuple(_dedup([*prev.agents, *inc.agents])),
                    conventions=tuple(_dedup([*prev.conventions, *inc.conventions])),
                    place=prev.place or inc.place,
                    date=prev.date or inc.date,
                )
                break
        else:
            out.append(inc)
    return out


def find_incidents(
    doc: Document,
    sdoc: SpacyDoc,
    mentions: list[Mention],
    sentences: list[tuple[int, int]],
    m: Matchers,
) -> list[Incident]:
    """Every incident the document reports."""
    return IncidentFinder(doc, sdoc, mentions, sentences, m).run()
