"""Resolution stage: one entity per real-world thing across documents, one id per happening.

Identity rules, in order (each merge records its reason):
1. a curated or rule-made key (``cntuk``, ``kazakhstan-government``): same key, same entity;
2. an organisation name ending in a curated acronym of the same type ("... of Kazakhstan KNPRK");
3. the same type and folded name (case, accents, punctuation and transliteration folded);
4. people: the same folded surname (or Jaro-Winkler >= 0.93 on transliterated surnames) and
   agreeing given names (equal, or one an initial of the other). A surname alone joins the one
   full name it fits; two people who share a surname but not a given name stay apart and are kept
   as a review candidate. Places never merge with people (types must agree).

Entity ids are the key, else a slug of the canonical name; incident ids hash the type, the sorted
target ids and the year (see :func:`_incident_ids`), so the same arrest in two documents is one node.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import regex as re
from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

from .model import ORG_TYPES, Candidate, Entity, Extraction, Incident, Mention, Resolution
from .reference import Reference, load_reference

SURNAME_JW = 0.93


def fold(text: str) -> str:
    """Case, accents, punctuation and common transliteration variants folded away."""
    t = anyascii(text).lower()
    t = re.sub(r"[^a-z0-9 ]+", " ", t)
    words = []
    for w in t.split():
        w = re.sub(r"^ye", "e", w)  # Yeleusinov / Eleusinov
        w = re.sub(r"(?<=[aeiou])y(?=e)", "", w)  # -yev / -ev after a vowel
        w = re.sub(r"yev$", "ev", w)
        w = w.replace("kh", "h").replace("dzh", "zh").replace("iy", "i").replace("yy", "y")
        words.append(w)
    return " ".join(words)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-") or "x"


class _Clusters:
    """Union-find over mention indices, with the reason of each union."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.reasons: dict[int, list[str]] = defaultdict(list)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo
            self.reasons[lo].extend(self.reasons.pop(hi, []))
            self.reasons[lo].append(reason)


def _acronym_key(m: Mention, ref: Reference, acronyms: dict[tuple[str, str], str]) -> str:
    last = m.span.text.split()[-1].strip("()") if m.span.text.split() else ""
    return acronyms.get((m.type, last), "")


def _person_parts(name: str) -> tuple[str, str]:
    words = fold(name).split()
    return (" ".join(words[:-1]), words[-1]) if words else ("", "")


def _given_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b or JaroWinkler.similarity(a, b) >= 0.9


def _org_fold(name: str) -> str:
    """ "health workers trade union" = "health workers union": "trade" adds nothing before "union"."""
    return re.sub(r"\btrade (union|unions)\b", r"\1", fold(name))


def _short_forms(mentions: list[Mention], keys: list[str], cl: _Clusters) -> None:
    """ "Human Rights Alliance" after "Human Rights Alliance for Fundamental Rights" in one document."""
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.type in ORG_TYPES and not keys[i]:
            by_doc[m.doc_id].append(i)
    for idx in by_doc.values():
        names = {i: _org_fold(mentions[i].name) for i in idx}
        for i in idx:
            short = names[i]
            if len(short.split()) < 2:
                continue
            for j in idx:
                rest = names[j][len(short) :]
                same_type = mentions[i].type == mentions[j].type
                if (
                    same_type
                    and names[j].startswith(short)
                    and re.match(r" (?:for|of|in|on) ", rest)
                ):
                    cl.union(j, i, f"short form of '{mentions[j].name}' in the same document")
                    break


