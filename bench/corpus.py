"""A seeded generator of synthetic trade-union-rights documents with their own gold facts.

    .venv/bin/python bench/corpus.py --docs N --seed S --out DIR

Writes ``DIR/sources/`` (.txt press releases and letters, .md pages, .html pages with navigation,
breadcrumbs and footers, .pdf letters, news-list pages with dated items; some with a
``.meta.yaml`` sidecar) and ``DIR/gold/`` (one facts YAML per document in the shared annotation
format, plus ``entities.yaml``, the corpus-wide registry). Actors come from a pool drawn once per
seed: invented unions, federations, companies and people (spelling variants, shared surnames)
in real countries of ``ontology/places.yaml``; incidents of all 13 types. The same seed gives
the same bytes, and document i does not depend on N (a corpus of 100 is the first 100 of 1,000).
"""

from __future__ import annotations

import argparse
import html
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml
from labourgraph.model import INCIDENT_TYPES

ROOT = Path(__file__).resolve().parents[1]
TYPES = list(INCIDENT_TYPES)
MONTHS = "January February March April May June July August September October November December"
MONTHS_L = MONTHS.split()
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Spelling variants of one name: transliterations a monitor meets for the same person.
GIVEN = [
    ("Aliaksandr", "Alexander", "Oleksandr"), ("Sergei", "Sergey"), ("Yuri", "Yury"),
    ("Mohammed", "Muhammad", "Mohamed"), ("Hassan", "Hasan"), ("Nikolai", "Nikolay"),
    ("Natalia", "Natalya"), ("Jose", "José"), ("Fatima", "Fatma"), ("Ahmed", "Ahmad"),
    ("Tatiana", "Tatyana"), ("Dmitri", "Dmitry"), ("Joseph", "Josef"), ("Elena", "Yelena"),
    ("Olga",), ("Maria",), ("Grace",), ("Ibrahim",), ("Amina",), ("Samuel",), ("Rosa",),
    ("Kwame",), ("Lucia",), ("Daniel",), ("Mariam", "Maryam"), ("Yusuf", "Youssef"),
]  # fmt: skip
# Few surnames for many people, so different people share them (as real monitors see).
SURNAMES = [
    ("Kovalenko", "Kovalenka"), ("Haddad",), ("Mensah",), ("Okafor",), ("Rahman", "Rahaman"),
    ("Silva",), ("Mendoza",), ("Karimov", "Kerimov"), ("Banda",), ("Moyo",),
    ("Hossain", "Hussain"), ("Tkachenko",), ("Ortiz",), ("Gomez", "Gómez"), ("Petrenko",),
    ("Asante",), ("Nazarov",), ("Chikwanha",), ("Suleiman", "Sulaiman"), ("Reyes",),
]  # fmt: skip
SECTORS = ["Port", "Textile", "Mining", "Health", "Education", "Transport", "Oil and Gas",
           "Metal", "Agricultural", "Hotel and Restaurant", "Railway", "Garment", "Bus"]  # fmt: skip
FIRMS = ["Nordwave", "Sunrise", "Golden Star", "Eastbridge", "Atlas", "Kestrel", "Meridian",
         "Bluehill", "Orion", "Silverline", "Redstone", "Greenfield"]  # fmt: skip
INDUSTRY = ["Shipping", "Textiles", "Mining", "Logistics", "Garments", "Energy", "Foods", "Motors"]
FIRM_SUFFIX = ["Ltd", "Company", "Group", "Corporation", "Holdings"]
TITLES = ["President", "General Secretary", "Vice-President", "Treasurer", "Chair"]
# Publishers: invented except the ITUC, which the extractor's gazetteer knows.
PUBLISHERS = [
    ("ituc", "UnionFederation", "International Trade Union Confederation", "ITUC"),
    ("gftu", "UnionFederation", "Global Federation of Transport Unions", "GFTU"),
    ("lrm", "CivilSocietyGroup", "Labour Rights Monitor", "LRM"),
    ("iscw", "CivilSocietyGroup", "International Solidarity Centre for Workers", "ISCW"),
    ("urw", "Media", "Union Rights Weekly", ""),
]
CONVENTIONS = [("ilo-c087", "ILO Convention No. 87", "freedom of association"),
               ("ilo-c098", "ILO Convention No. 98", "the right to organise and bargain collectively"),
               ("ilo-c135", "ILO Convention No. 135", "the protection of workers' representatives")]  # fmt: skip
