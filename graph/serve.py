"""The build as a read-only SPARQL 1.1 Protocol endpoint, with the network view beside it.

Oxigraph's own server (``oxigraph serve-read-only`` from the ``oxigraph`` package, the release of
pyoxigraph, so it reads the build's store) answers the queries on an internal loopback port. A
small stdlib proxy in front adds what that server lacks:

- only ``GET``/``POST /query`` reach Oxigraph; updates and ``SERVICE`` (calls to other endpoints)
  are refused; nothing else is forwarded, so no Graph Store or file path of Oxigraph's is exposed;
- a time limit (the proxy's own deadline; Oxigraph's ``--timeout-s`` a second later frees the CPU)
  and a size limit (the answer is buffered up to the limit, then refused whole);
- ``/`` and ``/view`` serve ``OUT/network.html``, the only file served, named by a fixed table;
- bound to loopback, only requests addressed to a loopback name are answered (DNS rebinding).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import math
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from .errors import BuildNotFoundError, LabourgraphError
from .store import is_update, uses_service

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
VIEW_PATHS = frozenset({"/", "/view", "/view/", "/network.html"})
MAX_REQUEST_BYTES = 1_000_000  # a query text, not data: updates are refused anyway
DRAIN_LIMIT = 16_000_000  # bytes of a refused body read before closing anyway
DRAIN_SECONDS = 2.0


def find_oxigraph() -> str:
    """The ``oxigraph`` server binary installed beside this Python, else on ``PATH``."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise LabourgraphError(
            "oxigraph: the Oxigraph server is not installed; run `pip install oxigraph==0.5.13`"
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _die_with_parent():
    """On Linux, a pre-exec hook so Oxigraph ends when its parent ends, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork, not in the child
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is loopback."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name such as 127.0.0.1.example.org is not an address
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, endpoint: Endpoint, address: tuple[str, int]) -> None:
        self.endpoint = endpoint
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """One request: the view, a query forwarded to Oxigraph, or a refusal with a one-line reason."""

    server: _Server
    server_version = "labourgraph"
    timeout = 60  # seconds a client may take to send its request
    _body_read = False

    def parse_request(self) -> bool:
        self._body_read = False  # one connection may carry several requests
        return super().parse_request()

    def log_message(self, format: str, *args: object) -> None:
        if self.server.endpoint.log:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: int, reason: str) -> None:
        self._send(status, (reason + "\n").encode("utf-8"), "text/plain; charset=utf-8")
        if not self._body_read:
            length = self.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > 0:
                self.close_connection = True
                self._discard_body(int(length))

    def _discard_body(self, length: int) -> None:
        """Read (a bounded part of) a refused body, so the client can finish sending and read why.

        Closing with unread bytes makes the kernel reset the connection, and most clients then
        report a broken pipe instead of the refusal.
        """
        left = min(length, DRAIN_LIMIT)
        self.connection.settimeout(DRAIN_SECONDS)
        try:
            while left > 0:
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def _host_ok(self) -> bool:
        ep = self.server.endpoint
        if not is_loopback(ep.host):
            return True
        host = self.headers.get("Host")
        if host is None:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return is_loopback(name)

    def _route(self) -> str | None:
        """The path, or None when the request was answered already (refused)."""
        if not self._host_ok():
            self._refuse(
                403, "Forbidden: this endpoint only answers requests addressed to loopback"
            )
            return None
        return self.path.split("?", 1)[0]

    def do_GET(self) -> None:
        path = self._route()
        if path is None:
            return
        if path in VIEW_PATHS:
            self._view()
        elif path == "/query":
            query_string = self.path.partition("?")[2]
            self._query(query_string, {}, None, None)
        elif path == "/update":
            self._refuse(403, "Forbidden: this endpoint is read-only")
        else:
            self._refuse(404, "Not found: the endpoint is /query, the network view is /view")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = self._route()
        if path is None:
            return
        if path == "/update":
            self._refuse(403, "Forbidden: this endpoint is read-only")
            return
        if path != "/query":
            self._refuse(405, "Method not allowed: POST queries to /query")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._refuse(411, "Length required: send the query with a Content-Length")
            return
        if int(length) > MAX_REQUEST_BYTES:
            self._refuse(413, f"Request too large: a query may have {MAX_REQUEST_BYTES} bytes")
            return
        body = self.rfile.read(int(length))
        self._body_read = True
        ctype = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        query_string = self.path.partition("?")[2]
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", "replace"))
            self._query(query_string, form, body, ctype)
        elif ctype == "application/sparql-query":
            self._query(query_string, {"query": [body.decode("utf-8", "replace")]}, body, ctype)
        elif ctype == "application/sparql-update":
            self._refuse(403, "Forbidden: this endpoint is read-only")
        else:
            self._refuse(415, "Unsupported media type: POST a form or application/sparql-query")

    def _read_only(self) -> None:
        self._refuse(405, "Method not allowed: this endpoint is read-only")

    do_PUT = do_DELETE = do_PATCH = _read_only

    def _view(self) -> None:
        page = self.server.endpoint.out / "network.html"
        try:
            body = page.read_bytes()
        except OSError:
            self._refuse(404, "Not found: no network view; run `labourgraph view` to write it")
            return
        self._send(200, body, "text/html; charset=utf-8")

    def _query(
        self, query_string: str, form: dict[str, list[str]], body: bytes | None, ctype: str | None
    ) -> None:
        # Oxigraph reads parameters from the URL and the body alike: check every query given.
        in_url = parse_qs(query_string)
        if "update" in form or "update" in in_url:
            self._refuse(403, "Forbidden: this endpoint is read-only")
            return
        texts = form.get("query", []) + in_url.get("query", [])
        if len(texts) != 1:
            self._refuse(400, "Bad request: give exactly one query parameter")
            return
        if is_update(texts[0]):
            self._refuse(403, "Forbidden: this endpoint is read-only")
            return
        if uses_service(texts[0]):
            self._refuse(
                403, "Forbidden: SERVICE is refused; this endpoint answers from its build only"
            )
            return
        self._forward(query_string, body, ctype)

    def _forward(self, query_string: str, body: bytes | None, ctype: str | None) -> None:
        ep = self.server.endpoint
        deadline = time.monotonic() + ep.timeout
        headers = {"Accept": self.headers.get("Accept", "*/*")}
        if ctype:
            headers["Content-Type"] = ctype
        target = "/query" + (f"?{query_string}" if query_string else "")
        conn = http.client.HTTPConnection("127.0.0.1", ep.inner_port, timeout=ep.timeout)
        try:
            conn.request("POST" if body is not None else "GET", target, body, headers)
            conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
            reply = conn.getresponse()
            chunks, size = [], 0
            while chunk := reply.read1(65536):
                size += len(chunk)
                if size > ep.max_bytes:
                    self._refuse(
                        413,
                        f"Result too large: answers are limited to {ep.max_bytes} bytes; "
                        "add a LIMIT or narrow the query",
                    )
                    return
                chunks.append(chunk)
                conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
            ctype_out = reply.getheader("Content-Type", "application/octet-stream")
            self._send(reply.status, b"".join(chunks), ctype_out)
        except TimeoutError:
            self._refuse(503, f"Query timed out: queries are limited to {ep.timeout:g} s")
        except OSError as exc:
            self._refuse(502, f"Bad gateway: the query server did not answer ({exc})")
        finally:
            conn.close()


class Endpoint:
    """The proxy and its Oxigraph process; ``start()``/``stop()`` or use as a context manager."""

    def __init__(
        self,
        out: Path,
        host: str = "127.0.0.1",
        port: int = 7878,
        timeout: float = 30.0,
        max_bytes: int = 10_000_000,
        log: bool = False,
    ) -> None:
        self.out, self.host, self.port = Path(out), host, port
        self.timeout, self.max_bytes, self.log = timeout, max_bytes, log
        self.inner_port = 0
        self._server: _Server | None = None
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:7878`` (queries at ``/query``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Endpoint:
        """Bind the port, start Oxigraph on an internal port and wait until it answers."""
        store = self.out / "store"
        if not store.is_dir():
            raise BuildNotFoundError(str(self.out))
        binary = find_oxigraph()
        try:
            self._server = _Server(self, (self.host, self.port))
        except OSError as exc:
            raise LabourgraphError(
                f"{self.host}:{self.port}: cannot listen there ({exc.strerror}); "
                "pick another with --port"
            ) from exc
        self.port = self._server.server_address[1]
        self.inner_port = free_port()
        cmd = [
            binary,
            "serve-read-only",
            "--location",
            str(store),
            "--bind",
            f"127.0.0.1:{self.inner_port}",
            "--union-default-graph",
            "--timeout-s",
            str(math.ceil(self.timeout) + 1),
        ]
        # Oxigraph's messages go to a file, not a pipe nobody reads (a full pipe would block it).
        with tempfile.TemporaryFile() as log:
            self._proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent()
            )
            try:
                self._wait_ready(log)
            except BaseException:
                self.stop()
                raise
        return self

    def _wait_ready(self, log) -> None:
        assert self._proc is not None
        for _ in range(300):  # up to 15 s: the store opens in well under a second
            if self._proc.poll() is not None:
                log.seek(0)
                said = log.read().decode("utf-8", "replace").strip().splitlines()
                reason = said[-1] if said else f"exit status {self._proc.returncode}"
                raise LabourgraphError(f"{self.out / 'store'}: the query server stopped: {reason}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.inner_port), timeout=0.5).close()
                return
            time.sleep(0.05)
        raise LabourgraphError(f"{self.out / 'store'}: the query server did not start in 15 s")

    def serve_forever(self) -> None:
        """Answer requests until :meth:`stop` (from another thread) or Ctrl-C."""
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.2)

    def serve_in_background(self) -> Endpoint:
        """Answer requests on a daemon thread (tests, notebooks)."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and end the Oxigraph process (terminate, then kill after 5 s)."""
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join()
            self._server.server_close()
            self._server = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            self._proc = None

    def __enter__(self) -> Endpoint:
        return self.start().serve_in_background()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    out: Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    max_bytes: int = 10_000_000,
    announce=print,
) -> None:
    """Serve ``out`` until Ctrl-C; ``announce`` gets the one line saying where."""
    endpoint = Endpoint(out, host, port, timeout, max_bytes, log=True).start()
    # SIGTERM (kill, systemd) ends the server the way Ctrl-C does, Oxigraph included.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        announce(
            f"Serving {out} read-only: SPARQL at {endpoint.url}/query, network view at "
            f"{endpoint.url}/view (Ctrl-C to stop)"
        )
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.stop()
