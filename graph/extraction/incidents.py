"""Incidents: trigger words, actors of the same sentence in their roles, place, conventions, date."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import regex as re
from spacy.tokens import Doc as SpacyDoc

from ..dates import find_dates
from ..model import ACTOR_TYPES, DateValue, Document, Incident, Mention
from ..reference import Reference
from .nlp import Covered, Matchers, between, compiled, longest_first, match_chars

# Acts done to individual people are recorded once per victim (monitors' practice).
# Happenings defined by who holds them rather than by whom they hit.
AGENT_CENTRED = {"Statement", "Meeting", "Protest", "Strike", "HungerStrike"}
PER_VICTIM = {"Arrest", "Killing", "Prosecution", "Release", "Dismissal"}
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
# Calls, demands, fears and modals: what follows is wished for or feared, not reported ("calls
# on X to release Y", "the threat of dissolution").
CALL_SCOPE = re.compile(
    r"\b(?:call(?:s|ed|ing)?\s+(?:on|upon|for)|urg(?:e|es|ed|ing)|demand(?:s|ed|ing)?|"
    r"ask(?:s|ed|ing)?\s+(?:[\w-]+\s+){1,3}to|appeal(?:s|ed)?\s+(?:to|for)|press(?:es|ed)?\s+for|"
    r"interven(?:e|es|ed)\s+for|refus(?:e|es|ed|ing)\s+to|should|must|seek(?:s|ing)?|"
    r"could|would|might)\b[^.;:]*$"
    r"|\b(?:immediate|unconditional|immediately|an\s+end\s+to|threat\s+of|possibility\s+of|"
    r"to\s+prevent|risk\s+of)\s+(?:the\s+|an?\s+|immediate\s+|their\s+|his\s+|her\s+)*$",
    re.I,
)
FIRST_PERSON = re.compile(r"\b(?:we|I)\s+(?:\w+\s+){0,2}$", re.I)
COORDINATION = re.compile(r"\s*(?:,|and|or|,\s*and)\s*(?:[\p{Ll}-]+\s+)?")
SAYING_AFTER = re.compile(r"(?:said|says|added|stated|explained|noted|warned)$", re.I)
TOPICAL = re.compile(
    r"\b(?:about|over|regarding|concerning|following|after|amid|despite|against)\s+"
    r"(?:the|these|this|those|such)\s+(?:[\p{Ll}-]+\s+)?$",
    re.I,
)
GROUP = re.compile(
    r"\b(?:[Aa]ll\s+(?:three|four|five|six)|[Tt]he\s+(?:two|three|four|pair)|[Bb]oth\s+(?:men|women)"
    r"|[Bb]oth(?=\s+(?:were|are|have|had|was)\b))\b"
)
POSSESSIVE = re.compile(r"\b[Ii]ts\b")
LIST_ITEM = 300  # characters: longer lines are paragraphs, not items of a list
ACCORDING = re.compile(r"\baccording\s+to\s+(?:the\s+)?$", re.I)
OPENING_CLAUSE = re.compile(r"^\s*(?:Having|After|Following|Before|While|When)\b[^,]*$")
APPOSITION = re.compile(r",[^,;.]{0,200},")
# How many earlier incidents of a type a report without named victims is compared with.
MERGE_REACH = 200
PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he|him)\b")
MONTH_WORDS = frozenset({"march", "may"})
# "APHWSN - letter to the Minister ...   page 1/2": a running header or footer of a printed page.
PAGE_FURNITURE = re.compile(r"\bpage\s+\d+\s*(?:/|of)\s*\d+\s*$", re.I)
TAG_LINE = re.compile(r"^\s*(?:tags|keywords|categories|topics|filed under|related)\s*:", re.I)
CLOSING = re.compile(
    r"(?im)^\s*(?:yours\s+(?:sincerely|faithfully|truly)|sincerely(?:\s+yours)?|"
    r"(?:kind|best|warm)\s+regards|with\s+regards|in\s+solidarity)\b"
)
DEAR = re.compile(r"(?m)^[ \t]*Dear\b[^\n]{0,80}$")
DATELINE = re.compile(r"^\s*\(?\p{Lu}[\p{L} .'’-]{1,40},\s*$")
MAX_QUOTE = 320
# "KazTAG - The government ...": a news agency's credit line opening a sentence.
CREDIT = re.compile(r"\s*\S[^\n]{0,40}?\s[-–—]\s")
BY_AGENT = re.compile(r"\bby\s+(?:the\s+)?$")
MEETING_BODY = re.compile(r"\s*(?:of|in|at|by|within)\s+(?:the\s+)?")
SPEAKER_GAP = re.compile(r"[\s,]*(?:[\p{L}-]+\s+){0,4}")
CLAUSE_COMMA = re.compile(r",\s+(?:the\s+)?$")
BLANK_LINE = re.compile(r"\n[ \t]*\n")
COUNT = re.compile(
    r"\b(\d{1,3}(?:,\d{3})+|\d+)\s+(?:people|workers|protesters|trade unionists|"
    r"activists|persons|men|women|dead)\b"
)


def _sentence_of(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence holding ``pos`` (sentences are sorted and do not overlap)."""
    i = bisect.bisect_right(sentences, (pos, float("inf"))) - 1
    if i >= 0 and sentences[i][0] <= pos < sentences[i][1]:
        return sentences[i]
    return (pos, pos)


