"""Plain frozen dataclasses passed between pipeline stages.

Stage by stage: ``documents`` makes :class:`Document`; ``extraction`` makes :class:`Extraction`
(mentions, relations, incidents, all with offsets into ``Document.source_text``); ``resolve``
makes :class:`Resolution` (entities across documents); ``rdf`` turns those into quads.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

ENTITY_TYPES: tuple[str, ...] = (
    "Person",
    "TradeUnion",
    "UnionFederation",
    "GovernmentBody",
    "InternationalOrganization",
    "Company",
    "CivilSocietyGroup",
    "Media",
    "ILOConvention",
    "Legislation",
    "Place",
)
# Entity types that can act or be acted upon (not conventions, laws or places).
ORG_TYPES: frozenset[str] = frozenset(ENTITY_TYPES[1:8])
ACTOR_TYPES: frozenset[str] = ORG_TYPES | {"Person"}
INCIDENT_TYPES: tuple[str, ...] = (
    "Killing",
    "Arrest",
    "Prosecution",
    "Harassment",
    "Deregistration",
    "Dismissal",
    "Strike",
    "HungerStrike",
    "Protest",
    "Statement",
    "Meeting",
    "Release",
    "Apology",
)
RELATION_TYPES: tuple[str, ...] = ("position", "affiliated_to", "part_of")
PRECISIONS: tuple[str, ...] = ("day", "month", "year")


@dataclass(frozen=True)
class OffsetMap:
    """Maps character positions of cleaned text back to the source text.

    ``segments`` holds ``(clean_start, source_start, length)`` runs, sorted by ``clean_start``.
    Characters of the cleaned text outside every run were inserted by cleaning (joining
    spaces); a span is mapped by its first and last real character.
    """

    segments: tuple[tuple[int, int, int], ...]

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls(((0, 0, length),) if length else ())

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [s[0] for s in self.segments]

    def _source_pos(self, clean_pos: int, *, forward: bool) -> int:
        i = bisect.bisect_right(self._starts, clean_pos) - 1
        if i >= 0:
            c, s, n = self.segments[i]
            if clean_pos < c + n:
                return s + clean_pos - c
        # An inserted character: snap to the nearest real neighbour in the search direction.
        if forward:
            j = i + 1
            if j < len(self.segments):
                return self.segments[j][1]
            c, s, n = self.segments[-1]
            return s + n - 1
        c, s, n = self.segments[i] if i >= 0 else self.segments[0]
        return s + n - 1 if i >= 0 else s

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Return the source ``(start, end)`` of the cleaned span ``[start, end)``."""
        if not self.segments or end <= start:
            return (0, 0)
        first = self._source_pos(start, forward=True)
        last = self._source_pos(end - 1, forward=False)
        return (first, max(first, last + 1))


