"""Build throughput, peak memory, stage times and quality on generated corpora of several sizes.

    .venv/bin/python bench/build_bench.py [--sizes 100,1000] [--jobs 1,2] [--no-ner] [--seed 1]

For each size: writes a corpus with bench/corpus.py, times the stages from outside
(``load_document`` over every file, ``extract`` over every document, in one process), then
builds it with and without the statistical NER (NER only when the model is installed) at each
``--jobs``, each build in a child process whose peak resident memory is read with ``wait4``
(ru_maxrss: the largest single process of the build, workers included once reaped; and its
processor time, user and system, all its processes) and whose
peak memory over all its processes is sampled (summed PSS, bench/memory.py, once a second),
then edits one document and builds again (``--rebuilds N`` times, timed without sampling, then
once more sampled for memory), and scores each ``--jobs 1`` build against the corpus's own
gold with ``labourgraph evaluate``. Prints markdown tables with the machine and the load
average; figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (bench/corpus.py, beside this file)
from labourgraph.cache import cache_dir  # noqa: E402
from memory import PeakMemory  # noqa: E402


def machine() -> str:
    """CPU model, cores, RAM and Python, from /proc where there is one."""
    cpu, mem = platform.processor() or platform.machine(), "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {mem} RAM, Python {platform.python_version()}"


def load_average() -> str:
    """The 1/5/15-minute load average: other work on the machine slows every figure."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_check() -> str:
    """Seconds of a fixed pure-Python loop (best of 3): on a shared machine the speed of a
    core drifts, and every figure with it; this shows how fast the cores were around them."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return f"CPU check (10,000,000 additions in Python, best of 3): {best:.2f} s"


# How often the summed PSS of a build's processes is read (bench/memory.py). Reading it walks
# every process's page tables: five times a second it took about a sixth of a core, and
# rebuilds of 10,000 documents took about a tenth longer (bench/README.md), so whole builds
# are sampled once a second and the rebuilds that are timed not at all (one more rebuild is
# sampled for their memory).
SAMPLE_BUILD = 1.0
SAMPLE_MEMORY = 0.2


def child(argv: list[str], sample: float | None = SAMPLE_BUILD) -> tuple[dict, float, float]:
    """Run this script's ``--child`` mode: its JSON answer, its peak RSS (the largest single
    process) and its peak memory (all its processes, summed PSS, read every ``sample``
    seconds; 0 when None), in MiB. The answer gains ``cpu``: the processor seconds (user and
    system) of the child and of every process it reaped (workers, the view's process).
    The disk's write-back is waited for before it starts, untimed."""
    # The disk is left to write back what earlier builds wrote first: a build syncs its
    # outputs, and would otherwise wait behind the last build's gigabytes (bench/README.md).
    os.sync()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *argv]
    env = {**os.environ, "CI": "1"}  # no progress bar
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        # Reaped with wait4, not Popen.wait, to get this child's own resource usage.
        sampling = PeakMemory(proc.pid, sample) if sample else contextlib.nullcontext()
        with sampling as memory:
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        answer, problems = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"child {shlex.join(argv)} failed:\n{problems[-3000:]}")
    peak = memory.peak_mib if memory is not None else 0.0
    result = json.loads(answer.strip().splitlines()[-1])
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result, usage.ru_maxrss / 1024, peak


def run_child(argv: list[str]) -> None:
    """The ``--child`` side: ``stages SOURCES NER`` or ``build SOURCES OUT JOBS NER``."""
    from labourgraph.build import build
    from labourgraph.documents import find_sources, load_document
    from labourgraph.extraction import extract

    if argv[0] == "stages":
        sources, ner = Path(argv[1]), argv[2] == "1"
        start = time.perf_counter()
        docs = [load_document(path, root) for path, root in find_sources([sources])]
        loaded = time.perf_counter()
        extract(docs[0], ner=ner)  # builds the matchers and spaCy once, as a build does
        warm = time.perf_counter()
        for doc in docs:
            extract(doc, ner=ner)
        done = time.perf_counter()
        words = sum(len(d.text.split()) for d in docs)
        answer = {"docs": len(docs), "words": words, "load": loaded - start}
        answer |= {"warmup": warm - loaded, "extract": done - warm}
    else:
        sources, out, jobs, ner = Path(argv[1]), Path(argv[2]), int(argv[3]), argv[4] == "1"
        start = time.perf_counter()
        result = build([sources], out, jobs=jobs, ner=ner, echo=lambda _line: None)
        answer = {"seconds": time.perf_counter() - start, "docs": result.documents}
        answer |= {"quads": result.quads, "stages": result.stages, "reused": result.reused}
        answer |= {"store": result.store}
    print(json.dumps(answer))


