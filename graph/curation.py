"""Curation stage: apply the judgements file between extraction and RDF, and record it.

Order: ``same`` / ``not_same`` are handed to the resolver as links between mentions (a name
stands for the mentions written that way, else for every mention of the entity with that id or
name); then ``reject``, ``alias``, ``type``, ``title`` and ``add`` edit the result. A judgement
that names nothing in this build is kept in :attr:`Curated.unmatched` with the reason, printed on
one line and listed in ``report.json``: never silently dropped.

RDF: each judgement is ``id/judgement/<its id>`` (see :mod:`labourgraph.judgements`) in the graph
``id/graph/judgements``, with who, when, why and the decision; the entities and facts it shaped
point to it with ``lg:judgement``. A rejected fact leaves no trace but the judgement's label.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .judgements import Judgement, norm
from .model import DateValue, Entity, Extraction, Incident, Mention, Relation, Resolution, Span
from .rdf import DocGraph, GraphWriter, entity_iri, relation_iri
from .reference import Reference, load_reference
from .resolve import Aligned, Detailed, Link, MentionKey, hash_id, resolve_detailed
from .vocab import OX

DCTERMS, ID, LG, RDF, RDFS, XSD = OX.DCTERMS, OX.ID, OX.LG, OX.RDF, OX.RDFS, OX.XSD
JUDGEMENTS_GRAPH = ID["graph/judgements"]


@dataclass(frozen=True)
class Added:
    """A fact added by hand: an incident or a relation, cited by a verbatim quote."""

    judgement: Judgement
    doc_id: str
    evidence: Span
    incident: Incident | None = None  # its actors are in the fields below, as entity ids
    incident_id: str = ""
    agents: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    place: str = ""
    conventions: tuple[str, ...] = ()
    relation: tuple[str, str, str] = ("", "", "")
    title: str = ""


@dataclass
class Curated:
    """The build's extractions and resolution after the judgements, and what each one did."""

    extractions: list[Extraction]
    resolution: Resolution
    mention_reasons: Mapping[MentionKey, str]
    judgements: list[Judgement]
    touched: dict[str, set[ox.NamedNode]] = field(default_factory=dict)  # judgement id -> nodes
    added: list[Added] = field(default_factory=list)
    unmatched: list[tuple[Judgement, str]] = field(default_factory=list)
    blocked: tuple[str, ...] = ()
    review: list | None = None  # review.Item, most useful first (see :meth:`review_items`)
    # The resolution per mention in document order, as resolved: without judgements only
    # (a judgement may change the resolution after).
    aligned: Aligned | None = None
    ref: Reference | None = field(default=None, repr=False)  # the reference data resolved with

    def miss(self, j: Judgement, problem: str) -> None:
        self.unmatched.append((j, problem))

    def touch(self, j: Judgement, nodes: Iterable[ox.NamedNode]) -> None:
        self.touched.setdefault(j.id, set()).update(nodes)

    def report(self) -> dict:
        """What ``report.json`` lists under ``judgements``."""
        return {
            "applied": sorted(j.id for j in self.judgements if j.id not in self._missed()),
            "blocked": list(self.blocked),
            "unmatched": [
                {"id": j.id, "entry": j.where, "decision": j.summary, "problem": p}
                for j, p in self.unmatched
            ],
        }

    def lines(self) -> list[str]:
        """One line per judgement that names nothing in this build."""
        return [f"Judgement: {j.where}: {p} (not applied)" for j, p in self.unmatched]

    def _missed(self) -> set[str]:
        return {j.id for j, _ in self.unmatched}

    def review_items(self) -> list:
        """The review queue (review.Item, most useful first), made on first use.

        Made in :func:`curate` when an ``ok`` judgement needs it (one naming no item is
        unmatched, which the judgements graph shows); otherwise when first asked for, so a
        build makes it beside other work, off the way to the view.
        """
        if self.review is None:
            from .review import queue  # review reads Curated; imported here to keep one direction

            self.review = queue(self, self.ref or load_reference())
        return self.review