class IncidentFinder:
    def __init__(
        self,
        doc: Document,
        sdoc: SpacyDoc,
        mentions: list[Mention],
        sentences: list[tuple[int, int]],
        m: Matchers,
        country: str = "",
    ) -> None:
        self.doc, self.sdoc, self.mentions, self.sentences = doc, sdoc, mentions, sentences
        self.ref: Reference = m.ref
        self.m = m
        self.text = doc.text
        self.country = next((mm for mm in mentions if country and mm.key == country), None)
        self.letter = _letter_parts(self.text, mentions)
        self.by_start = sorted(mentions, key=lambda mm: mm.clean_start)
        self.starts = [mm.clean_start for mm in self.by_start]
        self.people = [mm for mm in self.by_start if mm.type == "Person" and mm.rule != "pronoun"]
        self.people_starts = [mm.clean_start for mm in self.people]
        self.unions = [mm for mm in self.by_start if mm.type in ("TradeUnion", "UnionFederation")]
        self.union_starts = [mm.clean_start for mm in self.unions]
        self.governments = [mm for mm in mentions if mm.key.endswith("-government")]
        self._dates: dict[tuple[int, int], list[tuple[int, int, DateValue]]] = {}

    def _triggers(self) -> list[tuple[int, int, str, bool]]:
        """``(start, end, type, real)`` in cleaned text; ``real`` is False for irrealis uses."""
        spans = []
        for match_id, ts, te in self.m.triggers(self.sdoc):
            spans.append((*match_chars(self.sdoc, ts, te), self.sdoc.vocab.strings[match_id]))
        inside = Covered(
            [(mm.clean_start, mm.clean_end) for mm in self.mentions if mm.type != "Place"]
        )
        out = []
        for s, e, itype in longest_first(spans):
            if inside.contains(s, e):
                continue
            word = self.text[s:e]
            ss, _ = _sentence_of(self.sentences, s)
            if any(
                compiled(x, re.I).match(self.text[s : s + 80])
                for x in self.ref.triggers[itype].exclude
            ):
                continue
            line_start = self.text.rfind("\n", 0, s) + 1
            line_end = self.text.find("\n", s)
            line = self.text[line_start:s]
            # "March 2021" is a month, "Tags: arrests, strike" is a page's index, not a report.
            if (
                (word[:1].isupper() and word.lower() in MONTH_WORDS)
                or TAG_LINE.match(line)
                or PAGE_FURNITURE.search(
                    self.text[s : len(self.text) if line_end < 0 else line_end]
                )
            ):
                continue
            before = self.text[max(ss, s - 160) : s]
            if itype == "Statement":
                # In a letter, "we write/urge/call" is the letter itself (one Statement).
                if self.letter is not None and FIRST_PERSON.search(before[-40:]):
                    continue
                real = True
            else:
                real = not (CALL_SCOPE.search(before) or self._in_demand_list(s))
            out.append((s, e, itype, real))
        return out

    def _in_demand_list(self, pos: int) -> bool:
        """An item of a list under "We therefore ask the Ministry to:" is a demand, not a report.

        Cleaning keeps list items one to a line (markers dropped), under the line that opens them.
        """
        blanks = items = 0
        for line in self._lines_up_to(pos, 12):
            if not line.strip():
                blanks += 1
                if blanks > 1:
                    return False
            elif line.rstrip().endswith(":"):
                return items > 0 and bool(CALL_SCOPE.search(line.rstrip()[:-1]))
            elif len(line) > LIST_ITEM or blanks:
                return False
            else:
                items += 1
        return False

    def _lines_up_to(self, pos: int, n: int) -> Iterator[str]:
        """The line holding ``pos``, then up to n - 1 lines above it (nearest first)."""
        end = self.text.find("\n", pos)
        end = len(self.text) if end < 0 else end
        for _ in range(n):
            start = self.text.rfind("\n", 0, end) + 1
            yield self.text[start:end]
            if start == 0:
                return
            end = start - 1

    def run(self) -> list[Incident]:
        triggers = self._triggers()
        self.trigger_starts = [t[0] for t in triggers]
        grouped: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for s, e, itype, real in triggers:
            if real:
                grouped.setdefault((_sentence_of(self.sentences, s)[0], itype), []).append((s, e))
        incidents: list[Incident] = []
        if self.letter is not None:
            incidents.extend(self._letter_statement())
        for (sent_start, itype), trig in sorted(grouped.items()):
            sentence = _sentence_of(self.sentences, sent_start)
            incidents.extend(self._incidents(itype, trig, sentence, triggers))
        return _merge(sorted(incidents, key=lambda i: i.trigger.start))

    def _letter_statement(self) -> list[Incident]:
        """A letter is a Statement: its senders (letterhead, signature) to its addressees."""
        senders, addressees, body = self.letter
        if not senders and not addressees:
            return []
        sentence = _sentence_of(self.sentences, body)
        ss, se = sentence
        return [
            Incident(
                self.doc.doc_id,
                "Statement",
                self.doc.source_span(ss, min(se, ss + 40)),
                self._quote(ss, se, ss, ss),
                tuple(senders),
                tuple(addressees),
                None,
                tuple(
                    mm
                    for mm in self.mentions
                    if ss <= mm.clean_start < se and mm.type == "ILOConvention"
                ),
                self.doc.anchor_at(ss),
                None,
            )
        ]

    def _incidents(self, itype, trig, sentence, all_triggers) -> list[Incident]:
        spec = self.ref.triggers[itype]
        ss, se = sentence
        ts, te = trig[0]
        in_sent = between(self.by_start, self.starts, ss, se)
        # "KazTAG - The government ...": a news agency crediting itself is no actor.
        credit = CREDIT.match(self.text[ss:se])
        actors = sorted(
            [
                mm
                for mm in in_sent
                if mm.type in ACTOR_TYPES
                and not (credit and mm.type == "Media" and mm.clean_end <= ss + credit.end())
                and not ACCORDING.search(self.text[max(ss, mm.clean_start - 20) : mm.clean_start])
            ]
            + self._pronouns(ss, se),
            key=lambda mm: mm.clean_start,
        )
        agents: list[Mention] = []
        targets: list[Mention] = []
        # Coordinated verbs share their actors: "was attacked and killed", "arrested and charged".
        # A chain "detention, intimidation and arbitrary interrogation" acts as one verb.
        chain = list(trig)
        in_sentence = between(all_triggers, self.trigger_starts, ss, se)
        rest = sorted((s, e) for s, e, t, _ in in_sentence if t != itype)
        grown = True
        while grown:
            grown = False
            for s, e in rest:
                if (s, e) not in chain and any(
                    COORDINATION.fullmatch(self.text[min(e, ce) : max(s, cs)]) for cs, ce in chain
                ):
                    chain.append((s, e))
                    grown = True
        other = [(s, t) for s, e, t, _ in in_sentence if t != itype and (s, e) not in chain]
        coordinated = False
        # "wrote to X about the arrests": the act is the topic; who comes before is not in it.
        topical = itype != "Statement" and bool(TOPICAL.search(self.text[max(ss, ts - 40) : ts]))
        for k, a in enumerate(actors):
            # Coordinated actors share a role: "the arrest of A ..., as well as of B".
            prev_same = next(
                (b for b in reversed(actors[:k]) if b.type == a.type and b.rule != "pronoun"), None
            )
            if prev_same is not None and COORDINATED.search(
                self.text[max(ss, a.clean_start - 60) : a.clean_start]
            ):
                if prev_same in targets:
                    targets.append(a)
                    coordinated = True
                    continue
                if prev_same in agents:
                    agents.append(a)
                    continue
            # Each actor belongs to the nearest trigger of the sentence.
            dist = min(abs(a.clean_start - s) for s, _ in trig)
            if any(abs(a.clean_start - s) < dist for s, _ in other):
                continue
            before = a.clean_end <= ts
            if before and topical:
                continue
            # An apposition (", president of the X (Y),") does not part a subject from its verb.
            gap_before = APPOSITION.sub("", self.text[a.clean_end : ts]) if before else ""
            after_text = self.text[trig[-1][1] : a.clean_start] if not before else ""
            if not before and BY_AGENT.search(after_text):
                if a.type in spec.agent_types:
                    agents.append(a)
                continue
            # "the discussions in the International Labour Conference": the body that meets.
            if not before and itype == "Meeting" and MEETING_BODY.fullmatch(after_text):
                if a.type in spec.agent_types:
                    agents.append(a)
                    continue
            # '"...," said IUF General Secretary Sue Longley': the speaker follows the verb.
            if (
                not before
                and itype == "Statement"
                and SAYING_AFTER.match(self.text[ts:te])
                and (SPEAKER_GAP.fullmatch(after_text))
            ):
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
                elif a.type in spec.target_types and len(gap_before) < 120:
                    # "The HKCTU has dissolved": a subject that cannot act this way undergoes it.
                    targets.append(a)
            elif a.type in spec.target_types:
                targets.append(a)
        # Keep only the nearest agent before the trigger: the grammatical subject.
        agents = sorted(agents, key=lambda a: -a.clean_start)[:2] if agents else []
        # "Having criticised X, the ITUC ...": the opening clause's subject is the main clause's.
        if not agents and OPENING_CLAUSE.match(self.text[ss:ts]):
            subject = next(
                (
                    a
                    for a in actors
                    if a.clean_start > te
                    and a.type in spec.agent_types
                    and CLAUSE_COMMA.search(self.text[max(ss, a.clean_start - 8) : a.clean_start])
                ),
                None,
            )
            if subject is not None:
                agents = [subject]
                targets = [t for t in targets if t.identity != subject.identity]
        place = self._place(in_sent, ts)
        if not agents and spec.default_agent == "government":
            agents = self._government(in_sent)
        # Unnamed protesters or victims: the place stands in for them (the monitors' convention).
        stand_in = place or self.country
        if stand_in is not None and not agents and not targets:
            if spec.place_stands_in == "agent":
                agents = [stand_in]
            elif spec.place_stands_in == "target":
                targets = [stand_in]
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
        if itype in PER_VICTIM and len(people) > 1 and coordinated:
            # Named victims: their organisations ("KNPRK Deputy President X") are not victims too.
            return [replace(base, targets=(p,)) for p in _dedup(people)]
        if itype == "Killing" and people:
            # Only people are killed: "the lawyer who defended TUCOSWA" does not make it a victim.
            base = replace(base, targets=tuple(_dedup(people)))
        return [base]

    def _pronouns(self, ss: int, se: int) -> list[Mention]:
        """ "he", "she", "him": a person named before, standing at the pronoun.

        The person named earlier in the same sentence, else the first person (the subject, as
        news sentences go) of the last sentence that names one.
        """
        people, starts = self.people, self.people_starts
        out = []
        for mt in PRONOUN.finditer(self.text, ss, se):
            same = [
                mm for mm in between(people, starts, ss, mt.start()) if mm.clean_end <= mt.start()
            ]
            antecedent = same[0] if same else None
            if antecedent is None:
                earlier = [
                    mm
                    for mm in between(people, starts, ss - 900, ss)
                    if mm.clean_end <= ss and ss - mm.clean_end < 800
                ]
                if earlier:
                    last_sentence = _sentence_of(self.sentences, earlier[-1].clean_start)
                    antecedent = next(mm for mm in earlier if mm.clean_start >= last_sentence[0])
            if antecedent is not None:
                out.append(
                    replace(antecedent, clean_start=mt.start(), clean_end=mt.end(), rule="pronoun")
                )
        # "its affiliated unions", "their members": the organisation named last before.
        orgs, org_starts = self.unions, self.union_starts
        for mt in POSSESSIVE.finditer(self.text, ss, se):
            prior = [
                mm
                for mm in between(orgs, org_starts, mt.start() - 700, mt.start())
                if mm.clean_end <= mt.start() and mt.start() - mm.clean_end < 600
            ]
            if prior and not between(orgs, org_starts, ss, mt.start()):
                out.append(
                    replace(prior[-1], clean_start=mt.start(), clean_end=mt.end(), rule="pronoun")
                )
        # "the two", "both men", "all three": the people of the last sentence naming several.
        for mt in GROUP.finditer(self.text, ss, se):
            earlier = [
                mm
                for mm in between(people, starts, mt.start() - 900, mt.start())
                if mm.clean_end <= mt.start() and mt.start() - mm.clean_end < 800
            ]
            groups: dict[tuple[int, int], list[Mention]] = {}
            for mm in earlier:
                groups.setdefault(_sentence_of(self.sentences, mm.clean_start), []).append(mm)
            several = [g for g in groups.values() if len(_dedup(g)) >= 2]
            if several:
                for mm in _dedup(several[-1]):
                    out.append(
                        replace(mm, clean_start=mt.start(), clean_end=mt.end(), rule="pronoun")
                    )
        return out

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
        govs = self.governments
        near = [g for g in govs if g in in_sent]
        return [(near or govs)[0]] if govs else []

    def _date(self, itype: str, sentence: tuple[int, int], ts: int, te: int) -> DateValue | None:
        ss, _se = sentence
        anchor = self.doc.anchor_at(ss)
        word = self.text[ts:te]
        found = self._sentence_dates(sentence)
        if found:
            return min(found, key=lambda f: abs(f[0] + ss - ts))[2]
        if itype == "Statement" and anchor is not None and PRESENT_STATEMENT.match(word):
            return anchor
        return self._recent_date(ss)

    def _sentence_dates(self, sentence: tuple[int, int]) -> list[tuple[int, int, DateValue]]:
        """The dates of a sentence (offsets within it); read once, though several of its
        incidents ask."""
        found = self._dates.get(sentence)
        if found is None:
            ss, se = sentence
            # A dateline opening the sentence dates the document, not what the sentence reports.
            found = self._dates[sentence] = [
                f
                for f in find_dates(self.text[ss:se], self.doc.anchor_at(ss))
                if not DATELINE.match(self.text[ss : ss + f[0]])
            ]
        return found

    def _recent_date(self, clean: int) -> DateValue | None:
        """Undated news is recent news: the month of the item or document that reports it."""
        anchor = self.doc.anchor_at(clean)
        if anchor is not None and anchor.precision == "day":
            first = anchor.earliest.replace(day=1)
            nxt = first.replace(month=first.month % 12 + 1, year=first.year + (first.month == 12))
            anchor = DateValue(anchor.text, first, nxt - timedelta(days=1), "month")
        return anchor

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


