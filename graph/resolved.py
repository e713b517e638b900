"""A build's resolution kept in the cache, so a rebuild re-resolves only what its changes touch.

Resolution is a function of every mention, but it falls apart into pieces that do not
interact: an entity's cluster (every mention of its keys and names, and the short forms that
joined them) and, for people without a key, their surname block (whose names are compared
with each other). A piece's entity, reasons and near misses depend on its own mentions only,
in their order. So the last build's pieces are kept (:class:`Kept`: per document its entry's
key, each mention's cluster and reason; per cluster its entity before its id is made
unique; which cluster each key or name and each surname block is in), and a rebuild
re-clusters only the pieces its changed, new or removed documents had or now name, with
every mention of those pieces in other documents; the rest is taken as it was. Entity ids,
which must be unique among all, incident ids and the per-mention lists are then made for the
whole build as a full resolution makes them, so the result is the same either way (the
tests compare them).

Without a cache, or when many documents changed, the full resolution runs and its pieces are
kept for the next build. Judgements apply to this base afterwards (same and not-same links
resolve again in full, see :func:`labourgraph.curation.curate`).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from itertools import islice

from .cache import RESOLUTION_KIND, Cache, pipeline_version
from .model import Extraction
from .reference import Reference
from .resolve import (
    Cluster,
    Detailed,
    Group,
    MentionKey,
    Parts,
    acronyms,
    assemble,
    cluster,
    describe,
    doc_ranges,
    group_of,
    person_block,
    reasons_of,
    resolve_parts,
    target_refs,
)

ENTRY = "last"  # the one entry of its cache folder
# Beyond this share of the documents changed, or of the mentions to cluster again,
# resolving in full is as quick.
_AGAIN_UP_TO = 0.1
_PICKED_UP_TO = 0.5


@dataclass
class Kept:
    """A build's resolution in pieces (see the module's docstring)."""

    version: str  # the pipeline's: another version's pieces are not used
    # doc id -> (entry key, each mention's cluster and reason, each incident's targets as
    # positions among the document's mentions, see labourgraph.resolve.target_refs)
    docs: dict[str, tuple[str, list[int], list[str], list | None]]
    clusters: list[Cluster | None]  # by number (None: a cluster gone since)
    groups: dict[Group, int]  # key or (type, folded name) -> its cluster
    blocks: dict[str, tuple[list[int], list]]  # surname block -> its clusters, its near misses


class Resolver:
    """Resolves a build's extractions from the last build's pieces in ``cache`` (``keys``:
    each document's cache entry key), and saves this build's pieces for the next."""

    def __init__(self, cache: Cache, keys: dict[str, str]) -> None:
        self.cache = cache
        self.keys = keys
        self.kept: Kept | None = None

    def __call__(self, extractions: list[Extraction], ref: Reference) -> Detailed:
        last = self.cache.get(ENTRY, RESOLUTION_KIND)
        if not isinstance(last, Kept) or last.version != pipeline_version():
            last = None  # none, another version's or not pieces at all
        detailed, self.kept = resolve_kept(extractions, ref, self.keys, last)
        return detailed

    def save(self) -> None:
        """Keep this build's pieces (written whole or not at all)."""
        if self.kept is not None:
            self.cache.put(ENTRY, self.kept, RESOLUTION_KIND)


def resolve_kept(
    extractions: list[Extraction], ref: Reference, keys: dict[str, str], last: Kept | None
) -> tuple[Detailed, Kept | None]:
    """The resolution of ``extractions`` (in document order; ``keys``: their cache entries'
    keys), begun from ``last`` when it has most of it; and its pieces for the next build."""
    if last is not None:
        again = _again(extractions, ref, keys, last)
        if again is not None:
            return again
    detailed, parts = resolve_parts(extractions, ref)
    return detailed, _kept(extractions, keys, parts) if parts is not None else None


def _kept(extractions: list[Extraction], keys: dict[str, str], parts: Parts) -> Kept:
    docs = {}
    start = 0
    for x in extractions:
        end = start + len(x.mentions)
        doc_id = x.document.doc_id
        docs[doc_id] = (
            keys.get(doc_id, ""),
            parts.cluster_of[start:end],
            parts.reasons[start:end],
            target_refs(x),
        )
        start = end
    return Kept(pipeline_version(), docs, list(parts.clusters), parts.groups, parts.blocks)


def _again(
    extractions: list[Extraction], ref: Reference, keys: dict[str, str], last: Kept
) -> tuple[Detailed, Kept] | None:
    """Re-resolve the pieces the changes touch (None: too many changed to be worth it)."""
    docs = last.docs
    changed = {
        doc_id
        for x in extractions
        if not keys.get(doc_id := x.document.doc_id) or docs.get(doc_id, ("",))[0] != keys[doc_id]
    }
    by_id = {x.document.doc_id: x for x in extractions}
    removed = [d for d in docs if d not in by_id]
    if len(changed) + len(removed) > _AGAIN_UP_TO * max(len(docs), len(by_id)):
        return None
    refs = {d: docs[d][3] if d not in changed else target_refs(x) for d, x in by_id.items()}
    if any(r is None for r in refs.values()):
        return None  # a target of another document's: looked up by span in full
    ranges = doc_ranges(extractions)
    mentions = [m for x in extractions for m in x.mentions]
    # Unchanged documents' mentions were in order when kept: the changed ones' are checked.
    if ranges is None or not _in_order(extractions, changed):
        return None
    dirty = _touched(extractions, ref, last, changed, removed)
    # Every mention of the touched pieces, in order: the changed documents' all, the others'
    # in those pieces (found by their clusters' numbers, without a look at the mentions).
    picked: list[int] = []  # positions in ``mentions``
    for x in extractions:
        doc_id = x.document.doc_id
        first, end = ranges[doc_id]
        if doc_id in changed:
            picked += range(first, end)
        elif not dirty.isdisjoint(of := docs[doc_id][1]):
            picked += [first + p for p, n in enumerate(of) if n in dirty]
    if len(picked) > _PICKED_UP_TO * len(mentions):
        return None
    sub = list(map(mentions.__getitem__, picked))
    found = cluster(sub, ref)
    roots = found.cl.roots()
    members: dict[int, list[int]] = {}
    for i, root in enumerate(roots):
        members.setdefault(root, []).append(i)
    clusters = list(last.clusters)
    for n in dirty:
        clusters[n] = None
    number: dict[int, int] = {}
    sub_keys: list[MentionKey] = [(m.doc_id, m.span.start, m.span.end) for m in sub]
    for root, idx in members.items():
        number[root] = len(clusters)
        clusters.append(describe(idx, sub, sub_keys, found))
    # Each document's lists: the last build's, with the re-clustered mentions' entries new.
    cluster_of: list[int] = []
    reasons: list[str] = []
    for x in extractions:
        doc_id = x.document.doc_id
        if doc_id in changed:
            cluster_of += [0] * len(x.mentions)
            reasons += [""] * len(x.mentions)
        else:
            cluster_of += docs[doc_id][1]
            reasons += docs[doc_id][2]
    for i, root, reason in zip(picked, roots, reasons_of(sub, found.cl), strict=True):
        cluster_of[i] = number[root]
        reasons[i] = reason
    groups = {g: n for g, n in last.groups.items() if n not in dirty}
    groups.update({g: number[roots[i]] for g, i in found.groups.items()})
    gone = {c.block for n in dirty if (c := last.clusters[n]) is not None and c.block}
    blocks = {b: v for b, v in last.blocks.items() if b not in gone}
    for b, (idx, near) in found.blocks.items():
        blocks[b] = (sorted({number[roots[i]] for i in idx}), near)
    if 4 * sum(c is None for c in clusters) > len(clusters):
        clusters, cluster_of, groups, blocks = _compacted(clusters, cluster_of, groups, blocks)
    candidates = [c for _, near in blocks.values() for c in near]
    targets = [
        tuple(first + t if isinstance(t, int) else t for t in ts)
        for d, (first, _end) in ranges.items()
        for ts in refs[d] or ()
    ]
    detailed = assemble(
        extractions, mentions, None, ranges, clusters, cluster_of, reasons, candidates, targets
    )
    new_docs = {}
    for doc_id, (first, end) in ranges.items():
        new_docs[doc_id] = (
            keys.get(doc_id, ""),
            cluster_of[first:end],
            reasons[first:end],
            refs[doc_id],
        )
    return detailed, Kept(last.version, new_docs, clusters, groups, blocks)


def _in_order(extractions: list[Extraction], changed: set[str]) -> bool:
    """Whether the documents come in order of their ids, and each changed one's mentions are
    its own, in order of their spans (what a full resolution checks of every mention)."""
    ids = [x.document.doc_id for x in extractions]
    if not all(map(operator.lt, ids, islice(ids, 1, None))):
        return False
    for x in extractions:
        doc_id = x.document.doc_id
        if doc_id in changed:
            if any(m.doc_id != doc_id for m in x.mentions):
                return False
            spans = [(m.span.start, m.span.end) for m in x.mentions]
            if not all(map(operator.le, spans, islice(spans, 1, None))):
                return False
    return True


def _touched(
    extractions: list[Extraction],
    ref: Reference,
    last: Kept,
    changed: set[str],
    removed: list[str],
) -> set[int]:
    """The clusters a change touches: those the changed and removed documents' mentions were
    in, those their keys and names are in now, and every cluster of the surname blocks of
    those and of their people."""
    dirty: set[int] = set()
    for doc_id in [*changed, *removed]:
        if doc_id in last.docs:
            dirty.update(last.docs[doc_id][1])
    blocks: set[str] = set()
    known = acronyms(ref)
    for x in extractions:
        if x.document.doc_id in changed:
            for m in x.mentions:
                group = group_of(m, ref, known)
                if group is None:
                    blocks.add(person_block(m.name))
                elif (n := last.groups.get(group)) is not None:
                    dirty.add(n)
    blocks.update(c.block for n in dirty if (c := last.clusters[n]) is not None and c.block)
    for b in blocks:
        if b in last.blocks:
            dirty.update(last.blocks[b][0])
    return dirty


def _compacted(
    clusters: list[Cluster | None],
    cluster_of: list[int],
    groups: dict[Group, int],
    blocks: dict[str, tuple[list[int], list]],
) -> tuple[list[Cluster | None], list[int], dict[Group, int], dict[str, tuple[list[int], list]]]:
    """The same pieces with the gone clusters' numbers taken out."""
    alive = [n for n, c in enumerate(clusters) if c is not None]
    renumber = {n: i for i, n in enumerate(alive)}
    return (
        [clusters[n] for n in alive],
        list(map(renumber.__getitem__, cluster_of)),
        {g: renumber[n] for g, n in groups.items()},
        {b: ([renumber[n] for n in ns], near) for b, (ns, near) in blocks.items()},
    )