CONVENTION_NAMES = {
    "ilo-c087": "Freedom of Association and Protection of the Right to Organise Convention, 1948 (No. 87)",
    "ilo-c098": "Right to Organise and Collective Bargaining Convention, 1949 (No. 98)",
    "ilo-c135": "Workers' Representatives Convention, 1971 (No. 135)",
}
# Background sentences: no trigger word of ontology/triggers.yaml and no name but the country's,
# so they add words without adding facts (tests/test_bench.py checks the trigger words).
FILLER = [
    "{C} has a workforce of about {n} million people, most of them in the informal economy.",
    "Wages in the {s} sector have fallen behind prices for several years.",
    "Union membership in {C} is estimated at {n} per cent of the workforce.",
    "Collective agreements cover only a small share of workers in the sector.",
    "Many workers are employed on short contracts that are renewed every few months.",
    "Safety at work remains poor, and labour inspectors are few.",
    "The labour code requires a union to have at least {n}0 members before it can operate.",
    "Workers in the {s} sector earn on average {n}0 dollars a month.",
    "Independent unions have grown in recent years despite the obstacles they face.",
    "Employers in the sector often prefer agency workers to permanent staff.",
    "The sector employs about {n},000 people across the country.",
    "Most of its members are women who work long shifts for low pay.",
    "Overtime is frequently unpaid, and social insurance is often missing.",
    "Most workplaces in the {s} sector have no elected workers' committee.",
    "Shifts of twelve hours are common, with one day off a week.",
    "A third of the workforce has no contract on paper at all, by union estimates.",
    "Housing near the main industrial zones is scarce and expensive.",
    "Migrant workers make up a growing share of the workforce in the {s} sector.",
    "The minimum wage was last raised {n} months ago and has not kept pace with rents.",
    "Social dialogue between unions, employers and the state has been weak for years.",
    "Young workers are the least likely to join a union, surveys show.",
    "Accidents at work are under-reported, according to union researchers.",
    "In {C}, union dues are usually collected by hand at the workplace.",
    "The economy of {C} depends heavily on exports from the {s} sector.",
    "Union officers often work full shifts and do their union work in the evenings.",
    "Training courses for shop floor representatives are run at weekends.",
    "A typical bargaining round in the sector lasts several months.",
    "Women hold few of the senior union posts, though most members are women.",
    "Workers in the {s} sector are often paid by the piece rather than by the hour.",
    "Several employers in the sector have moved production to rural districts.",
    "Health insurance covers only workers with permanent contracts.",
    "Inflation in {C} reached {n} per cent last year, cutting real wages.",
]


def slug(text: str) -> str:
    """Lowercase-hyphenated id from a name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("é", "e").replace("'", "")).strip("-")


def acronym(name: str) -> str:
    """Initials of the name's capitalised words ("Federation of Port Workers of Kenya" -> FPWK)."""
    return "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())


@dataclass(frozen=True)
class Entity:
    """A real-world thing of the synthetic world, with the surface forms a text may use."""

    id: str
    type: str
    name: str
    forms: tuple[str, ...] = ()  # spellings besides the name (people) or short forms
    acronym: str = ""
    country: str = ""


@dataclass
class Country:
    """A country of places.yaml with its cities and its generated actors."""

    place: Entity
    demonym: str
    cities: list[Entity]
    unions: list[Entity] = field(default_factory=list)
    people: list[Entity] = field(default_factory=list)  # union officers
    officials: list[Entity] = field(default_factory=list)  # ministers
    roles: dict[str, tuple[Entity, str]] = field(default_factory=dict)  # person -> union, title
    companies: list[Entity] = field(default_factory=list)
    bodies: dict[str, Entity] = field(default_factory=dict)


