"""Resolution stage: one entity per real-world thing across documents, one id per happening.

Identity rules, in order (each merge records its reason):
1. a curated or rule-made key (``cntuk``, ``kazakhstan-government``): same key, same entity;
2. an organisation name ending in a curated acronym of the same type ("... of Kazakhstan KNPRK");
3. the same type and folded name (case, accents, punctuation and transliteration folded);
4. people: the same folded surname (or Jaro-Winkler >= 0.93 on transliterated surnames) and
   agreeing given names (equal, or one an initial of the other). A surname alone joins the one
   full name it fits; two people who share a surname but not a given name stay apart and are kept
   as a review candidate. Places never merge with people (types must agree).

Human judgements (:mod:`labourgraph.curation`) come in as :class:`Link` s between sets of mentions:
a ``same`` link unites them first, with the judgement as the reason; a ``not_same`` link forbids any
union that would put a mention of one side in a cluster with a mention of the other, whatever rule
asks for it. When such a split leaves two clusters with one key, the first keeps the key and the
curated name; the others are named by their own mentions.

Entity ids are the key, else a slug of the canonical name, made unique in the order of the
entities' first mentions (:func:`unique_ids`); incident ids hash the type, the sorted target ids
and the year (see :func:`_incident_ids`), so the same arrest in two documents is one node.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import operator
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import regex as re
from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

from .model import ORG_TYPES, Candidate, Entity, Extraction, Incident, Mention, Resolution
from .reference import Reference, load_reference

SURNAME_JW = 0.93


_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
_TRANSLIT = (
    (re.compile(r"^ye"), "e"),  # Yeleusinov / Eleusinov
    (re.compile(r"(?<=[aeiou])y(?=e)"), ""),  # -yev / -ev after a vowel
    (re.compile(r"yev$"), "ev"),
)


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case, accents, punctuation and common transliteration variants folded away."""
    t = _NOT_ALNUM.sub(" ", anyascii(text).lower())
    words = []
    for w in t.split():
        for pattern, repl in _TRANSLIT:
            w = pattern.sub(repl, w)
        w = w.replace("kh", "h").replace("dzh", "zh").replace("iy", "i").replace("yy", "y")
        words.append(w)
    return " ".join(words)


_SLUG_GAPS = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    return _SLUG_GAPS.sub("-", anyascii(text).lower()).strip("-") or "x"


MentionKey = tuple[str, int, int]  # (doc_id, start, end) of a mention's span


@dataclass(frozen=True)
class Link:
    """A judged link between the mentions on two sides (``same`` or ``not_same``)."""

    left: frozenset[MentionKey]
    right: frozenset[MentionKey]
    reason: str


@dataclass(frozen=True)
class Aligned:
    """The entity and reason of every mention in the order of the documents given, and
    where each document's mentions lie: a document's part of the resolution read as a
    slice, without a lookup per mention (see :func:`labourgraph.dataset.make_blocks`)."""

    entities: list[str]
    reasons: list[str]  # "" for a mention that joined nothing
    ranges: dict[str, tuple[int, int]]  # doc id -> (first, end) in the lists


@dataclass(frozen=True)
class Detailed:
    """A :class:`Resolution` with, per mention, why it joined its entity (for ``explain``)."""

    resolution: Resolution
    mention_reasons: Mapping[MentionKey, str] = field(default_factory=dict)
    blocked: tuple[str, ...] = ()  # merges a not-same judgement refused, one line each
    aligned: Aligned | None = None  # None when the mentions came out of document order