class _Names:
    """Entities and mentions by id or any alias (case and accents ignored)."""

    def __init__(self, res: Resolution) -> None:
        self.resolution = res
        self.by_id = {e.entity_id: e for e in res.entities}
        self.by_alias: dict[str, list[Entity]] = {}
        self.by_surface: dict[str, set[MentionKey]] = {}
        for e in res.entities:
            for a in {e.name, *e.aliases}:
                self.by_alias.setdefault(norm(a), []).append(e)
            for m in e.mentions:
                self.by_surface.setdefault(norm(m.span.text), set()).add(_key(m))

    def entities(self, name: str) -> list[Entity]:
        if name in self.by_id:
            return [self.by_id[name]]
        return sorted(self.by_alias.get(norm(name), []), key=lambda e: e.entity_id)

    def entity(self, name: str) -> Entity | str:
        """The one entity ``name`` names, or why not."""
        found = self.entities(name)
        if len(found) == 1:
            return found[0]
        if not found:
            return f"{name!r} names no entity in this build"
        ids = ", ".join(e.entity_id for e in found)
        return f"{name!r} names {len(found)} entities ({ids}); use one of these ids"

    def mentions(self, name: str) -> frozenset[MentionKey]:
        """The mentions written ``name``, else every mention of the entity it names."""
        if norm(name) in self.by_surface and name not in self.by_id:
            return frozenset(self.by_surface[norm(name)])
        found = self.entities(name)
        return frozenset(_key(m) for e in found for m in e.mentions)


def _names_of(res: Resolution, known: _Names | None = None) -> _Names:
    """``known`` if it indexes ``res``, else a new index (built only when a judgement needs it)."""
    return known if known is not None and known.resolution is res else _Names(res)


def _key(m: Mention) -> MentionKey:
    return (m.doc_id, m.span.start, m.span.end)


def curate(
    extractions: list[Extraction],
    judgements: list[Judgement],
    ref: Reference | None = None,
    resolver: Callable[[list[Extraction], Reference], Detailed] = resolve_detailed,
) -> Curated:
    """Resolve ``extractions`` under ``judgements`` and apply the rest of them; ``resolver``
    resolves them without judgements (the base the judgements change)."""
    ref = ref or load_reference()
    base = resolver(extractions, ref)
    links = [j for j in judgements if j.decision in ("same", "not_same")]
    detailed = _resolve_judged(extractions, ref, base, links) if links else (base, [])
    cur = Curated(
        list(extractions),
        detailed[0].resolution,
        detailed[0].mention_reasons,
        list(judgements),
        blocked=detailed[0].blocked,
        ref=ref,
        aligned=None if judgements else base.aligned,
    )
    for j, problem in detailed[1]:
        cur.miss(j, problem)
    names: _Names | None = None
    for j in links:
        if j.id not in cur._missed():
            names = _names_of(cur.resolution, names)
            _check_link(cur, names, j)
    for j in judgements:
        step = _STEPS.get(j.decision)
        if step is not None:
            # A step may replace the resolution; the index follows it.
            names = _names_of(cur.resolution, names)
            problem = step(cur, names, j, ref)
            if problem:
                cur.miss(j, problem)
    if any(j.decision == "ok" for j in judgements):
        cur.review_items()
    return cur


def _resolve_judged(
    extractions: list[Extraction], ref: Reference, base: Detailed, links: list[Judgement]
) -> tuple[Detailed, list[tuple[Judgement, str]]]:
    names = _Names(base.resolution)
    same, not_same, missed = [], [], []
    for j in links:
        left, right = (names.mentions(n) for n in j.value)
        absent = [n for n, side in zip(j.value, (left, right), strict=True) if not side]
        if absent:
            missed.append((j, f"{absent[0]!r} names nothing in this build"))
        elif left & right:
            missed.append(
                (j, "both names stand for the same mentions; name each side by its own alias")
            )
        else:
            (same if j.decision == "same" else not_same).append(Link(left, right, j.provenance))
    return resolve_detailed(extractions, ref, same=same, not_same=not_same), missed


