"""The read-only SPARQL endpoint over real HTTP: a real Oxigraph server behind the real proxy."""

from __future__ import annotations

import csv
import http.client
import io
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from labourgraph.query import select
from labourgraph.serve import Endpoint, free_port

INCIDENTS = (
    "PREFIX lg: <https://w3id.org/labourgraph/ontology#>\n"
    "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a lg:Incident }"
)
# Three-way cross product of every quad: far more work than any time limit allows.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
UPDATES = [
    "INSERT DATA { <http://example.org/s> <http://example.org/p> <http://example.org/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "PREFIX ex: <http://example.org/> CLEAR DEFAULT",
    "LOAD <http://example.org/data.ttl>",
]


@pytest.fixture(scope="module")
def endpoint(built: Path) -> Iterator[Endpoint]:
    with Endpoint(built, port=0, timeout=2, max_bytes=200_000) as ep:
        yield ep


def request(
    ep: Endpoint,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, bytes]:
    """One raw HTTP request (the path is sent exactly as given, no normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", ep.port, timeout=30)
    try:
        conn.request(method, path, body, headers or {})
        reply = conn.getresponse()
        return reply.status, reply.getheader("Content-Type", ""), reply.read()
    finally:
        conn.close()


def get(ep: Endpoint, query: str, accept: str = "application/sparql-results+json"):
    return request(ep, "GET", "/query?query=" + quote(query), headers={"Accept": accept})


def post_form(ep: Endpoint, form: dict[str, str], accept: str = "application/sparql-results+json"):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    return request(ep, "POST", "/query", urlencode(form).encode(), headers)


def incident_count(ep: Endpoint) -> int:
    status, _, body = get(ep, INCIDENTS)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_get_answers_json_with_the_same_count_as_the_cli(endpoint: Endpoint, built: Path) -> None:
    status, ctype, body = get(endpoint, INCIDENTS)
    assert status == 200
    assert ctype.startswith("application/sparql-results+json")
    local = select(built, INCIDENTS)[0]["n"]
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == local != "0"


def test_accept_csv_and_tsv(endpoint: Endpoint) -> None:
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?l WHERE { ?e skos:altLabel ?l FILTER(?l = 'KNPRK') }"
    )
    status, ctype, body = get(endpoint, query, accept="text/csv")
    assert status == 200 and ctype.startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode()))) == [["l"], ["KNPRK"]]
    status, ctype, body = get(endpoint, query, accept="text/tab-separated-values")
    assert status == 200 and ctype.startswith("text/tab-separated-values")
    assert body.decode().splitlines() == ["?l", '"KNPRK"']


def test_post_form_and_post_query_body(endpoint: Endpoint) -> None:
    status, ctype, body = post_form(endpoint, {"query": INCIDENTS}, accept="text/csv")
    assert status == 200 and ctype.startswith("text/csv")
    by_form = body.decode().split()[-1]
    headers = {"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    status, _, body = request(endpoint, "POST", "/query", INCIDENTS.encode(), headers)
    assert status == 200
    assert body.decode().split()[-1] == by_form == str(incident_count(endpoint))


def test_the_default_graph_is_the_union_as_in_the_cli(endpoint: Endpoint) -> None:
    # Facts live in named graphs; the endpoint, like `labourgraph query`, sees them all.
    assert incident_count(endpoint) > 10


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_every_way(endpoint: Endpoint, update: str) -> None:
    before = incident_count(endpoint)
    attempts = [
        post_form(endpoint, {"update": update}),
        post_form(endpoint, {"query": update}),
        get(endpoint, update),
        request(endpoint, "GET", "/query?update=" + quote(update)),
        request(
            endpoint,
            "POST",
            "/query",
            update.encode(),
            {"Content-Type": "application/sparql-update"},
        ),
        request(
            endpoint,
            "POST",
            "/update",
            update.encode(),
            {"Content-Type": "application/sparql-update"},
        ),
    ]
    for status, _, body in attempts:
        assert status == 403, body
        assert body == b"Forbidden: this endpoint is read-only\n"
    assert incident_count(endpoint) == before


def test_graph_store_writes_are_refused(endpoint: Endpoint) -> None:
    body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
    for method in ("PUT", "DELETE", "PATCH"):
        status, _, _ = request(endpoint, method, "/store?default", body)
        assert status == 405
    status, _, _ = request(
        endpoint, "POST", "/store?default", body, {"Content-Type": "text/turtle"}
    )
    assert status == 405


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://192.0.2.1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o .SERVICE<http://example.org/sparql>{ ?a ?b ?c } }",
        "SELECT * WHERE { BIND(<http://example.org/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ],
)
def test_service_to_another_host_is_refused(endpoint: Endpoint, query: str) -> None:
    for status, _, body in (get(endpoint, query), post_form(endpoint, {"query": query})):
        assert status == 403
        assert body.startswith(b"Forbidden: SERVICE is refused")


def test_a_second_query_in_the_url_cannot_slip_past(endpoint: Endpoint) -> None:
    service = quote("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    harmless = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    status, _, _ = request(
        endpoint,
        "POST",
        "/query?query=" + service,
        harmless.encode(),
        {"Content-Type": "application/sparql-query"},
    )
    assert status in (400, 403)
    status, _, _ = request(
        endpoint,
        "POST",
        "/query?query=" + service,
        urlencode({"query": harmless}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status in (400, 403)
    status, _, _ = request(endpoint, "GET", f"/query?query={quote(harmless)}&query={service}")
    assert status in (400, 403)
    status, _, _ = request(endpoint, "GET", f"/query?query={service}")
    assert status == 403


def test_service_as_a_word_in_data_is_fine(endpoint: Endpoint) -> None:
    status, _, _ = get(endpoint, "SELECT ?s WHERE { ?s ?p 'SERVICE' } # SERVICE <http://x>")
    assert status == 200


def test_a_query_past_the_time_limit_is_stopped(endpoint: Endpoint) -> None:
    status, _, body = get(endpoint, SLOW)
    assert status == 503
    assert body == b"Query timed out: queries are limited to 2 s\n"
    assert incident_count(endpoint) > 0  # and the server still answers


def test_an_answer_past_the_size_limit_is_refused(endpoint: Endpoint) -> None:
    status, _, body = get(endpoint, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 413
    assert body.startswith(b"Result too large: answers are limited to 200000 bytes")
    status, _, _ = get(endpoint, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10")
    assert status == 200


def test_a_syntax_error_is_a_400(endpoint: Endpoint) -> None:
    status, _, _ = get(endpoint, "SELECT ?x WHERE {")
    assert status == 400
    status, _, _ = request(endpoint, "GET", "/query")
    assert status == 400


def test_the_view_is_served_at_root_and_view(endpoint: Endpoint, built: Path) -> None:
    page = (built / "network.html").read_bytes()
    for path in ("/", "/view"):
        status, ctype, body = request(endpoint, "GET", path)
        assert (status, ctype) == (200, "text/html; charset=utf-8")
        assert body == page


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/view/../../../../etc/passwd",
        "/view/../store",
        "/view/../graph.nq",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/view/%2e%2e/report.json",
        "/graph.nq",
        "/report.json",
        "/store",
        "/store?default",
        "/text/000-36061e117c780858-txt.txt",
        "//etc/passwd",
        "/query/../store",
    ],
)
def test_nothing_but_the_view_comes_off_disk(endpoint: Endpoint, built: Path, path: str) -> None:
    status, _, body = request(endpoint, "GET", path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body and b"<https://w3id.org" not in body and b'"quads"' not in body


def test_only_loopback_names_are_answered(endpoint: Endpoint) -> None:
    # A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
    for host in ("attacker.example", f"127.0.0.1.attacker.example:{endpoint.port}"):
        status, _, _ = request(endpoint, "GET", "/view", headers={"Host": host})
        assert status == 403, host
    for host in (f"localhost:{endpoint.port}", f"127.0.0.1:{endpoint.port}"):
        status, _, _ = request(endpoint, "GET", "/view", headers={"Host": host})
        assert status == 200


def test_an_oversized_request_is_refused(endpoint: Endpoint) -> None:
    body = b"query=" + b"x" * 1_000_001
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, reason = request(endpoint, "POST", "/query", body, headers)
    assert status == 413
    assert b"too large" in reason


def test_an_oversized_declared_length_is_refused_before_the_body_arrives(
    endpoint: Endpoint,
) -> None:
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=30) as sock:
        sock.sendall(
            b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 900000000\r\n\r\nSELECT"
        )
        reply = sock.makefile("rb").readline()
    assert reply.split()[1] == b"413"


# --- the command ----------------------------------------------------------------------------


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "labourgraph.cli", *args]


def oxigraph_processes(store: Path) -> list[int]:
    """Pids of Oxigraph servers reading ``store`` (read from /proc, nothing is signalled)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve-read-only" in argv and str(store).encode() in argv:
                found.append(int(entry.name))
    return found


