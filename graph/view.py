"""Render a :class:`ViewData` as ONE self-contained, offline HTML network view.

pyvis builds the page from our own Jinja template (``templates/network.html``); vis-network's
JS comes from pyvis' bundled copy and is inlined together with ``network.js``/``network.css``,
so the page makes no network request. A Content-Security-Policy restricts scripts to the
hashes of those two inline scripts. All document-derived text travels as data: JSON,
deflated and base64-encoded (:func:`pack`), so nothing a document contains can end the
``<script>`` element, and the page only ever writes it with ``textContent``; bidi controls
are stripped.

The JSON is packed (see :func:`_payload`): node tuples, edges as node indices, documents and
quotes in shared tables, IRIs relative to their common base; ``network.js`` unpacks it into
exactly what :func:`vis_data` returns. Packing and deflating keep a 5,000-node view with its
quotes under 2 MB (``bench/README.md``). zlib's output is fixed for a given zlib, so the
same data, seed and installation give the same bytes.

Layout is computed in Python (:mod:`labourgraph.layout`), so output is byte-identical for the
same data and seed. ``physics=None`` turns vis-network physics (barnes-hut, 120 stabilisation
iterations starting from the precomputed layout, then switched off so the drawing stays
still) on only for graphs of at most :data:`PHYSICS_MAX_NODES` nodes; above that the wait
outweighs the tidying (figures in ``bench/README.md``). Edges are straight (``smooth:
false``); above :data:`BIG_GRAPH` nodes edge labels start hidden and edges hide while
dragging or zooming.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import tempfile
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .jsontext import compact, compact_utf8
from .model import ENTITY_TYPES, INCIDENT_TYPES

if TYPE_CHECKING:
    from jinja2 import Environment

    from .layout import Pos

# pyvis (which imports IPython), jinja2 and igraph are imported where a page is made or laid
# out, not with this module: a build's own process needs none of them when another draws.


@dataclass(frozen=True)
class Evidence:
    """One quote supporting a node, with where it comes from."""

    quote: str
    doc_id: str
    title: str
    publisher: str
    published: str
    url: str
    start: int
    end: int
    prefix: str = ""  # a few characters of context before and after the quote
    suffix: str = ""


@dataclass(frozen=True)
class ViewNode:
    """An actor, convention, law, place or incident as the view shows it."""

    id: str  # IRI
    label: str
    kind: str  # one of the 11 entity types, or "Incident"
    incident_type: str  # for incidents one of the 13 types, else ""
    aliases: tuple[str, ...] = ()
    country: str = ""  # country name or ""
    weight: int = 0  # actors: incidents involving them; incidents: reporting documents
    date_earliest: str = ""  # ISO yyyy-mm-dd (incidents)
    date_latest: str = ""
    date_text: str = ""  # as written
    precision: str = ""  # day|month|year
    place: str = ""
    conventions: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()  # doc ids of documents reporting it
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class ViewEdge:
    """A directed, labelled link between two nodes."""

    source: str
    target: str
    label: str
    kind: str  # agent|target|place|convention|position|affiliated_to|part_of


@dataclass(frozen=True)
class ViewData:
    """Everything one view draws."""

    title: str
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]


PHYSICS_MAX_NODES = 200
BIG_GRAPH = 1000  # above this: hide edges while dragging/zooming, no edge labels at start
LABEL_MAX = 42
# zlib's level for the page's data: on a 10,000-document build's 14.6 MB of it, level 4
# takes 0.27 s for 3.44 MB, the default 6 twice as long for 3.19 MB (9 longer still).
ZLIB_LEVEL = 4
CONTEXT_BELOW = 80  # quotes shorter than this (names, mostly) are shown with their context
TEMPLATES = Path(__file__).parent / "templates"

# kind -> (legend name, vis shape, colour); incidents are all diamonds coloured by type
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "Person": ("Person", "dot", "#26a69a"),
    "TradeUnion": ("Trade union", "square", "#8d6e63"),
    "UnionFederation": ("Union federation", "square", "#4e342e"),
    "GovernmentBody": ("Government body", "triangle", "#455a64"),
    "InternationalOrganization": ("International org.", "hexagon", "#0097a7"),
    "Company": ("Company", "triangleDown", "#9e9d24"),
    "CivilSocietyGroup": ("Civil-society group", "hexagon", "#d81b60"),
    "Media": ("Media", "star", "#5c6bc0"),
    "ILOConvention": ("ILO convention", "star", "#f9a825"),
    "Legislation": ("Law", "triangleDown", "#78909c"),
    "Place": ("Place", "dot", "#c8a97e"),
    "Incident": ("Incident", "diamond", "#9e9e9e"),
}
# incident type -> (family, colour)
INCIDENT_STYLE: dict[str, tuple[str, str]] = {
    "Killing": ("Violence", "#b71c1c"),
    "Harassment": ("Violence", "#e57373"),
    "Arrest": ("Detention & prosecution", "#e65100"),
    "Prosecution": ("Detention & prosecution", "#ffa726"),
    "Deregistration": ("Registration & employment", "#6a1b9a"),
    "Dismissal": ("Registration & employment", "#ba68c8"),
    "Strike": ("Collective action", "#0d47a1"),
    "HungerStrike": ("Collective action", "#1e88e5"),
    "Protest": ("Collective action", "#64b5f6"),
    "Statement": ("Statements & meetings", "#616161"),
    "Meeting": ("Statements & meetings", "#a0a0a0"),
    "Release": ("Remedy", "#2e7d32"),
    "Apology": ("Remedy", "#81c784"),
}
FAMILIES = list(dict.fromkeys(family for family, _ in INCIDENT_STYLE.values()))
EDGE_STYLE: dict[str, str] = {
    "agent": "#37474f",
    "target": "#c62828",
    "place": "#a1887f",
    "convention": "#f9a825",
    "position": "#26a69a",
    "affiliated_to": "#6d4c41",
    "part_of": "#90a4ae",
}
DEFAULT_COLOUR = "#9e9e9e"
_STRIP = dict.fromkeys(
    [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    + [c for c in range(32) if c not in (9, 10)]
    + [0x7F]
)


def clean(text: object) -> str:
    """Text safe to display: bidi overrides/controls removed, lone surrogates replaced."""
    s = "" if text is None else str(text)
    if s.isascii() and s.isprintable():  # the common case, nothing to strip (fast path)
        return s
    return s.encode("utf-8", "replace").decode("utf-8").translate(_STRIP)


@lru_cache(maxsize=1 << 16)
def _clean_term(text: str) -> str:
    """:func:`clean` of a value that recurs across a view (an edge's kind, a country, a
    document's id, a date as written)."""
    return clean(text)


def fold(text: str) -> str:
    """Search form: NFD, combining marks (Mn) stripped, lower-cased, spaces collapsed (as JS)."""
    plain = clean(text)
    if plain.isascii():  # nothing to decompose or strip (the common case, fast path)
        return " ".join(plain.lower().split())
    decomposed = unicodedata.normalize("NFD", plain)
    return " ".join(
        "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower().split()
    )


def search_key(label: str, aliases: tuple[str, ...]) -> str:
    """Newline-joined folded label and aliases, plus ASCII transliterations (Łódź -> lodz)."""
    from anyascii import anyascii

    keys: list[str] = []
    for name in (label, *aliases):
        for form in (fold(name), fold(anyascii(clean(name)))):
            if form and form not in keys:
                keys.append(form)
    return "\n".join(keys)


def short_label(label: str) -> str:
    """The caption drawn on the canvas: spaces collapsed, cut at LABEL_MAX with an ellipsis."""
    label = " ".join(clean(label).split())
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def node_size(weight: int) -> float:
    """Node radius in pixels: grows with the square root of the incident/report count."""
    return round(min(42.0, 9.0 + 5.0 * math.sqrt(max(weight, 0))), 1)


@lru_cache(maxsize=1 << 12)  # dates repeat: a few thousand across a large build
def _iso(text: str) -> str:
    try:
        return date.fromisoformat(str(text).strip()[:10]).isoformat()
    except ValueError:
        return ""


def _types(nodes: list[ViewNode]) -> list[tuple[str, str, str, str, str]]:
    """Type table rows ``(key, legend name, shape, colour, family)``.

    Entity kinds, Incident, then incident types by family; unknown kinds appended, sorted.
    """
    rows = [(k, *KIND_STYLE[k], "") for k in (*ENTITY_TYPES, "Incident")]
    rows += sorted(
        ((t, t, "diamond", INCIDENT_STYLE[t][1], INCIDENT_STYLE[t][0]) for t in INCIDENT_TYPES),
        key=lambda row: FAMILIES.index(row[4]),
    )
    known = {row[0] for row in rows}
    extra = sorted({clean(n.kind) for n in nodes if n.kind != "Incident"} - known)
    return rows + [(k, k, "dot", DEFAULT_COLOUR, "") for k in extra]


def _type_key(node: ViewNode) -> str:
    if node.kind == "Incident":
        return node.incident_type if node.incident_type in INCIDENT_STYLE else "Incident"
    return clean(node.kind)


@dataclass(frozen=True)
class _Prepared:
    nodes: list[ViewNode]  # sorted by id, unique
    edges: list[tuple[str, str, str, str]]  # (source, target, kind, label), sorted, known ends
    positions: Positions
    types: list[tuple[str, str, str, str, str]]


Positions = Callable[[], "Pos"]  # the layout, laid out elsewhere (see :func:`render`)


def _prepare(data: ViewData, seed: int, positions: Positions | None = None) -> _Prepared:
    """The nodes and edges to draw, and their layout (waited for only once asked for)."""
    nodes = sorted({n.id: n for n in data.nodes}.values(), key=lambda n: n.id)
    known = {n.id for n in nodes}
    # Unique edges in the order they come (a view's come sorted, or nearly: sorting them
    # again then takes one pass, where the order of a set would need a whole sort).
    edges = sorted(
        dict.fromkeys(
            (e.source, e.target, _clean_term(e.kind), _clean_term(e.label) or _clean_term(e.kind))
            for e in data.edges
            if e.source in known and e.target in known
        )
    )
    if positions is None:
        from .layout import positions as lay_out

        pos = lay_out(known, ((s, t) for s, t, _, _ in edges), seed)
        positions = lambda: pos  # noqa: E731
    return _Prepared(nodes, edges, positions, _types(nodes))


def _physics(n_nodes: int, physics: bool | None) -> bool:
    return n_nodes <= PHYSICS_MAX_NODES if physics is None else bool(physics)


def vis_data(
    data: ViewData, *, physics: bool | None = None, seed: int = 7
) -> tuple[list[dict], list[dict], dict]:
    """The nodes, edges and options the page hands to vis-network (after unpacking)."""
    p = _prepare(data, seed)
    style = {row[0]: row for row in p.types}
    pos = p.positions()
    nodes = []
    for n in p.nodes:
        _, _, shape, colour, _ = style[_type_key(n)]
        x, y = pos[n.id]
        label = short_label(n.label) or short_label(n.id)
        node = {"id": n.id, "label": label, "x": x, "y": y, "shape": shape, "color": colour}
        nodes.append(node | {"size": node_size(n.weight)})
    edges = [
        {"id": f"e{i}", "from": s, "to": t, "label": label, "color": _edge_colour(kind)}
        for i, (s, t, kind, label) in enumerate(p.edges)
    ]
    return nodes, edges, _options(len(nodes), _physics(len(nodes), physics), seed)


def _edge_colour(kind: str) -> dict:
    colour = EDGE_STYLE.get(kind, DEFAULT_COLOUR)
    return {"color": colour, "highlight": colour, "hover": colour, "opacity": 0.85}


def _options(n_nodes: int, physics: bool, seed: int) -> dict:
    from .layout import EDGE_LENGTH

    big = n_nodes > BIG_GRAPH
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -3000,
                "springLength": EDGE_LENGTH,
                "springConstant": 0.03,
                "damping": 0.3,
                "avoidOverlap": 0.2,
            },
            "stabilization": {"enabled": physics, "iterations": 120, "fit": True},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": False,
        },
        "nodes": {
            "borderWidth": 1,
            "font": {
                "size": 13,
                "face": "system-ui, sans-serif",
                "color": "#222222",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "smooth": False,
            "width": 1,
            "selectionWidth": 2,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "font": {
                "size": 0 if big else 9,
                "face": "system-ui, sans-serif",
                "color": "#555555",
                "strokeWidth": 2,
                "align": "middle",
            },
        },
    }


