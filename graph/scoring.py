"""Score extracted facts against gold facts (annotations/FORMAT.md, "How extraction is scored").

Both sides are per-document facts dicts (``document``, ``entities``, ``relations``, ``events``).
Only documents in gold are scored: a gold document missing from the prediction counts as all
missed; documents found only in the prediction are ignored and counted.

Matching rules:

- Names are folded (NFKD, combining marks dropped, casefolded, non-alphanumerics dropped); an
  entity's names are its ``name`` plus its ``mentions``.
- All matching is one-to-one and greedy: candidate pairs are taken strongest first (most shared
  names or participants), ties broken by file order, and each gold and each predicted item is
  used at most once, so duplicates in a prediction cost precision instead of adding to it.
- The typed entity matching (names and types agree) is the *alignment*: it maps a predicted
  entity id to a gold entity id within one document. Relations, events and identity use it, so
  a wrongly typed entity also costs the relations and events it takes part in.
- Identity is B-cubed over (document, entity) items, with gold ids and predicted ids (across all
  documents) as the two clusterings. Precision averages over predicted items, recall over gold
  items; an item without a counterpart in the alignment is a singleton on the other side
  (Cai & Strube 2010, "twinless" mentions). So a spurious entity with an id of its own, or a
  missed one whose gold id occurs nowhere else, leaves identity alone; one whose id is shared
  with other items lowers it.
- Events match when types agree, at least one aligned participant (agent or target, either
  role) is shared, and dates do not contradict: equal at the coarser precision, a missing date
  on either side never contradicts.
- Role accuracy: over matched events, the share in which every shared participant has the same
  role set ({agent}, {target} or both) on both sides. Date accuracy: over matched events whose
  gold has a date, the share whose predicted date is exactly the gold date (same precision).
- Quotes verbatim: over predicted events with a quote in scored documents with a known text, the
  share whose quote occurs in the text, white-space runs collapsed on both sides (PDF text wraps
  lines where a quote has a space).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from .reference import SAFE_LOADER

__all__ = [
    "PRF",
    "DocumentScore",
    "Scores",
    "fold",
    "format_scores",
    "load_facts_dir",
    "parse_date",
    "score",
]

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, tp: int, predicted: int, gold: int) -> PRF:
        """Build from counts; nothing predicted and nothing to find is a perfect score."""
        p = tp / predicted if predicted else float(gold == 0)
        r = tp / gold if gold else float(predicted == 0)
        return cls.from_pr(p, r)

    @classmethod
    def from_pr(cls, p: float, r: float) -> PRF:
        return cls(p, r, 2 * p * r / (p + r) if p + r else 0.0)


@dataclass(frozen=True)
class DocumentScore:
    """Typed entity F1 and event F1 of one gold document."""

    document: str
    entity_f1: float
    event_f1: float


@dataclass(frozen=True)
class Scores:
    """Everything `score` measures; ``None`` where a share has nothing to count."""

    entity_typed: PRF
    entity_untyped: PRF
    identity: PRF
    relation: PRF
    event: PRF
    role_accuracy: float | None
    date_accuracy: float | None
    quotes_verbatim: float | None
    documents: tuple[DocumentScore, ...]  # sorted by document name
    documents_missing: int  # in gold, absent from the prediction
    documents_ignored: int  # in the prediction only

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self) | {"documents": [asdict(d) for d in self.documents]}

    def worst(self, n: int = 3) -> list[DocumentScore]:
        """The n documents with the lowest event F1, then lowest entity F1."""
        return sorted(self.documents, key=lambda d: (d.event_f1, d.entity_f1, d.document))[:n]


def fold(text: object) -> str:
    """Fold case, accents, punctuation and white space: 'Nur-Sultan' -> 'nursultan'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed.casefold() if c.isalnum() and not unicodedata.combining(c))


