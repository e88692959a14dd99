"""``direkt-tui check-api`` against the simulator over loopback: it passes on the real one, and on
a deliberately broken one it fails naming the check for each kind of breakage — while the chaos
the contract allows (items sent again, older versions re-sent, small pages) is never a failure."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest
from conftest import SCENARIOS, SHARED

from direkt_tui.checkapi import cli as checkapi_cli
from direkt_tui.checkapi.checks import FAIL, PASS
from direkt_tui.sim import SimServer, generate_world, load_scenario

TOKEN = "check-token"
SC01 = next(p for p in SCENARIOS if p.stem.startswith("01"))


def _serve(world, **faults):
    if faults:
        world.set_faults(**faults)
    return SimServer(world, port=0, token=TOKEN)


def _args(api: str, **kw) -> Namespace:
    """check-api's parsed arguments: JSON output, small pages, no writes unless given."""
    return Namespace(**{"api": api, "token_file": None, "writes": False, "unit": None, "limit": 5, "format": "json",
                        "spec": None, "ca_bundle": None, "timeout": 10.0, **kw})


def _run(base_url: str, *extra: str, monkeypatch) -> tuple[int, dict]:
    monkeypatch.setenv("DIREKT_API_TOKEN", TOKEN)
    args = _args(base_url, writes="--writes" in extra)
    if "--writes" in extra:
        args.unit = extra[extra.index("--writes") + 1]
    out, err = io.StringIO(), io.StringIO()
    code = checkapi_cli.run(args, out=out, err=err)
    assert err.getvalue() == "", err.getvalue()
    return code, json.loads(out.getvalue())


def _status(doc: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in doc["checks"]}


def test_the_bundled_contract_is_the_shared_one():
    bundled = Path(checkapi_cli.__file__).with_name("openapi.yaml")
    assert bundled.read_bytes() == (SHARED / "api" / "openapi.yaml").read_bytes()


def test_the_simulator_passes_every_check_with_writes(monkeypatch):
    with _serve(load_scenario(SC01)) as srv:
        code, doc = _run(srv.base_url, "--writes", "vc-kungsgatan", monkeypatch=monkeypatch)
    st = _status(doc)
    assert code == 0 and doc["passed"] is True, [c for c in doc["checks"] if c["status"] == FAIL]
    for cid in ("health", "auth", "capabilities", "units", "templates", "errors", "write.idempotent",
                "write.if_version", "write.held_by_person", *(f"{f}.{k}" for f in ("staff", "shifts", "cases")
                                                               for k in ("paging", "schema", "stable", "cursor",
                                                                         "unknown_cursor"))):
        assert st[cid] == PASS, (cid, doc)
    assert st["server_time"] in ("pass", "warn")  # a frozen scenario clock may be days from ours


def test_chaos_the_contract_allows_is_not_a_failure(monkeypatch):
    world = generate_world(seed=3, start="2026-11-26T09:00:00Z", speed=0, preload_cases=40)
    with _serve(world, repeat_rate=0.3, old_version_rate=0.3, max_page_size=3) as srv:
        code, doc = _run(srv.base_url, monkeypatch=monkeypatch)
    assert code == 0, [c for c in doc["checks"] if c["status"] == FAIL]


@pytest.mark.parametrize(
    ("mode", "failing"),
    [
        ("no_410", {"staff.unknown_cursor", "shifts.unknown_cursor", "cases.unknown_cursor"}),
        ("version_drift", {"staff.stable", "shifts.stable", "cases.stable"}),
        ("missing_fields", {"units", "staff.schema", "shifts.schema", "cases.schema"}),
        ("naive_timestamps", {"units", "staff.schema", "shifts.schema", "cases.schema"}),
        ("non_idempotent", {"write.idempotent"}),
    ],
)
def test_each_breakage_is_named(mode, failing, monkeypatch):
    with _serve(load_scenario(SC01), broken=[mode]) as srv:
        code, doc = _run(srv.base_url, "--writes", "vc-kungsgatan", monkeypatch=monkeypatch)
    failed = {c["id"] for c in doc["checks"] if c["status"] == FAIL}
    assert code == 1 and doc["passed"] is False
    assert failed == failing, doc["checks"]