def _letter_parts(
    text: str, mentions: list[Mention]
) -> tuple[list[Mention], list[Mention], int] | None:
    """(senders, addressees, body start) of a letter: letterhead and signature, then the block
    between letterhead and "Dear ...", including copies; None when the text is no letter."""
    dear = DEAR.search(text)
    if dear is None:
        return None
    head_end = BLANK_LINE.search(text)
    head_end = head_end.start() if head_end and head_end.start() < dear.start() else 0
    closing = CLOSING.search(text, dear.end())
    sign = (closing.end(), closing.end() + 400) if closing else (len(text), len(text))
    actors = [mm for mm in mentions if mm.type in ACTOR_TYPES]
    senders = _dedup(
        [mm for mm in actors if mm.clean_start < head_end or sign[0] <= mm.clean_start < sign[1]]
    )
    sender_ids = {mm.identity for mm in senders}
    addressees = _dedup(
        [
            mm
            for mm in actors
            if head_end <= mm.clean_start < dear.start() and mm.identity not in sender_ids
        ]
    )
    body = dear.end() + len(text[dear.end() :]) - len(text[dear.end() :].lstrip())
    return senders, addressees, body


def _dedup(ms: list[Mention] | tuple[Mention, ...]) -> list[Mention]:
    seen, out = set(), []
    for mm in ms:
        if mm.identity not in seen:
            seen.add(mm.identity)
            out.append(mm)
    return out


