"""The simulator's HTTP server: stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive.

Implements ``shared/api/openapi.yaml`` under ``/api/v1`` plus the control endpoint
``/_sim/control`` (GET: settings and sim_now; POST: change faults / run actions). Binds
127.0.0.1 only.

Every answer is JSON, errors RFC 9457 problem+json, the standard library's own too: an unknown
path is 404, a method a resource does not serve 405 with ``Allow`` (before the token is
checked), HEAD is GET without the body and OPTIONS is 204 with ``Allow``.
"""

from __future__ import annotations

import hmac
import json
import re
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .timeutil import iso
from .world import ApiError, World, dumps

BASE = "/api/v1"
CONTROL = "/_sim/control"
ALLOWED_HOSTS = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}

_CASE = re.compile(r"^/cases/([^/]+)$")
_CASE_WRITE = re.compile(r"^/cases/([^/]+)/(assign|move|messages)$")
_COORD = re.compile(r"^/units/([^/]+)/coordinator$")
_FEEDS = {"/staff": "staff", "/shifts": "shifts", "/cases": "cases"}
# The methods each resource serves (the contract's, plus HEAD wherever GET is served). Any other
# method on a known path gets 405 with ``Allow``; OPTIONS answers 204 with ``Allow``.
_GET = ("GET", "HEAD")
_ROUTES: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = (
    (re.compile(r"^/(health|capabilities|units|templates|staff|shifts|cases)$"), _GET),
    (_CASE, _GET),
    (_CASE_WRITE, ("POST",)),
    (_COORD, (*_GET, "PUT")),
)
_CONTROL_METHODS = (*_GET, "POST")
_METHOD_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 token
_INTEGER = re.compile(r"[+-]?[0-9]+")


