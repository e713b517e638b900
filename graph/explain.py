"""``labourgraph explain``: one entity, why its mentions were merged, its facts and judgements.

Everything is read from the build's store; the entity is named by id, IRI or any label or alias
(case and accents ignored), and that name is bound as a value, never pasted into a query.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LabourgraphError, one_line
from .judgements import norm
from .store import open_store, rows, run_query
from .vocab import ID

ENTITY_PREFIX = str(ID["entity/"])

LABELS = """SELECT DISTINCT ?e ?label WHERE {
  ?e skos:prefLabel|skos:altLabel|skos:hiddenLabel ?label .
  FILTER(STRSTARTS(STR(?e), "https://w3id.org/labourgraph/id/entity/")) }"""
ENTITY = """SELECT ?name ?type ?alias ?country ?reason WHERE {
  ?e skos:prefLabel ?name ; a ?t . FILTER(STRSTARTS(STR(?t), STR(lg:)))
  BIND(STRAFTER(STR(?t), STR(lg:)) AS ?type)
  OPTIONAL { ?e skos:altLabel ?alias } OPTIONAL { ?e lg:country/skos:prefLabel ?country }
  OPTIONAL { ?e lg:mergeReason ?reason } }"""
MENTIONS = """SELECT ?path ?exact ?start ?rule ?why WHERE {
  GRAPH ?g { ?ann oa:hasBody ?e ; oa:hasTarget ?t . ?t oa:hasSource ?d ; oa:hasSelector ?q, ?p .
    ?q oa:exact ?exact . ?p oa:start ?start .
    OPTIONAL { ?ann lg:extractedBy ?rule } OPTIONAL { ?ann lg:mergeReason ?why } }
  ?d lg:sourcePath ?path }"""
FACTS = """SELECT DISTINCT ?f ?role ?kind ?label ?date ?other ?title ?quote ?path WHERE {
  { GRAPH ?g { ?f lg:hasAgent ?e BIND("agent" AS ?role) } }
  UNION { GRAPH ?g { ?f lg:hasTarget ?e BIND("target" AS ?role) } }
  UNION { GRAPH ?g { ?f sem:hasPlace ?e BIND("place" AS ?role) } }
  UNION { GRAPH ?g { ?f lg:engagesConvention ?e BIND("convention" AS ?role) } }
  UNION { GRAPH ?g { ?f org:member ?e ; org:organization ?o BIND("member" AS ?role) }
          ?o skos:prefLabel ?other }
  UNION { GRAPH ?g { ?f org:organization ?e ; org:member ?o BIND("organisation" AS ?role) }
          ?o skos:prefLabel ?other }
  GRAPH ?g { ?f a ?c ; lg:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote ;
             prov:wasDerivedFrom/lg:sourcePath ?path .
    OPTIONAL { ?f rdfs:label ?label } OPTIONAL { ?f lg:dateText ?date } OPTIONAL { ?f lg:title ?title } }
  BIND(STRAFTER(STR(?c), STR(lg:)) AS ?kind) }"""
JUDGEMENTS = """SELECT DISTINCT ?j ?label ?who ?when ?why WHERE {
  { ?e lg:judgement ?j }
  UNION { ?f lg:judgement ?j .
          ?f lg:hasAgent|lg:hasTarget|sem:hasPlace|lg:engagesConvention|org:member|org:organization ?e }
  ?j rdfs:label ?label ; lg:judgedBy ?who ; dcterms:created ?when ; lg:reason ?why }"""


class ExplainError(LabourgraphError):
    """The name given to ``explain`` matches no entity, or several."""


@dataclass
class Explanation:
    """What ``explain`` prints about one entity."""

    iri: str
    name: str
    type: str
    country: str = ""
    aliases: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    mentions: list[dict[str, str]] = field(default_factory=list)
    facts: list[dict[str, str]] = field(default_factory=list)
    judgements: list[dict[str, str]] = field(default_factory=list)


def find_entity(out: Path, name: str) -> str:
    """The IRI of the one entity ``name`` names (id, IRI, label or alias), else ExplainError."""
    store = open_store(out)
    wanted = name.strip()
    labels: dict[str, set[str]] = {}
    for r in rows(run_query(store, LABELS)):
        labels.setdefault(r["e"], set()).add(norm(r["label"]))
    for iri in (wanted, ENTITY_PREFIX + wanted):
        if iri in labels:
            return iri
    hits = sorted(e for e, names in labels.items() if norm(wanted) in names)
    if len(hits) == 1:
        return hits[0]
    if hits:
        ids = ", ".join(h[len(ENTITY_PREFIX) :] for h in hits[:5])
        raise ExplainError(f"{one_line(wanted)!r} names {len(hits)} entities ({ids}); give an id")
    forms = {n: n for names in labels.values() for n in names}
    close = difflib.get_close_matches(norm(wanted), sorted(forms), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise ExplainError(f"{one_line(wanted)!r}: no entity has this id, name or alias{hint}")


def explain(out: Path, name: str) -> Explanation:
    """Gather the entity ``name`` names, its mentions with merge reasons, facts and judgements."""
    iri = find_entity(out, name)
    store = open_store(out)
    bind = {"e": iri}
    found = list(rows(run_query(store, ENTITY, bind)))
    ex = Explanation(iri, found[0]["name"], found[0]["type"], found[0]["country"])
    ex.aliases = sorted({r["alias"] for r in found if r["alias"]})
    ex.reasons = sorted({r["reason"] for r in found if r["reason"]})
    ex.mentions = sorted(
        rows(run_query(store, MENTIONS, bind)), key=lambda r: (r["path"], int(r["start"]))
    )
    ex.facts = sorted(
        rows(run_query(store, FACTS, bind)),
        key=lambda r: (r["kind"], r["date"], r["path"], r["f"], r["role"]),
    )
    ex.judgements = sorted(
        rows(run_query(store, JUDGEMENTS, bind)), key=lambda r: (r["when"], r["j"])
    )
    return ex


def format_text(ex: Explanation) -> str:
    """The explanation as text for a terminal (document text is made safe for one line)."""
    s = one_line
    lines = [f"{s(ex.name)} ({ex.type}, {ex.iri[len(ENTITY_PREFIX) :]})"]
    if ex.country:
        lines.append(f"  country: {s(ex.country)}")
    lines.append("  aliases: " + ("; ".join(s(a) for a in ex.aliases) or "none"))
    lines.append(
        "  merged because: " + ("; ".join(s(r) for r in ex.reasons) or "one mention, or one name")
    )
    lines.append(f"Mentions ({len(ex.mentions)}):")
    for m in ex.mentions:
        why = m["why"] or "the first mention of its entity"
        lines.append(f"  {s(m['path'])} @{m['start']} '{s(m['exact'])}' [{s(m['rule'])}]: {s(why)}")
    lines.append(f"Incidents and relations ({len({f['f'] for f in ex.facts})}):")
    for f in ex.facts:
        what = f["label"] or f"{f['kind']} {f['other']}{', ' + f['title'] if f['title'] else ''}"
        date = f" ({f['date']})" if f["date"] else ""
        quote = " ".join(f["quote"].split())
        lines.append(f'  {f["role"]}: {s(what)}{s(date)} in {s(f["path"])}: "{s(quote)}"')
    lines.append(f"Judgements ({len(ex.judgements)}):")
    for j in ex.judgements:
        lines.append(f"  {s(j['label'])}: by {s(j['who'])} on {j['when']}: {s(j['why'])}")
    return "\n".join(lines) + "\n"
