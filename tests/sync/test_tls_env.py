"""TLS trust (issue 10 §6): with ``api.ca_bundle`` set, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` from
the environment are ignored; without it, the CA source in use is named by ``sync -v``.

A real TLS server on 127.0.0.1: a TLS front made in the test (a certificate from a CA made by
``trustme``) that forwards the bytes to the simulator, so ``sync --once`` runs end to end over
HTTPS. The environment's ``SSL_CERT_FILE`` points to a bundle of a different CA, which would
make every handshake fail if it were used.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

trustme = pytest.importorskip("trustme")

from sync.support import TOKEN, make_world, store_versions, world_versions  # noqa: E402

from direkt_tui.sim.server import SimServer  # noqa: E402
from direkt_tui.sync.client import ApiClient, NetworkError  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


class TlsFront:
    """TLS on 127.0.0.1:port in front of a plain TCP service (the simulator)."""

    def __init__(self, ctx: ssl.SSLContext, target_port: int):
        self.ctx = ctx
        self.target = ("127.0.0.1", target_port)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.handshakes_failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> TlsFront:
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            self.handshakes_failed += 1
            conn.close()
            return
        up = socket.create_connection(self.target, timeout=10)

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.close()
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(up, tls), daemon=True).start()
        pump(tls, up)

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.fixture
def pki(tmp_path):
    """The server's CA (its bundle in ca.pem) and an unrelated CA's bundle (wrong.pem)."""
    ca = trustme.CA()
    other = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_ctx)
    right, wrong = tmp_path / "ca.pem", tmp_path / "wrong.pem"
    ca.cert_pem.write_to_path(str(right))
    other.cert_pem.write_to_path(str(wrong))
    return {"server_ctx": server_ctx, "right": right, "wrong": wrong}


def ca_dir(bundle: Path) -> Path:
    """An OpenSSL CA directory holding the certificate of ``bundle`` under its subject hash
    (what ``c_rehash`` makes), for SSL_CERT_DIR."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a CA directory")
    pem = bundle.read_bytes()
    subject_hash = subprocess.run([openssl, "x509", "-hash", "-noout"], input=pem, capture_output=True, check=True,
                                  timeout=30).stdout.decode().strip()
    d = bundle.with_suffix(".d")
    d.mkdir(exist_ok=True)
    (d / f"{subject_hash}.0").write_bytes(pem)
    return d


@pytest.fixture
def tls_sim(pki):
    sim = SimServer(make_world(n_cases=12), token=TOKEN)
    sim.start()
    front = TlsFront(pki["server_ctx"], sim.port).start()
    yield sim, f"https://127.0.0.1:{front.port}/api/v1", front
    front.stop()
    sim.stop()


def _env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "DIREKT_API_TOKEN")}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(ROOT), DIREKT_API_TOKEN=TOKEN, **extra)
    return env


def _sync(tmp_path: Path, url: str, env: dict, *extra: str, config: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "direkt_tui.cli", "sync", "--once", "--api", url, "--db", str(tmp_path / "s.db"), *extra]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def _config(tmp_path: Path, bundle: Path) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(f'[api]\nca_bundle = "{bundle}"\ndeadline = 10\n', encoding="utf-8")
    return p


# ------------------------------------------------------------------------------- the client
@pytest.mark.parametrize("var", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_ca_bundle_is_used_and_the_environment_ignored(tls_sim, pki, monkeypatch, var):
    _, url, front = tls_sim
    monkeypatch.setenv(var, str(pki["wrong"] if var == "SSL_CERT_FILE" else ca_dir(pki["wrong"])))
    with ApiClient(url, ca_bundle=pki["right"], deadline=10) as client:
        assert client.health().status == 200
        assert "api.ca_bundle" in client.ca_source and str(pki["right"]) in client.ca_source
    assert front.handshakes_failed == 0
    # and the other way round: the environment naming the right CA does not rescue a wrong
    # bundle (it is not added to the bundle either)
    monkeypatch.setenv(var, str(pki["right"] if var == "SSL_CERT_FILE" else ca_dir(pki["right"])))
    with ApiClient(url, ca_bundle=pki["wrong"], deadline=10) as client:
        with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            client.health()


def test_without_a_bundle_the_environment_is_the_source_and_named(tls_sim, pki, monkeypatch):
    _, url, front = tls_sim
    monkeypatch.setenv("SSL_CERT_FILE", str(pki["wrong"]))
    with ApiClient(url, deadline=10) as client:
        assert client.ca_source == f"SSL_CERT_FILE {pki['wrong']}"
        with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            client.health()
    monkeypatch.setenv("SSL_CERT_FILE", str(pki["right"]))
    with ApiClient(url, deadline=10) as client:
        assert client.health().status == 200
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", str(ca_dir(pki["right"])))
    with ApiClient(url, deadline=10) as client:
        assert client.ca_source == f"SSL_CERT_DIR {ca_dir(pki['right'])}"
        assert client.health().status == 200


def test_without_anything_certifi_is_the_source(monkeypatch):
    import certifi

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with ApiClient("https://127.0.0.1:9/api/v1") as client:
        assert client.ca_source == f"certifi {certifi.where()}"
    # plain http uses no CA at all: a broken SSL_CERT_FILE must not stop it
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/bundle.pem")
    with ApiClient("http://127.0.0.1:9/api/v1") as client:
        assert client.ca_source.startswith("none")


def test_a_missing_environment_bundle_is_named(monkeypatch):
    from direkt_tui.sync.client import ClientConfigError

    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/bundle.pem")
    with pytest.raises(ClientConfigError, match="/nonexistent/bundle.pem.*SSL_CERT_FILE"):
        ApiClient("https://127.0.0.1:9/api/v1")


# ------------------------------------------------------------------------------- the command
def test_sync_over_tls_with_a_bundle_ignores_a_wrong_ssl_cert_file(tmp_path, tls_sim, pki):
    sim, url, front = tls_sim
    p = _sync(tmp_path, url, _env(tmp_path, SSL_CERT_FILE=str(pki["wrong"])), "-v",
              config=_config(tmp_path, pki["right"]))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("synced in ")
    assert f"TLS CA certificates: api.ca_bundle {pki['right']}" in p.stderr
    assert "SSL_CERT_FILE/SSL_CERT_DIR ignored" in p.stderr
    assert "Traceback" not in p.stderr and TOKEN not in p.stderr
    assert store_versions(tmp_path / "s.db", "cases") == world_versions(sim.world, "cases")
    assert front.handshakes_failed == 0


def test_sync_v_names_the_environment_as_the_ca_source(tmp_path, tls_sim, pki):
    _, url, _ = tls_sim
    p = _sync(tmp_path, url, _env(tmp_path, SSL_CERT_FILE=str(pki["wrong"])), "-v")
    assert p.returncode == 1, p.stderr
    assert f"TLS CA certificates: SSL_CERT_FILE {pki['wrong']}" in p.stderr
    failures = [line for line in p.stderr.splitlines() if line.startswith("direkt-tui sync: failed")]
    assert len(failures) == 1 and "certificate" in failures[0].lower(), p.stderr
    assert "Traceback" not in p.stderr


def test_sync_without_v_does_not_name_it(tmp_path, tls_sim, pki):
    _, url, _ = tls_sim
    p = _sync(tmp_path, url, _env(tmp_path, SSL_CERT_FILE=str(pki["right"])))
    assert p.returncode == 0, p.stderr
    assert "TLS CA" not in p.stderr and "Traceback" not in p.stderr