def _count(sentence: str) -> int | None:
    mt = COUNT.search(sentence)
    return int(mt.group(1).replace(",", "")) if mt else None


def _merge(incidents: list[Incident]) -> list[Incident]:
    """Sentences about the same happening become one incident.

    Same type and dates that agree, and either the same named victims, or no victim of its own
    ("the arrests", "the strike"), which refers back to the last such incident. Candidates are
    found through an index of victims, so a long document is not compared pair by pair.
    """
    out: list[Incident] = []
    keys_of: list[set[str]] = []
    by_key: dict[tuple[str, str], set[int]] = {}
    keyless: dict[str, list[int]] = {}
    iso: dict[int, str] = {}  # DateValue.iso formats on every call; compared often here

    def index(i: int) -> None:
        keys_of[i] = _keys(out[i])
        iso[i] = out[i].date.iso if out[i].date is not None else ""
        for k in keys_of[i]:
            by_key.setdefault((out[i].type, k), set()).add(i)
        if not keys_of[i] and i not in keyless.get(out[i].type, [])[-1:]:
            keyless.setdefault(out[i].type, []).append(i)

    for inc in incidents:
        keys = _keys(inc)
        inc_iso = inc.date.iso if inc.date is not None else ""
        near = [i for i in keyless.get(inc.type, [])[-MERGE_REACH:] if not keys_of[i]]
        shared = {i for k in keys for i in by_key.get((inc.type, k), [])}
        candidates = sorted(set(near) | shared, reverse=True)
        if not keys:
            candidates = sorted(
                set(candidates) | set(_recent_of_type(out, inc.type, MERGE_REACH)), reverse=True
            )
        for i in candidates:
            prev, pkeys, prev_iso = out[i], keys_of[i], iso[i]
            same_date = (
                not prev_iso or not inc_iso or prev_iso[: len(inc_iso)] == inc_iso[: len(prev_iso)]
            )
            if not same_date:
                continue
            if keys and pkeys:
                # The same victims, or some of them again ("Seitkazy" after "Seitkazy and Aset
                # Matayev"); statements and meetings need the same addressees.
                # A shared organisation alone ("its leaders", "Carol Ng of the HKCTU") does not
                # make two acts against different people one.
                people = _people(inc) | _people(prev)
                overlap = (keys <= pkeys or pkeys <= keys) and (
                    not people or bool(people & keys & pkeys)
                )
                # A headline sums up the story: its incident is the one the body tells.
                same = keys == pkeys or (
                    overlap and (inc.type not in AGENT_CENTRED or _headline(prev) or _headline(inc))
                )
            elif inc.type in AGENT_CENTRED:
                # Two meetings, strikes or statements without targets are one only when the same
                # actors hold them.
                same = not keys and not pkeys and _shares_agent(prev, inc)
            else:
                # A report without named victims ("the arrests") refers back to one with them.
                same = True
            if same:
                # The report with named victims leads; the more precise date wins.
                lead, other = (prev, inc) if pkeys or not keys else (inc, prev)
                dates = [d for d in (prev.date, inc.date) if d is not None]
                out[i] = replace(
                    lead,
                    agents=tuple(_dedup([*lead.agents, *other.agents])),
                    conventions=tuple(_dedup([*prev.conventions, *inc.conventions])),
                    place=lead.place or other.place,
                    date=max(dates, key=lambda d: len(d.iso)) if dates else None,
                )
                index(i)
                break
        else:
            out.append(inc)
            keys_of.append(set())
            index(len(out) - 1)
    return out