def _check_link(cur: Curated, names: _Names, j: Judgement) -> None:
    """Record the entities a same/not-same judgement shaped, or why it could not hold."""
    sides = [
        {cur.resolution.entity_of[k] for k in names.mentions(n) if k in cur.resolution.entity_of}
        for n in j.value
    ]
    if j.decision == "same" and (len(sides[0] | sides[1]) != 1):
        cur.miss(j, "could not merge them: a not-same judgement keeps them apart")
        return
    cur.touch(j, (entity_iri(e) for e in sides[0] | sides[1]))


# ---------------------------------------------------------------- the other decisions


def _reject(cur: Curated, names: _Names, j: Judgement, ref: Reference) -> str:
    v = j.value
    if "incident" in v:
        ids = cur.resolution.incident_ids
        gone = {k for k, iid in ids.items() if iid == v["incident"]}
        if not gone:
            return f"no incident has the id {v['incident']!r} in this build"
        cur.extractions = [
            dataclasses.replace(x, incidents=tuple(i for i in x.incidents if i.key not in gone))
            for x in cur.extractions
        ]
        return ""
    if "relation" in v:
        s, t, o = v["relation"]
        subj, obj = names.entity(s), names.entity(o)
        for e in (subj, obj):
            if isinstance(e, str):
                return e
        of = cur.resolution.entity_of

        def hit(r: Relation) -> bool:
            return (r.type, of[_key(r.subject)], of[_key(r.object)]) == (
                t,
                subj.entity_id,
                obj.entity_id,
            )

        if not any(hit(r) for x in cur.extractions for r in x.relations):
            return f"no {t} relation from {s!r} to {o!r} in this build"
        cur.extractions = [
            dataclasses.replace(x, relations=tuple(r for r in x.relations if not hit(r)))
            for x in cur.extractions
        ]
        return ""
    if "entity" in v:
        e = names.entity(v["entity"])
        if isinstance(e, str):
            return e
        _drop_mentions(cur, {_key(m) for m in e.mentions})
        return ""
    doc = v.get("document")
    keys = {
        k
        for k in names.by_surface.get(norm(v["mention"]), set())
        if doc is None or _doc_matches(k[0], doc)
    }
    if not keys:
        where = f" in {doc}" if doc else ""
        return f"no mention written {v['mention']!r}{where} in this build"
    _drop_mentions(cur, keys)
    return ""


def _doc_matches(doc_id: str, name: str) -> bool:
    return doc_id == name or doc_id.rsplit("/", 1)[-1] == name


def _drop_mentions(cur: Curated, keys: set[MentionKey]) -> None:
    """Remove mentions, the relations they hold, their roles in incidents and emptied incidents."""

    def keep(m: Mention) -> bool:
        return _key(m) not in keys

    out = []
    for x in cur.extractions:
        incidents = []
        for i in x.incidents:
            i = dataclasses.replace(
                i,
                agents=tuple(filter(keep, i.agents)),
                targets=tuple(filter(keep, i.targets)),
                place=i.place if i.place is None or keep(i.place) else None,
                conventions=tuple(filter(keep, i.conventions)),
            )
            if i.agents or i.targets:
                incidents.append(i)
        out.append(
            dataclasses.replace(
                x,
                mentions=tuple(filter(keep, x.mentions)),
                relations=tuple(r for r in x.relations if keep(r.subject) and keep(r.object)),
                incidents=tuple(incidents),
            )
        )
    cur.extractions = out
    res = cur.resolution
    # Incident ids keep the key they had: ids must not move because a victim was struck off.
    old_ids = dict(res.incident_ids)
    entities = []
    for e in res.entities:
        ms = tuple(filter(keep, e.mentions))
        if ms:
            entities.append(dataclasses.replace(e, mentions=ms))
    entity_of = {k: v for k, v in res.entity_of.items() if k not in keys}
    new_ids = {}
    for x in out:
        for i in x.incidents:
            new_ids[i.key] = old_ids.get(i.key) or _old_id(old_ids, i)
    cur.resolution = dataclasses.replace(
        res, entities=tuple(entities), entity_of=entity_of, incident_ids=new_ids
    )


