"""A rebuild's resolution begun from the last build's pieces equals a resolution in full."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path

import pytest
import yaml
from labourgraph import resolved
from labourgraph.cache import RESOLUTION_KIND, Cache
from labourgraph.loaders import Limits
from labourgraph.model import DateValue, Document, Extraction, Incident, Mention, OffsetMap, Span
from labourgraph.reference import load_reference
from labourgraph.resolve import Detailed, resolve_detailed

from .conftest import quiet_build, same_as_fresh


def _pool() -> list[tuple[str, str, str]]:
    """(type, name, key) to name: short and long forms, names written several ways, people
    who share a surname or its first letters, lone surnames, initials, misspellings, keys."""
    pool = [
        ("InternationalOrganization", "International Trade Union Confederation", "ituc"),
        ("InternationalOrganization", "ITUC", "ituc"),
        ("GovernmentBody", "Ministry of Labour", "portmore-labour-ministry"),
        ("GovernmentBody", "the ministry", "portmore-labour-ministry"),
        ("Person", "Dara Osei", "dara-osei"),
        ("Place", "Portmore", ""),
    ]
    for trade in ("Dock", "Net", "Rail", "Mine", "Textile", "Bus", "Tea", "Cocoa", "Steel"):
        pool += [
            ("TradeUnion", f"{trade} Workers Union", ""),
            ("TradeUnion", f"{trade} Workers Union of Portmore", ""),
            ("TradeUnion", f"{trade.lower()} workers union", ""),
            ("TradeUnion", f"Trade Union of {trade} Workers", ""),
            ("TradeUnion", f"Union of {trade} Workers", ""),
            ("CivilSocietyGroup", f"{trade} Rights Alliance", ""),
            ("CivilSocietyGroup", f"{trade} Rights Alliance for Fair Work", ""),
        ]
    surnames = ("Marwood", "Marwod", "Marston", "Ruiz", "Ruis", "Okafor", "Okonkwo", "Bianchi")
    for surname in surnames:
        pool.append(("Person", surname, ""))
        for given in ("Ilse", "Jan", "Ana", "I."):
            pool.append(("Person", f"{given} {surname}", ""))
    return pool


POOL = _pool()


def _doc(doc_id: str, rng: random.Random) -> Extraction:
    """A document naming a few of :data:`POOL`, reporting the arrest of some of them."""
    text, mentions = "", []
    for etype, name, key in rng.sample(POOL, rng.randint(0, 7)):
        start = len(text)
        text += name + ". "
        end = start + len(name)
        mentions.append(Mention(doc_id, Span(start, end, name), start, end, etype, name, key))
    incidents = []
    for m in mentions:
        if m.type != "Place" and rng.random() < 0.3:
            year = rng.choice([None, 2019, 2020])
            when = (
                DateValue(str(year), date(year, 1, 1), date(year, 12, 31), "year") if year else None
            )
            incidents.append(Incident(doc_id, "Arrest", m.span, m.span, targets=(m,), date=when))
    document = Document(doc_id, doc_id, "txt", doc_id, text, text, OffsetMap.identity(len(text)))
    return Extraction(document, tuple(mentions), incidents=tuple(incidents))


def _same(a: Detailed, b: Detailed) -> None:
    # Looked up mention by mention first (a rebuild's are read per document), then whole.
    for k, eid in b.resolution.entity_of.items():
        assert a.resolution.entity_of[k] == eid
        assert a.mention_reasons.get(k) == b.mention_reasons.get(k)
    assert ("nowhere.txt", 0, 1) not in a.resolution.entity_of
    assert a.resolution == b.resolution
    assert a.mention_reasons == b.mention_reasons
    assert a.aligned == b.aligned


@pytest.mark.parametrize("seed", range(6))
def test_resolving_again_from_the_pieces_equals_resolving_in_full(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    ref = load_reference()
    docs = {f"d{i:03d}.txt": _doc(f"d{i:03d}.txt", rng) for i in range(60)}
    keys = {d: f"{d}@first" for d in docs}

    def now() -> list[Extraction]:
        return [docs[d] for d in sorted(docs)]

    detailed, kept = resolved.resolve_kept(now(), ref, keys, None)
    _same(detailed, resolve_detailed(now(), ref))
    # From here on, only the pieces a change touches may be resolved, however many.
    monkeypatch.setattr(resolved, "resolve_parts", _not_in_full)
    monkeypatch.setattr(resolved, "_AGAIN_UP_TO", 1.0)
    monkeypatch.setattr(resolved, "_PICKED_UP_TO", 1.0)
    for step in range(12):
        for _ in range(rng.randint(1, 3)):
            edit = rng.choice(["change", "add", "remove"])
            if edit == "remove":
                del docs[rng.choice(sorted(docs))]
                continue
            doc_id = rng.choice(sorted(docs)) if edit == "change" else f"n{step}-{rng.random()}"
            docs[doc_id] = _doc(doc_id, rng)
            keys[doc_id] = f"{doc_id}@{step}"
        detailed, kept = resolved.resolve_kept(now(), ref, keys, kept)
        _same(detailed, resolve_detailed(now(), ref))
        assert kept is not None and len(kept.docs) == len(docs)


def test_a_surname_block_whose_people_all_went_takes_its_near_misses_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = load_reference()
    rng = random.Random(3)
    docs = [_doc(f"d{i:02d}.txt", rng) for i in range(30)]
    near = _named("b.txt", "Ilse Quennell", "Jan Quennell")  # a near miss, the block's only one
    keys = {x.document.doc_id: "0" for x in [*docs, near]}
    detailed, kept = resolved.resolve_kept(sorted([*docs, near], key=_id), ref, keys, None)
    assert detailed.resolution.candidates
    monkeypatch.setattr(resolved, "resolve_parts", _not_in_full)
    detailed, kept = resolved.resolve_kept(docs, ref, keys, kept)
    _same(detailed, resolve_detailed(docs, ref))
    assert kept is not None and "que" not in kept.blocks


def _named(doc_id: str, *people: str) -> Extraction:
    text = ". ".join(people)
    mentions, start = [], 0
    for name in people:
        end = start + len(name)
        mentions.append(Mention(doc_id, Span(start, end, name), start, end, "Person", name))
        start = end + 2
    document = Document(doc_id, doc_id, "txt", doc_id, text, text, OffsetMap.identity(len(text)))
    return Extraction(document, tuple(mentions))


def _id(x: Extraction) -> str:
    return x.document.doc_id


def _not_in_full(*args: object, **kwargs: object) -> None:
    raise AssertionError("resolved in full")


def test_many_changes_or_no_pieces_resolve_in_full() -> None:
    rng = random.Random(7)
    ref = load_reference()
    docs = [_doc(f"d{i:02d}.txt", rng) for i in range(20)]
    keys = {x.document.doc_id: "0" for x in docs}
    _, kept = resolved.resolve_kept(docs, ref, keys, None)
    assert kept is not None
    changed = {doc_id: "1" for doc_id in list(keys)[:5]}  # a quarter of the documents
    assert resolved._again(docs, ref, keys | changed, kept) is None
    assert resolved._again(docs, ref, keys, kept) is not None  # nothing changed
    # A changed document whose mentions come out of order, or are another's: sorted in full.
    x = next(x for x in docs if len(x.mentions) > 1)
    for odd in (tuple(reversed(x.mentions)), (dataclasses.replace(x.mentions[0], doc_id="z"),)):
        edited = [dataclasses.replace(y, mentions=odd) if y is x else y for y in docs]
        assert resolved._again(edited, ref, keys | {x.document.doc_id: "2"}, kept) is None


def _corpus(sources: Path) -> None:
    """24 short reports of arrests naming a few people, a union, a city and the ITUC."""
    sources.mkdir()
    people = ["Ilse Marwood", "Jan Marwood", "Ana Ruiz", "Piet Marston", "Dara Osei"]
    for i in range(24):
        who = people[i % len(people)]
        (sources / f"n{i:02d}.txt").write_text(
            f"Police arrested {who}, a leader of the Dock Workers Union, in Portmore on "
            f"{i % 28 + 1} March 2024. The ITUC condemned the arrest of {who.split()[-1]}.\n",
            encoding="utf-8",
        )


def _edit(sources: Path) -> None:
    (sources / "n03.txt").write_text(
        "Police detained Marwood and Tomas Ruis of the Net Menders Union on 2 April 2024.\n",
        encoding="utf-8",
    )
    (sources / "n07.txt").unlink()


@pytest.mark.parametrize("judged", [False, True])
def test_a_rebuild_resolves_only_what_changed_and_writes_what_a_fresh_build_does(
    judged: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    _corpus(sources)
    if judged:  # judgements resolve in full after the base: the base is begun from all the same
        who = {"who": "Ana", "when": "2024-05-01", "why": "checked"}
        entries = [
            {"not_same": ["Ilse Marwood", "Jan Marwood"], **who},
            {"same": ["Piet Marston", "Dara Osei"], **who},
        ]
        (sources / "judgements.yaml").write_text(yaml.safe_dump(entries), "utf-8")
    out = tmp_path / "out"
    quiet_build(sources, out)
    cache = Cache(out.with_name("out.cache"), False, Limits())
    assert isinstance(cache.get(resolved.ENTRY, RESOLUTION_KIND), resolved.Kept)
    _edit(sources)
    begun: list[bool] = []  # whether the pieces were begun from, each time
    again = resolved._again

    def spy(*args: object) -> object:
        made = again(*args)  # type: ignore[arg-type]
        begun.append(made is not None)
        return made

    monkeypatch.setattr(resolved, "_again", spy)
    # However much of this small corpus the change touches (all its documents name the ITUC).
    monkeypatch.setattr(resolved, "_AGAIN_UP_TO", 1.0)
    monkeypatch.setattr(resolved, "_PICKED_UP_TO", 1.0)
    quiet_build(sources, out)
    monkeypatch.undo()
    assert begun == [True]
    same_as_fresh(sources, out, tmp_path)


def test_pieces_of_another_version_or_unreadable_are_not_begun_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for i in range(3):
        (sources / f"n{i}.txt").write_text(f"Police arrested Ana Ruiz {i} times.\n", "utf-8")
    out = tmp_path / "out"
    quiet_build(sources, out)
    cache = Cache(out.with_name("out.cache"), False, Limits())
    kept = cache.get(resolved.ENTRY, RESOLUTION_KIND)
    docs, ref = [_doc("a.txt", random.Random(1))], load_reference()
    begun: list[bool] = []
    monkeypatch.setattr(resolved, "_again", lambda *args: begun.append(True))
    for stale in (dataclasses.replace(kept, version="another"), ["not", "pieces"], kept):
        cache.put(resolved.ENTRY, stale, RESOLUTION_KIND)
        resolver = resolved.Resolver(cache, {})
        resolver(docs, ref)
        assert resolver.kept is not None and resolver.kept.version == kept.version
    assert begun == [True]  # only the pieces of this version were begun from