def _base(ids: list[str]) -> str:
    """The longest common prefix of ``ids`` that ends with ``/`` (or "")."""
    if not ids:
        return ""
    first, last = min(ids), max(ids)
    common = next(
        (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first)
    )
    return first[: first.rfind("/", 0, common) + 1]


class _Shown(NamedTuple):
    """What the page shows of one node, made safe to show (:func:`clean`): all but what
    indexes the page's tables, which depend on every node."""

    label: str
    aliases: list[str]
    keys: list[str]  # search keys beyond the folded label and aliases
    earliest: str
    latest: str
    country: str
    type_key: str
    # (doc id, the Evidence (for its document's particulars), start, end, quote, context)
    evidence: list[tuple[str, Evidence, int, int, str, list[str]]]
    conventions: list[str]
    reports: list[str]
    date_text: str
    precision: str
    place: str


# node IRI -> (the node, what the page shows of it), made ahead of the page for nodes that
# will likely be drawn (see :func:`shown`).
Shown = dict[str, tuple[ViewNode, _Shown]]


def shown(nodes: Iterable[ViewNode]) -> Shown:
    """What the page shows of each of ``nodes``, for a page drawn later (:func:`render`):
    used for a node drawn then only if it is the very same node."""
    return {n.id: (n, _shown(n)) for n in nodes}