def _keys(inc: Incident) -> set[str]:
    return {t.identity for t in inc.targets if t.type != "Place"}


def _recent_of_type(out: list[Incident], itype: str, n: int) -> list[int]:
    """Indices of the last n incidents of a type (a report without victims looks this far back)."""
    found: list[int] = []
    for i in range(len(out) - 1, -1, -1):
        if out[i].type == itype:
            found.append(i)
            if len(found) == n:
                break
    return found


def _people(inc: Incident) -> set[str]:
    return {t.identity for t in inc.targets if t.type == "Person"}


def _headline(inc: Incident) -> bool:
    """A title line: short, without the full stop of a sentence."""
    text = inc.evidence.text.strip()
    return len(text) < 150 and "\n" not in text and not text.endswith((".", "!", "?", '"', "”"))


def _shares_agent(a: Incident, b: Incident) -> bool:
    return bool({m.identity for m in a.agents} & {m.identity for m in b.agents})


def find_incidents(
    doc: Document,
    sdoc: SpacyDoc,
    mentions: list[Mention],
    sentences: list[tuple[int, int]],
    m: Matchers,
    country: str = "",
) -> list[Incident]:
    """Every incident the document reports; ``country`` is the document's main country id."""
    return IncidentFinder(doc, sdoc, mentions, sentences, m, country).run()