def resolve(extractions: list[Extraction], ref: Reference | None = None) -> Resolution:
    """Cluster every mention of every document into entities; give incidents stable ids."""
    ref = ref or load_reference()
    mentions = [m for x in extractions for m in x.mentions]
    mentions.sort(key=lambda m: (m.doc_id, m.span.start, m.span.end))
    cl = _Clusters(len(mentions))
    acronyms = {(e.type, a): e.id for e in ref.entities.values() for a in e.aliases if a.isupper()}
    by_key: dict[str, int] = {}
    by_name: dict[tuple[str, str], int] = {}
    keys: list[str] = []
    for i, m in enumerate(mentions):
        key = m.key or _acronym_key(m, ref, acronyms)
        keys.append(key)
        if key:
            if key in by_key:
                cl.union(by_key[key], i, f"same reference id {key}")
            else:
                by_key[key] = i
            continue
        if m.type == "Person":
            continue
        nk = (m.type, _org_fold(m.name) if m.type in ORG_TYPES else fold(m.name))
        if nk in by_name:
            cl.union(by_name[nk], i, f"same name '{m.name}'")
        else:
            by_name[nk] = i
    _short_forms(mentions, keys, cl)
    candidates = _people(mentions, keys, cl)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        groups[cl.find(i)].append(i)
    entities, entity_of, used = [], {}, set()
    for root in sorted(groups, key=lambda r: (mentions[r].doc_id, mentions[r].span.start)):
        idx = groups[root]
        ms = [mentions[i] for i in idx]
        key = next((keys[i] for i in idx if keys[i]), "")
        known = ref.entities.get(key)
        name = known.name if known else max((m.name for m in ms), key=lambda n: (len(n), n))
        etype = known.type if known else ms[0].type
        eid = key or slug(name)
        if eid in used:
            eid = f"{eid}-{slug(etype)}"
        used.add(eid)
        aliases = tuple(sorted({m.span.text.strip() for m in ms} | ({name} if known else set())))
        country = known.country if known else next((m.country for m in ms if m.country), "")
        entities.append(
            Entity(
                eid,
                etype,
                name,
                aliases,
                tuple(ms),
                tuple(dict.fromkeys(cl.reasons.get(root, []))),
                country,
            )
        )
        for m in ms:
            entity_of[(m.doc_id, m.span.start, m.span.end)] = eid
    entities.sort(key=lambda e: e.entity_id)
    incident_ids = _incident_ids([i for x in extractions for i in x.incidents], entity_of)
    return Resolution(tuple(entities), entity_of, incident_ids, tuple(candidates))


def _people(mentions: list[Mention], keys: list[str], cl: _Clusters) -> list[Candidate]:
    """Merge person mentions by surname and given-name agreement (blocked on folded surname)."""
    people = [i for i, m in enumerate(mentions) if m.type == "Person" and not keys[i]]
    blocks: dict[str, list[int]] = defaultdict(list)
    for i in people:
        blocks[_person_parts(mentions[i].name)[1][:3]].append(i)
    candidates = []
    for block in blocks.values():
        full = [i for i in block if _person_parts(mentions[i].name)[0]]
        for pos, i in enumerate(block):
            gi, si = _person_parts(mentions[i].name)
            for j in block[pos + 1 :]:
                gj, sj = _person_parts(mentions[j].name)
                sim = 1.0 if si == sj else JaroWinkler.similarity(si, sj)
                if sim < SURNAME_JW:
                    continue
                if not gi or not gj:
                    # A lone surname joins a full name only when exactly one full name fits.
                    fits = {_person_parts(mentions[k].name) for k in full}
                    fits = {f for f in fits if f[1] == (si or sj)}
                    if len(fits) <= 1:
                        cl.union(i, j, f"surname '{mentions[j].name}' of '{mentions[i].name}'")
                    continue
                if _given_agree(gi, gj):
                    reason = (
                        "same name"
                        if (gi, si) == (gj, sj)
                        else (
                            f"transliteration '{mentions[i].name}' ~ '{mentions[j].name}' "
                            f"(surname Jaro-Winkler {sim:.2f})"
                        )
                    )
                    cl.union(i, j, reason)
                else:
                    candidates.append(
                        Candidate(
                            mentions[i].name,
                            mentions[j].name,
                            round(sim, 3),
                            "shared surname, different given names",
                        )
                    )
    return sorted(set(candidates), key=lambda c: (c.left, c.right))


def _targets(inc: Incident, entity_of: dict[tuple[str, int, int], str]) -> tuple[str, ...]:
    return tuple(
        sorted(
            entity_of.get((t.doc_id, t.span.start, t.span.end), t.name)
            for t in inc.targets
            if t.type != "Place"
        )
    )


def _incident_ids(
    incidents: list[Incident], entity_of: dict[tuple[str, int, int], str]
) -> dict[tuple, str]:
    """Same type, same named targets and the same year: one happening, whoever reports it.

    An undated report joins the dated ones when they all agree on one year (the letter dates
    the arrest, the press release does not); with several years it stays apart. Reports with no
    named target are their own incident. The id hashes (type, target ids, year).
    """
    groups: dict[tuple, list[Incident]] = defaultdict(list)
    for inc in incidents:
        targets = _targets(inc, entity_of)
        if targets:
            groups[(inc.type, targets)].append(inc)
    ids: dict[tuple, str] = {}
    for (itype, targets), members in groups.items():
        years = sorted({str(i.date.earliest.year) for i in members if i.date})
        only = years[0] if len(years) == 1 else "?"
        for inc in members:
            year = str(inc.date.earliest.year) if inc.date else only
            ids[inc.key] = _hash(itype, *targets, year)
    for inc in incidents:
        if inc.key not in ids:
            ids[inc.key] = _hash(inc.type, inc.doc_id, str(inc.trigger.start), str(inc.trigger.end))
    return ids


def _hash(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