def parse_date(value: object) -> tuple[int, ...] | None:
    """Read YYYY, YYYY-MM or YYYY-MM-DD as (y,), (y, m) or (y, m, d).

    PyYAML loads these as int, str and date respectively; all three are accepted.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):  # PyYAML turns full dates into date objects
        return (value.year, value.month, value.day)
    found = _DATE.match(str(value).strip())
    if not found:
        raise ValueError(f"unreadable date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    return tuple(int(part) for part in found.groups() if part is not None)


def load_facts_dir(path: Path) -> dict[str, dict]:
    """Read every *.yaml / *.yml in path that has a ``document`` key, keyed by document name."""
    facts: dict[str, dict] = {}
    seen: dict[str, Path] = {}
    for file in sorted([*path.glob("*.yaml"), *path.glob("*.yml")]):
        try:
            # libyaml when present: gold for a generated corpus of 10,000 documents is 10,000 files
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        except yaml.YAMLError as exc:
            raise ValueError(f"{file}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or "document" not in data:
            continue  # e.g. the entities.yaml registry, which is a list
        name = str(data["document"])
        if name in facts:
            raise ValueError(f"{file}: document {name} is already described by {seen[name]}")
        facts[name], seen[name] = data, file
    return facts


def _greedy(candidates: Iterable[tuple[tuple, int, int]]) -> dict[int, int]:
    """One-to-one matching from (strength, gold index, predicted index); returns pred -> gold."""
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _, g, p in sorted(candidates, key=lambda c: (tuple(-x for x in c[0]), c[1], c[2])):
        if g not in used and p not in matched:
            matched[p] = g
            used.add(g)
    return matched


def _names(entity: dict) -> set[str]:
    names = {fold(entity.get("name") or ""), *(fold(m) for m in entity.get("mentions") or [])}
    return names - {""}


def _match_entities(gold: list[dict], pred: list[dict], typed: bool) -> dict[int, int]:
    gold_names = [_names(e) for e in gold]
    candidates = []
    for p, entity in enumerate(pred):
        names = _names(entity)
        for g, other in enumerate(gold):
            shared = len(names & gold_names[g])
            if shared and (not typed or entity.get("type") == other.get("type")):
                candidates.append(((shared,), g, p))
    return _greedy(candidates)


def _roles(event: dict, align: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Gold entity id -> roles it has in the event; predicted ids go through align first."""
    roles: dict[str, set[str]] = {}
    for role in ("agents", "targets"):
        for ident in event.get(role) or []:
            key = ident if align is None else align.get(ident)
            if key is not None:
                roles.setdefault(key, set()).add(role)
    return roles


def _triple(relation: object) -> tuple[Any, Any, Any]:
    """[subject, relation, object, detail] -> (subject, relation, object); detail is not scored."""
    parts = [*relation, None, None, None] if isinstance(relation, list | tuple) else [None] * 3
    return parts[0], parts[1], parts[2]


def _dates_agree(gold: tuple[int, ...] | None, pred: tuple[int, ...] | None) -> bool:
    if gold is None or pred is None:
        return True
    n = min(len(gold), len(pred))
    return gold[:n] == pred[:n]


def _verbatim(quote: str, text: str) -> bool:
    return _SPACE.sub(" ", quote).strip() in _SPACE.sub(" ", text)


def _bcubed(items: list[tuple[Any, Any]]) -> float:
    """Mean over items of |own cluster ∩ other cluster| / |own cluster|, items as (own, other)."""
    if not items:
        return 1.0
    own, both = Counter(o for o, _ in items), Counter(items)
    return sum(both[i] / own[i[0]] for i in items) / len(items)


def _match_relations(g_rels: list, p_rels: list, align: dict[str, str]) -> int:
    """Count matched relations: same type, both predicted ends aligned to the gold ends."""
    g_triples, p_triples = [_triple(r) for r in g_rels], [_triple(r) for r in p_rels]
    candidates = [
        ((), g, p)
        for p, (ps, pr, po) in enumerate(p_triples)
        for g, (gs, gr, go) in enumerate(g_triples)
        if pr == gr and align.get(ps) == gs and align.get(po) == go
    ]
    return len(_greedy(candidates))