class _Clusters:
    """Union-find over mention indices, with the reason of each union and cannot-link tags."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.reasons: dict[int, list[str]] = defaultdict(list)
        # root -> {(link number, side)}: a root may not join one holding the other side.
        self.tags: dict[int, set[tuple[int, int]]] = defaultdict(set)
        # (a, b, reason, whether to name b as a's partner and a as b's): a key's or name's
        # mentions join its group, named by the group alone (see reasons_of).
        self.edges: list[tuple[int, int, str, bool]] = []
        self.refused: dict[tuple[int, int], str] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def tag(self, i: int, link: int, side: int) -> None:
        self.tags[self.find(i)].add((link, side))

    def blocked(self, a: int, b: int) -> bool:
        """Whether a not-same judgement forbids putting ``a`` and ``b`` in one cluster."""
        if not self.tags:  # no not-same judgement: the common case, kept cheap
            return False
        ta, tb = self.tags.get(self.find(a), set()), self.tags.get(self.find(b), set())
        return any((link, 1 - side) in tb for link, side in ta)

    def union(self, a: int, b: int, reason: str, partnered: bool = True) -> bool:
        """Unite the clusters of ``a`` and ``b``; False when a judgement forbids it.
        ``partnered``: each is the other's partner in its reason (not for a group's join)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.blocked(ra, rb):
            self.refused.setdefault((min(a, b), max(a, b)), reason)
            return False
        lo, hi = (ra, rb) if ra < rb else (rb, ra)
        self.parent[hi] = lo
        self.reasons[lo].extend(self.reasons.pop(hi, []))
        self.reasons[lo].append(reason)
        if hi in self.tags:
            self.tags[lo] |= self.tags.pop(hi)
        self.edges.append((a, b, reason, partnered))
        return True

    def join_any(self, reps: list[int], i: int, reason: str) -> None:
        """Unite ``i`` with the first of ``reps`` it may join, else make it a new one."""
        if reps and not self.tags:  # no not-same judgement: the first one takes it
            self.union(reps[0], i, reason, partnered=False)
        elif not any(self.union(r, i, reason, partnered=False) for r in reps):
            reps.append(i)

    def join_all(self, members: list[int], reasons: list[str]) -> None:
        """Unite ``members`` (in index order, each still alone) with the first of them, each
        of the others for its reason: what :meth:`union` with each in turn does, at once."""
        first, rest = members[0], members[1:]
        parent = self.parent
        for i in rest:
            parent[i] = first
        self.reasons[first] += reasons
        self.edges += zip([first] * len(rest), rest, reasons, [False] * len(rest), strict=True)

    def roots(self) -> list[int]:
        """The root of every index (a union keeps the lower root, so parents come first)."""
        root = self.parent[:]
        for i, p in enumerate(root):
            if p != i:
                root[i] = root[p]
        return root


def _acronym_key(m: Mention, ref: Reference, acronyms: dict[tuple[str, str], str]) -> str:
    last = m.span.text.split()[-1].strip("()") if m.span.text.split() else ""
    return acronyms.get((m.type, last), "")


def _grouped(
    m: Mention, ref: Reference, acronyms: dict[tuple[str, str], str]
) -> tuple[str, str | tuple[str, str] | None, str]:
    """A mention's key (its own, or the acronym its name ends in), the key or (type, folded
    name) it is grouped by (None for a person without a key), and why it joins that group."""
    key = m.key or _acronym_key(m, ref, acronyms)
    if key:
        return key, key, f"same reference id {key}"
    if m.type == "Person":
        return key, None, ""
    folded = _org_fold(m.name) if m.type in ORG_TYPES else fold(m.name)
    return key, (m.type, folded), f"same name '{m.name}'"


def _person_parts(name: str) -> tuple[str, str]:
    words = fold(name).split()
    return (" ".join(words[:-1]), words[-1]) if words else ("", "")


def _given_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b or JaroWinkler.similarity(a, b) >= 0.9


_TRADE_UNION = re.compile(r"\btrade (union|unions)\b")
_LINKING_WORD = re.compile(r" (?:for|of|in|on) ")


@functools.lru_cache(maxsize=1 << 16)
def _org_fold(name: str) -> str:
    """ "health workers trade union" = "health workers union": "trade" adds nothing before "union"."""
    return _TRADE_UNION.sub(r"\1", fold(name))


