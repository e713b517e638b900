"""The network view drawn by a process of its own, beside the rest of a build.

When a build reuses most graphs, drawing the view is its longest chain: every graph's view
facts read and merged (each graph's quotes come joined with its document's particulars),
then laid out and written as a page. With two jobs or more, :class:`Drawing` forks a process
for it when the build starts, while the build's process is still small (forked later, both
would copy the pages of its large heap as they touch them).
Once the build has read its cache, it is told which documents are unchanged
(:meth:`Drawing.expect`) and, while the build resolves, reads and merges the view facts of the
graphs the last build drew of those documents (their keys are kept in the cache, :data:`PLAN`).
Once the graphs are made it is sent their list (:meth:`Drawing.send`), adds
the facts of the others, reading those it does not have yet, and draws the page while the build
writes its other files. Should a graph merged ahead not be in the list (a change elsewhere
moved its document's part of the resolution), its facts are taken out again (a
:class:`~labourgraph.view_data.Ledger` counts the facts graphs share). Once it knows the
nodes and edges, it takes the layout the last build kept if that is of the same nodes and
node pairs; else it asks the build for one (from a thread: the build reads the request once
its graph files are written) and makes the nodes' rows meanwhile; the build takes the layout
from the cache in the same way, else lays it out (:func:`laid_out`). A graph
it cannot read from the cache is sent by the build on request.

The page is the one :func:`draw` writes in the build's own process (the tests compare them
byte for byte).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import multiprocessing
import pickle
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from . import outdir
from .cache import VIEW_KIND, Cache, cache_dir, pipeline_version
from .errors import LabourgraphError
from .parallel import Side, SideError, finish

if TYPE_CHECKING:
    from .dataset import Blocks
    from .layout import Pos
    from .view import Positions, Shown, ViewData
    from .view_data import Drawn, Joined, Ledger, ViewFacts

# The cache entry listing the graphs the last build drew (a folder of its own: one entry,
# replaced by each build, never pruned): a dict of "items" (each graph's cache key, or its
# pickled view facts when it is not cached), "sources" (parallel: the cache key of each cached
# graph's document, else ""), "manifest" (the SHA-256 of the graphs.json those graphs make)
# and "pipeline" (the version that wrote them).
PLAN, PLAN_KIND = "plan", VIEW_KIND
# The cache entry holding the last layout made (beside the plan, one entry replaced by each
# build): a dict of "positions" (whose keys are its nodes), "pairs" (the pairs of nodes the
# edges link) and "settings" (the seed, this version and igraph's): all a layout depends on.
# An edit that adds no node or edge draws the same.
POSITIONS = "positions"
# The drawing process's merged state (see :class:`_Base`), and the cache keys of the graphs
# merged into it: the build keeps their entries (:func:`kept_graphs`) while it stands, to
# take them out of it again.
BASE, BASE_KEYS = "base", "base-keys"
# A base is made again once more graphs than this differ from it (or this share of all).
_STALE, _STALE_SHARE = 256, 0.05
_POLL_EVERY = 256  # graphs read ahead between looks for the build's list
_SEED = 7  # what every build's view is laid out with (:func:`laid_out`'s and render's default)


def draw(
    facts: ViewFacts,
    dest: Path,
    *,
    on_drawn: Drawn | None = None,
    positions: Positions | None = None,
    then: Callable[[], None] | None = None,
    joined: Joined | None = None,
    shown: Shown | None = None,
) -> None:
    """Write the network view of ``facts`` (every graph's, merged) to ``dest``, synced.

    ``on_drawn`` is told the nodes and edges as soon as they are known, and ``positions``
    then returns their layout (made elsewhere); by default it is made here. ``then`` is
    called once the page is written, while what it was made of is still held (a side
    process ends there, leaving it to the process's end to free). ``joined`` holds the
    incidents' rows made ahead (see :class:`~labourgraph.view_data.Joined`), ``shown`` what
    the page shows of nodes, made ahead (see :func:`labourgraph.view.shown`).
    """
    from .view import render
    from .view_data import view_data

    data = view_data(facts, on_drawn=on_drawn, joined=joined)
    render(data, dest, positions=positions, ahead=shown)
    outdir.sync(dest)
    if then is not None:
        then()


def draw_here(facts: ViewFacts, dest: Path, cache: Cache | None) -> None:
    """:func:`draw` in this process, with the layout kept in ``cache`` (see :func:`laid_out`)."""
    laid: list[Pos] = []
    draw(
        facts,
        dest,
        on_drawn=lambda ids, links: laid.append(laid_out(cache, ids, links)),
        positions=lambda: laid[0],
    )


def save_plan(cache: Cache, blocks: Blocks, manifest: Path) -> None:
    """Keep the list of the graphs this build draws, for the next build to read ahead and
    for :func:`view_data_of` (``manifest``: the graphs.json they make)."""
    plan = {
        "items": blocks.plan(),
        "sources": blocks.sources(),
        "manifest": _digest(manifest),
        "pipeline": pipeline_version(),
    }
    cache.put(PLAN, plan, PLAN_KIND)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def built_facts(out: Path) -> ViewFacts | None:
    """The merged view facts of the build in ``out``, from the cache beside it; None unless
    the cache holds that very build's graphs (its graphs.json, this version), all readable."""
    from .dataset import MANIFEST
    from .loaders import Limits

    cache = Cache(cache_dir(out), False, Limits())  # read only: key settings do not matter
    plan = cache.get(PLAN, PLAN_KIND)
    try:
        if (
            not isinstance(plan, dict)
            or plan.get("pipeline") != pipeline_version()
            or plan.get("manifest") != _digest(out / MANIFEST)
        ):
            return None
        facts, missing = _merged(plan["items"], lambda key: _read(cache, key))
    except Exception:  # a plan or graph this version cannot read: the store has it all
        return None
    return None if missing else facts  # missing: pruned by a later build, or unreadable


def laid_out(
    cache: Cache | None,
    node_ids: Collection[str],
    edges: Collection[tuple[str, str]],
    seed: int = 7,
    checked: bool = False,
) -> Pos:
    """:func:`labourgraph.layout.positions` of these nodes and edges, taken from ``cache``
    when the last layout made was of the same nodes and node pairs (and kept there for the
    next build); ``checked``: the caller found it was not."""
    ids = set(node_ids)
    kept = None if checked else _same_layout(_last_layout(cache, seed), ids, edges)
    if kept is not None:
        return kept
    from .layout import lay_out, numbered

    numbers, pairs = numbered(ids, edges)
    pos = lay_out(numbers, pairs, seed)
    if cache is not None:
        entry = {
            "positions": pos,
            "settings": _layout_settings(seed),
            "pairs": {(numbers[a], numbers[b]) for a, b in pairs},
        }
        cache.put(POSITIONS, entry, PLAN_KIND)
    return pos


def _layout_settings(seed: int) -> str:
    """What a layout depends on besides its nodes and edges: the seed, and versions."""
    # igraph through the layout module, which keeps it from importing matplotlib.
    from .layout import ig

    return f"{pipeline_version()}|{ig.__version__}|{seed}"


def _same_layout(
    kept: tuple[Pos, set[tuple[str, str]]] | None,
    ids: Collection[str],
    edges: Iterable[tuple[str, ...]],
) -> Pos | None:
    """The layout ``kept`` (see :func:`_last_layout`) if it is of these nodes and the pairs
    of them these edges link."""
    if kept is not None and kept[0].keys() == ids and kept[1] == _id_pairs(ids, edges):
        return kept[0]
    return None


def _id_pairs(ids: Collection[str], edges: Iterable[tuple[str, ...]]) -> set[tuple[str, str]]:
    """The pairs of ``ids`` that ``edges`` link (low first, each once, no loops): what
    :func:`labourgraph.layout.numbered` numbers."""
    return set(_pairs(ids, edges))


def view_data_of(out: Path) -> ViewData:
    """What the view of the build in ``out`` draws: from its cache when that holds the build's
    graphs, else read from its store (many times slower on a large build, bench/README.md)."""
    from .store import open_store
    from .view_data import view_data, view_data_from_store

    facts = built_facts(out)
    return view_data(facts) if facts is not None else view_data_from_store(open_store(out))


class Drawing:
    """The view's process: forked now, sent the graphs later, waited for at the end."""

    def __init__(self, cache: Cache | None, dest: Path) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._blocks: Blocks | None = None
        self._cache = cache
        self._sending: threading.Thread | None = None
        self._side = Side(_main, (cache, dest, child), fork=True)
        child.close()

    def __enter__(self) -> Drawing:
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the process if it is still running (the build failed before waiting)."""
        self._side.__exit__(*exc)
        if self._sending is not None:
            self._sending.join()  # the process is gone: its end of the pipe too
        self._conn.close()

    def expect(self, unchanged: Collection[str]) -> None:
        """Say which documents (cache keys) are unchanged: their graphs are merged ahead."""
        try:
            self._conn.send(("unchanged", set(unchanged)))
        except OSError:  # the process failed already: say how now
            self._side.wait()
            raise

    def send(self, blocks: Blocks) -> None:
        """Hand over the graphs to draw: cache keys, or the view facts of graphs not cached.

        Sent by a thread: the process reads the list once it has done what it can ahead,
        and the build need not wait for that to write its other files.
        """
        self._blocks = blocks
        self._sending = threading.Thread(target=_send, args=(self._conn, ("plan", blocks.plan())))
        self._sending.start()

    def lay_out(self) -> None:
        """Lay the drawing out for the process, once it knows its nodes and edges (unless it
        took the last build's).

        The layout needs nothing else, so it is made here, where the graph files are done,
        while the process makes the rows of the nodes the page shows.
        """
        self._serve(until="layout")

    def wait(self) -> None:
        """Answer the process's requests until the page is written."""
        if not self._serve(until="drawn"):  # it ended without: waiting for it says why
            self._side.wait()

    def close(self) -> None:
        """Wait for the process to end: after the page, it may keep what it merged for the
        next build (:class:`_Base`), a head start whose failure fails nothing."""
        with contextlib.suppress(LabourgraphError, SideError):
            self._side.wait()

    def _serve(self, until: str) -> bool:
        """Answer requests until a message of kind ``until``; False if the pipe closed first."""
        while True:
            try:
                kind, *args = self._conn.recv()
            except (EOFError, OSError):  # done, or failed: waiting for the process says which
                return False
            if self._sending is not None:  # asked after it had the list: that send is done
                self._sending.join()
            if kind == "views":
                assert self._blocks is not None
                _send(self._conn, self._blocks.views(*args))
            elif kind == "layout" and args:  # without: the process had the layout
                # It asks only when the last build's layout does not fit.
                _send(self._conn, laid_out(self._cache, *args, checked=True))
            if kind == until:
                return True


def _send(conn: Connection, message: tuple) -> None:
    with contextlib.suppress(OSError):  # the process failed: waiting for it says how
        conn.send(message)


def _merged(
    items: list[str | bytes],
    read: Callable[[str], ViewFacts | None],
    facts: ViewFacts | None = None,
    note: Callable[[ViewFacts], None] = lambda _facts: None,
) -> tuple[ViewFacts, list[str]]:
    """The view facts of a plan's graphs merged (pickled, or ``read`` by cache key) into
    ``facts``, and the keys ``read`` found nothing under; ``note`` is shown each graph
    merged."""
    from .view_data import ViewFacts

    facts, missing = facts if facts is not None else ViewFacts(), []
    for item in items:
        found = pickle.loads(item) if isinstance(item, bytes) else read(item)
        if found is None:
            missing.append(item)
        else:
            note(found)
            facts.merge(found)
    return facts, missing


def _main(cache: Cache | None, dest: Path, conn: Connection) -> None:
    # Millions of objects that live until the page is written, and no cycles to speak of.
    gc.disable()
    # What the page is made with, imported while the build reads its cache (not before:
    # the build's own process has no use for them).
    import jinja2  # noqa: F401
    import pyvis.network  # noqa: F401

    from .layout import EDGE_LENGTH  # noqa: F401

    ahead = _Ahead()
    plan = ahead.read(cache, conn)
    if plan is None:  # read ahead before the build had sent its list
        _kind, plan = conn.recv()
    read = functools.partial(_read, cache)
    facts, todo = _kept(ahead, plan, read)
    if ahead.diffed is not None:
        ahead.diffed += len(todo)

    def note(found: ViewFacts) -> None:
        ahead.joined.note(found)
        ahead.ledger.count(found)  # for the base this build may leave

    facts, missing = _merged(todo, read, facts, note)
    if missing:  # gone from the cache since the build listed them: the build has them
        conn.send(("views", missing))
        for view in conn.recv():
            found = pickle.loads(view)
            note(found)
            facts.merge(found)

    laid: list[Pos] = []
    asker: list[threading.Thread] = []

    def lay_out(ids: Collection[str], links: list[tuple[str, str]]) -> None:
        kept = ahead.same_layout(ids, facts.edges)
        if kept is not None:
            laid.append(kept)
            conn.send(("layout",))  # the last build's layout: nothing for the build to do
            return
        # Sent by a thread: the build reads the request only once its graph files are
        # written, and until then a send this large would stop the view's data here.
        asker.append(threading.Thread(target=_ask, args=(conn, (set(ids), links), laid)))
        asker[0].start()

    def layout() -> Pos:
        if asker:
            asker[0].join()
        if not laid:
            raise LabourgraphError("the build stopped before the view's layout was made")
        return laid[0]

    def then() -> None:
        conn.send(("drawn",))  # the build goes on to swap its folder in meanwhile
        if cache is not None and not missing and ahead.stale(len(plan)):
            with contextlib.suppress(pickle.PicklingError, MemoryError):  # OSError: put's
                _save_base(cache, _Base.of(facts, ahead.ledger, plan))
        finish()

    draw(
        facts,
        dest,
        on_drawn=lay_out,
        positions=layout,
        then=then,
        joined=ahead.joined,
        shown=ahead.shown,
    )
    conn.close()


def _kept(
    ahead: _Ahead, plan: list[str | bytes], read: Callable[[str], ViewFacts | None]
) -> tuple[ViewFacts | None, list[str | bytes]]:
    """The facts merged ahead, without those of graphs not drawn now (a change elsewhere
    moved their documents' part of the resolution, or a graph that is not cached, such as
    the entities', says otherwise now), and the graphs of the list still to merge; should a
    graph to take out be unreadable now, nothing and the whole list (merged afresh)."""
    from .view_data import Joined, Ledger, ViewFacts

    keys = {item for item in plan if not isinstance(item, bytes)}
    gone: list[ViewFacts | None] = [read(key) for key in sorted(ahead.done - keys)]
    # Graphs not cached come in the same order each build (the fixed graphs, then any
    # document's that could not be cached); one that states the same facts is kept.
    fresh = [(n, item) for n, item in enumerate(plan) if isinstance(item, bytes)]
    same: set[int] = set()
    for old, (n, new) in zip(ahead.fixed, fresh, strict=False):
        before = None if old == new else pickle.loads(old)
        if before is None or before == pickle.loads(new):
            same.add(n)
        else:
            gone.append(before)
    gone += [pickle.loads(old) for old in ahead.fixed[len(fresh) :]]
    if any(facts is None for facts in gone):
        ahead.merged = ViewFacts()  # let go of it before merging afresh
        ahead.joined = Joined()
        ahead.ledger = Ledger()
        return None, plan
    for facts in gone:
        assert facts is not None
        ahead.joined.note(facts)
        ahead.ledger.take_out(ahead.merged, facts)
    todo = [
        item
        for n, item in enumerate(plan)
        if n not in same and (isinstance(item, bytes) or item not in ahead.done)
    ]
    return ahead.merged, todo


def _ask(conn: Connection, request: tuple, into: list) -> None:
    """Ask the build for the layout and put its answer ``into`` the list."""
    with contextlib.suppress(EOFError, OSError):  # the build stopped: nothing comes
        conn.send(("layout", *request))
        # Read as soon as sent: the build cannot go on with its report until it is.
        into.append(conn.recv())


class _Ahead:
    """What the drawing process does before it has the build's list of graphs: it merges the
    graphs the last build drew of the documents that are unchanged, makes the rows of their
    nodes and what the page shows of them, and reads the layout the last build kept."""

    def __init__(self) -> None:
        from .view_data import Joined, Ledger, ViewFacts

        self.merged = ViewFacts()
        self.ledger = Ledger()  # to take out the graphs that turn out not to be drawn
        self.done: set[str] = set()  # the graphs (cache keys) merged
        self.fixed: list[bytes] = []  # the last build's graphs not cached, merged too
        self.joined = Joined()  # their nodes' rows, made once they are all merged
        self.shown: Shown = {}  # what the page shows of those nodes
        # The layout the last build kept, and the pairs of nodes it links (see :func:`laid_out`).
        self.laid: tuple[Pos, set[tuple[str, str]]] | None = None
        self.diffed: int | None = None  # graphs merged or taken out since the base (None: none)
        self.laid_pairs: _LaidPairs | None = None  # the edges merged ahead against that layout

    def same_layout(self, ids: Collection[str], edges: set[tuple[str, ...]]) -> Pos | None:
        """The layout the last build kept if it is of these nodes and the pairs of them these
        edges link (see :func:`_same_layout`), told from the edges merged ahead when it can."""
        if self.laid_pairs is None:
            return _same_layout(self.laid, ids, edges)
        return self.laid_pairs.same(ids, edges)

    def stale(self, graphs: int) -> bool:
        """Whether to leave a new base: none was read, or too many graphs differ from it."""
        return self.diffed is None or self.diffed > max(_STALE, _STALE_SHARE * graphs)

    def read(self, cache: Cache | None, conn: Connection) -> list[str | bytes] | None:
        """Merge ahead until the build sends its list (returned, if it came).

        Begins once the build has read its cache and said which documents (cache keys) are
        unchanged, not to compete for the processor with that reading, which the rest waits
        for. A changed document's graph from the last build is not read: it is not drawn.
        """
        _kind, unchanged = conn.recv()
        self.laid = _last_layout(cache)
        plan = cache.get(PLAN, PLAN_KIND) if cache is not None else None
        if (
            not isinstance(plan, dict)
            or plan.get("pipeline") != pipeline_version()  # graphs pickled by another version
            or not isinstance(plan.get("items"), list)
        ):
            return None
        items, sources = plan["items"], plan.get("sources")
        if not isinstance(sources, list) or len(sources) != len(items):
            return None
        wanted = [key for key, source in zip(items, sources, strict=True) if source in unchanged]
        base = _read_base(cache) if cache is not None else None
        if base is not None and self._adopt(base, wanted, cache):
            if self.laid is not None and not conn.poll():
                self.laid_pairs = _LaidPairs(self.laid, self.merged.edges)
            return None
        for n, (key, source) in enumerate(zip(items, sources, strict=True)):
            if n % _POLL_EVERY == 0 and conn.poll():
                return conn.recv()[1]
            if isinstance(key, bytes):
                found = pickle.loads(key)
                self.fixed.append(key)
            elif source in unchanged and (found := _read(cache, key)) is not None:
                self.done.add(key)
            else:
                continue
            self.ledger.count(found)
            self.merged.merge(found)
        if not conn.poll():  # still no list: make the nodes' rows
            self.joined.join(self.merged)
        if not conn.poll():  # and what the page shows of them
            self.shown = _shown_of(self.joined)
        return None

    def _adopt(self, base: _Base, wanted: list[str], cache: Cache) -> bool:
        """Begin from ``base``: take out the graphs merged into it that are not ``wanted``
        (the unchanged documents' graphs), merge those it lacks; False (and nothing taken)
        if a graph to take out cannot be read, or there are more of them than to keep."""
        keys = set(wanted)
        out = base.done - keys
        if len(out) > len(keys):  # most of it changed: merging afresh costs less
            return False
        gone = []
        for key in sorted(out):
            facts = _read(cache, key)
            if facts is None:
                return False
            gone.append(facts)
        self.merged, self.ledger, self.joined, self.shown = base.state()
        self.fixed, self.done = base.fixed, base.done & keys
        for facts in gone:
            self.joined.note(facts)
            self.ledger.take_out(self.merged, facts)
        merged = 0
        for key in wanted:
            if key not in self.done and (facts := _read(cache, key)) is not None:
                self.joined.note(facts)
                self.ledger.count(facts)
                self.merged.merge(facts)
                self.done.add(key)
                merged += 1
        self.diffed = len(gone) + merged
        return True


class _LaidPairs:
    """A kept layout (see :func:`_last_layout`) and the pairs of its nodes that some edges
    link, counted: whether the layout fits edges that differ from those by a few is told
    from the few (the whole check builds the pairs of 75,000 edges at 10,000 documents)."""

    def __init__(self, laid: tuple[Pos, set[tuple[str, str]]], edges: set[tuple[str, ...]]) -> None:
        self.laid, self.edges = laid, set(edges)
        ids = laid[0].keys()
        self.counts = Counter(_pairs(ids, edges))
        # The pairs the layout links and those edges do not, or the other way round (a
        # changed document's, taken out before): what the edges that change must settle.
        self.unlike = self.counts.keys() ^ laid[1]

    def same(self, ids: Collection[str], edges: set[tuple[str, ...]]) -> Pos | None:
        """The layout if it is of ``ids`` and the pairs of them ``edges`` link."""
        pos, pairs = self.laid
        if pos.keys() != ids:
            return None
        change: Counter[tuple[str, str]] = Counter(_pairs(ids, edges - self.edges))
        change.subtract(_pairs(ids, self.edges - edges))
        if not self.unlike <= change.keys():
            return None
        for pair, more in change.items():
            if (self.counts[pair] + more > 0) != (pair in pairs):
                return None
        return pos


def _pairs(ids: Collection[str], edges: Iterable[tuple[str, ...]]) -> Iterator[tuple[str, str]]:
    """The pair of ``ids`` each edge links, low first (edges that link none, or a node to
    itself, give none)."""
    for s, o, *_ in edges:
        if s != o and s in ids and o in ids:
            yield (s, o) if s < o else (o, s)


class _Base:
    """What the drawing process merged of a build's graphs, kept for later builds to begin
    from: merging the graphs of 10,000 documents and making their nodes takes seconds,
    reading this back about a second, and a later build takes out and adds only the graphs
    that differ (each build leaves a new one only when that gets too many, see
    :meth:`_Ahead.stale`)."""

    def __init__(
        self, done: set[str], fixed: list[bytes], facts: ViewFacts, ledger: Ledger
    ) -> None:
        from .view_data import Joined

        self.pipeline = pipeline_version()
        self.done, self.fixed, self.facts, self.ledger = done, fixed, facts, ledger
        self.joined = Joined()
        self.joined.join(facts)
        self.shown = _shown_of(self.joined)

    @classmethod
    def of(cls, facts: ViewFacts, ledger: Ledger, plan: list[str | bytes]) -> _Base:
        """The base of a build's merged ``facts``, of the graphs its ``plan`` lists."""
        done = {item for item in plan if isinstance(item, str)}
        return cls(done, [item for item in plan if isinstance(item, bytes)], facts, ledger)

    def state(self) -> tuple[ViewFacts, Ledger, Joined, Shown]:
        return self.facts, self.ledger, self.joined, self.shown


def _shown_of(joined: Joined) -> Shown:
    """What the page shows of each node ``joined`` made (see :func:`labourgraph.view.shown`)."""
    from .view import shown

    return shown([*joined.entity_nodes.values(), *joined.nodes.values()])


def _save_base(cache: Cache, base: _Base) -> None:
    """Keep ``base`` in ``cache``, its graphs' keys first (see :func:`kept_graphs`)."""
    if cache.put(BASE_KEYS, sorted(base.done), PLAN_KIND):
        cache.put(BASE, base, PLAN_KIND)


def _read_base(cache: Cache) -> _Base | None:
    base = cache.get(BASE, PLAN_KIND)
    return base if isinstance(base, _Base) and base.pipeline == pipeline_version() else None


def kept_graphs(cache: Cache) -> set[str]:
    """The graphs (cache keys) merged into the drawing process's base, whose entries the
    build keeps to take them out of it again."""
    keys = cache.get(BASE_KEYS, PLAN_KIND)
    return set(keys) if isinstance(keys, list) else set()


def _last_layout(cache: Cache | None, seed: int = _SEED) -> tuple[Pos, set[tuple[str, str]]] | None:
    """The layout the last build kept, with the pairs of nodes it links, if it was made
    with this version and ``seed``."""
    kept = cache.get(POSITIONS, PLAN_KIND) if cache is not None else None
    if isinstance(kept, dict) and kept.get("settings") == _layout_settings(seed):
        pos, pairs = kept.get("positions"), kept.get("pairs")
        if isinstance(pos, dict) and isinstance(pairs, set):
            return pos, pairs
    return None


def _read(cache: Cache | None, key: str) -> ViewFacts | None:
    from .dataset import cached_view

    return cached_view(cache, key) if cache is not None else None
