"""Incremental builds: unchanged documents come from OUT.cache, and the outputs do not change."""

from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from labourgraph import build as build_module
from labourgraph import cache as cache_module
from labourgraph import dataset, extraction
from labourgraph.cache import GRAPHS, cache_dir

from .conftest import OUTPUTS, SOURCES, nquads, quiet_build, same_as_fresh, same_outputs

NAMES = sorted(p.name for p in SOURCES.glob("*.txt"))


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents this test's builds really extract (in this process: ``jobs=1``)."""
    seen: list[str] = []
    real = extraction.extract

    def counting(doc, **kwargs):
        seen.append(Path(doc.path).name)
        return real(doc, **kwargs)

    monkeypatch.setattr(extraction, "extract", counting)  # the build imports it when needed
    return seen


def entries(out: Path) -> list[Path]:
    return sorted(cache_dir(out).glob("*.pickle"))


def test_a_second_build_reuses_every_document_and_writes_the_same_bytes(
    sources: Path, tmp_path: Path, extracted: list[str]
) -> None:
    out = tmp_path / "out"
    first = quiet_build(sources, out)
    assert first.reused == 0 and sorted(extracted) == NAMES
    fresh = tmp_path / "fresh"
    shutil.copytree(out, fresh)
    extracted.clear()
    second = quiet_build(sources, out)
    assert second.reused == len(NAMES) and extracted == []
    assert "unchanged, taken from the cache" in second.summary()
    same_outputs(out, fresh)
    assert len(entries(out)) == len(NAMES)


def store_quads(out: Path) -> set:
    store = ox.Store.read_only(str(out / "store"))
    quads = set(store)
    del store
    return quads


