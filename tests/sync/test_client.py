"""The API client over real loopback HTTP: the simulator, and a scripted server for faults
the simulator cannot make (trickles, hangs after the headers)."""

from __future__ import annotations

import logging
import pickle
import shutil
import ssl
import subprocess
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sync.support import AS_OF, TOKEN, Reply, ScriptedApi

from direkt_tui.config import ApiConfig
from direkt_tui.sync.client import (
    ApiClient,
    AuthError,
    BadPage,
    ClientConfigError,
    Conflict,
    GoneError,
    NetworkError,
    NotFound,
    RequestRejected,
    RetryLater,
    ServerError,
    _parse_retry_after,
    load_token,
)


# ------------------------------------------------------------------------------- reads
def test_reads_against_the_simulator(sim, world):
    with ApiClient(sim.base_url, token=TOKEN) as c:
        h = c.health()
        assert h.data["status"] in ("ok", "degraded")
        assert c.health_time() == AS_OF
        caps = c.capabilities()
        assert caps.data["reassign_person_held"] is False
        assert caps.server_time == AS_OF  # X-Server-Time parsed
        assert {u["id"] for u in c.units().data["items"]} == {"vc-a", "vc-b"}
        assert len(c.templates().data["items"]) == 2
        assert c.coordinator("vc-a").data["staff_id"] == "s-0"
        assert c.get_case("c-3").data["id"] == "c-3"
        page = c.feed("cases", limit=10)
        assert len(page.items) == 10 and page.has_more and page.next_cursor
        rest = c.feed("cases", since=page.next_cursor, limit=1000)
        assert not rest.has_more
        assert len(rest.items) == 30
        assert {i["id"] for i in page.items + rest.items} == set(world.entities("cases"))


def test_unknown_case_is_not_found(sim):
    with ApiClient(sim.base_url, token=TOKEN) as c:
        with pytest.raises(NotFound):
            c.get_case("no-such-case")
        with pytest.raises(NotFound):
            c.get_case("../units")  # path segments are escaped, never traversed


def test_410_for_a_dropped_cursor(sim, world):
    with ApiClient(sim.base_url, token=TOKEN) as c:
        page = c.feed("staff", limit=2)
        world.drop_cursors()
        with pytest.raises(GoneError):
            c.feed("staff", since=page.next_cursor)


# ------------------------------------------------------------------------------- the token
def test_wrong_token_is_an_auth_error_that_never_shows_the_token(sim, caplog):
    secret = "wrong-secret-token-9f8e7d"
    caplog.set_level(logging.DEBUG)
    c = ApiClient(sim.base_url, token=secret)
    with pytest.raises(AuthError) as ei:
        c.units()
    msg = str(ei.value)
    assert "401" in msg and "DIREKT_API_TOKEN" in msg
    assert secret not in msg and secret not in repr(ei.value)
    assert secret not in repr(c)
    assert secret not in repr(c.__dict__)
    assert secret not in caplog.text
    with pytest.raises(TypeError):
        pickle.dumps(c._token)
    c.close()


def test_missing_token_says_so(sim):
    with ApiClient(sim.base_url, token=None) as c:
        with pytest.raises(AuthError, match="no API token is configured"):
            c.capabilities()
        assert c.health().status == 200  # /health needs no token


def test_token_from_env_then_file(tmp_path):
    f = tmp_path / "token"
    f.touch(mode=0o600)  # private to its owner: a token file open to others is refused
    f.write_text("from-file\n")
    assert load_token(f, env={"DIREKT_API_TOKEN": "from-env"}).reveal() == "from-env"
    assert load_token(f, env={}).reveal() == "from-file"
    assert load_token(None, env={}) is None
    f.write_text("  \n")
    with pytest.raises(ClientConfigError, match="empty"):
        load_token(f, env={})
    with pytest.raises(ClientConfigError, match="cannot read"):
        load_token(tmp_path / "missing", env={})
    f.write_text("secret-in-file")
    c = ApiClient.from_config(ApiConfig(url="http://127.0.0.1:9/api/v1", token_file=f), env={})
    assert c.has_token and "secret-in-file" not in repr(c)
    c.close()


def test_bearer_header_is_sent():
    def respond(method, path, query, headers, body):
        return Reply(200, {"reassign_person_held": True})

    with ScriptedApi(respond) as api, ApiClient(api.base_url, token="abc") as c:
        c.capabilities()
        assert api.requests[0]["headers"]["Authorization"] == "Bearer abc"


