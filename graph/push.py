"""Upload a build to a SPARQL 1.1 Graph Store HTTP Protocol server, one PUT per named graph.

PUT replaces a graph whole, so pushing the same build twice leaves the server as it was after the
first push; a document's graph from an older build is replaced by the new one. Graphs the build
does not have are left alone (other people's documents on a shared server). Credentials come from
the environment only (see :data:`TOKEN_VAR`, :data:`USER_VAR`, :data:`PASSWORD_VAR`).
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pyoxigraph as ox

from .dataset import GRAPH_FILE
from .errors import BuildNotFoundError, LabourgraphError

TOKEN_VAR = "LABOURGRAPH_PUSH_TOKEN"
USER_VAR = "LABOURGRAPH_PUSH_USER"
PASSWORD_VAR = "LABOURGRAPH_PUSH_PASSWORD"
CONTENT_TYPE = "application/n-triples"


@dataclass(frozen=True)
class PushResult:
    endpoint: str
    graphs: int
    triples: int

    def summary(self) -> str:
        return f"Pushed {self.graphs} graphs ({self.triples} triples) to {self.endpoint}"


def graph_store_url(url: str) -> str:
    """The Graph Store endpoint: ``URL/store`` for a server's base URL, else ``URL`` itself."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LabourgraphError(f"{url}: not an http(s) URL of a Graph Store server")
    if parts.username or parts.password:
        raise LabourgraphError(
            f"{parts.hostname}: put credentials in {USER_VAR} and {PASSWORD_VAR} "
            f"(or {TOKEN_VAR}), not in the URL"
        )
    if parts.path in ("", "/"):
        parts = parts._replace(path="/store")
    return urlunsplit(parts)


def auth_header(env: Mapping[str, str]) -> str | None:
    """The ``Authorization`` value from the environment: a bearer token, else basic, else none."""
    token, user = env.get(TOKEN_VAR), env.get(USER_VAR)
    if token and user:
        raise LabourgraphError(f"{TOKEN_VAR} and {USER_VAR}: set one of them, not both")
    if token:
        return f"Bearer {token}"
    if user:
        pair = f"{user}:{env.get(PASSWORD_VAR, '')}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


def graphs_of(trig: Path) -> dict[str, bytes]:
    """Each graph of a TriG file as canonical N-Triples (sorted), keyed by graph IRI.

    The default graph, if the file has triples in it, is keyed ``""``.
    """
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        by_graph.setdefault(name, []).append(quad.triple)
    out = {}
    for name in sorted(by_graph):
        lines = ox.serialize(by_graph[name], format=ox.RdfFormat.N_TRIPLES).splitlines(True)
        out[name] = b"".join(sorted(lines))
    return out


def _target(endpoint: str, graph: str) -> str:
    sep = "&" if "?" in endpoint else "?"
    return endpoint + sep + ("default" if not graph else "graph=" + quote(graph, safe=""))


def _put(url: str, body: bytes, auth: str | None, timeout: float) -> None:
    req = urllib.request.Request(url, data=body, method="PUT")
    req.add_header("Content-Type", CONTENT_TYPE)
    if auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as reply:
            reply.read()
    except urllib.error.HTTPError as exc:
        said = exc.read(300).decode("utf-8", "replace").strip().splitlines()
        hint = f"; set {USER_VAR}/{PASSWORD_VAR} or {TOKEN_VAR}" if exc.code in (401, 403) else ""
        detail = f": {said[0]}" if said else ""
        raise LabourgraphError(f"{url}: HTTP {exc.code} {exc.reason}{detail}{hint}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LabourgraphError(f"{url}: cannot reach the server ({reason})") from exc


def push(
    out: Path, url: str, env: Mapping[str, str] | None = None, timeout: float = 120.0
) -> PushResult:
    """PUT every graph of ``OUT/graph.trig`` to the Graph Store at ``url``; return what was sent."""
    trig = Path(out) / GRAPH_FILE
    if not trig.is_file():
        raise BuildNotFoundError(str(out))
    endpoint = graph_store_url(url)
    auth = auth_header(os.environ if env is None else env)
    graphs = graphs_of(trig)
    triples = 0
    for name, body in graphs.items():
        _put(_target(endpoint, name), body, auth, timeout)
        triples += body.count(b"\n")
    return PushResult(endpoint, len(graphs), triples)