@dataclass(frozen=True)
class DateValue:
    """A date as written, with its precision and the first and last day it may mean."""

    text: str
    earliest: date
    latest: date
    precision: str  # one of PRECISIONS

    @property
    def iso(self) -> str:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` by precision (the facts format)."""
        if self.precision == "year":
            return f"{self.earliest.year:04d}"
        if self.precision == "month":
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        return self.earliest.isoformat()


@dataclass(frozen=True)
class Section:
    """A dated part of a document (a news item under its own date header), in cleaned text."""

    start: int
    end: int
    date: DateValue | None
    title: str = ""


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about a document besides its text (sidecar, HTML head, PDF info, text)."""

    title: str = ""
    publisher: str = ""  # as written, e.g. "ITUC"; resolved to an actor later
    published: DateValue | None = None
    url: str = ""
    language: str = "en"


@dataclass(frozen=True)
class Document:
    """One loaded and cleaned source document.

    ``source_text`` is what evidence offsets index: the file's own text for .txt/.md, the
    extracted text for .html/.pdf (the build keeps it under ``OUT/text/``). ``text`` is the
    cleaned text that extraction reads; ``offsets`` maps it back to ``source_text``.
    """

    doc_id: str  # the path relative to the sources folder, POSIX separators
    path: str  # the path as given on the command line
    format: str  # txt, md, html or pdf
    sha256: str  # of the file's bytes
    source_text: str
    text: str
    offsets: OffsetMap
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    sections: tuple[Section, ...] = ()

    def anchor_at(self, clean_pos: int) -> DateValue | None:
        """The date relative expressions at ``clean_pos`` refer to: item date, else publication."""
        for sec in self.sections:
            if sec.start <= clean_pos < sec.end and sec.date is not None:
                return sec.date
        return self.meta.published

    def source_span(self, start: int, end: int) -> Span:
        """Map a cleaned-text span to a verbatim :class:`Span` of the source text."""
        s, e = self.offsets.to_source(start, end)
        return Span(s, e, self.source_text[s:e])


@dataclass(frozen=True)
class Span:
    """A verbatim slice of a document's source text: ``source_text[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A surface form of an entity in one document."""

    doc_id: str
    span: Span  # in source coordinates
    clean_start: int  # in cleaned-text coordinates, for sentence grouping
    clean_end: int
    type: str  # one of ENTITY_TYPES
    name: str  # normalised name (canonical name when known)
    key: str = ""  # curated reference id when the gazetteer knows it, else ""
    rule: str = ""  # which rule or gazetteer produced it
    country: str = ""  # reference id of the country it belongs to, when known

    @property
    def identity(self) -> str:
        """What makes two mentions of one document the same thing before resolution."""
        return self.key or self.name


@dataclass(frozen=True)
class Relation:
    """A relation between two mentions, with the sentence as evidence."""

    type: str  # one of RELATION_TYPES
    subject: Mention
    object: Mention
    detail: str  # the title as written for positions, else ""
    role: str  # normalised role id from the titles lookup, or ""
    evidence: Span


@dataclass(frozen=True)
class Incident:
    """One happening reported by a document."""

    doc_id: str
    type: str  # one of INCIDENT_TYPES
    trigger: Span
    evidence: Span
    agents: tuple[Mention, ...] = ()
    targets: tuple[Mention, ...] = ()
    place: Mention | None = None
    conventions: tuple[Mention, ...] = ()
    date: DateValue | None = None
    count: int | None = None  # of unnamed victims or participants, when stated
    # Identifies this report within a build (one trigger may report one act per victim).
    # Made once, and cached with the extraction: a build looks it up several times a report.
    key: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        targets = tuple(t.span.start for t in self.targets)
        key = (self.doc_id, self.type, self.trigger.start, self.trigger.end, targets)
        object.__setattr__(self, "key", key)


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one document."""

    document: Document
    mentions: tuple[Mention, ...] = ()
    relations: tuple[Relation, ...] = ()
    incidents: tuple[Incident, ...] = ()


@dataclass(frozen=True)
class Entity:
    """One real-world actor, convention, law or place, across documents."""

    entity_id: str  # stable id, also the last part of its IRI
    type: str
    name: str
    aliases: tuple[str, ...]
    mentions: tuple[Mention, ...]
    reasons: tuple[str, ...] = ()  # why mentions were merged into it
    country: str = ""


@dataclass(frozen=True)
class Candidate:
    """A near miss the resolver did not merge, kept for review."""

    left: str
    right: str
    score: float
    reason: str


@dataclass(frozen=True)
class Resolution:
    """Entities across documents and the incidents that are one happening."""

    entities: tuple[Entity, ...]
    entity_of: Mapping[tuple[str, int, int], str]  # (doc_id, start, end) -> entity_id
    incident_ids: dict[tuple, str]  # Incident.key -> incident id
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A file the build could not (fully) use, and why."""

    path: str
    problem: str
    severity: str = "error"  # error: file skipped; warning: used with a caveat
