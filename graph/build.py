"""The whole pipeline: sources -> documents -> extraction -> resolution -> RDF -> store -> view.

Failures are data: a file that cannot be used, or whose extraction fails, becomes a
:class:`Problem` (one line on stderr, a row in ``report.json``) and the build goes on. Severities:
``error`` the file was skipped, ``warning`` it was used with a caveat (a guessed encoding, a split
paragraph), ``note`` something worth knowing that loses nothing (UTF-16 read by its BOM).
Only errors and warnings count for ``--strict``.

Outputs are written into ``OUT.building-<pid>`` and swapped in at the end, under a lock, so a
failed or killed build never leaves a half-written ``OUT`` (see :mod:`labourgraph.outdir`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import outdir
from .cache import SPARE_TEXTS, Cache, Entry, cache_dir, mark
from .curation import Curated, add_facts, added_key, curate, judgements_graph
from .dataset import GRAPH_FILE, MANIFEST, Written, make_blocks, write_files, write_store
from .documents import find_sources, load_document
from .drawing import Drawing, draw_here, kept_graphs, save_plan
from .errors import DocumentError, LabourgraphError, one_line
from .extraction import ner as ner_model
from .jsontext import indented
from .judgements import Judgement
from .judgements import find_files as find_judgements
from .judgements import load as load_judgements
from .loaders import Limits
from .model import Document, Extraction, Problem
from .parallel import ordered_map
from .resolve import resolve_detailed, slug
from .resolved import Resolver
from .review import to_json as review_json

SEVERITIES = ("error", "warning", "note")
_LABELS = {"error": "Skipped", "warning": "Warning", "note": "Note"}
_BUG = "report it with the file (--debug shows where it failed)"
VIEW_FILE = "network.html"


@dataclass
class BuildResult:
    """What a build made, and the problems it met on the way."""

    out: Path
    documents: int = 0
    quads: int = 0
    entities: Counter = field(default_factory=Counter)
    incidents: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    reused: int = 0  # documents whose loading and extraction came from the cache
    ner: bool = False  # whether the statistical NER ran (it changes what is found)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in order
    store: str = ""  # how the store was made: loaded afresh, or which graphs were replaced
    # What the build made in memory (its documents and extractions), freed with the result
    # rather than as the build returns (see :func:`labourgraph.cli.build`).
    held: list[object] = field(default_factory=list, repr=False, compare=False)

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the time spent in the block to ``stages[stage]``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[stage] = self.stages.get(stage, 0.0) + time.perf_counter() - start

    def timings(self) -> str:
        """One line: where the build's time went."""
        total = sum(self.stages.values())
        parts = ", ".join(f"{k} {v:.1f}" for k, v in self.stages.items())
        store = f" (store {self.store})" if self.store else ""
        return f"Stage times (s): {parts}; total {total:.1f}{store}"

    @property
    def strict_problems(self) -> list[Problem]:
        """The problems that fail a ``--strict`` build (errors and warnings, not notes)."""
        return [p for p in self.problems if p.severity != "note"]

    def summary(self) -> str:
        """A one-screen summary; the problems themselves were printed as they were met."""
        counts = Counter(p.severity for p in self.problems)
        words = {"error": "skipped", "warning": "warning", "note": "note"}
        found = ", ".join(
            f"{counts[s]} {words[s]}{'s' if counts[s] > 1 and s != 'error' else ''}"
            for s in SEVERITIES
            if counts[s]
        )
        return "\n".join(
            [
                f"Built {self.documents} documents into {self.out}/ ({self.quads} quads"
                + (f"; {self.reused} unchanged, taken from the cache)" if self.reused else ")"),
                "  entities:  " + ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items())),
                "  incidents: " + ", ".join(f"{k} {v}" for k, v in sorted(self.incidents.items())),
                f"  graph: {self.out}/graph.trig   store: {self.out}/store   "
                f"view: {self.out}/network.html",
                f"  report: {self.out}/report.json   problems: {found or 'none'}",
            ]
        )


def _stderr(line: str) -> None:
    tqdm.write(line, file=sys.stderr)  # keeps a progress bar intact


