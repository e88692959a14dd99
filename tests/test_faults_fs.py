"""File-system and store faults end a command with one line and exit 2, never a traceback
(issue 10 §6), and schema creation is race-free.

All on real files, through the real command (subprocesses) against the simulator on 127.0.0.1:

- random bytes inside database pages: text that is not UTF-8 in the case rows and the audit
  log (SQLite's own structure intact), and a case page smashed (SQLite: "malformed");
- a full disk: a small tmpfs in a private mount namespace (``unshare -m``) when the test may
  mount, and always SQLite's own limit ``PRAGMA max_page_count`` (set on every connection of
  the command's process by a small launcher);
- a read-only file system: a read-only bind mount in a private mount namespace (skipped when
  mounting is not permitted; a non-root user falls back to a read-only directory). Root ignores
  file permissions, so nothing here relies on ``chmod`` as root;
- two ``sync --once`` creating the same new store at once, ten times; and two processes
  upgrading the same old store at once.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import SCENARIOS, ingest_scenario, load_scenario
from sync.support import TOKEN, make_world, store_versions, world_versions

from direkt_tui.sim.server import SimServer
from direkt_tui.store.db import Store
from direkt_tui.store.schema import MIGRATIONS, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
AT = "2026-11-26T14:30:00+01:00"
# what the world of sync.support holds about its patients (never in an error message)
PATIENT_TEXT = ("Testperson", "19800505", "070-000 00 01")
ACTOR = "Anna Berg"
REASON = "Förkylning"


# ------------------------------------------------------------------------------- helpers
def env_for(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DIREKT_API_TOKEN", "SSL_CERT_FILE", "SSL_CERT_DIR")}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(ROOT), DIREKT_API_TOKEN=TOKEN)
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "direkt_tui.cli", *args]


def run(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), env=env_for(tmp_path), capture_output=True, text=True, timeout=timeout)


def problem_lines(stderr: str) -> list[str]:
    """stderr without the simulator's frozen-clock warning (its clock stands at 2026-11-26)."""
    return [line for line in stderr.splitlines() if "platform's clock differs" not in line]


def assert_one_line_exit_2(p: subprocess.CompletedProcess, *needles: str) -> str:
    lines = problem_lines(p.stderr)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr, p.stderr
    assert len(lines) == 1, p.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def sim():
    server = SimServer(make_world(), token=TOKEN)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def big_sim():
    """Enough cases that recording the findings after the feeds needs pages of its own."""
    server = SimServer(make_world(n_cases=1500), token=TOKEN)
    server.start()
    yield server
    server.stop()


def synced_store(tmp_path: Path, sim: SimServer, name: str = "s.db") -> Path:
    """A store filled by a real ``sync --once``, three audit entries, all checkpointed into the
    main file (no -wal left)."""
    db = tmp_path / name
    p = run(tmp_path, "sync", "--once", "--api", sim.base_url, "--db", str(db))
    assert p.returncode == 0, p.stderr
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for seq in (1, 2, 3):  # plain entries of the audit table, as an older program wrote them
            conn.execute("INSERT INTO audit (seq, at, actor, action, subject, detail, outcome, prev_hash, hash) "
                         "VALUES (?, '2026-11-26T13:00:00.000000+00:00', ?, 'reveal', '\"c-1\"', '{}', 'ok', ?, ?)",
                         (seq, ACTOR, "0" * 64, f"{seq:064x}"))
        conn.execute("UPDATE sync_state SET value = '3' WHERE key = 'audit_plain_until'")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return db


def smash_text(db: Path, needles: tuple[str, ...], seed: int) -> int:
    """Overwrite every stored copy of these strings with random bytes that are not UTF-8 (the
    record headers around them intact, so SQLite hands the bytes over as text)."""
    raw = bytearray(db.read_bytes())
    rnd = random.Random(seed)
    count = 0
    for needle in needles:
        b = needle.encode("utf-8")
        i = raw.find(b)
        while i >= 0:
            raw[i:i + len(b)] = bytes([0xFF] + [rnd.randrange(0x80, 0x100) for _ in range(len(b) - 1)])
            count += 1
            i = raw.find(b, i + len(b))
    db.write_bytes(bytes(raw))
    return count