def change_one(sources: Path) -> Path:
    """Append a sentence to the first text document: an edit as a monitor would make it."""
    path = sorted(sources.glob("*.txt"))[0]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\nPolice detained union organiser Dana Whitlow at the plant gate.\n")
    return path


def stage_line(stages: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in stages.items())


def scores(out: Path, gold: Path) -> dict:
    """``labourgraph evaluate`` of a build against the corpus's gold, as a plain dict."""
    from labourgraph.evaluate import evaluate_build

    return evaluate_build(out, gold).to_dict()


def pick(s: dict, *path: str) -> str:
    """A score from the nested evaluate dict, printed with three decimals."""
    value = s
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return f"{value:.3f}" if isinstance(value, int | float) else "-"


def bench_size(size: int, args: argparse.Namespace, work: Path, modes: list[bool]) -> None:
    """Every figure for one corpus size."""
    folder = work / f"corpus-{size}"
    start = time.perf_counter()
    counts = corpus.generate(size, args.seed, folder)
    made = time.perf_counter() - start
    print(
        f"\n### {size:,} documents (seed {args.seed}): {counts['words']:,} words written, ", end=""
    )
    print(f"{counts['events']:,} gold events, {counts['entities']:,} gold entities; ", end="")
    print(f"generated in {made:.1f} s; load average {load_average()}\n")
    sources, gold = folder / "sources", folder / "gold"
    if args.skip_stages:
        words = counts["words"]
        print(f"one-process load/extract not timed (--skip-stages); words written: {words:,}")
    else:
        words = _stages(sources, modes)
    if args.stages_only:
        print(f"whole builds not measured (--stages-only); load average {load_average()}")
        return
    _builds(size, args, work, modes, sources, gold, words)