def _short_forms(mentions: list[Mention], keys: list[str], cl: _Clusters) -> None:
    """ "Human Rights Alliance" after "Human Rights Alliance for Fundamental Rights" in one document."""
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.type in ORG_TYPES and not keys[i]:
            by_doc[m.doc_id].append(i)
    for idx in by_doc.values():
        names = [_org_fold(mentions[i].name) for i in idx]
        # Only a name with a linking word in it can be a long form: most documents have none.
        longs = [(j, n) for j, n in zip(idx, names, strict=True) if _LINKING_WORD.search(n)]
        if not longs:
            continue
        # The long form a short one joins depends on its name and type only: looked up once
        # per name, not once per mention.
        long_form: dict[tuple[str, str], int | None] = {}
        for i, short in zip(idx, names, strict=True):
            if " " not in short:  # one word (folded names have single spaces)
                continue
            etype = mentions[i].type
            if (short, etype) not in long_form:
                long_form[short, etype] = next(
                    (
                        j
                        for j, name in longs
                        if name.startswith(short)
                        and mentions[j].type == etype
                        and _LINKING_WORD.match(name, len(short))
                    ),
                    None,
                )
            j = long_form[short, etype]
            if j is not None:
                cl.union(j, i, f"short form of '{mentions[j].name}' in the same document")


def resolve(extractions: list[Extraction], ref: Reference | None = None) -> Resolution:
    """Cluster every mention of every document into entities; give incidents stable ids."""
    return resolve_detailed(extractions, ref).resolution


def _apply_links(
    mkeys: list[MentionKey], cl: _Clusters, same: Sequence[Link], not_same: Sequence[Link]
) -> None:
    """Tag the sides of not-same links, then unite the sides of same links (judgements first)."""
    index = {k: i for i, k in enumerate(mkeys)}
    for n, link in enumerate(not_same):
        for side, keys in enumerate((link.left, link.right)):
            for k in sorted(keys):
                if k in index:
                    cl.tag(index[k], n, side)
    for link in same:
        idx = [index[k] for k in sorted(link.left | link.right) if k in index]
        for i in idx[1:]:
            cl.union(idx[0], i, link.reason)


Group = str | tuple[str, str]  # a key, or (type, folded name): what mentions are joined by


@dataclass(frozen=True)
class Cluster:
    """One entity as its own mentions make it, before its id is made unique among all."""

    first: MentionKey  # its first mention: ids are given in this order
    base: str  # its id, unless an entity given one before it took it
    type: str
    name: str
    aliases: tuple[str, ...]
    reasons: tuple[str, ...]
    country: str
    block: str = ""  # the surname block of a person without a key, else ""


@dataclass
class Clustered:
    """What clustering made of mentions in (document, start) order."""

    cl: _Clusters
    keys: list[str]  # per mention, its key ("" for none)
    groups: dict[Group, int]  # each key's or name's group -> its first mention
    blocks: dict[str, tuple[list[int], list[Candidate]]]  # surname block -> mentions, near misses
    ref: Reference  # the reference data the mentions were clustered with


@dataclass
class Parts:
    """A resolution as clusters: what a later build re-resolves in part (see
    :mod:`labourgraph.resolved`)."""

    clusters: list[Cluster]  # in the order of their first mentions
    cluster_of: list[int]  # per mention, its cluster's number
    reasons: list[str]  # per mention, why it joined its entity ("" for nothing)
    groups: dict[Group, int]  # group -> cluster number
    blocks: dict[str, tuple[list[int], list[Candidate]]]  # block -> cluster numbers, near misses


