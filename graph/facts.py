"""The build as facts: one dict per document in the shape of the shared annotation format."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import yaml

from .store import open_store, rows, run_query

ID_PREFIX = "https://w3id.org/labourgraph/id/entity/"

DOCS = """SELECT ?g ?path ?publisher ?earliest ?precision WHERE {
  GRAPH ?g { ?d a lg:Document ; lg:sourcePath ?path .
    OPTIONAL { ?d dcterms:publisher ?publisher }
    OPTIONAL { ?d sem:hasEarliestBeginTimeStamp ?earliest ; lg:datePrecision ?precision } } }"""
MENTIONS = """SELECT ?g ?e ?exact ?type ?name WHERE {
  GRAPH ?g { ?ann oa:hasBody ?e ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }
  ?e a ?t ; skos:prefLabel ?name . BIND(STRAFTER(STR(?t), STR(lg:)) AS ?type) }"""
RELATIONS = """SELECT ?g ?kind ?s ?o ?title WHERE {
  GRAPH ?g { ?m a ?c ; org:member ?s ; org:organization ?o . OPTIONAL { ?m lg:title ?title } }
  VALUES (?c ?kind) { (lg:Position "position") (lg:Affiliation "affiliated_to") (lg:PartOf "part_of") } }"""
INCIDENTS = """SELECT ?g ?i ?type ?earliest ?precision ?quote ?start WHERE {
  GRAPH ?g { ?i a lg:Incident ; lg:incidentType ?t ; lg:evidence ?ann .
    ?ann oa:hasTarget/oa:hasSelector ?q, ?p . ?q oa:exact ?quote . ?p oa:start ?start .
    OPTIONAL { ?i sem:hasEarliestBeginTimeStamp ?earliest ; lg:datePrecision ?precision } }
  BIND(STRAFTER(STR(?t), STR(lg:)) AS ?type) }"""
ROLES = """SELECT ?g ?i ?role ?e WHERE {
  GRAPH ?g { { ?i lg:hasAgent ?e BIND("agents" AS ?role) } UNION { ?i lg:hasTarget ?e BIND("targets" AS ?role) }
    UNION { ?i sem:hasPlace ?e BIND("place" AS ?role) } UNION { ?i lg:engagesConvention ?e BIND("conventions" AS ?role) } } }"""


def _eid(iri: str) -> str:
    return iri[len(ID_PREFIX) :] if iri.startswith(ID_PREFIX) else iri


def _date(earliest: str, precision: str) -> str | None:
    if not earliest:
        return None
    return {"year": earliest[:4], "month": earliest[:7]}.get(precision, earliest)


def facts_from_store(store: ox.Store) -> dict[str, dict]:
    """Document path -> facts dict (document, published, publisher, entities, relations, events)."""
    docs = {}
    for r in rows(run_query(store, DOCS)):
        docs[r["g"]] = {
            "document": r["path"],
            "published": _date(r["earliest"], r["precision"]),
            "publisher": r["publisher"] or None,
            "entities": {},
            "relations": [],
            "events": {},
        }
    aliases: dict[str, str] = {}
    for r in rows(run_query(store, MENTIONS)):
        doc = docs.get(r["g"])
        if doc is None:
            continue
        eid = _eid(r["e"])
        ent = doc["entities"].setdefault(
            eid, {"id": eid, "type": r["type"], "name": r["name"], "mentions": []}
        )
        if r["exact"] not in ent["mentions"]:
            ent["mentions"].append(r["exact"])
        aliases.setdefault(r["exact"].lower(), eid)
        aliases.setdefault(r["name"].lower(), eid)
    for r in rows(run_query(store, RELATIONS)):
        if r["g"] in docs:
            docs[r["g"]]["relations"].append(
                [_eid(r["s"]), r["kind"], _eid(r["o"]), r["title"] or None]
            )
    for r in rows(run_query(store, INCIDENTS)):
        if r["g"] not in docs:
            continue
        docs[r["g"]]["events"][r["i"]] = {
            "type": r["type"],
            "date": _date(r["earliest"], r["precision"]),
            "place": None,
            "agents": [],
            "targets": [],
            "conventions": [],
            "quote": r["quote"],
            "_start": int(r["start"]),
        }
    for r in rows(run_query(store, ROLES)):
        ev = docs.get(r["g"], {}).get("events", {}).get(r["i"])
        if ev is None:
            continue
        if r["role"] == "place":
            ev["place"] = _eid(r["e"])
        elif _eid(r["e"]) not in ev[r["role"]]:
            ev[r["role"]].append(_eid(r["e"]))
    out = {}
    for doc in docs.values():
        pub = doc["publisher"]
        doc["publisher"] = aliases.get(pub.lower(), pub) if pub else None
        doc["entities"] = sorted(doc["entities"].values(), key=lambda e: e["id"])
        for e in doc["entities"]:
            e["mentions"].sort()
        doc["relations"].sort()
        events = sorted(doc["events"].values(), key=lambda e: (e.pop("_start"), e["type"]))
        for ev in events:
            for k in ("agents", "targets", "conventions"):
                ev[k].sort()
            if ev["date"] is None:
                del ev["date"]
        doc["events"] = events
        out[doc["document"]] = doc
    return dict(sorted(out.items()))


def write_facts(out: Path, dest: Path) -> Path:
    """Write one YAML per document into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, facts in facts_from_store(open_store(out)).items():
        target = dest / (Path(name).name.rsplit(".", 1)[0] + ".yaml")
        text = yaml.safe_dump(facts, sort_keys=False, allow_unicode=True, width=100)
        tmp = target.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    return dest