def test_an_unreachable_server_is_one_failure_not_a_traceback(monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, doc = _run(f"http://127.0.0.1:{port}/api/v1", monkeypatch=monkeypatch)
    assert code == 1 and [c["id"] for c in doc["checks"]] == ["reachable"]
    assert "ConnectError" in doc["checks"][0]["why"]


def test_the_command_line(tmp_path):
    """The real `direkt-tui check-api` and `sim --broken` processes."""
    exe = Path(sys.executable).parent / "direkt-tui"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "direkt_tui.cli"]
    p = subprocess.run([*cmd, "check-api", "--api", "http://127.0.0.1:9/api/v1", "--writes"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.strip() == (
        "direkt-tui check-api: --writes needs --unit TEST_UNIT (writes touch a test unit only)")
    with _serve(load_scenario(SC01), broken=["no_410"]) as srv:
        token = tmp_path / "token"
        token.write_text(TOKEN)
        token.chmod(0o600)
        p = subprocess.run([*cmd, "check-api", "--api", srv.base_url, "--token-file", str(token)],
                           capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    lines = p.stdout.splitlines()
    assert any(line.startswith("FAIL  cases.unknown_cursor") and "HTTP 200, expected 410" in line for line in lines)
    assert lines[-1].startswith("FAILED: ")


def test_throttling_is_waited_out_as_retry_after_says(monkeypatch):
    """A 429 every fifth request (Retry-After: 1) is honoured, not a failure."""
    import httpx

    from direkt_tui.checkapi.checks import run_checks

    waits: list[float] = []
    with _serve(load_scenario(SC01), rate_limit_every=5) as srv:
        with httpx.Client(base_url=srv.base_url + "/", headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            run = run_checks(c, srv.base_url, writes_unit="vc-kungsgatan", sleep=waits.append)
    st = {c.id: c.status for c in run.checks}
    assert run.passed, [c for c in run.checks if c.status == FAIL]
    assert st["retry_after"] == PASS and waits and set(waits) == {1}


def test_the_write_checks_hold_on_any_test_case(monkeypatch):
    """A generated day at night (nobody on shift): the write checks pass or say why they could
    not run, never fail a conforming adapter (force is sent; a wrong version is current + 1)."""
    world = generate_world(seed=5, start="2026-11-26T00:30:00Z", speed=0, preload_cases=30)
    with _serve(world) as srv:
        units = [u["id"] for u in world.list_units()]
        for unit in units:
            code, doc = _run(srv.base_url, "--writes", unit, monkeypatch=monkeypatch)
            assert code == 0, (unit, [c for c in doc["checks"] if c["status"] == FAIL])


def test_an_unknown_write_unit_fails_and_writes_nothing(monkeypatch):
    world = load_scenario(SC01)
    with _serve(world) as srv:
        before = {k: v["version"] for k, v in world.entities("cases").items()}
        code, doc = _run(srv.base_url, "--writes", "vc-nowhere", monkeypatch=monkeypatch)
        assert {k: v["version"] for k, v in world.entities("cases").items()} == before
    assert code == 1 and [c["id"] for c in doc["checks"] if c["status"] == FAIL] == ["write.unit"]


def test_an_explicit_token_file_wins_over_the_environment(tmp_path, monkeypatch):
    """The shell's DIREKT_API_TOKEN (say, production's) never goes to the adapter under test
    when --token-file names its token."""
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-token")
    wrong.chmod(0o600)
    monkeypatch.setenv("DIREKT_API_TOKEN", TOKEN)  # would pass, if it were used
    with _serve(load_scenario(SC01)) as srv:
        args = _args(srv.base_url, token_file=wrong)
        out, err = io.StringIO(), io.StringIO()
        assert checkapi_cli.run(args, out=out, err=err) == 1
    assert {c["id"]: c["status"] for c in json.loads(out.getvalue())["checks"]}["capabilities"] == FAIL


@pytest.mark.parametrize("spec", ["openapi: [unclosed\n", "openapi: 3.1.0\ninfo: {title: x}\n"])
def test_a_bad_spec_is_one_line(tmp_path, spec):
    path = tmp_path / "spec.yaml"
    path.write_text(spec)
    args = _args("http://127.0.0.1:9/api/v1", spec=path)
    out, err = io.StringIO(), io.StringIO()
    assert checkapi_cli.run(args, out=out, err=err) == 2
    assert out.getvalue() == "" and len(err.getvalue().splitlines()) == 1 and "cannot read the contract" in err.getvalue()