class _Problems:
    """Collects problems, printing each on one line as it is met."""

    def __init__(self, into: list[Problem], echo: Callable[[str], None]) -> None:
        self.items = into
        self.echo = echo
        self.shown = 0

    def add(self, path: str, problem: str, severity: str = "error") -> None:
        self.items.append(Problem(path, problem, severity))
        self.flush()

    def flush(self) -> None:
        for p in self.items[self.shown :]:
            self.echo(f"{_LABELS[p.severity]}: {one_line(p.path)}: {p.problem}")
        self.shown = len(self.items)


@dataclass(frozen=True)
class _Loaded:
    """One source file after loading: its document (None if unusable) and cache state."""

    document: Document | None
    problems: list[Problem]
    key: str | None = None  # its cache key
    cached: Entry | None = None  # its cached load and extraction, when unchanged


def _load_one(path: Path, root: Path, limits: Limits, debug: bool, key: str | None) -> _Loaded:
    """Load one file, returning its problems rather than raising (it may run in a worker)."""
    problems: list[Problem] = []
    try:
        return _Loaded(load_document(path, root, limits=limits, problems=problems), problems, key)
    except DocumentError as exc:
        problems.append(Problem(exc.path, exc.problem))
    except Exception as exc:  # a parser bug on one file must not sink the build
        if debug:
            raise
        problems.append(Problem(str(path), f"could not be read ({_what(exc)}); {_BUG}"))
    return _Loaded(None, problems)


def _extract_one(
    loaded: _Loaded, debug: bool, ner: bool, cache: Cache | None
) -> tuple[Extraction | None, list[Problem]]:
    """Extract one document; write its cache entry."""
    from .extraction import extract  # spaCy's import is only paid when a document is new

    doc = loaded.document
    assert doc is not None
    try:
        extraction, problems = extract(doc, ner=ner), []
    except Exception as exc:  # one bad document must not sink the build
        if debug:
            raise
        extraction = None
        problems = [Problem(doc.path, f"extraction failed ({_what(exc)}); {_BUG}")]
    if cache is not None and loaded.key is not None:
        entry = Entry(doc, tuple(loaded.problems), extraction, tuple(problems))
        cache.put(loaded.key, entry)
    return extraction, problems


@dataclass(frozen=True)
class _Fresh:
    """What the workers loading and extracting new files need: set before the pool forks
    them, so a worker gets it with its memory instead of it being pickled with every call
    (the cache remembers every key the build uses: sent per call, that is quadratic)."""

    calls: list[tuple[Path, Path, str | None]]  # (path, root, cache key)
    limits: Limits
    debug: bool
    ner: bool
    cache: Cache | None


_FRESH: _Fresh | None = None


_Result = tuple[_Loaded, Extraction | None, list[Problem]]  # one file's load and extraction


def _load_and_extract(i: int) -> _Result:
    """Load file ``i`` of :data:`_FRESH` and extract it; the extraction comes back without
    its document (it comes with the load), which halves what crosses between processes.

    A file that turns out to duplicate another is extracted too (it is skipped after): that
    is known only once every file is loaded, and waiting for it would keep the extraction
    of new files from overlapping the reading of known ones.
    """
    job = _FRESH
    assert job is not None
    loaded, extraction, problems = _fresh(job, *job.calls[i])
    if extraction is not None:
        extraction = dataclasses.replace(extraction, document=None)  # type: ignore[arg-type]
    return loaded, extraction, problems


def _fresh(job: _Fresh, path: Path, root: Path, key: str | None) -> _Result:
    """Load one file and extract it (nothing to extract when it cannot be loaded)."""
    loaded = _load_one(path, root, job.limits, job.debug, key)
    if loaded.document is None:
        return loaded, None, []
    return loaded, *_extract_one(loaded, job.debug, job.ner, job.cache)