def cluster(
    mentions: list[Mention],
    ref: Reference,
    same: Sequence[Link] = (),
    not_same: Sequence[Link] = (),
    mkeys: list[MentionKey] | None = None,
) -> Clustered:
    """Join ``mentions`` (sorted by document and start) by the identity rules."""
    cl = _Clusters(len(mentions))
    if same or not_same:
        assert mkeys is not None
        _apply_links(mkeys, cl, same, not_same)
    known = acronyms(ref)
    keys: list[str] = []
    # Mentions repeat a few names many times: what one written the same way says (its key,
    # the key or name it is grouped by, why it joins) is worked out once.
    said: dict[tuple[str, str, str, str], tuple[str, Group | None, str]] = {}
    judged = bool(same or not_same)
    # Several representatives per key or name: a not-same judgement may split one.
    reps: dict[Group, list[int]] = defaultdict(list)
    # Without judgements, each key's or name's mentions (and why each joins) are gathered in
    # order and joined to the first of them at once (:meth:`_Clusters.join_all`).
    members: dict[Group, tuple[list[int], list[str]]] = {}
    for i, m in enumerate(mentions):
        surface = (m.key, m.type, m.span.text, m.name)
        hit = said.get(surface)
        if hit is None:
            hit = said[surface] = _grouped(m, ref, known)
        key, group, reason = hit
        keys.append(key)
        if group is None:  # a person without a key: see _people
            continue
        if judged:
            cl.join_any(reps[group], i, reason)
        elif group in members:
            idx, why = members[group]
            idx.append(i)
            why.append(reason)
        else:
            members[group] = ([i], [])
    for idx, why in members.values():
        if why:
            cl.join_all(idx, why)
    _short_forms(mentions, keys, cl)
    blocks = _people(mentions, keys, cl)
    firsts = (
        {g: r[0] for g, r in reps.items()} if judged else {g: v[0][0] for g, v in members.items()}
    )
    return Clustered(cl, keys, firsts, blocks, ref)


def acronyms(ref: Reference) -> dict[tuple[str, str], str]:
    """(type, acronym) -> key of the reference's entities (a name ending in one has its key)."""
    return {(e.type, a): e.id for e in ref.entities.values() for a in e.aliases if a.isupper()}


def group_of(m: Mention, ref: Reference, known: dict[tuple[str, str], str]) -> Group | None:
    """The key or name ``m`` is grouped by (None for a person without a key); ``known``:
    :func:`acronyms` of ``ref``."""
    return _grouped(m, ref, known)[1]


def describe(
    idx: list[int],
    mentions: list[Mention],
    mkeys: list[MentionKey],
    found: Clustered,
    first_named: set[MentionKey] | frozenset[MentionKey] = frozenset(),
    keyed: set[str] | None = None,
) -> Cluster:
    """The entity the mentions ``idx`` (a cluster, in order) make.

    ``first_named``: mentions a same judgement names first (they name the entity);
    ``keyed``: the keys given to clusters before this one (a judgement may split a key's).
    """
    keys, root = found.keys, idx[0]
    ms = list(map(mentions.__getitem__, idx))
    key = next((keys[i] for i in idx if keys[i]), "")
    known = found.ref.entities.get(key)
    etype = known.type if known else ms[0].type
    country = known.country if known else next((m.country for m in ms if m.country), "")
    named = [mentions[i].name for i in idx if mkeys[i] in first_named] if first_named else []
    if key and keyed is not None and key in keyed:  # split off by a judgement
        known, key = None, ""
        name = max((m.span.text.strip() for m in ms), key=lambda n: (len(n), n))
    elif named and not known:  # "same: [A, B]": A names the merged entity
        name = max(named, key=lambda n: (len(n), n))
    else:
        name = known.name if known else max({m.name for m in ms}, key=lambda n: (len(n), n))
    if key and keyed is not None:
        keyed.add(key)
    # "the court", "the union" point to an entity but are no names of it.
    written = {t.strip() for t in {m.span.text for m in ms if m.rule != "reference"}}
    aliases = tuple(sorted(written | ({name} if known else set())))
    block = person_block(ms[0].name) if etype == "Person" and not key else ""
    return Cluster(
        mkeys[root],
        key or slug(name),
        etype,
        name,
        aliases,
        tuple(dict.fromkeys(found.cl.reasons.get(root, []))),
        country,
        block,
    )


