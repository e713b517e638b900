"""The dataset files of a build: ``graph.trig``, ``graphs.json`` and the store.

Each named graph is serialised on its own into a block: TriG under the project's prefixes,
its quads in the order of their canonical N-Quads lines (sorted, unique), whose hash is the
graph's digest. ``graph.trig`` is the blocks in a fixed order (ontology, entities,
judgements, then documents by id), so equal inputs give equal bytes. N-Quads are made from it
on demand (:func:`write_nquads`): the same quads in the same order, a file four times the size
that no build needs to write.

A document's block depends on its extraction and on the part of the resolution its facts use
(entity and incident ids, merge reasons, its text file, hand-added facts): with both unchanged
it is taken from the cache (:mod:`labourgraph.cache`) instead of being written again, its TriG
copied from the last build's ``graph.trig`` while that file is as the build left it
(:data:`LAYOUT`), else from the cache.
``graphs.json`` lists each graph's digest; the next build copies the previous store (RocksDB
hard links: instant) and replaces only the graphs whose digest changed, instead of loading
every quad again. The store answers the same either way; only its internal files differ.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import json
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .cache import GRAPHS, Cache, Mark, mark, pipeline_version
from .model import Extraction, Resolution
from .parallel import ordered_map
from .rdf import DocGraph, GraphWriter, fixed_graphs
from .reference import load_reference
from .resolve import Aligned
from .store import load_store, update_store
from .view_data import QuadScans, ViewFacts, collect
from .vocab import PREFIXES

if TYPE_CHECKING:
    import rdflib

MANIFEST = "graphs.json"
GRAPH_FILE = "graph.trig"
_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
# Above this share of changed graphs, loading everything afresh is as quick as updating.
_UPDATE_LIMIT = 0.5
# Above this share of the quads added anew, an updated store is compacted. Compacting rewrites
# every file and pays only after large changes: a few graphs replaced leave few deleted
# entries for readers to skip.
_COMPACT_ABOVE = 0.05


@dataclass(frozen=True)
class Block:
    """One named graph, serialised."""

    graph: str  # its IRI
    trig: bytes  # without the @prefix header
    count: int  # quads
    view: bytes  # what the network view takes from it: a pickled ViewFacts, read only there
    digest: str  # SHA-256 of the graph's canonical N-Quads

    def view_facts(self) -> ViewFacts:
        """What the network view takes from this graph."""
        return pickle.loads(self.view)


# A cached block is three files under its key in the cache's GRAPHS folder: its TriG and its
# view facts as they are, so that a build copies the one into graph.trig without reading it
# and the view's process reads only the other, and the Block without them (written last:
# the entry is there once it is).
TRIG_EXT, VIEW_EXT = ".trig", ".view"


@dataclass(frozen=True)
class _Meta:
    """What a cache entry of a block holds besides its files."""

    block: Block  # without its TriG and view facts
    trig_size: int  # bytes in its TriG file


def _meta(b: Block) -> _Meta:
    return _Meta(dataclasses.replace(b, trig=b"", view=b""), len(b.trig))


def store_block(cache: Cache, key: str, b: Block) -> bool:
    """Put ``b`` in the cache under ``key``; whether it was (see :data:`TRIG_EXT`)."""
    return (
        cache.put(key, b.trig, GRAPHS, TRIG_EXT)
        and cache.put(key, b.view, GRAPHS, VIEW_EXT)
        and cache.put(key, _meta(b), GRAPHS)
    )


def _copy(cache: Cache | None, key: str, size: int, out: int) -> bool:
    """Append the TriG cached under ``key`` to the file ``out`` (a descriptor); False, with
    nothing appended, when it is not there whole."""
    if cache is None:
        return False
    start = os.lseek(out, 0, os.SEEK_CUR)
    try:
        with open(cache.path(key, GRAPHS, TRIG_EXT), "rb") as fh:
            if os.fstat(fh.fileno()).st_size != size:
                return False
            _append(fh.fileno(), out, size)
    except OSError:
        os.ftruncate(out, start)
        os.lseek(out, start, os.SEEK_SET)
        return False
    return True


def _copy_range(src: int, offset: int, size: int, out: int) -> bool:
    """Append ``size`` bytes of the file ``src`` from ``offset`` to ``out``; False, with
    nothing appended, when they cannot be read."""
    start = os.lseek(out, 0, os.SEEK_CUR)
    try:
        os.lseek(src, offset, os.SEEK_SET)
        _append(src, out, size)
    except OSError:
        os.ftruncate(out, start)
        os.lseek(out, start, os.SEEK_SET)
        return False
    return True


def _append(src: int, dst: int, size: int) -> None:
    """Copy ``size`` bytes from ``src`` to ``dst`` (from their positions), in the kernel
    where the system can, else through a buffer."""
    left = size
    copy_range = getattr(os, "copy_file_range", None)
    try:
        while left and copy_range is not None:
            n = copy_range(src, dst, left)
            if n <= 0:
                raise OSError(errno.EIO, "file shorter than it was")
            left -= n
    except OSError as exc:
        if left != size or exc.errno not in (
            errno.EXDEV,
            errno.ENOSYS,
            errno.EINVAL,
            errno.EOPNOTSUPP,
        ):
            raise
    while left:
        chunk = os.read(src, min(left, 1 << 20))
        if not chunk:
            raise OSError(errno.EIO, "file shorter than it was")
        _write_all(dst, chunk)
        left -= len(chunk)


# The cache entry describing the graph.trig the last build wrote (one entry, replaced by each
# build, never pruned): its ``stat`` signature, and each cached graph's block particulars and
# where its TriG starts in that file. A build copies runs of unchanged graphs from that file,
# one kernel copy per run, rather than each graph's TriG file from the cache (a third of the
# time at 10,000 documents), and reads the particulars once rather than an entry per graph.
LAYOUT, LAYOUT_KIND = "trig", "layout"


@dataclass
class Laid:
    """Where the graphs of one graph.trig lie in it (see :data:`LAYOUT`)."""

    graphs: dict[str, tuple[_Meta, int]] = field(default_factory=dict)  # key -> (meta, offset)
    file: Mark | None = None  # the file as this build left it

    def save(self, cache: Cache) -> None:
        entry = {"pipeline": pipeline_version(), "file": self.file, "graphs": self.graphs}
        cache.put(LAYOUT, entry, LAYOUT_KIND)


def _previous_trig(cache: Cache | None, path: Path) -> tuple[int, dict[str, tuple[_Meta, int]]]:
    """The last build's graph.trig at ``path``, opened, and where its cached graphs lie in it;
    (-1, {}) unless the file is as that build left it."""
    entry = cache.get(LAYOUT, LAYOUT_KIND) if cache is not None else None
    if not isinstance(entry, dict) or entry.get("pipeline") != pipeline_version():
        return -1, {}
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return -1, {}
    if mark(os.fstat(fd)) != entry.get("file"):
        os.close(fd)  # changed or replaced since: its graphs are copied from the cache
        return -1, {}
    return fd, entry["graphs"]


def cached_view(cache: Cache, key: str) -> ViewFacts | None:
    """The view facts of the block cached under ``key``, or None."""
    data = cache.get_bytes(key, GRAPHS, VIEW_EXT)
    try:
        return pickle.loads(data) if data is not None else None
    except Exception:  # a corrupt entry is recomputed, never trusted
        return None


def _trig_header() -> bytes:
    """The @prefix lines pyoxigraph writes before any TriG it serialises."""
    node = ox.NamedNode("urn:x")
    text = ox.serialize(
        [ox.Quad(node, node, node, node)], format=ox.RdfFormat.TRIG, prefixes=_PREFIXES
    )
    return b"".join(text.splitlines(keepends=True)[: len(_PREFIXES)])


TRIG_HEADER = _trig_header()


def _pickled(view: ViewFacts) -> bytes:
    return pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL)


def block(g: GraphWriter) -> Block:
    """Serialise one graph (TriG in the order of its sorted, unique N-Quads); read its view."""
    if not g.quads:  # pyoxigraph writes no @prefix header for nothing
        return Block(g.name.value, b"", 0, _pickled(ViewFacts()), hashlib.sha256(b"").hexdigest())
    text = ox.serialize(g.quads, format=ox.RdfFormat.N_QUADS)
    lines = text.splitlines(keepends=True)  # one per quad: N-Quads escapes line breaks
    if len(lines) != len(g.quads):
        raise RuntimeError("unexpected N-Quads from pyoxigraph: not one line per quad")
    # The TriG is written from the quads in their lines' order, so the N-Quads made from it
    # are these lines again (:func:`write_nquads`).
    order = sorted(range(len(lines)), key=lines.__getitem__)
    keep = [i for n, i in enumerate(order) if not n or lines[i] != lines[order[n - 1]]]
    digest = hashlib.sha256(b"".join(lines[i] for i in keep)).hexdigest()
    trig = ox.serialize([g.quads[i] for i in keep], format=ox.RdfFormat.TRIG, prefixes=_PREFIXES)
    if not trig.startswith(TRIG_HEADER):  # a pyoxigraph release that writes TriG otherwise
        raise RuntimeError("unexpected TriG header from pyoxigraph")
    view = _pickled(collect(QuadScans(g.quads)))
    return Block(g.name.value, trig[len(TRIG_HEADER) :], len(keep), view, digest)


def _slice_key(
    x: Extraction,
    res: Resolution,
    text_file: str,
    mention_reasons: Mapping[tuple[str, int, int], str],
    added: str,
    aligned: Aligned | None = None,
) -> str:
    """What a document's graph takes from the whole build, besides its own extraction: its
    mentions' entities and reasons (sliced out of ``aligned`` when given, else looked up),
    its incidents' ids."""
    where = aligned.ranges.get(x.document.doc_id) if aligned is not None else None
    if aligned is not None and where is not None and where[1] - where[0] == len(x.mentions):
        entities, reasons = aligned.entities[slice(*where)], aligned.reasons[slice(*where)]
    else:
        keys = [(m.doc_id, m.span.start, m.span.end) for m in x.mentions]
        entities = [res.entity_of[k] for k in keys]
        reasons = [mention_reasons.get(k, "") for k in keys]
    ids = [res.incident_ids[inc.key] for inc in x.incidents]
    # An entity id is never empty: the empty lines part the lists.
    text = "\n".join([text_file, added, *entities, "", *reasons, "", *ids])
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class _Job:
    """What a worker needs to write document graphs (inherited at fork, see :data:`_JOB`)."""

    todo: list[tuple[Extraction, str | None]]  # (extraction, block cache key)
    res: Resolution
    text_files: dict[str, str]
    mention_reasons: Mapping[tuple[str, int, int], str]
    additions: Callable[[DocGraph], None] | None
    cache: Cache | None