def case_pages(db: Path) -> list[int]:
    """The b-tree leaf pages holding rows of the table ``cases``."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            return [p for (p,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'cases' AND pagetype = 'leaf' ORDER BY pageno")]
        except sqlite3.OperationalError:  # SQLite built without dbstat: the pages that hold case ids
            size = conn.execute("PRAGMA page_size").fetchone()[0]
            raw = db.read_bytes()
            pages = sorted({raw.find(f'"c-{i}"'.encode()[1:-1]) // size + 1 for i in range(5)} - {0})
            return pages
    finally:
        conn.close()


def smash_page(db: Path, page: int, seed: int) -> None:
    """Random bytes over the second half of a page (its cell content); the page header and the
    file header stay as they were."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((page - 1) * size + size // 2)
        f.write(random.Random(seed).randbytes(size // 2))


# ------------------------------------------------------------------------------- damaged pages
def test_text_that_is_not_utf8_in_cases_and_audit_is_one_line_everywhere(tmp_path, sim):
    db = synced_store(tmp_path, sim)
    assert smash_text(db, (REASON, ACTOR, "Testperson 1"), seed=10) >= 3
    for args in (("report", "--db", str(db), "--at", AT),
                 ("calllist", "--db", str(db), "--at", AT),
                 ("audit", "verify", "--db", str(db)),
                 ("audit", "list", "--db", str(db)),
                 ("sync", "--once", "--api", sim.base_url, "--db", str(db))):
        p = run(tmp_path, *args)
        line = assert_one_line_exit_2(p, str(db), "damaged")
        assert "UTF-8" in line
        for text in PATIENT_TEXT + (ACTOR[:4],):  # the damaged value is never quoted
            assert text not in p.stderr


def test_a_smashed_case_page_is_one_line_everywhere(tmp_path, sim):
    db = synced_store(tmp_path, sim)
    pages = case_pages(db)
    assert pages
    smash_page(db, pages[0], seed=3)
    for args in (("report", "--db", str(db), "--at", AT),
                 ("calllist", "--db", str(db), "--at", AT),
                 ("sync", "--once", "--api", sim.base_url, "--db", str(db))):
        p = run(tmp_path, *args)
        assert_one_line_exit_2(p, str(db), "damaged")
        for text in PATIENT_TEXT:
            assert text not in p.stderr
    # the audit log lives on other pages: it still reads (or says, in one line, why not)
    p = run(tmp_path, "audit", "verify", "--db", str(db))
    assert "Traceback" not in p.stderr and len(problem_lines(p.stderr)) <= 1


# ------------------------------------------------------------------------------- a full disk
LIMITED = """
import sqlite3, sys
_connect = sqlite3.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    conn.execute("PRAGMA max_page_count = {pages}")  # SQLite's own "disk": this many pages
    return conn
sqlite3.connect = connect
from direkt_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_full_database_by_max_page_count_is_one_line_at_every_stage(tmp_path, big_sim):
    sim = big_sim
    reference = synced_store(tmp_path, sim, "reference.db")
    conn = sqlite3.connect(reference)
    total = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    failed = 0
    # from "cannot create the schema" through "the feeds do not fit" to "the findings log does
    # not fit" (there SQLite had already rolled back: a second traceback, "no transaction")
    for pages in sorted({2, total // 2, total - 24, total - 6, total + 40}):
        db = tmp_path / f"limited-{pages}.db"
        p = subprocess.run([sys.executable, "-c", LIMITED.format(pages=pages), "sync", "--once", "--api", sim.base_url,
                            "--db", str(db)], env=env_for(tmp_path), capture_output=True, text=True, timeout=120)
        assert "Traceback" not in p.stderr, (pages, p.stderr)
        if p.returncode == 0:
            assert problem_lines(p.stderr) == [], (pages, p.stderr)
            assert store_versions(db, "cases") == world_versions(sim.world, "cases")
            continue
        failed += 1
        assert_one_line_exit_2(p, "full", str(db))
    assert failed >= 3


# ------------------------------------------------------------------------------- private mounts
DRIVER = r"""
import json, subprocess, sys
plan = json.loads(sys.argv[1])
out = {"mounts": [], "runs": []}
for cmd in plan["mounts"]:
    m = subprocess.run(cmd, capture_output=True, text=True)
    out["mounts"].append([m.returncode, m.stderr])
    if m.returncode != 0:
        print(json.dumps(out)); sys.exit(0)
for cmd in plan["runs"]:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    out["runs"].append({"cmd": cmd, "rc": r.returncode, "stdout": r.stdout, "stderr": r.stderr})
print(json.dumps(out))
"""


def in_private_mounts(tmp_path: Path, mounts: list[list[str]], runs: list[list[str]]) -> list[dict]:
    """Run ``runs`` after ``mounts`` in a private mount namespace (the mounts vanish with it);
    skip the test when this machine does not let us."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("unshare/mount not available")
    plan = json.dumps({"mounts": mounts, "runs": runs})
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable, "-c", DRIVER, plan],
                       env=env_for(tmp_path), capture_output=True, text=True, timeout=600)
    if p.returncode != 0 or not p.stdout.strip():
        pytest.skip(f"no private mount namespace here: {p.stderr.strip()[:200]}")
    out = json.loads(p.stdout)
    if any(rc != 0 for rc, _ in out["mounts"]):
        pytest.skip(f"mounting is not permitted here: {out['mounts']}")
    return out["runs"]


