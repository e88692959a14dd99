"""Issue 10 §5 in the application: signing a checklist off shows the audit chain's head (the
anchor to note down), and that anchor verifies; a key file that cannot be used denies the
sign-off and the revealed number in a message, writes nothing and never crashes the app."""

from __future__ import annotations

import argparse
import io
import os
import re

import pytest

from direkt_tui.reports.audit import run_audit
from direkt_tui.store import actions, auditkey
from direkt_tui.store.shiftlog import signoffs

from .conftest import SIZE, settle


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    cfg_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(cfg_home))
    path = cfg_home / "direkt-tui" / "audit.key"
    saved = auditkey._path
    auditkey.configure(path)
    yield path
    auditkey.configure(saved)


def _verify(db, *anchors: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_audit(argparse.Namespace(db=db, audit_command="verify", anchor=list(anchors), lang=None, config=None),
                     out=out, err=err)
    return code, out.getvalue() + err.getvalue()


async def test_a_sign_off_shows_the_chain_head_and_it_verifies(live_app, key_file):
    app, _world, live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert len(signoffs(live.store)) == 1
        expected = actions.head_anchor(live.store)
        messages = [n.message for n in app._notifications]
    shown = [m for m in messages if "Granskningsloggens huvud:" in m]
    assert shown and shown[-1].splitlines()[-1] == f"Granskningsloggens huvud: {expected}"
    assert re.fullmatch(r"\d+:[0-9a-f]{16}", expected)
    code, out = _verify(live.store.path, expected)
    assert code == 0 and f"Ankaret {expected} stämmer" in out


async def test_a_refused_key_denies_the_sign_off_without_a_crash(live_app, key_file):
    key_file.parent.mkdir(parents=True, mode=0o700)
    key_file.write_text(os.urandom(32).hex() + "\n")
    os.chmod(key_file, 0o644)
    auditkey.configure(key_file)
    app, _world, live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert app.is_running
        assert signoffs(live.store) == [] and actions.audit_entries(live.store) == []
        assert not app.reveal_pnr("c-1")
        messages = [n.message for n in app._notifications]
    assert any("chmod 600" in m and str(key_file) in m for m in messages)
    assert len(actions.audit_entries(live.store)) == 0
