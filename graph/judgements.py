"""The judgements file: human decisions kept with the sources, checked entry by entry.

``judgements.yaml`` at the root of a source folder (or ``build --judgements FILE``) is a YAML list.
Every entry has ``who``, ``when`` (a date) and ``why``, and exactly one decision:

- ``same: [A, B]`` / ``not_same: [A, B]``: two entities are one / are not one;
- ``reject: <incident id>``, ``reject: [subject, type, object]`` (a relation), or
  ``reject: {incident: ID}``, ``{relation: [S, T, O]}``, ``{entity: X}``,
  ``{mention: "text", document: D}`` (``document`` optional);
- ``alias: {entity: X, add: "Name"}``; ``type: {entity: X, to: Type}``;
- ``title: {entity: PERSON, organisation: ORG, to: "Title"}`` (``organisation`` optional);
- ``add: {incident: Type, agents: [..], targets: [..], place: X, conventions: [..], date: D,
  document: D, quote: "..."}`` or ``add: {relation: [S, T, O], title: "...", document, quote}``;
- ``ok: <review item id>``: looked at, nothing to change (``labourgraph review`` drops it).

Entities are named by id or any alias, case and accents ignored. A judgement's id is the first 16
hex digits of the SHA-1 of its canonical JSON (decision, value, who, when, why), so it does not
change when entries are reordered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from anyascii import anyascii

from .errors import LabourgraphError, one_line
from .model import ENTITY_TYPES, INCIDENT_TYPES, RELATION_TYPES

FILE_NAME = "judgements.yaml"
DECISIONS = ("same", "not_same", "reject", "alias", "type", "title", "add", "ok")
_REJECT_KEYS = {"incident", "relation", "entity", "mention", "document"}
_ADD_KEYS = {"incident", "agents", "targets", "place", "conventions", "date", "relation", "title"}


class JudgementError(LabourgraphError):
    """A judgements file or one of its entries is malformed (the build stops before starting)."""


def norm(text: str) -> str:
    """A name as judgements compare it: transliterated, case-folded, spaces collapsed."""
    return " ".join(anyascii(str(text)).casefold().split())


@dataclass(frozen=True)
class Judgement:
    """One checked entry of a judgements file."""

    file: str  # the file's name as given
    number: int  # 1-based position in the file, for messages only
    decision: str  # one of DECISIONS
    value: Any  # the decision's value, checked (see the module docstring)
    who: str
    when: dt.date
    why: str

    @property
    def id(self) -> str:
        """16 hex digits of the entry's content: stable when entries move."""
        blob = json.dumps(
            [self.decision, self.value, self.who, self.when.isoformat(), self.why],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha1(blob.encode()).hexdigest()[:16]

    @property
    def where(self) -> str:
        return f"{one_line(self.file)}: entry {self.number} ({self.decision})"

    @property
    def provenance(self) -> str:
        """``judged same by WHO on WHEN: WHY``."""
        verb = self.decision.replace("_", " ")
        return f"judged {verb} by {self.who} on {self.when.isoformat()}: {self.why}"

    @property
    def summary(self) -> str:
        """The decision on one line, e.g. ``not_same: CNTUK / KNPRK``."""
        v = self.value
        if isinstance(v, list):
            text = " / ".join(map(str, v))
        elif isinstance(v, dict):
            text = ", ".join(f"{k}={v[k]}" for k in sorted(v) if k != "quote" and v[k] != [])
        else:
            text = str(v)
        return one_line(f"{self.decision}: {text}")


def find_files(sources: list[Path], extra: Path | None = None) -> list[Path]:
    """``judgements.yaml`` at the root of each source folder, then ``extra`` (which must exist)."""
    found = [s / FILE_NAME for s in sources if s.is_dir() and (s / FILE_NAME).is_file()]
    if extra is not None:
        if not extra.is_file():
            raise JudgementError(f"{one_line(str(extra))}: no such judgements file; check the path")
        found.append(extra)
    return list(dict.fromkeys(found))


def load(paths: list[Path]) -> list[Judgement]:
    """Every entry of every file, checked; the first malformed one raises :class:`JudgementError`."""
    out: list[Judgement] = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            said = " ".join(str(exc).split())[:200]
            raise JudgementError(f"{one_line(str(path))}: not readable as YAML ({said})") from exc
        if data is None:
            continue
        if not isinstance(data, list):
            raise JudgementError(
                f"{one_line(str(path))}: must be a list of entries (each starting with '- ')"
            )
        out += [_entry(str(path), n, raw) for n, raw in enumerate(data, 1)]
    return out


def _fail(file: str, n: int, problem: str) -> JudgementError:
    return JudgementError(f"{one_line(file)}: entry {n}: {problem}")


def _text(file: str, n: int, entry: dict, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, (str, int, float)) or not str(value).strip():
        raise _fail(file, n, f"needs '{key}:' with some text")
    return str(value).strip()


def _entry(file: str, n: int, raw: object) -> Judgement:
    if not isinstance(raw, dict):
        raise _fail(file, n, "must be a mapping with who, when, why and one decision")
    decisions = [k for k in raw if k in DECISIONS]
    unknown = sorted(str(k) for k in raw if k not in DECISIONS and k not in ("who", "when", "why"))
    if unknown:
        raise _fail(
            file,
            n,
            f"unknown key {unknown[0]!r}; use who, when, why and one of " + ", ".join(DECISIONS),
        )
    if len(decisions) != 1:
        raise _fail(file, n, "needs exactly one decision: " + ", ".join(DECISIONS))
    who, why = _text(file, n, raw, "who"), _text(file, n, raw, "why")
    when = raw.get("when")
    if isinstance(when, str):
        try:
            when = dt.date.fromisoformat(when.strip())
        except ValueError:
            when = None
    if not isinstance(when, dt.date) or isinstance(when, dt.datetime):
        raise _fail(file, n, "needs 'when:' as a date, YYYY-MM-DD")
    decision = decisions[0]
    try:
        value = _CHECKS[decision](raw[decision])
    except ValueError as exc:
        raise _fail(file, n, f"{decision}: {exc}") from None
    return Judgement(file, n, decision, value, who, when, why)


def _name(value: object, what: str = "a name") -> str:
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise ValueError(f"expected {what}, got {value!r}")
    return str(value).strip()


def _pair(value: object) -> list[str]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("expected two names, [A, B]")
    pair = [_name(v) for v in value]
    if norm(pair[0]) == norm(pair[1]):
        raise ValueError(f"both names are {pair[0]!r}")
    return pair


def _relation(value: object) -> list[str]:
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError("a relation is [subject, type, object]")
    s, t, o = (_name(v) for v in value)
    if t not in RELATION_TYPES:
        raise ValueError(f"relation type {t!r} is not one of {', '.join(RELATION_TYPES)}")
    return [s, t, o]


def _mapping(value: object, required: set[str], optional: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping with {', '.join(sorted(required))}")
    missing = sorted(required - set(value))
    extra = sorted(str(k) for k in set(value) - required - optional)
    if missing:
        raise ValueError(f"missing '{missing[0]}:'")
    if extra:
        raise ValueError(f"unknown key {extra[0]!r}")
    return dict(value)


def _reject(value: object) -> dict:
    if isinstance(value, str):
        return {"incident": _name(value, "an incident id")}
    if isinstance(value, list):
        return {"relation": _relation(value)}
    v = _mapping(value, set(), _REJECT_KEYS)
    kinds = sorted(k for k in v if k != "document")
    if len(kinds) != 1 or ("document" in v and kinds != ["mention"]):
        raise ValueError("reject one of: incident, relation, entity, mention (with document)")
    out = {"relation": _relation(v["relation"])} if kinds == ["relation"] else {}
    for k in ("incident", "entity", "mention", "document"):
        if k in v:
            out[k] = _name(v[k])
    return out


def _alias(value: object) -> dict:
    v = _mapping(value, {"entity", "add"}, set())
    return {"entity": _name(v["entity"]), "add": _name(v["add"], "an alias")}


def _type(value: object) -> dict:
    v = _mapping(value, {"entity", "to"}, set())
    if v["to"] not in ENTITY_TYPES:
        raise ValueError(f"type {v['to']!r} is not one of {', '.join(ENTITY_TYPES)}")
    return {"entity": _name(v["entity"]), "to": v["to"]}


def _title(value: object) -> dict:
    v = _mapping(value, {"entity", "to"}, {"organisation"})
    out = {"entity": _name(v["entity"]), "to": _name(v["to"], "a title")}
    if "organisation" in v:
        out["organisation"] = _name(v["organisation"])
    return out


def _add(value: object) -> dict:
    v = _mapping(value, {"document", "quote"}, _ADD_KEYS)
    out: dict[str, Any] = {"document": _name(v["document"]), "quote": _name(v["quote"], "a quote")}
    out["quote"] = str(v["quote"])  # verbatim: spaces matter
    if ("incident" in v) == ("relation" in v):
        raise ValueError("add either an incident (incident: Type) or a relation ([S, T, O])")
    if "relation" in v:
        if set(v) & {"agents", "targets", "place", "conventions", "date"}:
            raise ValueError("a relation takes only title, document and quote")
        out["relation"] = _relation(v["relation"])
        if "title" in v:
            out["title"] = _name(v["title"], "a title")
        return out
    if v["incident"] not in INCIDENT_TYPES:
        raise ValueError(
            f"incident type {v['incident']!r} is not one of {', '.join(INCIDENT_TYPES)}"
        )
    out["incident"] = v["incident"]
    for k in ("agents", "targets", "conventions"):
        names = v.get(k) or []
        if not isinstance(names, list):
            raise ValueError(f"'{k}:' is a list of names")
        out[k] = [_name(x) for x in names]
    if not out["agents"] and not out["targets"]:
        raise ValueError("an incident needs agents or targets")
    if v.get("place") is not None:
        out["place"] = _name(v["place"])
    if v.get("date") is not None:
        out["date"] = _date(v["date"])
    return out


def _date(value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    parts = text.split("-")
    try:
        if len(parts) == 1 and len(text) == 4:
            int(text)
        elif len(parts) == 2:
            dt.date(int(parts[0]), int(parts[1]), 1)
        else:
            dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD") from None
    return text


def _ok(value: object) -> str:
    return _name(value, "a review item id")


_CHECKS = {
    "same": _pair,
    "not_same": _pair,
    "reject": _reject,
    "alias": _alias,
    "type": _type,
    "title": _title,
    "add": _add,
    "ok": _ok,
}
