"""Peak memory of a process and every process it starts, summed (Linux).

A build runs in several processes (workers, the view's process). ``ru_maxrss`` gives the
largest of them; what a laptop must hold is their sum at the worst moment. Resident sizes
count pages shared after a fork once per process, so this sums proportional set sizes (PSS:
each shared page divided among its sharers), sampled from ``/proc`` on a thread.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path


def pss_kib(pid: int) -> int:
    """One process's PSS in KiB (0 once it is gone, or without ``/proc``)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from each thread's ``children`` list."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            tasks = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            with contextlib.suppress(OSError):  # the thread or process just ended
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


class PeakMemory:
    """Samples the summed PSS of ``pid``'s process tree until stopped; :attr:`peak_mib`."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(pss_kib(p) for p in tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(self.interval)