def load_countries() -> list[Country]:
    """Countries of ontology/places.yaml that read well in a sentence, with their cities."""
    places = yaml.safe_load((ROOT / "ontology" / "places.yaml").read_text(encoding="utf-8"))
    cities: dict[str, list[Entity]] = {}
    for p in places:
        if p["type"] == "city" and p.get("country") and " " not in p["name"].strip():
            try:  # the PDF writer's WinAnsi font covers cp1252 only
                p["name"].encode("cp1252")
            except UnicodeEncodeError:
                continue
            cities.setdefault(p["country"], []).append(Entity(p["id"], "Place", p["name"]))
    out = []
    for p in places:
        name = p["name"]
        # One-word names without "the" ("Kenya", not "Philippines" or "United Kingdom").
        if p["type"] != "country" or not p.get("demonyms") or " " in name or name.endswith("s"):
            continue
        if p["id"] in cities and len(cities[p["id"]]) >= 1 and name.isascii():
            out.append(Country(Entity(p["id"], "Place", name), p["demonyms"][0], cities[p["id"]]))
    return out


@dataclass
class World:
    """The synthetic world of one seed: countries with their actors, and publishers' staff."""

    countries: list[Country]
    staff: list[Entity]


def _person(rng: random.Random, used: set[str], country: str) -> Entity:
    """A new person: a name not used yet, with every spelling variant of it."""
    while True:
        given, family = rng.choice(GIVEN), rng.choice(SURNAMES)
        name = f"{given[0]} {family[0]}"
        if slug(name) not in used:
            used.add(slug(name))
            forms = tuple(f"{g} {f}" for g in given for f in family if f"{g} {f}" != name)
            return Entity(slug(name), "Person", name, forms, country=country)


def make_pool(seed: int) -> World:
    """The actors of the synthetic world for ``seed``: 40 countries, each with its own actors."""
    rng = random.Random(f"pool-{seed}")
    countries = rng.sample(load_countries(), 40)
    used: set[str] = set()
    staff = [_person(rng, used, "") for _ in range(8)]
    for c in countries:
        cname, cid = c.place.name, c.place.id
        sectors = rng.sample(SECTORS, 4)
        names = [
            (f"Confederation of Free Trade Unions of {cname}", "UnionFederation"),
            (f"Federation of {sectors[0]} Workers of {cname}", "UnionFederation"),
            (f"{c.demonym} Union of {sectors[1]} Workers", "TradeUnion"),
            (f"Independent Union of {sectors[2]} Workers", "TradeUnion"),
        ]
        for name, kind in names:
            c.unions.append(Entity(slug(f"{cid} {acronym(name)}"), kind, name, (), acronym(name)))
        while len(c.companies) < 3:
            name = f"{rng.choice(FIRMS)} {rng.choice(INDUSTRY)} {rng.choice(FIRM_SUFFIX)}"
            if slug(name) not in used:
                used.add(slug(name))
                c.companies.append(Entity(slug(name), "Company", name))
        c.people = [_person(rng, used, cid) for _ in range(8)]
        c.officials = [_person(rng, used, cid) for _ in range(2)]
        for i, person in enumerate(c.people):
            c.roles[person.id] = (c.unions[i % len(c.unions)], rng.choice(TITLES))
        c.bodies = {
            "government": Entity(f"{cid}-government", "GovernmentBody", f"Government of {cname}"),
            "police": Entity(f"{cid}-police", "GovernmentBody", f"Police of {cname}"),
            "labour": Entity(
                f"{cid}-ministry-of-labour", "GovernmentBody", f"Ministry of Labour of {cname}"
            ),
            "justice": Entity(
                f"{cid}-ministry-of-justice", "GovernmentBody", f"Ministry of Justice of {cname}"
            ),
            "security": Entity(
                f"{cid}-security-service", "GovernmentBody", f"State Security Service of {cname}"
            ),
            "court": Entity(
                slug(f"{c.cities[0].name} City Court"),
                "GovernmentBody",
                f"{c.cities[0].name} City Court",
            ),
        }
    return World(countries, staff)