def unique_ids(clusters: Sequence[Cluster | None]) -> list[str]:
    """Each cluster's entity id ("" for a gone one): its base; when a cluster whose first
    mention comes earlier has taken that, its base and type; then those and 2, 3..."""
    order = sorted((c.first, n) for n, c in enumerate(clusters) if c is not None)
    used: set[str] = set()
    out = [""] * len(clusters)
    for _first, n in order:
        c = clusters[n]
        assert c is not None
        eid = c.base
        if eid in used:
            # Judgements can split one name's mentions into three entities or more.
            typed = eid = f"{c.base}-{slug(c.type)}"
            more = 2
            while eid in used:
                eid, more = f"{typed}-{more}", more + 1
        used.add(eid)
        out[n] = eid
    return out


def resolve_detailed(
    extractions: list[Extraction],
    ref: Reference | None = None,
    *,
    same: Sequence[Link] = (),
    not_same: Sequence[Link] = (),
) -> Detailed:
    """:func:`resolve` under judged links, also saying why each mention joined its entity."""
    return resolve_parts(extractions, ref, same=same, not_same=not_same)[0]


def resolve_parts(
    extractions: list[Extraction],
    ref: Reference | None = None,
    *,
    same: Sequence[Link] = (),
    not_same: Sequence[Link] = (),
) -> tuple[Detailed, Parts | None]:
    """:func:`resolve_detailed`, and its clusters when the mentions came in document order."""
    ref = ref or load_reference()
    mentions = [m for x in extractions for m in x.mentions]
    mkeys: list[MentionKey] = [(m.doc_id, m.span.start, m.span.end) for m in mentions]
    # A build's documents come sorted and each one's mentions in order: sorted only if not.
    ranges: dict[str, tuple[int, int]] | None = doc_ranges(extractions)
    if not all(map(operator.le, mkeys, itertools.islice(mkeys, 1, None))):
        ranges = None
        order = sorted(range(len(mentions)), key=mkeys.__getitem__)  # stable
        mentions = [mentions[i] for i in order]
        mkeys = [mkeys[i] for i in order]
    found = cluster(mentions, ref, same, not_same, mkeys)
    cl = found.cl
    groups: dict[int, list[int]] = {}
    roots = cl.roots()
    for i, root in enumerate(roots):
        if root == i:
            groups[i] = [i]
        else:
            groups[root].append(i)
    first_named = {k for link in same for k in link.left}
    keyed: set[str] = set()
    # A cluster's root is its first mention (unions keep the lower index), and mentions are
    # sorted by (document, start): roots in index order are in the order of their mentions.
    number = {root: n for n, root in enumerate(sorted(groups))}
    clusters = [describe(groups[r], mentions, mkeys, found, first_named, keyed) for r in number]
    cluster_of = list(map(number.__getitem__, roots))
    reasons = reasons_of(mentions, cl)
    candidates = [c for _, near in found.blocks.values() for c in near]
    detailed = assemble(
        extractions, mentions, mkeys, ranges, clusters, cluster_of, reasons, candidates
    )
    detailed = dataclasses.replace(detailed, blocked=_refused(mentions, cl))
    if ranges is None:
        return detailed, None
    parts = Parts(
        clusters,
        cluster_of,
        reasons,
        {g: cluster_of[i] for g, i in found.groups.items()},
        {
            b: (sorted({cluster_of[i] for i in idx}), near)
            for b, (idx, near) in found.blocks.items()
        },
    )
    return detailed, parts