def test_a_full_disk_is_one_line_at_every_stage(tmp_path, big_sim):
    sim = big_sim
    reference = synced_store(tmp_path, sim, "reference.db")
    size = reference.stat().st_size
    mounts, runs, dbs = [], [], []
    for i, fraction in enumerate((0.01, 0.3, 0.9, 1.0, 1.1, 4.0)):
        where = tmp_path / f"disk{i}"
        where.mkdir()
        kib = max(8, int(size * fraction) // 1024)
        mounts.append(["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=0700", "tmpfs", str(where)])
        db = where / "store" / "s.db"
        dbs.append(db)
        runs.append(cli("sync", "--once", "--api", sim.base_url, "--db", str(db)))
    # and a full disk under stdout: the report was cut short and the exit status 0
    out = tmp_path / "out"
    out.mkdir()
    mounts.append(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(out)])
    report = " ".join(cli("report", "--db", str(reference), "--at", AT))
    runs.append(["sh", "-c", f"head -c 4000 /dev/zero > {out}/fill; {report} > {out}/report.json"])
    results = in_private_mounts(tmp_path, mounts, runs)
    r = results.pop()
    assert_one_line_exit_2(subprocess.CompletedProcess(r["cmd"], r["rc"], r["stdout"], r["stderr"]), "full")
    failed = 0
    for db, r in zip(dbs, results):
        p = subprocess.CompletedProcess(r["cmd"], r["rc"], r["stdout"], r["stderr"])
        assert "Traceback" not in p.stderr, p.stderr
        if p.returncode == 0:
            assert problem_lines(p.stderr) == [], p.stderr
            continue
        failed += 1
        assert_one_line_exit_2(p, "full")
    assert failed >= 3  # at least the three smallest disks cannot hold the store


