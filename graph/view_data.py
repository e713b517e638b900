"""What the network view shows: read out of the graphs, then optionally narrowed.

:func:`collect` reads the view's facts (labels, types, dates, links, quotes) from
:class:`Scans`: one predicate at a time over a store's union graph (:class:`StoreScans`), or
over one named graph's quads in memory (:class:`QuadScans`, as the build writes each
document's graph, so the build's view needs no second reading of the store). Facts of several
graphs merge by union; :func:`view_data` joins them into a :class:`ViewData`. Joined in
SPARQL, an incident's values multiply across its reports (millions of rows at 200 documents)
and Oxigraph evaluates each OPTIONAL row by row; dicts keyed by IRI grow linearly instead.

:func:`filter_view` narrows a :class:`ViewData` the way ``labourgraph view`` options ask
(period, types, the neighbourhood of one actor) on a networkx graph, so the result is the
same for the same input.
"""

from __future__ import annotations

import bisect
import calendar
import difflib
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import product
from typing import Protocol

import pyoxigraph as ox

from .errors import LabourgraphError
from .model import ACTOR_TYPES, ENTITY_TYPES, INCIDENT_TYPES, PRECISIONS
from .store import run_query
from .view import Evidence, ViewData, ViewEdge, ViewNode, fold, search_key
from .vocab import DCTERMS, LG, OA, ORG, RDF, RDFS, SEM, SKOS

NS = str(LG._NS)
MAX_MENTIONS = 20  # quotes kept per actor (its incidents carry the fuller evidence)

# (predicate, edge kind, edge label) of the links drawn as stored; positions are drawn from
# lg:Position nodes instead (member -> organization, labelled with the title).
EDGE_PREDICATES: tuple[tuple[str, str, str], ...] = (
    (str(LG.hasAgent), "agent", "agent"),
    (str(LG.hasTarget), "target", "target"),
    (str(SEM.hasPlace), "place", "place"),
    (str(LG.engagesConvention), "convention", "convention"),
    (str(LG.affiliatedTo), "affiliated_to", "affiliated to"),
    (str(ORG.subOrganizationOf), "part_of", "part of"),
)
# The values read per subject, by the name the view gives them (an incident's places and
# conventions are read as edges, see :class:`_Links`).
VALUE_FIELDS: tuple[tuple[str, str], ...] = (
    ("pref", str(SKOS.prefLabel)),
    ("alt", str(SKOS.altLabel)),
    ("country", str(LG.country)),
    ("incident_type", str(LG.incidentType)),
    ("label", str(RDFS.label)),
    ("notation", str(LG.notation)),
    ("path", str(LG.sourcePath)),
    ("title", str(DCTERMS.title)),
    ("publisher", str(DCTERMS.publisher)),
    ("issued", str(DCTERMS.issued)),
    ("url", str(DCTERMS.source)),
)
DOC_FIELDS = ("title", "publisher", "issued", "url")
# An incident's date, as each report (named graph) gives it.
DATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("earliest", str(SEM.hasEarliestBeginTimeStamp)),
    ("latest", str(SEM.hasLatestBeginTimeStamp)),
    ("precision", str(LG.datePrecision)),
    ("text", str(LG.dateText)),
)
_TYPE = str(RDF.type)
_POSITION = (str(ORG.member), str(ORG.organization), str(LG.title))
_QUOTE_PARTS = tuple(str(OA[p]) for p in ("exact", "prefix", "suffix", "start", "end"))
_LINKS = (str(OA.hasBody), str(LG.evidence), str(OA.hasTarget), str(OA.hasSource))
_SELECTOR = str(OA.hasSelector)
# Every predicate the view reads: a graph's other quads are skipped.
READ = frozenset(
    [_TYPE, _SELECTOR, *_POSITION, *_QUOTE_PARTS, *_LINKS]
    + [p for p, _, _ in EDGE_PREDICATES]
    + [p for _, p in VALUE_FIELDS + DATE_FIELDS]
)

PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}  # finest first

Quote = tuple[str, str, str, str, str, str]  # source, exact, prefix, suffix, start, end
# A quote as :class:`Evidence`'s fields in order, made an Evidence only if the view keeps it
# (an actor keeps its first MAX_MENTIONS): a tuple is far cheaper to make than a frozen
# dataclass, and most quotes of a large build are never drawn.
_EvidenceRow = tuple[str, str, str, str, str, str, int, int, str, str]
Pairs = Iterable[tuple[str, str]]


def _sets() -> defaultdict[str, set[str]]:
    return defaultdict(set)


@dataclass
class ViewFacts:
    """What the view needs from some named graphs, as text, joined as far as one graph allows.

    Facts of several graphs merge by union (:meth:`merge`), in any order, into the facts of
    all of them; :func:`view_data` draws from the merged whole. The joins made here
    (an annotation's quotes with its document's particulars, a position's ends) follow IRIs
    that name things of one document graph, so joining per graph and then merging equals
    joining over the union: a quote's document is described by its own graph alone. The joins
    across graphs (an entity's country, an incident's place label, conventions' notations)
    wait for :func:`view_data`.
    """

    lg_types: defaultdict[str, set[str]] = field(default_factory=_sets)  # lg: class names
    values: dict[str, defaultdict[str, set[str]]] = field(
        default_factory=lambda: {name: _sets() for name, _ in VALUE_FIELDS}
    )
    # (incident, report graph) -> date field -> the smallest value that graph states
    dates: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    # node -> the quotes of the annotations whose body it is, keyed by (document path, start,
    # end); ``cited``: those of its lg:evidence annotations (drawn for an incident)
    quoted: dict[str, dict[tuple, _EvidenceRow]] = field(default_factory=dict)
    cited: dict[str, dict[tuple, _EvidenceRow]] = field(default_factory=dict)
    edges: set[tuple[str, str, str, str]] = field(default_factory=set)  # s, o, label, kind

    def merge(self, other: ViewFacts) -> None:
        """Add ``other``'s facts to these; ``other`` is used up (its sets become these facts')."""
        _union(self.lg_types, other.lg_types)
        for name, by in other.values.items():
            _union(self.values[name], by)
        for key, fields in other.dates.items():
            mine = self.dates.setdefault(key, {})
            for name, value in fields.items():
                mine[name] = min(value, mine.get(name, value))
        _add_quotes(self.quoted, other.quoted)
        _add_quotes(self.cited, other.cited)
        self.edges |= other.edges


def _union(into: defaultdict, more: dict) -> None:
    # Most keys are one graph's own: taking the set over instead of copying it into a new one
    # halves the cost of merging ten thousand graphs.
    for key, items in more.items():
        mine = into.get(key)
        if mine is None:
            into[key] = items
        else:
            mine |= items


def _add_quotes(
    into: dict[str, dict[tuple, _EvidenceRow]], more: dict[str, dict[tuple, _EvidenceRow]]
) -> None:
    """Each node's quotes of ``more`` added to its quotes ``into`` (see :func:`_keep`)."""
    for node, quotes in more.items():
        mine = into.get(node)
        if mine is None:
            into[node] = quotes
        elif mine.keys().isdisjoint(quotes):  # a quote's key names its document's path
            mine.update(quotes)
        else:
            for key, ev in quotes.items():
                _keep(mine, key, ev)


def _keep(quotes: dict[tuple, _EvidenceRow], key: tuple, ev: _EvidenceRow) -> None:
    """Put ``ev`` under ``key`` unless a quote is there already: one span is one piece of
    evidence. Should one span carry different quotes (never seen), the smallest is kept."""
    kept = quotes.get(key)
    if kept is None or (kept != ev and _evidence_order(ev) < _evidence_order(kept)):
        quotes[key] = ev


# A document's own values: its graph alone states them (as it alone states its annotations,
# their quotes and its report dates, all named after the document).
_OWN_VALUES = frozenset(("path", *DOC_FIELDS))