# ------------------------------------------------------------------------------- errors
def test_status_codes_map_to_typed_errors():
    replies = {
        "/api/v1/units": Reply(500, {"title": "boom", "status": 500, "code": "internal_error"}),
        "/api/v1/templates": Reply(503, {"title": "x", "status": 503, "code": "outage"}, {"Retry-After": "7"}),
        "/api/v1/capabilities": Reply(429, {"title": "x", "status": 429, "code": "rate_limited"}),
        "/api/v1/cases": Reply(200, b'{"items": [1, 2'),
        "/api/v1/staff": Reply(200, {"items": [], "has_more": False}),  # no next_cursor
        "/api/v1/shifts": Reply(422, {"title": "x", "status": 422, "code": "invalid_limit"}),
        "/api/v1/health": Reply(503, b"down"),
    }

    def respond(method, path, query, headers, body):
        return replies[path]

    with ScriptedApi(respond) as api, ApiClient(api.base_url, token="t") as c:
        with pytest.raises(ServerError) as e1:
            c.units()
        assert e1.value.status == 500 and e1.value.retryable
        with pytest.raises(RetryLater) as e2:
            c.templates()
        assert e2.value.retry_after == 7
        with pytest.raises(RetryLater) as e3:
            c.capabilities()
        assert e3.value.retry_after is None  # 429 without Retry-After: caller backs off
        with pytest.raises(BadPage, match="not JSON"):
            c.feed("cases")
        with pytest.raises(BadPage, match="not a page"):
            c.feed("staff")
        with pytest.raises(RequestRejected) as e4:
            c.feed("shifts")
        assert e4.value.code == "invalid_limit" and not e4.value.retryable
        with pytest.raises(ServerError):  # 503 without Retry-After is a plain server error
            c.health()


def test_retry_after_forms():
    assert _parse_retry_after("5") == 5
    assert _parse_retry_after(" 0 ") == 0
    assert _parse_retry_after("-3") == 0
    assert _parse_retry_after("soon") is None
    assert _parse_retry_after(None) is None
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp()
    assert _parse_retry_after("Thu, 26 Nov 2026 12:00:30 GMT", now=now) == pytest.approx(30)


def test_connection_refused_is_a_network_error():
    with ApiClient("http://127.0.0.1:9/api/v1", token="t", deadline=2) as c:
        with pytest.raises(NetworkError) as ei:
            c.units()
    # nothing chained: httpx's exception carries the request, and so the Authorization header
    assert ei.value.__context__ is None and ei.value.__cause__ is None


# ------------------------------------------------------------------------------- the deadline
@pytest.mark.parametrize("mode", ["trickle_body", "trickle_headers", "hang_after_headers", "hang"])
def test_request_deadline_holds_against_slow_servers(mode):
    """Per-read timeouts alone do not bound a trickle: the deadline does, in every phase."""
    body = {"items": [{"id": "x" * 50}] * 20, "next_cursor": "c", "has_more": False}

    def respond(method, path, query, headers, raw):
        return Reply(200, body, mode=mode, interval=0.05)

    with ScriptedApi(respond) as api:
        with ApiClient(api.base_url, token="t", read_timeout=10, deadline=0.8) as c:
            t0 = time.monotonic()
            with pytest.raises(NetworkError, match="deadline"):
                c.feed("cases")
            elapsed = time.monotonic() - t0
    assert 0.7 <= elapsed < 1.6, elapsed


def test_deadline_against_a_hanging_simulator(sim, world):
    world.set_faults(hang_seconds=5)
    with ApiClient(sim.base_url, token=TOKEN, deadline=0.5) as c:
        t0 = time.monotonic()
        with pytest.raises(NetworkError):
            c.units()
        assert time.monotonic() - t0 < 1.5
    world.set_faults(hang_seconds=0)


def test_a_shorter_per_call_deadline_wins(sim, world):
    world.set_faults(latency_ms=2000)
    with ApiClient(sim.base_url, token=TOKEN, deadline=10) as c:
        t0 = time.monotonic()
        with pytest.raises(NetworkError, match="0.4 s deadline"):
            c.units(deadline=0.4)
        assert time.monotonic() - t0 < 1.2
    world.set_faults(latency_ms=0)


# ------------------------------------------------------------------------------- writes
def test_assign_is_idempotent_and_conflicts_carry_the_current_case(sim, world):
    with ApiClient(sim.base_url, token=TOKEN) as c:
        v = world.entities("cases")["c-1"]["version"]
        key = "7f1c1c9e-3a54-4a0e-9d5b-2b7b7c1e0001"
        with pytest.raises(Conflict, match="target_not_scheduled"):  # no doctor on shift
            c.assign("c-1", {"type": "role", "profession": "doctor"}, v)
        r1 = c.assign("c-1", {"type": "role", "profession": "doctor"}, v, force=True, idempotency_key=key)
        assert r1.data["owner"] == {"type": "role", "profession": "doctor"}
        assert r1.data["version"] == v + 1
        r2 = c.assign("c-1", {"type": "role", "profession": "doctor"}, v, force=True, idempotency_key=key)
        assert r2.data == r1.data  # the first result, nothing changed again
        assert world.entities("cases")["c-1"]["version"] == v + 1
        with pytest.raises(Conflict) as ei:
            c.assign("c-1", {"type": "role", "profession": "nurse"}, v)  # stale if_version
        assert ei.value.code == "version_conflict"
        assert ei.value.current["id"] == "c-1" and ei.value.current["version"] == v + 1
        with pytest.raises(RequestRejected) as bad:
            c.assign("c-1", {"type": "martian"}, v + 1)
        assert bad.value.status == 422