def _match_events(g_evs: list, p_evs: list, align: dict[str, str], count: Counter[str]) -> int:
    """Count matched events; add role and date agreement of the matches to count."""
    g_dates = [parse_date(e.get("date")) for e in g_evs]
    p_dates = [parse_date(e.get("date")) for e in p_evs]
    g_roles = [_roles(e) for e in g_evs]
    p_roles = [_roles(e, align) for e in p_evs]
    candidates = []
    for p, p_ev in enumerate(p_evs):
        for g, g_ev in enumerate(g_evs):
            shared = g_roles[g].keys() & p_roles[p].keys()
            agree = _dates_agree(g_dates[g], p_dates[p])
            if p_ev.get("type") == g_ev.get("type") and shared and agree:
                # Prefer pairings that also get roles and dates right, so the accuracies
                # below judge the best reading of the prediction.
                same_role = sum(g_roles[g][x] == p_roles[p][x] for x in shared)
                exact = g_dates[g] == p_dates[p]
                candidates.append(((len(shared), same_role, exact), g, p))
    matched = _greedy(candidates)
    for p, g in matched.items():
        shared = g_roles[g].keys() & p_roles[p].keys()
        count.update(role_ok=int(all(g_roles[g][x] == p_roles[p][x] for x in shared)))
        if g_dates[g] is not None:
            count.update(date_n=1, date_ok=int(g_dates[g] == p_dates[p]))
    return len(matched)


def score(
    gold: dict[str, dict], predicted: dict[str, dict], texts: dict[str, str] | None = None
) -> Scores:
    """Score predicted facts against gold facts; texts (document -> text) enable quote checks."""
    count: Counter[str] = Counter()
    gold_items: list[tuple[Any, Any]] = []  # (gold cluster, predicted cluster) per gold entity
    pred_items: list[tuple[Any, Any]] = []  # (predicted cluster, gold cluster) per predicted entity
    documents = []
    for doc in sorted(gold):
        g_facts, p_facts = gold[doc], predicted.get(doc, {})
        g_ents, p_ents = g_facts.get("entities") or [], p_facts.get("entities") or []
        typed = _match_entities(g_ents, p_ents, typed=True)
        untyped = _match_entities(g_ents, p_ents, typed=False)
        count.update(ent_tp=len(typed), ent_untyped_tp=len(untyped))
        count.update(ent_pred=len(p_ents), ent_gold=len(g_ents))
        align: dict[str, str] = {}
        for p, g in typed.items():
            if p_ents[p].get("id") is not None:
                align.setdefault(p_ents[p]["id"], g_ents[g].get("id"))

        # Items without a counterpart (or an id) get a cluster key of their own: a singleton.
        p_keys = [e.get("id") or ("no id", doc, p) for p, e in enumerate(p_ents)]
        p_of_g = {g: p for p, g in typed.items()}
        for p, key in enumerate(p_keys):
            g = typed.get(p)
            pred_items.append((key, ("unmatched", doc, p) if g is None else g_ents[g].get("id")))
        for g, entity in enumerate(g_ents):
            p = p_of_g.get(g)
            gold_items.append((entity.get("id"), ("unmatched", doc, g) if p is None else p_keys[p]))

        g_rels, p_rels = g_facts.get("relations") or [], p_facts.get("relations") or []
        count.update(rel_tp=_match_relations(g_rels, p_rels, align))
        count.update(rel_pred=len(p_rels), rel_gold=len(g_rels))

        g_evs, p_evs = g_facts.get("events") or [], p_facts.get("events") or []
        ev_tp = _match_events(g_evs, p_evs, align, count)
        count.update(ev_tp=ev_tp, ev_pred=len(p_evs), ev_gold=len(g_evs))

        if texts is not None and doc in texts:
            quotes = [e["quote"] for e in p_evs if isinstance(e.get("quote"), str) and e["quote"]]
            count.update(quote_n=len(quotes))
            count.update(quote_ok=sum(_verbatim(q, texts[doc]) for q in quotes))

        entity_f1 = PRF.from_counts(len(typed), len(p_ents), len(g_ents)).f1
        event_f1 = PRF.from_counts(ev_tp, len(p_evs), len(g_evs)).f1
        documents.append(DocumentScore(doc, entity_f1, event_f1))

    def prf(kind: str, tp: str | None = None) -> PRF:
        return PRF.from_counts(
            count[tp or f"{kind}_tp"], count[f"{kind}_pred"], count[f"{kind}_gold"]
        )

    def share(ok: str, n: str) -> float | None:
        return count[ok] / count[n] if count[n] else None

    return Scores(
        entity_typed=prf("ent"),
        entity_untyped=prf("ent", "ent_untyped_tp"),
        identity=PRF.from_pr(_bcubed(pred_items), _bcubed(gold_items)),
        relation=prf("rel"),
        event=prf("ev"),
        role_accuracy=share("role_ok", "ev_tp"),
        date_accuracy=share("date_ok", "date_n"),
        quotes_verbatim=share("quote_ok", "quote_n") if texts is not None else None,
        documents=tuple(documents),
        documents_missing=sum(doc not in predicted for doc in gold),
        documents_ignored=sum(doc not in gold for doc in predicted),
    )


