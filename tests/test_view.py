"""Unit tests of the HTML network view (no browser): determinism, escaping, offline output."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from labourgraph import view
from labourgraph.layout import build_graph, compute_layout
from labourgraph.view import Evidence, ViewData, ViewEdge, ViewNode

BASE = "https://example.org/lg/"
PAYLOAD = "</script><script>window.pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
RLO = "\u202e"


def _ev(quote: str, doc: int, url: str | None = None) -> Evidence:
    return Evidence(
        quote=quote,
        doc_id=f"doc{doc}",
        title=f"Report {doc} on union rights",
        publisher="ITUC" if doc % 2 else "ILO CFA",
        published=f"202{doc % 5}-0{1 + doc % 9}-15",
        url=url if url is not None else f"https://example.org/doc{doc}",
        start=10 * doc,
        end=10 * doc + len(quote),
    )


def synthetic_view() -> ViewData:
    """~30 nodes: actors of every kind, incidents 2019-2024, and one hostile payload node."""
    n = {}

    def add(key: str, label: str, kind: str, **kw) -> None:
        n[key] = ViewNode(
            id=BASE + key, label=label, kind=kind, incident_type=kw.pop("itype", ""), **kw
        )

    add(
        "knprk",
        "Confederation of Independent Trade Unions",
        "UnionFederation",
        aliases=("KNPRK", "Конфедерация"),
        country="Kazakhstan",
        weight=4,
        evidence=(
            replace(
                _ev("The KNPRK was suspended by court order.", 1),
                prefix="In\nJanuary, ",
                suffix=" It appealed.",
            ),
        ),
    )
    add(
        "union_oil",
        "Oil Workers' Union",
        "TradeUnion",
        country="Kazakhstan",
        weight=3,
        evidence=(_ev("The oil workers' union held a meeting.", 2),),
    )
    add("union_teach", "Teachers Union", "TradeUnion", country="Belarus", weight=2)
    add(
        "eleusinov",
        "Erlan Eleusïnov",
        "Person",
        aliases=("E. Eleusinov",),
        country="Kazakhstan",
        weight=3,
        evidence=(_ev("Union leader Erlan Eleusïnov was detained.", 3),),
    )
    add("leader2", "Nurbek Kushakbaev", "Person", country="Kazakhstan", weight=2)
    add("leader3", "Anna Kowalska", "Person", country="Belarus", weight=1)
    add("ministry", "Ministry of Justice", "GovernmentBody", country="Kazakhstan", weight=2)
    add("court", "Aktau City Court", "GovernmentBody", country="Kazakhstan", weight=2)
    add(
        "ilo",
        "International Labour Organization",
        "InternationalOrganization",
        aliases=("ILO",),
        weight=1,
    )
    add(
        "ituc",
        "International Trade Union Confederation",
        "InternationalOrganization",
        aliases=("ITUC",),
        weight=1,
    )
    add("company", "Tenge Oil LLP", "Company", country="Kazakhstan", weight=1)
    add("ngo", "Human Rights Watch", "CivilSocietyGroup", aliases=("HRW",), weight=1)
    add("media", "Radio Azattyq", "Media", country="Kazakhstan")
    add("c87", "C087 Freedom of Association", "ILOConvention", aliases=("C87",))
    add("c98", "C098 Right to Organise", "ILOConvention", aliases=("C98",))
    add("law", "Law on Trade Unions 2014", "Legislation", country="Kazakhstan")
    add("aktau", "Aktau", "Place", country="Kazakhstan")
    add("zhanaozen", "Zhanaozen", "Place", country="Kazakhstan")
    add(
        "bad",
        PAYLOAD + IMG + RLO + "evil",
        "Person",
        aliases=("javascript:alert(1)",),
        country="Kazakhstan",
        evidence=(
            _ev(
                PAYLOAD + " quote " + IMG + " reversed " + RLO + "txet",
                9,
                url="javascript:alert(1)",
            ),
            Evidence(
                quote="second " + PAYLOAD,
                doc_id=PAYLOAD,
                title=PAYLOAD + IMG,
                publisher=IMG,
                published="2020",
                url="javascript:alert(1)",
                start=0,
                end=5,
            ),
        ),
    )
    incidents = [
        line.split("|")
        for line in """
