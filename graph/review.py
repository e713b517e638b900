"""The review queue: what deserves a human look, most useful first, written as ``OUT/review.json``.

Kinds, in order of usefulness: near-miss merges (by score), incidents with no agent, incidents
with no date, titles not in ``ontology/titles.yaml``, places not in ``ontology/places.yaml``, and
actors seen in one document only. An item's id is the first 12 hex digits of the SHA-1 of its kind
and content (never its position), so a decision recorded against it survives rebuilds; each item
carries one-line YAML snippets for ``judgements.yaml`` that record the decision (``ok: ID`` keeps
things as they are and drops the item).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import regex as re
import yaml

from .errors import BuildNotFoundError, LabourgraphError, one_line
from .jsontext import indented
from .model import ACTOR_TYPES, Entity
from .reference import Reference

if TYPE_CHECKING:
    from .curation import Curated

FILE_NAME = "review.json"
KINDS = ("near_miss", "no_agent", "no_date", "unknown_title", "unknown_place", "seen_once")
_TITLES = {
    "near_miss": "near miss",
    "no_agent": "no agent",
    "no_date": "no date",
    "unknown_title": "title not in lookup",
    "unknown_place": "place not in gazetteer",
    "seen_once": "seen once",
}


@dataclass(frozen=True)
class Item:
    """One thing to look at, with the judgements that would settle it."""

    id: str
    kind: str  # one of KINDS
    text: str
    score: float  # higher first within a kind (a near miss's similarity)
    decide: tuple[str, ...]  # one-line YAML entries for judgements.yaml

    @property
    def order(self) -> tuple:
        return (KINDS.index(self.kind), -self.score, self.text, self.id)


def _id(kind: str, *content: str) -> str:
    return hashlib.sha1("|".join((kind, *content)).encode()).hexdigest()[:12]


# Names YAML writes without quotes; anything else goes through the YAML emitter.
_PLAIN = re.compile(r"[\p{L}\p{N}](?:[\p{L}\p{N} .'’-]*[\p{L}\p{N}.'’])?")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


_HEX = re.compile(r"[0-9a-f]+")


@functools.lru_cache(maxsize=1 << 16)  # a name recurs in many items (each near miss of it)
def _plain(text: str) -> bool:
    """Whether YAML writes ``text`` without quotes (in a flow collection)."""
    if _HEX.fullmatch(text) and not text.isdigit() and not text.startswith("0b"):
        # An item or incident id with a letter: of YAML's implicit types only a binary integer
        # (0b...) can be written in hex digits with a letter (a float needs a dot, booleans and
        # null need other letters), so it is written plain (tests check it against the resolver).
        return True
    return bool(_PLAIN.fullmatch(text)) and (
        _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR
    )


def snippet(decision: str, value: object) -> str:
    """``- {DECISION: VALUE, who: NAME, when: YYYY-MM-DD, why: REASON}`` on one line."""
    # The YAML emitter costs ~1 ms a call and a large build has a review item per entity:
    # plain names, by far the most, are written here as it would write them (a name, a flow
    # sequence or a flow mapping of them).
    shown = None
    if isinstance(value, dict):
        pairs = [(str(k), str(v)) for k, v in value.items()]
        if all(_plain(k) and _plain(v) for k, v in pairs):
            shown = "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    elif isinstance(value, list | tuple):
        values = [str(v) for v in value]
        if all(map(_plain, values)):
            shown = f"[{', '.join(values)}]"
    elif _plain(text := str(value)):
        shown = text
    if shown is not None:
        return f"- {{{decision}: {shown}, who: NAME, when: YYYY-MM-DD, why: REASON}}"
    entry = {decision: value, "who": "NAME", "when": "YYYY-MM-DD", "why": "REASON"}
    text = yaml.safe_dump(
        entry, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**6
    )
    return "- " + text.strip()


def _item(kind: str, key: tuple[str, ...], text: str, decide: list, score: float = 0.0) -> Item:
    iid = _id(kind, *key)
    return Item(iid, kind, text, score, (*decide, snippet("ok", iid)))


def queue(cur: Curated, ref: Reference) -> list[Item]:
    """Every review item of a curated build, most useful first (``ok`` judgements applied)."""
    items = _near_misses(cur) + _incidents(cur) + _titles(cur) + _entities(cur, ref)
    items = sorted({i.id: i for i in items}.values(), key=lambda i: i.order)
    ok = {j.value: j for j in cur.judgements if j.decision == "ok"}
    known = {i.id for i in items}
    for iid, j in sorted(ok.items()):
        if iid not in known:
            cur.miss(j, f"no review item {iid!r} in this build (settled or changed)")
    return [i for i in items if i.id not in ok]


def _near_misses(cur: Curated) -> list[Item]:
    out = []
    for c in cur.resolution.candidates:
        pair = [c.left, c.right]
        text = f"'{c.left}' and '{c.right}' may be one (score {c.score:.2f}: {c.reason})"
        decide = [snippet("same", pair), snippet("not_same", pair)]
        out.append(_item("near_miss", (c.left, c.right), text, decide, c.score))
    return out


def _incidents(cur: Curated) -> list[Item]:
    ids = cur.resolution.incident_ids
    reports = defaultdict(list)
    for x in cur.extractions:
        for inc in x.incidents:
            reports[ids[inc.key]].append(inc)
    out = []
    for iid, incs in sorted(reports.items()):
        no_agent, no_date = not any(i.agents for i in incs), not any(i.date for i in incs)
        if not (no_agent or no_date):  # most incidents: nothing to review
            continue
        first = min(incs, key=lambda i: (i.doc_id, i.evidence.start))
        who = ", ".join(dict.fromkeys(m.name for i in incs for m in (i.targets or i.agents)))
        who = who if len(who) <= 80 else who[:79] + "…"
        quote = " ".join(first.evidence.text.split())[:120]
        what = f'{first.type} {iid} ({who}) in {first.doc_id}: "{quote}"'
        reject = snippet("reject", iid)
        if no_agent:
            out.append(_item("no_agent", (iid,), f"{what} has no agent", [reject]))
        if no_date:
            out.append(_item("no_date", (iid,), f"{what} has no date", [reject]))
    return out


def _titles(cur: Curated) -> list[Item]:
    of = cur.resolution.entity_of
    names = {e.entity_id: e.name for e in cur.resolution.entities}
    out = []
    for x in cur.extractions:
        for r in x.relations:
            if r.type != "position" or r.role:
                continue
            person = names.get(
                of.get((r.subject.doc_id, r.subject.span.start, r.subject.span.end), ""),
                r.subject.name,
            )
            org = names.get(
                of.get((r.object.doc_id, r.object.span.start, r.object.span.end), ""), r.object.name
            )
            text = f"title '{r.detail}' of {person} in {org} ({x.document.doc_id}) is not in ontology/titles.yaml"
            fix = {"entity": person, "organisation": org, "to": "TITLE"}
            out.append(
                _item("unknown_title", (r.detail, person, org), text, [snippet("title", fix)])
            )
    return out


def _entities(cur: Curated, ref: Reference) -> list[Item]:
    out = []
    for e in cur.resolution.entities:
        if e.type == "Place" and e.entity_id not in ref.entities:
            docs = sorted({m.doc_id for m in e.mentions})
            text = f"place '{e.name}' ({e.entity_id}) is not in ontology/places.yaml; seen in {', '.join(docs)}"
            decide = [
                snippet("type", {"entity": e.entity_id, "to": "TYPE"}),
                snippet("reject", {"entity": e.entity_id}),
            ]
            out.append(_item("unknown_place", (e.entity_id,), text, decide))
        elif e.type in ACTOR_TYPES and _one_document(e):
            text = f"{e.type} '{e.name}' ({e.entity_id}) is seen in {e.mentions[0].doc_id} only"
            decide = [
                snippet("same", [e.entity_id, "OTHER"]),
                snippet("reject", {"entity": e.entity_id}),
            ]
            out.append(_item("seen_once", (e.entity_id,), text, decide))
    return out


def _one_document(e: Entity) -> bool:
    # Stops at the first other document: most actors are named in hundreds.
    if not e.mentions:
        return False
    doc_id = e.mentions[0].doc_id
    return all(m.doc_id == doc_id for m in e.mentions)


def to_json(items: list[Item]) -> str:
    """``review.json``: the queue, sorted, byte-identical for the same build."""
    return indented({"items": [_as_dict(i) for i in items]})


def _as_dict(i: Item) -> dict:
    """``dataclasses.asdict`` of an item, without its deep copies (a large build has one item
    per incident and per actor seen once)."""
    return {"id": i.id, "kind": i.kind, "text": i.text, "score": i.score, "decide": list(i.decide)}


def read(out: Path) -> list[Item]:
    """The queue a build wrote into ``out``."""
    path = out / FILE_NAME
    if not (out / "store").is_dir():
        raise BuildNotFoundError(str(out))
    if not path.is_file():
        raise LabourgraphError(f"{path}: missing; rebuild with this version of labourgraph")
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Item(**{**i, "decide": tuple(i["decide"])}) for i in data["items"]]


def format_text(items: list[Item], total: int) -> str:
    """The queue for a terminal: one line per item, then its snippets, indented."""
    if not items:
        return "Nothing to review.\n"
    lines = []
    for n, i in enumerate(items, 1):
        lines.append(f"{n}. [{_TITLES[i.kind]} {i.id}] {one_line(i.text)}")
        lines += [f"     {one_line(s)}" for s in i.decide]
    more = f" (showing {len(items)})" if len(items) < total else ""
    lines.append(
        f"{total} item{'s' if total != 1 else ''} to review{more}; add a line to judgements.yaml to settle one"
    )
    return "\n".join(lines) + "\n"
