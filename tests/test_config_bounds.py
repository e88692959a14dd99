"""Every configured number that bounds a time or a size is finite and in a sensible range
(issue 10 §6): ``inf``, ``nan`` and ``1e308`` are valid TOML, and ``api.deadline = inf`` used to
remove the request deadline, so a trickling server held a sync for minutes."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from direkt_tui.config import ConfigError, load_config
from direkt_tui.sync.client import ApiClient, ClientConfigError

ROOT = Path(__file__).resolve().parent.parent

NOT_FINITE = ["inf", "-inf", "nan", "+inf", "1e308"]

# (section, key, accepted values, refused values besides NOT_FINITE)
NUMBERS = [
    ("api", "deadline", ["0.5", "20", "300"], ["0", "-1", "300.5", "true", '"20"']),
    ("api", "connect_timeout", ["0.1", "300"], ["0", "301"]),
    ("api", "read_timeout", ["10", "300"], ["0", "1000"]),
    ("api", "write_timeout", ["10"], ["-0.1", "86400"]),
    ("sync", "feed_interval_seconds", ["0.1", "0.4", "15", "3600"], ["0", "0.05", "3601"]),
    ("sync", "reference_interval_seconds", ["0.1", "300", "86400"], ["0", "0.01", "86401"]),
    ("sync", "retention_days", ["1", "30", "3650"], ["0", "1.5", "3651", "1e6"]),
    ("sync", "page_size", ["1", "500", "1000"], ["0", "1001", "10.5"]),
]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _cases(accepted: bool):
    for section, key, ok, bad in NUMBERS:
        for value in (ok if accepted else bad + NOT_FINITE):
            yield pytest.param(section, key, value, id=f"{key}={value}")


@pytest.mark.parametrize("section,key,value", list(_cases(accepted=False)))
def test_refused_with_one_line_naming_key_and_file(tmp_path, section, key, value):
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, f"[{section}]\n{key} = {value}\n"))
    message = str(exc.value)
    assert "\n" not in message
    assert key in message and "config.toml" in message and f"[{section}]" in message


@pytest.mark.parametrize("section,key,value", list(_cases(accepted=True)))
def test_sensible_values_are_accepted(tmp_path, section, key, value):
    cfg = load_config(write(tmp_path, f"[{section}]\n{key} = {value}\n"))
    got = getattr(getattr(cfg, section), key)
    assert math.isfinite(got) and got == float(value)


@pytest.mark.parametrize("rules,needle", [
    ('response_limits = { "1" = inf }', "response_limits.1"),          # int(inf): OverflowError
    ('response_limits = { "3" = 1e308 }', "response_limits.3"),
    ('response_limits = { "2" = nan }', "response_limits.2"),
    ("shift_end_warning_minutes = inf", "shift_end_warning_minutes"),  # timedelta(minutes=inf)
    ("close_warning_minutes = 1e308", "close_warning_minutes"),
    ("long_absence_hours = 1e308", "long_absence_hours"),
    ("min_open_working_hours = inf", "min_open_working_hours"),
    ("stale_after_minutes = 1e12", "stale_after_minutes"),
    ("load_thresholds = [4, 8, inf]", "load_thresholds"),
])
@pytest.mark.parametrize("table", ["[rules]", '[units."vc-a".rules]'])
def test_rule_parameters_are_finite_and_bounded(tmp_path, rules, needle, table):
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, f"{table}\n{rules}\n"))
    assert needle in str(exc.value) and "config.toml" in str(exc.value)


def test_sensible_rule_parameters_still_load(tmp_path):
    cfg = load_config(write(tmp_path, "[rules]\nresponse_limits = { \"4\" = 2400 }\nlong_absence_hours = 96\n"
                                      "load_thresholds = [3, 6.5, 10]\nmin_open_working_hours = 4.5\n"))
    assert cfg.rules.response_limits["4"] == 2400 and cfg.rules.long_absence_hours == 96
    assert cfg.rules.load_thresholds == (3.0, 6.5, 10.0)


@pytest.mark.parametrize("kw", [dict(deadline=math.inf), dict(deadline=math.nan), dict(deadline=1e308),
                                dict(deadline=0), dict(read_timeout=math.inf), dict(connect_timeout=-1),
                                dict(write_timeout=math.nan), dict(pool_timeout=math.inf)])
def test_the_client_refuses_an_unbounded_deadline_or_timeout(kw):
    with pytest.raises(ClientConfigError, match=next(iter(kw))):
        ApiClient("http://127.0.0.1:9/api/v1", **kw)


class _Trickle:
    """A server that accepts and then sends one byte every 0.5 s (never a whole answer)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        try:
            conn.recv(65536)
            for b in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000:
                if self._stop.wait(0.5):
                    break
                conn.sendall(bytes([b]))
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self._stop.set()
        self.sock.close()


@pytest.mark.parametrize("value", ["inf", "nan", "1e308"])
def test_sync_with_an_unbounded_deadline_is_refused_before_any_request(tmp_path, value):
    trickle = _Trickle()
    try:
        cfg = write(tmp_path, f"[api]\ndeadline = {value}\n")
        env = {k: v for k, v in os.environ.items() if k != "DIREKT_API_TOKEN"}
        env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"),
                   PYTHONPATH=str(ROOT), DIREKT_API_TOKEN="t")
        p = subprocess.run([sys.executable, "-m", "direkt_tui.cli", "sync", "--once", "--config", str(cfg),
                            "--api", f"http://127.0.0.1:{trickle.port}/api/v1", "--db", str(tmp_path / "s.db")],
                           env=env, capture_output=True, text=True, timeout=120)
    finally:
        trickle.stop()
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and "deadline" in lines[0] and "300" in lines[0], p.stderr
    assert trickle.accepted == 0
    assert not (tmp_path / "s.db").exists()
