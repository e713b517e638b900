"""RDF stage: one named graph per document with provenance, plus entity and ontology graphs.

IRI rule (stable inputs only, never random, never the clock; a changed id is a breaking change):
- document ``id/doc/<slug of its path>``, its graph ``id/graph/<same slug>``;
- entity ``id/entity/<entity id>`` (see :mod:`labourgraph.resolve`), role ``id/role/<role id>``;
- incident ``id/incident/<16 hex of sha1(type, target ids, year)>``;
- evidence ``id/evidence/<doc slug>/<start>-<end>`` (plus ``/target``, ``/quote``, ``/position``);
- position / affiliation / part-of ``id/<kind>/<16 hex of sha1(subject, object, role)>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from .model import (
    DateValue,
    Document,
    Entity,
    Extraction,
    Incident,
    Mention,
    Relation,
    Resolution,
    Span,
)
from .reference import ONTOLOGY_DIR, Reference
from .resolve import slug
from .vocab import ONTOLOGY_IRI, OX

LG, OA, SEM, RDF, RDFS, SKOS, ORG, PROV, DCTERMS, XSD, ID = (
    OX.LG, OX.OA, OX.SEM, OX.RDF, OX.RDFS, OX.SKOS, OX.ORG, OX.PROV, OX.DCTERMS, OX.XSD, OX.ID
)  # fmt: skip
ENTITIES_GRAPH = ID["graph/entities"]
CONTEXT = 24  # characters of prefix/suffix kept with each quote
RELATION_CLASS = {"position": LG.Position, "affiliated_to": LG.Affiliation, "part_of": LG.PartOf}
RELATION_KIND = {"position": "position", "affiliated_to": "affiliation", "part_of": "partof"}


def doc_iri(doc_id: str) -> ox.NamedNode:
    return ID[f"doc/{slug(doc_id)}"]


def graph_iri(doc_id: str) -> ox.NamedNode:
    return ID[f"graph/{slug(doc_id)}"]


def entity_iri(entity_id: str) -> ox.NamedNode:
    return ID[f"entity/{entity_id}"]


def _hash(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


class GraphWriter:
    """The quads of one named graph, kept until the graph is complete and written out."""

    def __init__(self, name: ox.NamedNode) -> None:
        self.name = name
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p, o, self.name))


def _date_literals(g: GraphWriter, node: ox.NamedNode, d: DateValue) -> None:
    g.add(
        node, SEM.hasEarliestBeginTimeStamp, ox.Literal(d.earliest.isoformat(), datatype=XSD.date)
    )
    g.add(node, SEM.hasLatestBeginTimeStamp, ox.Literal(d.latest.isoformat(), datatype=XSD.date))
    g.add(node, LG.datePrecision, ox.Literal(d.precision))
    g.add(node, LG.dateText, ox.Literal(d.text))


class DocGraph:
    """Writes one document's facts into its named graph."""

    def __init__(
        self,
        x: Extraction,
        res: Resolution,
        ref: Reference,
        mention_reasons: Mapping[tuple[str, int, int], str] | None = None,
    ) -> None:
        # Not "or {}": a rebuild's reasons are looked up per document, never counted.
        self.mention_reasons = mention_reasons if mention_reasons is not None else {}
        self.doc: Document = x.document
        self.g = GraphWriter(graph_iri(self.doc.doc_id))
        self.x, self.res, self.ref = x, res, ref
        self.doc_node = doc_iri(self.doc.doc_id)
        self.docslug = slug(self.doc.doc_id)

    def evidence(self, span: Span, body: ox.NamedNode | None = None) -> ox.NamedNode:
        g, text = self.g, self.doc.source_text
        ann_iri = f"evidence/{self.docslug}/{span.start}-{span.end}"
        ann, target, quote, pos = (
            ID[ann_iri],
            ID[f"{ann_iri}/target"],
            ID[f"{ann_iri}/quote"],
            ID[f"{ann_iri}/position"],
        )
        g.add(ann, RDF.type, OA.Annotation)
        if body is not None:
            g.add(ann, OA.hasBody, body)
        g.add(ann, OA.hasTarget, target)
        g.add(target, RDF.type, OA.SpecificResource)
        g.add(target, OA.hasSource, self.doc_node)
        g.add(target, OA.hasSelector, quote)
        g.add(target, OA.hasSelector, pos)
        g.add(quote, RDF.type, OA.TextQuoteSelector)
        g.add(quote, OA.exact, ox.Literal(span.text))
        g.add(quote, OA.prefix, ox.Literal(text[max(0, span.start - CONTEXT) : span.start]))
        g.add(quote, OA.suffix, ox.Literal(text[span.end : span.end + CONTEXT]))
        g.add(pos, RDF.type, OA.TextPositionSelector)
        g.add(pos, OA.start, ox.Literal(span.start))
        g.add(pos, OA.end, ox.Literal(span.end))
        return ann

    def entity(self, m: Mention) -> ox.NamedNode:
        return entity_iri(self.res.entity_of[(m.doc_id, m.span.start, m.span.end)])

    def write(self, text_file: str) -> None:
        g, doc, node = self.g, self.doc, self.doc_node
        g.add(node, RDF.type, LG.Document)
        g.add(node, LG.sourcePath, ox.Literal(doc.doc_id))
        g.add(node, LG.sha256, ox.Literal(doc.sha256))
        g.add(node, DCTERMS.format, ox.Literal(doc.format))
        if text_file:
            g.add(node, LG.textFile, ox.Literal(text_file))
        meta = doc.meta
        if meta.title:
            g.add(node, DCTERMS.title, ox.Literal(meta.title))
        if meta.publisher:
            g.add(node, DCTERMS.publisher, ox.Literal(meta.publisher))
        if meta.url:
            g.add(node, DCTERMS.source, ox.Literal(meta.url, datatype=XSD.anyURI))
        if meta.language:
            g.add(node, DCTERMS.language, ox.Literal(meta.language))
        if meta.published:
            _date_literals(g, node, meta.published)
            issued = ox.Literal(meta.published.earliest.isoformat(), datatype=XSD.date)
            g.add(node, DCTERMS.issued, issued)
        for m in self.x.mentions:
            ent = self.entity(m)
            g.add(node, LG.mentions, ent)
            ann = self.evidence(m.span, ent)
            g.add(ann, LG.extractedBy, ox.Literal(m.rule))
            reason = self.mention_reasons.get((m.doc_id, m.span.start, m.span.end))
            if reason:  # why this mention joined its entity (``labourgraph explain`` shows it)
                g.add(ann, LG.mergeReason, ox.Literal(reason))
        for r in self.x.relations:
            self.relation(r)
        for inc in self.x.incidents:
            self.incident(inc)

    def relation(self, r: Relation) -> ox.NamedNode:
        subj, obj = self.entity(r.subject), self.entity(r.object)
        return self.relation_triples(r.type, subj, obj, r.detail, r.role, r.evidence)

    def relation_triples(
        self,
        rtype: str,
        subj: ox.NamedNode,
        obj: ox.NamedNode,
        detail: str,
        role: str,
        evidence: Span,
    ) -> ox.NamedNode:
        """Write one position, affiliation or part-of between two entities; return its node."""
        g = self.g
        node = relation_iri(rtype, subj, obj, role)
        g.add(node, RDF.type, RELATION_CLASS[rtype])
        g.add(node, ORG.member, subj)
        g.add(node, ORG.organization, obj)
        g.add(node, LG.evidence, self.evidence(evidence))
        g.add(node, PROV.wasDerivedFrom, self.doc_node)
        if rtype == "position":
            g.add(node, LG.title, ox.Literal(detail))
            if role:
                g.add(node, ORG.role, ID[f"role/{role}"])
            g.add(subj, LG.holdsPostIn, obj)
        elif rtype == "affiliated_to":
            g.add(subj, LG.affiliatedTo, obj)
        else:
            g.add(subj, ORG.subOrganizationOf, obj)
        return node

    def incident(self, inc: Incident) -> ox.NamedNode:
        who = inc.targets or inc.agents
        return self.incident_triples(
            ID[f"incident/{self.res.incident_ids[inc.key]}"],
            f"{inc.type}: {', '.join(dict.fromkeys(m.name for m in who))}",
            inc,
            [self.entity(a) for a in inc.agents],
            [self.entity(t) for t in inc.targets],
            [self.entity(inc.place)] if inc.place is not None else [],
            [self.entity(c) for c in inc.conventions],
        )

    def incident_triples(
        self,
        node: ox.NamedNode,
        label: str,
        inc: Incident,
        agents: list[ox.NamedNode],
        targets: list[ox.NamedNode],
        places: list[ox.NamedNode],
        conventions: list[ox.NamedNode],
    ) -> ox.NamedNode:
        """Write one report of an incident, its actors given as entity IRIs; return its node."""
        g = self.g
        g.add(node, RDF.type, LG.Incident)
        g.add(node, LG.incidentType, LG[inc.type])
        g.add(node, RDFS.label, ox.Literal(label))
        for a in agents:
            g.add(node, LG.hasAgent, a)
        for t in targets:
            g.add(node, LG.hasTarget, t)
        for p in places:
            g.add(node, SEM.hasPlace, p)
        for c in conventions:
            g.add(node, LG.engagesConvention, c)
        if inc.date is not None:
            _date_literals(g, node, inc.date)
        if inc.count:
            g.add(node, LG.victimCount, ox.Literal(inc.count))
        g.add(node, LG.evidence, self.evidence(inc.evidence))
        g.add(node, PROV.wasDerivedFrom, self.doc_node)
        return node


