"""Work spread over processes, results in input order, with a progress bar on a terminal."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from typing import TypeVar

from tqdm import tqdm

from .errors import LabourgraphError

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1  # prctl(2)


def show_progress() -> bool:
    """A progress bar only on a terminal, and never in CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def ordered_map(
    func: Callable[..., T],
    calls: list[tuple],
    jobs: int,
    desc: str,
    chunksize: int = 1,
    *,
    start: bool = False,
) -> Iterator[T]:
    """``func(*args)`` for each of ``calls``, in order, in up to ``jobs`` processes.

    Results come back in the order of ``calls`` whatever finishes first, so outputs do not
    depend on ``jobs``. Workers are forked: they start with what this process has loaded, so
    large shared inputs are best set in a module global before the call and named by index.
    With ``start`` (and ``jobs`` > 1) the workers start now, even for one call, and work
    while this process does something else before reading the results; otherwise work
    starts when the first result is asked for, and one call runs here.
    """
    bar = {"desc": desc, "total": len(calls), "disable": not show_progress(), "unit": "doc"}
    if jobs <= 1 or not calls or (len(calls) < 2 and not start):
        return (r for r in tqdm((func(*args) for args in calls), **bar))
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(min(jobs, len(calls)), mp_context=fork, initializer=_worker)
    try:
        results = pool.map(func, *zip(*calls, strict=True), chunksize=chunksize)
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    return _Results(pool, iter(tqdm(results, **bar)))


class _Results(Iterator[T]):
    """A pool's results in order; the pool is shut down once they are read or on close()."""

    def __init__(self, pool: ProcessPoolExecutor, results: Iterator[T]) -> None:
        self._pool = pool
        self._results = results

    def __next__(self) -> T:
        try:
            return next(self._results)
        except BaseException:  # the end, or a worker's error: either way the pool is done
            self.close()
            raise

    def close(self) -> None:
        """Stop the workers (unread results are dropped)."""
        self._pool.shutdown(cancel_futures=True)


class SideError(RuntimeError):
    """An unexpected exception in a side process (its traceback is the message)."""


class Side:
    """``func(*args)`` in a forked process while this one goes on; :meth:`wait` joins it.

    For work whose result is a file: nothing comes back but how long it took, or the error
    it met (a :class:`LabourgraphError` keeps its class and message; anything else comes
    back as a :class:`SideError` carrying the child's traceback). With ``fork=False`` the
    work runs here, at once. Fork only where no other thread of this process holds a lock.
    """

    def __init__(self, func: Callable[..., object], args: tuple, *, fork: bool) -> None:
        self._proc = None
        self._seconds = 0.0
        if not fork:
            start = time.perf_counter()
            func(*args)
            self._seconds = time.perf_counter() - start
            return
        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_side_main, args=(child_end, func, args), daemon=True)
        self._proc.start()
        child_end.close()

    def __enter__(self) -> Side:
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the work if it is still running (this process failed before waiting)."""
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join()

    def wait(self) -> float:
        """Seconds the work took; raises what it raised."""
        if self._proc is None:
            return self._seconds
        try:
            answer = self._conn.recv()
        except EOFError:  # died without a word: killed, or out of memory
            answer = None
        self._proc.join()
        self._conn.close()
        if answer is None:
            raise LabourgraphError(
                f"a side process of the build died (exit status {self._proc.exitcode})"
            )
        kind, value = answer
        if kind == "done":
            return value
        if kind == "labourgraph":
            raise LabourgraphError(value)
        raise SideError(value)


def _worker() -> None:
    # A worker collects garbage whatever its parent was doing when it forked.
    gc.enable()
    _detach()


def _detach() -> None:
    """In a forked process: let go of the build's lock, and die with the parent.

    Orphaned by a killed build, a child would keep the lock (its copy of the descriptor) and
    go on writing into a folder the next build deletes.
    """
    from . import outdir

    outdir.forget_lock()
    _die_with_parent()


# In a side process: the pipe to its parent and when the work started (see :func:`finish`).
_SIDE: tuple[Connection, float] | None = None


def finish() -> None:
    """In a side process whose work is done: tell the parent, and end the process at once.

    What the work made is left for the process's end to free: the kernel drops its pages in
    a moment, while Python would free millions of objects one by one. Outside a side process
    (``fork=False``) this does nothing.
    """
    if _SIDE is None:
        return
    conn, start = _SIDE
    conn.send(("done", time.perf_counter() - start))
    conn.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _side_main(conn: Connection, func: Callable[..., object], args: tuple) -> None:
    global _SIDE
    _detach()
    start = time.perf_counter()
    _SIDE = (conn, start)
    try:
        func(*args)
        conn.send(("done", time.perf_counter() - start))
    except LabourgraphError as exc:
        conn.send(("labourgraph", str(exc)))
    except BaseException:
        conn.send(("other", traceback.format_exc()))
    finally:
        conn.close()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)