_JOB: _Job | None = None


def _doc_block(i: int) -> Block | None:
    """Write and serialise document graph ``i`` of :data:`_JOB` (in a worker, or here).

    None when the block went into the cache: the parent reads it there when it is needed,
    rather than have it pickled back now and held until then.
    """
    job = _JOB
    assert job is not None
    made, stored = _write_block(job, *job.todo[i])
    return None if stored else made


def _write_block(job: _Job, x: Extraction, key: str | None) -> tuple[Block, bool]:
    doc_graph = DocGraph(x, job.res, load_reference(), job.mention_reasons)
    doc_graph.write(job.text_files.get(x.document.doc_id, ""))
    if job.additions is not None:
        job.additions(doc_graph)
    made = block(doc_graph.g)
    stored = job.cache is not None and key is not None and store_block(job.cache, key, made)
    return made, stored


@dataclass
class Blocks:
    """Every graph of a build in file order, each in memory or under its key in the cache.

    The TriG of cached ones is copied from the cache into graph.trig (:meth:`write_trig`):
    read, it would hold every graph in memory (0.3 GB of TriG at 10,000 documents). The
    view's process reads their view facts by key (:meth:`plan`), asking for the few it
    cannot read (:meth:`views`).
    """

    items: list[Block | tuple[Extraction, str]]  # cached: its extraction and key
    job: _Job  # writes a cached block again if its entry went bad since it was listed
    entries: dict[str, str] = field(default_factory=dict)  # doc id -> its document's cache key
    laid: Laid = field(default_factory=Laid)  # where :meth:`write_trig` put the cached graphs

    def write_trig(
        self, out: int, previous: int = -1, where: dict[str, tuple[_Meta, int]] | None = None
    ) -> Iterator[tuple[Block, Callable[[], bytes]]]:
        """Append each graph's TriG to the file ``out`` (a descriptor), in order; yield its
        block (without TriG and view facts, when cached) and how to read its TriG.

        A cached graph that ``where`` places in the file ``previous`` (the last build's
        graph.trig) is copied from there, with the graphs that follow it there too, in one
        copy. :attr:`laid` then says where the cached graphs lie in ``out``.
        """
        where = where if previous >= 0 and where else {}
        self.laid = Laid()
        run: list[tuple[Extraction, str, _Meta]] = []  # consecutive in ``previous``
        run_end = -1

        def flush() -> None:
            if not run:
                return
            first = where[run[0][1]][1]
            start = os.lseek(out, 0, os.SEEK_CUR)
            if _copy_range(previous, first, run_end - first, out):
                for _x, key, meta in run:
                    self.laid.graphs[key] = (meta, start + where[key][1] - first)
            else:  # unreadable now: each from the cache, or written again
                for x, key, meta in run:
                    self._append(x, key, meta, out)
            run.clear()

        for item in self.items:
            if isinstance(item, Block):
                flush()
                _write_all(out, item.trig)
                yield item, functools.partial(bytes, item.trig)
                continue
            x, key = item
            at = where.get(key)
            if at is not None:
                meta, offset = at
                if offset != run_end:
                    flush()
                run.append((x, key, meta))
                run_end = offset + meta.trig_size
                yield meta.block, functools.partial(self._trig, x, key)
                continue
            flush()
            found = self.job.cache.get(key, GRAPHS) if self.job.cache is not None else None
            yield self._append(x, key, found if isinstance(found, _Meta) else None, out)
        flush()

    def _append(
        self, x: Extraction, key: str, meta: _Meta | None, out: int
    ) -> tuple[Block, Callable[[], bytes]]:
        """Append one cached graph's TriG from the cache (written again if it is not there
        whole); its block and how to read its TriG."""
        start = os.lseek(out, 0, os.SEEK_CUR)
        if meta is not None and _copy(self.job.cache, key, meta.trig_size, out):
            self.laid.graphs[key] = (meta, start)
            return meta.block, functools.partial(self._trig, x, key)
        made, stored = _write_block(self.job, x, key)  # the entry went bad since it was listed
        _write_all(out, made.trig)
        if stored:
            self.laid.graphs[key] = (_meta(made), start)
        return made, functools.partial(bytes, made.trig)

    def _trig(self, x: Extraction, key: str) -> bytes:
        cache = self.job.cache
        trig = cache.get_bytes(key, GRAPHS, TRIG_EXT) if cache is not None else None
        return trig if trig is not None else _write_block(self.job, x, key)[0].trig

    def _view(self, x: Extraction, key: str) -> ViewFacts:
        """The view facts cached under ``key``, the block written again if they are gone."""
        found = cached_view(self.job.cache, key) if self.job.cache is not None else None
        return found if found is not None else _write_block(self.job, x, key)[0].view_facts()

    def view(self) -> ViewFacts:
        """What the network view draws: every graph's view facts, merged."""
        facts = ViewFacts()
        for item in self.items:
            facts.merge(item.view_facts() if isinstance(item, Block) else self._view(*item))
        return facts

    def plan(self) -> list[str | bytes]:
        """Each graph's cache key, or its pickled view facts when it is held here."""
        return [item.view if isinstance(item, Block) else item[1] for item in self.items]

    def sources(self) -> list[str]:
        """Parallel to :meth:`plan`: the cache key of each cached graph's document, else ""."""
        return [
            "" if isinstance(item, Block) else self.entries.get(item[0].document.doc_id, "")
            for item in self.items
        ]

    def views(self, keys: list[str]) -> list[bytes]:
        """The pickled view facts of the cached graphs under ``keys`` (written again if gone)."""
        wanted = set(keys)
        found = {
            item[1]: item[0]
            for item in self.items
            if not isinstance(item, Block) and item[1] in wanted
        }
        return [pickle.dumps(self._view(found[key], key), pickle.HIGHEST_PROTOCOL) for key in keys]


