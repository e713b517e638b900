"""Deterministic node positions for the network view.

Nodes are numbered in id order and edges become pairs of numbers (a direction and repeats
do not matter): no graph object is made for the view (for tests and tools,
:func:`build_graph` makes a :class:`networkx.DiGraph` that :func:`compute_layout` lays out
the same way). Each weakly
connected component is laid out on its own with igraph's Fruchterman-Reingold (grid variant
above :data:`GRID_ABOVE` nodes), started from a seed matrix drawn from ``random.Random(seed)``
while igraph's random generator is temporarily bound to a ``Random`` with the same seed. Each
component is scaled so that its median edge is :data:`EDGE_LENGTH` pixels long, then the
components are shelf-packed, biggest first, into a roughly square area. Coordinates are
rounded to one decimal, so the same graph and seed always give the same positions.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

# igraph imports matplotlib.pyplot, when installed, for plotting this module never does: 0.6 s
# of every build's start. Told matplotlib is absent it skips that (igraph's own matplotlib
# plotting is then off in this process; matplotlib itself imports as usual afterwards).
_HIDE = "matplotlib" not in sys.modules and "igraph" not in sys.modules
if _HIDE:
    sys.modules["matplotlib"] = None  # type: ignore[assignment]
try:
    import igraph as ig
finally:
    if _HIDE:
        del sys.modules["matplotlib"]

EDGE_LENGTH = 130.0  # pixels between neighbours (median), at zoom 1
GAP = 90.0  # pixels between packed components
GRID_ABOVE = 300  # grid FR: 10x faster from ~500 nodes (0.2 s vs 2 s at 1k), drawing alike
ITERATIONS = 500
# Above this many nodes a component gets proportionally fewer iterations (no fewer than
# MIN_ITERATIONS): about a quarter of the time for a component the size of a 10,000-document
# build's largest, drawn alike (bench/layout_bench.py; figures in bench/README.md).
FULL_ITERATIONS_UP_TO = 10_000
MIN_ITERATIONS = 150
Pos = dict[str, tuple[float, float]]

if TYPE_CHECKING:
    import networkx as nx


def build_graph(node_ids: Iterable[str], edges: Iterable[tuple[str, str]]) -> nx.DiGraph:
    """A directed graph with ``node_ids`` (sorted) and the edges between known nodes."""
    import networkx as nx  # for tests and tools: the view's layout needs no graph object

    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(set(node_ids)))
    graph.add_edges_from(sorted((s, t) for s, t in edges if s != t and s in graph and t in graph))
    return graph


def positions(node_ids: Iterable[str], edges: Iterable[tuple[str, str]], seed: int = 7) -> Pos:
    """The view's drawing of these nodes: :func:`compute_layout` of :func:`build_graph`,
    made without either (no networkx graph: a build's view has tens of thousands of nodes)."""
    return lay_out(*numbered(node_ids, edges), seed)


def numbered(
    node_ids: Iterable[str], edges: Iterable[tuple[str, str]]
) -> tuple[list[str], list[tuple[int, int]]]:
    """The nodes sorted, and the edges between two of them as sorted pairs of their numbers
    (low first, each once, no loops): all the layout depends on besides the seed."""
    ids = sorted(set(node_ids))
    index = {node: i for i, node in enumerate(ids)}
    pairs = set()
    for s, t in edges:
        a, b = index.get(s), index.get(t)
        if a is not None and b is not None and a != b:
            pairs.add((a, b) if a < b else (b, a))
    return ids, sorted(pairs)


def iterations(n: int) -> int:
    """Fruchterman-Reingold iterations for a component of ``n`` nodes."""
    if n <= FULL_ITERATIONS_UP_TO:
        return ITERATIONS
    return max(MIN_ITERATIONS, ITERATIONS * FULL_ITERATIONS_UP_TO // n)


def lay_out(ids: list[str], pairs: list[tuple[int, int]], seed: int = 7) -> Pos:
    """:func:`positions` of nodes and edges already :func:`numbered`: ``ids`` sorted, ``pairs``
    sorted index pairs, low first."""
    if not ids:
        return {}
    # Weakly connected components, each sorted, biggest first (ties: first id first).
    members = ig.Graph(n=len(ids), edges=pairs).connected_components().membership
    comps: dict[int, list[int]] = {}
    for i, c in enumerate(members):
        comps.setdefault(c, []).append(i)
    order = sorted(comps, key=lambda c: (-len(comps[c]), comps[c][0]))
    # Each component's pairs, in its own numbering: sorted still, as the numbering keeps order.
    local = [0] * len(ids)
    for nodes in comps.values():
        for k, i in enumerate(nodes):
            local[i] = k
    edges: dict[int, list[tuple[int, int]]] = {c: [] for c in comps}
    for a, b in pairs:
        edges[members[a]].append((local[a], local[b]))
    rng = random.Random(seed)
    ig.set_random_number_generator(random.Random(seed))
    try:
        parts = [_component_layout([ids[i] for i in comps[c]], edges[c], rng) for c in order]
    finally:
        ig.set_random_number_generator(random)
    packed = _pack(parts)
    return {node: (round(x, 1) + 0.0, round(y, 1) + 0.0) for node, (x, y) in sorted(packed.items())}


def _component_layout(comp: list[str], pairs: list[tuple[int, int]], rng: random.Random) -> Pos:
    """Positions for one component, centred on the origin, median edge = EDGE_LENGTH."""
    n = len(comp)
    if n == 1:
        return {comp[0]: (0.0, 0.0)}
    if n == 2:
        half = EDGE_LENGTH / 2
        return {comp[0]: (-half, 0.0), comp[1]: (half, 0.0)}
    g = ig.Graph(n=n, edges=pairs)
    # igraph's own starting box (side sqrt(n)); a wider start makes the grid variant up to
    # 5x slower at 20k nodes for no better drawing (bench/README.md).
    half = math.sqrt(n) / 2
    seed = [[rng.uniform(-half, half), rng.uniform(-half, half)] for _ in range(n)]
    coords = g.layout_fruchterman_reingold(
        seed=seed, niter=iterations(n), grid=n > GRID_ABOVE
    ).coords
    lengths = [math.dist(coords[a], coords[b]) for a, b in pairs]
    median = statistics.median(lengths) if lengths else 0.0
    scale = EDGE_LENGTH / median if median > 1e-9 else EDGE_LENGTH
    cx = sum(x for x, _ in coords) / n
    cy = sum(y for _, y in coords) / n
    return {
        node: ((x - cx) * scale, (y - cy) * scale)
        for node, (x, y) in zip(comp, coords, strict=True)
    }


def _pack(parts: list[Pos]) -> Pos:
    """Shelf-pack component layouts (already in the order wanted) into rows."""
    boxes = []
    for part in parts:
        xs = [x for x, _ in part.values()]
        ys = [y for _, y in part.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    area = sum((w + GAP) * (h + GAP) for _, _, w, h in boxes)
    row_width = max(math.sqrt(area) * 1.2, max((w for _, _, w, _ in boxes), default=0.0))
    out: Pos = {}
    x = y = row_height = 0.0
    for part, (minx, miny, w, h) in zip(parts, boxes, strict=True):
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        for node, (px, py) in part.items():
            out[node] = (px - minx + x, py - miny + y)
        x += w + GAP
        row_height = max(row_height, h)
    # centre the whole drawing on the origin
    if out:
        cx = (min(p[0] for p in out.values()) + max(p[0] for p in out.values())) / 2
        cy = (min(p[1] for p in out.values()) + max(p[1] for p in out.values())) / 2
        out = {node: (px - cx, py - cy) for node, (px, py) in out.items()}
    return out


def compute_layout(graph: nx.DiGraph, seed: int = 7) -> Pos:
    """Positions ``{node: (x, y)}`` in vis-network pixels, rounded to 0.1, deterministic."""
    return positions(graph.nodes, graph.edges, seed)
