"""Issue 10 §5: the audit log cannot be rewritten without the key.

Real store files tampered with through raw sqlite3, as someone who can write the file would:
drop the triggers, edit an entry, recompute the plain SHA-256 chain and the head. Without the
key (kept outside the store) that fails verification; a printed anchor catches truncation and
rewriting even by someone who has the key; a malformed row is one line and exit 1; an old store
(the plain chain of schema 2) migrates, its old entries checked as plain, new ones keyed.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from direkt_tui.reports.audit import configure_parser, run_audit
from direkt_tui.store import actions, auditkey
from direkt_tui.store.actions import GENESIS, OutboxWrite
from direkt_tui.store.db import Store, _statements
from direkt_tui.store.schema import MIGRATIONS
from outbox.support import AS_OF

ROOT = Path(__file__).resolve().parents[2]
ACTOR = "Anna (s-1)"


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def key_file(tmp_path, monkeypatch):
    """This test's key file (in its own 0700 config directory), never the user's."""
    cfg_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(cfg_home))  # subprocesses: the default place is here
    path = cfg_home / "direkt-tui" / "audit.key"
    saved = auditkey._path
    auditkey.configure(path)
    yield path
    auditkey.configure(saved)


def _fill(s: Store, n: int = 4, start: int = 0) -> None:
    for i in range(start, start + n):
        actions.audit_append(s, AS_OF + timedelta(minutes=i), ACTOR, "reveal_pnr", {"case": f"c-{i}"})


@pytest.fixture
def db(tmp_path, key_file) -> Path:
    """Six keyed entries: four revealed numbers, a queued write and its outcome."""
    path = tmp_path / "data" / "direkt.db"
    with Store(path) as s:
        _fill(s)
        batch = actions.enqueue(s, AS_OF + timedelta(minutes=5), ACTOR, "reassign",
                                [OutboxWrite("assign", {"owner": {"type": "role", "profession": "doctor"},
                                                        "if_version": 1}, case_id="c-1", unit_id="vc-a")])
        (row,) = actions.batch_rows(s, batch)
        actions.finish(s, row.id, AS_OF + timedelta(minutes=6), "done", http_status=200, actor=ACTOR)
    return path


def _run(db: Path | None, command: str = "verify", *anchors: str, lang: str | None = None,
         config: Path | None = None) -> tuple[int, str, str]:
    args = argparse.Namespace(db=db, audit_command=command, anchor=list(anchors), lang=lang, config=config)
    out, err = io.StringIO(), io.StringIO()
    code = run_audit(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None)


def _exec(db: Path, *sql: str | tuple) -> None:
    conn = _raw(db)
    try:
        for statement in sql:
            if isinstance(statement, tuple):
                conn.execute(*statement)
            else:
                conn.execute(statement)
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection) -> list[list]:
    return [list(r) for r in conn.execute(
        "SELECT seq, at, actor, action, subject, detail, outcome, prev_hash, hash, key_id FROM audit ORDER BY seq")]


def _plain(r: list) -> str:
    """The plain SHA-256 of a row, as anyone can compute it (the schema-2 formula)."""
    payload = json.dumps(r[:8], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _rechain(conn: sqlite3.Connection, rows: list[list], hash_of, *, key_id="keep") -> str:
    """Rewrite every row's link and hash with ``hash_of`` (what an attacker recomputes), and
    the head record to match. Returns the new head record."""
    prev = GENESIS
    for r in rows:
        r[7] = prev
        if key_id != "keep":
            r[9] = key_id
        r[8] = hash_of(r)
        conn.execute("UPDATE audit SET actor = ?, prev_hash = ?, hash = ?, key_id = ? WHERE seq = ?",
                     (r[2], r[7], r[8], r[9], r[0]))
        prev = r[8]
    head = f"{rows[-1][0]}:{rows[-1][8]}"
    conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_head'", (head,))
    return head


def _lines(text: str) -> list[str]:
    return text.splitlines()


# -- without the key, a recomputed chain fails -------------------------------------------------
def test_the_intact_keyed_chain_passes(db, key_file):
    assert _run(db) == (0, "Granskningsloggen är hel (6 poster).\n", "")
    with Store(db, read_only=True) as s:
        check = actions.audit_check(s)
        (kid,) = {r[0] for r in s.conn.execute("SELECT DISTINCT key_id FROM audit")}
    assert (check.entries, check.keyed, check.plain, check.plain_until) == (6, 6, 0, 0)
    key = auditkey.load_key(key_file, create=False)
    assert kid == auditkey.key_id(key)


def _recompute_plain(db: Path, *, drop_key_id: bool, all_plain: bool = False) -> None:
    """Edit entry 3 and recompute the plain SHA-256 chain and the head, as anyone with write
    access to the file can."""
    conn = _raw(db)
    try:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("DROP TRIGGER audit_no_delete")
        rows = _rows(conn)
        rows[2][2] = "Mallory"  # entry 3 now says someone else revealed the number
        _rechain(conn, rows, _plain, key_id=None if drop_key_id else "keep")
        if all_plain:  # and claim every entry is from before the key
            conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_plain_until'", (str(rows[-1][0]),))
    finally:
        conn.close()
    # the attacker's chain is a perfect plain SHA-256 chain
    with Store(db, read_only=True) as s:
        rows = _rows(s.conn)
        assert all(r[8] == _plain(r) for r in rows) and all(b[7] == a[8] for a, b in zip(rows, rows[1:]))


@pytest.mark.parametrize("drop_key_id", [False, True])
def test_an_edited_entry_with_a_recomputed_plain_chain_and_head_fails_without_the_key(db, drop_key_id):
    _recompute_plain(db, drop_key_id=drop_key_id)
    code, out, err = _run(db)
    assert code == 1 and err == ""
    assert "Granskningsloggen är hel" not in out
    if drop_key_id:
        first = ("posterna 1–6: saknar nyckelns kontrollsumma fast de kommer efter att nyckeln infördes "
                 "(omskrivna utan nyckeln)")
    else:
        first = "posterna 1–6: innehållet stämmer inte med kontrollsummorna (ändrade)"
    assert _lines(out) == [
        f"Granskningsloggen är inte hel: {first}",
        "Granskningsloggen är inte hel: kedjans huvudpost är inte förseglad med nyckeln (omskriven utan nyckeln)"]
    code, out, _ = _run(db, lang="en")
    assert code == 1 and out.startswith("The audit log is not intact: entries 1–6: ")


def test_a_log_rewritten_as_if_all_of_it_were_from_before_the_key_is_caught_by_an_anchor(db):
    """The one rewrite the store alone cannot expose: every entry turned into the plain chain
    and the boundary moved past them, as a store upgraded and never written since would look.
    ``verify`` says it checked only the plain chain (which anyone can recompute), and any head
    printed since the key was introduced catches it."""
    with Store(db, read_only=True) as s:
        anchor = actions.head_anchor(s)
    _recompute_plain(db, drop_key_id=True, all_plain=True)
    code, out, _ = _run(db)
    assert code == 0 and _lines(out)[1].startswith(
        "Alla 6 poster skrevs före nyckeln och är kontrollerade bara som vanlig SHA-256-kedja, som den som kan "
        "skriva i lagret kan räkna om")
    code, out, _ = _run(db, "verify", anchor)
    assert code == 1 and f"ankaret {anchor}: post 6 är inte den som skrevs ut (loggen har skrivits om)" in out


def test_moving_the_boundary_over_keyed_entries_breaks_them(db):
    """The keyed HMAC covers where the plain entries end: moving it is an edit."""
    _exec(db, "UPDATE sync_state SET value = '2' WHERE key = 'audit_plain_until'")
    code, out, _ = _run(db)
    assert code == 1 and "posterna 1–6: innehållet stämmer inte med kontrollsummorna (ändrade)" in out


def test_a_chain_recomputed_with_another_key_is_not_accepted(db, tmp_path):
    """Someone who makes up their own key (and key id) cannot pass for this installation."""
    other = os.urandom(32)
    other_id = auditkey.key_id(other)
    conn = _raw(db)
    try:
        conn.execute("DROP TRIGGER audit_no_update")
        rows = _rows(conn)
        rows[1][2] = "Mallory"
        _rechain(conn, rows, lambda r: actions.keyed_hash(other, other_id, 0, *r[:8]), key_id=other_id)
        conn.execute("UPDATE sync_state SET value = value || ':' || ? WHERE key = 'audit_head'",
                     (actions._head_seal(other, rows[-1][0], rows[-1][8]),))
    finally:
        conn.close()
    code, out, _ = _run(db)
    assert code == 1
    assert "posterna 1–6: skrivna med en annan nyckel än" in out
    code, out, _ = _run(db, lang="en")
    assert code == 1 and "entries 1–6: written with another key than" in out


def test_cutting_the_end_off_without_the_key_is_found(db):
    conn = _raw(db)
    try:
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute("DELETE FROM audit WHERE seq > 4")
        h = conn.execute("SELECT hash FROM audit WHERE seq = 4").fetchone()[0]
        conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_head'", (f"4:{h}",))
    finally:
        conn.close()
    code, out, _ = _run(db)
    assert code == 1 and _lines(out) == [
        "Granskningsloggen är inte hel: kedjans huvudpost är inte förseglad med nyckeln (omskriven utan nyckeln)"]


# -- anchors: truncation and rewriting after a print, even with the key -------------------------
def _with_key_truncate(db: Path, keep: int) -> None:
    """Someone with the key removes the end and seals a new head for it."""
    key, _kid = auditkey.current_key()
    conn = _raw(db)
    try:
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute("DELETE FROM audit WHERE seq > ?", (keep,))
        h = conn.execute("SELECT hash FROM audit WHERE seq = ?", (keep,)).fetchone()[0]
        conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_head'",
                     (f"{keep}:{h}:{actions._head_seal(key, keep, h)}",))
    finally:
        conn.close()


def _with_key_rewrite(db: Path, seq: int, actor: str) -> None:
    """Someone with the key edits an entry and recomputes the keyed chain and the sealed head."""
    key, kid = auditkey.current_key()
    conn = _raw(db)
    try:
        conn.execute("DROP TRIGGER audit_no_update")
        rows = _rows(conn)
        rows[seq - 1][2] = actor
        _rechain(conn, rows, lambda r: actions.keyed_hash(key, kid, 0, *r[:8]))
        conn.execute("UPDATE sync_state SET value = value || ':' || ? WHERE key = 'audit_head'",
                     (actions._head_seal(key, rows[-1][0], rows[-1][8]),))
    finally:
        conn.close()


def test_an_anchor_holds_while_the_log_is_unchanged(db):
    with Store(db, read_only=True) as s:
        anchor = actions.head_anchor(s)
    assert re.fullmatch(r"6:[0-9a-f]{16}", anchor)
    with Store(db) as s:  # the log goes on after the print
        _fill(s, 2, start=10)
    code, out, err = _run(db, "verify", anchor)
    assert (code, err) == (0, "")
    assert _lines(out) == ["Granskningsloggen är hel (8 poster).",
                           f"Ankaret {anchor} stämmer: post 6 finns kvar oförändrad."]
    code, out, _ = _run(db, "verify", anchor, lang="en")
    assert code == 0 and f"Anchor {anchor} holds: entry 6 is still in the log, unchanged." in out


def test_truncation_after_an_anchor_is_caught_even_with_the_key(db):
    with Store(db, read_only=True) as s:
        anchor = actions.head_anchor(s)  # printed on a shift report: entry 6
    with Store(db) as s:
        _fill(s, 2, start=10)
    _with_key_truncate(db, 4)
    assert _run(db)[0] == 0  # with the key, the shortened log is a consistent log …
    code, out, err = _run(db, "verify", anchor)  # … but not the one that was printed
    assert code == 1 and err == ""
    assert _lines(out) == [f"Granskningsloggen är inte hel: ankaret {anchor}: post 6 finns inte längre i loggen "
                           "(loggen har kortats efter utskriften)"]


def test_rewriting_before_an_anchor_is_caught_even_with_the_key(db):
    with Store(db, read_only=True) as s:
        anchor = actions.head_anchor(s)
    _with_key_rewrite(db, 2, "Mallory")
    assert _run(db)[0] == 0
    code, out, _ = _run(db, "verify", anchor)
    assert code == 1
    assert _lines(out) == [f"Granskningsloggen är inte hel: ankaret {anchor}: post 6 är inte den som skrevs ut "
                           "(loggen har skrivits om)"]


@pytest.mark.parametrize("bad", ["6", "6:", "x:abcdef0123", "6:abc", "6:not-hex-at-all", "-1:abcdef0123"])
def test_a_malformed_anchor_is_one_line_and_exit_2(db, bad):
    code, out, err = _run(db, "verify", bad)
    assert code == 2 and out == "" and len(_lines(err)) == 1 and err.startswith("direkt-tui audit: not an anchor")


def test_the_shift_report_prints_the_anchor_and_it_verifies(scenario_store, key_file, tmp_path):
    from conftest import SCENARIOS, load_scenario

    from direkt_tui.store.shiftlog import sign_off

    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    db = scenario_store(path)
    with Store(db) as s:
        sign_off(s, AS_OF, "start", ["vc-kungsgatan"], "Anna Berg", ["coordinator"], {})
        expected = actions.head_anchor(s)
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(key_file.parent.parent))
    p = subprocess.run([sys.executable, "-m", "direkt_tui.cli", "report", "--db", str(db), "--at", sc["as_of"],
                        "--format", "markdown"], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    assert f"Granskningsloggens huvud: post 1, ankare `{expected}`" in p.stdout
    printed = re.search(r"--anchor (\d+:[0-9a-f]{16})", p.stdout).group(1)
    assert printed == expected
    code, out, err = _run(db, "verify", printed)
    assert code == 0, (out, err)


# -- malformed rows: one line, exit 1, never a traceback -----------------------------------------
@pytest.mark.parametrize("sql, line", [
    ("UPDATE audit SET detail = X'00ff01' WHERE seq = 2", "post 2: felaktig rad – detail är en BLOB"),
    ("UPDATE audit SET subject = 'not json' WHERE seq = 3", "post 3: felaktig rad – subject är inte giltig JSON"),
    ("UPDATE audit SET at = 'yesterday' WHERE seq = 2", "post 2: felaktig rad – at är inte en tidpunkt"),
    ("UPDATE audit SET at = 42 WHERE seq = 2", "post 2: felaktig rad – at är inte en tidpunkt"),
    ("UPDATE audit SET key_id = 7 WHERE seq = 4", "post 4: felaktig rad – key_id är inte ett nyckel-id"),
    ("UPDATE audit SET prev_hash = 'abc' WHERE seq = 4", "post 4: felaktig rad – prev_hash är inte en kontrollsumma"),
    ("UPDATE audit SET key_id = X'01' WHERE seq = 4", "post 4: felaktig rad – key_id är en BLOB"),
    ("UPDATE audit SET actor = X'c3' WHERE seq = 5", "post 5: felaktig rad – actor är en BLOB"),
])
def test_a_malformed_row_is_one_line_and_exit_1(db, sql, line):
    _exec(db, "DROP TRIGGER audit_no_update", sql)
    code, out, err = _run(db)
    assert (code, err) == (1, "")
    assert _lines(out) == [f"Granskningsloggen är inte hel: {line}"]
    code, out, err = _run(db, "list")
    assert code == 1 and err == "" and any(line in x for x in _lines(out))
    assert _lines(out)[-2] == "6 poster, varav 1 felaktiga."
    with Store(db, read_only=True) as s:  # the shift report's reader leaves it out, no exception
        assert len(actions.audit_entries(s)) == 5


def test_a_hash_that_is_not_a_hash_is_one_line(db):
    _exec(db, "DROP TRIGGER audit_no_update", "UPDATE audit SET hash = X'0102' WHERE seq = 6")
    code, out, err = _run(db)
    assert code == 1 and err == ""
    assert "post 6: felaktig rad – hash är en BLOB" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize("value, line", [
    ("garbage", "kedjans huvudpost är felaktig (ändrad)"),
    (None, "kedjans huvudpost är felaktig (ändrad)"),
])
def test_a_malformed_head_record_is_one_line(db, value, line):
    _exec(db, ("UPDATE sync_state SET value = ? WHERE key = 'audit_head'", (value,)))
    code, out, err = _run(db)
    assert (code, err) == (1, "") and _lines(out) == [f"Granskningsloggen är inte hel: {line}"]


def test_a_removed_boundary_record_is_reported(db):
    _exec(db, "DELETE FROM sync_state WHERE key = 'audit_plain_until'")
    code, out, _ = _run(db)
    assert code == 1 and "uppgiften om var posterna från före nyckeln slutar saknas" in out


def test_a_blob_detail_through_the_command_gives_no_traceback(db, key_file):
    _exec(db, "DROP TRIGGER audit_no_update", "UPDATE audit SET detail = X'ff' WHERE seq = 1")
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(key_file.parent.parent))
    for command in ("verify", "list"):
        p = subprocess.run([sys.executable, "-m", "direkt_tui.cli", "audit", command, "--db", str(db)],
                           capture_output=True, text=True, timeout=60, env=env)
        assert p.returncode == 1 and p.stderr == "" and "Traceback" not in p.stdout
        assert "post 1: felaktig rad – detail är en BLOB" in p.stdout


# -- an old store: the plain chain it was, then keyed --------------------------------------------
def _old_store(path: Path, n: int) -> None:
    """A store as schema 2 and the code before the key wrote it: the plain chain and head."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for number in (1, 2):
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
        prev = GENESIS
        for seq in range(1, n + 1):
            at = (AS_OF + timedelta(minutes=seq)).isoformat(timespec="microseconds")
            subject = json.dumps({"case": f"c-{seq}"}, separators=(",", ":"), sort_keys=True)
            row = [seq, at, "Gammal", "reveal_pnr", subject, "{}", "ok", prev]
            h = _plain(row)
            conn.execute("INSERT INTO audit (seq, at, actor, action, subject, detail, outcome, prev_hash, hash) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, h))
            conn.execute("INSERT INTO sync_state (key, value) VALUES ('audit_head', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (f"{seq}:{h}",))
            prev = h
    finally:
        conn.close()


def test_an_old_store_migrates_old_entries_plain_new_ones_keyed(tmp_path, key_file):
    path = tmp_path / "old.db"
    _old_store(path, 4)
    with Store(path) as s:  # the writer upgrades it
        assert s.schema_version == len(MIGRATIONS)
        check = actions.audit_check(s)
        assert check.ok and (check.plain, check.keyed, check.plain_until) == (4, 0, 4)
    assert not key_file.exists()  # checking a plain log needs no key and creates none
    code, out, _ = _run(path)
    assert code == 0 and _lines(out) == [
        "Granskningsloggen är hel (4 poster).",
        f"Alla 4 poster skrevs före nyckeln och är kontrollerade bara som vanlig SHA-256-kedja, som den som kan "
        f"skriva i lagret kan räkna om; nya poster skyddas med nyckeln {key_file} (HMAC-SHA-256)."]
    assert not key_file.exists()
    with Store(path) as s:
        _fill(s, 2, start=20)
        kinds = [r[0] for r in s.conn.execute("SELECT key_id IS NOT NULL FROM audit ORDER BY seq")]
        assert kinds == [0, 0, 0, 0, 1, 1]
    assert key_file.exists()
    code, out, _ = _run(path)
    assert code == 0 and _lines(out) == [
        "Granskningsloggen är hel (6 poster).",
        f"Posterna 1–4 skrevs före nyckeln och är kontrollerade bara som vanlig SHA-256-kedja, som den som kan "
        f"skriva i lagret kan räkna om; posterna 5–6 är skyddade med nyckeln {key_file} (HMAC-SHA-256)."]
    code, out, _ = _run(path, lang="en")
    assert code == 0 and out.startswith("The audit log is intact (6 entries).\nEntries 1–4 were written before the key")


def test_an_old_entry_edited_after_the_migration_is_still_found(tmp_path, key_file):
    path = tmp_path / "old.db"
    _old_store(path, 4)
    with Store(path) as s:
        _fill(s, 2, start=20)
    _exec(path, "DROP TRIGGER audit_no_update", "UPDATE audit SET actor = 'Mallory' WHERE seq = 2")
    code, out, _ = _run(path)
    assert code == 1 and "Granskningsloggen är inte hel: post 2: innehållet stämmer inte med kontrollsumman (ändrad)" in out


def test_a_plain_entry_after_the_boundary_is_rewriting_without_the_key(tmp_path, key_file):
    """Appending (or replacing the end) the old way, without the key, is found."""
    path = tmp_path / "old.db"
    _old_store(path, 3)
    with Store(path) as s:
        _fill(s, 1, start=20)
    conn = _raw(path)
    try:
        prev = conn.execute("SELECT hash FROM audit WHERE seq = 4").fetchone()[0]
        row = [5, (AS_OF + timedelta(hours=1)).isoformat(), "Mallory", "reveal_pnr", '{"case":"c-9"}', "{}", "ok", prev]
        h = _plain(row)
        conn.execute("INSERT INTO audit (seq, at, actor, action, subject, detail, outcome, prev_hash, hash) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, h))
        conn.execute("UPDATE sync_state SET value = ? WHERE key = 'audit_head'", (f"5:{h}",))
    finally:
        conn.close()
    code, out, _ = _run(path)
    assert code == 1
    assert _lines(out)[:2] == [
        "Granskningsloggen är inte hel: post 5: saknar nyckelns kontrollsumma fast den kommer efter att nyckeln "
        "infördes (omskriven utan nyckeln)",
        "Granskningsloggen är inte hel: kedjans huvudpost är inte förseglad med nyckeln (omskriven utan nyckeln)"]


# -- the key file ------------------------------------------------------------------------------
def test_the_key_is_created_0600_in_a_0700_directory_and_never_printed(db, key_file):
    st = key_file.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    text = key_file.read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", text)
    outputs = [_run(db), _run(db, "list"), _run(db, lang="en")]
    with Store(db, read_only=True) as s:
        stored = "".join(str(v) for r in s.conn.execute("SELECT * FROM audit") for v in r)
        stored += "".join(str(v) for r in s.conn.execute("SELECT * FROM sync_state") for v in r)
    for code, out, err in outputs:
        assert text not in out + err
    assert text not in stored


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o666])
def test_a_key_others_may_read_is_refused_in_one_line(db, key_file, mode):
    os.chmod(key_file, mode)
    code, out, err = _run(db)
    assert code == 2 and out == ""
    assert len(_lines(err)) == 1 and str(key_file) in err and f"chmod 600 {key_file}" in err
    # a writer refuses too, and writes nothing (the audit entry and its row go together)
    auditkey.configure(key_file)  # forget the key read before
    from direkt_tui.store.shiftlog import sign_off, signoffs

    with Store(db) as s:
        with pytest.raises(auditkey.AuditKeyError, match="chmod 600"):
            sign_off(s, AS_OF, "start", ["vc-a"], "Anna", [], {})
        assert signoffs(s) == [] and len(actions.audit_entries(s)) == 6


def test_a_refused_key_stops_sync_at_start_in_one_line(db, key_file):
    os.chmod(key_file, 0o644)
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(key_file.parent.parent),
               DIREKT_API_TOKEN="t")
    p = subprocess.run([sys.executable, "-m", "direkt_tui.cli", "sync", "--once", "--db", str(db),
                        "--api", "http://127.0.0.1:9/api/v1"], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1
    assert "chmod 600" in p.stderr and str(key_file) in p.stderr and "Traceback" not in p.stderr


def test_a_file_that_is_not_a_key_is_refused(db, key_file):
    key_file.write_text("hunter2\n")
    auditkey.configure(key_file)
    code, out, err = _run(db)
    assert code == 2 and out == "" and len(_lines(err)) == 1 and "does not hold a direkt-tui audit key" in err
    assert "hunter2" not in err


def test_a_missing_key_with_keyed_entries_is_one_line_and_not_created(db, key_file):
    key_file.unlink()
    auditkey.configure(key_file)
    code, out, err = _run(db)
    assert code == 2 and out == "" and len(_lines(err)) == 1
    assert str(key_file) in err and "does not exist" in err
    assert not key_file.exists()


def test_the_key_path_comes_from_the_configuration(tmp_path, key_file):
    elsewhere = tmp_path / "secrets" / "direkt-audit.key"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[audit]\nkey_file = "{elsewhere}"\n', encoding="utf-8")
    from direkt_tui.config import load_config

    path = auditkey.configure_from(load_config(cfg))
    assert path == elsewhere and not elsewhere.exists()  # not created until first use
    db = tmp_path / "c.db"
    with Store(db) as s:
        _fill(s, 2)
    assert elsewhere.exists() and not key_file.exists()
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600
    assert stat.S_IMODE(elsewhere.parent.stat().st_mode) == 0o700
    auditkey.configure(None)
    assert _run(db, config=cfg)[0] == 0
    # with the default key (another one) the entries are someone else's
    with Store(tmp_path / "other.db") as s:
        auditkey.configure(key_file)
        _fill(s, 1)
    code, out, _ = _run(db)
    assert code == 1 and "posterna 1–2: skrivna med en annan nyckel än" in out


def test_creating_the_key_is_race_free(tmp_path):
    path = tmp_path / "cfg" / "direkt-tui" / "audit.key"
    start = threading.Barrier(8)
    got: list[bytes] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            start.wait()
            got.append(auditkey.load_key(path, create=True))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(got) == 8 and len(set(got)) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["audit.key"]  # no temporary files left
    # a later creation never replaces the key
    auditkey._create(path)
    assert auditkey.load_key(path, create=False) == got[0]
    assert sorted(p.name for p in path.parent.iterdir()) == ["audit.key"]


def test_the_key_id_does_not_reveal_the_key():
    key = bytes(range(32))
    kid = auditkey.key_id(key)
    assert re.fullmatch(r"[0-9a-f]{16}", kid) and kid not in key.hex()
    assert kid == hmac.new(key, b"direkt-tui audit key id", hashlib.sha256).hexdigest()[:16]


def test_the_command_line_has_anchor_lang_and_config(db, key_file):
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    a = parser.parse_args(["verify", "--db", str(db), "--anchor", "1:abcdef01", "--anchor", "2:abcdef02",
                           "--lang", "en"])
    assert a.anchor == ["1:abcdef01", "2:abcdef02"] and a.lang == "en"
    from direkt_tui.cli import build_parser

    b = build_parser("audit").parse_args(["audit", "verify", "--anchor", "3:0123456789abcdef", "--db", str(db)])
    assert b.anchor == ["3:0123456789abcdef"]


def test_list_shows_control_characters_instead_of_sending_them(tmp_path, key_file):
    db = tmp_path / "esc.db"
    with Store(db) as s:
        actions.audit_append(s, AS_OF, "Mallory\x1b[2J\nAnna", "reveal_pnr", {"case": "c-7"})
    code, out, _ = _run(db, "list")
    assert code == 0 and "\x1b" not in out
    (row,) = [line for line in _lines(out) if line.startswith("1 ") and "2026" in line]
    assert "Mallory\\x1b[2J\\x0aAnna" in row and "c-7" in row and "Visat personnummer" in row
