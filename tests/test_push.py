"""Push a build to a real Oxigraph Graph Store server on a loopback port, twice."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from labourgraph.cli import main
from labourgraph.errors import LabourgraphError
from labourgraph.push import auth_header, graph_store_url, push
from labourgraph.serve import find_oxigraph, free_port

ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
OTHER = "http://example.org/someone-elses-graph"
TRIPLE = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A read-write Oxigraph server with its own store; its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            find_oxigraph(),
            "serve",
            "--location",
            str(tmp_path / "db"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, "oxigraph did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def quads(base: str) -> set[tuple[str, str, str, str]]:
    req = urllib.request.Request(
        f"{base}/query?query={quote(ALL_QUADS)}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(req, timeout=30) as reply:
        bindings = json.load(reply)["results"]["bindings"]
    return {tuple(json.dumps(b[k], sort_keys=True) for k in ("s", "p", "o", "g")) for b in bindings}


def put(base: str, graph: str, body: bytes) -> None:
    req = urllib.request.Request(
        f"{base}/store?graph={quote(graph, safe='')}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    urllib.request.urlopen(req, timeout=30).close()


def build_quads(built: Path) -> int:
    return sum(1 for _ in ox.parse(path=str(built / "graph.trig"), format=ox.RdfFormat.TRIG))


def test_push_twice_changes_nothing(built: Path, server: str) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["push", server, "--out", str(built)])
    assert first.exit_code == 0, first.output
    graphs = {
        q.graph_name for q in ox.parse(path=str(built / "graph.trig"), format=ox.RdfFormat.TRIG)
    }
    n = build_quads(built)
    assert first.output == f"Pushed {len(graphs)} graphs ({n} triples) to {server}/store\n"
    after_first = quads(server)
    assert len(after_first) == n
    # Every document's graph, the entities graph and the ontology graph are there.
    names = {json.loads(g)["value"] for *_, g in after_first}
    assert "https://w3id.org/labourgraph/id/graph/entities" in names
    assert "https://w3id.org/labourgraph/ontology" in names
    assert len(names) == len(graphs)
    second = runner.invoke(main, ["push", f"{server}/store", "--out", str(built)])
    assert second.exit_code == 0, second.output
    assert quads(server) == after_first


def test_push_replaces_a_stale_graph_and_leaves_others_alone(built: Path, server: str) -> None:
    doc_graph = "https://w3id.org/labourgraph/id/graph/000-36061e117c780858-txt"
    put(server, doc_graph, TRIPLE)  # left by an older build of that document
    put(server, OTHER, TRIPLE)  # someone else's data on the shared server
    result = push(built, server)
    found = quads(server)
    stale = {q for q in found if "example.org/s" in q[0]}
    assert {json.loads(q[3])["value"] for q in stale} == {OTHER}
    assert len(found) == result.triples + 1


def test_push_to_a_server_that_is_not_there_is_one_line(built: Path) -> None:
    port = free_port()
    result = CliRunner().invoke(main, ["push", f"http://127.0.0.1:{port}", "--out", str(built)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: http://127.0.0.1:{port}/store?graph=")
    assert "cannot reach the server" in result.output
    assert result.output.count("\n") == 1


def test_push_without_a_build_is_one_line(tmp_path: Path, server: str) -> None:
    result = CliRunner().invoke(main, ["push", server, "--out", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no build found" in result.output


def test_graph_store_url() -> None:
    assert graph_store_url("http://127.0.0.1:7878") == "http://127.0.0.1:7878/store"
    assert graph_store_url("http://127.0.0.1:7878/") == "http://127.0.0.1:7878/store"
    assert graph_store_url("http://h:3030/ds/data") == "http://h:3030/ds/data"
    with pytest.raises(LabourgraphError, match="not in the URL"):
        graph_store_url("http://me:secret@h:3030/ds/data")
    with pytest.raises(LabourgraphError, match="not an http"):
        graph_store_url("ftp://h/x")


def test_credentials_come_from_the_environment() -> None:
    assert auth_header({}) is None
    assert auth_header({"LABOURGRAPH_PUSH_TOKEN": "t0k"}) == "Bearer t0k"
    basic = auth_header({"LABOURGRAPH_PUSH_USER": "ann", "LABOURGRAPH_PUSH_PASSWORD": "p:w"})
    assert basic == "Basic " + base64.b64encode(b"ann:p:w").decode()
    with pytest.raises(LabourgraphError, match="not both"):
        auth_header({"LABOURGRAPH_PUSH_TOKEN": "t", "LABOURGRAPH_PUSH_USER": "u"})


class _Guarded(BaseHTTPRequestHandler):
    """A Graph Store that wants basic auth ann/secret and records what it was sent."""

    seen: ClassVar[list[tuple[str, str, str | None]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        auth = self.headers.get("Authorization")
        self.seen.append((self.path, self.headers.get("Content-Type", ""), auth))
        ok = auth == "Basic " + base64.b64encode(b"ann:secret").decode()
        self.send_response(204 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_push_sends_credentials_from_env_and_explains_a_401(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Guarded)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/ds/data"
    try:
        monkeypatch.delenv("LABOURGRAPH_PUSH_TOKEN", raising=False)
        monkeypatch.setenv("LABOURGRAPH_PUSH_USER", "ann")
        monkeypatch.setenv("LABOURGRAPH_PUSH_PASSWORD", "wrong")
        result = CliRunner().invoke(main, ["push", url, "--out", str(built)])
        assert result.exit_code == 1
        assert "HTTP 401" in result.output and "LABOURGRAPH_PUSH_USER" in result.output
        _Guarded.seen.clear()
        monkeypatch.setenv("LABOURGRAPH_PUSH_PASSWORD", "secret")
        result = CliRunner().invoke(main, ["push", url, "--out", str(built)])
        assert result.exit_code == 0, result.output
        paths = [p for p, _, _ in _Guarded.seen]
        assert all(p.startswith("/ds/data?graph=https%3A%2F%2Fw3id.org%2F") for p in paths)
        assert {c for _, c, _ in _Guarded.seen} == {"application/n-triples"}
    finally:
        srv.shutdown()
        srv.server_close()