class Facts:
    """What one document says, collected while its text is written: mentions, relations, events."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.entities: dict[str, Entity] = {}
        self.mentions: dict[str, list[str]] = {}
        self.spelling: dict[str, str] = {}  # a person keeps one spelling within a document
        self.relations: list[list] = []
        self.events: list[dict] = []

    def say(self, e: Entity, surface: str | None = None) -> str:
        """Surface form of ``e`` as written here (a full name first, then its acronym)."""
        if surface is None:
            if e.type == "Person":
                surface = self.spelling.setdefault(e.id, self.rng.choice((e.name, *e.forms)))
            elif e.acronym and e.id in self.mentions:
                surface = e.acronym
            elif e.acronym:
                self.note(e, e.name)
                self.note(e, e.acronym)
                return f"the {e.name} ({e.acronym})"
            else:
                surface = e.name
        self.note(e, surface)
        if e.acronym and surface == e.acronym:
            return surface
        return surface if e.type in ("Person", "Place", "Company") else f"the {surface}"

    def note(self, e: Entity, surface: str) -> None:
        """Record that ``surface`` names ``e`` in this document."""
        self.entities[e.id] = e
        seen = self.mentions.setdefault(e.id, [])
        if surface not in seen:
            seen.append(surface)

    def holder(self, person: Entity, org: Entity, title: str) -> str:
        """ "Name, Title of the Org" with the position it states."""
        self.relations.append([person.id, "position", org.id, title])
        return f"{self.say(person)}, {title} of {self.say(org)},"

    def event(self, kind: str, sentence: str, when: str | None, **roles) -> str:
        """Record an event told by ``sentence`` (its quote, without the full stop)."""
        ev = {"type": kind}
        if when:
            ev["date"] = when
        ev["place"] = roles.get("place")
        ev["agents"] = [e.id for e in roles.get("agents", [])]
        ev["targets"] = [e.id for e in roles.get("targets", [])]
        ev["conventions"] = list(roles.get("conventions", []))
        sentence = sentence[:1].upper() + sentence[1:]  # "the police ..." starts a sentence
        ev["quote"] = sentence.rstrip(".")
        self.events.append(ev)
        return sentence


def when(rng: random.Random, anchor: date) -> tuple[str, str | None]:
    """A date phrase before ``anchor`` and what a careful reader makes of it."""
    kind = rng.choice(["day", "day", "dayyear", "weekday", "month", "year", "none"])
    if kind == "weekday":
        d = anchor - timedelta(days=rng.randint(1, 6))
        return f"on {WEEKDAYS[d.weekday()]}", d.isoformat()
    if kind == "day" and anchor.timetuple().tm_yday > 20:  # "on 3 May" reads as this year
        d = anchor - timedelta(days=rng.randint(1, min(60, anchor.timetuple().tm_yday - 1)))
        return f"on {d.day} {MONTHS_L[d.month - 1]}", d.isoformat()
    d = anchor - timedelta(days=rng.randint(30, 700))
    if kind in ("day", "dayyear"):
        return f"on {d.day} {MONTHS_L[d.month - 1]} {d.year}", d.isoformat()
    if kind == "month":
        return f"in {MONTHS_L[d.month - 1]} {d.year}", f"{d.year}-{d.month:02d}"
    if kind == "year" and d.year < anchor.year:
        return f"in {d.year}", str(d.year)
    return "", None


def incident(kind: str, f: Facts, c: Country, anchor: date) -> str:
    """One sentence reporting an incident of ``kind`` in ``c``, recorded in ``f``.

    Of two phrasings only the one chosen is written (f-strings in a conditional expression),
    so only its names count as mentions.
    """
    r = f.rng
    phrase, day = when(r, anchor)
    at = " " + phrase if phrase else ""
    city = r.choice(c.cities)
    person, other = r.sample(c.people, 2)
    union, title = c.roles[person.id]
    company, b = r.choice(c.companies), c.bodies
    alt = r.random() < 0.5
    if kind == "Killing":
        who = f.holder(person, union, title)
        s = (f"{who} was shot dead by unidentified gunmen in {f.say(city)}{at}." if alt
             else f"{who} was murdered in {f.say(city)}{at}.")  # fmt: skip
        return f.event(kind, s, day, targets=[person], place=city.id)
    if kind == "Arrest":
        agent = b["police"] if alt else b["security"]
        two = c.roles[other.id][0] == union and r.random() < 0.5  # two officers of one union
        p1 = f.holder(person, union, title) if r.random() < 0.4 else f.say(person)
        both = f"{p1.rstrip(',')} and {f.say(other)}" if two else p1.rstrip(",")
        targets = [person, other] if two else [person]
        if alt:
            s = f"{f.say(agent, 'police')} arrested {both} in {f.say(city)}{at}."
        else:
            s = f"{both} {'were' if two else 'was'} detained by officers of {f.say(agent)}{at}."
        return f.event(
            kind, s, day, agents=[agent], targets=targets, place=city.id if alt else None
        )
    if kind == "Prosecution":
        court, years = b["court"], r.choice(["two", "three", "five"])
        if alt:
            s = f"{f.say(court)} sentenced {f.say(person)} to {years} years in prison{at}"
            s += " for organising an unauthorised assembly."
            return f.event(kind, s, day, agents=[court], targets=[person])
        s = f"{f.say(court)} fined {f.say(union)}{at} for holding a meeting without permission."
        f.event(kind, s, day, agents=[court], targets=[union])
        # The meeting itself is a happening the text tells, undated.
        f.event("Meeting", "holding a meeting without permission", None, agents=[union])
        return s
    if kind == "Harassment":
        if alt:
            s = f"Officers of {f.say(b['security'])} interrogated {f.say(person)} for six hours{at}."
            return f.event(kind, s, day, agents=[b["security"]], targets=[person])
        s = f"Managers of {f.say(company)} threatened members of {f.say(union)}{at}."
        return f.event(kind, s, day, agents=[company], targets=[union])
    if kind == "Deregistration":
        agent = b["justice"] if alt else b["court"]
        s = (f"{f.say(agent)} deregistered {f.say(union)}{at}." if alt
             else f"{f.say(agent)} ordered the liquidation of {f.say(union)}{at}.")  # fmt: skip
        return f.event(kind, s, day, agents=[agent], targets=[union])
    if kind == "Dismissal":
        if alt:
            s = f"{f.say(company)} dismissed {f.say(person)}{at}, days after being elected to lead the workers' committee."
            return f.event(kind, s, day, agents=[company], targets=[person])
        s = f"Forty members of {f.say(union)} were fired by {f.say(company)}{at}."
        return f.event(kind, s, day, agents=[company], targets=[union])
    if kind == "Strike":
        s = (f"Members of {f.say(union)} went on strike at {f.say(company)} in {f.say(city)}{at}." if alt
             else f"Workers organised by {f.say(union)} walked out at {f.say(company)}{at}.")  # fmt: skip
        return f.event(
            kind, s, day, agents=[union], targets=[company], place=city.id if alt else None
        )
    if kind == "HungerStrike":
        s = f"{f.say(person)} began a hunger strike{at}, refusing food until {f.say(company)} reinstates the union's officers."
        return f.event(kind, s, day, agents=[person], targets=[company])
    if kind == "Protest":
        if alt:
            ministry = f.say(b["labour"], "Ministry of Labour")
            s = f"{f.say(union)} organised a demonstration outside {ministry} in {f.say(city)}{at}."
            return f.event(kind, s, day, agents=[union], targets=[b["labour"]], place=city.id)
        s = f"Hundreds of workers rallied in {f.say(city)}{at} at the invitation of {f.say(union)}."
        return f.event(kind, s, day, agents=[union], place=city.id)
    if kind == "Statement":
        cid, cname, about = r.choice(CONVENTIONS)
        s = f"{f.say(union)} urged {f.say(b['government'], 'government')} to respect {cname} on {about}."
        f.note(Entity(cid, "ILOConvention", CONVENTION_NAMES[cid]), cname)
        return f.event(kind, s, None, agents=[union], targets=[b["government"]], conventions=[cid])
    if kind == "Meeting":
        minister = r.choice(c.officials)
        f.relations.append([minister.id, "position", b["labour"].id, "Minister of Labour"])
        s = f"Leaders of {f.say(union)} met {f.say(minister)}, the Minister of Labour, in {f.say(city)}{at}."
        f.note(b["labour"], "Minister of Labour")
        return f.event(kind, s, day, agents=[union], targets=[minister, b["labour"]], place=city.id)
    if kind == "Release":
        if alt:
            s = f"{f.say(b['government'], 'authorities')} released {f.say(person)}{at} after weeks in detention."
            return f.event(kind, s, day, agents=[b["government"]], targets=[person])
        s = f"{f.say(b['court'])} acquitted {f.say(person)}{at}."
        return f.event(kind, s, day, agents=[b["court"]], targets=[person])
    s = f"{f.say(company)} apologised to {f.say(person)}{at} and promised to respect the union's rights."
    return f.event("Apology", s, day, agents=[company], targets=[person])


def filler(rng: random.Random, f: Facts, c: Country, words: int) -> list[str]:
    """Background paragraphs of about ``words`` words that add no facts."""
    paras, count = [], 0
    order = rng.sample(FILLER, len(FILLER))
    while count < words and len(order) >= 3:  # each background sentence once a document
        sents = []
        for t in (order.pop(), order.pop(), order.pop()):
            s = t.format(C=c.place.name, s=rng.choice(SECTORS).lower(), n=rng.randint(2, 40))
            if c.place.name in s:
                f.note(c.place, c.place.name)
            sents.append(s)
        paras.append(" ".join(sents))
        count += sum(len(s.split()) for s in sents)
    return paras


def pretty(d: date, comma: bool = False) -> str:
    """ "24 March 2017" (or the news lists' "24 March, 2017")."""
    return f"{d.day} {MONTHS_L[d.month - 1]}{',' if comma else ''} {d.year}"


@dataclass
class Draft:
    """A document before it is laid out: its title, dateline, paragraphs and facts."""

    title: str
    published: date | None
    paragraphs: list[str]
    facts: Facts
    publisher: Entity | None
    kind: str  # "press", "letter" or "list"
    items: list[tuple[str, str, list[str]]] = field(default_factory=list)  # news-list items
    letter: dict = field(default_factory=dict)


def press(rng: random.Random, world: World, types: list[str]) -> Draft:
    """A press release or news article: dateline, incidents, background."""
    f = Facts(rng)
    c = rng.choice(world.countries)
    pub = Entity(*rng.choice(PUBLISHERS[:4]))
    day = date(2012, 1, 1) + timedelta(days=rng.randint(0, 4700))
    city = c.cities[0]
    sents = [incident(k, f, c, day) for k in types]
    lead = f"{f.say(city)}, {pretty(day)} - {sents[0]}"
    body = [lead, " ".join(sents[1:3])] if len(sents) > 1 else [lead]
    body += filler(rng, f, c, rng.randint(200, 500))
    body.insert(2, " ".join(sents[3:]))
    body.append(
        f"{f.say(pub)[:1].upper()}{f.say(pub)[1:]} follows the situation in {f.say(c.place)} closely."
    )
    topic = rng.choice(["unions under attack", "workers face reprisals", "a hard year for unions"])
    title = f"{f.say(c.place)}: {topic}"  # the headline is text in .txt, .md and .html
    return Draft(title, day, [p for p in body if p], f, pub, "press")


def letter(rng: random.Random, world: World, types: list[str]) -> Draft:
    """A letter from a federation to a minister: letterhead, addressee, Dear, signature."""
    f = Facts(rng)
    c = rng.choice(world.countries)
    pub = Entity(*rng.choice(PUBLISHERS[:4]))
    day = date(2012, 1, 1) + timedelta(days=rng.randint(0, 4700))
    minister, signer = (
        rng.choice(c.officials),
        world.staff[
            PUBLISHERS.index(next(p for p in PUBLISHERS if p[0] == pub.id)) * 2 + rng.randint(0, 1)
        ],
    )
    labour, city = c.bodies["labour"], c.cities[0]
    f.note(pub, pub.name.upper())
    head = [pub.name.upper(), "Secretariat, PO Box 1180", ""]
    f.note(labour, "Minister of Labour")  # the office the addressee holds, as in the devset
    head += [f"H.E. {f.say(minister)}", "Minister of Labour", f.say(c.place), ""]
    f.relations.append([minister.id, "position", labour.id, "Minister of Labour"])
    head += [f"{f.say(city)}, {pretty(day)}", "", "Dear Minister,"]
    opening = f"We write to you about the treatment of trade unionists in {f.say(c.place)}"
    f.event("Statement", opening, day.isoformat(), agents=[pub, signer],
            targets=[minister, labour])  # fmt: skip
    sents = [incident(k, f, c, day) for k in types]
    body = [opening + ", and to ask for your help.", *sents[:2], " ".join(sents[2:])]
    body += filler(rng, f, c, rng.randint(150, 400))
    f.relations.append([signer.id, "position", pub.id, "General Secretary"])
    tail = ["Yours sincerely,", "", f.say(signer), "General Secretary", f.say(pub, pub.name)]
    return Draft(f"Letter to the Minister of Labour of {c.place.name}", day, body, f, pub,
                 "letter", letter={"head": head, "tail": tail})  # fmt: skip


def news_list(rng: random.Random, world: World, types: list[str]) -> Draft:
    """A news-list page: dated item headers, each with a headline and a teaser."""
    f = Facts(rng)
    pub = Entity(*PUBLISHERS[4])
    f.note(pub, pub.name)
    day = date(2012, 1, 1) + timedelta(days=rng.randint(0, 4700))
    items = []
    for k in types:
        c = rng.choice(world.countries)
        sent = incident(k, f, c, day)
        head = f"{pretty(day, comma=True)} / {c.place.id.replace('-', ' ')}"
        extra = filler(rng, f, c, rng.randint(40, 90))
        items.append((head, f"{f.say(c.place)}: news from the unions", [sent, *extra]))
        day -= timedelta(days=rng.randint(3, 40))
    return Draft("Union news", None, [], f, pub, "list", items=items)


def draft(index: int, seed: int, world: World) -> tuple[Draft, str]:
    """Document ``index`` of the corpus and its format (one of txt, md, html, pdf)."""
    rng = random.Random(f"doc-{seed}-{index}")
    # Consecutive documents rotate through the 13 types, so any 5 documents hold all of them.
    n = rng.randint(3, 5)
    types = [TYPES[(3 * index + k) % len(TYPES)] for k in range(n)]
    fmt = rng.choices(["txt", "md", "html", "pdf"], [3, 2, 3, 2])[0]
    if fmt == "pdf" or (fmt == "txt" and rng.random() < 0.3):
        return letter(rng, world, types), fmt
    if fmt in ("html", "md", "txt") and rng.random() < 0.25:
        return news_list(rng, world, types), fmt
    return press(rng, world, types), fmt


def as_text(d: Draft) -> str:
    """Plain text: masthead, headline and dateline; a letter laid out as written."""
    if d.kind == "letter":
        return "\n".join([*d.letter["head"], "", *"\n\n".join(d.paragraphs).split("\n"), "",
                          *d.letter["tail"]]) + "\n"  # fmt: skip
    if d.kind == "list":
        lines = [d.publisher.name, "Font size:", "A A A", ""]
        for head, title, paras in d.items:
            lines += [head, title, "", *[p + "\n" for p in paras]]
        return "\n".join(lines)
    d.facts.note(d.publisher, d.publisher.name.upper())
    top = [d.publisher.name.upper(), f"Press release {d.published.year}/{d.published.month:02d}",
           "", d.title, ""]  # fmt: skip
    return "\n".join([*top, "\n\n".join(d.paragraphs), "", "-- ends --", ""])


def as_markdown(d: Draft) -> str:
    """Markdown with a link-list menu (page chrome) above the article."""
    menu = "- [Home](/) [News](/news) [About](/about)\n\n"
    if d.kind == "list":
        out = [menu, f"# {d.publisher.name}\n\n"]
        for head, title, paras in d.items:
            out += [f"{head}\n\n## {title}\n\n", *[p + "\n\n" for p in paras]]
        return "".join(out)
    return menu + f"# {d.title}\n\n" + "\n\n".join(d.paragraphs) + "\n"


def as_html(d: Draft) -> str:
    """An HTML page: cookie banner, site header, nav, breadcrumbs, article, footer, scripts."""
    e = html.escape
    if d.kind == "list":
        body = "".join(
            f'<div class="item"><p class="date">{e(h)}</p><h2>{e(t)}</h2>'
            + "".join(f"<p>{e(p)}</p>\n" for p in ps)
            + "</div>\n"
            for h, t, ps in d.items
        )
        meta, h1 = "", f"<h1>{e(d.publisher.name)}</h1>\n"
    else:
        iso = d.published.isoformat()
        meta = f'<meta name="date" content="{iso}">\n'
        h1 = f'<h1>{e(d.title)}</h1>\n<p class="meta"><time datetime="{iso}">{pretty(d.published)}</time></p>\n'
        body = "".join(f"<p>{e(p)}</p>\n" for p in d.paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n{meta}'
        f"<title>{e(d.title)}</title>\n<script>window.dataLayer = [];</script>\n</head>\n<body>\n"
        '<div id="cookie-banner">This website uses cookies. <button>OK</button></div>\n'
        '<header><div class="brand">Union news network</div></header>\n'
        '<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/about">About</a></nav>\n'
        '<div class="breadcrumb">Home &gt; News &gt; Union rights</div>\n'
        f"<article>\n{h1}{body}</article>\n"
        '<footer><a href="/privacy">Privacy policy</a> <p>&copy; All rights reserved.</p></footer>\n'
        "</body>\n</html>\n"
    )


def pdf_bytes(lines: list[str], title: str, published: date | None) -> bytes:
    """A minimal valid PDF: Helvetica text, 50 lines a page, info dictionary, exact xref."""

    def esc(s: str) -> bytes:
        raw = s.encode("cp1252")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    pages = [lines[i : i + 50] for i in range(0, len(lines), 50)] or [[""]]
    n = len(pages)
    # Objects: 1 catalog, 2 pages, 3 font, 4 info, then a page and its content stream per page.
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(n))
        + b"] /Count %d >>" % n,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + esc(title) + b") /Producer (labourgraph bench/corpus.py)"
        + (b" /CreationDate (D:%s000000)" % published.strftime("%Y%m%d").encode() if published else b"")
        + b" >>",
    ]  # fmt: skip
    for i, page in enumerate(pages):
        text = b"BT /F1 10 Tf 13 TL 56 790 Td\n"
        text += b"".join(b"(" + esc(line) + b") Tj T*\n" for line in page) + b"ET"
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (6 + 2 * i)
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\n" % (len(objs) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def wrap(text: str, width: int = 95) -> list[str]:
    """Hard-wrap paragraphs at ``width`` characters, as text pulled from a PDF reads."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return out


def gold(d: Draft, name: str) -> dict:
    """The document's facts in the shared annotation format."""
    f = d.facts
    ents = []
    for eid, surfaces in f.mentions.items():
        e = f.entities[eid]
        ents.append({"id": eid, "type": e.type, "name": e.name, "mentions": surfaces})
    return {
        "document": name,
        "published": d.published.isoformat() if d.published else None,
        "publisher": d.publisher.id if d.publisher and d.publisher.id in f.mentions else None,
        "entities": ents,
        "relations": [list(r) for r in dict.fromkeys(tuple(r) for r in f.relations)],
        "events": f.events,
    }


