"""The view drawn by a process of its own (``--jobs 2``): the same page, whatever it met."""

from __future__ import annotations

import copy
import multiprocessing
import pickle
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from labourgraph import build as build_module
from labourgraph import dataset
from labourgraph import drawing as drawing_module
from labourgraph.cache import GRAPHS, Cache, cache_dir
from labourgraph.cli import main
from labourgraph.dataset import cached_view
from labourgraph.drawing import PLAN, PLAN_KIND, built_facts
from labourgraph.loaders import Limits
from labourgraph.parallel import SideError
from labourgraph.view_data import Joined, Ledger, ViewFacts, view_data

from .conftest import OUTPUTS, quiet_build, same_as_fresh, same_outputs


def plan(out: Path) -> list[str]:
    """The cache keys of the graphs the last build into ``out`` drew."""
    entry = Cache(cache_dir(out), False, Limits()).get(PLAN, PLAN_KIND)
    return [item for item in entry["items"] if isinstance(item, str)]


def not_cached(out: Path) -> list[bytes]:
    """The view facts (pickled) of the graphs the last build into ``out`` drew uncached."""
    entry = Cache(cache_dir(out), False, Limits()).get(PLAN, PLAN_KIND)
    return [item for item in entry["items"] if isinstance(item, bytes)]


# Names what two of the sources name once each (the ILO's Committee on Freedom of
# Association, the KazTAG agency).
NAMES_TWO_SINGLES = (
    "Statement\n\nThe Committee on Freedom of Association examined the case. KazTAG reported it.\n"
)


def drop_base(out: Path) -> None:
    """Delete the drawing process's base (see ``drawing._Base``): the next build merges the
    unchanged documents' graphs one by one again."""
    cache = Cache(cache_dir(out), False, Limits())
    Path(cache.path(drawing_module.BASE, PLAN_KIND, ".pickle")).unlink()


def test_a_rebuild_reads_the_last_graphs_ahead_and_draws_the_same_page(
    sources: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out, jobs=2)
    first = plan(out)
    # The graphs the build drew, by cache key: one per document.
    assert len(first) == len(list(sources.glob("*.txt")))
    changed = sorted(sources.glob("*.txt"))[1]
    changed.write_text(changed.read_text() + "\nThe union said the strike would go on.\n")
    result = quiet_build(sources, out, jobs=2)
    assert result.reused == len(first) - 1
    # Read ahead: every graph but the changed document's; that one is read once listed.
    assert len(set(first) & set(plan(out))) == len(first) - 1
    same_as_fresh(sources, out, tmp_path)


def test_graphs_the_drawing_process_cannot_read_are_sent_by_the_build(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out, jobs=2)
    before = {name: (out / name).read_bytes() for name in OUTPUTS}
    blocks = list((cache_dir(out) / GRAPHS).glob("*.pickle"))
    assert blocks
    for block in blocks:  # listed as cached, unreadable when the process comes to them
        block.with_suffix(".view").write_bytes(b"not a pickle")
    drop_base(out)
    asked: list[str] = []
    real = dataset.Blocks.views

    def views(self, keys):
        asked.extend(keys)
        return real(self, keys)

    monkeypatch.setattr(dataset.Blocks, "views", views)
    # Blocks written again stay out of the cache, so the process finds none of them readable
    # however early the build writes them.
    monkeypatch.setattr(Cache, "put", lambda self, key, entry, kind="", ext="": False)
    quiet_build(sources, out, jobs=2)
    assert sorted(asked) == sorted(p.stem for p in blocks)
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before


def test_without_a_cache_the_build_sends_every_graph(sources: Path, tmp_path: Path) -> None:
    quiet_build(sources, tmp_path / "two", jobs=2, cache=False)
    quiet_build(sources, tmp_path / "one", jobs=1, cache=False)
    same_outputs(tmp_path / "two", tmp_path / "one")


def test_a_build_that_fails_stops_its_drawing_process(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("resolution broke")

    monkeypatch.setattr(build_module, "curate", broken)
    with pytest.raises(RuntimeError, match="resolution broke"):
        quiet_build(sources, tmp_path / "out", jobs=2)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob("out.building-*"))