def _old_id(old_ids: dict[tuple, str], inc: Incident) -> str:
    """The id the incident had before victims were struck off (its key lists their offsets)."""
    for key, iid in old_ids.items():
        if key[:4] == inc.key[:4]:
            return iid
    return hash_id(inc.type, inc.doc_id, str(inc.trigger.start), str(inc.trigger.end))


def _replace_entity(cur: Curated, new: Entity) -> None:
    res = cur.resolution
    entities = tuple(new if e.entity_id == new.entity_id else e for e in res.entities)
    cur.resolution = dataclasses.replace(res, entities=entities)


def _alias(cur: Curated, names: _Names, j: Judgement, ref: Reference) -> str:
    e = names.entity(j.value["entity"])
    if isinstance(e, str):
        return e
    _replace_entity(
        cur, dataclasses.replace(e, aliases=tuple(sorted({*e.aliases, j.value["add"]})))
    )
    cur.touch(j, [entity_iri(e.entity_id)])
    return ""


def _type(cur: Curated, names: _Names, j: Judgement, ref: Reference) -> str:
    e = names.entity(j.value["entity"])
    if isinstance(e, str):
        return e
    _replace_entity(cur, dataclasses.replace(e, type=j.value["to"]))
    cur.touch(j, [entity_iri(e.entity_id)])
    return ""


def _title(cur: Curated, names: _Names, j: Judgement, ref: Reference) -> str:
    v = j.value
    person = names.entity(v["entity"])
    org = names.entity(v["organisation"]) if "organisation" in v else None
    for e in (person, org):
        if isinstance(e, str):
            return e
    of = cur.resolution.entity_of
    title = ref.title_for(v["to"])
    role = title.id if title else ""
    touched = []

    def fix(r: Relation) -> Relation:
        if r.type != "position" or of[_key(r.subject)] != person.entity_id:
            return r
        if org is not None and of[_key(r.object)] != org.entity_id:
            return r
        subj, obj = entity_iri(of[_key(r.subject)]), entity_iri(of[_key(r.object)])
        touched.append(relation_iri("position", subj, obj, role))
        return dataclasses.replace(r, detail=v["to"], role=role)

    cur.extractions = [
        dataclasses.replace(x, relations=tuple(fix(r) for r in x.relations))
        for x in cur.extractions
    ]
    if not touched:
        return f"{v['entity']!r} holds no post{' in ' + repr(v['organisation']) if org else ''} in this build"
    cur.touch(j, touched)
    return ""


def _add(cur: Curated, names: _Names, j: Judgement, ref: Reference) -> str:
    v = j.value
    docs = [x.document for x in cur.extractions if _doc_matches(x.document.doc_id, v["document"])]
    if len(docs) != 1:
        return (
            f"no document {v['document']!r} in this build"
            if not docs
            else f"{v['document']!r} names several documents"
        )
    doc = docs[0]
    start = doc.source_text.find(v["quote"])
    if start < 0:
        return f"the quote is not verbatim in {doc.doc_id}; copy it exactly from the document"
    span = Span(start, start + len(v["quote"]), v["quote"])
    ids: dict[str, list[str]] = {}
    for role in ("agents", "targets", "conventions", "place", "relation"):
        wanted = v.get(role) or []
        wanted = [wanted] if isinstance(wanted, str) else wanted
        if role == "relation":
            wanted = [wanted[0], wanted[2]] if wanted else []
        for name in wanted:
            e = names.entity(name)
            if isinstance(e, str):
                return e
            ids.setdefault(role, []).append(e.entity_id)
    if "relation" in v:
        s, o = ids["relation"]
        cur.added.append(
            Added(j, doc.doc_id, span, relation=(s, v["relation"][1], o), title=v.get("title", ""))
        )
        return ""
    date = _date_value(v["date"]) if "date" in v else None
    inc = Incident(doc.doc_id, v["incident"], span, span, date=date)
    targets = tuple(sorted(ids.get("targets", [])))
    year = str(date.earliest.year) if date else "?"
    # The resolver's rule: same type, same targets, same year is one happening.
    iid = (
        hash_id(inc.type, *targets, year)
        if targets
        else hash_id("added", inc.type, doc.doc_id, str(start))
    )
    cur.added.append(
        Added(
            j,
            doc.doc_id,
            span,
            inc,
            iid,
            tuple(ids.get("agents", [])),
            targets,
            (ids.get("place") or [""])[0],
            tuple(ids.get("conventions", [])),
        )
    )
    return ""