def _load_all(
    sources: list[Path],
    problems: _Problems,
    limits: Limits,
    debug: bool,
    jobs: int,
    ner: bool,
    cache: Cache | None,
    result: BuildResult,
    drawing: Drawing | None = None,
) -> tuple[list[Extraction], dict[str, str]]:
    """Every usable document's extraction in document order, and their cache keys.

    Known files (unchanged since a build that cached them) are read from the cache here
    (stage ``load``); new ones are loaded and extracted in ``jobs`` processes started first,
    so they work while the cache is read (stage ``extract``: the wait for them). Problems
    are printed in file order: loading and duplicates first, then extraction.
    """
    global _FRESH
    with result.timed("load"):
        files = find_sources(sources, problems.items)
        problems.flush()
        keys: list[str | None] = [None] * len(files)
        if cache is not None:
            keys = cache.keys(files, jobs)
        known = [key is not None and cache is not None and cache.has(key) for key in keys]
    _FRESH = _Fresh(
        [(p, r, k) for (p, r), k, hit in zip(files, keys, known, strict=True) if not hit],
        limits,
        debug,
        ner,
        cache,
    )
    calls = [(i,) for i in range(len(_FRESH.calls))]
    fresh = ordered_map(_load_and_extract, calls, jobs, "extract", start=True)
    try:
        # Unchanged documents are read here: sent through a worker, each would be
        # unpickled there, pickled again and unpickled here.
        found: list[_Result | tuple[Path, Path, str] | None] = []
        with result.timed("load"), _no_collections():
            for (path, root), key, hit in zip(files, keys, known, strict=True):
                entry = cache.get(key) if hit and cache is not None and key else None
                if entry is not None and entry.document.path != os.fspath(path):
                    entry = _respelled(entry, os.fspath(path))
                if entry is not None:
                    loaded = _Loaded(entry.document, list(entry.load_problems), key, entry)
                    found.append((loaded, entry.extraction, list(entry.extract_problems)))
                else:  # new (None), or an entry that went bad since it was listed
                    found.append((path, root, key) if hit and key else None)
        if drawing is not None:
            # Only now: the view's process would slow down this process's reading, which
            # everything waits for, not the extraction of new files, which takes less.
            drawing.expect([k for k, hit in zip(keys, known, strict=True) if hit and k])
        with result.timed("extract"):
            results = _in_order(found, fresh)
    finally:
        fresh.close()  # after an error: stop the workers
        _FRESH = None
    return _usable(results, problems, cache, result)