def test_the_view_command_draws_from_the_cache_what_the_store_holds(
    sources: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    assert built_facts(out) is not None
    runner = CliRunner()
    fast = runner.invoke(main, ["view", "--out", str(out), "-o", str(tmp_path / "fast.html")])
    assert fast.exit_code == 0, fast.output
    # The build's own page, drawn from the same facts.
    assert (tmp_path / "fast.html").read_bytes() == (out / "network.html").read_bytes()
    block = next((cache_dir(out) / GRAPHS).glob("*.pickle"))
    for part in block.parent.glob(block.stem + ".*"):
        part.unlink()  # the cache no longer holds the whole build: read from the store
    assert built_facts(out) is None
    slow = runner.invoke(main, ["view", "--out", str(out), "-o", str(tmp_path / "slow.html")])
    assert slow.exit_code == 0, slow.output
    assert (tmp_path / "slow.html").read_bytes() == (tmp_path / "fast.html").read_bytes()


def test_a_plan_of_another_build_is_not_used_for_the_view(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    assert built_facts(out) is not None
    changed = sorted(sources.glob("*.txt"))[0]
    changed.write_text(changed.read_text() + "\nPolice arrested union leader Ana Torres.\n")
    quiet_build(sources, out, cache=False)  # the cache still lists the first build's graphs
    assert built_facts(out) is None
    focus = CliRunner().invoke(main, ["view", "--out", str(out), "--focus", "Ana Torres"])
    assert focus.exit_code == 0, focus.output


def _watch_merges(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Record, from the drawing process, how many graphs it merged before the build's list
    came (documents' graphs, and graphs not cached), and how many of them it kept (it is
    forked from this process, with the patch); and each layout the build made or took from
    the cache at the process's request."""
    real = drawing_module._kept

    def kept(ahead, plan, read):
        before, fixed = len(ahead.done), len(ahead.fixed)
        facts, todo = real(ahead, plan, read)
        left = {id(item) for item in todo} if facts is not None else {id(i) for i in plan}
        keys = sum(isinstance(i, str) and id(i) not in left for i in plan)
        same = sum(isinstance(i, bytes) and id(i) not in left for i in plan)
        with log.open("a") as fh:
            fh.write(f"{before} merged ahead, {keys} kept; {fixed} not cached, {same} kept\n")
        return facts, todo

    monkeypatch.setattr(drawing_module, "_kept", kept)
    real_laid_out = drawing_module.laid_out

    def laid_out(*args, **kwargs):  # called by the build when the process asks for a layout
        with log.open("a") as fh:
            fh.write("laid out on request\n")
        return real_laid_out(*args, **kwargs)

    monkeypatch.setattr(drawing_module, "laid_out", laid_out)


def watched(ahead: int, kept: int, fixed: int, fixed_kept: int, asked: bool = True) -> str:
    """What :func:`_watch_merges` records of a rebuild: graphs merged ahead and kept,
    graphs not cached merged ahead and kept, and whether the build was asked for a layout."""
    line = f"{ahead} merged ahead, {kept} kept; {fixed} not cached, {fixed_kept} kept\n"
    return line + ("laid out on request\n" if asked else "")


def _built(sources: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """A build of ``sources`` with two jobs, and the graphs it drew (cache keys)."""
    out = tmp_path / "out"
    quiet_build(sources, out, jobs=2)
    return out, plan(out)


def _rebuild_watched(sources: Path, out: Path, tmp_path: Path, monkeypatch) -> str:
    """Rebuild ``out`` with two jobs, watching the drawing process's merges, and check the
    outputs against a build without a cache; what the watch recorded."""
    log = tmp_path / "merges.log"
    _watch_merges(monkeypatch, log)
    quiet_build(sources, out, jobs=2)
    watched = log.read_text()
    same_as_fresh(sources, out, tmp_path)
    return watched


@pytest.mark.parametrize(
    ("sentence", "asked"),
    [
        # One more incident: the build is asked for the layout.
        ("The union said the strike would go on.", True),
        # No node or edge more: the process takes the last build's layout itself.
        ("This page was printed from the archive.", False),
    ],
)
def test_the_unchanged_documents_graphs_are_merged_before_the_list_comes(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sentence: str, asked: bool
) -> None:
    out, first = _built(sources, tmp_path)
    changed = sorted(sources.glob("*.txt"))[2]
    changed.write_text(changed.read_text() + f"\n{sentence}\n")
    fixed = len(not_cached(out))  # the fixed graphs: the entities', the judgements'...
    assert fixed > 1
    log = _rebuild_watched(sources, out, tmp_path, monkeypatch)
    # Nothing else changed: the graphs not cached state what they stated.
    assert log == watched(len(first) - 1, len(first) - 1, fixed, fixed, asked=asked)


def test_graphs_that_a_change_elsewhere_moved_are_taken_out_of_the_merge(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, first = _built(sources, tmp_path)
    # A new document naming what two others name once each: their mentions now join a
    # group, which their graphs say, so their graphs change though their documents did not.
    (sources / "0000-new.txt").write_text(NAMES_TWO_SINGLES)
    log = _rebuild_watched(sources, out, tmp_path, monkeypatch)
    moved = len(set(first) - set(plan(out)))
    assert 0 < moved < len(first)
    fixed = len(not_cached(out))
    # No node or edge more: the process takes the last layout itself.
    assert log == watched(len(first), len(first) - moved, fixed, fixed, asked=False)


def test_a_graph_not_cached_that_says_otherwise_now_is_taken_out_of_the_merge(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, first = _built(sources, tmp_path)
    before = not_cached(out)
    # A new actor: the entities' graph (made anew by each build, not cached) names it.
    (sources / "zz-new.txt").write_text(
        "Statement\n\nPolice arrested Dana Whitlow, president of the Brickmakers Union.\n"
    )
    log = _rebuild_watched(sources, out, tmp_path, monkeypatch)
    after = not_cached(out)
    assert len(after) == len(before) > 1
    changed = sum(pickle.loads(a) != pickle.loads(b) for a, b in zip(before, after, strict=True))
    assert changed >= 1
    fixed = len(before)
    assert log == watched(len(first), len(first), fixed, fixed - changed)


def test_a_moved_graph_gone_from_the_cache_makes_the_process_merge_afresh(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, first = _built(sources, tmp_path)
    (sources / "0000-new.txt").write_text(NAMES_TWO_SINGLES)
    real = drawing_module._read
    # Read once ahead, gone when the process comes to take it out again.
    calls: dict[str, int] = {}

    def once(cache, key):
        calls[key] = calls.get(key, 0) + 1
        return real(cache, key) if calls[key] == 1 else None

    monkeypatch.setattr(drawing_module, "_read", once)
    drop_base(out)
    fixed = len(not_cached(out))
    log = _rebuild_watched(sources, out, tmp_path, monkeypatch)
    assert log == watched(len(first), 0, fixed, 0, asked=False)


def _drawn(sources: Path, tmp_path: Path) -> tuple[list, Callable[[str | bytes], ViewFacts]]:
    """A build's graphs, as its plan lists them (the documents' by cache key, the others'
    pickled), and how to read each one's view facts afresh."""
    out = tmp_path / "out"
    quiet_build(sources, out)
    cache = Cache(cache_dir(out), False, Limits())

    def facts(item: str | bytes) -> ViewFacts:
        found = pickle.loads(item) if isinstance(item, bytes) else cached_view(cache, item)
        assert found is not None
        return found

    return cache.get(PLAN, PLAN_KIND)["items"], facts


def test_a_graph_taken_out_of_a_merge_leaves_the_merge_of_the_others(
    sources: Path, tmp_path: Path
) -> None:
    keys, facts = _drawn(sources, tmp_path)
    for gone in keys:
        merged, ledger = ViewFacts(), Ledger()
        for key in keys:
            f = facts(key)
            ledger.count(f)
            merged.merge(f)
        ledger.take_out(merged, facts(gone))
        rest = ViewFacts()
        for key in keys:
            if key != gone:
                rest.merge(facts(key))
        assert merged == rest
        assert view_data(merged) == view_data(rest)


def test_rows_made_ahead_and_patched_equal_rows_made_afresh(sources: Path, tmp_path: Path) -> None:
    keys, facts = _drawn(sources, tmp_path)

    def merged(without: str | bytes = "") -> ViewFacts:
        m = ViewFacts()
        for key in keys:
            if key != without:
                m.merge(facts(key))
        return m

    def ahead() -> tuple[ViewFacts, Ledger, Joined]:
        m, ledger, joined = ViewFacts(), Ledger(), Joined()
        for key in keys:
            f = facts(key)
            ledger.count(f)
            m.merge(f)
        joined.join(m)
        return m, ledger, joined

    for gone in keys:
        # Merged after the join (its document new).
        m, joined = merged(without=gone), Joined()
        joined.join(m)
        joined.note(f := facts(gone))
        m.merge(f)
        assert view_data(m, joined=joined) == view_data(merged())
        # Taken out (its document removed), then put back (its graph moved, the same), or
        # put back without its first quoted node's quotes (moved, and changed).
        m, ledger, joined = ahead()
        joined.note(f := facts(gone))
        ledger.take_out(m, f)
        assert view_data(m, joined=joined) == view_data(merged(without=gone))
        shorter = copy.deepcopy(m)
        joined.note(f := facts(gone))
        m.merge(f)
        assert view_data(m, joined=joined) == view_data(merged())
        if f.quoted:
            f = facts(gone)
            del f.quoted[min(f.quoted)]
            whole = merged(without=gone)
            whole.merge(copy.deepcopy(f))
            shorter.merge(f)
            assert view_data(shorter, joined=joined) == view_data(whole)

    # Merged after the join, a graph that cites a quote as an actor's evidence, and one that
    # makes an incident of that actor.
    m, _ledger, joined = ahead()
    whole = merged()
    # The drawn actor quoted least (the view shows an actor's first MAX_MENTIONS quotes).
    actor = min(
        (len(q), n)
        for n, q in m.quoted.items()
        if m.values["pref"].get(n) and m.lg_types[n] and "Incident" not in m.lg_types[n]
    )[1]
    cited = min(q for quotes in m.quoted.values() for q in quotes.items())
    linked, typed = ViewFacts(), ViewFacts()
    linked.cited[actor] = dict([cited])
    typed.lg_types[actor].add("Incident")
    # And graphs that name an incident's place otherwise, date an incident anew, and place
    # an incident elsewhere (the dated row is made again; places are looked up for all).
    placed = sorted((s, o) for s, o, _, kind in m.edges if kind == "place")
    renamed, dated, moved = ViewFacts(), ViewFacts(), ViewFacts()
    renamed.values["pref"][placed[0][1]].add("A place named first")
    incident, graph = max(m.dates)
    day = {"earliest": "0001-01-01", "latest": "0001-01-01", "precision": "day", "text": "1 Jan 1"}
    dated.dates[(incident, graph + "-elsewhere")] = day
    unplaced = {i for i, kinds in m.lg_types.items() if "Incident" in kinds} - dict(placed).keys()
    places = {n for n, kinds in m.lg_types.items() if "Place" in kinds}
    elsewhere = min(places - {placed[0][1], actor})  # a place no other graph here changes
    moved.edges.add((min(unplaced), elsewhere, "place", "place"))
    for f in (m, whole):
        f.merge(copy.deepcopy(linked))  # merging uses up what is merged in
    joined.join(m)
    for extra in (typed, renamed, dated, moved):
        for f in (m, whole):
            f.merge(copy.deepcopy(extra))
        joined.note(extra)
    assert view_data(m, joined=joined) == view_data(whole)
    assert view_data(m, joined=joined) != view_data(merged())

    # Merged after the join, a graph that gives an incident one more quote, as its evidence
    # or as an annotation's body, and neither types nor names it.
    values = m.values
    incident = min(
        i
        for i in m.cited
        if "Incident" in m.lg_types.get(i, ())
        and values["label"].get(i)
        and values["incident_type"].get(i)
    )
    own = {path for path, _start, _end in m.cited[incident]}
    quote = max(q for quotes in m.quoted.values() for q in quotes.items() if q[0][0] not in own)
    cites, quotes = ViewFacts(), ViewFacts()
    cites.cited[incident] = dict([quote])
    quotes.quoted[incident] = dict([quote])
    # And one that makes an actor the target of an incident (its weight grows).
    involves = ViewFacts()
    involves.edges.add((incident, actor, "target", "target"))
    for extra in (cites, quotes, involves):
        m, _ledger, joined = ahead()
        whole = merged()
        for f in (m, whole):
            f.merge(copy.deepcopy(extra))
        joined.note(extra)
        assert view_data(m, joined=joined) == view_data(whole) != view_data(merged())


def test_a_layout_of_the_same_nodes_and_edges_is_taken_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from labourgraph import layout

    cache = Cache(tmp_path / "cache", False, Limits())
    ids = [f"n{i:02d}" for i in range(30)]
    edges = [(f"n{i:02d}", f"n{i * 7 % 30:02d}") for i in range(30)]
    more = [*edges, ("n01", "n02")]
    drawn, drawn_more, drawn_8 = (
        layout.positions(ids, edges),
        layout.positions(ids, more),
        layout.positions(ids, more, 8),
    )
    assert drawing_module.laid_out(cache, ids, edges) == drawn
    made: list[int] = []
    real = layout.lay_out
    monkeypatch.setattr(layout, "lay_out", lambda *args: made.append(1) or real(*args))
    # The same drawing in another order: from the cache.
    assert drawing_module.laid_out(cache, ids[::-1], edges[::-1]) == drawn
    assert made == []
    # One more edge: laid out again, and kept in place of the first.
    assert drawing_module.laid_out(cache, ids, more) == drawn_more
    assert drawing_module.laid_out(cache, ids, more) == drawn_more
    assert made == [1]
    # Another seed, or a damaged entry: laid out again.
    assert drawing_module.laid_out(cache, ids, more, seed=8) == drawn_8
    Path(cache.path(drawing_module.POSITIONS, PLAN_KIND, ".pickle")).write_bytes(b"damaged")
    assert drawing_module.laid_out(cache, ids, more) == drawn_more
    assert made == [1, 1, 1]


def test_the_layout_kept_says_which_nodes_and_pairs_it_is_of(tmp_path: Path) -> None:
    """What the drawing process compares to take the last layout ahead: the nodes it places
    and the pairs :func:`labourgraph.layout.numbered` makes of the edges."""
    from labourgraph.layout import numbered

    cache = Cache(tmp_path / "cache", False, Limits())
    ids = [f"n{i:02d}" for i in range(30)]
    # Both directions, repeats, loops, and ends that are not nodes.
    edges = [(f"n{i:02d}", f"n{i * 7 % 30:02d}", "agent", "agent") for i in range(30)]
    edges += [(t, s, "target", "target") for s, t, *_ in edges[:10]]
    edges += [("n01", "n01", "place", "place"), ("n02", "x", "place", "place")]
    pos = drawing_module.laid_out(cache, ids, [(s, t) for s, t, *_ in edges])
    kept = drawing_module._last_layout(cache)
    assert kept is not None
    assert kept[0] == pos and kept[0].keys() == set(ids)
    numbers, pairs = numbered(ids, [(s, t) for s, t, *_ in edges])
    assert kept[1] == drawing_module._id_pairs(set(ids), edges)
    assert kept[1] == {(numbers[a], numbers[b]) for a, b in pairs}
    fewer = [e for e in edges if {e[0], e[1]} != {"n01", "n07"}]
    assert drawing_module._id_pairs(set(ids), fewer) == kept[1] - {("n01", "n07")}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_that_adds_no_node_or_edge_keeps_the_layout(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from labourgraph import layout

    out = tmp_path / "out"
    quiet_build(sources, out, jobs=jobs)
    made: list[int] = []
    real = layout.lay_out
    monkeypatch.setattr(layout, "lay_out", lambda *args: made.append(1) or real(*args))
    doc = sorted(sources.glob("*.txt"))[0]
    doc.write_text(doc.read_text() + "\n\n")  # other bytes, the same facts
    assert quiet_build(sources, out, jobs=jobs).reused == len(list(sources.glob("*.txt"))) - 1
    assert made == []
    doc.write_text(doc.read_text() + "\nPolice arrested union organiser Dana Whitlow.\n")
    quiet_build(sources, out, jobs=jobs)
    assert made == [1]
    same_as_fresh(sources, out, tmp_path)


@pytest.mark.parametrize("where", ["read", "draw"])
def test_a_drawing_process_that_fails_fails_the_build_with_its_error(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Before it reads the build's list, or after: the build says what went wrong there
    (not that a pipe broke), and the last build stays as it was."""
    out, _first = _built(sources, tmp_path)
    before = (out / "network.html").read_bytes()

    def broken(*_args, **_kwargs):
        raise RuntimeError("the drawing broke")

    if where == "read":
        monkeypatch.setattr(drawing_module._Ahead, "read", broken)
    else:
        monkeypatch.setattr(drawing_module, "draw", broken)
    changed = sorted(sources.glob("*.txt"))[2]
    changed.write_text(changed.read_text() + "\nThis page was printed from the archive.\n")
    with pytest.raises(SideError, match="the drawing broke"):
        quiet_build(sources, out, jobs=2)
    assert (out / "network.html").read_bytes() == before


def test_a_plan_left_by_another_version_is_not_read_ahead(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out, jobs=2)
    cache = Cache(cache_dir(out), False, Limits())
    entry = cache.get(PLAN, PLAN_KIND)
    # What an older labourgraph left: its graphs not cached pickled as its classes were.
    entry["pipeline"] = "an older version"
    entry["items"] = [
        pickle.dumps("not view facts") if isinstance(item, bytes) else item
        for item in entry["items"]
    ]
    cache.put(PLAN, entry, PLAN_KIND)
    changed = sorted(sources.glob("*.txt"))[0]
    changed.write_text(changed.read_text() + "\nPolice arrested union leader Ana Torres.\n")
    quiet_build(sources, out, jobs=2)
    same_as_fresh(sources, out, tmp_path)


def _watch_base(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Record, from the drawing process, whether it began from a base and how many graphs
    differed from it (merged or taken out) before the build's list came."""
    real = drawing_module._Ahead._adopt

    def adopt(self, base, wanted, cache):
        began = real(self, base, wanted, cache)
        with log.open("a") as fh:
            fh.write(f"began {began}, {self.diffed} differed\n")
        return began

    monkeypatch.setattr(drawing_module._Ahead, "_adopt", adopt)


def _base(out: Path) -> drawing_module._Base:
    base = Cache(cache_dir(out), False, Limits()).get(drawing_module.BASE, PLAN_KIND)
    assert isinstance(base, drawing_module._Base)
    return base


def test_a_rebuild_begins_from_the_base_and_merges_or_takes_out_only_what_differs(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, first = _built(sources, tmp_path)
    assert _base(out).done == set(first)  # left by the first build (there was none)
    log = tmp_path / "base.log"
    _watch_base(monkeypatch, log)
    docs = sorted(sources.glob("*.txt"))
    # Edits that move no other document's graph, and change a quote: the old one must go.
    docs[1].write_text(docs[1].read_text().replace("The ", "the ", 1))
    quiet_build(sources, out, jobs=2)
    # The edited document's old graph taken out; nothing else differs.
    assert log.read_text() == "began True, 1 differed\n"
    docs[3].write_text(docs[3].read_text().replace("The ", "the ", 1))
    quiet_build(sources, out, jobs=2)
    # The base is still the first build's: both edited documents' old graphs taken out (the
    # cache kept the first one's for that), the first one's new graph merged.
    assert log.read_text().splitlines()[1] == "began True, 3 differed"
    assert _base(out).done == set(first)
    same_as_fresh(sources, out, tmp_path)


def test_a_base_too_far_behind_is_made_again(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, first = _built(sources, tmp_path)
    monkeypatch.setattr(drawing_module, "_STALE", 0)
    monkeypatch.setattr(drawing_module, "_STALE_SHARE", 0.0)
    changed = sorted(sources.glob("*.txt"))[0]
    changed.write_text(changed.read_text() + "\nPolice arrested union leader Ana Torres.\n")
    quiet_build(sources, out, jobs=2)
    assert _base(out).done == set(plan(out)) != set(first)


@pytest.mark.parametrize("damage", ["another version", "not a base"])
def test_a_base_this_version_cannot_use_is_left_and_made_again(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    out, _first = _built(sources, tmp_path)
    cache = Cache(cache_dir(out), False, Limits())
    if damage == "another version":
        base = _base(out)
        base.pipeline = "an older version"
        cache.put(drawing_module.BASE, base, PLAN_KIND)
    else:
        cache.put(drawing_module.BASE, {"merged": "something else"}, PLAN_KIND)
    log = tmp_path / "base.log"
    _watch_base(monkeypatch, log)
    changed = sorted(sources.glob("*.txt"))[0]
    changed.write_text(changed.read_text() + "\nPolice arrested union leader Ana Torres.\n")
    quiet_build(sources, out, jobs=2)
    assert not log.exists()  # merged graph by graph, as without a base
    assert _base(out).done == set(plan(out))
    same_as_fresh(sources, out, tmp_path)


def test_a_kept_layout_is_told_to_fit_from_the_edges_that_changed_as_from_all() -> None:
    rng = random.Random(3)
    nodes = [f"n{i}" for i in range(30)]

    def edge() -> tuple[str, str, str, str]:
        return (rng.choice(nodes), rng.choice(nodes), "label", rng.choice(["agent", "target"]))

    fits = [0, 0]  # kept layouts laid out for the edges merged ahead, for others
    for _ in range(1000):
        ahead = {edge() for _ in range(40)}
        ids = set(nodes[:25])
        # Laid out for the edges merged ahead, for fewer, or for more (those of a changed
        # document, not merged ahead, which the list may bring back).
        more = {edge() for _ in range(rng.randint(1, 3))}
        drawn = rng.choice([ahead, {e for e in ahead if rng.random() < 0.9}, ahead | more])
        laid = ({n: (0.0, 0.0) for n in ids}, drawing_module._id_pairs(ids, drawn))
        pairs = drawing_module._LaidPairs(laid, ahead)
        final = set(ahead)
        for _ in range(rng.randint(0, 3)):  # the list takes out edges and adds others
            if rng.random() < 0.4:
                final.discard(rng.choice(sorted(final)))
            else:
                final.add(edge() if rng.random() < 0.5 else rng.choice(sorted(more)))
        now = ids if rng.random() < 0.9 else set(nodes[:24])
        kept = pairs.same(now, final)
        assert (kept is None) == (drawing_module._same_layout(laid, now, final) is None)
        fits[drawn is ahead] += kept is not None
    assert 50 < fits[True] < 300 and 20 < fits[False] < 600  # both answers, often


def test_a_base_most_of_whose_graphs_changed_is_not_begun_from(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _first = _built(sources, tmp_path)
    log = tmp_path / "base.log"
    _watch_base(monkeypatch, log)
    docs = sorted(sources.glob("*.txt"))
    for doc in docs[: len(docs) // 2 + 1]:
        doc.write_text(doc.read_text().replace("The ", "the ", 1))
    quiet_build(sources, out, jobs=2)
    assert log.read_text() == "began False, None differed\n"
    assert _base(out).done == set(plan(out))  # none was begun from: a new one is left
    same_as_fresh(sources, out, tmp_path)
