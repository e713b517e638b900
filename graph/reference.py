"""Reference data under ``ontology/``: known actors, places, ILO conventions, triggers, titles.

The code only interprets these files; adding an actor, a place or a trigger word is a data change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ReferenceDataError
from .model import ENTITY_TYPES, INCIDENT_TYPES


def ontology_dir(package: Path) -> Path:
    """``ontology/``: inside the installed package, or beside ``graph/`` in a source tree."""
    installed = package / "ontology"  # pyproject.toml installs it as package data
    return installed if installed.is_dir() else package.parent / "ontology"


ONTOLOGY_DIR = ontology_dir(Path(__file__).resolve().parent)


@dataclass(frozen=True)
class KnownEntity:
    """An entry of actors.yaml, places.yaml or conventions.yaml."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    affiliated_to: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    place_kind: str = ""  # country, city or region, for places
    demonyms: tuple[str, ...] = ()
    renamed: tuple[dict, ...] = ()
    extra: dict = field(default_factory=dict)  # convention number, year, status, title


@dataclass(frozen=True)
class TriggerSpec:
    type: str
    triggers: tuple[str, ...]
    agent_types: tuple[str, ...]
    target_types: tuple[str, ...]
    default_agent: str = ""
    place_stands_in: str = ""
    # Patterns (case-insensitive) that, matching at a trigger, show another sense of the word:
    # "fired live ammunition" is no dismissal.
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Title:
    id: str
    label: str
    kind: str
    variants: tuple[str, ...]
    office: str = ""  # a state office that acts as a body ("Attorney General")


@dataclass(frozen=True)
class Reference:
    """All reference data, indexed for lookup."""

    entities: dict[str, KnownEntity]
    triggers: dict[str, TriggerSpec]
    titles: tuple[Title, ...]
    demonym_country: dict[str, str]  # "kazakh" -> "kazakhstan"
    country_name: dict[str, str]  # lower name or alias -> country id

    def title_for(self, text: str) -> Title | None:
        low = text.lower()
        for title in self.titles:
            if any(v.lower() == low for v in title.variants):
                return title
        return None

    def convention_by_number(self, number: int) -> KnownEntity | None:
        return self.entities.get(f"ilo-c{number:03d}")


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> list | dict:
    if not path.exists():
        return []
    try:
        # libyaml's loader when present: ~20x faster, and every worker process loads these files.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{path}: not valid YAML ({exc})") from exc
    return data or []


def _tuple(value: object) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _known(entry: dict, path: Path, default_type: str = "") -> KnownEntity:
    try:
        etype = entry.get("type", default_type)
        place_kind = ""
        if path.name == "places.yaml":
            place_kind, etype = etype, "Place"
        if etype not in ENTITY_TYPES:
            raise ReferenceDataError(
                f"{path}: entry {entry.get('id')!r} has unknown type {etype!r}"
            )
        return KnownEntity(
            id=str(entry["id"]),
            type=etype,
            name=str(entry["name"]),
            aliases=tuple(str(a) for a in _tuple(entry.get("aliases"))),
            country=str(entry.get("country") or ""),
            affiliated_to=_tuple(entry.get("affiliated_to")),
            part_of=_tuple(entry.get("part_of")),
            place_kind=place_kind,
            demonyms=tuple(str(d) for d in _tuple(entry.get("demonyms"))),
            renamed=tuple(r for r in _tuple(entry.get("renamed")) if isinstance(r, dict)),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReferenceDataError(f"{path}: malformed entry {entry!r} ({exc})") from exc


def _conventions(path: Path) -> list[KnownEntity]:
    out = []
    for c in _load_yaml(path):
        number = int(c["number"])
        aliases = [c["title"], f"ILO Convention {number}", *c.get("short", [])]
        out.append(
            KnownEntity(
                id=f"ilo-c{number:03d}",
                type="ILOConvention",
                # NORMLEX's form: "Forced Labour Convention, 1930 (No. 29)".
                name=f"{c['title']}, {c['year']} (No. {number})",
                aliases=tuple(aliases),
                extra={
                    "number": number,
                    "code": c["code"],
                    "year": c["year"],
                    "status": c["status"],
                    "title": c["title"],
                },
            )
        )
    return out


@functools.cache
def load_reference(directory: Path = ONTOLOGY_DIR) -> Reference:
    """Load and index every reference file (cached: the files do not change during a run)."""
    entities: dict[str, KnownEntity] = {}
    for name in ("places.yaml", "actors.yaml"):
        path = directory / name
        for entry in _load_yaml(path):
            known = _known(entry, path)
            if known.id in entities:
                raise ReferenceDataError(f"{path}: id {known.id!r} is defined twice")
            entities[known.id] = known
    for known in _conventions(directory / "conventions.yaml"):
        entities[known.id] = known

    triggers = {}
    trig_path = directory / "triggers.yaml"
    for itype, spec in dict(_load_yaml(trig_path) or {}).items():
        if itype not in INCIDENT_TYPES:
            raise ReferenceDataError(f"{trig_path}: unknown incident type {itype!r}")
        triggers[itype] = TriggerSpec(
            type=itype,
            triggers=tuple(str(t) for t in spec["triggers"]),
            agent_types=tuple(spec.get("agent_types", ())),
            target_types=tuple(spec.get("target_types", ())),
            default_agent=spec.get("default_agent", ""),
            place_stands_in=spec.get("place_stands_in", ""),
            exclude=tuple(str(x) for x in spec.get("exclude", ())),
        )
    titles = tuple(
        Title(t["id"], t["label"], t.get("kind", "any"), tuple(t["variants"]), t.get("office", ""))
        for t in _load_yaml(directory / "titles.yaml")
    )
    demonyms: dict[str, str] = {}
    country_name: dict[str, str] = {}
    for e in entities.values():
        if e.type == "Place" and e.place_kind == "country":
            for d in e.demonyms:
                demonyms[d.lower()] = e.id
            for n in (e.name, *e.aliases):
                country_name[n.lower()] = e.id
    return Reference(entities, triggers, titles, demonyms, country_name)