def test_serve_command_answers_and_stops_cleanly_on_ctrl_c(built: Path) -> None:
    others = set(oxigraph_processes(built / "store"))  # the module's endpoint may be running
    proc = subprocess.Popen(
        cli("serve", "--port", "0", "--out", str(built)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {built} read-only: SPARQL at http://127.0.0.1:"), line
        port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/query?query=" + quote(INCIDENTS), headers={"Accept": "text/csv"})
        reply = conn.getresponse()
        assert reply.status == 200 and reply.read().decode().startswith("n")
        conn.close()
        assert set(oxigraph_processes(built / "store")) - others
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert set(oxigraph_processes(built / "store")) == others
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_serve_on_a_taken_port_is_one_line(built: Path) -> None:
    others = set(oxigraph_processes(built / "store"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            cli("serve", "--port", str(port), "--out", str(built)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: 127.0.0.1:{port}: cannot listen there (Address already in use); "
        "pick another with --port\n"
    )
    assert set(oxigraph_processes(built / "store")) == others


def test_serve_without_a_build_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        cli("serve", "--port", str(free_port()), "--out", str(tmp_path / "none")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {tmp_path / 'none'}: no build found; run `labourgraph build --out "
        f"{tmp_path / 'none'}` first\n"
    )


def test_serving_beyond_loopback_warns(built: Path) -> None:
    # Only the warning is checked: the server is stopped at once, and never bound beyond loopback
    # here (an unusable address fails to bind after the warning is printed).
    done = subprocess.run(
        cli("serve", "--host", "192.0.2.1", "--port", "0", "--out", str(built)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        "Warning: 192.0.2.1 is not loopback: anyone who reaches it can query"
    )
    assert done.stderr.splitlines()[1].startswith("Error: 192.0.2.1:0: cannot listen there")