def _shown(n: ViewNode) -> _Shown:
    # A label of spaces alone is drawn by the id (what short_label says, without making it).
    label = clean(n.label)
    if not label.strip():
        label = clean(n.id)
    aliases = [clean(a) for a in n.aliases]
    # The page folds labels and aliases itself; only transliterations need shipping (an
    # ASCII name is its own: most nodes have none).
    keys = []
    if not (label.isascii() and all(a.isascii() for a in aliases)):
        plain = {fold(x) for x in (label, *aliases)}
        keys = [k for k in search_key(label, tuple(aliases)).split("\n") if k not in plain]
    incident = n.kind == "Incident"
    d0, d1 = _iso(n.date_earliest), _iso(n.date_latest)
    d0, d1 = (d0 or d1, d1 or d0) if incident else ("", "")
    if d1 < d0:
        d0, d1 = d1, d0
    evidence = [
        (
            _clean_term(ev.doc_id),
            ev,
            ev.start,
            ev.end,
            clean(ev.quote),
            # A bare name needs its context; a sentence not.
            [clean(ev.prefix), clean(ev.suffix)] if len(ev.quote) < CONTEXT_BELOW else [],
        )
        for ev in n.evidence
    ]
    return _Shown(
        label,
        aliases,
        keys,
        d0,
        d1,
        _clean_term(n.country),
        _type_key(n),
        evidence,
        [_clean_term(c) for c in n.conventions],
        [_clean_term(r) for r in n.reports],
        _clean_term(n.date_text),
        _clean_term(n.precision),
        clean(n.place),
    )