@pytest.fixture
def ro_store(tmp_path):
    """Two stores from scenario 01 in one directory: ``clean.db`` closed cleanly (no -wal, no
    -shm: a reader on a read-only file system cannot create its -shm), and ``wal.db`` left by a
    writer that died with its last commit (a later data_as_of) still in the -wal."""
    src = tmp_path / "src"
    src.mkdir()
    sc = load_scenario(SCENARIOS[0])
    for name in ("clean.db", "wal.db"):
        with Store(src / name) as store:
            ingest_scenario(store, sc)
    code = ("import sqlite3, os, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
            "c.execute(\"UPDATE sync_state SET value = '2026-11-26T13:29:00.000000+00:00' WHERE key = 'data_as_of'\")\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(src / "wal.db")], check=True, timeout=60)
    assert (src / "wal.db-wal").stat().st_size > 0 and not (src / "clean.db-wal").exists()
    return src


def test_report_calllist_and_audit_read_a_store_on_a_read_only_file_system(tmp_path, ro_store):
    expected = {name: run(tmp_path, "report", "--db", str(ro_store / name), "--at", AT).stdout
                for name in ("clean.db", "wal.db")}
    assert json.loads(expected["wal.db"])["data_as_of"] != json.loads(expected["clean.db"])["data_as_of"]
    expected_calllist = run(tmp_path, "calllist", "--db", str(ro_store / "clean.db"), "--at", AT).stdout
    # the writes above made -shm files for the wal store; start the read-only view without them
    for extra in ro_store.glob("clean.db-*"):
        extra.unlink()
    mnt = tmp_path / "ro"
    mnt.mkdir()
    before = sorted(p.name for p in ro_store.iterdir())
    runs = [cli("report", "--db", str(mnt / "clean.db"), "--at", AT),
            cli("report", "--db", str(mnt / "wal.db"), "--at", AT),
            cli("calllist", "--db", str(mnt / "clean.db"), "--at", AT),
            cli("audit", "verify", "--db", str(mnt / "clean.db")),
            cli("audit", "list", "--db", str(mnt / "clean.db")),
            cli("sync", "--once", "--api", "http://127.0.0.1:9/api/v1", "--db", str(mnt / "clean.db")),
            ["touch", str(mnt / "probe")]]
    results = in_private_mounts(tmp_path, [["mount", "--bind", str(ro_store), str(mnt)],
                                           ["mount", "-o", "remount,ro,bind", str(mnt)]], runs)
    report_clean, report_wal, calllist, verify, listing, sync, probe = results
    assert probe["rc"] != 0 and "Read-only file system" in probe["stderr"]  # it really is read-only
    for r in (report_clean, report_wal, calllist, verify, listing):
        assert r["rc"] == 0, r
        assert "Traceback" not in r["stderr"]
    # the same board as from the writable directory; where the -wal can be read (its -shm is
    # there), its last commit is seen: immutable is only the fallback
    assert report_clean["stdout"] == expected["clean.db"]
    assert report_wal["stdout"] == expected["wal.db"]
    assert calllist["stdout"] == expected_calllist
    p = subprocess.CompletedProcess(sync["cmd"], sync["rc"], sync["stdout"], sync["stderr"])
    assert_one_line_exit_2(p, "read-only", str(mnt / "clean.db"))
    assert sorted(p.name for p in ro_store.iterdir()) == before  # nothing was written


def test_the_read_only_fallback_for_a_non_root_user(tmp_path, ro_store):
    """Without root, a read-only directory is a read-only place for this user (with root this
    would prove nothing: root may write anyway)."""
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions: covered by the read-only mount test")
    for extra in ro_store.glob("clean.db-*"):
        extra.unlink()
    expected = run(tmp_path, "report", "--db", str(ro_store / "clean.db"), "--at", AT).stdout
    for extra in ro_store.glob("clean.db-*"):
        extra.unlink()
    os.chmod(ro_store / "clean.db", 0o400)
    os.chmod(ro_store, 0o500)
    try:
        p = run(tmp_path, "report", "--db", str(ro_store / "clean.db"), "--at", AT)
        assert p.returncode == 0, p.stderr
        assert p.stdout == expected
        with Store(ro_store / "clean.db", read_only=True) as store:
            assert store.immutable
    finally:
        os.chmod(ro_store, 0o700)


# ------------------------------------------------------------------------------- creation races
def test_two_syncs_creating_the_same_new_store_both_succeed(tmp_path, sim):
    """Ten new stores, each created by two ``sync --once`` at once (five pairs at a time)."""
    for wave in range(2):
        pairs = []
        for i in range(5):
            db = tmp_path / f"race{wave}-{i}" / "store" / "s.db"  # the directory does not exist either
            cmd = cli("sync", "--once", "--api", sim.base_url, "--db", str(db))
            pairs.append((db, [subprocess.Popen(cmd, env=env_for(tmp_path), stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE, text=True) for _ in range(2)]))
        for db, procs in pairs:
            for proc in procs:
                _, err = proc.communicate(timeout=300)
                assert proc.returncode == 0, (db, err)
                assert "Traceback" not in err
            assert store_versions(db, "cases") == world_versions(sim.world, "cases")
            conn = sqlite3.connect(db)
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            conn.close()


@pytest.mark.parametrize("from_version", [0, 1, 2])
def test_threads_opening_a_new_or_old_store_at_once(tmp_path, from_version):
    """Three connections creating, or upgrading, the same store at once: each reads the old
    version before any takes the write lock. A later migration ALTERs a table, so "IF NOT
    EXISTS" alone would not help."""
    for i in range(20):
        db = tmp_path / f"t{i}" / "s.db"
        if from_version:
            db.parent.mkdir()
            conn = sqlite3.connect(db, isolation_level=None)
            for n in range(from_version):
                conn.executescript(MIGRATIONS[n])
            conn.execute(f"PRAGMA user_version = {from_version}")
            conn.close()
        barrier = threading.Barrier(3)
        errors: list[BaseException] = []

        def open_it():
            barrier.wait()
            try:
                Store(db).close()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        if not from_version:
            assert oct(db.stat().st_mode & 0o777) == oct(0o600)
