"""Read what the network view shows out of the store: nodes, edges, evidence, dates."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from .store import rows, run_query
from .view import Evidence, ViewData, ViewEdge, ViewNode
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
SELECT ?node ?doc ?exact ?start ?end WHERE {
  { ?ann oa:hasBody ?node } UNION { ?node lg:evidence ?ann . ?node a lg:Incident }
  ?ann oa:hasTarget ?t . ?t oa:hasSource ?doc ; oa:hasSelector ?q, ?p .
  ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
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


def view_data_from_store(store: ox.Store, title: str = "labourgraph") -> ViewData:
    """Everything the view draws, read from the store (so `labourgraph view` can redraw it)."""
    docs = {r["doc"]: r for r in rows(run_query(store, DOCS))}
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    reports: dict[str, set[str]] = defaultdict(set)
    for r in rows(run_query(store, EVIDENCE)):
        d = docs.get(r["doc"], {})
        evidence[r["node"]].append(
            Evidence(
                r["exact"],
                d.get("path", ""),
                d.get("title", ""),
                d.get("publisher", ""),
                d.get("issued", ""),
                d.get("url", ""),
                int(r["start"]),
                int(r["end"]),
            )
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
                evidence=tuple(
                    sorted(evidence.get(iri, []), key=lambda e: (e.doc_id, e.start))[:20]
                ),
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
                evidence=tuple(sorted(evidence.get(iri, []), key=lambda e: (e.doc_id, e.start))),
            )
        )
    known = {n.id for n in out_nodes}
    out_edges = tuple(
        ViewEdge(s, o, label, kind) for s, o, label, kind in edges if s in known and o in known
    )
    return ViewData(title, tuple(out_nodes), out_edges)