def format_scores(s: Scores, worst: int = 3) -> str:
    """Compact table, one metric a line, then the worst documents."""

    def num(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:.3f}"

    def prf(label: str, m: PRF) -> str:
        return f"{label:<23}{num(m.f1)}  (P {num(m.precision)} R {num(m.recall)})"

    lines = [
        prf("entity F1 (typed)", s.entity_typed),
        prf("entity F1 (untyped)", s.entity_untyped),
        prf("identity B-cubed F1", s.identity),
        prf("relation F1", s.relation),
        prf("incident F1", s.event),
        f"{'role accuracy':<23}{num(s.role_accuracy)}",
        f"{'date accuracy':<23}{num(s.date_accuracy)}",
        f"{'quotes verbatim':<23}{num(s.quotes_verbatim)}",
        f"{'documents':<23}{len(s.documents)} scored, {s.documents_missing} missing from "
        f"prediction, {s.documents_ignored} not in gold",
        "worst documents:",
    ]
    lines += [
        f"  {d.document}  incident F1 {d.event_f1:.3f}  entity F1 {d.entity_f1:.3f}"
        for d in s.worst(worst)
    ]
    return "\n".join(lines)


def differences(gold: dict[str, dict], predicted: dict[str, dict]) -> str:
    """What the prediction missed and added, per document: the list an engineer fixes rules from."""
    lines: list[str] = []
    for doc in sorted(gold):
        g_facts, p_facts = gold[doc], predicted.get(doc, {})
        g_ents, p_ents = g_facts.get("entities") or [], p_facts.get("entities") or []
        typed = _match_entities(g_ents, p_ents, typed=True)
        align = {p_ents[p].get("id"): g_ents[g].get("id") for p, g in typed.items()}
        found = set(typed.values())
        out: list[str] = []
        out += [
            f"  entity missed  {e.get('type')}: {e.get('name')} {e.get('mentions') or []}"
            for g, e in enumerate(g_ents)
            if g not in found
        ]
        out += [
            f"  entity extra   {e.get('type')}: {e.get('name')} {e.get('mentions') or []}"
            for p, e in enumerate(p_ents)
            if p not in typed
        ]
        g_triples = {_triple(r) for r in g_facts.get("relations") or []}
        p_triples = {
            (align.get(s, f"?{s}"), r, align.get(o, f"?{o}"))
            for s, r, o in map(_triple, p_facts.get("relations") or [])
        }
        out += [f"  relation missed {t}" for t in sorted(g_triples - p_triples, key=str)]
        out += [f"  relation extra  {t}" for t in sorted(p_triples - g_triples, key=str)]
        g_evs, p_evs = g_facts.get("events") or [], p_facts.get("events") or []
        matched = _greedy(
            ((), g, p)
            for p, pe in enumerate(p_evs)
            for g, ge in enumerate(g_evs)
            if pe.get("type") == ge.get("type")
            and _roles(ge).keys() & _roles(pe, align).keys()
            and _dates_agree(parse_date(ge.get("date")), parse_date(pe.get("date")))
        )

        def event(e: dict, ids: dict[str, str] | None = None) -> str:
            def names(role: str) -> list[str]:
                return [ids.get(i, f"?{i}") if ids else i for i in e.get(role) or []]

            quote = str(e.get("quote") or "")[:90]
            return (
                f"{e.get('type')} {e.get('date')} agents={names('agents')} "
                f"targets={names('targets')} | {quote}"
            )

        hit = set(matched.values())
        out += [f"  event missed   {event(e)}" for g, e in enumerate(g_evs) if g not in hit]
        out += [
            f"  event extra    {event(e, align)}" for p, e in enumerate(p_evs) if p not in matched
        ]
        out += [
            f"  event date     gold {g_evs[g].get('date')} predicted {p_evs[p].get('date')}: "
            f"{event(g_evs[g])}"
            for p, g in sorted(matched.items())
            if parse_date(g_evs[g].get("date")) != parse_date(p_evs[p].get("date"))
        ]
        if out:
            lines += [doc, *out]
    return "\n".join(lines)