class Ledger:
    """How many merged graphs state each fact that graphs share, so that one graph's facts
    can be taken out of the merge again (:meth:`take_out`).

    Shared facts are counted: an entity's or incident's types and values, and the links
    between them. What only one document's graph states (its quotes, keyed by the document's
    path, its report dates, the document's own values) goes with it.
    """

    def __init__(self) -> None:
        self.counts: Counter[tuple] = Counter()

    def count(self, facts: ViewFacts) -> None:
        """Count the shared facts of a graph about to be merged (merging uses them up)."""
        self.counts.update(_shared(facts))

    def take_out(self, merged: ViewFacts, facts: ViewFacts) -> None:
        """Take the facts of a graph counted and merged before (``facts``, read again) out
        of ``merged``: what no other merged graph states is gone."""
        counts = self.counts
        for item in _shared(facts):
            counts[item] -= 1
            if counts[item] <= 0:
                del counts[item]
                kind, subject, value = item
                if kind == "edge":
                    merged.edges.discard(value)
                else:
                    into = merged.lg_types if kind == "type" else merged.values[kind]
                    _discard(into, subject, value)
        for key in facts.dates:
            merged.dates.pop(key, None)
        for mine, theirs in ((merged.quoted, facts.quoted), (merged.cited, facts.cited)):
            for node, quotes in theirs.items():
                for key in quotes:
                    _discard(mine, node, key)
        for name in _OWN_VALUES:
            for subject in facts.values[name]:
                merged.values[name].pop(subject, None)


def _shared(facts: ViewFacts) -> Iterator[tuple]:
    for node, types in facts.lg_types.items():
        for t in types:
            yield ("type", node, t)
    for name, by in facts.values.items():
        if name not in _OWN_VALUES:
            for subject, values in by.items():
                for v in values:
                    yield (name, subject, v)
    for edge in facts.edges:
        yield ("edge", "", edge)


def _discard(into: dict[str, set] | dict[str, dict], key: str, item: object) -> None:
    mine = into.get(key)
    if mine is not None:
        if isinstance(mine, dict):
            mine.pop(item, None)
        else:
            mine.discard(item)
        if not mine:  # as if never merged: no key with nothing under it
            del into[key]


class Scans(Protocol):
    """Where facts are read from: all triples with one predicate, as text."""

    def pairs(self, predicate: str) -> Pairs:
        """(subject, object) of every triple with ``predicate`` (an IRI)."""
        ...

    def in_graphs(self, predicate: str) -> Iterable[tuple[str, str, str]]:
        """(subject, object, graph) of every quad with ``predicate``."""
        ...


class StoreScans:
    """Scans over a store's union graph, one SPARQL pattern per predicate.

    A scan decodes just the terms of each row; Oxigraph's joins cost more than the dicts
    that replace them here (joined in SPARQL, an incident's values multiply across its
    reports, and each OPTIONAL is evaluated row by row).
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def pairs(self, predicate: str) -> Pairs:
        query = f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}"
        return ((s.value, o.value) for s, o in run_query(self.store, query))

    def in_graphs(self, predicate: str) -> Iterable[tuple[str, str, str]]:
        query = f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} }}"
        return ((s.value, o.value, g.value) for s, o, g in run_query(self.store, query))


class QuadScans:
    """Scans over quads in memory (one named graph as the build writes it)."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.by: defaultdict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for q in quads:
            p = q.predicate.value
            if p in READ:
                self.by[p].append((q.subject.value, q.object.value, q.graph_name.value))

    def pairs(self, predicate: str) -> Pairs:
        return ((s, o) for s, o, _ in self.by.get(predicate, ()))

    def in_graphs(self, predicate: str) -> Iterable[tuple[str, str, str]]:
        return iter(self.by.get(predicate, ()))


def _objects(scans: Scans, predicate: str) -> defaultdict[str, set[str]]:
    out = _sets()
    for s, o in scans.pairs(predicate):
        out[s].add(o)
    return out


