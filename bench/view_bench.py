"""Benchmark the network view against pyvis defaults and a bare vis-network page.

For synthetic graphs of each size (average degree 3) the script writes three pages of the same
graph and opens each in headless Debian chromium with every request aborted and counted:

* ``ours``:  ``labourgraph.view.render`` (precomputed layout, search, filters, timeline);
* ``bare``:  vis-network alone with the same positions and options (the floor);
* ``pyvis``: pyvis 0.3.2 defaults (physics and stabilisation on, dynamic smooth edges).

It reports the HTML size, the time from navigation to the first drawn frame and to a settled
view (drawn, physics stopped, the next animation frame runs), and for ``ours`` how long a search
and a type filter take once settled. ``--physics-sizes`` adds a table of our view with physics
on and off, which is how ``view.PHYSICS_MAX_NODES`` was chosen.

Usage: .venv/bin/python bench/view_bench.py [--sizes 1000,5000,20000] [--timeout 120]
       [--repeat 3] [--physics-sizes 100,200,400] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from labourgraph import view
from labourgraph.browser import launch
from labourgraph.model import ACTOR_TYPES
from labourgraph.view import Evidence, ViewData, ViewEdge, ViewNode
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

ID = "https://w3id.org/labourgraph/id/"
# Share of actor/convention/law/place nodes by type; the rest of the graph (45 %) is incidents.
KIND_MIX = (
    ("Person", 30),
    ("TradeUnion", 14),
    ("UnionFederation", 4),
    ("GovernmentBody", 10),
    ("InternationalOrganization", 2),
    ("Company", 10),
    ("CivilSocietyGroup", 5),
    ("Media", 3),
    ("Legislation", 4),
    ("Place", 16),
    ("ILOConvention", 2),
)
INCIDENT_SHARE = 0.45
DEGREE = 3.0
FIRST = "Aigerim Askar Bolat Daniyar Erlan Gulnara Irina Kairat Larisa Marat Nurlan Olga"
LAST = "Akhmetov Belova Dzhaksybekov Eleusinov Ivanova Kim Kushakbaev Nurgaliyev Petrov Sadykova"
COUNTRIES = "Belarus Georgia Kazakhstan Kyrgyzstan Moldova Russia Tajikistan Ukraine Uzbekistan"
TRADES = "Oil Teachers Miners Railway Health Textile Metal Transport Energy Postal Food Media"
PAGES = ("ours", "bare", "pyvis")
PUBLISHERS = ("ITUC", "ILO CFA", "EPSU", "IndustriALL", "HRW", "Solidarity Center")


def _iri(kind: str, i: int) -> str:
    return f"{ID}{kind}/{hashlib.sha256(f'{kind}{i}'.encode()).hexdigest()[:16]}"


def synthetic(n: int, seed: int = 1) -> ViewData:
    """A labour-rights-like graph of ``n`` nodes and about ``1.5 n`` edges, fixed by ``seed``."""
    rng = random.Random(seed)
    first, last, countries = FIRST.split(), LAST.split(), COUNTRIES.split()
    trades = TRADES.split()
    docs = [
        (
            f"docs/{i:05d}.html",
            f"{rng.choice(countries)}: report on violations of trade-union rights no. {i}",
            rng.choice(PUBLISHERS),
            f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"https://example.org/reports/{i}",
        )
        for i in range(max(5, n // 8))
    ]

    def evidence(exact: str, k: int, sentence: bool) -> tuple[Evidence, ...]:
        # As the store has them: actors quoted by their mention (a name, 24 characters of
        # context either side), incidents by the sentence that reports them.
        out = []
        for doc_id, title, publisher, published, url in rng.sample(docs, k):
            quote = exact
            if sentence:
                quote = (
                    f"On {published} the {publisher} reported that {exact} took place after "
                    f"workers at the plant had demanded the right to form an independent union, "
                    f"in breach of ILO Convention 87."
                )
            start = rng.randint(0, 20_000)
            out.append(
                Evidence(
                    quote,
                    doc_id,
                    title,
                    publisher,
                    published,
                    url,
                    start,
                    start + len(quote),
                    prefix="according to reports, th",
                    suffix=" was named in the letter",
                )
            )
        return tuple(sorted(out, key=lambda e: (e.doc_id, e.start)))

    n_incidents = round(n * INCIDENT_SHARE)
    total = sum(w for _, w in KIND_MIX)
    kinds = [k for k, w in KIND_MIX for _ in range(w)]
    by_kind: dict[str, list[str]] = {k: [] for k, _ in KIND_MIX}
    nodes: list[ViewNode] = []
    for i in range(n - n_incidents):
        kind = kinds[i % total]
        country = rng.choice(countries)
        if kind == "Person":
            label, aliases = f"{rng.choice(first)} {rng.choice(last)}", ()
        elif kind in ("TradeUnion", "UnionFederation"):
            trade = rng.choice(trades)
            label = f"{trade} Workers' Union of {country} {i}"
            aliases = (f"{trade[0]}WU{country[0]}{i}",)
        elif kind == "Place":
            label, aliases = f"{rng.choice(trades)}ovsk {i}", ()
        elif kind == "ILOConvention":
            label, aliases, country = f"C{i:03d} Convention {i}", (f"C{i}",), ""
        else:
            label, aliases = f"{kind} {rng.choice(trades)} {i}", ()
        iri = _iri("entity", i)
        by_kind[kind].append(iri)
        nodes.append(
            ViewNode(
                iri,
                label,
                kind,
                "",
                aliases=aliases,
                country=country,
                evidence=evidence(label, rng.randint(1, 4), False),
            )
        )
    actors = [iri for k, iris in by_kind.items() for iri in iris if k in ACTOR_TYPES]
    places, conventions = by_kind["Place"], by_kind["ILOConvention"]

    def hub(pool: list[str]) -> str:
        # Squared uniform: a few early nodes become hubs, as big unions and ministries are.
        return pool[int(len(pool) * rng.random() ** 2)]

    edges: dict[tuple[str, str], ViewEdge] = {}

    def link(s: str, t: str, kind: str, label: str) -> None:
        if s != t:
            edges.setdefault((s, t), ViewEdge(s, t, label, kind))

    itypes = list(view.INCIDENT_STYLE)
    for i in range(n_incidents):
        itype = itypes[i % len(itypes)]
        iri = _iri("incident", i)
        y, m, d = rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28)
        precision = rng.choice(("day", "day", "month", "year"))
        d0, d1, text = {
            "day": (f"{y}-{m:02d}-{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{d} {m}/{y}"),
            "month": (f"{y}-{m:02d}-01", f"{y}-{m:02d}-28", f"{m}/{y}"),
            "year": (f"{y}-01-01", f"{y}-12-31", str(y)),
        }[precision]
        agent, target = hub(actors), hub(actors)
        link(agent, iri, "agent", "agent")
        link(iri, target, "target", "target")
        place = hub(places) if places and rng.random() < 0.6 else ""
        if place:
            link(iri, place, "place", "place")
        convention = hub(conventions) if conventions and rng.random() < 0.3 else ""
        if convention:
            link(iri, convention, "convention", "convention")
        # Measured on sources/: 1.2 reports per incident, and 2 in 5 incidents share their
        # sentence with another (one act per victim); actors have 2.7 mentions.
        if i and rng.random() < 0.4:
            ev = nodes[-1].evidence
        else:
            ev = evidence(f"the {itype.lower()} no. {i}", 1 + (rng.random() < 0.2), True)
        nodes.append(
            ViewNode(
                iri,
                f"{itype} {i}",
                "Incident",
                itype,
                weight=len(ev),
                date_earliest=d0,
                date_latest=d1,
                date_text=text,
                precision=precision,
                place=place and f"place {place[-4:]}",
                conventions=("C087",) if convention else (),
                reports=tuple(e.doc_id for e in ev),
                evidence=ev,
            )
        )
    relation = (("position", "chair"), ("affiliated_to", "affiliated to"), ("part_of", "part of"))
    while actors and len(edges) < round(n * DEGREE / 2):
        kind, label = rng.choice(relation)
        link(hub(actors), hub(actors), kind, label)
    involvement: dict[str, int] = {}
    for e in edges.values():
        if e.kind in ("agent", "target"):
            actor = e.source if e.kind == "agent" else e.target
            involvement[actor] = involvement.get(actor, 0) + 1
    nodes = [
        ViewNode(**{**node.__dict__, "weight": involvement.get(node.id, 0)})
        if node.kind != "Incident"
        else node
        for node in nodes
    ]
    return ViewData(f"Synthetic graph of {n} nodes", tuple(nodes), tuple(edges.values()))


# ---------------------------------------------------------------- the three pages


def write_ours(data: ViewData, path: Path, physics: bool | None = None) -> None:
    """The shipped view (default physics rule unless ``physics`` is given)."""
    view.render(data, path, physics=physics)


def write_bare(data: ViewData, path: Path) -> None:
    """vis-network alone: our nodes, edges, positions and options, nothing else."""
    nodes, edges, options = view.vis_data(data)
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>bare</title>'
        "<style>html,body,#n{height:100%;margin:0}</style></head><body><div id=n></div>"
        f"<script>{view.vis_network_js()}</script><script>"
        f"var network = new vis.Network(document.getElementById('n'), "
        f"{{nodes: new vis.DataSet({view.json_for_script(nodes)}), "
        f"edges: new vis.DataSet({view.json_for_script(edges)})}}, "
        f"{view.json_for_script(options)});</script></body></html>"
    )
    path.write_text(page, encoding="utf-8")


def write_pyvis(data: ViewData, path: Path) -> None:
    """pyvis defaults, filled the way ``add_node``/``add_edge`` would (but not quadratic)."""
    net = Network(directed=True, cdn_resources="in_line")
    for node in sorted(data.nodes, key=lambda n: n.id):
        opts = Node(node.id, "dot", label=node.label, font_color=net.font_color, color="#97c2fc")
        net.nodes.append(opts.options)
        net.node_ids.append(node.id)
    net.edges = [Edge(e.source, e.target, directed=True).options for e in data.edges]
    path.write_text(net.generate_html(name="pyvis.html"), encoding="utf-8")


# ---------------------------------------------------------------- measuring

# Runs before the page's own scripts. vis-network's UMD wrapper does ``vis = vis || {}`` and
# then fills that object, so a Proxy planted as ``window.vis`` sees ``Network`` arrive and
# patches its ``emit`` before any page constructs one: the first "afterDrawing" is the first
# frame (it can come before DOMContentLoaded), then each animation frame checks physics.
PROBE = """
(() => {
  const b = window.__bench = {};
  const tick = (net) => {
    const p = net.physics;
    const still = !p.physicsEnabled || (p.ready && p.viewFunction === undefined);
    if (still) b.settled = performance.now(); else requestAnimationFrame(() => tick(net));
  };
  const patch = (Network) => {
    const emit = Network.prototype.emit;
    Network.prototype.emit = function (name) {
      if (name === "afterDrawing" && b.first === undefined) {
        b.first = performance.now();
        requestAnimationFrame(() => tick(this));
      }
      return emit.apply(this, arguments);
    };
  };
  window.vis = new Proxy({}, {
    set(target, key, value) {
      if (key === "Network") patch(value);
      target[key] = value;
      return true;
    },
  });
})();
"""
# After settling: a search and a type filter on our page, timed inside the page.
EXERCISE = """
(label) => {
  const lg = window.labourgraph, t0 = performance.now();
  const hits = lg.search(label);
  const t1 = performance.now();
  lg.setTypeFilter("Person", false);
  const t2 = performance.now();
  const shown = lg.visibleNodeIds().length;
  lg.setTypeFilter("Person", true);
  return {hits: hits.length, search: t1 - t0, filter: t2 - t1, shown: shown,
          marks: document.querySelectorAll("#lg-timeline rect.lg-mark").length};
}
"""


@dataclass
class Run:
    first: float | None = None  # seconds from navigation to the first drawn frame
    settled: float | None = None  # ... to a drawn view with physics stopped
    requests: int = 0
    errors: int = 0
    extra: dict | None = None


def measure(browser: Browser, path: Path, timeout: float, exercise: str = "") -> Run:
    """Open ``path`` in a fresh context, every other request aborted and counted; time it."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 860})
    run = Run()
    try:
        page = ctx.new_page()
        url = path.resolve().as_uri()

        def route(r) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                run.requests += 1
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda _e: setattr(run, "errors", run.errors + 1))
        page.add_init_script(PROBE)
        page.goto(url, wait_until="commit")
        with contextlib.suppress(PlaywrightTimeout):  # not settled in time: reported as >T s
            page.wait_for_function(
                "() => window.__bench.settled !== undefined", timeout=timeout * 1000, polling=100
            )
        state = page.evaluate("() => window.__bench")
        run.first = state["first"] / 1000 if "first" in state else None
        run.settled = state["settled"] / 1000 if "settled" in state else None
        if exercise and run.settled is not None:
            run.extra = page.evaluate(EXERCISE, exercise)
    finally:
        ctx.close()
    return run