def make_blocks(
    extractions: list[Extraction],
    res: Resolution,
    text_files: dict[str, str],
    mention_reasons: Mapping[tuple[str, int, int], str],
    *,
    graphs: Iterable[GraphWriter] = (),
    additions: Callable[[DocGraph], None] | None = None,
    added: Callable[[str], str] = lambda _doc_id: "",
    keys: dict[str, str] | None = None,
    cache: Cache | None = None,
    jobs: int = 1,
    aligned: Aligned | None = None,
) -> Blocks:
    """Every graph's block: the fixed graphs, then each document's, from the cache or written.

    ``added`` names a document's hand-added facts (part of its block's key) and ``keys`` gives
    each document's cache key; ``jobs`` processes write the document graphs that are not
    cached; ``aligned`` is ``res`` per mention (see :class:`labourgraph.resolve.Aligned`).
    Without a cache every block is held in memory.
    """
    global _JOB
    keys = keys or {}
    items: list[Block | tuple[Extraction, str]] = [
        block(g) for g in fixed_graphs(res, load_reference(), graphs)
    ]
    todo: list[tuple[Extraction, str | None]] = []
    slots: list[int] = []  # where each of ``todo`` goes in ``items``
    for x in sorted(extractions, key=lambda x: x.document.doc_id):
        doc_id = x.document.doc_id
        if cache is not None and doc_id in keys:
            text_file = text_files.get(doc_id, "")
            slice_key = _slice_key(x, res, text_file, mention_reasons, added(doc_id), aligned)
            key = hashlib.sha256(f"{keys[doc_id]}|{slice_key}".encode()).hexdigest()
            cache.used.add(key)
            if cache.has(key, GRAPHS):
                items.append((x, key))
                continue
            todo.append((x, key))
        else:
            todo.append((x, None))
        slots.append(len(items))
        items.append((x, ""))  # filled below
    job = _JOB = _Job(todo, res, text_files, mention_reasons, additions, cache)
    try:
        made = ordered_map(_doc_block, [(i,) for i in range(len(todo))], jobs, "rdf", 8)
        for slot, (x, key), b in zip(slots, todo, made, strict=True):
            items[slot] = b if b is not None else (x, key or "")
    finally:
        _JOB = None
    return Blocks(items, job, keys)


