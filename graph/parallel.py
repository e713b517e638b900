"""Work spread over processes, results in input order, with a progress bar on a terminal."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def show_progress() -> bool:
    """A progress bar only on a terminal, and never in CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def ordered_map(
    func: Callable[..., T], calls: list[tuple], jobs: int, desc: str, chunksize: int = 1
) -> Iterator[T]:
    """``func(*args)`` for each of ``calls``, in order, in up to ``jobs`` processes.

    Results come back in the order of ``calls`` whatever finishes first, so outputs do not
    depend on ``jobs``. Workers are forked: they start with what this process has loaded, so
    large shared inputs are best set in a module global before the call and named by index.
    """
    bar = {"desc": desc, "total": len(calls), "disable": not show_progress(), "unit": "doc"}
    if jobs <= 1 or len(calls) < 2:
        yield from tqdm((func(*args) for args in calls), **bar)
        return
    fork = multiprocessing.get_context("fork")
    # A worker collects garbage whatever its parent was doing when it forked.
    with ProcessPoolExecutor(min(jobs, len(calls)), mp_context=fork, initializer=gc.enable) as pool:
        results = pool.map(func, *zip(*calls, strict=True), chunksize=chunksize)
        yield from tqdm(results, **bar)