def write_document(index: int, seed: int, world: World, out: Path) -> tuple[dict, int]:
    """Write document ``index`` and its gold file; returns the gold and the word count."""
    d, fmt = draft(index, seed, world)
    name = f"{index:05d}_{slug(d.title)[:40]}.{fmt}"
    src = out / "sources" / name
    if fmt == "pdf":
        text = as_text(d)
        src.write_bytes(pdf_bytes(wrap(text), d.title, d.published))
    else:
        text = {"txt": as_text, "md": as_markdown, "html": as_html}[fmt](d)
        src.write_text(text, encoding="utf-8")
    if index % 4 == 1 and d.published:  # some documents carry their metadata in a sidecar
        meta = {"title": d.title, "published": d.published.isoformat(),
                "url": f"https://example.org/news/{index}"}  # fmt: skip
        (out / "sources" / f"{name}.meta.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    facts = gold(d, name)
    (out / "gold" / f"{Path(name).stem}.yaml").write_text(
        yaml.safe_dump(
            facts, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None
        ),
        encoding="utf-8",
    )
    return facts, len(text.split())


def generate(docs: int, seed: int, out: Path) -> dict[str, int]:
    """Write a corpus of ``docs`` documents for ``seed`` into ``out``; returns counts."""
    (out / "sources").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    world = make_pool(seed)
    registry: dict[str, dict] = {}
    words = events = 0
    for i in range(docs):
        facts, n = write_document(i, seed, world, out)
        words += n
        events += len(facts["events"])
        for e in facts["entities"]:
            entry = registry.setdefault(e["id"], {**e, "aliases": []})
            entry["aliases"] = sorted({*entry["aliases"], *e["mentions"]})
    entities = [
        {k: v for k, v in e.items() if k != "mentions"} for _, e in sorted(registry.items())
    ]
    (out / "gold" / "entities.yaml").write_text(
        yaml.safe_dump(entities, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
    )
    return {"documents": docs, "words": words, "events": events, "entities": len(entities)}


def main() -> None:
    """Command line: ``--docs N --seed S --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    counts = generate(args.docs, args.seed, args.out)
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()), f"-> {args.out}")


if __name__ == "__main__":
    main()