def _manifest_header() -> dict[str, str]:
    return {"pipeline": pipeline_version(), "pyoxigraph": metadata.version("pyoxigraph")}


def previous_manifest(out: Path) -> dict[str, str]:
    """graph IRI -> digest of the build at ``out``, or {} when it cannot be reused."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("store") != _manifest_header():
        return {}
    graphs = data.get("graphs")
    return graphs if isinstance(graphs, dict) and (out / "store").is_dir() else {}


@dataclass
class Written:
    """What :func:`write_files` wrote, and what the store needs to catch up."""

    quads: int
    previous: dict[str, str]  # graph -> digest in the build being replaced ({} if unusable)
    graphs: dict[str, str]  # graph -> digest in this build
    changed: list[tuple[str, bytes]]  # graphs new or changed since ``previous``, TriG
    changed_quads: int = 0  # how many quads those graphs hold


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_files(staging: Path, previous: Path, blocks: Blocks) -> Written:
    """Write graph.trig and graphs.json into ``staging`` (``previous``: the build it replaces)."""
    written = Written(0, previous_manifest(previous), {}, [])
    cache = blocks.job.cache
    last, where = _previous_trig(cache, previous / GRAPH_FILE)
    with contextlib.ExitStack() as stack, (staging / GRAPH_FILE).open("wb", buffering=0) as trig:
        if last >= 0:
            stack.callback(os.close, last)
        out = trig.fileno()
        _write_all(out, TRIG_HEADER)
        for b, read in blocks.write_trig(out, last, where):  # a graph with no quads writes nothing
            if not b.count:
                continue
            written.quads += b.count
            written.graphs[b.graph] = b.digest
            if written.previous and written.previous.get(b.graph) != b.digest:
                written.changed.append((b.graph, TRIG_HEADER + read()))
                written.changed_quads += b.count
    if cache is not None:
        blocks.laid.file = mark(os.stat(staging / GRAPH_FILE))
        blocks.laid.save(cache)
    manifest = {"store": _manifest_header(), "graphs": written.graphs}
    (staging / MANIFEST).write_text(
        json.dumps(manifest, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    return written


def write_store(staging: Path, previous: Path, written: Written) -> str:
    """The store of ``staging``: the previous one brought up to date, or loaded afresh.

    Returns how, in a few words (for ``--timings``).
    """
    old, new = written.previous, written.graphs
    gone = [g for g in old if old[g] != new.get(g)]  # removed or changed
    touched = set(gone) | {g for g, _ in written.changed}
    if old and len(touched) <= _UPDATE_LIMIT * len(new):
        added = [d for _, d in written.changed]
        compact = written.changed_quads > _COMPACT_ABOVE * written.quads
        update_store(staging / "store", previous / "store", gone, added, compact=compact)
        return (
            f"updated: {len(gone)} graphs removed, {len(added)} added "
            f"({written.changed_quads} quads){', compacted' if compact else ''}"
        )
    load_store(staging / "store", staging / GRAPH_FILE)
    return f"loaded afresh: {len(new)} graphs"


def write_nquads(trig_file: Path, dest: Path) -> None:
    """Write the quads of a build's ``graph.trig`` to ``dest`` as N-Quads.

    Each block's TriG lists its quads in the order of their sorted N-Quads lines, so the file
    is every graph's canonical N-Quads, graph after graph (what :attr:`Block.digest` hashes).
    """
    with dest.open("wb") as fh:
        quads = ox.parse(path=str(trig_file), format=ox.RdfFormat.TRIG)
        ox.serialize(quads, fh, format=ox.RdfFormat.N_QUADS)


def rdflib_dataset(trig_file: Path) -> rdflib.Dataset:
    """A build's quads as an rdflib Dataset, for interoperability (slow on large builds).

    Read by pyoxigraph and handed over as N-Quads, which rdflib parses far faster than TriG.
    """
    from rdflib import Dataset

    quads = ox.parse(path=str(trig_file), format=ox.RdfFormat.TRIG)
    ds = Dataset()
    ds.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    return ds