def collect(scans: Scans) -> ViewFacts:
    """The view's facts from ``scans`` (a store's union graph, or one graph's quads)."""
    facts = ViewFacts()
    for s, t in scans.pairs(_TYPE):
        if name := _local_name(t):
            facts.lg_types[s].add(name)
    for name, predicate in VALUE_FIELDS:
        facts.values[name] = _objects(scans, predicate)
    for name, predicate in DATE_FIELDS:
        for s, o, g in scans.in_graphs(predicate):
            fields = facts.dates.setdefault((s, g), {})
            fields[name] = min(o, fields.get(name, o))
    quotes = _quotes(scans)
    docs = _document_rows(facts)
    bodies = _sets()  # node -> the annotations whose body it is
    for ann, node in scans.pairs(str(OA.hasBody)):
        bodies[node].add(ann)
    facts.quoted = _assemble(bodies, quotes, docs)
    facts.cited = _assemble(_objects(scans, str(LG.evidence)), quotes, docs)
    facts.edges = {
        (s, o, label, kind)
        for predicate, kind, label in EDGE_PREDICATES
        for s, o in scans.pairs(predicate)
    }
    members, organizations, titles = (_objects(scans, p) for p in _POSITION)
    for m, names in facts.lg_types.items():
        if "Position" in names:
            facts.edges.update(
                (s, o, title, "position")
                for s in members.get(m, ())
                for o in organizations.get(m, ())
                for title in titles.get(m, ())
            )
    return facts


def _quotes(scans: Scans) -> defaultdict[str, set[Quote]]:
    """annotation -> the quotes it targets.

    A target's sources and selectors combine as in one SPARQL pattern: each source with each
    quote selector (one with oa:exact; prefix and suffix "" when missing, like an unbound
    OPTIONAL) and each position selector (oa:start and oa:end).
    """
    targets = _objects(scans, str(OA.hasTarget))
    sources = _objects(scans, str(OA.hasSource))
    selectors = _objects(scans, _SELECTOR)
    exact, prefix, suffix, start, end = (_objects(scans, p) for p in _QUOTE_PARTS)
    texts = {
        q: list(product(quote, prefix.get(q) or {""}, suffix.get(q) or {""}))
        for q, quote in exact.items()
    }
    spans = {p: list(product(start[p], end[p])) for p in start.keys() & end.keys()}
    by_target: dict[str, set[Quote]] = {}
    for t in {t for ts in targets.values() for t in ts}:
        chosen = selectors.get(t, ())
        by_target[t] = {
            (source, *text, *span)
            for source in sources.get(t, ())
            for q in chosen
            for text in texts.get(q, ())
            for p in chosen
            for span in spans.get(p, ())
        }
    out: defaultdict[str, set[Quote]] = defaultdict(set)
    for a, ts in targets.items():
        out[a] = set().union(*(by_target[t] for t in ts))
    return out


def _pick(texts: Iterable[str]) -> str:
    """The smallest of ``texts``, or "" for none: the one value the view shows.

    Where reports disagree (an incident's label or place), the smallest is stable whatever
    order the graphs were read in. Dates are chosen whole, see :func:`_report_dates`.
    """
    return min(texts, default="")


def _local_name(iri: str) -> str:
    """An lg: class or concept's local name, else ""."""
    return iri[len(NS) :] if iri.startswith(NS) else ""


def _report_dates(facts: ViewFacts, incidents: Collection[str]) -> dict[str, tuple[str, ...]]:
    """incident -> (earliest, latest, precision, text) of its most precisely dated report.

    Each report (named graph) dates the incident on its own; the four values are taken from
    one report, so a date text never shows with another report's precision or bounds. The
    finest precision wins ("23 May 2022" over "2022"), then the earliest date.
    """
    best: dict[str, tuple] = {}
    for (s, _g), values in facts.dates.items():
        if s not in incidents or len(values) < len(DATE_FIELDS):
            continue
        rank = PRECISION_RANK.get(values["precision"], len(PRECISION_RANK))
        key = (rank, values["earliest"], values["latest"], values["text"])
        if s not in best or key < best[s]:
            best[s] = key
    return {
        s: (earliest, latest, PRECISIONS[rank] if rank < len(PRECISIONS) else "", text)
        for s, (rank, earliest, latest, text) in best.items()
    }


