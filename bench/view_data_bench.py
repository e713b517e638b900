"""Time ``view_data_from_store`` (the network view's data read out of the store).

A full ``labourgraph build`` ends with this step, so timing it inside a build mixes it with
extraction and RDF writing. This script times it alone on an existing build's store, and can
make that build without the view step (``--build``), which matters when the step under test is
the slow one. CPU time is printed besides wall time: on a shared machine it is the steadier
figure. ``--save``/``--check`` pickle the result and compare a later run with it, so a
rewrite can be shown to return the same :class:`ViewData`.

Usage: .venv/bin/python bench/view_data_bench.py OUT [--build SOURCES] [--repeat 3]
       [--save REF.pickle | --check REF.pickle]

e.g.   .venv/bin/python bench/corpus.py --docs 1000 --out /tmp/c1000
       .venv/bin/python bench/view_data_bench.py /tmp/o1000 --build /tmp/c1000/sources
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from labourgraph import view_data
from labourgraph.view import ViewData


def build_without_view(sources: Path, out: Path) -> None:
    """``labourgraph build SOURCES --out OUT --no-ner`` with an empty view (the step we time)."""
    from labourgraph.cli import main

    real = view_data.view_data_from_store
    view_data.view_data_from_store = lambda store, title="labourgraph": ViewData(title, (), ())
    try:
        main(["build", str(sources), "--out", str(out), "--no-ner"], standalone_mode=False)
    finally:
        view_data.view_data_from_store = real


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("out", type=Path, help="build directory (its store/ is read)")
    ap.add_argument("--build", type=Path, metavar="SOURCES", help="build OUT from SOURCES first")
    ap.add_argument("--repeat", type=int, default=1, help="runs; the fastest is reported")
    ap.add_argument("--save", type=Path, help="pickle the ViewData here")
    ap.add_argument("--check", type=Path, help="exit 1 unless the ViewData equals this pickle")
    args = ap.parse_args()
    if args.build:
        build_without_view(args.build, args.out)
    store = ox.Store.read_only(str(args.out / "store"))
    print(f"{args.out}: {len(store):,} quads", flush=True)
    best, best_cpu, data = float("inf"), float("inf"), None
    for _ in range(max(1, args.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        data = view_data.view_data_from_store(store)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    evidence = sum(len(n.evidence) for n in data.nodes)
    print(
        f"view_data_from_store: {best:.2f} s wall, {best_cpu:.2f} s CPU  "
        f"({len(data.nodes):,} nodes, {len(data.edges):,} edges, {evidence:,} quotes)"
    )
    if args.save:
        args.save.write_bytes(pickle.dumps(data))
    if args.check:
        ref = pickle.loads(args.check.read_bytes())
        if data != ref:
            print(f"DIFFERENT from {args.check}", file=sys.stderr)
            return 1
        print(f"identical to {args.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
