"""The build folder ``OUT``: one writer at a time, outputs staged beside it and swapped in whole.

A build takes ``OUT.lock`` (``fcntl.flock``, released by the kernel when the process dies, so a
killed build never leaves a stale lock), writes everything into ``OUT.building-<pid>`` and then
swaps it in. On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call: readers see the old
build or the new one, never neither. Elsewhere (or on a file system without it) ``OUT`` is first
renamed to ``OUT.old-<pid>`` and the new build renamed in; a crash between the two renames is
undone by the next build, which puts ``OUT.old-<pid>`` back. Leftover staging folders are
removed by the next build into the same ``OUT``: holding the lock proves no build is writing
them, whatever their pid (a pid may have been reused since).

``LABOURGRAPH_KILL_AT=<checkpoint>`` makes a build SIGKILL itself at that checkpoint, so the
crash tests can stop it at exact points (see :data:`CHECKPOINTS`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import BuildLockedError, LabourgraphError

KILL_ENV = "LABOURGRAPH_KILL_AT"
CHECKPOINTS = ("locked", "loaded", "staged", "stored", "rendered", "half-swapped", "swapped")
_POLL = 0.2  # seconds between attempts to take a held lock
_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100
# A folder holding one of these is a build (graph.nq: one made before N-Quads were on demand).
_BUILD_MARKERS = ("report.json", "graph.trig", "graph.nq")


def checkpoint(name: str) -> None:
    """Die by SIGKILL here if ``LABOURGRAPH_KILL_AT`` names this checkpoint (crash tests)."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def lock_path(out: Path) -> Path:
    """The lock file of ``out``: ``OUT.lock`` beside it (never deleted: that would race)."""
    return out.with_name(out.name + ".lock")


@contextlib.contextmanager
def locked(
    out: Path, *, wait: float = 0.0, notify: Callable[[str], None] = print
) -> Iterator[None]:
    """Hold the lock of ``out``; wait up to ``wait`` seconds for another build to finish.

    BuildLockedError if it is still held then. ``notify`` gets one line when waiting starts.
    """
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    _HELD.append(fd)
    try:
        if not _try_lock(fd):
            holder = _holder(fd)
            if wait <= 0:
                raise BuildLockedError(str(out), holder, 0)
            notify(f"Waiting up to {wait:g} s for another build ({holder}) writing {out}")
            deadline = time.monotonic() + wait
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise BuildLockedError(str(out), holder, wait)
                time.sleep(_POLL)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        yield
    finally:
        _HELD.remove(fd)
        os.close(fd)  # releases the lock


# Descriptors of the locks this process holds. A forked child shares the lock with its
# parent while it keeps a copy of the descriptor (flock locks belong to the open file).
_HELD: list[int] = []


def forget_lock() -> None:
    """In a forked child: close its copies of the lock descriptors; the parent keeps the lock."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    text = os.pread(fd, 100, 0).decode("ascii", "replace").strip()
    return text if re.fullmatch(r"pid \d+", text) else "another process"


def check_target(out: Path) -> None:
    """Refuse an ``out`` that exists and is not a build: swapping would delete its files."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise LabourgraphError(f"{out}: not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not any((out / m).exists() for m in _BUILD_MARKERS):
        raise LabourgraphError(
            f"{out}: exists and is not a labourgraph build (no report.json); "
            "choose another --out or empty it, since a build replaces the whole folder"
        )


def _leftovers(out: Path) -> list[tuple[str, Path]]:
    pattern = re.compile(re.escape(out.name) + r"\.(building|old)-\d+")
    if not out.parent.is_dir():
        return []
    return sorted(
        (m.group(1), p)
        for p in out.parent.iterdir()
        if (m := pattern.fullmatch(p.name)) and p.is_dir() and not p.is_symlink()
    )


def recover(out: Path) -> list[str]:
    """Undo what a killed build left (call with the lock held); what was done, one line each."""
    done = []
    leftovers = _leftovers(out)
    if not out.exists():
        # Killed between the two renames of a swap: the previous build is still whole.
        old = [p for kind, p in leftovers if kind == "old"]
        if old:
            os.rename(old[-1], out)
            done.append(f"restored the previous build from {old[-1].name}")
    for _kind, path in _leftovers(out):
        shutil.rmtree(path, ignore_errors=True)
        done.append(f"removed {path.name}, left by a build that was stopped")
    return done


def staging_path(out: Path) -> Path:
    """Where this process builds ``out``: ``OUT.building-<pid>`` (see :func:`staging_dir`)."""
    return out.with_name(f"{out.name}.building-{os.getpid()}")


def staging_dir(out: Path) -> Path:
    """A fresh, empty ``OUT.building-<pid>``."""
    staging = staging_path(out)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def swap_in(
    staging: Path,
    out: Path,
    *,
    exchange: bool = True,
    keep: dict[str, Path | None] | None = None,
    synced: bool = False,
) -> None:
    """Make the finished ``staging`` folder ``out``, then delete the previous build.

    ``keep`` names folders of the previous build to move elsewhere rather than delete
    (``{"text": spare}``), replacing what is there. ``synced``: the caller has synced the
    files (see :func:`sync_tree`); the folder itself is synced here.
    """
    # The new build is on disk before any name points at it.
    if synced:
        sync(staging)
    else:
        sync_tree(staging)
    if out.exists() and exchange and _exchange(staging, out):
        checkpoint("swapped")
        old = staging  # it holds the previous build now
    else:
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        if out.exists():
            os.rename(out, old)
        checkpoint("half-swapped")
        os.rename(staging, out)
        checkpoint("swapped")
    for name, dest in (keep or {}).items():
        if dest is not None and (old / name).is_dir():
            shutil.rmtree(dest, ignore_errors=True)
            with contextlib.suppress(OSError):
                os.rename(old / name, dest)
    shutil.rmtree(old, ignore_errors=True)
    sync(out.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not supported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:  # glibc older than 2.28, or musl
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # kernel or file system lacks it
        return False
    raise OSError(err, os.strerror(err), str(b))


def sync_tree(root: Path, *, skip: str = "") -> None:
    """Flush every file and folder under ``root`` to disk (but a file named ``skip`` at its
    top, synced by its writer)."""
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if skip and folder == os.fspath(root) and name.lstrip(".").startswith(skip):
                continue  # the file, or its writer's temporary file (renamed meanwhile)
            path = Path(folder) / name
            # A file with other links is one of the previous build's (an unchanged text, a
            # store file shared by the backup), synced when that build was swapped in.
            if os.stat(path, follow_symlinks=False).st_nlink == 1:
                sync(path)
        sync(Path(folder))


def sync(path: Path) -> None:
    """Flush a file or folder to disk (a finished output early, so the swap waits less)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