class ByMention(Mapping[MentionKey, str]):
    """A value per mention, from a list in document order (see :class:`Aligned`): a
    document's part is made into a dict when first looked up in, the whole only when
    iterated (a rebuild looks up the mentions of the few documents it writes)."""

    def __init__(
        self,
        extractions: list[Extraction],
        ranges: dict[str, tuple[int, int]],
        values: list[str],
        empty: bool = True,
    ) -> None:
        self._of = {x.document.doc_id: x for x in extractions}
        self._ranges, self._values, self._empty = ranges, values, empty  # empty: kept too
        self._docs: dict[str, dict[tuple[int, int], str]] = {}
        self._whole: dict[MentionKey, str] | None = None

    def _doc(self, doc_id: str) -> dict[tuple[int, int], str]:
        part = self._docs.get(doc_id)
        if part is None:
            x, part = self._of.get(doc_id), {}
            if x is not None:
                values = self._values[slice(*self._ranges[doc_id])]
                for m, value in zip(x.mentions, values, strict=True):
                    if value or self._empty:
                        part[(m.span.start, m.span.end)] = value
            self._docs[doc_id] = part
        return part

    def __getitem__(self, key: MentionKey) -> str:
        return self._doc(key[0])[key[1:]]

    def _all(self) -> dict[MentionKey, str]:
        if self._whole is None:
            self._whole = {
                (doc_id, *span): value
                for doc_id in self._ranges
                for span, value in self._doc(doc_id).items()
            }
        return self._whole

    def __iter__(self) -> Iterator[MentionKey]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def assemble(
    extractions: list[Extraction],
    mentions: list[Mention],
    mkeys: list[MentionKey] | None,
    ranges: dict[str, tuple[int, int]] | None,
    clusters: Sequence[Cluster | None],
    cluster_of: list[int],
    reasons: list[str],
    candidates: list[Candidate],
    targets: list[tuple[int | str, ...]] | None = None,
) -> Detailed:
    """The resolution of ``mentions`` (in order) made of their clusters and reasons.

    ``targets``: per incident (in order), its targets but places as the index of their
    mention (or their name when none is theirs): looked up by span when not given. Without
    ``mkeys`` (the mentions' keys), what is per mention is looked up per document
    (:class:`ByMention`)."""
    ids = unique_ids(clusters)
    members: list[list[Mention]] = [[] for _ in clusters]
    for n, m in zip(cluster_of, mentions, strict=True):
        members[n].append(m)
    entities = [
        Entity(ids[n], c.type, c.name, c.aliases, tuple(members[n]), c.reasons, c.country)
        for n, c in enumerate(clusters)
        if c is not None
    ]
    entities.sort(key=lambda e: e.entity_id)
    eids = list(map(ids.__getitem__, cluster_of))
    entity_of: Mapping[MentionKey, str]
    mention_reasons: Mapping[MentionKey, str]
    if mkeys is None:
        assert ranges is not None and targets is not None
        entity_of = ByMention(extractions, ranges, eids)
        mention_reasons = ByMention(extractions, ranges, reasons, empty=False)
    else:
        entity_of = dict(zip(mkeys, eids, strict=True))
        mention_reasons = {k: r for k, r in zip(mkeys, reasons, strict=True) if r}
    incidents = [i for x in extractions for i in x.incidents]
    if targets is None:
        incident_of = _incident_ids(incidents, entity_of)
    else:
        named = [tuple(sorted(eids[t] if t.__class__ is int else t for t in ts)) for ts in targets]
        incident_of = incident_ids(incidents, named)
    near = tuple(sorted(candidates, key=lambda c: (c.left, c.right)))
    resolution = Resolution(tuple(entities), entity_of, incident_of, near)
    aligned = Aligned(eids, reasons, ranges) if ranges is not None else None
    return Detailed(resolution, mention_reasons, (), aligned)