def _payload(
    data: ViewData,
    physics: bool | None,
    seed: int,
    positions: Positions | None = None,
    ahead: Shown | None = None,
) -> dict:
    """The page's data, packed; ``network.js`` ``unpack()`` reads it.

    Layout:

    * ``nodes``: ``[id after base, label, x, y, type index, weight, country index or -1,
      aliases, extra search keys, earliest date, latest date]``;
    * ``details`` (parallel to nodes): ``[date as written, precision, place, conventions,
      report doc indices, evidence]``, evidence ``[doc, start, end, quote index, prefix,
      suffix]`` (context only for quotes under CONTEXT_BELOW characters);
    * ``edges``: ``[from index, to index, edge-kind index]`` plus the label when it is not
      the kind's;
    * tables: ``types``, ``edgeKinds``, ``countries``, ``docs`` ``[id, title, publisher,
      published, url]``, ``quotes``.

    ``ahead`` holds what the page shows of nodes, made ahead (see :func:`shown`).
    """
    p = _prepare(data, seed, positions)
    index = {n.id: i for i, n in enumerate(p.nodes)}
    base = _base([n.id for n in p.nodes])
    type_index = {row[0]: i for i, row in enumerate(p.types)}
    ahead = ahead or {}
    parts = []
    for n in p.nodes:
        made = ahead.get(n.id)
        parts.append(made[1] if made is not None and made[0] is n else _shown(n))
    countries = sorted({part.country for part in parts} - {""})
    country_index = {c: i for i, c in enumerate(countries)}
    docs: dict[str, list[str]] = {}
    for part in parts:
        for row in part.evidence:  # (doc id, Evidence, ...): its document's first sight
            if row[0] not in docs:
                ev = row[1]
                docs[row[0]] = [clean(ev.title), clean(ev.publisher)]
                docs[row[0]] += [clean(ev.published), clean(ev.url)]
        for doc_id in part.reports:
            if doc_id not in docs:
                docs[doc_id] = ["", "", "", ""]
    doc_ids = sorted(docs)
    doc_index = {d: i for i, d in enumerate(doc_ids)}
    quotes: dict[str, int] = {}
    nodes, details = [], []
    cut = len(base)
    for n, part in zip(p.nodes, parts, strict=True):
        nodes.append(
            [
                n.id[cut:],
                part.label,
                0.0,
                0.0,
                type_index[part.type_key],
                max(n.weight, 0),
                country_index.get(part.country, -1),
                part.aliases,
                part.keys,
                part.earliest,
                part.latest,
            ]
        )
        evidence = [
            [doc_index[doc_id], start, end, quotes.setdefault(quote, len(quotes)), *context]
            for doc_id, _ev, start, end, quote, context in part.evidence
        ]
        reports = [doc_index[r] for r in part.reports]
        if len(reports) > 1:
            reports.sort()
        details.append(
            [part.date_text, part.precision, part.place, part.conventions, reports, evidence]
        )
    pos = p.positions()  # the last thing needed: laid out elsewhere, it had all this time
    for row, n in zip(nodes, p.nodes, strict=True):
        row[2], row[3] = pos[n.id]
    edge_kinds = list(EDGE_STYLE) + sorted({k for _, _, k, _ in p.edges} - set(EDGE_STYLE))
    kind_index = {k: i for i, k in enumerate(edge_kinds)}
    edges = [
        [index[s], index[t], kind_index[kind]] + ([] if label == kind else [label])
        for s, t, kind, label in p.edges
    ]
    return {
        "title": clean(data.title),
        "base": base,
        "options": _options(len(nodes), _physics(len(nodes), physics), seed),
        "types": p.types,
        "edgeKinds": [[k, EDGE_STYLE.get(k, DEFAULT_COLOUR)] for k in edge_kinds],
        "countries": countries,
        "docs": [[d, *docs[d]] for d in doc_ids],
        "quotes": list(quotes),
        "nodes": nodes,
        "details": details,
        "edges": edges,
        "labelMax": LABEL_MAX,
    }


