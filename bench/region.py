"""Benchmark at region scale: 40 units, 10,000 open cases, 1,000,000 closed cases (a year),
1,500 staff and 30,000 shifts — every figure of the performance issue measured in one run,
each beside its target and, where there is one, a reference measured in the same run.

    .venv/bin/python bench/region.py [--out bench/results-region.json] [--quick]

``--quick`` uses a tenth of the closed cases (a fast check). The store is generated in a
temporary directory on every run (nothing is cached between runs; fictional data only:
generated names, ``19800505-9xxx``-style personnummer, ``070-000 …`` phones).

Measured:
- sync of 10,000+ changed cases from the simulator (a separate process) through the HTTP
  client into a copy of the region store, beside a raw ``executemany`` of the same rows into
  another copy (target: at least 0.3 × the raw rows/s; median of 3 each);
- the snapshot from the store + every rule at one instant (target ≤ 0.2 s, median of 5),
  beside one ``SELECT count(*)`` over the open cases;
- ``direkt-tui report --format json`` as a subprocess: wall time (≤ 1 s) and the child's
  peak RSS (≤ 250 MB);
- the application from process start to its first board on screen, headless (≤ 2 s),
  beside a bare Textual app started the same way;
- a refresh after a sync, the UI thread's share (``last_refresh_ms``; ≤ 100 ms);
- a key press in the work list until the repaint (p50 ≤ 30 ms, p95 ≤ 50 ms);
- RSS growth over one simulated hour of continuous syncing with the Recorder (≤ 20 MB).

Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DIREKT_TUI = str(Path(sys.executable).with_name("direkt-tui"))
TOKEN = "bench"
AT = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)  # Thursday 14:30 in Stockholm
UTC = UTC
STHLM = ZoneInfo("Europe/Stockholm")
SIZE = (120, 40)

N_UNITS = 40
N_OPEN = 10_000
N_CLOSED = 1_000_000
N_STAFF = 1_500
N_SHIFTS = 30_000

# profession mix of the staff (a unit has mostly nurses, some doctors, a few of the rest)
PROFS = ["nurse"] * 9 + ["doctor"] * 4 + ["assistant_nurse"] * 3 + ["physiotherapist", "psychologist",
                                                                     "occupational_therapist", "counsellor",
                                                                     "dietitian", "medical_admin",
                                                                     "admin_contact"]
ROLE_QUEUES = ["nurse", "nurse", "doctor", "physiotherapist", "psychologist", "medical_admin"]
PLACES = ["Kungsgatan", "Ekholmen", "Berga", "Skäggetorp", "Ryd", "Lambohov", "Vasastaden", "Tannefors",
          "Hageby", "Navestad", "Matteus", "Kneippen", "Finspång", "Valdemarsvik", "Söderköping", "Åtvidaberg",
          "Kisa", "Mjölby", "Skänninge", "Vadstena", "Ödeshög", "Boxholm", "Motala", "Borensberg", "Kolmården",
          "Krokek", "Linghem", "Ljungsbro", "Malmslätt", "Vikingstad", "Ullstämma", "Slaka", "Johannelund",
          "Åleryd", "Hjulsbro", "Sturefors", "Kimstad", "Norsholm", "Gusum", "Rimforsa"]

TARGETS = {
    "sync_rows_per_s_ratio": (">=", 0.3),
    "rules_load_and_evaluate_s": ("<=", 0.2),
    "report_wall_s": ("<=", 1.0),
    "report_peak_rss_mb": ("<=", 250.0),
    "first_paint_s": ("<=", 2.0),
    "refresh_ui_thread_ms_max": ("<=", 100.0),
    "key_repaint_ms_p50": ("<=", 30.0),
    "key_repaint_ms_p95": ("<=", 50.0),
    "memory_growth_mb": ("<=", 20.0),
}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def z(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ===================================================================================== data
class _Stamp:
    """Epoch seconds -> the store's timestamp text (``_st``: UTC, microseconds), fast."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, ts: int) -> str:
        day, sec = divmod(ts, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
        h, rem = divmod(sec, 3600)
        m, s = divmod(rem, 60)
        return f"{prefix}{h:02d}:{m:02d}:{s:02d}.000000+00:00"


def _patients(rng: random.Random, n: int, today: date) -> list[dict]:
    from direkt_tui.sim import names

    out = []
    for _ in range(n):
        name, female = names.person_name(rng)
        birth = names.birth_date(rng, today, 0.5, 95)
        out.append({"display_name": name, "personnummer": names.personnummer(birth, rng, female),
                    "birth_date": birth.isoformat(), "phone": names.phone(rng),
                    "protected_identity": rng.random() < 0.01, "home_region": "Östergötland"})
    return out


def build_region(db: Path, at: datetime, n_closed: int, seed: int = 40) -> dict:
    """The region store: units, coordinators, staff, shifts and open cases through the store's
    API; the closed cases as rows (``case_row`` on template cases, ids and times varied) with the
    store's own upsert in one transaction."""
    from direkt_tui.domain.models import Case, Coordinator, Shift, Staff, Unit
    from direkt_tui.sim import names
    from direkt_tui.store.db import _UPSERT, CASE_COLS, Store, case_row

    rng = random.Random(seed)
    today = at.astimezone(STHLM).date()
    t0 = time.perf_counter()
    weekdays = {str(d): [{"open": "08:00", "close": "17:00"}] for d in range(1, 6)}
    lunch = {str(d): [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}] for d in range(1, 6)}
    saturday = dict(weekdays, **{"6": [{"open": "10:00", "close": "14:00"}]})
    unit_ids = [f"vc-{i + 1:02d}" for i in range(N_UNITS)]
    units = [Unit.from_api({"id": uid, "name": f"Vårdcentralen {PLACES[i]}", "timezone": "Europe/Stockholm",
                            "activated": True, "opening_hours": lunch if i % 7 == 3 else saturday if i % 11 == 5
                            else weekdays, "region": "Östergötland", "care_to_care_phone": f"070-000 {i:02d} 00",
                            "version": 1})
             for i, uid in enumerate(unit_ids)]
    staff_d = []
    for i in range(N_STAFF):
        name, _ = names.person_name(rng)
        staff_d.append({"id": f"s-{i:04d}", "unit_id": unit_ids[i % N_UNITS], "name": name,
                        "professions": [PROFS[(i // N_UNITS) % len(PROFS)]], "phone": names.phone(rng),
                        "logged_in": rng.random() < 0.6, "version": 1})
    staff = [Staff.from_api(d) for d in staff_d]
    by_unit: dict[str, list[Staff]] = {}
    for s in staff:
        by_unit.setdefault(s.unit_id, []).append(s)
    # shifts: every staff member on every weekday of four weeks around the instant (3 back, 1 ahead)
    days = [today + timedelta(days=d) for d in range(-21, 7) if (today + timedelta(days=d)).isoweekday() <= 5]
    shifts = []
    for d in days:
        for s in staff:
            if len(shifts) >= N_SHIFTS:
                break
            start_local = datetime(d.year, d.month, d.day, 7, 0, tzinfo=STHLM) + timedelta(
                minutes=rng.choice([0, 30, 60, 60, 90, 120, 180]))
            end_local = start_local + timedelta(hours=rng.choice([4, 6, 8, 8, 8, 9]))
            shifts.append(Shift.from_api({"id": f"sh-{len(shifts):05d}", "unit_id": s.unit_id, "staff_id": s.id,
                                          "profession": s.professions[0], "start": z(start_local),
                                          "end": z(end_local), "cancelled": rng.random() < 0.03, "version": 1}))
    patients = _patients(rng, 2_000, today)
    # open cases: 250 a unit, created during the last four days
    cases = []
    for i in range(N_OPEN):
        uid = unit_ids[i % N_UNITS]
        created = at - timedelta(minutes=rng.randint(1, 60 * 24 * 4))
        status = rng.choice(["waiting", "waiting", "received", "started", "started"])
        kind = "admin" if rng.random() < 0.1 else "care"
        owner = None
        if status != "waiting":
            if rng.random() < 0.3:
                owner = {"type": "role", "profession": rng.choice(ROLE_QUEUES)}
            else:
                owner = {"type": "person", "staff_id": rng.choice(by_unit[uid]).id}
        other = unit_ids[(i + 1) % N_UNITS]
        cases.append(Case.from_api({
            "id": f"c-{i:05d}", "unit_id": uid, "kind": kind,
            "priority": None if kind == "admin" else rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5]),
            "status": status, "owner": owner,
            "owner_since": z(created + timedelta(minutes=5)) if owner else None, "created_at": z(created),
            "received_at": z(created + timedelta(minutes=5)) if status != "waiting" else None,
            "started_at": z(created + timedelta(minutes=10)) if status == "started" else None,
            "last_patient_message_at": z(created + timedelta(minutes=20)) if status == "started" else None,
            "last_staff_message_at": z(created + timedelta(minutes=rng.choice([15, 25])))
            if status == "started" else None,
            "contact_attempts": [z(created + timedelta(hours=1)), z(created + timedelta(hours=4))]
            if rng.random() < 0.1 else [],
            "notices": [], "handover": {"to_unit_id": other, "requested_at": z(created + timedelta(minutes=30)),
                                        "accepted_at": None, "urgent": False} if rng.random() < 0.02 else None,
            "patient": patients[i % len(patients)], "reason": "Besvär",
            "url": f"https://clinic.example/cases/c-{i:05d}", "version": 1 + (status != "waiting"),
            "updated_at": z(created)}))
    built_entities = time.perf_counter() - t0
    with Store(db) as store:
        store.replace_reference(units=units, coordinators=[Coordinator(uid, by_unit[uid][0].id, None)
                                                           for uid in unit_ids])
        store.ingest("staff", staff)
        store.ingest("shifts", shifts)
        log(f"  reference, {len(staff)} staff, {len(shifts)} shifts stored ({time.perf_counter() - t0:.1f} s)")
        # closed cases: template rows, ids/units/patients/times varied
        templates = []
        for k in range(24):
            kind = "admin" if k % 8 == 7 else "care"
            owner = ({"type": "role", "profession": ROLE_QUEUES[k % len(ROLE_QUEUES)]} if k % 5 == 0 else
                     {"type": "person", "staff_id": "s-0000"})
            t = at - timedelta(days=30)
            templates.append(list(case_row(Case.from_api({
                "id": "tmpl", "unit_id": unit_ids[0], "kind": kind, "priority": None if kind == "admin" else 1 + k % 5,
                "status": "closed", "owner": owner, "owner_since": z(t), "created_at": z(t), "received_at": z(t),
                "started_at": z(t), "closed_at": z(t),
                "close_reason": ["resolved", "resolved", "resolved", "no_response", "handed_over", "ticket_sent"][k % 6],
                "last_patient_message_at": z(t) if k % 3 else None, "last_staff_message_at": z(t),
                "contact_attempts": [], "notices": [], "handover": None, "patient": patients[k],
                "reason": "Besvär", "url": "https://clinic.example/cases/tmpl", "version": 4, "updated_at": z(t)}))))
        ix = {c: CASE_COLS.index(c) for c in CASE_COLS}
        i_id, i_unit, i_osince, i_created, i_received, i_started, i_closed = (
            ix["id"], ix["unit_id"], ix["owner_since"], ix["created_at"], ix["received_at"], ix["started_at"],
            ix["closed_at"])
        i_lpm, i_lsm, i_upd, i_url, i_ostaff = (ix["last_patient_message_at"], ix["last_staff_message_at"],
                                                ix["updated_at"], ix["url"], ix["owner_staff_id"])
        i_pname, i_pnr, i_phone, i_bdate, i_prot = (ix["patient_name"], ix["patient_pnr"], ix["patient_phone"],
                                                    ix["patient_birth_date"], ix["patient_protected"])
        stamp = _Stamp()
        at_ts = int(at.timestamp())
        year = 365 * 86400
        first = at_ts - year
        staff_ids = [[s.id for s in by_unit[uid]] for uid in unit_ids]
        crng = random.Random(seed + 1)
        rand = crng.random

        def closed_rows(lo: int, hi: int):
            for i in range(lo, hi):
                row = templates[i % 24][:]
                u = i % N_UNITS
                # closed evenly over the year; rowids in about creation order, as a store filled
                # by the sync over a year has them (recent cases are the newest rows)
                closed = first + (i * (year - 120)) // n_closed + int(rand() * 60)
                created = closed - 600 - int(rand() * rand() * 3 * 86400)
                received = created + 300
                started = created + 600
                row[i_id] = cid = f"cc-{i:07d}"
                row[i_unit] = unit_ids[u]
                row[i_url] = f"https://clinic.example/cases/{cid}"
                row[i_created] = stamp(created)
                row[i_received] = row[i_osince] = stamp(received)
                row[i_started] = stamp(started)
                if row[i_lpm] is not None:
                    row[i_lpm] = stamp(started + 120)
                row[i_lsm] = stamp(started + 240)
                row[i_closed] = row[i_upd] = stamp(closed)
                if row[i_ostaff] is not None:
                    ids = staff_ids[u]
                    row[i_ostaff] = ids[i % len(ids)]
                p = patients[(i * 7) % len(patients)]
                prot = p["protected_identity"]
                row[i_prot] = int(prot)
                row[i_bdate] = p["birth_date"]
                row[i_pname] = None if prot else p["display_name"]
                row[i_pnr] = None if prot else p["personnummer"]
                row[i_phone] = None if prot else p["phone"]
                yield row

        conn = store.conn
        t1 = time.perf_counter()
        chunk = 100_000
        with store.transaction():
            for lo in range(0, n_closed, chunk):
                conn.executemany(_UPSERT["cases"], closed_rows(lo, min(n_closed, lo + chunk)))
                log(f"  closed cases {min(n_closed, lo + chunk):>9,} / {n_closed:,} "
                    f"({time.perf_counter() - t1:.1f} s)")
        store.ingest("cases", cases)  # after the year's closed cases: the newest rows
        store.record_sync_success(at, at)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts = {t: store.count(t) for t in ("units", "staff", "shifts", "cases")}
        counts["open_cases"] = conn.execute("SELECT count(*) FROM cases WHERE status != 'closed'").fetchone()[0]
    return {"seconds": round(time.perf_counter() - t0, 1), "entities_s": round(built_entities, 1),
            "counts": counts, "file_mb": round(db.stat().st_size / 2**20, 1)}


def copy_store(src: Path, dst: Path) -> None:
    """A copy written to disk (fsync'd), so the measured run does not pay for flushing it."""
    for suffix in ("", "-wal"):
        s = Path(str(src) + suffix)
        if s.exists():
            shutil.copyfile(s, str(dst) + suffix)
            fd = os.open(str(dst) + suffix, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    os.chmod(dst, 0o600)


def remove_store(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(str(db) + suffix)
        except FileNotFoundError:
            pass


# ===================================================================================== simulator
class SimProcess:
    """``python -m direkt_tui.sim`` as a separate process on a free loopback port."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([PYTHON, "-m", "direkt_tui.sim", "--port", "0", "--token", TOKEN, *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.base_url: str | None = None

    def wait_ready(self, timeout: float = 180.0) -> str:
        if self.base_url:
            return self.base_url
        box: list[str] = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        t.start()
        t.join(timeout)
        line = box[0] if box else ""
        if "serving " not in line:
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r} {self.proc.stderr.read()[-2000:]!r}")  # type: ignore[union-attr]
        self.base_url = line.split("serving ", 1)[1].split()[0]
        return self.base_url

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ===================================================================================== sync
def measure_sync(region: Path, tmp: Path, base_url: str, runs: int = 3, page_size: int = 1000) -> dict:
    from direkt_tui.config import ApiConfig, Config, SyncConfig
    from direkt_tui.domain.models import Case
    from direkt_tui.store.db import _UPSERT, Store, case_row
    from direkt_tui.sync.client import ApiClient
    from direkt_tui.sync.engine import SyncEngine

    cfg = Config(api=ApiConfig(deadline=60.0, read_timeout=60.0), sync=SyncConfig(page_size=page_size))
    # the reference rows: the same feed, read untimed and parsed the way the engine does
    rows: list[tuple] = []
    with ApiClient(base_url, token=TOKEN, deadline=60.0, read_timeout=60.0) as client:
        cursor = None
        while True:
            page = client.feed("cases", since=cursor, limit=page_size)
            rows += [case_row(Case.from_api(c)) for c in page.items]
            cursor = page.next_cursor
            if not page.has_more:
                break
    n = len(rows)
    sync_s, raw_s, pages = [], [], 0
    for i in range(runs):
        db = tmp / f"sync-{i}.db"
        copy_store(region, db)
        with ApiClient(base_url, token=TOKEN, deadline=60.0, read_timeout=60.0) as client, Store(db) as store:
            engine = SyncEngine(store, client, cfg, page_size=page_size)
            engine.sync_reference()  # untimed: units, templates, coordinators
            before = store.count("cases")
            gc.collect()
            t0 = time.perf_counter()
            res = engine.sync_feed("cases")
            sync_s.append(time.perf_counter() - t0)
            added = store.count("cases") - before
        pages = res.pages
        if res.items != n or added != n:
            raise RuntimeError(f"sync run {i}: {res.items} items, {added} new rows; expected {n}")
        remove_store(db)
        db = tmp / f"raw-{i}.db"
        copy_store(region, db)
        with Store(db) as store:
            conn = store.conn
            gc.collect()
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(_UPSERT["cases"], rows)
            conn.execute("COMMIT")
            raw_s.append(time.perf_counter() - t0)
        remove_store(db)
        log(f"  run {i + 1}: sync {sync_s[-1]:.3f} s, raw executemany {raw_s[-1]:.3f} s")
    s, r = statistics.median(sync_s), statistics.median(raw_s)
    return {"cases": n, "page_size": page_size, "pages": pages, "sync_s": round(s, 4), "raw_s": round(r, 4),
            "sync_s_all": [round(x, 4) for x in sync_s], "raw_s_all": [round(x, 4) for x in raw_s],
            "sync_rows_per_s": round(n / s), "raw_rows_per_s": round(n / r), "ratio": round(r / s, 4)}


# ===================================================================================== rules
def measure_rules(db: Path, at: datetime, runs: int = 5) -> dict:
    """Snapshot + every rule at one instant, two ways:

    - warm: what the application and the recorder do after every sync — the same store
      connection re-reads (incrementally: only changed rows are rebuilt) and a fresh engine
      evaluates everything. The target is judged on this.
    - cold: a fresh store connection's first read (a one-shot process such as ``report``).
    """
    from direkt_tui.domain.rules import RuleEngine
    from direkt_tui.store.db import Store

    def once(store: Store) -> tuple[float, float, object, object]:
        t0 = time.perf_counter()
        engine = RuleEngine()  # fresh each run: no calendars kept between runs
        snap = store.snapshot(around=at, identity=False,  # as the report, board and recorder read
                              **engine.read_plan(store.units(), at))
        t1 = time.perf_counter()
        ev = engine.evaluate(snap, at)
        return t1 - t0, time.perf_counter() - t1, snap, ev

    ref, load, evaluate, total, cold = [], [], [], [], []
    for _ in range(runs):  # cold: a new connection each time
        store = Store(db, read_only=True)
        try:
            a, b, _snap, _ev = once(store)
            cold.append(a + b)
        finally:
            store.close()
    store = Store(db, read_only=True)
    try:
        once(store)  # the first read fills the cache
        for _ in range(runs):
            t0 = time.perf_counter()
            store.conn.execute("SELECT count(*) FROM cases WHERE status != 'closed'").fetchone()
            ref.append(time.perf_counter() - t0)
            a, b, snap, ev = once(store)
            load.append(a)
            evaluate.append(b)
            total.append(a + b)
            cases_read, findings, open_cases = len(snap.cases), len(ev.findings), len(ev.open_cases)
            del snap, ev
    finally:
        store.close()
    return {"reference_count_s": round(statistics.median(ref), 5), "snapshot_s": round(statistics.median(load), 4),
            "evaluate_s": round(statistics.median(evaluate), 4), "load_and_evaluate_s": round(statistics.median(total), 4),
            "load_and_evaluate_s_all": [round(x, 4) for x in total],
            "cold_load_and_evaluate_s": round(statistics.median(cold), 4),
            "cold_load_and_evaluate_s_all": [round(x, 4) for x in cold], "cases_read": cases_read,
            "open_cases": open_cases, "findings": findings}


# ===================================================================================== report
def run_report(db: Path, at: datetime) -> dict:
    """One ``direkt-tui report`` child: wall time and its own peak RSS (``os.wait4``)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen([DIREKT_TUI, "report", "--db", str(db), "--at", z(at), "--format", "json"],
                             stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        out = p.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stdout.close()  # type: ignore[union-attr]
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if p.returncode != 0:
        raise RuntimeError(f"direkt-tui report exited {p.returncode}: {stderr[-2000:]}")
    doc = json.loads(out)
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "bytes": len(out),
            "findings": len(doc.get("findings", [])) if isinstance(doc, dict) else None}


def measure_report(db: Path, at: datetime, runs: int = 3) -> dict:
    results = [run_report(db, at) for _ in range(runs)]
    return {"wall_s": round(statistics.median(r["wall_s"] for r in results), 3),
            "wall_s_all": [round(r["wall_s"], 3) for r in results],
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in results), 1),
            "peak_rss_mb_all": [round(r["peak_rss_mb"], 1) for r in results],
            "output_bytes": results[-1]["bytes"], "findings": results[-1]["findings"]}


# ===================================================================================== first paint
PAINT_CHILD = textwrap.dedent('''
    import sys, time
    T0 = float(sys.argv[1])  # the parent's time.time() just before spawning this process
    T_MAIN = time.time()
    mode = sys.argv[2]
    import asyncio, json
    from datetime import datetime
    if mode == "app":
        from direkt_tui.ui.app import DirektApp
        from direkt_tui.ui.clock import FrozenClock
        T_IMPORTED = time.time()
        app = DirektApp(sys.argv[3], clock=FrozenClock(datetime.fromisoformat(sys.argv[4])))
        ready = lambda: app.boards_built >= 1
    else:
        from textual.app import App
        from textual.widgets import Static
        T_IMPORTED = time.time()
        class Hello(App):
            def compose(self):
                yield Static("hello")
        app = Hello()
        ready = lambda: True
    marks = {}
    original = app._display
    def recording_display(screen, renderable):
        result = original(screen, renderable)
        if renderable is not None and "paint" not in marks and ready():
            marks["paint"] = time.time()
        return result
    app._display = recording_display
    async def main():
        async with app.run_test(size=(120, 40)) as pilot:
            t = time.time()
            while "paint" not in marks and time.time() - t < 60:
                await asyncio.sleep(0.002)
            if mode == "app":
                marks["rows"] = app.query_one("#active").row_count
            print(json.dumps({"first_paint_s": marks["paint"] - T0, "interpreter_s": T_MAIN - T0,
                              "imports_s": T_IMPORTED - T_MAIN, "rows": marks.get("rows")}), flush=True)
    asyncio.run(main())
''')


def run_paint(script: Path, mode: str, db: Path | None, at: datetime, extra: list[str] | None = None) -> dict:
    argv = [PYTHON, *(extra or []), str(script)]
    tail = [str(db), at.isoformat()] if mode == "app" else []
    t0 = time.time()
    p = subprocess.run([*argv, repr(t0), mode, *tail], capture_output=True, text=True, cwd=ROOT, timeout=180)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        raise RuntimeError(f"first-paint child ({mode}) failed: {p.returncode} {p.stderr[-2000:]}")
    return json.loads(lines[-1])


def measure_first_paint(tmp: Path, db: Path, at: datetime, runs: int = 3) -> dict:
    script = tmp / "first_paint.py"
    script.write_text(PAINT_CHILD)
    run_paint(script, "hello", None, at)  # warm the page cache / bytecode once, untimed
    hello = [run_paint(script, "hello", None, at) for _ in range(runs)]
    app = [run_paint(script, "app", db, at) for _ in range(runs)]
    med = lambda rs, k: round(statistics.median(r[k] for r in rs), 3)  # noqa: E731
    return {"first_paint_s": med(app, "first_paint_s"), "first_paint_s_all": [round(r["first_paint_s"], 3) for r in app],
            "app_interpreter_s": med(app, "interpreter_s"), "app_imports_s": med(app, "imports_s"),
            "rows_in_work_list": app[-1]["rows"],
            "hello_first_paint_s": med(hello, "first_paint_s"), "hello_imports_s": med(hello, "imports_s")}


# ===================================================================================== refresh, keys
async def _measure_ui(db: Path, at: datetime, refreshes: int, presses: int) -> dict:
    from textual.worker import WorkerCancelled

    from direkt_tui.ui.app import DirektApp
    from direkt_tui.ui.clock import FrozenClock

    app = DirektApp(db, clock=FrozenClock(at))
    async with app.run_test(size=SIZE) as pilot:
        while app.boards_built < 1:
            await asyncio.sleep(0.005)
        for _ in range(3):
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass
            await pilot.pause()
        rows = app.query_one("#active").row_count
        ui, total = [], []
        for _ in range(refreshes):
            built = app.boards_built
            t1 = time.perf_counter()
            app.request_refresh()
            while app.boards_built == built:
                await asyncio.sleep(0.002)
            await pilot.pause()
            total.append(time.perf_counter() - t1)
            ui.append(app.last_refresh_ms)
        displays: list[float] = []
        original = app._display

        def recording_display(screen, renderable):
            if renderable is not None:
                displays.append(time.perf_counter())
            return original(screen, renderable)

        app._display = recording_display
        lat = []
        missed = 0
        for i in range(presses):
            displays.clear()
            t1 = time.perf_counter()
            await pilot.press("down" if i % 40 < 20 else "up")
            await pilot.pause()
            if displays:
                lat.append((displays[0] - t1) * 1000)
            else:
                missed += 1
        app._display = original
    lat.sort()

    def pct(p: float) -> float:  # nearest-rank percentile
        k = max(0, min(len(lat) - 1, int(-(-p * len(lat) // 100)) - 1))
        return round(lat[k], 1)

    return {"rows_in_work_list": rows, "refresh_ui_thread_ms_median": round(statistics.median(ui), 1),
            "refresh_ui_thread_ms_max": round(max(ui), 1), "refresh_ui_thread_ms_all": [round(x, 1) for x in ui],
            "refresh_total_ms_median": round(statistics.median(total) * 1000, 1),
            "key_presses": len(lat), "key_presses_without_repaint": missed,
            "key_repaint_ms_p50": pct(50), "key_repaint_ms_p95": pct(95), "key_repaint_ms_max": round(lat[-1], 1)}


def measure_ui(db: Path, at: datetime, refreshes: int = 8, presses: int = 200) -> dict:
    return asyncio.run(_measure_ui(db, at, refreshes, presses))


# ===================================================================================== memory
SIM_MEMORY_START = "2026-11-26T08:00:00Z"  # 09:00 in Stockholm, a Thursday
MEMORY_SPEED = 90.0  # one simulated hour in 40 real seconds


def memory_child(base_url: str, db: Path, speed: float, warmup_s: float, hour_s: float, interval: float) -> dict:
    """Sync continuously as the product does (engine + Recorder, platform clock), RSS after the
    warm-up and after one simulated hour more. Runs in a fresh process of its own."""
    from direkt_tui.config import Config
    from direkt_tui.store.db import Store
    from direkt_tui.sync.client import ApiClient
    from direkt_tui.sync.engine import SyncEngine
    from direkt_tui.sync.recorder import Recorder
    from direkt_tui.ui.clock import ServerClock

    cfg = Config()
    store = Store(db)
    clock = ServerClock(speed)
    client = ApiClient(base_url, token=TOKEN)
    engine = SyncEngine(store, client, cfg, clock=clock.now, on_synced=Recorder(store, cfg))
    first = warm_at = None
    rss_warm = None
    samples = []
    cycles = 0
    t_start = time.monotonic()
    try:
        while True:
            t0 = time.monotonic()
            res = engine.sync_all(reference=None)
            clock.anchor(res.server_time or res.data_as_of)  # the simulated platform's clock
            cycles += 1
            now = res.data_as_of
            if first is None:
                first = now
            sim = (now - first).total_seconds()
            if warm_at is None and sim >= warmup_s:
                warm_at, rss_warm = now, rss_mb()
                samples.append((round(sim), round(rss_warm, 1)))
            elif warm_at is not None:
                if not samples or sim - samples[-1][0] >= 300:
                    samples.append((round(sim), round(rss_mb(), 1)))
                if (now - warm_at).total_seconds() >= hour_s:
                    rss_end = rss_mb()
                    break
            if time.monotonic() - t_start > 600:
                raise RuntimeError("the simulated hour took more than 10 real minutes")
            time.sleep(max(0.0, interval - (time.monotonic() - t0)))
        counts = {t: store.count(t) for t in ("cases", "case_history", "load_history", "finding_log")}
    finally:
        client.close()
        store.close()
    return {"rss_after_warmup_mb": round(rss_warm, 1), "rss_after_hour_mb": round(rss_end, 1),
            "memory_growth_mb": round(rss_end - rss_warm, 1), "cycles": cycles,
            "real_s": round(time.monotonic() - t_start, 1), "simulated_s": round((now - first).total_seconds()),
            "samples_sim_s_rss_mb": samples, "store_rows_at_end": counts}


def measure_memory(tmp: Path) -> dict:
    sim = SimProcess("--seed", "1", "--speed", str(MEMORY_SPEED), "--start", SIM_MEMORY_START)
    try:
        url = sim.wait_ready()
        db = tmp / "memory.db"
        p = subprocess.run([PYTHON, str(Path(__file__).resolve()), "--memory-child", url, str(db)],
                           capture_output=True, text=True, cwd=ROOT, timeout=900)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        if p.returncode != 0 or not lines:
            raise RuntimeError(f"memory child failed: {p.returncode} {p.stderr[-3000:]}")
        out = json.loads(lines[-1])
        out["speed"] = MEMORY_SPEED
        out["sim_start"] = SIM_MEMORY_START
        return out
    finally:
        sim.stop()


# ===================================================================================== main
def check(key: str, value: float) -> bool:
    op, target = TARGETS[key]
    return value >= target if op == ">=" else value <= target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    ap.add_argument("--quick", action="store_true", help="a tenth of the closed cases")
    ap.add_argument("--memory-child", nargs=2, metavar=("URL", "DB"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.memory_child:
        url, db = a.memory_child
        print(json.dumps(memory_child(url, Path(db), MEMORY_SPEED, 600, 3600, 0.5)), flush=True)
        return 0

    os.environ.setdefault("DIREKT_API_TOKEN", TOKEN)
    n_closed = N_CLOSED // 10 if a.quick else N_CLOSED
    t_run = time.perf_counter()
    res: dict = {"benchmark": "region", "quick": a.quick, "at": z(AT),
                 "scale": {"units": N_UNITS, "open_cases": N_OPEN, "closed_cases": n_closed, "staff": N_STAFF,
                           "shifts": N_SHIFTS},
                 "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    sync_sim = SimProcess("--preload-cases", str(N_OPEN), "--speed", "0", "--start", z(AT))
    try:
        with tempfile.TemporaryDirectory(prefix="direkt-region-") as tmpname:
            tmp = Path(tmpname)
            region = tmp / "region.db"
            log(f"building the region store ({N_UNITS} units, {N_OPEN:,} open + {n_closed:,} closed cases, "
                f"{N_STAFF:,} staff, {N_SHIFTS:,} shifts) in {tmp}")
            res["build"] = build_region(region, AT, n_closed)
            log(f"  built in {res['build']['seconds']} s, {res['build']['file_mb']} MB: {res['build']['counts']}")

            log("sync: 10,000+ changed cases from the simulator process into a copy of the region store, 3 runs")
            url = sync_sim.wait_ready()
            res["sync"] = measure_sync(region, tmp, url)
            sync_sim.stop()
            log(f"  sync {res['sync']['sync_s']} s vs raw {res['sync']['raw_s']} s: ratio {res['sync']['ratio']}")

            log("rules: snapshot + evaluate, median of 5")
            res["rules"] = measure_rules(region, AT)
            log(f"  {res['rules']['load_and_evaluate_s'] * 1000:.0f} ms (snapshot {res['rules']['snapshot_s'] * 1000:.0f}"
                f" + rules {res['rules']['evaluate_s'] * 1000:.0f})")

            log("report: direkt-tui report --format json, 3 runs")
            res["report"] = measure_report(region, AT)
            log(f"  {res['report']['wall_s']} s, peak RSS {res['report']['peak_rss_mb']} MB")

            log("first paint: subprocess from spawn to the first board on screen, 3 runs (+ bare Textual app)")
            res["first_paint"] = measure_first_paint(tmp, region, AT)
            log(f"  {res['first_paint']['first_paint_s']} s (hello {res['first_paint']['hello_first_paint_s']} s)")

            log("refresh after a sync and key presses in the work list (in process)")
            res["ui"] = measure_ui(region, AT)
            log(f"  refresh UI thread max {res['ui']['refresh_ui_thread_ms_max']} ms; keys p50 "
                f"{res['ui']['key_repaint_ms_p50']} ms p95 {res['ui']['key_repaint_ms_p95']} ms")

            log(f"memory: one simulated hour of syncing at speed {MEMORY_SPEED:g} (after a 10-minute warm-up)")
            res["memory"] = measure_memory(tmp)
            log(f"  {res['memory']['rss_after_warmup_mb']} MB -> {res['memory']['rss_after_hour_mb']} MB "
                f"over {res['memory']['cycles']} cycles")
    finally:
        sync_sim.stop()
    res["run_seconds"] = round(time.perf_counter() - t_run, 1)

    figures = {
        "sync_rows_per_s_ratio": res["sync"]["ratio"],
        "rules_load_and_evaluate_s": res["rules"]["load_and_evaluate_s"],
        "report_wall_s": res["report"]["wall_s"],
        "report_peak_rss_mb": res["report"]["peak_rss_mb"],
        "first_paint_s": res["first_paint"]["first_paint_s"],
        "refresh_ui_thread_ms_max": res["ui"]["refresh_ui_thread_ms_max"],
        "key_repaint_ms_p50": res["ui"]["key_repaint_ms_p50"],
        "key_repaint_ms_p95": res["ui"]["key_repaint_ms_p95"],
        "memory_growth_mb": res["memory"]["memory_growth_mb"],
    }
    references = {
        "sync_rows_per_s_ratio": f"raw executemany {res['sync']['raw_rows_per_s']:,} rows/s "
                                 f"({res['sync']['raw_s']} s); sync {res['sync']['sync_rows_per_s']:,} rows/s "
                                 f"({res['sync']['sync_s']} s, {res['sync']['cases']:,} cases)",
        "rules_load_and_evaluate_s": f"SELECT count(*) {res['rules']['reference_count_s'] * 1000:.2f} ms "
                                     f"(after a sync: snapshot {res['rules']['snapshot_s'] * 1000:.0f} ms + rules "
                                     f"{res['rules']['evaluate_s'] * 1000:.0f} ms; a fresh process's first read: "
                                     f"{res['rules']['cold_load_and_evaluate_s'] * 1000:.0f} ms)",
        "report_wall_s": "—",
        "report_peak_rss_mb": "—",
        "first_paint_s": f"bare Textual app {res['first_paint']['hello_first_paint_s']} s",
        "refresh_ui_thread_ms_max": f"median {res['ui']['refresh_ui_thread_ms_median']} ms "
                                    f"(worker + UI {res['ui']['refresh_total_ms_median']} ms)",
        "key_repaint_ms_p50": "—",
        "key_repaint_ms_p95": "—",
        "memory_growth_mb": f"{res['memory']['rss_after_warmup_mb']} → {res['memory']['rss_after_hour_mb']} MB",
    }
    labels = {
        "sync_rows_per_s_ratio": ("sync of 10,000 changed cases, rows/s vs raw upsert", "≥ 0.3 ×"),
        "rules_load_and_evaluate_s": ("snapshot + every rule at one instant (after a sync)", "≤ 0.2 s"),
        "report_wall_s": ("direkt-tui report --format json, wall", "≤ 1 s"),
        "report_peak_rss_mb": ("direkt-tui report --format json, peak RSS", "≤ 250 MB"),
        "first_paint_s": ("process start to first paint", "≤ 2 s"),
        "refresh_ui_thread_ms_max": ("refresh after a sync, UI thread (max)", "≤ 100 ms"),
        "key_repaint_ms_p50": ("key press to repaint, p50", "≤ 30 ms"),
        "key_repaint_ms_p95": ("key press to repaint, p95", "≤ 50 ms"),
        "memory_growth_mb": ("RSS growth over a simulated hour of syncing", "≤ 20 MB"),
    }
    units = {"sync_rows_per_s_ratio": " ×", "rules_load_and_evaluate_s": " s", "report_wall_s": " s",
             "report_peak_rss_mb": " MB", "first_paint_s": " s", "refresh_ui_thread_ms_max": " ms",
             "key_repaint_ms_p50": " ms", "key_repaint_ms_p95": " ms", "memory_growth_mb": " MB"}
    met = {k: check(k, v) for k, v in figures.items()}
    res["figures"] = figures
    res["targets"] = {k: {"op": op, "value": v} for k, (op, v) in TARGETS.items()}
    res["references"] = references
    res["met"] = met

    scale = (f"{N_UNITS} units, {N_OPEN:,} open + {n_closed:,} closed cases, {N_STAFF:,} staff, {N_SHIFTS:,} shifts"
             + (" (--quick)" if a.quick else ""))
    print()
    print(f"Region benchmark: {scale}; store {res['build']['file_mb']} MB built in {res['build']['seconds']} s; "
          f"run {res['run_seconds']} s")
    print()
    print("| what | target | measured | reference (same run) | met |")
    print("|---|---|---|---|---|")
    for k, v in figures.items():
        what, target = labels[k]
        print(f"| {what} | {target} | {v}{units[k]} | {references[k]} | {'yes' if met[k] else 'NO'} |")
    print()
    missed = [k for k, ok in met.items() if not ok]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if not missed else 1


if __name__ == "__main__":
    raise SystemExit(main())