def _stages(sources: Path, modes: list[bool]) -> int:
    """Load and extract timed in one process; the number of words the loaders read."""
    stages: dict[bool, dict] = {}
    print("| NER | load s | extract s (after warm-up) | extract words/s | warm-up s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for ner in modes:
        st = stages[ner] = child(["stages", str(sources), str(int(ner))])[0]
        print(
            f"| {'on' if ner else 'off'} | {st['load']:.1f} | {st['extract']:.1f} | "
            f"{st['words'] / st['extract']:,.0f} | {st['warmup']:.1f} |",
            flush=True,
        )
    words = stages[modes[0]]["words"]
    print(f"\nwords read by the loaders: {words:,}")
    return words


def _builds(
    size: int,
    args: argparse.Namespace,
    work: Path,
    modes: list[bool],
    sources: Path,
    gold: Path,
    words: int,
) -> None:
    """Whole builds at each NER mode and --jobs, then an incremental rebuild, then scores."""
    # Rows print as each build ends: a size that takes too long still leaves its figures.
    print(
        "\n| NER | jobs | build s | documents/s | words/s | peak RSS MiB "
        "| peak memory MiB, all processes | quads | CPU s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    timings = []
    for ner in modes:
        for jobs in args.jobs:
            out = work / f"out-{size}-{int(ner)}-{jobs}"
            for old in (out, cache_dir(out)):  # a full build: nothing to reuse
                shutil.rmtree(old, ignore_errors=True)
            b, rss, pss = child(["build", str(sources), str(out), str(jobs), str(int(ner))])
            secs = b["seconds"]
            print(
                f"| {'on' if ner else 'off'} | {jobs} | {secs:.1f} | {b['docs'] / secs:,.1f} | "
                f"{words / secs:,.0f} | {rss:,.0f} | {pss:,.0f} | {b['quads']:,} | "
                f"{b['cpu']:.1f} |",
                flush=True,
            )
            timings.append((ner, jobs, secs, b["stages"]))
    print("\nStage times of each build (seconds, from `BuildResult.stages`):\n")
    for ner, jobs, _secs, st in timings:
        print(f"- NER {'on' if ner else 'off'}, jobs {jobs}: {stage_line(st)}")
    # Incremental: one document edited, the same --out built again (its cache beside it);
    # with --rebuilds N, edited and rebuilt N times (one run varies with the machine).
    ner, jobs, full, _ = timings[-1 if len(modes) == 1 else len(args.jobs) - 1]
    out = work / f"out-{size}-{int(ner)}-{jobs}"
    argv = ["build", str(sources), str(out), str(jobs), str(int(ner))]
    seconds = []
    for _ in range(args.rebuilds):
        edited = change_one(sources)
        b, rss, _ = child(argv, sample=None)
        seconds.append(b["seconds"])
        print(
            f"\nIncremental rebuild after editing {edited.name} (NER {'on' if ner else 'off'}, "
            f"jobs {jobs}): {b['seconds']:.1f} s = {100 * b['seconds'] / full:.1f}% of the full "
            f"build (CPU {b['cpu']:.1f} s, all processes); {b['reused']:,} of {b['docs']:,} "
            "documents from the cache; peak RSS "
            f"{rss:,.0f} MiB; stages: {stage_line(b['stages'])}; store {b['store']}"
        )
    if len(seconds) > 1:
        middle = statistics.median(seconds)
        print(
            f"\nMedian of {len(seconds)} incremental rebuilds: {middle:.1f} s = "
            f"{100 * middle / full:.1f}% of the full build"
        )
    change_one(sources)
    b, rss, pss = child(argv, sample=SAMPLE_MEMORY)
    print(
        f"\nMemory of one more incremental rebuild (sampled every {SAMPLE_MEMORY} s, not timed): "
        f"peak RSS {rss:,.0f} MiB, peak memory of all processes {pss:,.0f} MiB"
    )
    print("\n| NER | entity F1 | identity B3 F1 | relation F1 | incident F1 | date acc. |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for ner in modes:
        s = scores(work / f"out-{size}-{int(ner)}-{args.jobs[0]}", gold)
        print(
            f"| {'on' if ner else 'off'} | {pick(s, 'entity_typed', 'f1')} | "
            f"{pick(s, 'identity', 'f1')} | {pick(s, 'relation', 'f1')} | "
            f"{pick(s, 'event', 'f1')} | {pick(s, 'date_accuracy')} |"
        )
    print(f"\nload average after {size:,}: {load_average()}; {cpu_check()}")


def main() -> None:
    """Command line; ``--child`` is how the script runs its own measured processes."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="Corpus sizes, comma-separated.")
    parser.add_argument("--jobs", default="1,2", help="--jobs values to build with.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ner", action="store_true", help="Rules only.")
    parser.add_argument("--ner-only", action="store_true", help="With the NER only.")
    parser.add_argument(
        "--skip-stages",
        action="store_true",
        help="No one-process load/extract timing (words/s then counts the words written).",
    )
    parser.add_argument(
        "--stages-only", action="store_true", help="Time load and extract, skip whole builds."
    )
    parser.add_argument(
        "--rebuilds", type=int, default=1, help="Incremental rebuilds, each after one more edit."
    )
    parser.add_argument("--work", type=Path, help="Keep corpora and builds here (default: temp).")
    args = parser.parse_args()
    args.jobs = [int(j) for j in args.jobs.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    from labourgraph.extraction import ner as ner_model

    print(f"Command: {shlex.join(['bench/build_bench.py', *sys.argv[1:]])}")
    print(f"Machine: {machine()}")
    print(f"Load average (1/5/15 min) at start: {load_average()}")
    print(cpu_check())
    modes = [False]
    if args.no_ner:
        print("NER: not measured (--no-ner)")
    elif ner_model.available():
        modes = [True] if args.ner_only else [False, True]
        print(f"NER: {ner_model.MODEL}" + (" only (--ner-only)" if args.ner_only else ""))
    else:
        print("NER: not measured (model not installed: pip install -r requirements-ner.txt)")
    with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
        work = args.work or Path(tmp)
        for size in sizes:
            bench_size(size, args, work, modes)


if __name__ == "__main__":
    main()