def relation_iri(rtype: str, subj: ox.NamedNode, obj: ox.NamedNode, role: str) -> ox.NamedNode:
    """``id/<kind>/<16 hex of sha1(subject, object, role)>`` of a relation."""
    return ID[f"{RELATION_KIND[rtype]}/{_hash(subj.value, obj.value, role)}"]


def _entities_graph(res: Resolution, ref: Reference) -> GraphWriter:
    g = GraphWriter(ENTITIES_GRAPH)
    for e in res.entities:
        _entity(g, e, ref)
    # A country named only as the country of another entity still needs its own node.
    present = {e.entity_id for e in res.entities}
    for cid in sorted({e.country for e in res.entities if e.country} - present):
        known = ref.entities.get(cid)
        if known is not None:
            _entity(g, Entity(cid, known.type, known.name, (), ()), ref)
    roles = {t.id: t for t in ref.titles}
    for rid, title in sorted(roles.items()):
        node = ID[f"role/{rid}"]
        g.add(node, RDF.type, SKOS.Concept)
        g.add(node, SKOS.inScheme, LG.Roles)
        g.add(node, SKOS.prefLabel, ox.Literal(title.label, language="en"))
    return g


def _entity(g: GraphWriter, e: Entity, ref: Reference) -> None:
    node = entity_iri(e.entity_id)
    g.add(node, RDF.type, LG[e.type])
    g.add(node, RDFS.label, ox.Literal(e.name))
    g.add(node, SKOS.prefLabel, ox.Literal(e.name))
    for a in e.aliases:
        if a != e.name:
            g.add(node, SKOS.altLabel, ox.Literal(a))
    if e.country and e.country != e.entity_id:
        g.add(node, LG.country, entity_iri(e.country))
    for reason in e.reasons:
        g.add(node, LG.mergeReason, ox.Literal(reason))
    known = ref.entities.get(e.entity_id)
    if known is not None and e.type == "ILOConvention":
        g.add(node, SKOS.inScheme, LG.Conventions)
        g.add(node, LG.notation, ox.Literal(known.extra["code"]))
        g.add(node, LG.adoptedYear, ox.Literal(str(known.extra["year"]), datatype=XSD.gYear))
        g.add(node, LG.conventionStatus, ox.Literal(known.extra["status"]))
        g.add(node, SKOS.definition, ox.Literal(known.extra["title"], language="en"))
    if known is not None:
        for r in known.renamed:
            g.add(node, SKOS.hiddenLabel, ox.Literal(str(r.get("name", ""))))


def _ontology_graph() -> GraphWriter:
    g = GraphWriter(ox.NamedNode(str(ONTOLOGY_IRI)))
    for t in ox.parse(path=str(ONTOLOGY_DIR / "labourgraph.ttl"), format=ox.RdfFormat.TURTLE):
        g.add(t.subject, t.predicate, t.object)
    return g


def fixed_graphs(
    res: Resolution, ref: Reference, more: Iterable[GraphWriter] = ()
) -> list[GraphWriter]:
    """The graphs besides the documents': ontology, entities, then ``more`` (judgements)."""
    return [_ontology_graph(), _entities_graph(res, ref), *more]
