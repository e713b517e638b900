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

from rdflib import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef

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
from .reference import ONTOLOGY_DIR, Reference, load_reference
from .resolve import slug
from .vocab import ENTITY_CLASS, ID, INCIDENT_CONCEPT, LG, OA, ONTOLOGY_IRI, PREFIXES, SEM

ENTITIES_GRAPH = ID["graph/entities"]
CONTEXT = 24  # characters of prefix/suffix kept with each quote


def doc_iri(doc_id: str) -> URIRef:
    return ID[f"doc/{slug(doc_id)}"]


def graph_iri(doc_id: str) -> URIRef:
    return ID[f"graph/{slug(doc_id)}"]


def entity_iri(entity_id: str) -> URIRef:
    return ID[f"entity/{entity_id}"]


def _hash(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _date_literals(g: Graph, node: URIRef, d: DateValue) -> None:
    g.add((node, SEM.hasEarliestBeginTimeStamp, Literal(d.earliest.isoformat(), datatype=XSD.date)))
    g.add((node, SEM.hasLatestBeginTimeStamp, Literal(d.latest.isoformat(), datatype=XSD.date)))
    g.add((node, LG.datePrecision, Literal(d.precision)))
    g.add((node, LG.dateText, Literal(d.text)))


class DocGraph:
    """Writes one document's facts into its named graph."""

    def __init__(
        self,
        ds: Dataset,
        x: Extraction,
        res: Resolution,
        ref: Reference,
        mention_reasons: dict[tuple[str, int, int], str] | None = None,
    ) -> None:
        self.mention_reasons = mention_reasons or {}
        self.doc: Document = x.document
        self.g = ds.graph(graph_iri(self.doc.doc_id))
        self.x, self.res, self.ref = x, res, ref
        self.doc_node = doc_iri(self.doc.doc_id)
        self.docslug = slug(self.doc.doc_id)

    def evidence(self, span: Span, body: URIRef | None = None) -> URIRef:
        g, text = self.g, self.doc.source_text
        ann = ID[f"evidence/{self.docslug}/{span.start}-{span.end}"]
        target, quote, pos = (
            URIRef(f"{ann}/target"),
            URIRef(f"{ann}/quote"),
            URIRef(f"{ann}/position"),
        )
        g.add((ann, RDF.type, OA.Annotation))
        if body is not None:
            g.add((ann, OA.hasBody, body))
        g.add((ann, OA.hasTarget, target))
        g.add((target, RDF.type, OA.SpecificResource))
        g.add((target, OA.hasSource, self.doc_node))
        g.add((target, OA.hasSelector, quote))
        g.add((target, OA.hasSelector, pos))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(span.text)))
        g.add((quote, OA.prefix, Literal(text[max(0, span.start - CONTEXT) : span.start])))
        g.add((quote, OA.suffix, Literal(text[span.end : span.end + CONTEXT])))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(span.start)))
        g.add((pos, OA.end, Literal(span.end)))
        return ann

    def entity(self, m: Mention) -> URIRef:
        return entity_iri(self.res.entity_of[(m.doc_id, m.span.start, m.span.end)])

    def write(self, text_file: str) -> None:
        g, doc, node = self.g, self.doc, self.doc_node
        g.add((node, RDF.type, LG.Document))
        g.add((node, LG.sourcePath, Literal(doc.doc_id)))
        g.add((node, LG.sha256, Literal(doc.sha256)))
        g.add((node, DCTERMS.format, Literal(doc.format)))
        if text_file:
            g.add((node, LG.textFile, Literal(text_file)))
        meta = doc.meta
        if meta.title:
            g.add((node, DCTERMS.title, Literal(meta.title)))
        if meta.publisher:
            g.add((node, DCTERMS.publisher, Literal(meta.publisher)))
        if meta.url:
            g.add((node, DCTERMS.source, Literal(meta.url, datatype=XSD.anyURI)))
        if meta.language:
            g.add((node, DCTERMS.language, Literal(meta.language)))
        if meta.published:
            _date_literals(g, node, meta.published)
            g.add(
                (
                    node,
                    DCTERMS.issued,
                    Literal(meta.published.earliest.isoformat(), datatype=XSD.date),
                )
            )
        for m in self.x.mentions:
            ent = self.entity(m)
            g.add((node, LG.mentions, ent))
            ann = self.evidence(m.span, ent)
            g.add((ann, LG.extractedBy, Literal(m.rule)))
            reason = self.mention_reasons.get((m.doc_id, m.span.start, m.span.end))
            if reason:  # why this mention joined its entity (``labourgraph explain`` shows it)
                g.add((ann, LG.mergeReason, Literal(reason)))
        for r in self.x.relations:
            self.relation(r)
        for inc in self.x.incidents:
            self.incident(inc)

    def relation(self, r: Relation) -> URIRef:
        subj, obj = self.entity(r.subject), self.entity(r.object)
        return self.relation_triples(r.type, subj, obj, r.detail, r.role, r.evidence)

    def relation_triples(
        self, rtype: str, subj: URIRef, obj: URIRef, detail: str, role: str, evidence: Span
    ) -> URIRef:
        """Write one position, affiliation or part-of between two entities; return its node."""
        g = self.g
        node = relation_iri(rtype, subj, obj, role)
        cls = {"position": LG.Position, "affiliated_to": LG.Affiliation, "part_of": LG.PartOf}
        g.add((node, RDF.type, cls[rtype]))
        g.add((node, ORG.member, subj))
        g.add((node, ORG.organization, obj))
        g.add((node, LG.evidence, self.evidence(evidence)))
        g.add((node, PROV.wasDerivedFrom, self.doc_node))
        if rtype == "position":
            g.add((node, LG.title, Literal(detail)))
            if role:
                g.add((node, ORG.role, ID[f"role/{role}"]))
            g.add((subj, LG.holdsPostIn, obj))
        elif rtype == "affiliated_to":
            g.add((subj, LG.affiliatedTo, obj))
        else:
            g.add((subj, ORG.subOrganizationOf, obj))
        return node

    def incident(self, inc: Incident) -> URIRef:
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
        node: URIRef,
        label: str,
        inc: Incident,
        agents: list[URIRef],
        targets: list[URIRef],
        places: list[URIRef],
        conventions: list[URIRef],
    ) -> URIRef:
        """Write one report of an incident, its actors given as entity IRIs; return its node."""
        g = self.g
        g.add((node, RDF.type, LG.Incident))
        g.add((node, LG.incidentType, INCIDENT_CONCEPT[inc.type]))
        g.add((node, RDFS.label, Literal(label)))
        for a in agents:
            g.add((node, LG.hasAgent, a))
        for t in targets:
            g.add((node, LG.hasTarget, t))
        for p in places:
            g.add((node, SEM.hasPlace, p))
        for c in conventions:
            g.add((node, LG.engagesConvention, c))
        if inc.date is not None:
            _date_literals(g, node, inc.date)
        if inc.count:
            g.add((node, LG.victimCount, Literal(inc.count)))
        g.add((node, LG.evidence, self.evidence(inc.evidence)))
        g.add((node, PROV.wasDerivedFrom, self.doc_node))
        return node