def test_move_message_and_coordinator_writes(sim, world):
    with ApiClient(sim.base_url, token=TOKEN) as c:
        v = world.entities("cases")["c-2"]["version"]
        moved = c.move("c-2", "vc-a" if world.entities("cases")["c-2"]["unit_id"] == "vc-b" else "vc-b", v)
        assert moved.status == 200 and moved.data["version"] == v + 1
        with pytest.raises(Conflict) as ei:
            c.move("c-2", "vc-a", v)
        assert ei.value.code == "version_conflict"
        sent = c.send_template("c-4", "high_load")
        assert sent.status == 201
        assert [n["template_id"] for n in sent.data["notices"]] == ["high_load"]
        back = c.set_coordinator("vc-a", None)
        assert back.data["staff_id"] is None
        assert c.coordinator("vc-a").data["staff_id"] is None


def test_writes_send_an_idempotency_key():
    def respond(method, path, query, headers, body):
        return Reply(200, {"unit_id": "u", "staff_id": None})

    with ScriptedApi(respond) as api, ApiClient(api.base_url, token="t") as c:
        c.set_coordinator("u 1/x", None)
        c.set_coordinator("u", None, idempotency_key="k-1")
        first, second = api.requests
        assert first["path"] == "/api/v1/units/u%201%2Fx/coordinator"
        assert len(first["headers"]["Idempotency-Key"]) == 36
        assert second["headers"]["Idempotency-Key"] == "k-1"
        assert second["body"] == b'{"staff_id":null}'


# ------------------------------------------------------------------------------- TLS (SITHS)
def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if shutil.which("openssl") is None:  # pragma: no cover - openssl is on every machine of the project
        pytest.fail("openssl is needed for the TLS tests")
    d = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=test-ca", cwd=d)
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    for name in ("server", "client"):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    _openssl("pkey", "-in", "client.key", "-aes256", "-passout", "pass:secret", "-out", "client-enc.key", cwd=d)
    return d


@pytest.fixture
def tls_server(pki):
    seen: list[str] = []

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            cert = self.connection.getpeercert()
            seen.append(dict(x[0] for x in cert["subject"])["commonName"])
            body = b'{"items": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
    httpd.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    ctx.load_verify_locations(pki / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED  # a SITHS-style client certificate is required
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}/api/v1", seen
    httpd.shutdown()
    httpd.server_close()


def test_tls_with_client_certificate_and_ca_bundle(pki, tls_server):
    url, seen = tls_server
    with ApiClient(url, token="t", client_cert=pki / "client.pem", client_key=pki / "client.key",
                   ca_bundle=pki / "ca.pem", deadline=5) as c:
        assert c.units().data == {"items": []}
    assert seen == ["client"]


def test_tls_verification_is_never_off(pki, tls_server):
    url, _ = tls_server
    # the server's CA is not trusted by default: the request fails, it is not sent unverified
    with ApiClient(url, token="t", client_cert=pki / "client.pem", client_key=pki / "client.key",
                   deadline=5) as c:
        with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            c.units()
    # without the client certificate the server refuses the handshake
    with ApiClient(url, token="t", ca_bundle=pki / "ca.pem", deadline=5) as c:
        with pytest.raises(NetworkError):
            c.units()


def test_tls_configuration_errors(pki, tmp_path):
    with pytest.raises(ClientConfigError, match="not https"):
        ApiClient("http://127.0.0.1:1/api/v1", client_cert=pki / "client.pem", client_key=pki / "client.key")
    with pytest.raises(ClientConfigError, match="client_key is set without"):
        ApiClient("https://127.0.0.1:1/api/v1", client_key=pki / "client.key")
    with pytest.raises(ClientConfigError, match="not found"):
        ApiClient("https://127.0.0.1:1/api/v1", ca_bundle=tmp_path / "nope.pem")
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(ClientConfigError, match="cannot load"):
        ApiClient("https://127.0.0.1:1/api/v1", client_cert=tmp_path / "junk.pem")
    with pytest.raises(ClientConfigError, match="http"):
        ApiClient("ftp://example/api")
    # an encrypted key is an error, not a passphrase prompt on the terminal
    with pytest.raises(ClientConfigError, match="cannot load"):
        ApiClient("https://127.0.0.1:1/api/v1", client_cert=pki / "client.pem", client_key=pki / "client-enc.key")