class HostNotAllowed(ValueError):
    pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, handler, sim: SimServer):
        self.sim = sim
        super().__init__(addr, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer  # the handler's server carries the SimServer (``server.sim``)
    protocol_version = "HTTP/1.1"
    server_version = "direkt-sim/1.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this many seconds

    # ------------------------------------------------------------ plumbing
    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover
            pass
        self.server.sim._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.sim._track(self.connection, False)

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.sim.verbose:
            sys.stderr.write(f"sim: {self.address_string()} {fmt % args}\n")

    def __getattr__(self, name: str):
        # Every method token reaches _dispatch (GET, POST, PUT, TRACE, PATCH, QUERY, …), so an
        # unsupported one gets 405 problem+json, not the standard library's 501 HTML page.
        if name.startswith("do_") and _METHOD_TOKEN.fullmatch(name[3:]):
            method = name[3:]
            return lambda: self._dispatch(method)
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own errors (bad request line, URI or headers too long, …) as
        problem+json too; the connection is closed after them."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # the request line was not understood: answer
            self.request_version = self.protocol_version  # with a status line and headers
        code_slug = re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")
        self._problem(ApiError(code, code_slug, phrase, message if message != phrase else None))

    def _send(self, status: int, body: bytes, ctype: str = "application/json", headers: dict | None = None) -> None:
        world: World = self.server.sim.world
        self.send_response(status)
        if status != 204:  # no content, no Content-Type / Content-Length (RFC 9110 §8.6)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Server-Time", iso(world.now()))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if self.close_connection:
            self.send_header("Connection", "close")
        # one write for headers + body (no Nagle / delayed-ACK stall between them)
        if not hasattr(self, "_headers_buffer"):  # an HTTP/0.9 request line: no headers sent
            self._headers_buffer = []
        self._headers_buffer.append(b"\r\n")
        data = b"".join(self._headers_buffer) + (body if self.command != "HEAD" else b"")
        self._headers_buffer = []
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status: int, payload, headers=None) -> None:
        body = (
            payload
            if isinstance(payload, bytes)
            else (payload.encode() if isinstance(payload, str) else dumps(payload).encode())
        )
        self._send(status, body, "application/json", headers)

    def _problem(self, err: ApiError) -> None:
        headers = dict(err.headers)
        if err.status == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="direkt"')
        self._send(err.status, dumps(err.problem()).encode(), "application/problem+json", headers)

    def _read_body(self) -> bytes:
        try:
            return self._read_body_bytes()
        except (ConnectionError, TimeoutError):  # reset by a killed client, or a stalled one
            raise _ClientGone from None

    def _read_body_bytes(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline()
                if not line:
                    raise _ClientGone
                try:
                    size = int(line.strip().split(b";")[0] or b"0", 16)
                except ValueError:
                    self.close_connection = True
                    raise ApiError(400, "bad_request", "Bad Request", "malformed chunked body") from None
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunk = self.rfile.read(size)
                if len(chunk) < size or not self.rfile.readline():
                    raise _ClientGone
                chunks.append(chunk)
            return b"".join(chunks)
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise ApiError(400, "bad_request", "Bad Request", "malformed Content-Length") from None
        if n < 0 or n > 10_000_000:
            self.close_connection = True
            raise ApiError(413, "body_too_large", "Content Too Large")
        data = self.rfile.read(n) if n else b""
        if len(data) < n:
            raise _ClientGone
        return data

    def _authorized(self) -> bool:
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return hmac.compare_digest(token.strip().encode(), self.server.sim.token.encode())

    # ------------------------------------------------------------ dispatch
    def _dispatch(self, method: str) -> None:
        sim: SimServer = self.server.sim
        world = sim.world
        try:
            raw = self._read_body()
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/") or "/"
            query = parse_qs(parts.query, keep_blank_values=True)
            if path == CONTROL:
                if self._method_answered(method, _CONTROL_METHODS):
                    return None
                return self._control("GET" if method == "HEAD" else method, raw)
            if not path.startswith(BASE + "/") and path != BASE:
                raise ApiError(404, "not_found", "Not Found", f"no resource {parts.path}")
            sub = path[len(BASE) :] or "/"
            # -- faults that hit every request, /health included
            remaining = world.hang_until - time.monotonic()
            if remaining > 0:
                sim.stopping.wait(remaining)
            if world.in_outage():
                raise ApiError(
                    503,
                    "outage",
                    "Service Unavailable",
                    "the platform is unavailable (simulated outage)",
                    headers={"Retry-After": world.outage_retry_after()},
                )
            if world.faults.latency_ms:
                sim.stopping.wait(world.faults.latency_ms / 1000.0)
            # -- routing: an unknown path is 404 and a method the resource does not serve is 405
            # for everyone, before the token is looked at (what exists is the public contract)
            allowed = next((methods for pattern, methods in _ROUTES if pattern.match(sub)), None)
            if allowed is None:
                raise ApiError(404, "not_found", "Not Found", f"no resource {parts.path}")
            if self._method_answered(method, allowed):
                return None
            verb = "GET" if method == "HEAD" else method
            if sub == "/health":
                now = world.sync()
                f = world.faults
                degraded = f.error_rate > 0 or f.rate_limit_every > 0 or f.latency_ms >= 1000
                return self._json(200, {"status": "degraded" if degraded else "ok", "server_time": iso(now)})
            if not self._authorized():
                raise ApiError(401, "unauthorized", "Unauthorized", "missing or wrong bearer token")
            with world.lock:
                world.request_count += 1
                n = world.request_count
                f = world.faults
                limited = bool(f.rate_limit_every) and n % f.rate_limit_every == 0
                failed = f.error_rate > 0 and world.fault_rng.random() < f.error_rate
            if limited:
                raise ApiError(
                    429,
                    "rate_limited",
                    "Too Many Requests",
                    "slow down (simulated rate limit)",
                    headers={"Retry-After": 1},
                )
            if failed:
                raise ApiError(500, "internal_error", "Internal Server Error", "simulated server error")
            world.sync()
            return self._route(verb, sub, query, raw)
        except _ClientGone:
            # the connection closed before the body was whole (a client killed mid-send): no
            # request arrived, so nothing is answered, applied or recorded under its key
            self.close_connection = True
        except ApiError as err:
            self._problem(err)
        except Exception as exc:  # a bug: answer 500 and keep serving
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            self._problem(ApiError(500, "internal_error", "Internal Server Error", f"{type(exc).__name__}"))

    def _method_answered(self, method: str, allowed: tuple[str, ...]) -> bool:
        """Answer OPTIONS (204 + Allow) and an unserved method (405); False: go on."""
        if method == "OPTIONS":
            self._send(204, b"", headers={"Allow": _allow(allowed)})
            return True
        if method not in allowed:
            raise _not_allowed(*allowed)
        return False

    def _route(self, method: str, sub: str, query: dict, raw: bytes) -> None:
        """Serve a request already routed: ``method`` is one the resource serves (HEAD as GET)."""
        world: World = self.server.sim.world
        if sub in _FEEDS:
            since = _one(query, "since")
            limit_s = _one(query, "limit")
            limit = None
            if limit_s is not None:
                if not _INTEGER.fullmatch(limit_s):  # int() would take " 5", "1_0", "٥"
                    raise ApiError(
                        422, "invalid_limit", "Unprocessable Content", "limit must be an integer between 1 and 1000"
                    )
                limit = int(limit_s)
            gate = self.server.sim.feed_gate
            if gate is not None:  # a test hook (faults.FeedGate): count feed pages, hold one
                gate.passing(_FEEDS[sub], self.server.sim.stopping)
            text = world.feed_page(_FEEDS[sub], since, limit)
            body = self._broken(text.encode(), _FEEDS[sub])
            if world.faults.garbage_rate > 0:
                with world.lock:
                    garbage = world.fault_rng.random() < world.faults.garbage_rate
                    cut = world.fault_rng.uniform(0.2, 0.9)
                if garbage:
                    body = body[: max(1, int(len(body) * cut))]
                    if len(body) >= 2:
                        body = body[:-1] + b"\x00"
            return self._json(200, body)
        if sub == "/capabilities":
            return self._json(200, world.get_capabilities())
        if sub == "/units":
            return self._json(200, self._broken(dumps({"items": world.list_units()}).encode(), "units"))
        if sub == "/templates":
            return self._json(200, {"items": world.list_templates()})
        m = _CASE.match(sub)
        if m:
            return self._json(200, world.get_case_json(unquote(m.group(1))))
        m = _CASE_WRITE.match(sub)
        if m:
            case_id, action = unquote(m.group(1)), m.group(2)
            fn = {"assign": world.assign, "move": world.move, "messages": world.send_message}[action]
            ok = 201 if action == "messages" else 200
            return self._write(f"POST {BASE}{sub}", raw, lambda body: (ok, fn(case_id, body)))
        m = _COORD.match(sub)
        if m:
            unit_id = unquote(m.group(1))
            if method == "GET":
                return self._json(200, world.get_coordinator(unit_id))
            return self._write(f"PUT {BASE}{sub}", raw, lambda body: (200, world.set_coordinator(unit_id, body)))
        raise ApiError(404, "not_found", "Not Found", f"no resource {BASE}{sub}")

    def _broken(self, body: bytes, resource: str) -> bytes:
        """``body`` broken as the world's ``broken`` modes say (none: unchanged)."""
        world: World = self.server.sim.world
        modes = frozenset(world.faults.broken)
        if not modes:
            return body
        from .broken import break_body

        with world.lock:
            world.broken_serial += 1
            serial = world.broken_serial
        return break_body(body, resource, modes, serial)

    def _write(self, scope: str, raw: bytes, fn) -> None:
        world: World = self.server.sim.world
        key = self.headers.get("Idempotency-Key")

        def run():
            try:
                body = json.loads(raw.decode("utf-8")) if raw else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ApiError(422, "invalid_json", "Unprocessable Content", "the body is not valid JSON") from None
            if body is None:
                raise ApiError(422, "invalid_body", "Unprocessable Content", "a JSON body is required")
            return fn(body)

        status, body, problem = world.idempotent(key, scope, run)
        self._send(status, body, "application/problem+json" if problem else "application/json")

    def _control(self, method: str, raw: bytes) -> None:
        world: World = self.server.sim.world
        if not self._authorized():
            raise ApiError(401, "unauthorized", "Unauthorized", "missing or wrong bearer token")
        if method == "GET":
            world.sync()
            return self._json(200, world.control_state())
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(422, "invalid_json", "Unprocessable Content", "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_control", "Unprocessable Content", "control body must be a JSON object")
        return self._json(200, world.set_faults(**body))


class _ClientGone(Exception):
    """The client's connection ended inside the request body."""


def _one(query: dict, name: str) -> str | None:
    v = query.get(name)
    return v[0] if v else None


def _allow(allowed: tuple[str, ...]) -> str:
    return ", ".join((*allowed, "OPTIONS"))


def _not_allowed(*allowed: str) -> ApiError:
    return ApiError(
        405,
        "method_not_allowed",
        "Method Not Allowed",
        "this resource serves " + ", ".join(allowed),
        headers={"Allow": _allow(allowed)},
    )


class SimServer:
    """Serve a World over HTTP on 127.0.0.1.

    ``start()`` serves from a daemon thread and returns the bound port; ``stop()`` shuts it
    down. ``base_url`` ends in ``/api/v1``; ``control_url`` is the control endpoint.
    """

    def __init__(
        self, world: World, host: str = "127.0.0.1", port: int = 0, token: str = "demo", verbose: bool = False
    ):
        if host not in ALLOWED_HOSTS:
            raise HostNotAllowed(f"the simulator binds 127.0.0.1 only (got host {host!r})")
        if not token:
            raise ValueError("an API token is required")
        self.world = world
        self.host = ALLOWED_HOSTS[host]
        self.port = port
        self.token = token
        self.verbose = verbose
        self.stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set = set()
        self._conns_lock = threading.Lock()
        self.feed_gate = None  # a faults.FeedGate a test sets; None: pages are served at once

    def _track(self, conn, add: bool) -> None:
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def bind(self) -> int:
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self.port), _Handler, self)
            self.port = self._httpd.server_address[1]
        return self.port

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + BASE

    @property
    def control_url(self) -> str:
        return self.root_url + CONTROL

    def start(self) -> int:
        """Bind and serve from a background daemon thread; returns the port."""
        self.bind()
        assert self._httpd is not None
        self.stopping.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name=f"direkt-sim:{self.port}", daemon=True
        )
        self._thread.start()
        return self.port

    def serve_forever(self) -> None:
        """Bind and serve in the calling thread until ``stop()`` (or KeyboardInterrupt)."""
        self.bind()
        assert self._httpd is not None
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self.stopping.set()
        httpd = self._httpd
        if httpd is None:
            return
        if self._thread is not None:
            httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        httpd.server_close()
        with self._conns_lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd = None

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
