"""Saved-query latency on a large store: pyoxigraph on disk against rdflib in memory, one run.

    .venv/bin/python bench/query_bench.py [--docs 100] [--quads 1000000] [--repeat 3]
                                          [--only NAME ...] [--queries DIR]

Builds a generated corpus (bench/corpus.py) with rules only, then grows its quads to about
``--quads`` in the labourgraph shape: each document's named graph is copied with its document,
incident, evidence and graph IRIs renamed per copy (so copies are new reports of new incidents),
while entities, the entities graph and the ontology stay shared, as in a real corpus where many
documents name the same actors. Loads the same N-Quads into a pyoxigraph store on disk and an
rdflib ``Dataset`` in memory (default graph = union, as the project's queries expect), then runs
every saved query (graph/queries/*.rq) on both as ``labourgraph query`` runs it (its
``# resolve:`` lines first, their IRIs bound as a ``VALUES`` block, parameters bound as values),
fetching every row, and prints the median time of each and the ratio. Each engine answers the
resolvers itself, inside the timed run, so both run the same query text (a row says so if they
did not). rdflib is used only here, as the yardstick. ``--only`` times some of the queries;
``--queries`` reads the ``.rq`` files of another folder instead (say, the saved queries of an
older commit, to compare).
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import re
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_bench  # noqa: E402  (machine description, load average)
import corpus  # noqa: E402

ID = "https://w3id.org/labourgraph/id/"
# Per-document IRIs (renamed in each copy); entities and the entities graph are not matched.
_PER_DOC = re.compile(rf"<{re.escape(ID)}((?!entity/|graph/entities>)[^>]+)>")


def grow(nquads: str, target: int) -> tuple[str, int]:
    """``nquads`` with its per-document graphs copied until about ``target`` quads."""
    shared, per_doc = [], []
    for line in nquads.splitlines():
        if not line:
            continue
        graph = line.rsplit(" ", 2)[-2]
        (per_doc if graph.startswith(f"<{ID}graph/") and "graph/entities>" not in graph
         else shared).append(line)  # fmt: skip
    copies = max(1, round((target - len(shared)) / max(1, len(per_doc))))
    body = "\n".join(per_doc)
    out = [*shared, body]
    for k in range(1, copies):
        out.append(_PER_DOC.sub(lambda m, k=k: f"<{ID}{m.group(1)}-copy{k}>", body))
    return "\n".join(out) + "\n", copies


def measure(func: Callable[[], int], repeat: int, timeout: float) -> tuple[str, float, int]:
    """Median seconds of ``repeat`` runs of ``func`` after one untimed run, in a forked process.

    Returns ``("ok", seconds, rows)``, ``("stopped", timeout, 0)`` when the first run alone
    took longer than ``timeout`` (rdflib cannot be interrupted inside a query, a process can),
    or ``("error", 0, 0)`` with the error on stderr. The fork shares the loaded data.
    """
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def run() -> None:
        try:
            start = time.perf_counter()
            rows = func()
            send.send(time.perf_counter() - start)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                func()
                times.append(time.perf_counter() - start)
            send.send((statistics.median(times), rows))
        except Exception as exc:  # reported by the parent as an error row
            send.send(f"{type(exc).__name__}: {exc}")

    proc = ctx.Process(target=run, daemon=True)
    proc.start()
    send.close()  # so a child that dies is seen as an end of file
    try:
        first = recv.recv() if recv.poll(timeout) else None
        if isinstance(first, float):
            rest = recv.recv() if recv.poll(first * (repeat + 1) * 3 + timeout) else None
            first = rest if rest is not None else first
    except EOFError:
        first = "the process ended without an answer"
    proc.kill()
    proc.join()
    if first is None or isinstance(first, float):
        return "stopped", timeout, 0
    if isinstance(first, str):
        print(f"  error: {first[:300]}", file=sys.stderr)
        return "error", 0.0, 0
    return "ok", first[0], first[1]


def cell(result: tuple[str, float, int]) -> str:
    """A table cell in milliseconds: the time, a lower bound, or "error"."""
    kind, secs, _ = result
    if kind == "ok":
        return f"{secs * 1000:,.1f}"
    return f"> {secs * 1000:,.0f} (stopped)" if kind == "stopped" else "error"


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100, help="Documents to build and copy.")
    parser.add_argument("--quads", type=int, default=1_000_000, help="Quads to grow to.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs per query (median).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120, help="Seconds a first run may take.")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="Time only these queries (default: all)."
    )
    parser.add_argument(
        "--queries", type=Path, metavar="DIR", help="Read the .rq files of DIR, not the saved ones."
    )
    args = parser.parse_args()

    import pyoxigraph as ox
    import rdflib
    from labourgraph.build import build
    from labourgraph.dataset import write_nquads
    from labourgraph.query import (
        parse_query,
        resolved_text,
        run_on_store,
        saved_queries,
        store_answers,
    )
    from labourgraph.store import bind_values, run_query
    from labourgraph.vocab import PREFIXES

    print(f"Command: {shlex.join(['bench/query_bench.py', *sys.argv[1:]])}")
    print(f"Machine: {build_bench.machine()}")
    print(f"Load average (1/5/15 min) at start: {build_bench.load_average()}")
    print(f"pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}")
    if args.queries:
        files = sorted(args.queries.glob("*.rq"))
        queries = [parse_query(f.stem, f.read_text(encoding="utf-8")) for f in files]
    else:
        queries = saved_queries()  # read now: editing the .rq files later changes nothing here
    if args.only:
        unknown = sorted(set(args.only) - {q.name for q in queries})
        if unknown:
            parser.error(f"no query named {', '.join(unknown)}")
        queries = [q for q in queries if q.name in args.only]
    with tempfile.TemporaryDirectory(prefix="query-bench-") as tmp:
        work = Path(tmp)
        corpus.generate(args.docs, args.seed, work / "corpus")
        build([work / "corpus" / "sources"], work / "out", ner=False, echo=lambda _line: None)
        write_nquads(work / "out" / "graph.trig", work / "base.nq")
        base = (work / "base.nq").read_text(encoding="utf-8")
        nq, copies = grow(base, args.quads)
        (work / "big.nq").write_text(nq, encoding="utf-8")
        data = nq.encode("utf-8")
        del nq

        start = time.perf_counter()
        store = ox.Store(str(work / "store"))
        store.bulk_load(data, ox.RdfFormat.N_QUADS)
        store.flush()
        ox_load = time.perf_counter() - start
        quads = len(store)
        # A real actor: the first-named target of an incident (deterministic order).
        pick = "SELECT ?n WHERE { ?i lg:hasTarget ?e . ?e rdfs:label ?n } ORDER BY ?n LIMIT 1"
        found = [sol["n"].value for sol in run_query(store, pick)]
        params = {"actor": found[0] if found else "nobody"}
        given = {
            q.name: {k: v for k, v in params.items() if k in {p.name for p in q.parameters}}
            for q in queries
        }
        # The text each query runs as on pyoxigraph, to check that rdflib resolves it the same.
        ox_texts = {
            q.name: resolved_text(q, q.values(given[q.name]), store_answers(store)) for q in queries
        }
        del store  # each measuring process opens the store itself, read-only
        start = time.perf_counter()
        ds = rdflib.Dataset(default_union=True)
        ds.parse(data=data, format="nquads")
        rdf_load = time.perf_counter() - start
        del data
        print(
            f"store: {quads:,} quads ({args.docs} built documents' graphs x {copies}); "
            f"load: pyoxigraph on disk {ox_load:.1f} s, rdflib in memory {rdf_load:.1f} s\n"
        )
        # Opened once per measuring process, by its untimed first run.
        opened = functools.cache(lambda: ox.Store.read_only(str(work / "store")))
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

        def rdf_answers(sparql: str) -> list[str | None]:
            """A resolver's answers on rdflib: the IRIs of the first column."""
            return [
                str(row[0]) if isinstance(row[0], rdflib.URIRef) else None
                for row in ds.query(prefixes + sparql)
            ]

        print("| query | rows | pyoxigraph ms | rdflib ms | rdflib / pyoxigraph |")
        print("| --- | ---: | ---: | ---: | ---: |")
        ratios = []
        for q in queries:
            values = q.values(given[q.name])

            def oxi(q=q) -> int:
                return sum(1 for _ in run_on_store(opened(), q, given[q.name]))

            def rdf(q=q, values=values) -> int:
                text = resolved_text(q, values, rdf_answers)
                return sum(1 for _ in ds.query(prefixes + bind_values(text, values)))

            oxr = measure(oxi, args.repeat, args.timeout)
            rdr = measure(rdf, args.repeat, args.timeout)
            rows = f"{oxr[2]:,}" if oxr[0] == "ok" else "?"
            if oxr[0] == rdr[0] == "ok" and oxr[2] != rdr[2]:
                rows += f" (rdflib {rdr[2]:,})"
            if q.resolvers and resolved_text(q, values, rdf_answers) != ox_texts[q.name]:
                rows += " (resolved differently on rdflib)"
            ratio = "-"
            if oxr[0] == "ok" and rdr[0] in ("ok", "stopped"):
                ratios.append(rdr[1] / oxr[1])
                ratio = f"{'> ' if rdr[0] == 'stopped' else ''}{rdr[1] / oxr[1]:,.1f}x"
            print(f"| {q.name} | {rows} | {cell(oxr)} | {cell(rdr)} | {ratio} |")
        if ratios:
            print(f"\nmedian ratio {statistics.median(ratios):.1f}x, geometric mean ", end="")
            print(
                f"{statistics.geometric_mean(ratios):.1f}x (a stopped rdflib query counts ", end=""
            )
            print("at its bound, so these are lower bounds)")
        print(f"actor = {params['actor']!r}; load average at end: {build_bench.load_average()}")


if __name__ == "__main__":
    main()
