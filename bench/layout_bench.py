"""Benchmark the view's layout of one large component: full iterations against the scaled ones.

A component above ``layout.FULL_ITERATIONS_UP_TO`` nodes gets fewer Fruchterman-Reingold
iterations (``layout.iterations``). For a seeded scale-free graph of each size (about two
edges per node, like the giant component of a large build) this prints the time of the layout
with ``layout.ITERATIONS`` and with the scaled count, and two measures of the drawing:

* spread/edge: median distance of random node pairs over the median edge length (higher:
  neighbours sit closer together relative to the whole drawing);
* long edges: share of edges longer than three median edges.

Usage: .venv/bin/python bench/layout_bench.py [--sizes 10000,31465]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time

import igraph as ig
from build_bench import machine
from labourgraph import layout


def graph(n: int, seed: int = 1) -> ig.Graph:
    """A connected scale-free graph of ``n`` nodes (preferential attachment, two edges each)."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        return ig.Graph.Barabasi(n, 2)
    finally:
        ig.set_random_number_generator(random)


def draw(g: ig.Graph, niter: int, seed: int = 7) -> tuple[float, list[tuple[float, float]]]:
    """Seconds and coordinates of the layout as ``layout._component_layout`` makes it."""
    rng = random.Random(seed)
    half = math.sqrt(g.vcount()) / 2
    start = [[rng.uniform(-half, half), rng.uniform(-half, half)] for _ in range(g.vcount())]
    ig.set_random_number_generator(random.Random(seed))
    try:
        began = time.perf_counter()
        coords = g.layout_fruchterman_reingold(seed=start, niter=niter, grid=True).coords
        return time.perf_counter() - began, coords
    finally:
        ig.set_random_number_generator(random)


def quality(g: ig.Graph, coords: list[tuple[float, float]]) -> tuple[float, float]:
    """(spread/edge, long-edge share) of a drawing."""
    lengths = [math.dist(coords[a], coords[b]) for a, b in g.get_edgelist()]
    median = statistics.median(lengths)
    rng = random.Random(1)
    n = len(coords)
    spread = statistics.median(
        math.dist(coords[rng.randrange(n)], coords[rng.randrange(n)]) for _ in range(20_000)
    )
    long_share = sum(length > 3 * median for length in lengths) / len(lengths)
    return spread / median, long_share


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,31465", help="comma-separated node counts")
    args = parser.parse_args(argv)
    print(f"Command: bench/layout_bench.py {' '.join(argv or sys.argv[1:])}".rstrip())
    print(f"Machine: {machine()}\n")
    print("| nodes | iterations | seconds | spread/edge | long edges |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n in (int(s) for s in args.sizes.split(",")):
        g = graph(n)
        for niter in dict.fromkeys((layout.ITERATIONS, layout.iterations(n))):
            seconds, coords = draw(g, niter)
            spread, long_share = quality(g, coords)
            print(f"| {n:,} | {niter} | {seconds:.2f} | {spread:.1f} | {long_share:.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