def _date_value(text: str) -> DateValue:
    import calendar
    import datetime as dt

    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return DateValue(text, dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), "year")
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return DateValue(text, dt.date(*parts, 1), dt.date(*parts, last), "month")
    d = dt.date(*parts)
    return DateValue(text, d, d, "day")


def _ok(cur: Curated, names: _Names, j: Judgement, ref: Reference) -> str:
    return ""  # checked against the review queue, which needs the finished build


_STEPS = {
    "reject": _reject,
    "alias": _alias,
    "type": _type,
    "title": _title,
    "add": _add,
    "ok": _ok,
}


# ---------------------------------------------------------------- RDF


def judgements_graph(cur: Curated) -> GraphWriter:
    """The judgements graph: each judgement applied, and the links from what it shaped."""
    g = GraphWriter(JUDGEMENTS_GRAPH)
    missed = cur._missed()
    for j in cur.judgements:
        if j.id in missed:
            continue
        node = ID[f"judgement/{j.id}"]
        g.add(node, RDF.type, LG.Judgement)
        g.add(node, RDFS.label, ox.Literal(j.summary))
        g.add(node, LG.decision, ox.Literal(j.decision))
        g.add(node, LG.judgedBy, ox.Literal(j.who))
        g.add(node, DCTERMS.created, ox.Literal(j.when.isoformat(), datatype=XSD.date))
        g.add(node, LG.reason, ox.Literal(j.why))
        for target in sorted(cur.touched.get(j.id, ()), key=lambda n: n.value):
            g.add(target, LG.judgement, node)
    return g


def added_key(cur: Curated, doc_id: str) -> str:
    """The facts added by hand to one document, as text: part of its graph's cache key."""
    return repr([a for a in cur.added if a.doc_id == doc_id])


def add_facts(cur: Curated, dg: DocGraph) -> None:
    """Write the facts added by hand to this document into its graph."""
    ref = None
    for a in cur.added:
        if a.doc_id != dg.doc.doc_id:
            continue
        ref = ref or load_reference()
        if a.incident is None:
            s, t, o = a.relation
            title = ref.title_for(a.title) if a.title else None
            node = dg.relation_triples(
                t, entity_iri(s), entity_iri(o), a.title, title.id if title else "", a.evidence
            )
        else:
            who = a.targets or a.agents
            node = dg.incident_triples(
                ID[f"incident/{a.incident_id}"],
                f"{a.incident.type}: {', '.join(_label(cur, e) for e in who)}",
                a.incident,
                [entity_iri(e) for e in a.agents],
                [entity_iri(e) for e in a.targets],
                [entity_iri(a.place)] if a.place else [],
                [entity_iri(e) for e in a.conventions],
            )
        dg.g.add(node, LG.judgement, ID[f"judgement/{a.judgement.id}"])


def _label(cur: Curated, eid: str) -> str:
    return next((e.name for e in cur.resolution.entities if e.entity_id == eid), eid)
