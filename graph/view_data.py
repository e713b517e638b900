"""What the network view shows: read out of the store, then optionally narrowed.

:func:`view_data_from_store` reads nodes, edges, evidence and dates. :func:`filter_view`
narrows a :class:`ViewData` the way ``labourgraph view`` options ask (period, types, the
neighbourhood of one actor) on a networkx graph, so the result is the same for the same input.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import networkx as nx
import pyoxigraph as ox

from .errors import LabourgraphError
from .model import ACTOR_TYPES, ENTITY_TYPES, INCIDENT_TYPES
from .store import rows, run_query
from .view import Evidence, ViewData, ViewEdge, ViewNode, fold, search_key
from .vocab import LG

NS = str(LG._NS)

ENTITIES = """
SELECT ?e ?type ?label ?alias ?country WHERE {
  ?e a ?t ; skos:prefLabel ?label .
  FILTER(STRSTARTS(STR(?t), STR(lg:)))
  BIND(STRAFTER(STR(?t), STR(lg:)) AS ?type)
  OPTIONAL { ?e skos:altLabel ?alias }
  OPTIONAL { ?e lg:country/skos:prefLabel ?country }
}"""
DOCS = """
SELECT ?doc ?path ?title ?publisher ?issued ?url WHERE {
  ?doc a lg:Document ; lg:sourcePath ?path .
  OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dcterms:publisher ?publisher }
  OPTIONAL { ?doc dcterms:issued ?issued } OPTIONAL { ?doc dcterms:source ?url }
}"""
EVIDENCE = """
SELECT DISTINCT ?node ?doc ?exact ?prefix ?suffix ?start ?end WHERE {
  { ?ann oa:hasBody ?node } UNION { ?node lg:evidence ?ann . ?node a lg:Incident }
  ?ann oa:hasTarget ?t . ?t oa:hasSource ?doc ; oa:hasSelector ?q, ?p .
  ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
  OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
}"""
INCIDENTS = """
SELECT ?i ?type ?label ?earliest ?latest ?precision ?text ?place WHERE {
  ?i a lg:Incident ; lg:incidentType ?tc ; rdfs:label ?label .
  BIND(STRAFTER(STR(?tc), STR(lg:)) AS ?type)
  OPTIONAL { ?i sem:hasEarliestBeginTimeStamp ?earliest ; sem:hasLatestBeginTimeStamp ?latest ;
             lg:datePrecision ?precision ; lg:dateText ?text }
  OPTIONAL { ?i sem:hasPlace/skos:prefLabel ?place }
}"""
EDGES = """
SELECT DISTINCT ?s ?o ?kind ?label WHERE {
  { ?s lg:hasAgent ?o . BIND("agent" AS ?kind) BIND("agent" AS ?label) }
  UNION { ?s lg:hasTarget ?o . BIND("target" AS ?kind) BIND("target" AS ?label) }
  UNION { ?s sem:hasPlace ?o . BIND("place" AS ?kind) BIND("place" AS ?label) }
  UNION { ?s lg:engagesConvention ?o . BIND("convention" AS ?kind) BIND("convention" AS ?label) }
  UNION { ?m a lg:Position ; org:member ?s ; org:organization ?o ; lg:title ?label .
          BIND("position" AS ?kind) }
  UNION { ?s lg:affiliatedTo ?o . BIND("affiliated_to" AS ?kind) BIND("affiliated to" AS ?label) }
  UNION { ?s org:subOrganizationOf ?o . BIND("part_of" AS ?kind) BIND("part of" AS ?label) }
}"""
CONVENTIONS = "SELECT DISTINCT ?i ?c WHERE { ?i lg:engagesConvention/lg:notation ?c }"
MAX_MENTIONS = 20  # quotes kept per actor (its incidents carry the fuller evidence)


def _sorted(evidence: dict[tuple, Evidence]) -> tuple[Evidence, ...]:
    return tuple(evidence[k] for k in sorted(evidence))


def view_data_from_store(store: ox.Store, title: str = "labourgraph") -> ViewData:
    """Everything the view draws, read from the store (so `labourgraph view` can redraw it)."""
    docs = {r["doc"]: r for r in rows(run_query(store, DOCS))}
    # Keyed by (doc, start, end): an incident's quote is reached both as the body of its
    # annotation and through lg:evidence, and is one piece of evidence.
    evidence: dict[str, dict[tuple, Evidence]] = defaultdict(dict)
    reports: dict[str, set[str]] = defaultdict(set)
    for r in rows(run_query(store, EVIDENCE)):
        d = docs.get(r["doc"], {})
        key = (d.get("path", ""), int(r["start"]), int(r["end"]))
        evidence[r["node"]].setdefault(
            key,
            Evidence(
                r["exact"],
                d.get("path", ""),
                d.get("title", ""),
                d.get("publisher", ""),
                d.get("issued", ""),
                d.get("url", ""),
                int(r["start"]),
                int(r["end"]),
                prefix=r["prefix"],
                suffix=r["suffix"],
            ),
        )
        reports[r["node"]].add(d.get("path", ""))
    edges = sorted({(r["s"], r["o"], r["label"], r["kind"]) for r in rows(run_query(store, EDGES))})
    involvement: dict[str, int] = defaultdict(int)
    for _s, o, _, kind in edges:
        if kind in ("agent", "target"):
            involvement[o] += 1
    nodes: dict[str, dict] = {}
    for r in rows(run_query(store, ENTITIES)):
        n = nodes.setdefault(
            r["e"],
            {"label": r["label"], "kind": r["type"], "aliases": set(), "country": r["country"]},
        )
        if r["alias"]:
            n["aliases"].add(r["alias"])
    conventions: dict[str, set[str]] = defaultdict(set)
    for r in rows(run_query(store, CONVENTIONS)):
        conventions[r["i"]].add(r["c"])
    incidents: dict[str, dict] = {}
    for r in rows(run_query(store, INCIDENTS)):
        cur = incidents.get(r["i"])
        # Several reports may date one incident: keep the most precise (narrowest) bounds.
        if cur is None or (
            r["earliest"]
            and (
                not cur["earliest"]
                or r["latest"] < cur["latest"]
                or r["earliest"] > cur["earliest"]
            )
        ):
            incidents[r["i"]] = r
    out_nodes = []
    for iri, n in sorted(nodes.items()):
        out_nodes.append(
            ViewNode(
                id=iri,
                label=n["label"],
                kind=n["kind"],
                incident_type="",
                aliases=tuple(sorted(n["aliases"])),
                country=n["country"],
                weight=involvement.get(iri, 0),
                evidence=_sorted(evidence.get(iri, {}))[:MAX_MENTIONS],
            )
        )
    for iri, r in sorted(incidents.items()):
        out_nodes.append(
            ViewNode(
                id=iri,
                label=r["label"],
                kind="Incident",
                incident_type=r["type"],
                weight=len(reports.get(iri, ())),
                date_earliest=r["earliest"],
                date_latest=r["latest"],
                date_text=r["text"],
                precision=r["precision"],
                place=r["place"],
                conventions=tuple(sorted(conventions.get(iri, ()))),
                reports=tuple(sorted(reports.get(iri, ()))),
                evidence=_sorted(evidence.get(iri, {})),
            )
        )
    known = {n.id for n in out_nodes}
    out_edges = tuple(
        ViewEdge(s, o, label, kind) for s, o, label, kind in edges if s in known and o in known
    )
    return ViewData(title, tuple(out_nodes), out_edges)


# ---------------------------------------------------------------- narrowing a view

VIEW_TYPES: tuple[str, ...] = (*ENTITY_TYPES, "Incident", *INCIDENT_TYPES)
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class ViewFilterError(LabourgraphError):
    """A --focus, --types, --since or --until value that the view cannot use."""


def _squash(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text).lower()


def parse_types(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"person, trade union,Arrest"`` -> ``("Person", "TradeUnion", "Arrest")``.

    Entity types, ``Incident`` (every incident) or incident types; case, spaces, ``-`` and
    ``_`` do not matter. Unknown names raise :class:`ViewFilterError` listing the known ones.
    """
    parts = text.split(",") if isinstance(text, str) else list(text)
    known = {_squash(t): t for t in VIEW_TYPES}
    out, unknown = [], []
    for part in (p.strip() for p in parts):
        if part:
            (out if _squash(part) in known else unknown).append(known.get(_squash(part), part))
    if unknown:
        raise ViewFilterError(
            f"unknown type {', '.join(map(repr, unknown))}; use any of " + ", ".join(VIEW_TYPES)
        )
    return tuple(dict.fromkeys(out))


