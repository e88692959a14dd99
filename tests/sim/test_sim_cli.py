"""``python -m direkt_tui.sim`` / ``direkt_tui.sim.cli``: serve, stop on SIGTERM, clear errors."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys

import httpx
import pytest
from sim.sim_support import SCENARIOS

from direkt_tui.sim import cli


def spawn(*args, env=None):
    e = dict(os.environ)
    e.pop("DIREKT_API_TOKEN", None)
    e.update(env or {})
    return subprocess.Popen([sys.executable, "-m", "direkt_tui.sim", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)


def served_url(proc) -> str:
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+/api/v1)", line)
    assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
    return m.group(1)


@pytest.mark.parametrize("args,token,env", [
    (["--scenario", str(SCENARIOS[1])], "demo", {}),
    (["--seed", "3", "--speed", "120", "--token", "abc", "--preload-cases", "50"], "abc", {}),
    (["--seed", "3", "--start", "2026-11-26T07:30"], "from-env", {"DIREKT_API_TOKEN": "from-env"}),
])
def test_serves_until_sigterm(args, token, env):
    proc = spawn("--port", "0", *args, env=env)
    try:
        url = served_url(proc)
        assert httpx.get(url + "/health").json()["status"] == "ok"
        r = httpx.get(url + "/cases", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["items"]
        assert httpx.get(url + "/cases", headers={"Authorization": "Bearer x"}).status_code == 401
        if "--start" in args:
            assert r.headers["x-server-time"].startswith("2026-11-26T06:3")
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=10)
    assert rc == 0


@pytest.mark.parametrize("args,needle", [
    (["--scenario", "/no/such/file.json"], "not found"),
    (["--host", "0.0.0.0"], "127.0.0.1"),
    (["--scenario", str(SCENARIOS[0]), "--seed", "1"], "exclude"),
    (["--max-page-size", "5000"], "max-page-size"),
])
def test_bad_arguments_exit_2_with_one_line(args, needle):
    proc = spawn("--port", "0", *args)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], err


def test_port_in_use_exits_2():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        proc = spawn("--port", str(port), "--scenario", str(SCENARIOS[0]))
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and "in use" in err


def test_configure_parser_defaults(monkeypatch):
    p = argparse.ArgumentParser()
    cli.configure_parser(p)
    a = p.parse_args([])
    assert a.port == 8024 and a.host == "127.0.0.1" and a.speed == 1.0 and a.scenario is None
    a = p.parse_args(["--outage", "12:00-12:30", "--outage", "16:00-16:05", "--repeat-rate", "0.2"])
    assert a.outage == ["12:00-12:30", "16:00-16:05"] and a.repeat_rate == 0.2
    with pytest.raises(SystemExit):
        p.parse_args(["--outage", "noon"])
    monkeypatch.setenv("DIREKT_API_TOKEN", "envtok")
    world, server, what = cli.build(p.parse_args(["--scenario", str(SCENARIOS[0]), "--port", "0",
                                                  "--latency-ms", "5", "--outage", "01:00-02:00"]))
    assert server.token == "envtok" and world.faults.latency_ms == 5
    assert world.faults.outage_windows == ["01:00-02:00"] and "2026-11-26T14:30:00+01:00" in what