def target_refs(x: Extraction) -> list[tuple[int | str, ...]] | None:
    """Per incident of ``x``, its targets but places as the position of their mention among
    ``x``'s (their name when none is theirs); None when one is of another document."""
    if not x.incidents:
        return []
    doc_id = x.document.doc_id
    at = {(m.span.start, m.span.end): p for p, m in enumerate(x.mentions)}
    refs = []
    for inc in x.incidents:
        if any(t.doc_id != doc_id for t in inc.targets):
            return None
        get = at.get
        refs.append(
            tuple(get((t.span.start, t.span.end), t.name) for t in inc.targets if t.type != "Place")
        )
    return refs


def doc_ranges(extractions: list[Extraction]) -> dict[str, tuple[int, int]] | None:
    """Where each document's mentions lie among all of them, in the order given (None if
    two extractions are of one document)."""
    ranges: dict[str, tuple[int, int]] = {}
    start = 0
    for x in extractions:
        end = start + len(x.mentions)
        ranges[x.document.doc_id] = (start, end)
        start = end
    return ranges if len(ranges) == len(extractions) else None


def _where(m: Mention) -> str:
    return f"'{m.span.text.strip()}' in {m.doc_id} at {m.span.start}"


def reasons_of(mentions: list[Mention], cl: _Clusters) -> list[str]:
    """Per mention, the first union that touched it: why, and with which mention when that
    says more than the reason ("" for none).

    A mention that joined its key's or name's group is not said to join the group's first
    mention: that would make every document naming an entity say where the first of all its
    mentions is, and an edit that adds an earlier one rewrite all their graphs.
    """
    # Per mention, the first edge that touched it: edges walked from the last, the earliest
    # written over the rest; -1 for no partner.
    first: list[tuple[int, str] | None] = [None] * len(mentions)  # -> (the other, reason)
    for a, b, reason, partnered in reversed(cl.edges):
        first[a] = (b if partnered else -1, reason)
        first[b] = (a if partnered else -1, reason)
    # Most mentions joined with the same partner, or none, for the same reason: each
    # (partner, reason) is written once and shared.
    said: dict[tuple[int, str], str] = {}
    for hit in first:
        if hit is not None and hit not in said:
            other, reason = hit
            said[hit] = reason if other < 0 else f"{reason} (with {_where(mentions[other])})"
    return [said[hit] if hit is not None else "" for hit in first]


def _refused(mentions: list[Mention], cl: _Clusters) -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                f"{_where(mentions[a])} and {_where(mentions[b])} not merged ({reason})"
                for (a, b), reason in cl.refused.items()
            }
        )
    )


def _pair(
    mentions: list[Mention],
    cl: _Clusters,
    i: int,
    j: int,
    pi: tuple[str, str],
    pj: tuple[str, str],
    full: Counter[str],
    candidates: list[Candidate],
) -> None:
    """Compare two person mentions: merge them, note a near miss, or leave them apart."""
    (gi, si), (gj, sj) = pi, pj
    sim = 1.0 if si == sj else JaroWinkler.similarity(si, sj)
    if sim < SURNAME_JW:
        return
    if not gi or not gj:
        # A lone surname joins a full name only when exactly one full name fits.
        if full[si or sj] <= 1:
            cl.union(i, j, f"surname '{mentions[j].name}' of '{mentions[i].name}'")
        return
    if cl.blocked(i, j):
        return  # judged not the same: neither merged nor a near miss
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
        left, right = sorted((mentions[i].name, mentions[j].name))
        reason = "shared surname, different given names"
        candidates.append(Candidate(left, right, round(sim, 3), reason))