def json_for_script(obj: object) -> str:
    """JSON safe inside a <script> element: ``<``, ``>``, ``&``, U+2028/9 as escapes."""
    text = compact(obj)
    for char, esc in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, esc)
    return text


def pack(payload: dict) -> str:
    """The payload as the page embeds it: compact JSON, deflated (zlib), base64."""
    return base64.b64encode(zlib.compress(compact_utf8(payload), ZLIB_LEVEL)).decode()


def unpack(page: str) -> dict:
    """The payload embedded in a page written by :func:`render` (for tests and tools)."""
    m = re.search(r'<script type="application/octet-stream" id="lg-data">([^<]*)</script>', page)
    if m is None:
        raise ValueError("not a labourgraph network view: no lg-data element")
    return json.loads(zlib.decompress(base64.b64decode(m.group(1))))


@cache
def vis_network_js() -> str:
    """pyvis' bundled vis-network 9.1.2, without the source-map comment (DevTools would fetch it)."""
    import pyvis

    vis = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", vis.read_text(encoding="utf-8"))


@cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _environment(payload: dict) -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    vis_js, app_js = vis_network_js(), _asset("network.js")
    env.globals.update(
        payload=pack(payload),
        vis_js=Markup(vis_js),
        app_js=Markup(app_js),
        app_css=Markup(_asset("network.css")),
        csp_scripts=" ".join(_csp_hash(s) for s in (vis_js, app_js)),
    )
    return env


def render_html(
    data: ViewData,
    *,
    physics: bool | None = None,
    seed: int = 7,
    positions: Positions | None = None,
    ahead: Shown | None = None,
) -> str:
    """The network view of ``data`` as one HTML string (same data and seed, same bytes).

    ``positions`` returns the layout when it is made elsewhere: it must be
    ``layout.positions`` of the nodes and edges of ``data`` with ``seed``. ``ahead`` holds
    what the page shows of nodes, made ahead (see :func:`shown`).
    """
    from pyvis.network import Network

    payload = _payload(data, physics, seed, positions, ahead)
    # pyvis drives the template; nodes and edges go in packed, so its lists stay empty.
    net = Network(
        height="100%",
        width="100%",
        directed=True,
        heading=payload["title"],
        cdn_resources="in_line",
    )
    net.options = payload["options"]
    env = _environment(payload)
    net.templateEnv, net.path = env, "network.html"
    net.template = env.get_template("network.html")
    return net.generate_html(name="view.html")


def render(
    data: ViewData,
    path: Path,
    *,
    physics: bool | None = None,
    seed: int = 7,
    positions: Positions | None = None,
    ahead: Shown | None = None,
) -> None:
    """Write the network view of ``data`` to ``path`` (atomically, via a temp file)."""
    html = render_html(data, physics=physics, seed=seed, positions=positions, ahead=ahead)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