@dataclass(frozen=True)
class _Entity:
    label: str
    kind: str
    aliases: tuple[str, ...]
    country: str


def _entities(facts: ViewFacts) -> dict[str, _Entity]:
    """Whatever has an lg: class and a skos:prefLabel: actors, conventions, laws, places."""
    pref, alt, country = (facts.values[n] for n in ("pref", "alt", "country"))
    return {
        e: _Entity(
            label=_pick(pref[e]),
            kind=min(kinds),
            aliases=tuple(sorted(a for a in alt.get(e, ()) if a)),
            country=_pick(name for c in country.get(e, ()) for name in pref.get(c, ())),
        )
        for e, kinds in facts.lg_types.items()
        if pref.get(e)
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

    def placed(self, place: str) -> _Incident:
        """This row with another place (``dataclasses.replace`` costs five times more, and a
        build's incidents get their places' names anew in each build)."""
        return _Incident(
            self.label, self.type, self.earliest, self.latest, self.precision, self.text, place
        )


def _incidents(
    facts: ViewFacts, incidents: Collection[str], places: dict[str, set[str]]
) -> dict[str, _Incident]:
    """Incidents with an lg:incidentType and an rdfs:label, with date and place.

    Several reports may date one incident: its date is its most precise report's (see
    :func:`_report_dates`). Of disagreeing labels, types and places the smallest is kept
    (see :func:`_pick`). ``places``: each incident's places (see :class:`_Links`).
    """
    types, labels, pref = (facts.values[n] for n in ("incident_type", "label", "pref"))
    dates = _report_dates(facts, incidents)
    out = {}
    for i in _drawn_incidents(facts, incidents):
        earliest, latest, precision, text = dates.get(i, ("", "", "", ""))
        out[i] = _Incident(
            label=_pick(labels[i]),
            type=min(_local_name(t) for t in types[i]),
            earliest=earliest,
            latest=latest,
            precision=precision,
            text=text,
            place=_place_name(places.get(i, ()), pref),
        )
    return out


def _drawn_incidents(facts: ViewFacts, incidents: Collection[str]) -> list[str]:
    """Those of ``incidents`` the view draws: with an incident type and a label."""
    types, labels = facts.values["incident_type"], facts.values["label"]
    return [i for i in incidents if types.get(i) and labels.get(i)]


def _place_name(places: Iterable[str], pref: dict[str, set[str]]) -> str:
    """What an incident's places are called (the smallest of their names, see :func:`_pick`)."""
    return _pick(name for p in places for name in pref.get(p, ()))


def _document_rows(facts: ViewFacts) -> dict[str, tuple[str, ...]]:
    """Each lg:Document with a source path -> (path, title, publisher, issued, url), each
    value or ""."""
    paths, types, values = facts.values["path"], facts.lg_types, facts.values
    return {
        d: (_pick(paths[d]), *(_pick(values[name].get(d, ())) for name in DOC_FIELDS))
        for d in types
        if "Document" in types[d] and paths.get(d)
    }


class Joined:
    """The incidents' rows (:func:`_incidents`) and nodes of some merged facts, made ahead of
    a later merge.

    The drawing process makes them (:meth:`join`) while it waits for the build's list of
    graphs, from the graphs it merged ahead, and is told (:meth:`note`) each graph it takes
    out or adds after; :func:`view_data` then makes again only the rows and nodes those
    touched (:meth:`incidents_of`, :func:`_incident_nodes`).
    """

    def __init__(self) -> None:
        self.incidents: set[str] = set()
        self.subjects: set[str] = set()  # what the graphs noted give types or values
        self.dated: set[str] = set()  # what the graphs noted date
        self.quoted: set[str] = set()  # what the graphs noted quote
        self.incident_rows: dict[str, _Incident] = {}  # :func:`_incidents` of the joined
        self.nodes: dict[str, ViewNode] = {}  # the nodes of those rows
        self.entity_rows: dict[str, _Entity] = {}  # :func:`_entities` of the joined
        self.entity_nodes: dict[str, ViewNode] = {}  # the nodes of those rows
        self.edges: set[tuple[str, str, str, str]] = set()  # the edges joined
        self.sorted_edges: list[tuple[str, str, str, str]] = []  # those edges, sorted
        self.view_edges: list[ViewEdge] = []  # and as the view draws them
        self.joined = False

    def join(self, facts: ViewFacts) -> None:
        """Make the rows and nodes of every entity and incident of ``facts``, and its edges."""
        self.incidents = {s for s, kinds in facts.lg_types.items() if "Incident" in kinds}
        links = _Links(facts.edges)
        self.incident_rows = _incidents(facts, self.incidents, links.places)
        self.nodes = _incident_nodes(facts, self.incident_rows, _notations(facts, links))
        self.entity_rows = _entities(facts)
        self.entity_nodes = _entity_nodes(facts, self.entity_rows, links.involvement)
        self.edges = set(facts.edges)
        self.sorted_edges = sorted(self.edges)
        self.view_edges = [ViewEdge(*edge) for edge in self.sorted_edges]
        self.joined = True

    def note(self, facts: ViewFacts) -> None:
        """Note a graph taken out of the facts joined, or merged into them, since."""
        self.subjects.update(facts.lg_types)
        for by in facts.values.values():
            self.subjects.update(by)
        self.dated.update(s for s, _graph in facts.dates)
        self.quoted.update(facts.quoted)
        self.quoted.update(facts.cited)

    def incidents_of(
        self, facts: ViewFacts, incidents: Collection[str], places: dict[str, set[str]]
    ) -> dict[str, _Incident]:
        """:func:`_incidents` of ``facts`` (those joined, and the graphs noted since): made
        again only for the incidents the noted graphs type, name or date, or whose being an
        incident changed; the others' place names are looked up again (places are
        named by the entities graph, which every build makes anew)."""
        dirty = self.subjects | self.dated | (set(incidents) ^ self.incidents)
        out = _incidents(facts, {i for i in incidents if i in dirty}, places)
        pref = facts.values["pref"]
        for i, row in self.incident_rows.items():
            if i in incidents and i not in dirty:
                place = _place_name(places.get(i, ()), pref)
                out[i] = row if place == row.place else row.placed(place)
        return out


def _entity_nodes(
    facts: ViewFacts,
    rows: dict[str, _Entity],
    involvement: dict[str, int],
    joined: Joined | None = None,
) -> dict[str, ViewNode]:
    """The node of each entity's row, with its weight and first quotes; with ``joined``, its
    node made ahead when its row, weight and quotes are the ones it was made of."""
    made, quoted = (joined.entity_nodes, joined.quoted) if joined is not None else ({}, set())
    ahead = joined.entity_rows if joined is not None else {}
    out = {}
    for iri, n in rows.items():
        weight = involvement.get(iri, 0)
        node = made.get(iri)
        if node is None or iri in quoted or ahead.get(iri) != n or node.weight != weight:
            node = ViewNode(
                id=iri,
                label=n.label,
                kind=n.kind,
                incident_type="",
                aliases=n.aliases,
                country=n.country,
                weight=weight,
                evidence=_sorted(facts.quoted.get(iri, {}), MAX_MENTIONS),
            )
        out[iri] = node
    return out


class _Links:
    """What the view reads off the edges, in one pass: each incident's places and
    conventions, and how many incidents have each node as agent or target."""

    def __init__(self, edges: Iterable[tuple[str, str, str, str]]) -> None:
        self.places: dict[str, set[str]] = defaultdict(set)
        self.conventions: dict[str, set[str]] = defaultdict(set)
        self.involvement: dict[str, int] = defaultdict(int)
        for s, o, _label, kind in edges:
            if kind == "place":
                self.places[s].add(o)
            elif kind == "convention":
                self.conventions[s].add(o)
            elif kind == "agent" or kind == "target":
                self.involvement[o] += 1


_FEW_EDGES = 256  # new edges put in place among those made ahead, rather than all sorted


def _view_edges(
    edges: set[tuple[str, str, str, str]], joined: Joined | None = None
) -> list[ViewEdge]:
    """``edges`` sorted, as the view draws them; with ``joined``, those made ahead with the
    ones gone since taken out and the new ones put in their places."""
    if joined is None:
        return [ViewEdge(*edge) for edge in sorted(edges)]
    if edges == joined.edges:
        return joined.view_edges
    new = edges - joined.edges
    if len(new) > _FEW_EDGES:  # each put in place moves the ones after it: sort instead
        return [ViewEdge(*edge) for edge in sorted(edges)]
    gone = joined.edges - edges
    if gone:
        kept = [i for i, edge in enumerate(joined.sorted_edges) if edge not in gone]
        order = [joined.sorted_edges[i] for i in kept]
        views = [joined.view_edges[i] for i in kept]
    else:
        order, views = list(joined.sorted_edges), list(joined.view_edges)
    for edge in sorted(new):
        at = bisect.bisect_left(order, edge)
        order.insert(at, edge)
        views.insert(at, ViewEdge(*edge))
    return views


def _incident_nodes(
    facts: ViewFacts,
    rows: dict[str, _Incident],
    conventions: dict[str, set[str]],
    joined: Joined | None = None,
) -> dict[str, ViewNode]:
    """The node of each incident's row, with its quotes and conventions; with ``joined``,
    its node made ahead when its row, quotes and conventions are the ones it was made of."""
    made, quoted = (joined.nodes, joined.quoted) if joined is not None else ({}, set())
    ahead = joined.incident_rows if joined is not None else {}
    out = {}
    for iri, i in rows.items():
        notations = _in_order(conventions.get(iri, ()))
        node = made.get(iri)
        if (
            node is None
            or iri in quoted
            or ahead.get(iri) is not i  # made again (a new row, or placed anew)
            or node.conventions != notations
        ):
            quotes = _incident_quotes(facts, iri)
            reports = {path for path, _start, _end in quotes}
            node = ViewNode(
                id=iri,
                label=i.label,
                kind="Incident",
                incident_type=i.type,
                weight=len(reports),
                date_earliest=i.earliest,
                date_latest=i.latest,
                date_text=i.text,
                precision=i.precision,
                place=i.place,
                conventions=notations,
                reports=_in_order(reports),
                evidence=_sorted(quotes),
            )
        out[iri] = node
    return out


def _assemble(
    links: dict[str, set[str]],
    quotes: dict[str, set[Quote]],
    docs: dict[str, tuple[str, ...]],
) -> dict[str, dict[tuple, _EvidenceRow]]:
    """node -> the quotes of the annotations it ``links`` to, with their documents'
    particulars (``docs``), keyed by (document path, start, end)."""
    unknown = ("",) * (1 + len(DOC_FIELDS))
    rows: dict[str, _EvidenceRow] = {}
    out: dict[str, dict[tuple, _EvidenceRow]] = {}
    for node, anns in links.items():
        mine: dict[tuple, _EvidenceRow] = {}
        for ann in anns:
            for quote in quotes.get(ann, ()):
                ev = rows.get(quote)  # type: ignore[call-overload]
                if ev is None:
                    source, exact, prefix, suffix, start, end = quote
                    path, title, publisher, issued, url = docs.get(source, unknown)
                    ev = (exact, path, title, publisher, issued, url, int(start), int(end))
                    ev = rows[quote] = (*ev, prefix, suffix)  # type: ignore[index]
                _keep(mine, (ev[1], ev[6], ev[7]), ev)
        if mine:
            out[node] = mine
    return out


def _incident_quotes(facts: ViewFacts, incident: str) -> dict[tuple, _EvidenceRow]:
    """An incident's quotes: those of the annotations whose body it is and of its
    lg:evidence annotations (a quote reached both ways is one)."""
    quotes = facts.quoted.get(incident, {})
    more = facts.cited.get(incident)
    if more:
        quotes = dict(quotes)
        for key, ev in more.items():
            _keep(quotes, key, ev)
    return quotes


def _evidence_order(ev: _EvidenceRow) -> tuple[str, ...]:
    """quote, prefix, suffix, title, publisher, published, url."""
    return (ev[0], ev[8], ev[9], ev[2], ev[3], ev[4], ev[5])


def _notations(facts: ViewFacts, links: _Links) -> dict[str, set[str]]:
    """incident -> notations of the conventions it engages."""
    notation = facts.values["notation"]
    return {i: {n for c in cs for n in notation.get(c, ())} for i, cs in links.conventions.items()}


def _sorted(evidence: dict[tuple, _EvidenceRow], limit: int | None = None) -> tuple[Evidence, ...]:
    """The first ``limit`` quotes by (doc path, start, end), as :class:`Evidence`."""
    if limit is not None and len(evidence) > limit:  # a much quoted actor: no whole sort
        keys: Iterable[tuple] = heapq.nsmallest(limit, evidence)
    else:
        keys = _in_order(evidence)
    return tuple(Evidence(*evidence[k]) for k in keys)


def _in_order(items: Collection) -> tuple:
    """``tuple(sorted(items))``; most nodes have one quote, report or convention, or none,
    and a view has tens of thousands of nodes."""
    return tuple(items) if len(items) < 2 else tuple(sorted(items))


Drawn = Callable[[Collection[str], list[tuple[str, str]]], object]


def view_data(
    facts: ViewFacts,
    title: str = "labourgraph",
    *,
    on_drawn: Drawn | None = None,
    joined: Joined | None = None,
) -> ViewData:
    """Everything the view draws, from the merged facts of every graph.

    ``on_drawn`` is called with the ids of the nodes and the ends of the edges as soon as
    they are known, before the rest (quotes, dates) is joined: the build starts the layout
    there, in another process (their :func:`labourgraph.layout.positions` is the view's).
    ``joined`` holds incidents' rows made ahead (see :class:`Joined`).
    """
    typed_incidents = {s for s, kinds in facts.lg_types.items() if "Incident" in kinds}
    nodes = _entities(facts)
    # Told before the incidents' dates and places are read: the layout waits for nothing else.
    drawn = nodes.keys() | set(_drawn_incidents(facts, typed_incidents))
    if on_drawn is not None:
        on_drawn(drawn, [(s, o) for s, o, _, _ in facts.edges])
    ahead = joined if joined is not None and joined.joined else None
    links = _Links(facts.edges)
    if ahead is not None:
        incidents = ahead.incidents_of(facts, typed_incidents, links.places)
    else:
        incidents = _incidents(facts, typed_incidents, links.places)
    made = _entity_nodes(facts, nodes, links.involvement, ahead)
    out_nodes = [made[iri] for iri in sorted(made)]
    made = _incident_nodes(facts, incidents, _notations(facts, links), ahead)
    out_nodes += [made[iri] for iri in sorted(made)]
    known = {n.id for n in out_nodes}
    out_edges = tuple(
        e for e in _view_edges(facts.edges, ahead) if e.source in known and e.target in known
    )
    return ViewData(title, tuple(out_nodes), out_edges)


def view_data_from_store(store: ox.Store, title: str = "labourgraph") -> ViewData:
    """Everything the view draws, read from the store (so `labourgraph view` can redraw it)."""
    return view_data(collect(StoreScans(store)), title)


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
    import networkx as nx  # only here: a build never narrows its view

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