def _people(
    mentions: list[Mention], keys: list[str], cl: _Clusters
) -> dict[str, tuple[list[int], list[Candidate]]]:
    """Merge person mentions by surname and given-name agreement (blocked on folded surname);
    per block, its mentions and near misses.

    Names are compared once per pair of distinct names, not per pair of mentions: a person
    named in a thousand documents costs one comparison with each other name of the block, so
    the work grows with the names, not with the square of the mentions. A block's outcome
    depends on its own mentions only (see :mod:`labourgraph.resolved`).
    """
    people = [i for i, m in enumerate(mentions) if m.type == "Person" and not keys[i]]
    parts: dict[str, tuple[str, str]] = {}
    blocks: dict[str, dict[str, list[int]]] = defaultdict(dict)  # prefix -> name -> mentions
    for i in people:
        name = mentions[i].name
        if name not in parts:
            parts[name] = _person_parts(name)
        blocks[parts[name][1][:3]].setdefault(name, []).append(i)
    found: dict[str, list[Candidate]] = {}
    for prefix, block in blocks.items():
        candidates: list[Candidate] = []
        names = list(block)  # in the order of their first mention
        full = Counter(s for g, s in {parts[n] for n in names} if g)  # full names per surname
        for pos, u in enumerate(names):
            first = block[u][0]
            for j in block[u][1:]:
                _pair(mentions, cl, first, j, parts[u], parts[u], full, candidates)
            for v in names[pos + 1 :]:
                _pair(mentions, cl, first, block[v][0], parts[u], parts[v], full, candidates)
        found[prefix] = candidates
    # A pair a judgement (or another rule) put in one entity is no near miss any more (a
    # name's mentions are all in its surname's block).
    out: dict[str, tuple[list[int], list[Candidate]]] = {}
    for prefix, block in blocks.items():
        roots = {name: {cl.find(i) for i in idx} for name, idx in block.items()}
        kept = {c for c in found[prefix] if not (roots[c.left] & roots[c.right])}
        out[prefix] = (
            [i for idx in block.values() for i in idx],
            sorted(kept, key=lambda c: (c.left, c.right)),
        )
    return out


def person_block(name: str) -> str:
    """The surname block a person's name is compared in."""
    return _person_parts(name)[1][:3]


def _incident_ids(
    incidents: list[Incident], entity_of: Mapping[tuple[str, int, int], str]
) -> dict[tuple, str]:
    """Same type, same named targets and the same year: one happening, whoever reports it.

    An undated report joins the dated ones when they all agree on one year (the letter dates
    the arrest, the press release does not); with several years it stays apart. Reports with no
    named target are their own incident. The id hashes (type, target ids, year).
    """
    get = entity_of.get
    targets = [
        tuple(
            sorted(
                get((t.doc_id, t.span.start, t.span.end), t.name)
                for t in inc.targets
                if t.type != "Place"
            )
        )
        for inc in incidents
    ]
    return incident_ids(incidents, targets)


def incident_ids(incidents: list[Incident], targets: list[tuple[str, ...]]) -> dict[tuple, str]:
    """The id of each of ``incidents`` (see :func:`_incident_ids`) given the sorted ids of
    each one's targets (a target that is no entity by its name)."""
    # Each report's year worked out once (a happening may have hundreds of reports).
    groups: dict[tuple, list[tuple[tuple, int | None]]] = defaultdict(list)
    alone: list[Incident] = []
    for inc, named in zip(incidents, targets, strict=True):
        if named:
            year = inc.date.earliest.year if inc.date else None
            groups[(inc.type, named)].append((inc.key, year))
        else:
            alone.append(inc)
    ids: dict[tuple, str] = {}
    for (itype, named), members in groups.items():
        years = {y for _, y in members if y is not None}
        only = str(years.pop()) if len(years) == 1 else "?"
        by_year: dict[int | None, str] = {}
        for key, y in members:
            if y not in by_year:
                by_year[y] = hash_id(itype, *named, only if y is None else str(y))
            ids[key] = by_year[y]
    for inc in alone:
        key = inc.key
        if key not in ids:
            ids[key] = hash_id(inc.type, inc.doc_id, str(inc.trigger.start), str(inc.trigger.end))
    return ids


def hash_id(*parts: str) -> str:
    """16 hex digits of the SHA-1 of the parts joined by |."""
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