def median_run(runs: list[Run]) -> Run:
    """The run with the median settle time (unfinished runs count as slowest)."""
    ordered = sorted(runs, key=lambda r: float("inf") if r.settled is None else r.settled)
    return ordered[(len(ordered) - 1) // 2]


# ---------------------------------------------------------------- report


def machine(browser_version: str) -> str:
    """One line: cores, CPU model, RAM, chromium, Python, load average."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024**2:.0f} GB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {model}, {ram}, {platform.system()} {platform.release()}, "
        f"Chromium {browser_version} (headless, --disable-gpu), Python {platform.python_version()}, "
        f"load average {load}"
    )


def secs(x: float | None, timeout: float) -> str:
    return f">{timeout:g} s" if x is None else f"{x:.2f} s"


def size(n_bytes: int) -> str:
    return f"{n_bytes / 1024**2:.2f} MB" if n_bytes >= 1024**2 else f"{n_bytes / 1024:.0f} kB"


def ratio(a: float | None, b: float | None, timeout: float) -> str:
    if a is None:
        return "n/a"
    if b is None:
        return f">{timeout / a:.0f}×"
    return f"{b / a:.1f}×"


def timed(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench(
    sizes: list[int],
    timeout: float,
    repeat: int,
    workdir: Path,
    browser: Browser,
    pages: tuple[str, ...] = PAGES,
) -> None:
    """Print the side-by-side table of the pages at each size."""
    print(
        "| nodes | edges | page | HTML | Python build | first frame | settled "
        "| page ÷ ours: first / settled | requests | search / filter |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in sizes:
        data = synthetic(n)
        files = {name: workdir / f"{name}-{n}.html" for name in pages}
        writers = {"ours": write_ours, "bare": write_bare, "pyvis": write_pyvis}
        build = {
            name: timed(lambda w=writers[name], f=files[name], d=data: w(d, f)) for name in pages
        }
        probe = next(node.label for node in data.nodes if node.aliases)
        results: dict[str, Run] = {}
        for name in pages:
            tries = 1 if name == "pyvis" else repeat
            runs = [
                measure(browser, files[name], timeout, probe if name == "ours" else "")
                for _ in range(tries)
            ]
            results[name] = median_run(runs)
        ours = results.get("ours", Run())
        physics = "on" if n <= view.PHYSICS_MAX_NODES else "off"
        label = {"ours": f"ours (physics {physics})", "bare": "bare vis-network"}
        label["pyvis"] = "pyvis defaults"
        for name, run in results.items():
            extra = ""
            if run.errors and name != "pyvis":
                raise RuntimeError(f"{files[name]}: {run.errors} script errors")
            if run.extra:
                if run.extra["hits"] < 1 or run.extra["shown"] >= n or run.extra["marks"] < 1:
                    raise RuntimeError(f"search, filter or timeline broken on {files[name]}")
                extra = f"{run.extra['search']:.0f} ms / {run.extra['filter']:.0f} ms"
            vs = ""
            if name != "ours":
                vs = f"{ratio(ours.first, run.first, timeout)} / "
                vs += ratio(ours.settled, run.settled, timeout)
            print(
                f"| {n:,} | {len(data.edges):,} | {label[name]} | {size(files[name].stat().st_size)} "
                f"| {build[name]:.2f} s | {secs(run.first, timeout)} "
                f"| {secs(run.settled, timeout)} | {vs} | {run.requests} | {extra} |",
                flush=True,
            )


def physics_table(
    sizes: list[int], timeout: float, repeat: int, workdir: Path, browser: Browser
) -> None:
    """Our view with physics on and off: what a live layout costs before the view settles."""
    print("\n| nodes | physics off: settled | physics on: settled | cost of physics |")
    print("| --- | --- | --- | --- |")
    for n in sizes:
        data = synthetic(n)
        got = {}
        for on in (False, True):
            path = workdir / f"physics-{'on' if on else 'off'}-{n}.html"
            write_ours(data, path, physics=on)
            got[on] = median_run([measure(browser, path, timeout) for _ in range(repeat)])
        off, on = got[False].settled, got[True].settled
        cost = f"{on - off:+.2f} s" if on is not None and off is not None else "n/a"
        print(f"| {n:,} | {secs(off, timeout)} | {secs(on, timeout)} | {cost} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the benchmark, print the machine and the tables (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated node counts")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours and bare (median)")
    parser.add_argument("--physics-sizes", default="", help="also time our view physics on/off")
    parser.add_argument("--pages", default=",".join(PAGES), help="which of ours,bare,pyvis")
    parser.add_argument("--keep", type=Path, help="write the pages here instead of a temp dir")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    physics_sizes = [int(s) for s in args.physics_sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="lg-bench-") as tmp, sync_playwright() as pw:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        browser = launch(pw)
        try:
            print(f"Command: {' '.join([Path(sys.executable).name, *sys.argv])}")
            print(f"Machine: {machine(browser.version)}\n", flush=True)
            if sizes:
                pages = tuple(p for p in PAGES if p in args.pages.split(","))
                bench(sizes, args.timeout, args.repeat, workdir, browser, pages)
            if physics_sizes:
                physics_table(physics_sizes, args.timeout, args.repeat, workdir, browser)
            print(f"\nLoad average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