def test_a_changed_document_alone_is_extracted_again(
    sources: Path, tmp_path: Path, extracted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    updates: list[tuple[list[str], int]] = []
    real_update = dataset.update_store

    def spy(path: Path, previous: Path, remove: list[str], add: list[bytes], **kw) -> None:
        updates.append((remove, len(add)))
        real_update(path, previous, remove, add, **kw)

    monkeypatch.setattr(dataset, "update_store", spy)
    changed = sources / NAMES[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nPolice arrested union leader Marta Quispe.\n",
        encoding="utf-8",
    )
    extracted.clear()
    result = quiet_build(sources, out)
    assert extracted == [NAMES[0]] and result.reused == len(NAMES) - 1
    assert "Marta Quispe" in nquads(out)
    # The previous store, updated in the graphs that changed: that document's, the entities'.
    ((removed, added),) = updates
    assert any(NAMES[0].split(".")[0].replace("_", "-") in g for g in removed)
    assert added == len(removed)
    assert result.store.startswith(f"updated: {len(removed)} graphs removed, {added} added (")
    # The same bytes as a build that never saw the old version, and the same store content.
    clean = tmp_path / "clean"
    quiet_build(sources, clean, cache=False)
    same_outputs(out, clean)
    assert store_quads(out) == store_quads(clean)
    assert len(entries(out)) == len(NAMES)  # the old version's entry is gone
    # and its graph's three files (entry, TriG, view facts)
    graphs = sorted(p.name for p in (cache_dir(out) / GRAPHS).iterdir())
    assert len(graphs) == 3 * len(NAMES)
    assert {name.split(".", 1)[1] for name in graphs} == {"pickle", "trig", "view"}


def test_a_removed_document_leaves_the_graph_and_the_cache(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    gone = NAMES[-1]
    graph_name = "/id/graph/" + gone.replace(".", "-").replace("_", "-") + ">"
    assert graph_name in nquads(out)
    (sources / gone).unlink()
    (sources / (gone + ".meta.yaml")).unlink()
    result = quiet_build(sources, out)
    assert result.documents == len(NAMES) - 1
    assert graph_name not in nquads(out)
    graphs = {str(q.graph_name) for q in store_quads(out)}
    assert not [g for g in graphs if g.endswith(graph_name)]
    assert len(entries(out)) == len(NAMES) - 1


def test_a_changed_sidecar_or_pipeline_means_a_fresh_extraction(
    sources: Path, tmp_path: Path, extracted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    sidecar = sources / (NAMES[1] + ".meta.yaml")
    sidecar.write_text(
        sidecar.read_text(encoding="utf-8") + "publisher: Another Publisher\n", encoding="utf-8"
    )
    extracted.clear()
    quiet_build(sources, out)
    assert extracted == [NAMES[1]]
    monkeypatch.setattr(cache_module, "pipeline_version", lambda: "a later release")
    extracted.clear()
    assert quiet_build(sources, out).reused == 0
    assert sorted(extracted) == NAMES


def test_the_folder_named_another_way_reuses_every_document(
    sources: Path, tmp_path: Path, extracted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relative, absolute or by another route: a document is keyed by its place in the folder,
    and its problems name it as the build was given it."""
    (sources / "long.txt").write_text("The union met the ministry. " * 300, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    first = quiet_build(Path("sources"), out)
    assert first.reused == 0
    for spelling in (Path("..") / tmp_path.name / "sources", sources):
        extracted.clear()
        again = quiet_build(spelling, out)
        assert again.reused == first.documents and extracted == []
        warned = [p.path for p in again.problems if "split" in p.problem]
        assert warned == [str(spelling / "long.txt")]
    same_as_fresh(sources, out, tmp_path)


def test_a_corrupt_entry_is_recomputed_not_trusted(
    sources: Path, tmp_path: Path, extracted: list[str]
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    for entry in entries(out):
        entry.write_bytes(b"not a pickle")
    extracted.clear()
    result = quiet_build(sources, out)
    assert result.reused == 0 and sorted(extracted) == NAMES
    assert quiet_build(sources, out).reused == len(NAMES)  # rewritten whole


@pytest.mark.parametrize(
    ("part", "damage"),
    [
        (".pickle", lambda p: p.write_bytes(b"not a pickle")),
        (".trig", lambda p: p.write_bytes(p.read_bytes()[:-10])),  # cut short
        (".trig", lambda p: p.unlink()),
        (".view", lambda p: p.write_bytes(b"not a pickle")),
        (".view", lambda p: p.unlink()),
    ],
    ids=["entry", "short-trig", "no-trig", "bad-view", "no-view"],
)
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_damaged_graph_block_is_written_again(
    sources: Path, tmp_path: Path, part: str, damage, jobs: int
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    before = {name: (out / name).read_bytes() for name in OUTPUTS}
    blocks = sorted((cache_dir(out) / GRAPHS).glob("*.pickle"))
    assert len(blocks) == len(NAMES)
    for block in blocks:
        damage(block.with_suffix(part))
    # A graph.trig changed since its build is not copied from: the damaged blocks are needed.
    os.utime(out / "graph.trig")
    quiet_build(sources, out, jobs=jobs)
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    assert all(pickle.loads(b.read_bytes()) for b in blocks)  # rewritten
    for block in blocks:  # whole again
        assert pickle.loads(block.with_suffix(".view").read_bytes())
        assert (
            block.with_suffix(".trig").stat().st_size == pickle.loads(block.read_bytes()).trig_size
        )


def test_unchanged_graphs_are_copied_from_the_previous_graph_trig(
    sources: Path, tmp_path: Path
) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    quiet_build(sources, out)
    for trig in (cache_dir(out) / GRAPHS).glob("*.trig"):
        trig.unlink()  # not read: the last build's graph.trig holds the same bytes
    edited = sources / NAMES[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    quiet_build(sources, out)
    quiet_build(sources, fresh, cache=False)
    same_outputs(out, fresh)
    # Only the edited document's graph was written, so only its TriG is in the cache.
    assert len(list((cache_dir(out) / GRAPHS).glob("*.trig"))) == 1
    # Then copied from this build's graph.trig in turn: the graphs lie where it says.
    edited.write_text(edited.read_text(encoding="utf-8") + "Two more.\n", encoding="utf-8")
    quiet_build(sources, out)
    quiet_build(sources, fresh, cache=False)
    same_outputs(out, fresh)


@pytest.mark.parametrize("change", ["rewritten", "cut short", "replaced"])
def test_a_graph_trig_changed_since_its_build_is_not_copied_from(
    sources: Path, tmp_path: Path, change: str
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    before = {name: (out / name).read_bytes() for name in OUTPUTS}
    trig = out / "graph.trig"
    data = trig.read_bytes()
    if change == "rewritten":  # same size, other bytes, a later time
        trig.write_bytes(data.replace(b"labour", b"LABOUR"))
    elif change == "cut short":
        trig.write_bytes(data[: len(data) // 2])
    else:  # another file of the same bytes and times
        copy = tmp_path / "copy.trig"
        shutil.copy2(trig, copy)
        os.replace(copy, trig)
    quiet_build(sources, out)
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before


def test_no_cache_neither_reads_nor_writes_it(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out, cache=False)
    assert not cache_dir(out).exists()
    quiet_build(sources, out)
    assert quiet_build(sources, out, cache=False).reused == 0


def test_unchanged_texts_are_the_previous_builds_files_and_an_edited_one_is_new(
    sources: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    texts = {p.name: p.stat().st_ino for p in (out / "text").iterdir()}
    edited = sources / NAMES[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    quiet_build(sources, out)
    again = {p.name: p for p in (out / "text").iterdir()}
    assert sorted(again) == sorted(texts)
    changed = [name for name, p in again.items() if p.stat().st_ino != texts[name]]
    assert len(changed) == 1  # the others are hard links to the files the first build wrote
    assert again[changed[0]].read_text(encoding="utf-8") == edited.read_text(encoding="utf-8")


def test_unchanged_texts_are_linked_unread_and_one_edited_in_the_folder_is_written_again(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    tampered = sorted((out / "text").iterdir())[0]
    good = tampered.read_bytes()
    tampered.write_bytes(b"x" * len(good))  # the same size, a new time
    read: list[str] = []

    def counting(file, *args, **kwargs):
        read.append(Path(file).parent.name)
        return open(file, *args, **kwargs)

    monkeypatch.setattr(build_module, "open", counting, raising=False)
    quiet_build(sources, out)
    assert (out / "text" / tampered.name).read_bytes() == good
    assert read.count("text") == 1 + 1  # the tampered file read, then written again


def test_the_text_folder_before_the_last_begins_the_next_and_keeps_its_unchanged_files(
    sources: Path, tmp_path: Path
) -> None:
    out, spare = tmp_path / "out", cache_dir(tmp_path / "out") / cache_module.SPARE_TEXTS
    quiet_build(sources, out)
    quiet_build(sources, out)  # the first build's texts are kept as the spare
    inodes = {p.name: p.stat().st_ino for p in (out / "text").iterdir()}
    assert {p.name: p.stat().st_ino for p in spare.iterdir()} == inodes
    edited, gone = sources / NAMES[0], sources / NAMES[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    gone.unlink()
    quiet_build(sources, out)
    again = {p.name: p.stat().st_ino for p in (out / "text").iterdir()}
    assert len(again) == len(inodes) - 1
    assert sum(again[name] != inodes[name] for name in again) == 1  # the edited one
    # Neither kept nor made again: the spare's files and the new folder are one set of files.
    assert {p.name: p.stat().st_ino for p in spare.iterdir()} == inodes
    same_as_fresh(sources, out, tmp_path)


@pytest.mark.parametrize("damage", ["rewritten", "stray file", "folder"])
def test_a_spare_text_folder_that_changed_is_mended_or_dropped(
    sources: Path, tmp_path: Path, damage: str
) -> None:
    out, spare = tmp_path / "out", cache_dir(tmp_path / "out") / cache_module.SPARE_TEXTS
    quiet_build(sources, out)
    quiet_build(sources, out)
    first = sorted(spare.iterdir())[0]
    if damage == "rewritten":  # a new file of the same size: not the one the build kept
        size = first.stat().st_size
        first.unlink()
        first.write_bytes(b"x" * size)
    elif damage == "stray file":
        (spare / "stray.txt").write_text("not a document's text")
    else:
        (spare / "stray").mkdir()
    quiet_build(sources, out)
    assert not (out / "text" / "stray.txt").exists() and not (out / "text" / "stray").exists()
    same_as_fresh(sources, out, tmp_path)


def test_half_written_entries_a_killed_build_left_are_deleted_and_whole_ones_kept(
    sources: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out, jobs=2)
    folder = cache_dir(out)
    kept = sorted(p.relative_to(folder) for p in folder.glob("[!.]*/*.pickle"))
    assert Path("view/base.pickle") in kept and Path("index/files.pickle") in kept
    stray = [folder / "view" / ".base.123.tmp", folder / "index" / ".files.456.tmp"]
    for path in stray:
        path.write_bytes(b"half")
    quiet_build(sources, out, jobs=2)
    assert not any(path.exists() for path in stray)
    assert sorted(p.relative_to(folder) for p in folder.glob("[!.]*/*.pickle")) == kept


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source files this test's builds read to key them."""
    read: list[str] = []
    real = cache_module.Cache.key

    def counting(self, path, root):
        read.append(Path(path).name)
        return real(self, path, root)

    monkeypatch.setattr(cache_module.Cache, "key", counting)
    return read


def test_files_unchanged_since_the_last_build_are_not_read_to_key_them(
    sources: Path,
    tmp_path: Path,
    keyed: list[str],
    extracted: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    assert sorted(keyed) == NAMES
    # The fixture's files were written just now; a build trusts times a while old.
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    quiet_build(sources, out)
    keyed.clear()
    extracted.clear()
    assert quiet_build(sources, out).reused == len(NAMES) and keyed == []
    # Same size, the old modification time put back: the change time still tells.
    changed = sources / NAMES[2]
    before = changed.stat()
    text = changed.read_text()
    changed.write_text(text.replace("union", "UNION", 1))
    assert changed.stat().st_size == before.st_size
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))
    fresh = tmp_path / "fresh"
    assert quiet_build(sources, out).reused == len(NAMES) - 1
    assert keyed == [NAMES[2]] and extracted == [NAMES[2]]
    quiet_build(sources, fresh, cache=False)
    same_outputs(out, fresh)


def test_files_changed_just_before_the_last_build_are_read_again(
    sources: Path, tmp_path: Path, keyed: list[str]
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    keyed.clear()
    # Within a clock tick of that build's look, a second write could show the same times.
    assert quiet_build(sources, out).reused == len(NAMES)
    assert sorted(keyed) == NAMES


def test_a_sidecar_added_since_the_last_build_is_read(
    sources: Path, tmp_path: Path, keyed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    quiet_build(sources, out)
    quiet_build(sources, out)
    keyed.clear()
    target = sources / NAMES[0]
    (sources / (NAMES[0] + ".meta.yaml")).write_text("title: A later title\n")
    assert quiet_build(sources, out).reused == len(NAMES) - 1
    assert keyed == [target.name]
    report = json.loads((out / "report.json").read_text())
    assert "A later title" in json.dumps(report["documents"])


@pytest.mark.parametrize("copy_range", ["missing", "refused"])
def test_graph_trig_is_the_same_where_the_kernel_cannot_copy_files(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy_range: str
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    before = (out / "graph.trig").read_bytes()
    edited = sources / NAMES[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    if copy_range == "missing":  # a system without copy_file_range
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    else:  # a file system that refuses it

        def refuse(*args, **kwargs):
            raise OSError(errno.EXDEV, "cross-device copy")

        monkeypatch.setattr(os, "copy_file_range", refuse)
    quiet_build(sources, out)
    clean = tmp_path / "clean"
    quiet_build(sources, clean, cache=False)
    same_outputs(out, clean)
    assert (out / "graph.trig").read_bytes() != before


def test_a_graph_key_is_the_same_read_from_the_aligned_resolution_or_looked_up(
    sources: Path, tmp_path: Path
) -> None:
    from labourgraph.curation import curate
    from labourgraph.dataset import _slice_key

    result = quiet_build(sources, tmp_path / "out")
    curated = curate(result.held[0], [])
    assert curated.aligned is not None
    for x in curated.extractions:
        args = (x, curated.resolution, "text/x.txt", curated.mention_reasons, "")
        assert _slice_key(*args, curated.aligned) == _slice_key(*args)


def test_a_document_naming_an_entity_first_rewrites_no_other_documents_graph(
    sources: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    quiet_build(sources, out)
    before = json.loads((out / "graphs.json").read_text())["graphs"]
    # Every source names the ITUC: the new document, first in order, now names it first.
    (sources / "0000-new.txt").write_text("Statement\n\nThe ITUC spoke first.\n")
    quiet_build(sources, out)
    after = json.loads((out / "graphs.json").read_text())["graphs"]
    assert [g for g in before if g in after and after[g] != before[g]] == []
    same_as_fresh(sources, out, tmp_path)
