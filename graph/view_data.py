"""What the network view shows: read out of the store, then optionally narrowed.

:func:`view_data_from_store` reads nodes, edges, evidence and dates. :func:`filter_view`
narrows a :class:`ViewData` the way ``labourgraph view`` options ask (period, types, the
neighbourhood of one actor) on a networkx graph, so the result is the same for the same input.

The store is read one predicate at a time (``SELECT ?s ?o WHERE { ?s p ?o }`` over the union
of all graphs, as every project query sees it) and joined in Python dicts. Joined in SPARQL,
an incident's values multiply across its reports (each report is a named graph with its own
dates, labels and places: millions of rows at 200 documents), and Oxigraph evaluates each
OPTIONAL and star join row by row, which dominated large builds. A scan costs about one
decoded term per value, so reading grows linearly with the store.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import product

import networkx as nx
import pyoxigraph as ox

from .errors import LabourgraphError
from .model import ACTOR_TYPES, ENTITY_TYPES, INCIDENT_TYPES, PRECISIONS
from .store import run_query, term_text
from .view import Evidence, ViewData, ViewEdge, ViewNode, fold, search_key
from .vocab import LG

NS = str(LG._NS)
MAX_MENTIONS = 20  # quotes kept per actor (its incidents carry the fuller evidence)

# (predicate, edge kind, edge label) of the links drawn as stored; positions are drawn from
# lg:Position nodes instead (member -> organization, labelled with the title).
EDGE_PREDICATES: tuple[tuple[str, str, str], ...] = (
    ("lg:hasAgent", "agent", "agent"),
    ("lg:hasTarget", "target", "target"),
    ("sem:hasPlace", "place", "place"),
    ("lg:engagesConvention", "convention", "convention"),
    ("lg:affiliatedTo", "affiliated_to", "affiliated to"),
    ("org:subOrganizationOf", "part_of", "part of"),
)
POSITIONS = """
SELECT DISTINCT ?s ?o ?label WHERE {
  ?m a lg:Position ; org:member ?s ; org:organization ?o ; lg:title ?label
}"""
# Whatever has an lg: class and a skos:prefLabel is drawn: actors, conventions, laws, places.
ENTITY_TYPES_QUERY = """
SELECT DISTINCT ?e ?t WHERE {
  ?e skos:prefLabel [] ; a ?t . FILTER(STRSTARTS(STR(?t), STR(lg:)))
}"""
CONVENTIONS = "SELECT DISTINCT ?i ?c WHERE { ?i lg:engagesConvention/lg:notation ?c }"
DOC_FIELDS = (
    ("title", "dcterms:title"),
    ("publisher", "dcterms:publisher"),
    ("issued", "dcterms:issued"),
    ("url", "dcterms:source"),
)
DATE_FIELDS = (
    ("earliest", "sem:hasEarliestBeginTimeStamp"),
    ("latest", "sem:hasLatestBeginTimeStamp"),
    ("precision", "lg:datePrecision"),
    ("text", "lg:dateText"),
)

PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}  # finest first

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Objects = dict[Term, set[Term]]


def _scan(store: ox.Store, predicate: str) -> ox.QuerySolutions:
    """(subject, object) of every triple with ``predicate`` (a prefixed name).

    A scan decodes just the two terms of each row; Oxigraph's joins cost more than the
    dicts that replace them here.
    """
    return run_query(store, f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}")


def _report_dates(store: ox.Store, incidents: Collection[Term]) -> dict[Term, tuple[str, ...]]:
    """incident -> (earliest, latest, precision, text) of its most precisely dated report.

    Each report (named graph) dates the incident on its own; the four values are taken from
    one report, so a date text never shows with another report's precision or bounds. The
    finest precision wins ("23 May 2022" over "2022"), then the earliest date.
    """
    per_report: dict[tuple[Term, Term], dict[str, str]] = defaultdict(dict)
    for name, predicate in DATE_FIELDS:
        query = f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s {predicate} ?o }} }}"
        for s, o, g in run_query(store, query):
            if s in incidents:
                per_report[(s, g)][name] = min(o.value, per_report[(s, g)].get(name, o.value))
    best: dict[Term, tuple[str, ...]] = {}
    for (s, _g), values in per_report.items():
        if len(values) < len(DATE_FIELDS):
            continue
        rank = PRECISION_RANK.get(values["precision"], len(PRECISION_RANK))
        key = (rank, values["earliest"], values["latest"], values["text"])
        if s not in best or key < best[s]:
            best[s] = key
    return {
        s: (earliest, latest, PRECISIONS[rank] if rank < len(PRECISIONS) else "", text)
        for s, (rank, earliest, latest, text) in best.items()
    }


def _objects(store: ox.Store, predicate: str, subjects: Collection | None = None) -> Objects:
    """subject -> its objects of ``predicate``, for ``subjects`` only if given.

    Terms, not their text, are joined on, as SPARQL does; a value several reports (graphs)
    state is one value.
    """
    out: Objects = defaultdict(set)
    for s, o in _scan(store, predicate):
        if subjects is None or s in subjects:
            out[s].add(o)
    return out


def _values(store: ox.Store, predicate: str, subjects: Collection) -> dict[Term, set[str]]:
    """subject -> the text (lexical form, IRI) of its objects of ``predicate``, for ``subjects``."""
    out: dict[Term, set[str]] = defaultdict(set)
    for s, o in _scan(store, predicate):
        if s in subjects:
            out[s].add(o.value)
    return out


def _of_type(store: ox.Store, cls: str) -> set[Term]:
    return {s for (s,) in run_query(store, f"SELECT ?s WHERE {{ ?s a {cls} }}")}


def _texts(terms: Iterable[Term]) -> set[str]:
    return {term_text(t) for t in terms}


def _pick(terms: Iterable[Term]) -> str:
    """The smallest text of ``terms``, or "" for none: the one value the view shows.

    Where reports disagree (an incident's label or place), the SPARQL reading this replaces
    kept whichever row Oxigraph happened to return first (an order of internal term encodings
    and hashes); the smallest is stable. Dates are chosen whole, see :func:`_report_dates`.
    """
    return min(_texts(terms), default="")


def _local_name(term: Term) -> str:
    """``STRAFTER(STR(?t), STR(lg:))``: an lg: class or concept's local name, else ""."""
    if isinstance(term, ox.BlankNode):
        return ""
    _, found, after = term.value.partition(NS)
    return after if found else ""


@dataclass(frozen=True)
class _Entity:
    label: str
    kind: str
    aliases: tuple[str, ...]
    country: str


def _entities(store: ox.Store) -> dict[str, _Entity]:
    """Actors, conventions, laws and places by IRI, with their label, class and country."""
    kinds: dict[Term, set[str]] = defaultdict(set)
    for e, t in run_query(store, ENTITY_TYPES_QUERY):
        kinds[e].add(_local_name(t))
    labels = _objects(store, "skos:prefLabel")  # of entities and of their countries
    aliases = _objects(store, "skos:altLabel", kinds)
    countries = _objects(store, "lg:country", kinds)
    return {
        term_text(e): _Entity(
            label=_pick(labels[e]),
            kind=min(names),
            aliases=tuple(sorted(a for a in _texts(aliases.get(e, ())) if a)),
            country=_pick(name for c in countries.get(e, ()) for name in labels.get(c, ())),
        )
        for e, names in kinds.items()
    }


@dataclass(frozen=True)
class _Incident:
    label: str
    type: str
    earliest: str
    latest: str
    precision: str
    text: str
    place: str


def _incidents(store: ox.Store, incidents: Collection[Term]) -> dict[str, _Incident]:
    """Incidents with an lg:incidentType and an rdfs:label by IRI, with date and place.

    Several reports may date one incident: its date is its most precise report's (see
    :func:`_report_dates`). Of disagreeing labels, types and places the smallest is kept
    (see :func:`_pick`).
    """
    types = _objects(store, "lg:incidentType", incidents)
    labels = _objects(store, "rdfs:label", incidents)
    dates = _report_dates(store, incidents)
    places = _objects(store, "sem:hasPlace", incidents)
    place_labels = _objects(store, "skos:prefLabel", {p for ps in places.values() for p in ps})
    out = {}
    for i in types.keys() & labels.keys():
        earliest, latest, precision, text = dates.get(i, ("", "", "", ""))
        out[term_text(i)] = _Incident(
            label=_pick(labels[i]),
            type=min(_local_name(t) for t in types[i]),
            earliest=earliest,
            latest=latest,
            precision=precision,
            text=text,
            place=_pick(name for p in places.get(i, ()) for name in place_labels.get(p, ())),
        )
    return out


def _documents(store: ox.Store) -> dict[Term, dict[str, str]]:
    """Each lg:Document with a source path -> path, title, publisher, issued, url (or "")."""
    paths = _objects(store, "lg:sourcePath", _of_type(store, "lg:Document"))
    fields = {name: _objects(store, predicate, paths) for name, predicate in DOC_FIELDS}
    return {
        d: {"path": _pick(paths[d])} | {name: _pick(by.get(d, ())) for name, by in fields.items()}
        for d in paths
    }


Quote = tuple[Term, str, str, str, str, str]  # source, exact, prefix, suffix, start, end


def _quotes(store: ox.Store, annotations: Collection[Term]) -> dict[Term, set[Quote]]:
    """annotation -> the quotes it targets.

    A target's sources and selectors combine as in one SPARQL pattern: each source with each
    quote selector (one with oa:exact; prefix and suffix "" when missing, like an unbound
    OPTIONAL) and each position selector (oa:start and oa:end).
    """
    targets = _objects(store, "oa:hasTarget", annotations)
    wanted = {t for ts in targets.values() for t in ts}
    sources = _objects(store, "oa:hasSource", wanted)
    selectors = _objects(store, "oa:hasSelector", wanted)
    used = {s for ss in selectors.values() for s in ss}
    exact, prefix, suffix, start, end = (
        _values(store, f"oa:{p}", used) for p in ("exact", "prefix", "suffix", "start", "end")
    )
    texts = {
        q: list(product(quote, prefix.get(q) or {""}, suffix.get(q) or {""}))
        for q, quote in exact.items()
    }
    spans = {p: list(product(start[p], end[p])) for p in start.keys() & end.keys()}
    by_target: dict[Term, set[Quote]] = {}
    for t in wanted:
        chosen = selectors.get(t, ())
        by_target[t] = {
            (source, *text, *span)
            for source in sources.get(t, ())
            for q in chosen
            for text in texts.get(q, ())
            for p in chosen
            for span in spans.get(p, ())
        }
    return {a: set().union(*(by_target[t] for t in ts)) for a, ts in targets.items()}


def _evidence(
    store: ox.Store, nodes: Collection[str], incidents: Collection[Term]
) -> tuple[dict[str, dict[tuple, Evidence]], dict[str, set[str]]]:
    """node -> its quotes keyed by (doc path, start, end); node -> paths of those documents.

    A node's quotes are those of the annotations whose body it is, and for an incident also
    those of its lg:evidence annotations; only ``nodes`` are read.
    """
    annotations: dict[Term, set[str]] = defaultdict(set)
    for ann, node in run_query(store, "SELECT ?a ?n WHERE { ?a oa:hasBody ?n }"):
        if (n := term_text(node)) in nodes:
            annotations[ann].add(n)
    for node, ann in run_query(store, "SELECT ?n ?a WHERE { ?n lg:evidence ?a }"):
        if node in incidents and (n := term_text(node)) in nodes:
            annotations[ann].add(n)
    docs = _documents(store)
    evidence: dict[str, dict[tuple, Evidence]] = defaultdict(dict)
    reports: dict[str, set[str]] = defaultdict(set)
    for ann, quotes in _quotes(store, annotations).items():
        for source, exact, prefix, suffix, start, end in quotes:
            d = docs.get(source, {})
            path = d.get("path", "")
            ev = Evidence(
                exact,
                path,
                d.get("title", ""),
                d.get("publisher", ""),
                d.get("issued", ""),
                d.get("url", ""),
                int(start),
                int(end),
                prefix=prefix,
                suffix=suffix,
            )
            key = (path, ev.start, ev.end)
            for node in annotations[ann]:
                # An incident's quote is reached both as the body of its annotation and
                # through lg:evidence, and is one piece of evidence. Should one span carry
                # different quotes (never seen), the smallest is kept.
                kept = evidence[node].get(key)
                if kept is None or (kept != ev and _evidence_order(ev) < _evidence_order(kept)):
                    evidence[node][key] = ev
                reports[node].add(path)
    return evidence, reports


def _evidence_order(ev: Evidence) -> tuple[str, ...]:
    return (ev.quote, ev.prefix, ev.suffix, ev.title, ev.publisher, ev.published, ev.url)


def _edges(store: ox.Store) -> list[tuple[str, str, str, str]]:
    """(source, target, label, kind) of every link the view can draw, sorted."""
    edges = {
        (term_text(s), term_text(o), label, kind)
        for predicate, kind, label in EDGE_PREDICATES
        for s, o in run_query(store, f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}")
    }
    for s, o, title in run_query(store, POSITIONS):
        edges.add((term_text(s), term_text(o), term_text(title), "position"))
    return sorted(edges)


def _conventions(store: ox.Store) -> dict[str, set[str]]:
    """incident -> notations of the conventions it engages."""
    out: dict[str, set[str]] = defaultdict(set)
    for i, c in run_query(store, CONVENTIONS):
        out[term_text(i)].add(term_text(c))
    return out


def _sorted(evidence: dict[tuple, Evidence]) -> tuple[Evidence, ...]:
    return tuple(evidence[k] for k in sorted(evidence))


def view_data_from_store(store: ox.Store, title: str = "labourgraph") -> ViewData:
    """Everything the view draws, read from the store (so `labourgraph view` can redraw it)."""
    typed_incidents = _of_type(store, "lg:Incident")
    nodes = _entities(store)
    incidents = _incidents(store, typed_incidents)
    evidence, reports = _evidence(store, nodes.keys() | incidents.keys(), typed_incidents)
    edges = _edges(store)
    involvement: dict[str, int] = defaultdict(int)
    for _s, o, _, kind in edges:
        if kind in ("agent", "target"):
            involvement[o] += 1
    conventions = _conventions(store)
    out_nodes = [
        ViewNode(
            id=iri,
            label=n.label,
            kind=n.kind,
            incident_type="",
            aliases=n.aliases,
            country=n.country,
            weight=involvement.get(iri, 0),
            evidence=_sorted(evidence.get(iri, {}))[:MAX_MENTIONS],
        )
        for iri, n in sorted(nodes.items())
    ]
    out_nodes += [
        ViewNode(
            id=iri,
            label=i.label,
            kind="Incident",
            incident_type=i.type,
            weight=len(reports.get(iri, ())),
            date_earliest=i.earliest,
            date_latest=i.latest,
            date_text=i.text,
            precision=i.precision,
            place=i.place,
            conventions=tuple(sorted(conventions.get(iri, ()))),
            reports=tuple(sorted(reports.get(iri, ()))),
            evidence=_sorted(evidence.get(iri, {})),
        )
        for iri, i in sorted(incidents.items())
    ]
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