def relation_iri(rtype: str, subj: URIRef, obj: URIRef, role: str) -> URIRef:
    """``id/<kind>/<16 hex of sha1(subject, object, role)>`` of a relation."""
    kind = {"position": "position", "affiliated_to": "affiliation", "part_of": "partof"}[rtype]
    return ID[f"{kind}/{_hash(str(subj), str(obj), role)}"]


def _entities_graph(ds: Dataset, res: Resolution, ref: Reference) -> None:
    g = ds.graph(ENTITIES_GRAPH)
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
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, LG.Roles))
        g.add((node, SKOS.prefLabel, Literal(title.label, lang="en")))


def _entity(g: Graph, e: Entity, ref: Reference) -> None:
    node = entity_iri(e.entity_id)
    g.add((node, RDF.type, ENTITY_CLASS[e.type]))
    g.add((node, RDFS.label, Literal(e.name)))
    g.add((node, SKOS.prefLabel, Literal(e.name)))
    for a in e.aliases:
        if a != e.name:
            g.add((node, SKOS.altLabel, Literal(a)))
    if e.country and e.country != e.entity_id:
        g.add((node, LG.country, entity_iri(e.country)))
    for reason in e.reasons:
        g.add((node, LG.mergeReason, Literal(reason)))
    known = ref.entities.get(e.entity_id)
    if known is not None and e.type == "ILOConvention":
        g.add((node, SKOS.inScheme, LG.Conventions))
        g.add((node, LG.notation, Literal(known.extra["code"])))
        g.add((node, LG.adoptedYear, Literal(str(known.extra["year"]), datatype=XSD.gYear)))
        g.add((node, LG.conventionStatus, Literal(known.extra["status"])))
        g.add((node, SKOS.definition, Literal(known.extra["title"], lang="en")))
    if known is not None:
        for r in known.renamed:
            g.add((node, SKOS.hiddenLabel, Literal(str(r.get("name", "")))))


def to_dataset(
    extractions: list[Extraction],
    res: Resolution,
    text_files: dict[str, str] | None = None,
    mention_reasons: dict[tuple[str, int, int], str] | None = None,
) -> Dataset:
    """Build the dataset: a graph per document, the entities graph and the ontology graph."""
    ref = load_reference()
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    onto = ds.graph(ONTOLOGY_IRI)
    onto.parse(ONTOLOGY_DIR / "labourgraph.ttl", format="turtle")
    _entities_graph(ds, res, ref)
    for x in sorted(extractions, key=lambda x: x.document.doc_id):
        doc_graph = DocGraph(ds, x, res, ref, mention_reasons)
        doc_graph.write((text_files or {}).get(x.document.doc_id, ""))
    return ds


def trig(ds: Dataset) -> str:
    """TriG with graphs in IRI order (rdflib's own TriG orders graphs by hash: not stable)."""
    prefixes: set[str] = set()
    bodies = []
    for name in sorted(str(g.identifier) for g in ds.graphs() if len(g)):
        g = Graph(bind_namespaces="none")
        for p, ns in PREFIXES.items():
            g.bind(p, ns, override=True, replace=True)
        for triple in ds.graph(URIRef(name)):
            g.add(triple)
        lines = g.serialize(format="turtle").splitlines()
        # rdflib writes its @prefix lines first; later lines may sit inside a multi-line
        # literal of document text, so they are kept exactly as they are.
        head = 0
        while head < len(lines) and (lines[head].startswith("@prefix") or not lines[head]):
            head += 1
        prefixes.update(ln for ln in lines[:head] if ln)
        body = lines[head:]
        bodies.append(f"\n<{name}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    return "\n".join(sorted(prefixes)) + "\n" + "".join(bodies)


def nquads(ds: Dataset) -> str:
    """Canonical N-Quads: one quad a line, sorted, so equal datasets give equal bytes."""
    text = ds.serialize(format="nquads")
    return "".join(sorted({ln for ln in text.splitlines(keepends=True) if ln.strip()}))
