"""The ``labourgraph`` command: thin wrappers over library functions, one line per error."""

from __future__ import annotations

import functools
import gc
import inspect
import sys
from pathlib import Path

import click

from .errors import LabourgraphError
from .loaders import MB, Limits

OUT_HELP = "Build directory."


def _common(func):
    """Add --out and --debug; turn errors into one line and exit status 1 (3: build locked)."""

    @click.option(
        "--out",
        "out",
        type=click.Path(path_type=Path),
        default=Path("out"),
        show_default=True,
        help=OUT_HELP,
    )
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @functools.wraps(func)
    def wrapper(*args, debug: bool, **kwargs):
        if "debug" in inspect.signature(func).parameters:  # build: fail on the first bad file
            kwargs["debug"] = debug
        try:
            return func(*args, **kwargs)
        except LabourgraphError as exc:
            if debug:
                raise
            click.echo(f"Error: {' '.join(str(exc).split())}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:  # also MemoryError, RecursionError: one line unless --debug
            if debug:
                raise
            what = " ".join(str(exc).split())[:500]
            click.echo(
                f"Error: {type(exc).__name__}{': ' + what if what else ''} "
                "(run with --debug for details)",
                err=True,
            )
            sys.exit(1)

    return wrapper


_LEAVE_TO_EXIT = 1000  # documents from which a build's memory is left for the process's end


@click.group()
@click.version_option(package_name="labourgraph")
def main() -> None:
    """Turn documents about trade-union rights into a knowledge graph of actors and incidents."""


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--strict",
    is_flag=True,
    help="Exit with status 1 if any file was skipped or used with a warning (still builds).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds to wait while another build writes the same --out (then exit status 3).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that load and extract documents (outputs are the same for any number).",
)
@click.option(
    "--max-file-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=Limits.max_file_bytes / MB,
    show_default=True,
    help="Skip larger files (checked before reading them).",
)
@click.option(
    "--max-text-chars",
    type=click.IntRange(min=1),
    default=Limits.max_text_chars,
    show_default=True,
    help="Skip documents whose cleaned text is longer.",
)
@click.option(
    "--max-paragraph-chars",
    type=click.IntRange(min=100),
    default=Limits.max_paragraph_chars,
    show_default=True,
    help="Split longer paragraphs and lines (reported), so extraction stays fast.",
)
@click.option(
    "--ner/--no-ner",
    default=None,
    help="Let the statistical NER model propose people too [default: when it is installed].",
)
@click.option(
    "--max-html-depth",
    type=click.IntRange(1, 255),
    default=Limits.max_html_depth,
    show_default=True,
    help="Skip HTML pages nested deeper.",
)
@click.option(
    "--judgements",
    type=click.Path(path_type=Path),
    help="A judgements file to apply besides each source folder's judgements.yaml.",
)
@click.option("--timings", is_flag=True, help="Print the seconds each stage took.")
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Reuse the work on documents unchanged since the last build (kept in OUT.cache).",
)
@_common
def build(
    sources: tuple[Path, ...],
    strict: bool,
    wait: float,
    jobs: int,
    max_file_mb: float,
    max_text_chars: int,
    max_paragraph_chars: int,
    max_html_depth: int,
    ner: bool | None,
    judgements: Path | None,
    cache: bool,
    timings: bool,
    out: Path,
    debug: bool,
) -> None:
    """Build the graph, store and view from SOURCES (default: sources/)."""
    from .build import build as run_build

    limits = Limits(
        max_file_bytes=int(max_file_mb * MB),
        max_text_chars=max_text_chars,
        max_paragraph_chars=max_paragraph_chars,
        max_html_depth=max_html_depth,
    )
    result = run_build(
        list(sources) or [Path("sources")],
        out,
        limits=limits,
        wait=wait,
        jobs=jobs,
        ner=ner,
        debug=debug,
        judgements=judgements,
        cache=cache,
    )
    click.echo(result.summary())
    if timings:
        click.echo(result.timings())
    # Freeing what a large build made, object by object, takes a second at 10,000 documents;
    # the process's end frees it at once. Held in a cycle, it outlives the result; frozen,
    # neither the collections at exit scan it nor any frees it. (Only for large builds: run
    # in-process, as by the tests, a small build is freed as usual.)
    if result.documents >= _LEAVE_TO_EXIT:
        result.held.append(result.held)
    gc.freeze()
    if strict and result.strict_problems:
        n = len(result.strict_problems)
        click.echo(
            f"Error: --strict: {n} file problem{'s' if n > 1 else ''} "
            f"(listed above and in {result.out}/report.json)",
            err=True,
        )
        sys.exit(1)


@main.command()
@click.argument("name", required=False)
@click.option("-q", "sparql", help="A SPARQL query text.")
@click.option("-f", "file", type=click.Path(exists=True, path_type=Path), help="A .rq file.")
@click.option("--param", "params", multiple=True, help="key=value, bound as a value (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "turtle"]),
    default="table",
    show_default=True,
    help="json is SPARQL 1.1 results JSON (JSON-LD for CONSTRUCT); turtle is for CONSTRUCT.",
)
@click.option("--list", "list_", is_flag=True, help="List the saved queries and their parameters.")
@_common
def query(name, sparql, file, params, fmt, list_, out: Path) -> None:
    """Run a saved query NAME, a query text (-q) or a file (-f) against the build."""
    from . import query as q

    if list_:
        click.echo(q.list_text(), nl=False)
        return
    saved = q.resolve_query(name, sparql, file)
    result = q.run_saved(out, saved, q.parse_params(params))
    click.echo(q.format_result(result, fmt), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, help="Port (0: any free port).")