def date_bound(text: str, *, end: bool = False) -> date:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as its first day, or its last with ``end``."""
    m = _DATE.fullmatch(text.strip())
    try:
        if m is None:
            raise ValueError
        year, month, day = int(m[1]), int(m[2] or 0), int(m[3] or 0)
        if not month:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if not day:
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date(year, month, day)
    except ValueError:
        raise ViewFilterError(
            f"{text!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2019 or 2019-03)"
        ) from None


def find_node(data: ViewData, name: str) -> ViewNode:
    """The actor, convention, law or place called ``name``, or whose IRI is or ends with it.

    Labels win over aliases and actors over places; case, diacritics and transliteration do
    not matter. No match or several raise :class:`ViewFilterError` naming near or all matches.
    """
    wanted = name.strip()
    by_iri = [n for n in data.nodes if n.id == wanted or n.id.endswith("/" + wanted)]
    if len(by_iri) == 1:
        return by_iri[0]
    q = fold(wanted)
    named = [n for n in data.nodes if n.kind != "Incident"]
    hits = [n for n in named if q in search_key(n.label, ()).split("\n")]
    hits = hits or [n for n in named if q in search_key(n.label, n.aliases).split("\n")]
    # "Astana" the city council over "Astana" the place: an actor is what --focus asks for.
    hits = [n for n in hits if n.kind in ACTOR_TYPES] or hits
    if len(hits) == 1:
        return hits[0]
    if hits:
        listed = "; ".join(f"{n.label} ({n.kind}, {n.id})" for n in sorted(hits, key=_order)[:5])
        raise ViewFilterError(
            f"--focus {name!r}: {len(hits)} nodes have this name or alias: {listed}; "
            "pass one of these IRIs instead"
        )
    forms = {f: n.label for n in named for f in search_key(n.label, n.aliases).split("\n")}
    close = difflib.get_close_matches(q, sorted(forms), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(forms[c]) for c in close)}?)" if close else ""
    raise ViewFilterError(
        f"--focus {name!r}: no actor, convention, law or place has this name or alias{hint}"
    )


def _order(node: ViewNode) -> tuple[str, str]:
    return (node.label, node.id)


def _type_key(node: ViewNode) -> str:
    return node.incident_type or "Incident" if node.kind == "Incident" else node.kind


def filter_view(
    data: ViewData,
    *,
    focus: str | None = None,
    hops: int = 2,
    since: str | None = None,
    until: str | None = None,
    types: str | Iterable[str] = (),
) -> ViewData:
    """``data`` narrowed, in this order:

    1. ``since``/``until`` (partial dates): incidents whose date range overlaps the period;
       undated incidents go, and so do nodes whose only links were to incidents that went;
    2. ``types``: only nodes of those types (``Incident`` means every incident type);
    3. ``focus``: the nodes within ``hops`` links of that actor (either direction), the
       actor itself kept whatever its type. Incidents sit between actors, so 2 hops reach
       the actors it acted with or against.
    """
    centre = find_node(data, focus) if focus else None
    wanted = parse_types(types)
    nodes = {n.id: n for n in sorted(data.nodes, key=lambda n: n.id)}
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(
        sorted(
            {(e.source, e.target) for e in data.edges if e.source in nodes and e.target in nodes}
        )
    )
    keep = set(nodes)
    if since or until:
        lo = date_bound(since).isoformat() if since else "0000-00-00"
        hi = date_bound(until, end=True).isoformat() if until else "9999-99-99"
        if lo > hi:
            raise ViewFilterError(f"--since {since} is after --until {until}")
        gone = {
            i
            for i, n in nodes.items()
            if n.kind == "Incident"
            and not (n.date_earliest and n.date_earliest <= hi and (n.date_latest or "") >= lo)
        }
        keep -= gone
        keep -= {
            i
            for i in keep
            if graph.degree(i) and all(other in gone for other in graph.neighbors(i))
        }
    if wanted:
        all_incidents = "Incident" in wanted
        keep = {
            i
            for i in keep
            if _type_key(nodes[i]) in wanted or (all_incidents and nodes[i].kind == "Incident")
        }
    if centre is not None:
        keep.add(centre.id)
        reach = nx.single_source_shortest_path_length(graph.subgraph(keep), centre.id, hops)
        keep = set(reach)
    return ViewData(
        _title(data.title, centre, hops, since, until, wanted),
        tuple(n for i, n in nodes.items() if i in keep),
        tuple(e for e in data.edges if e.source in keep and e.target in keep),
    )


def _title(
    title: str,
    centre: ViewNode | None,
    hops: int,
    since: str | None,
    until: str | None,
    types: tuple[str, ...],
) -> str:
    parts = [title]
    if centre is not None:
        parts.append(f"around {centre.label} ({hops} hop{'' if hops == 1 else 's'})")
    if since and since == until:
        parts.append(since)
    elif since or until:
        parts.append(f"{since or '…'} to {until or '…'}")
    if types:
        parts.append(", ".join(types))
    return " · ".join(parts)