i_dereg|Deregistration of KNPRK|Deregistration|2017-01-04|2017-01-04|day|knprk|court
i_arrest|Arrest of Eleusïnov|Arrest|2019-03-01|2019-03-31|month|eleusinov|ministry
i_pros|Prosecution of Kushakbaev|Prosecution|2019-06-10|2019-06-10|day|leader2|court
i_strike|Oil workers' strike|Strike|2021-01-01|2021-12-31|year|union_oil|company
i_hunger|Hunger strike in Zhanaozen|HungerStrike|2021-05-02|2021-05-20|day|union_oil|company
i_dismiss|Dismissal of 50 oil workers|Dismissal|2022-02-14|2022-02-14|day|union_oil|company
i_kill|Killing of a union activist|Killing|2022-09-09|2022-09-09|day|union_teach|leader3
i_state|ITUC statement|Statement|2023-03-08|2023-03-08|day|ituc|knprk
i_release|Release of Eleusïnov|Release|2024-01-15|2024-01-15|day|eleusinov|ministry
i_meet|ILO mission meeting|Meeting|2024-05-01|2024-05-31|month|ilo|ministry
""".strip().splitlines()
    ]
    edges = []
    for key, label, itype, d0, d1, prec, target, agent in incidents:
        add(
            key,
            label,
            "Incident",
            itype=itype,
            date_earliest=d0,
            date_latest=d1,
            date_text={"day": d0, "month": d0[:7], "year": d0[:4]}[prec],
            precision=prec,
            place="Aktau",
            conventions=("C087",),
            weight=2,
            reports=("doc1", "doc2"),
            country="Kazakhstan" if target != "union_teach" else "Belarus",
            evidence=(_ev(f"Quote about {label.lower()}.", 1), _ev(f"{label} confirmed.", 2)),
        )
        edges += [
            ViewEdge(BASE + agent, BASE + key, "agent", "agent"),
            ViewEdge(BASE + key, BASE + target, "target", "target"),
            ViewEdge(BASE + key, BASE + "aktau", "place", "place"),
            ViewEdge(BASE + key, BASE + "c87", "convention", "convention"),
        ]
    edges += [
        ViewEdge(BASE + "union_oil", BASE + "knprk", "member of", "affiliated_to"),
        ViewEdge(BASE + "eleusinov", BASE + "union_oil", "chair", "position"),
        ViewEdge(BASE + "bad", BASE + "union_oil", PAYLOAD, "position"),
        ViewEdge(BASE + "aktau", BASE + "zhanaozen", "near", "part_of"),
        ViewEdge(BASE + "knprk", BASE + "missing", "dangling", "part_of"),
    ]
    return ViewData(title="Union rights " + PAYLOAD, nodes=tuple(n.values()), edges=tuple(edges))


def embedded(html: str) -> dict:
    return view.unpack(html)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("view") / "view.html"
    view.render(synthetic_view(), out)
    return out.read_text(encoding="utf-8")


def test_render_is_deterministic(tmp_path: Path) -> None:
    data = synthetic_view()
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    view.render(data, a)
    shuffled = ViewData(data.title, tuple(reversed(data.nodes)), tuple(reversed(data.edges)))
    view.render(shuffled, b)
    assert a.read_bytes() == b.read_bytes()
    assert not [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_layout_is_deterministic_and_seeded() -> None:
    ids = [f"n{i}" for i in range(40)]
    edges = [(f"n{i}", f"n{(i * 7) % 40}") for i in range(40)]
    first = compute_layout(build_graph(ids, edges), seed=7)
    assert first == compute_layout(build_graph(reversed(ids), reversed(edges)), seed=7)
    assert first != compute_layout(build_graph(ids, edges), seed=8)
    assert all(round(x, 1) == x and round(y, 1) == y for x, y in first.values())


def test_payload_only_escaped(page: str) -> None:
    assert PAYLOAD not in page
    assert IMG not in page
    assert "<script>window" not in page
    assert RLO not in page
    # exactly three script elements (data, vis-network, ours); vis' JS has a "<script>" literal
    assert len(re.findall(r"^<script\b", page, re.M)) == 3
    assert page.count("</script>") == 3
    assert "&lt;/script&gt;&lt;script&gt;window.pwned=1" in page  # <title>/<h1> text
    # the data block is base64: nothing in it can close the element or start markup
    block = re.search(r'id="lg-data">([^<]*)</script>', page).group(1)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", block)


def test_no_external_resources(page: str) -> None:
    refs = re.findall(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert refs == []
    assert "@import" not in page and "url(http" not in page
    assert "cdn" not in page.lower().split('id="lg-data"')[0]
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_embedded_data(page: str) -> None:
    data = embedded(page)
    ids = [data["base"] + n[0] for n in data["nodes"]]
    assert data["base"] == BASE
    assert len(ids) == len({n.id for n in synthetic_view().nodes})
    assert ids == sorted(ids)
    assert len(data["details"]) == len(ids)
    assert all(max(e[0], e[1]) < len(ids) for e in data["edges"])  # dangling edge dropped
    assert len(data["edges"]) == len(synthetic_view().edges) - 1
    bad = data["nodes"][ids.index(BASE + "bad")]
    assert RLO not in bad[1] and PAYLOAD in bad[1]  # data intact, only packed
    assert "javascript:alert(1)" in bad[7]
    assert data["options"]["edges"]["smooth"] is False
    assert data["options"]["physics"]["enabled"] is True  # small graph
    # transliterations the page cannot fold itself are shipped; plain folds are not
    assert data["nodes"][ids.index(BASE + "knprk")][8] == ["konfederatsiya"]


def test_vis_data_matches_payload() -> None:
    nodes, edges, options = view.vis_data(synthetic_view())
    assert [n["id"] for n in nodes] == sorted({n.id for n in synthetic_view().nodes})
    knprk = next(n for n in nodes if n["id"] == BASE + "knprk")
    assert knprk["shape"] == "square" and knprk["size"] == view.node_size(4) == 19.0
    assert knprk["label"] == "Confederation of Independent Trade Unions"
    long = next(n for n in nodes if n["id"] == BASE + "bad")["label"]
    assert len(long) == view.LABEL_MAX and long.endswith("…")
    assert {e["label"] for e in edges} >= {"agent", "member of", "near"}
    assert options["physics"]["enabled"] is True


def test_physics_threshold(tmp_path: Path) -> None:
    nodes = tuple(
        ViewNode(id=f"n{i:04d}", label=f"N{i}", kind="Person", incident_type="")
        for i in range(view.PHYSICS_MAX_NODES + 1)
    )
    view.render(ViewData("big", nodes, ()), tmp_path / "big.html")
    data = embedded((tmp_path / "big.html").read_text(encoding="utf-8"))
    assert data["options"]["physics"]["enabled"] is False
    view.render(ViewData("big", nodes[:5], ()), tmp_path / "s.html", physics=False)
    assert embedded((tmp_path / "s.html").read_text())["options"]["physics"]["enabled"] is False


def test_helpers() -> None:
    assert view.fold("Eleusïnov") == "eleusinov"
    assert view.fold("  Trade\n  Union ") == "trade union"
    assert view.short_label("a  b") == "a b"
    assert "lodz" in view.search_key("Łódź", ()).split("\n")
    assert view.clean("a\u202eb\u2066c\x00d") == "abcd"
    assert view.json_for_script({"a": "</script>&\u2028"}) == (
        '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}'
    )


def test_empty_graph(tmp_path: Path) -> None:
    view.render(ViewData("empty", (), ()), tmp_path / "e.html")
    assert embedded((tmp_path / "e.html").read_text(encoding="utf-8"))["nodes"] == []


def test_vis_network_inlined_without_source_map(page: str) -> None:
    assert "sourceMappingURL" not in page
    assert view.vis_network_js() in page