@click.option("--timeout", default=30.0, show_default=True, help="Query time limit, seconds.")
@click.option(
    "--max-bytes",
    default=10_000_000,
    show_default=True,
    help="Largest answer served, in bytes.",
)
@_common
def serve(host: str, port: int, timeout: float, max_bytes: int, out: Path) -> None:
    """Serve the build read-only: SPARQL at http://HOST:PORT/query, the view at /view."""
    from .serve import is_loopback
    from .serve import serve as run_serve

    if not is_loopback(host):
        click.echo(f"Warning: {host} is not loopback: anyone who reaches it can query", err=True)
    run_serve(out, host, port, timeout, max_bytes, announce=lambda line: click.echo(line))


@main.command()
@click.argument("url")
@_common
def push(url: str, out: Path) -> None:
    """Upload the build to a Graph Store server at URL, replacing each of its graphs.

    Credentials come from LABOURGRAPH_PUSH_TOKEN, or LABOURGRAPH_PUSH_USER and
    LABOURGRAPH_PUSH_PASSWORD, never from the command line.
    """
    from .push import push as run_push

    click.echo(run_push(out, url).summary())


def _view_option(parse):
    """A click callback that checks a view option with ``parse`` (a usage error, exit 2)."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None):
        from .view_data import ViewFilterError

        try:
            return None if value is None else parse(value)
        except ViewFilterError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def _check_date(value: str) -> str:
    from .view_data import date_bound

    date_bound(value)
    return value


def _parse_types(value: str) -> tuple[str, ...]:
    from .view_data import parse_types

    return parse_types(value)


@main.command()
@click.option(
    "-o", "output", type=click.Path(path_type=Path), help="HTML file (default OUT/network.html)."
)
@click.option("--focus", metavar="ACTOR", help="Only ACTOR's neighbourhood (any name or alias).")
@click.option(
    "--hops",
    type=click.IntRange(min=1),
    help="How many links from --focus to show  [default: 2; incidents sit between actors]",
)
@click.option(
    "--since",
    metavar="DATE",
    callback=_view_option(_check_date),
    help="Only incidents on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.option(
    "--until",
    metavar="DATE",
    callback=_view_option(_check_date),
    help="Only incidents on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.option(
    "--types",
    metavar="LIST",
    callback=_view_option(_parse_types),
    help="Only these types, comma-separated: entity types, incident types, Incident (all).",
)
@click.option(
    "--physics/--no-physics",
    default=None,
    help="Let the browser tidy the layout live  [default: only for small graphs]",
)
@_common
def view(
    output: Path | None,
    focus: str | None,
    hops: int | None,
    since: str | None,
    until: str | None,
    types: tuple[str, ...] | None,
    physics: bool | None,
    out: Path,
) -> None:
    """(Re)write the network view of the build, optionally narrowed (from its cache or store)."""
    from .drawing import view_data_of
    from .view import render
    from .view_data import filter_view

    if hops is not None and not focus:  # a usage error (exit 2); _common would turn a raise into 1
        click.echo("Error: --hops needs --focus ACTOR", err=True)
        sys.exit(2)
    data = view_data_of(out)
    if focus or since or until or types:
        data = filter_view(
            data, focus=focus, hops=hops or 2, since=since, until=until, types=types or ()
        )
    target = output or out / "network.html"
    render(data, target, physics=physics)
    click.echo(f"Wrote {target} ({len(data.nodes)} nodes, {len(data.edges)} links)")


@main.command()
@click.argument(
    "fmt",
    metavar="FORMAT",
    type=click.Choice(["trig", "nquads", "turtle", "jsonld", "graphml", "csv", "facts"]),
)
@click.argument("dest", type=click.Path(path_type=Path))
@_common
def export(fmt: str, dest: Path, out: Path) -> None:
    """Export the build as FORMAT into DEST (a file, or a folder for csv and facts)."""
    from .export import export as run_export

    written = run_export(out, fmt, dest)
    click.echo(f"Wrote {written}")


@main.command()
@click.option("--limit", type=click.IntRange(min=1), help="Show only the first N items.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
@_common
def review(limit: int | None, fmt: str, out: Path) -> None:
    """List what deserves a human look, most useful first, with the judgement that settles it."""
    from .review import format_text, read, to_json

    items = read(out)
    shown = items[:limit] if limit else items
    click.echo(format_text(shown, len(items)) if fmt == "text" else to_json(shown), nl=False)


@main.command()
@click.argument("entity")
@_common
def explain(entity: str, out: Path) -> None:
    """Explain ENTITY (id or any alias): its aliases, merges, facts and judgements."""
    from .explain import explain as run_explain
    from .explain import format_text

    click.echo(format_text(run_explain(out, entity)), nl=False)


@main.command()
@_common
def validate(out: Path) -> None:
    """Check the build against the SHACL shapes; exit 1 when it does not conform."""
    from .validate import validate_build

    conforms, text = validate_build(out)
    click.echo(text)
    if not conforms:
        sys.exit(1)


@main.command()
@click.argument("gold", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--details", is_flag=True, help="Also list missed and extra facts per document.")
@_common
def evaluate(gold: Path, as_json: bool, details: bool, out: Path) -> None:
    """Score the build's facts against gold facts files in GOLD."""
    import json

    from .evaluate import evaluate_build, evaluate_differences

    scores = evaluate_build(out, gold)
    if details:
        click.echo(evaluate_differences(out, gold))
    if as_json:
        click.echo(json.dumps(scores.to_dict(), indent=2, sort_keys=True))
    else:
        from .scoring import format_scores

        click.echo(format_scores(scores, worst=5))


if __name__ == "__main__":
    main()