def _respelled(entry: Entry, path: str) -> Entry:
    """``entry`` of a file the last build was given by another name (its folder named
    relative, absolute or by another route): its document and problems name it as now."""
    old = entry.document.path
    doc = dataclasses.replace(entry.document, path=path)

    def named(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
        return tuple(dataclasses.replace(p, path=path) if p.path == old else p for p in problems)

    extraction = entry.extraction
    if extraction is not None:
        extraction = dataclasses.replace(extraction, document=doc)
    return Entry(doc, named(entry.load_problems), extraction, named(entry.extract_problems))


def _in_order(
    found: list[_Result | tuple[Path, Path, str] | None], fresh: Iterator[_Result]
) -> list[_Result]:
    """Each file's result, known or new, in file order (a known entry that went bad since
    it was listed is loaded and extracted again, here)."""
    out = []
    job = _FRESH
    assert job is not None
    for hit in found:
        if hit is None:
            loaded, extraction, found_problems = next(fresh)
            if extraction is not None:
                extraction = dataclasses.replace(extraction, document=loaded.document)
            out.append((loaded, extraction, found_problems))
        elif isinstance(hit[0], Path):
            out.append(_fresh(job, *hit))
        else:
            out.append(hit)
    return out


def _usable(
    results: list[_Result], problems: _Problems, cache: Cache | None, result: BuildResult
) -> tuple[list[Extraction], dict[str, str]]:
    """The extractions of the documents that are neither unusable nor duplicates, and
    their cache keys; counts those taken from the cache."""
    by_hash: dict[str, str] = {}
    by_slug: dict[str, str] = {}
    keys: dict[str, str] = {}
    kept: list[tuple[str, Extraction | None, list[Problem]]] = []
    for loaded, extraction, extract_problems in results:
        problems.items.extend(loaded.problems)
        problems.flush()
        doc = loaded.document
        if doc is None:
            continue
        if doc.sha256 in by_hash:
            problems.add(doc.path, f"same content as {one_line(by_hash[doc.sha256])}; skipped")
            continue
        # Ids and text file names come from the slug: two names with one slug would collide.
        key = slug(doc.doc_id)
        if key in by_slug:
            problems.add(
                doc.path,
                f"its name gives the same id '{key}' as {one_line(by_slug[key])}; "
                "skipped (rename one of them)",
            )
            continue
        by_hash[doc.sha256] = by_slug[key] = doc.path
        if loaded.key is not None:
            keys[doc.doc_id] = loaded.key
            if cache is not None:
                cache.used.add(loaded.key)
        result.reused += loaded.cached is not None
        kept.append((doc.doc_id, extraction, extract_problems))
    kept.sort(key=lambda k: k[0])
    out = []
    for _doc_id, extraction, extract_problems in kept:
        problems.items.extend(extract_problems)
        problems.flush()
        if extraction is not None:
            out.append(extraction)
    return out, keys


def _what(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _write_texts(
    staging: Path,
    previous: Path,
    texts: list[tuple[str, str, str | None]],
    cache: Cache | None,
) -> None:
    """Write each ``(relative path, text, document's cache key)`` into ``staging``, or
    hard-link the previous build's copy when it is the same.

    A link costs no data written, synced, or freed when the previous build is deleted. The
    previous copy is taken unread when ``cache`` says the last build wrote it for the same
    key and it has not changed since (size, time, inode); else it is read and compared.
    This build's files are noted in ``cache`` for the next.

    The folder begins as the text folder of the build before the last (the cache's spare,
    see :func:`labourgraph.outdir.swap_in`): its links to the files the last build kept
    stay, and only the changed documents' files are made, not 10,000 links a build.
    """
    folder = os.path.join(staging, "text")
    there = (
        _adopt_spare(os.path.join(cache.folder, SPARE_TEXTS), folder)
        if cache is not None
        else set()
    )
    if not there:
        os.makedirs(folder, exist_ok=True)
    known = cache.last_texts if cache is not None else {}
    made: dict[str, tuple[str, int, int, int, int]] = {}
    for rel, text, key in texts:
        path, before = os.path.join(staging, rel), os.path.join(previous, rel)
        name = rel.rpartition("/")[2]
        if name in there:
            there.discard(name)
            with contextlib.suppress(OSError):
                seen = (key, *mark(os.stat(path)))
                if key is not None and known.get(rel) == seen:
                    made[rel] = seen  # the very file the last build kept for this key
                    continue
            os.unlink(path)
        data = text.encode("utf-8")
        with contextlib.suppress(OSError):
            st = os.stat(before)
            seen = (key, *mark(st))
            if st.st_size == len(data) and (
                (key is not None and known.get(rel) == seen) or _holds(before, data)
            ):
                os.link(before, path)
                if key is not None:
                    made[rel] = seen
                continue
        with open(path, "wb") as fh:
            fh.write(data)
        if key is not None:
            made[rel] = (key, *mark(os.stat(path)))
    for name in there:  # documents gone since the build before the last
        os.unlink(os.path.join(folder, name))
    if cache is not None:
        cache.texts = made


def _adopt_spare(spare: str, folder: str) -> set[str]:
    """Move the folder ``spare`` to ``folder`` and name the files in it; nothing moved
    when it is missing or holds anything but files (it is only a head start)."""
    try:
        with os.scandir(spare) as found:
            entries = list(found)
        if all(e.is_file(follow_symlinks=False) for e in entries):
            os.rename(spare, folder)
            return {e.name for e in entries}
    except OSError:
        return set()
    shutil.rmtree(spare, ignore_errors=True)
    return set()


def _holds(path: str, data: bytes) -> bool:
    with open(path, "rb") as fh:
        return fh.read() == data


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def _rare_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while the block runs.

    A build makes millions of objects that live until it ends (documents, mentions, quads)
    and almost no reference cycles. With the default thresholds the collector re-scans the
    survivors over and over as the heap grows; here young objects are scanned every 100,000
    allocations instead of 700 and the long-lived ones are left alone. Worker processes forked
    inside inherit the setting. The stages that make no cycles at all run with no collection
    (:func:`_no_collections`).
    """
    saved = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.unfreeze()  # what :func:`_no_collections` set aside is collectable again
        gc.set_threshold(*saved)


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """No cyclic garbage collection in this process while the block runs.

    For the stages that only build long-lived data out of finished parts (unpickling cached
    documents, resolution, the graphs, the view): they make next to no reference cycles, yet
    even rare collections re-scan the young objects of millions of allocations. Loading and
    extracting new documents, which do leave cycles behind (parsers), keep collecting; so do
    worker processes (:func:`labourgraph.parallel.ordered_map` re-enables collection in them).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the block made is set aside: left young, the next collection would scan it
        # all at once. :func:`_rare_collections` puts it back when the build ends.
        gc.freeze()
        if was:
            gc.enable()


def build(
    sources: list[Path],
    out: Path,
    *,
    limits: Limits | None = None,
    wait: float = 0.0,
    jobs: int = 1,
    ner: bool | None = None,
    debug: bool = False,
    echo: Callable[[str], None] = _stderr,
    judgements: Path | None = None,
    cache: bool = True,
) -> BuildResult:
    """Build ``out`` from ``sources``; bad files become problems, the rest goes on.

    ``limits`` bound what one file may cost; ``wait`` is how long to wait for another build
    into the same ``out`` (BuildLockedError after); ``jobs`` is how many processes load and
    extract documents (the outputs are the same for any number); ``ner`` adds the
    statistical model's people (None: when the model is installed); ``debug`` lets an unexpected
    exception in one file stop the build with its traceback; ``echo`` prints the one-line messages;
    ``judgements`` is a judgements file besides each source folder's ``judgements.yaml``;
    ``cache`` reuses the loading, extraction and graph of documents unchanged since the last
    build into ``out``, and updates its store (see :mod:`labourgraph.cache` and
    :mod:`labourgraph.dataset`; the outputs are the same either way).
    """
    out = out.resolve()
    limits = limits or Limits()
    result = BuildResult(out)
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        raise LabourgraphError(f"{one_line(missing[0])}: no such file or folder; check the path")
    # A malformed judgement stops the build before any work, with its file and entry.
    judged = load_judgements(find_judgements(sources, judgements))
    with _rare_collections(), outdir.locked(out, wait=wait, notify=echo):
        outdir.check_target(out)
        for line in outdir.recover(out):
            echo(f"Note: {out}: {line}")
        outdir.checkpoint("locked")
        problems = _Problems(result.problems, echo)
        # Decided once here, so every worker process extracts the same way.
        use_ner = ner_model.installed() if ner is None else ner
        result.ner = use_ner
        if use_ner and not ner_model.installed():
            raise LabourgraphError(
                f"--ner: the model {ner_model.MODEL} is not installed; "
                "pip install --require-hashes -r requirements-ner.txt"
            )
        reuse = Cache(cache_dir(out), use_ner, limits) if cache else None
        with contextlib.ExitStack() as stack:
            # Given a second job, the view is drawn by a process forked now, while this one
            # is small (see :mod:`labourgraph.drawing`).
            drawing = None
            if jobs > 1:
                dest = outdir.staging_path(out) / VIEW_FILE
                drawing = stack.enter_context(Drawing(reuse, dest))
            extractions, keys = _load_all(
                sources, problems, limits, debug, jobs, use_ner, reuse, result, drawing
            )
            result.held.append(extractions)
            outdir.checkpoint("loaded")
            staging = outdir.staging_dir(out)
            try:
                with _no_collections():
                    _write_outputs(
                        staging, out, extractions, result, judged, echo, keys, reuse, drawing, jobs
                    )
                with result.timed("swap"):
                    # The last build's texts are kept for the next build's (see _write_texts).
                    spare = cache_dir(out) / SPARE_TEXTS if reuse is not None else None
                    keep = {"text": spare} if spare else {}
                    outdir.swap_in(staging, out, keep=keep, synced=drawing is not None)
                if drawing is not None:
                    with result.timed("view"):  # the view's process keeping its state
                        drawing.close()
            except BaseException:
                stack.close()  # the drawing process stops before its folder goes
                shutil.rmtree(staging, ignore_errors=True)
                raise
        if reuse is not None:
            with result.timed("swap"):
                # Only once the build is in: a failed build keeps the old entries. The
                # graphs the view's base holds are kept to take them out of it again.
                reuse.used.update(kept_graphs(reuse))
                reuse.prune()
                reuse.save_index()
    return result


def _write_outputs(
    staging: Path,
    previous: Path,
    extractions: list[Extraction],
    result: BuildResult,
    judged: list[Judgement],
    echo: Callable[[str], None],
    keys: dict[str, str],
    cache: Cache | None,
    drawing: Drawing | None,
    jobs: int,
) -> None:
    """Write every output of the build into ``staging`` (``previous``: the build it replaces).

    The view is drawn by ``drawing``'s process while this one writes the rest, or here first.
    """
    # Every document's source text is kept, so evidence can be checked without the sources
    # (an unchanged document's is the last build's, linked).
    text_files = {x.document.doc_id: f"text/{slug(x.document.doc_id)}.txt" for x in extractions}
    texts = [
        (text_files[x.document.doc_id], x.document.source_text, keys.get(x.document.doc_id))
        for x in extractions
    ]
    with result.timed("resolve"):
        # With a cache, only the parts of the last build's resolution a change touches are
        # resolved again (see labourgraph.resolved).
        resolver = Resolver(cache, keys) if cache is not None else None
        curated = curate(extractions, judged, resolver=resolver or resolve_detailed)
    for line in curated.lines():
        echo(line)
    extractions, resolution = curated.extractions, curated.resolution
    with result.timed("rdf"):
        blocks = make_blocks(
            extractions,
            resolution,
            text_files,
            curated.mention_reasons,
            graphs=[judgements_graph(curated)],
            additions=functools.partial(add_facts, curated),
            added=functools.partial(added_key, curated),
            keys=keys,
            cache=cache,
            jobs=jobs,
            aligned=curated.aligned,
        )
    # The view needs nothing from the other files but the blocks.
    with result.timed("view"):
        if drawing is not None:
            drawing.send(blocks)
        else:
            draw_here(blocks.view(), staging / VIEW_FILE, cache)
    with result.timed("rdf"):
        written = write_files(staging, previous, blocks)
        result.quads = written.quads
    if cache is not None:
        save_plan(cache, blocks, staging / MANIFEST)
    if resolver is not None:
        resolver.save()
    outdir.checkpoint("staged")
    # The store is loaded in a thread while the report is written: Oxigraph's loader runs
    # outside the GIL, so on two cores the two overlap.
    with ThreadPoolExecutor(1) as pool:
        storing = pool.submit(_write_store, staging, previous, written)
        if drawing is not None:
            with result.timed("view"):
                drawing.lay_out()
        with result.timed("rdf"):
            # Nothing waits for them until the build is swapped in (in a thread beside the
            # resolution, they slowed it down more than they take here).
            _write_texts(staging, previous, texts, cache)
        _write_report(staging, extractions, curated, result)
        with result.timed("store"):  # the wait for the store once the rest is written
            result.store = storing.result()
    outdir.checkpoint("stored")
    if drawing is not None:
        # Synced while the view's process finishes the page (which it syncs itself).
        with result.timed("swap"):
            outdir.sync_tree(staging, skip=VIEW_FILE)
        with result.timed("view"):  # the wait for the view's process
            drawing.wait()
    outdir.checkpoint("rendered")


def _write_store(staging: Path, previous: Path, written: Written) -> str:
    # Synced here, beside the report, rather than in the swap.
    outdir.sync(staging / GRAPH_FILE)
    return write_store(staging, previous, written)


def _write_report(
    staging: Path,
    extractions: list[Extraction],
    curated: Curated,
    result: BuildResult,
) -> None:
    resolution = curated.resolution
    result.documents = len(extractions)
    result.entities = Counter(e.type for e in resolution.entities)
    result.incidents = Counter(i.type for x in extractions for i in x.incidents)
    report = {
        "documents": {
            x.document.doc_id: {
                "format": x.document.format,
                "title": x.document.meta.title,
                "mentions": len(x.mentions),
                "relations": len(x.relations),
                "incidents": len(x.incidents),
            }
            for x in extractions
        },
        "entities": dict(sorted(result.entities.items())),
        "incidents": dict(sorted(result.incidents.items())),
        "ner": result.ner,
        "quads": result.quads,
        "problems": [
            {"path": p.path, "problem": p.problem, "severity": p.severity} for p in result.problems
        ],
        "judgements": curated.report(),
        "review_candidates": [
            {"left": c.left, "right": c.right, "score": c.score, "reason": c.reason}
            for c in resolution.candidates
        ],
    }
    with result.timed("report"):
        _write(staging / "review.json", review_json(curated.review_items()))
        _write(staging / "report.json", indented(report))
