"""A scripted platform for the outbox's stateful test: ``POST /cases/{id}/assign`` with the
platform's rules (Idempotency-Key dedupe, ``if_version``, closed cases) on 127.0.0.1, where each
write request can be told to fail in a way the simulator cannot produce on demand — above all
"applies the write, then the answer never arrives".

Modes (one popped from ``script`` per write request; ``ok`` when the script is empty):

- ``ok`` — process and answer;
- ``apply_then_drop`` — process, then close the connection without answering;
- ``apply_then_hang`` — process, then answer only after the client's deadline has passed;
- ``drop`` — close the connection without processing;
- ``error_500`` — answer 500 without processing;
- ``busy_503`` — answer 503 with ``Retry-After`` without processing;
- ``rate_429`` — answer 429 with ``Retry-After`` without processing.

Every request is recorded in ``log`` (key, mode, status answered, whether the answer was sent).
"""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from outbox.support import case_doc

MODES = ("ok", "apply_then_drop", "apply_then_hang", "drop", "error_500", "busy_503", "rate_429")
_ASSIGN = re.compile(r"^/api/v1/cases/([^/]+)/assign$")


@dataclass
class Request:
    key: str
    case_id: str
    mode: str
    status: int | None  # what the platform decided (None: not processed)
    delivered: bool  # the platform wrote the answer (apply_then_hang: not, it knows it is late); whether
    # it reached the client in time only the client knows (see support.RecordingClient)
    code: str | None = None
    crash: bool = False  # sent by a process that "died" before reading the answer


class FakePlatform:
    def __init__(self, case_ids: list[str], *, hang_seconds: float = 0.35, retry_after: int = 2,
                 delay: float = 0.0, meet: int = 0):
        self.lock = threading.RLock()
        self.cases = {cid: case_doc(int(cid.split("-")[1])) for cid in case_ids}
        self.idem: dict[str, tuple[int, dict]] = {}
        self.applied: Counter = Counter()  # key -> times a write with it changed a case
        self.log: list[Request] = []
        self.script: deque[str] = deque()
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self.stopping = threading.Event()
        self.delay = delay  # every answer waits this long (to see how many requests overlap)
        # the first ``meet`` requests wait for each other (a barrier, bounded): they are then in
        # flight together, whatever the machine's speed — how a test sees the sender's concurrency
        self._meet = threading.Barrier(meet, timeout=30) if meet > 1 else None
        self._met = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.handled = 0  # requests whose handling (answer written or connection dropped) is over
        self._handled_cond = threading.Condition(self.lock)
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                with platform.lock:
                    platform.in_flight += 1
                    platform.max_in_flight = max(platform.max_in_flight, platform.in_flight)
                try:
                    platform._meet_others()
                    if platform.delay:
                        platform.stopping.wait(platform.delay)
                    platform._handle(self, raw)
                finally:
                    with platform.lock:
                        platform.in_flight -= 1
                        platform.handled += 1
                        platform._handled_cond.notify_all()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):  # a dropped connection is the point
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def _meet_others(self) -> None:
        with self.lock:
            if self._meet is None or self._met >= self._meet.parties:
                return
            self._met += 1
        try:
            self._meet.wait()
        except threading.BrokenBarrierError:  # fewer came within the bound: the test sees it
            pass

    def wait_handled(self, n: int, timeout: float = 30.0) -> bool:
        """Wait until ``n`` requests have been handled in full (an event, not a guess of time)."""
        with self._handled_cond:
            return self._handled_cond.wait_for(lambda: self.handled >= n, timeout)

    def start(self) -> FakePlatform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # ------------------------------------------------------------------ the platform's rules
    def external_change(self, case_id: str) -> None:
        """Someone else changes the case (a new version)."""
        with self.lock:
            c = self.cases[case_id]
            c["version"] += 1
            c["priority"] = 1 + c["priority"] % 5

    def close_case(self, case_id: str) -> None:
        with self.lock:
            c = self.cases[case_id]
            if c["status"] != "closed":
                c["version"] += 1
                c.update(status="closed", closed_at=c["created_at"], close_reason="resolved",
                         received_at=c["created_at"])

    def _process(self, key: str, case_id: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            if key in self.idem:
                return self.idem[key]
            c = self.cases.get(case_id)
            if c is None:
                out = (404, {"title": "Not Found", "status": 404, "code": "not_found"})
            elif c["version"] != body.get("if_version"):
                out = (409, {"title": "Conflict", "status": 409, "code": "version_conflict",
                             "current": copy.deepcopy(c)})
            elif c["status"] == "closed":
                out = (409, {"title": "Conflict", "status": 409, "code": "case_closed", "current": copy.deepcopy(c)})
            else:
                c["owner"] = body["owner"]
                c["version"] += 1
                self.applied[key] += 1
                out = (200, copy.deepcopy(c))
            self.idem[key] = out
            return out

    def _handle(self, h: BaseHTTPRequestHandler, raw: bytes) -> None:
        m = _ASSIGN.match(h.path)
        key = h.headers.get("Idempotency-Key") or ""
        with self.lock:
            mode = self.script.popleft() if self.script else "ok"
        rec = Request(key, m.group(1) if m else "", mode, None, False,
                      crash=h.headers.get("X-Test-Crash") == "1")
        with self.lock:
            self.log.append(rec)
        if not m or not key:
            return self._answer(h, rec, 422, {"title": "bad", "status": 422, "code": "bad_request"})
        if mode == "drop":
            return self._drop(h)
        if mode == "error_500":
            return self._answer(h, rec, 500, {"title": "boom", "status": 500, "code": "internal_error"})
        if mode in ("busy_503", "rate_429"):
            status = 503 if mode == "busy_503" else 429
            return self._answer(h, rec, status, {"title": "later", "status": status, "code": "busy"},
                                {"Retry-After": str(self.retry_after)})
        status, body = self._process(key, rec.case_id, json.loads(raw))
        rec.status = status
        rec.code = body.get("code") if status >= 400 else None
        if mode == "apply_then_drop":
            return self._drop(h)
        if mode == "apply_then_hang":
            if self.stopping.wait(self.hang_seconds):
                return
            return self._answer(h, rec, status, body, deliver=False)
        return self._answer(h, rec, status, body)

    def _drop(self, h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        try:
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _answer(self, h: BaseHTTPRequestHandler, rec: Request, status: int, body: dict,
                headers: dict | None = None, *, deliver: bool = True) -> None:
        payload = json.dumps(body).encode()
        head = [f"HTTP/1.1 {status} X", "Content-Type: application/json", f"Content-Length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        try:
            h.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
            h.wfile.flush()
        except OSError:
            h.close_connection = True
            return
        if rec.status is None:
            rec.status = status
        # an answer written after the client gave up (apply_then_hang) is not "delivered"
        rec.delivered = deliver and not rec.crash
