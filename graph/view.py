"""Render a :class:`ViewData` as ONE self-contained, offline HTML network view.

pyvis builds the page from our own Jinja template (``templates/network.html``); vis-network's
JS comes from pyvis' bundled copy and is inlined together with ``network.js``/``network.css``,
so the page makes no network request. A Content-Security-Policy restricts scripts to the
hashes of those two inline scripts. All document-derived text travels as JSON inside
``<script type="application/json">`` (``<``, ``>``, ``&``, U+2028/9 escaped) and the page only
ever writes it with ``textContent``; bidi controls are stripped.

Layout is computed in Python (:mod:`labourgraph.layout`), so output is byte-identical for the
same data and seed. ``physics=None`` turns vis-network physics (barnes-hut, 120 stabilisation
iterations starting from the precomputed layout) on only for graphs of at most
:data:`PHYSICS_MAX_NODES` nodes. Measured in headless Chromium (no GPU), time to first frame:
30 nodes 0.42 s off / 0.57 s on, 150 nodes 0.8 / 1.3 s, 300 nodes 1.2 / 2.2 s; 5,000 nodes
with physics off 2.0-2.8 s. Above 200 nodes the wait outweighs the gain, so positions stay
fixed (``physics: false``). Physics is switched off once stabilised, so the drawing stays
still (nodes can still be dragged). Edges are straight (``smooth: false``); above
:data:`BIG_GRAPH` nodes edge labels start hidden and edges hide while dragging or zooming.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pyvis.network import Network

from . import layout
from .model import ENTITY_TYPES, INCIDENT_TYPES


@dataclass(frozen=True)
class Evidence:
    quote: str
    doc_id: str
    title: str
    publisher: str
    published: str
    url: str
    start: int
    end: int


@dataclass(frozen=True)
class ViewNode:
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
    source: str
    target: str
    label: str
    kind: str  # agent|target|place|convention|position|affiliated_to|part_of


@dataclass(frozen=True)
class ViewData:
    title: str
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]


PHYSICS_MAX_NODES = 200
BIG_GRAPH = 1000  # above this: hide edges while dragging/zooming, no edge labels at start
LABEL_MAX = 42
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
_STRIP = dict.fromkeys(
    [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    + [c for c in range(32) if c not in (9, 10)]
    + [0x7F]
)


def clean(text: object) -> str:
    """Text safe to display: bidi overrides/controls removed, lone surrogates replaced."""
    s = "" if text is None else str(text)
    return s.encode("utf-8", "replace").decode("utf-8").translate(_STRIP)


def fold(text: str) -> str:
    """Search form: NFD, combining marks (Mn) stripped, lower-cased (same as the page's JS)."""
    decomposed = unicodedata.normalize("NFD", clean(text))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def search_key(label: str, aliases: tuple[str, ...]) -> str:
    """Newline-joined folded label and aliases, plus ASCII transliterations (Łódź -> lodz)."""
    try:
        from anyascii import anyascii
    except ImportError:  # pragma: no cover - anyascii is a declared dependency
        anyascii = None
    keys: list[str] = []
    for name in (label, *aliases):
        for form in (fold(name), fold(anyascii(clean(name))) if anyascii else ""):
            form = " ".join(form.split())
            if form and form not in keys:
                keys.append(form)
    return "\n".join(keys)


def _iso(text: str) -> str:
    try:
        return date.fromisoformat(str(text).strip()[:10]).isoformat()
    except ValueError:
        return ""


def _short(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def _node_option(node: ViewNode, pos: tuple[float, float]) -> dict:
    label = clean(node.label) or clean(node.id)
    is_incident = node.kind == "Incident"
    _, shape, colour = KIND_STYLE.get(node.kind, ("", "dot", "#9e9e9e"))
    if is_incident:
        colour = INCIDENT_STYLE.get(node.incident_type, ("", colour))[1]
    d0, d1 = _iso(node.date_earliest), _iso(node.date_latest)
    d0, d1 = sorted((d0 or d1, d1 or d0))
    return {
        "id": node.id,
        "label": _short(label),
        "x": pos[0],
        "y": pos[1],
        "shape": shape,
        "color": colour,
        "size": round(min(42.0, 9.0 + 5.0 * math.sqrt(max(node.weight, 0))), 1),
        "kind": clean(node.kind),
        "itype": clean(node.incident_type) if is_incident else "",
        "country": clean(node.country),
        "d0": d0 if is_incident else "",
        "d1": d1 if is_incident else "",
        "key": search_key(label, node.aliases),
    }


def _details(node: ViewNode, docs: dict[str, dict]) -> dict:
    for ev in node.evidence:
        docs.setdefault(
            clean(ev.doc_id),
            {k: clean(getattr(ev, k)) for k in ("title", "publisher", "published", "url")},
        )
    return {
        "label": clean(node.label) or clean(node.id),
        "aliases": [clean(a) for a in node.aliases],
        "weight": node.weight,
        "date_text": clean(node.date_text),
        "precision": clean(node.precision),
        "place": clean(node.place),
        "conventions": [clean(c) for c in node.conventions],
        "reports": [clean(r) for r in node.reports],
        "evidence": [[clean(e.quote), clean(e.doc_id), e.start, e.end] for e in node.evidence],
    }


def _options(n_nodes: int, physics: bool, seed: int) -> dict:
    big = n_nodes > BIG_GRAPH
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -3000,
                "springLength": layout.EDGE_LENGTH,
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


def _payload(data: ViewData, seed: int) -> tuple[list[dict], list[dict], dict]:
    nodes = sorted({n.id: n for n in data.nodes}.values(), key=lambda n: n.id)
    known = {n.id for n in nodes}
    edges = sorted(
        {
            (e.source, e.target, clean(e.kind), clean(e.label))
            for e in data.edges
            if e.source in known and e.target in known
        }
    )
    pos = layout.compute_layout(layout.build_graph(known, ((s, t) for s, t, _, _ in edges)), seed)
    vis_nodes = [_node_option(n, pos[n.id]) for n in nodes]
    vis_edges = [
        {
            "id": f"e{i}",
            "from": s,
            "to": t,
            "label": label or kind,
            "kind": kind,
            "color": _edge_colour(EDGE_STYLE.get(kind, "#9e9e9e")),
        }
        for i, (s, t, kind, label) in enumerate(edges)
    ]
    docs: dict[str, dict] = {}
    details = {n.id: _details(n, docs) for n in nodes}
    extra = {
        "title": clean(data.title),
        "details": details,
        "docs": dict(sorted(docs.items())),
        "countries": sorted({v["country"] for v in vis_nodes if v["country"]}),
        "kinds": [[k, *KIND_STYLE[k]] for k in (*ENTITY_TYPES, "Incident") if k in KIND_STYLE],
        "incidentTypes": sorted(
            ([t, *INCIDENT_STYLE[t]] for t in INCIDENT_TYPES if t in INCIDENT_STYLE),
            key=lambda row: FAMILIES.index(row[1]),
        ),
        "edgeKinds": list(EDGE_STYLE.items()),
    }
    return vis_nodes, vis_edges, extra


def _edge_colour(colour: str) -> dict:
    return {"color": colour, "highlight": colour, "hover": colour, "opacity": 0.85}


def json_for_script(obj: object) -> str:
    """JSON safe inside a <script> element: ``<``, ``>``, ``&``, U+2028/9 as escapes."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, esc in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, esc)
    return text


@cache
def _asset(name: str) -> str:
    if name == "vis":
        import pyvis

        vis = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
        return vis.read_text(encoding="utf-8")
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    import base64

    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _environment(extra: dict) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    env.filters["lgjson"] = lambda v: Markup(json_for_script(v))
    env.filters["lgjson_text"] = lambda v: Markup(json_for_script(json.loads(v)))
    vis_js, app_js = _asset("vis"), _asset("network.js")
    env.globals.update(
        extra=extra,
        vis_js=Markup(vis_js),
        app_js=Markup(app_js),
        app_css=Markup(_asset("network.css")),
        csp_scripts=" ".join(_csp_hash(s) for s in (vis_js, app_js)),
    )
    return env


def render(data: ViewData, path: Path, *, physics: bool | None = None, seed: int = 7) -> None:
    """Write the network view of ``data`` to ``path`` (atomically, via a temp file)."""
    path = Path(path)
    vis_nodes, vis_edges, extra = _payload(data, seed)
    use_physics = len(vis_nodes) <= PHYSICS_MAX_NODES if physics is None else bool(physics)
    net = Network(
        height="100%", width="100%", directed=True, heading=extra["title"], cdn_resources="in_line"
    )
    net.nodes, net.edges = vis_nodes, vis_edges
    net.node_ids = [n["id"] for n in vis_nodes]
    net.options = _options(len(vis_nodes), use_physics, seed)
    env = _environment(extra)
    net.templateEnv, net.path = env, "network.html"
    net.template = env.get_template("network.html")
    html = net.generate_html(name="view.html")
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
