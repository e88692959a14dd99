"""Benchmark at region scale: issue 13 §5's figures, each beside its target and a floor, without and with a CPU hog.

40 units, 10,000 open cases (``--open``), 1,000,000 closed cases (a year), 1,500 staff and 30,000
shifts; every figure measured in one run, beside a floor measured in the same run.

    .venv/bin/python bench/region.py [--out bench/results-region.json] [--quick]
        [--open N | --scale 10k|100k] [--no-hog] [--[no-]linearity]

``--quick`` uses a tenth of the closed cases (a fast check). ``--open N`` (``--scale 100k``: 100,000)
sets the open cases of the main pass; at 100,000 or more the issue's 100k targets apply. The store is
generated in a temporary directory on every run (nothing is cached between runs; fictional data
only: generated names, ``19800505-9xxx``-style personnummer, ``070-000 …`` phones); the open cases
are the first N of one sequence, so each scale holds the smaller ones.

Every measurement runs twice, one right after the other: alone, then with a CPU hog beside it
(``python -c 'while 1: pass'``, a process the benchmark starts and kills itself — also on Ctrl-C
or SIGTERM, and by the kernel if the benchmark dies); ``--no-hog`` skips the second run. The
targets are judged on the run with the hog (the issue's condition).

The children (report, application, simulator) start from bytecode, as an installed application
does: a cache of this run's own (``PYTHONPYCACHEPREFIX`` in a temporary directory, filled by untimed
runs), where the environment says ``PYTHONDONTWRITEBYTECODE=1`` (every child would compile the
package again); ``--no-bytecode-cache`` measures them as the environment has it.

Measured (the floor of each in brackets; the table gives measured ÷ floor):
- sync of 10,000+ changed cases from the simulator (a separate process) through the HTTP
  client into a copy of the region store (target: at least 0.3 × the raw rows/s; median of 3 each)
  [a raw ``executemany`` of the same rows into another copy];
- the snapshot from the store + every rule at one instant (median of 5; 3 at 100k)
  [a raw ``SELECT`` of the same case rows and one comparison per open case];
- the board build, ``BoardBuilder.build`` as the application's worker runs it (collector on)
  [the same ``SELECT`` and one row of display text per open case, sorted];
- ``direkt-tui report --format json`` as a subprocess: wall time and the child's own peak RSS
  (started through a small launcher: a child forked from the benchmark itself would report at
  least the benchmark's peak RSS, which Linux carries over ``execve``)
  [a fresh interpreter that ``SELECT``s the same rows and writes them as JSON];
- the application from process start to its first board on screen, headless
  [a bare Textual app started the same way];
- a refresh after a sync, the UI thread's share (``last_refresh_ms``)
  [bare Textual: a screenful of new text into five ``Static`` widgets];
- a key press in the work list until the repaint, p50 and p95
  [bare Textual: a ``DataTable``'s cursor];
- RSS growth over one simulated hour of continuous syncing with the Recorder.
Then (``--linearity``; the default without ``--quick``) snapshot + rules and the board build at
1,000, 10,000 and 100,000 open cases over the same closed cases, in µs per open case.

Targets (issue 13 §5): at 10k open — snapshot + rules ≤ 0.2 s, report ≤ 1 s and ≤ 250 MB, first
paint ≤ 2 s, UI-thread refresh ≤ 50 ms, key → repaint p95 ≤ 30 ms (p50 ≤ 30 ms); at 100k open —
snapshot + rules ≤ 1 s, board build ≤ 1.5 s, first paint ≤ 3 s, report ≤ 250 MB, UI-thread refresh
≤ 100 ms; at both: sync ≥ 0.3 × raw, memory growth ≤ 20 MB. Exit status 0 when every target is met,
1 otherwise.

Run times on the 2-core machine, shared with other work (load average 2–5): ``--quick`` about 6
minutes (10 with ``--linearity``), ``--scale 100k`` with its linearity pass 23 minutes (building
1,000,000 closed cases takes about 2 of them); ``--no-hog`` about halves each.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import signal
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

N_SYNC = 10_000  # changed cases in the sync measurement (the simulator's preload), at every scale
SCALES = {"10k": 10_000, "100k": 100_000}
LINEARITY = (1_000, 10_000, 100_000)  # open cases of the linearity pass (the same closed cases)

# issue 13 §5, per scale (None: the issue gives no target there; printed, not judged). Judged on the
# run with the CPU hog beside the benchmark (the condition), or without it under --no-hog.
TARGETS_BY_SCALE: dict[str, dict[str, tuple[str, float] | None]] = {
    "10k": {
        "sync_rows_per_s_ratio": (">=", 0.3),
        "rules_load_and_evaluate_s": ("<=", 0.2),
        "board_build_s": None,
        "report_wall_s": ("<=", 1.0),
        "report_peak_rss_mb": ("<=", 250.0),
        "first_paint_s": ("<=", 2.0),
        "refresh_ui_thread_ms_max": ("<=", 50.0),  # was 100 ms before issue 13
        "key_repaint_ms_p50": ("<=", 30.0),
        "key_repaint_ms_p95": ("<=", 30.0),  # was 50 ms before issue 13
        "memory_growth_mb": ("<=", 20.0),
    },
    "100k": {
        "sync_rows_per_s_ratio": (">=", 0.3),
        "rules_load_and_evaluate_s": ("<=", 1.0),
        "board_build_s": ("<=", 1.5),
        "report_wall_s": None,
        "report_peak_rss_mb": ("<=", 250.0),
        "first_paint_s": ("<=", 3.0),
        "refresh_ui_thread_ms_max": ("<=", 100.0),
        "key_repaint_ms_p50": None,
        "key_repaint_ms_p95": None,
        "memory_growth_mb": ("<=", 20.0),
    },
}
TARGETS = {k: v for k, v in TARGETS_BY_SCALE["10k"].items() if v is not None}


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


def build_region(db: Path, at: datetime, n_closed: int, seed: int = 40, *, n_open: int = N_OPEN) -> dict:
    """The region store in ``db``: :func:`build_base` and then :func:`add_open`."""
    info, ctx = build_base(db, at, n_closed, seed)
    opened = add_open(db, at, ctx, n_open)
    return {**info, **opened, "seconds": round(info["seconds"] + opened["seconds"], 1)}


def build_base(db: Path, at: datetime, n_closed: int, seed: int = 40) -> tuple[dict, dict]:
    """The region store without its open cases: units, coordinators, staff and shifts through the
    store's API; the closed cases as rows (``case_row`` on template cases, ids and times varied)
    with the store's own upsert in one transaction. Returns the figures and what
    :func:`add_open` needs to add the open cases to a copy (the same cases at every scale)."""
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
    ctx = {"unit_ids": unit_ids, "staff_ids": {uid: [s.id for s in by_unit[uid]] for uid in unit_ids},
           "patients": patients, "rng_state": rng.getstate()}  # the open cases: the same sequence as before
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
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts = {t: store.count(t) for t in ("units", "staff", "shifts", "cases")}
    return {"seconds": round(time.perf_counter() - t0, 1), "entities_s": round(built_entities, 1),
            "counts": counts, "file_mb": round(db.stat().st_size / 2**20, 1)}, ctx


def open_cases(at: datetime, ctx: dict, n_open: int) -> list:
    """The first ``n_open`` of one sequence of open cases (a unit's share: ``n_open / 40``; 250 at
    10,000), created during the four days before ``at``: 1,000 open are the first tenth of the
    10,000, which are the first tenth of the 100,000."""
    from direkt_tui.domain.models import Case

    rng = random.Random()
    rng.setstate(ctx["rng_state"])
    unit_ids, staff_ids, patients = ctx["unit_ids"], ctx["staff_ids"], ctx["patients"]
    cases = []
    for i in range(n_open):
        uid = unit_ids[i % N_UNITS]
        created = at - timedelta(minutes=rng.randint(1, 60 * 24 * 4))
        status = rng.choice(["waiting", "waiting", "received", "started", "started"])
        kind = "admin" if rng.random() < 0.1 else "care"
        owner = None
        if status != "waiting":
            if rng.random() < 0.3:
                owner = {"type": "role", "profession": rng.choice(ROLE_QUEUES)}
            else:
                owner = {"type": "person", "staff_id": rng.choice(staff_ids[uid])}
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
    return cases


def add_open(db: Path, at: datetime, ctx: dict, n_open: int) -> dict:
    """Adds the open cases to ``db`` (a copy of the base store, or the base store itself) as the
    newest rows, records a successful sync at ``at`` and checkpoints."""
    from direkt_tui.store.db import Store

    t0 = time.perf_counter()
    cases = open_cases(at, ctx, n_open)
    with Store(db) as store:
        store.ingest("cases", cases)  # after the year's closed cases: the newest rows
        store.record_sync_success(at, at)
        conn = store.conn
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts = {t: store.count(t) for t in ("units", "staff", "shifts", "cases")}
        counts["open_cases"] = conn.execute("SELECT count(*) FROM cases WHERE status != 'closed'").fetchone()[0]
    if counts["open_cases"] != n_open:
        raise RuntimeError(f"{counts['open_cases']} open cases in the store, expected {n_open}")
    return {"open_seconds": round(time.perf_counter() - t0, 1), "seconds": round(time.perf_counter() - t0, 1),
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


# ===================================================================================== floors
# What the figures are set beside: the least work over the same rows, measured in the same run.
FLOOR_LIMITS_MIN = {1: 15, 2: 60, 3: 180, 4: 480, 5: 1440, None: 1440}  # one limit per priority


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="microseconds")  # the store's text (``to_store``)


def _floor_select(db: Path, at: datetime) -> tuple[str, str, tuple[str, ...]]:
    """The snapshot's case rows as one raw ``SELECT`` reads them: the open cases and those closed
    in the 36 hours before ``at`` (``Store.open_cases(closed_since, identity=False)``'s rows)."""
    from direkt_tui.store.rows import CASE_COLS, LIGHT_COLS

    sql_open = f"SELECT {LIGHT_COLS} FROM cases WHERE status != 'closed'"
    sql_closed = f"SELECT {LIGHT_COLS} FROM cases WHERE status = 'closed' AND closed_at >= ?"
    return sql_open, sql_closed, tuple(CASE_COLS)


def floor_connection(db: Path):
    import sqlite3

    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)


def floor_rules(conn, db: Path, at: datetime) -> tuple[float, float, int]:
    """The floor of snapshot + rules: the same rows by a raw ``SELECT`` (tuples) and a loop making
    one comparison per open case (its creation against its priority's limit, as text). Returns the
    total, the ``SELECT``'s part and the cases found late. (The snapshot after a sync rebuilds only
    the rows that changed; the floor reads them all: its ``SELECT`` can be most of it.)"""
    sql_open, sql_closed, cols = _floor_select(db, at)
    i_status, i_prio, i_created = cols.index("status"), cols.index("priority"), cols.index("created_at")
    cut = {p: _stamp(at - timedelta(minutes=m)) for p, m in FLOOR_LIMITS_MIN.items()}
    t0 = time.perf_counter()
    rows = conn.execute(sql_open).fetchall()
    rows += conn.execute(sql_closed, (_stamp(at - timedelta(hours=36)),)).fetchall()
    t1 = time.perf_counter()
    late = 0
    for r in rows:
        if r[i_status] != "closed" and r[i_created] < cut[r[i_prio]]:
            late += 1
    return time.perf_counter() - t0, t1 - t0, late


def floor_board(conn, db: Path, at: datetime) -> tuple[float, float, int]:
    """The floor of a board build: the same rows by a raw ``SELECT``, and per open case one row of
    display text (id, unit, priority, status, minutes waited — its creation parsed) in the work
    list's order (priority, creation)."""
    sql_open, sql_closed, cols = _floor_select(db, at)
    i_id, i_unit, i_status, i_prio, i_created = (cols.index(c) for c in ("id", "unit_id", "status", "priority",
                                                                           "created_at"))
    parse = datetime.fromisoformat
    t0 = time.perf_counter()
    rows = conn.execute(sql_open).fetchall()
    rows += conn.execute(sql_closed, (_stamp(at - timedelta(hours=36)),)).fetchall()
    t1 = time.perf_counter()
    out = []
    for r in rows:
        if r[i_status] == "closed":
            continue
        p = r[i_prio]
        mins = int((at - parse(r[i_created])).total_seconds() // 60)
        out.append(((p or 9, r[i_created]), (r[i_id], r[i_unit], f"P{p}" if p else "–", r[i_status], f"{mins} min")))
    out.sort(key=lambda x: x[0])
    return time.perf_counter() - t0, t1 - t0, len(out)


# ===================================================================================== rules
def measure_rules(db: Path, at: datetime, runs: int = 5, cold_runs: int | None = None) -> dict:
    """Snapshot + every rule at one instant, two ways:

    - warm: what the application and the recorder do after every sync — the same store
      connection re-reads (incrementally: only changed rows are rebuilt) and a fresh engine
      evaluates everything. The target is judged on this.
    - cold: a fresh store connection's first read (a one-shot process such as ``report``).

    Beside it, interleaved with the warm runs: the floor (:func:`floor_rules`) and one
    ``SELECT count(*)`` over the open cases.
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

    ref, load, evaluate, total, cold, floor, floor_sel = [], [], [], [], [], [], []
    for _ in range(runs if cold_runs is None else cold_runs):  # cold: a new connection each time
        store = Store(db, read_only=True)
        try:
            a, b, _snap, _ev = once(store)
            cold.append(a + b)
        finally:
            store.close()
    store = Store(db, read_only=True)
    fconn = floor_connection(db)
    try:
        once(store)  # the first read fills the cache
        floor_rules(fconn, db, at)  # and the floor's page cache
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
            f, f_sel, _late = floor_rules(fconn, db, at)
            floor.append(f)
            floor_sel.append(f_sel)
    finally:
        fconn.close()
        store.close()
    return {"reference_count_s": round(statistics.median(ref), 5), "snapshot_s": round(statistics.median(load), 4),
            "evaluate_s": round(statistics.median(evaluate), 4), "load_and_evaluate_s": round(statistics.median(total), 4),
            "load_and_evaluate_s_all": [round(x, 4) for x in total],
            "cold_load_and_evaluate_s": round(statistics.median(cold), 4),
            "cold_load_and_evaluate_s_all": [round(x, 4) for x in cold], "cases_read": cases_read,
            "open_cases": open_cases, "findings": findings,
            "floor_s": round(statistics.median(floor), 4), "floor_s_all": [round(x, 4) for x in floor],
            "floor_select_s": round(statistics.median(floor_sel), 4)}


# ===================================================================================== board build
def measure_board(db: Path, at: datetime, runs: int = 5) -> dict:
    """``BoardBuilder.build`` as the application's board worker runs it: one builder (store
    connection and rule engine kept between builds), the collector on, the previous board alive
    while the next is built (the one on screen). The first build (it fills the caches) apart.
    Beside it, interleaved: the floor (:func:`floor_board`)."""
    from direkt_tui.config import Config
    from direkt_tui.domain.rules import RuleEngine
    from direkt_tui.store.db import Store
    from direkt_tui.ui.model import BoardBuilder

    cfg = Config()
    store = Store(db, read_only=True)
    fconn = floor_connection(db)
    builds, floor, floor_sel = [], [], []
    try:
        builder = BoardBuilder(store, RuleEngine(cfg.params_for, lang="sv"), "sv",
                               forecast_rate=cfg.forecast.cases_per_clinician_hour)
        gc.collect()
        t0 = time.perf_counter()
        board = builder.build(at)
        first = time.perf_counter() - t0
        rows = len(board.active)
        floor_board(fconn, db, at)  # the floor's page cache
        for _ in range(runs):
            t0 = time.perf_counter()
            board = builder.build(at)  # the previous board is freed only once this one is built
            builds.append(time.perf_counter() - t0)
            f, f_sel, floor_rows = floor_board(fconn, db, at)
            floor.append(f)
            floor_sel.append(f_sel)
        del board
    finally:
        fconn.close()
        store.close()
    return {"build_s": round(statistics.median(builds), 4), "build_s_all": [round(x, 4) for x in builds],
            "first_build_s": round(first, 4), "rows_in_work_list": rows, "floor_rows": floor_rows,
            "floor_s": round(statistics.median(floor), 4), "floor_s_all": [round(x, 4) for x in floor],
            "floor_select_s": round(statistics.median(floor_sel), 4)}


# ===================================================================================== report
FLOOR_REPORT_CHILD = textwrap.dedent('''
    import json, sqlite3, sys
    db, closed_since, sql_open, sql_closed = sys.argv[1:5]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cur = conn.execute(sql_open)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall() + conn.execute(sql_closed, (closed_since,)).fetchall()
    sys.stdout.write(json.dumps({"cases": [dict(zip(names, r)) for r in rows]}, ensure_ascii=False))
''')


# A child's peak RSS (``ru_maxrss``) starts at the RSS of the process it was forked from: Linux
# carries the old address space's high-water mark over ``execve``, so a child started by this
# benchmark (hundreds of MB after building the store) would report at least the benchmark's own
# peak. The child is therefore started by a small launcher (a fresh interpreter, ~10 MB), which
# times it and reads its ``wait4`` usage.
LAUNCHER = textwrap.dedent('''
    import json, os, sys, time
    out = sys.argv[1]
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(sys.argv[2], sys.argv[2:])
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    with open(out, "w") as f:
        json.dump({"wall_s": wall, "maxrss_kb": usage.ru_maxrss}, f)
    sys.exit(os.waitstatus_to_exitcode(status))
''')


def _run_child(argv: list[str], what: str) -> tuple[float, float, bytes]:
    """One child through :data:`LAUNCHER`: wall time (fork to exit), its own peak RSS (MB) and its
    output."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r", suffix=".json") as usage:
        p = subprocess.Popen([PYTHON, "-c", LAUNCHER, usage.name, *argv], stdout=subprocess.PIPE, stderr=err,
                             cwd=ROOT)
        out = p.stdout.read()  # type: ignore[union-attr]
        p.wait()
        p.stdout.close()  # type: ignore[union-attr]
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        if p.returncode != 0:
            raise RuntimeError(f"{what} exited {p.returncode}: {stderr[-2000:]}")
        u = json.load(usage)
    return u["wall_s"], u["maxrss_kb"] / 1024, out


def run_report(db: Path, at: datetime) -> dict:
    """One ``direkt-tui report`` child: wall time and its own peak RSS (``os.wait4``)."""
    wall, rss, out = _run_child([DIREKT_TUI, "report", "--db", str(db), "--at", z(at), "--format", "json"],
                                "direkt-tui report")
    doc = json.loads(out)
    return {"wall_s": wall, "peak_rss_mb": rss, "bytes": len(out),
            "findings": len(doc.get("findings", [])) if isinstance(doc, dict) else None}


def run_floor_report(db: Path, at: datetime) -> dict:
    """The report's floor: a fresh interpreter that reads the snapshot's case rows with a raw
    ``SELECT`` (:func:`_floor_select`) and writes them as JSON — wall time and peak RSS."""
    sql_open, sql_closed, _cols = _floor_select(db, at)
    wall, rss, out = _run_child([PYTHON, "-c", FLOOR_REPORT_CHILD, str(db), _stamp(at - timedelta(hours=36)),
                                 sql_open, sql_closed], "the report's floor")
    return {"wall_s": wall, "peak_rss_mb": rss, "bytes": len(out)}


def measure_report(db: Path, at: datetime, runs: int = 3) -> dict:
    results, floors = [], []
    for _ in range(runs):  # interleaved: figure and floor under the same conditions
        results.append(run_report(db, at))
        floors.append(run_floor_report(db, at))
    return {"wall_s": round(statistics.median(r["wall_s"] for r in results), 3),
            "wall_s_all": [round(r["wall_s"], 3) for r in results],
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in results), 1),
            "peak_rss_mb_all": [round(r["peak_rss_mb"], 1) for r in results],
            "output_bytes": results[-1]["bytes"], "findings": results[-1]["findings"],
            "floor_wall_s": round(statistics.median(r["wall_s"] for r in floors), 3),
            "floor_wall_s_all": [round(r["wall_s"], 3) for r in floors],
            "floor_peak_rss_mb": round(max(r["peak_rss_mb"] for r in floors), 1),
            "floor_output_bytes": floors[-1]["bytes"]}


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
def _pct(values: list[float], p: float) -> float:  # nearest-rank percentile of sorted values
    k = max(0, min(len(values) - 1, int(-(-p * len(values) // 100)) - 1))
    return round(values[k], 1)


async def _press_latencies(app, pilot, presses: int) -> tuple[list[float], int]:
    """Key press (down/up in turn) until the next repaint reaches the driver, ms (sorted), and
    the presses that painted nothing."""
    displays: list[float] = []
    original = app._display

    def recording_display(screen, renderable):
        if renderable is not None:
            displays.append(time.perf_counter())
        return original(screen, renderable)

    app._display = recording_display
    lat = []
    missed = 0
    try:
        for i in range(presses):
            displays.clear()
            t1 = time.perf_counter()
            await pilot.press("down" if i % 40 < 20 else "up")
            await pilot.pause()
            if displays:
                lat.append((displays[0] - t1) * 1000)
            else:
                missed += 1
    finally:
        app._display = original
    lat.sort()
    return lat, missed


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
        lat, missed = await _press_latencies(app, pilot, presses)
    floor = await _measure_bare_ui(refreshes, presses)
    return {"rows_in_work_list": rows, "refresh_ui_thread_ms_median": round(statistics.median(ui), 1),
            "refresh_ui_thread_ms_max": round(max(ui), 1), "refresh_ui_thread_ms_all": [round(x, 1) for x in ui],
            "refresh_total_ms_median": round(statistics.median(total) * 1000, 1),
            "key_presses": len(lat), "key_presses_without_repaint": missed,
            "key_repaint_ms_p50": _pct(lat, 50), "key_repaint_ms_p95": _pct(lat, 95),
            "key_repaint_ms_max": round(lat[-1], 1), **floor}


BARE_PANELS, BARE_LINES, BARE_ROWS = 5, 40, 1000


async def _measure_bare_ui(refreshes: int, presses: int) -> dict:
    """The floors of the UI figures, bare Textual at the same size: a refresh puts a screenful of
    new text (40 lines of 120 characters) into five ``Static`` widgets, as many as the board's
    panels, in one ``batch_update`` (the UI thread's share, timed as ``last_refresh_ms`` is); a
    key moves the cursor of a plain ``DataTable`` (1,000 rows, 8 columns) until the repaint."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Static

    class Bare(App):
        CSS = "DataTable { height: 1fr; } Static { height: 4; }"

        def compose(self) -> ComposeResult:
            yield DataTable(id="table", cursor_type="row")
            for i in range(BARE_PANELS):
                yield Static(id=f"panel-{i}")

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("Ärende", "Enhet", "Prio", "Status", "Ägare", "Väntat", "Kvar", "Fynd")
        table.add_rows([(f"c-{i:05d}", f"Vårdcentralen {PLACES[i % N_UNITS]}", f"P{1 + i % 5}", "started",
                         "Anna Berg", f"{i % 300} min", f"{i % 60} min", "–") for i in range(BARE_ROWS)])
        table.focus()
        await pilot.pause()
        panels = list(app.query(Static))
        ui = []
        for k in range(refreshes):
            texts = ["\n".join(f"c-{(k * 7 + j) % 10_000:05d} P{1 + j % 5} {'x' * 100} {k:>6}" for j in range(BARE_LINES))
                     for _ in panels]
            t0 = time.perf_counter()
            with app.batch_update():
                for panel, text in zip(panels, texts):
                    panel.update(text)
            ui.append((time.perf_counter() - t0) * 1000)
            await pilot.pause()
        lat, missed = await _press_latencies(app, pilot, presses)
    return {"floor_refresh_ui_thread_ms_median": round(statistics.median(ui), 3),
            "floor_refresh_ui_thread_ms_max": round(max(ui), 3),
            "floor_key_presses": len(lat), "floor_key_presses_without_repaint": missed,
            "floor_key_repaint_ms_p50": _pct(lat, 50), "floor_key_repaint_ms_p95": _pct(lat, 95)}


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


# ===================================================================================== CPU hog
# ``python -c 'while 1: pass'``, after asking the kernel to kill it when the benchmark dies
# (PR_SET_PDEATHSIG), so that even a benchmark killed with SIGKILL leaves no hog behind.
HOG_CODE = textwrap.dedent('''
    import ctypes, os, signal, sys
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    except Exception:
        pass
    if os.getppid() != int(sys.argv[1]):
        sys.exit()
    while 1: pass
''')


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Hog:
    """A CPU hog beside the benchmark, a process of its own: ``with hog:`` around a measurement's
    second run. ``stop`` is idempotent; ``main`` calls it in ``finally`` (Ctrl-C, SIGTERM).
    ``share`` is the part of a core the hog got during the last run (1.0: a whole core)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.share: float | None = None
        self._t0 = 0.0
        self._cpu0: float | None = None

    def start(self) -> None:
        if self.proc is not None:
            return
        self.proc = subprocess.Popen([PYTHON, "-c", HOG_CODE, str(os.getpid())], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(0.3)  # past its start-up: spinning
        if self.proc.poll() is not None:
            self.proc = None
            raise RuntimeError("the CPU hog did not start")
        self._cpu0, self._t0 = _cpu_seconds(self.proc.pid), time.perf_counter()

    def stop(self) -> None:
        p, self.proc = self.proc, None
        if p is None:
            return
        try:
            alive = p.poll() is None
            cpu, wall = _cpu_seconds(p.pid) if alive else None, time.perf_counter() - self._t0
            self.share = round((cpu - self._cpu0) / wall, 2) if cpu is not None and self._cpu0 is not None else 0.0
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()

    def __enter__(self) -> Hog:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def paired(what: str, fn, hog: Hog | None, summary) -> tuple[dict, dict | None]:
    """``fn()`` without the hog, then (unless ``--no-hog``) again with it: the pair of figures
    measured one right after the other, so that both see the same machine otherwise."""
    def attempt() -> dict:
        try:
            return fn()
        except Exception as exc:  # a failed measurement is a missed target, not the end of the run
            last = (str(exc).strip().splitlines() or [""])[-1]
            log(f"  {what} FAILED: {type(exc).__name__}: {last[-300:]}")
            return {"error": f"{type(exc).__name__}: {str(exc)[-1500:]}"}

    t0 = time.perf_counter()
    quiet = attempt()
    if "error" not in quiet:
        log(f"  {what}: {summary(quiet)}")
    loud = None
    if hog is not None:
        with hog:
            loud = attempt()
        loud["hog_core_share"] = hog.share
        if "error" not in loud:
            log(f"  {what}, with the hog ({hog.share} of a core): {summary(loud)}")
    quiet["seconds"] = round(time.perf_counter() - t0, 1)
    return quiet, loud


# ===================================================================================== main
def targets_for(n_open: int) -> tuple[str, dict[str, tuple[str, float] | None]]:
    name = "100k" if n_open >= SCALES["100k"] else "10k"
    return name, TARGETS_BY_SCALE[name]


def check(key: str, value: float, targets: dict[str, tuple[str, float] | None] | None = None) -> bool | None:
    t = (TARGETS if targets is None else targets).get(key)
    if t is None:
        return None
    op, target = t
    return value >= target if op == ">=" else value <= target


# the table's rows: key -> (what, unit, measured, floor, what the target judges: the measured value or the ratio)
ROWS = {
    "sync_rows_per_s_ratio": ("sync of 10,000 changed cases, rows/s vs raw upsert", "rows/s",
                              lambda r: r["sync"]["sync_rows_per_s"], lambda r: r["sync"]["raw_rows_per_s"], "ratio"),
    "rules_load_and_evaluate_s": ("snapshot + every rule at one instant (after a sync)", "s",
                                  lambda r: r["rules"]["load_and_evaluate_s"], lambda r: r["rules"]["floor_s"], "value"),
    "board_build_s": ("board build (BoardBuilder.build, as the worker)", "s",
                      lambda r: r["board"]["build_s"], lambda r: r["board"]["floor_s"], "value"),
    "report_wall_s": ("direkt-tui report --format json, wall", "s",
                      lambda r: r["report"]["wall_s"], lambda r: r["report"]["floor_wall_s"], "value"),
    "report_peak_rss_mb": ("direkt-tui report --format json, peak RSS", "MB",
                           lambda r: r["report"]["peak_rss_mb"], lambda r: r["report"]["floor_peak_rss_mb"], "value"),
    "first_paint_s": ("process start to first paint", "s",
                      lambda r: r["first_paint"]["first_paint_s"], lambda r: r["first_paint"]["hello_first_paint_s"],
                      "value"),
    "refresh_ui_thread_ms_max": ("refresh after a sync, UI thread (max)", "ms",
                                 lambda r: r["ui"]["refresh_ui_thread_ms_max"],
                                 lambda r: r["ui"]["floor_refresh_ui_thread_ms_max"], "value"),
    "key_repaint_ms_p50": ("key press to repaint, p50", "ms", lambda r: r["ui"]["key_repaint_ms_p50"],
                           lambda r: r["ui"]["floor_key_repaint_ms_p50"], "value"),
    "key_repaint_ms_p95": ("key press to repaint, p95", "ms", lambda r: r["ui"]["key_repaint_ms_p95"],
                           lambda r: r["ui"]["floor_key_repaint_ms_p95"], "value"),
    "memory_growth_mb": ("RSS growth over a simulated hour of syncing", "MB",
                         lambda r: r["memory"]["memory_growth_mb"], lambda r: None, "value"),
}
FLOORS = {
    "sync_rows_per_s_ratio": "the same rows by one raw `executemany` of the store's upsert in one transaction",
    "rules_load_and_evaluate_s": "a raw `SELECT` of the snapshot's case rows (open + closed in the last 36 h) and "
                                 "one comparison per open case (creation against its priority's limit); it reads "
                                 "every row, where the snapshot after a sync rebuilds only those that changed",
    "board_build_s": "the same `SELECT` and per open case one row of display text (its creation parsed for "
                     "the minutes waited), sorted by (priority, creation)",
    "report_wall_s": "a fresh interpreter: raw `SELECT` of the snapshot's case rows, written as JSON",
    "report_peak_rss_mb": "the same child's peak RSS",
    "first_paint_s": "a bare Textual app (one `Static`) started the same way",
    "refresh_ui_thread_ms_max": "bare Textual: a screenful (40 lines) of new text into 5 `Static`s in one "
                                "`batch_update`",
    "key_repaint_ms_p50": "bare Textual: a `DataTable` (1,000 rows × 8 columns), cursor down/up until the repaint",
    "key_repaint_ms_p95": "the same",
    "memory_growth_mb": "—",
}
TARGET_TEXT = {"s": " s", "ms": " ms", "MB": " MB", "rows/s": " × raw"}


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 1 else f"{value:.1f} ms"
    return f"{value:.1f} {unit}"


def _target_text(t: tuple[str, float] | None, unit: str) -> str:
    if t is None:
        return "—"
    op, v = t
    return f"{'≥' if op == '>=' else '≤'} {v:g}{TARGET_TEXT[unit]}"


def figures_of(p: dict, targets: dict[str, tuple[str, float] | None]) -> dict:
    """Per row: the measured value, its floor, the ratio (measured ÷ floor) and whether the target is met."""
    out = {}
    for key, (_what, _unit, value, floor, judged) in ROWS.items():
        try:
            v, f = value(p), floor(p)
        except KeyError:  # the measurement failed (its error is in the JSON): missed
            out[key] = {"value": None, "floor": None, "ratio": None, "met": False if targets.get(key) else None,
                        "failed": True}
            continue
        ratio = round(v / f, 2) if f else None
        if key == "sync_rows_per_s_ratio":
            ratio = p["sync"]["ratio"]
        out[key] = {"value": v, "floor": f, "ratio": ratio,
                    "met": check(key, ratio if judged == "ratio" else v, targets)}
    return out


def references_of(p: dict) -> dict[str, str]:
    out = {}
    for key, text in _references(p).items():
        try:
            out[key] = text()
        except KeyError:
            out[key] = "failed: " + next((p[m]["error"] for m in p if "error" in p[m]), "?")[:300]
    return out


def _references(r: dict) -> dict:
    return {
        "sync_rows_per_s_ratio": lambda: f"raw executemany {r['sync']['raw_s']} s; sync {r['sync']['sync_s']} s "
                                 f"({r['sync']['cases']:,} cases)",
        "rules_load_and_evaluate_s": lambda: f"snapshot {r['rules']['snapshot_s'] * 1000:.0f} ms + rules "
                                     f"{r['rules']['evaluate_s'] * 1000:.0f} ms; a fresh process's first read "
                                     f"{r['rules']['cold_load_and_evaluate_s'] * 1000:.0f} ms; SELECT count(*) "
                                     f"{r['rules']['reference_count_s'] * 1000:.2f} ms; the floor's SELECT "
                                     f"{r['rules']['floor_select_s'] * 1000:.0f} ms of its "
                                     f"{r['rules']['floor_s'] * 1000:.0f} ms",
        "board_build_s": lambda: f"first build {r['board']['first_build_s']} s; {r['board']['rows_in_work_list']:,} rows in "
                         f"the work list; the floor's SELECT {r['board']['floor_select_s'] * 1000:.0f} ms of its "
                         f"{r['board']['floor_s'] * 1000:.0f} ms",
        "report_wall_s": lambda: f"{r['report']['output_bytes']:,} bytes, {r['report']['findings']:,} findings",
        "report_peak_rss_mb": lambda: f"floor child wrote {r['report']['floor_output_bytes']:,} bytes",
        "first_paint_s": lambda: f"imports {r['first_paint']['app_imports_s']} s; {r['first_paint']['rows_in_work_list']:,} "
                         f"rows in the work list",
        "refresh_ui_thread_ms_max": lambda: f"median {r['ui']['refresh_ui_thread_ms_median']} ms "
                                    f"(worker + UI {r['ui']['refresh_total_ms_median']} ms)",
        "key_repaint_ms_p50": lambda: f"{r['ui']['key_presses']} presses, max {r['ui']['key_repaint_ms_max']} ms",
        "key_repaint_ms_p95": lambda: "",
        "memory_growth_mb": lambda: f"{r['memory']['rss_after_warmup_mb']} → {r['memory']['rss_after_hour_mb']} MB",
    }


def measure_scale(db: Path, at: datetime, n_open: int, hog: Hog | None) -> dict:
    runs = 5 if n_open <= N_OPEN else 3
    rules = paired(f"snapshot + rules at {n_open:,} open", lambda: measure_rules(db, at, runs, cold_runs=1), hog,
                   lambda r: f"{r['load_and_evaluate_s'] * 1000:.0f} ms (floor {r['floor_s'] * 1000:.1f} ms)")
    board = paired(f"board build at {n_open:,} open", lambda: measure_board(db, at, runs), hog,
                   lambda r: f"{r['build_s'] * 1000:.0f} ms (floor {r['floor_s'] * 1000:.1f} ms)")
    return {"rules": rules, "board": board}


def _per_case(p: dict | None, n: int) -> dict | None:
    if p is None or p["rules"] is None or "error" in p["rules"] or "error" in p["board"]:
        return None
    return {"rules_s": p["rules"]["load_and_evaluate_s"], "rules_us_per_case": round(p["rules"]["load_and_evaluate_s"]
                                                                                     / n * 1e6, 2),
            "board_s": p["board"]["build_s"], "board_us_per_case": round(p["board"]["build_s"] / n * 1e6, 2)}


def _on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through every ``finally``: the hog, the simulator, the temporary files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    ap.add_argument("--quick", action="store_true", help="a tenth of the closed cases")
    ap.add_argument("--open", type=int, default=None, metavar="N",
                    help=f"open cases in the main pass (default {N_OPEN:,}); 100,000 or more: the 100k targets")
    ap.add_argument("--scale", choices=sorted(SCALES), default=None, help="the issue's scales: --open 10000 / 100000")
    ap.add_argument("--no-hog", action="store_true", help="skip the runs with a CPU hog beside the benchmark")
    ap.add_argument("--linearity", action=argparse.BooleanOptionalAction, default=None,
                    help=f"the linearity pass: snapshot + rules and board build at "
                         f"{', '.join(f'{n:,}' for n in LINEARITY)} open (default: on, off with --quick)")
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="start the children (report, app, simulator) with the environment's bytecode setting "
                         "(PYTHONDONTWRITEBYTECODE=1 compiles the package in every child) instead of a bytecode "
                         "cache in a temporary directory")
    ap.add_argument("--memory-child", nargs=2, metavar=("URL", "DB"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.memory_child:
        url, db = a.memory_child
        print(json.dumps(memory_child(url, Path(db), MEMORY_SPEED, 600, 3600, 0.5)), flush=True)
        return 0
    if a.open is not None and a.scale is not None and a.open != SCALES[a.scale]:
        ap.error("--open and --scale disagree")
    n_open = a.open if a.open is not None else SCALES[a.scale] if a.scale else N_OPEN
    if not 1 <= n_open <= 1_000_000:
        ap.error("--open: 1 to 1,000,000")
    scale_name, targets = targets_for(n_open)

    os.environ.setdefault("DIREKT_API_TOKEN", TOKEN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    n_closed = N_CLOSED // 10 if a.quick else N_CLOSED
    t_run = time.perf_counter()
    load_start = os.getloadavg()
    res: dict = {"benchmark": "region", "quick": a.quick, "at": z(AT), "targets_scale": scale_name,
                 "scale": {"units": N_UNITS, "open_cases": n_open, "closed_cases": n_closed, "staff": N_STAFF,
                           "shifts": N_SHIFTS, "sync_cases": N_SYNC},
                 "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                             "load_average_at_start": [round(x, 2) for x in load_start]},
                 "hog": not a.no_hog}
    hog = None if a.no_hog else Hog()
    # an installed application starts from bytecode: give the children a cache of their own (this
    # run's, in a temporary directory), filled by untimed runs before the timed ones
    no_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    pycache = None if a.no_bytecode_cache else tempfile.mkdtemp(prefix="direkt-region-pyc-")
    if pycache is not None:
        os.environ["PYTHONPYCACHEPREFIX"] = pycache
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    res["children_bytecode"] = ("cached (this run's PYTHONPYCACHEPREFIX)" if pycache is not None else
                                "as the environment has it" + (" (PYTHONDONTWRITEBYTECODE=1: compiled in every child)"
                                                               if no_bytecode else ""))
    sync_sim = SimProcess("--preload-cases", str(N_SYNC), "--speed", "0", "--start", z(AT))
    quiet: dict = {}
    loud: dict = {}

    def pair(key: str, what: str, fn, summary) -> None:
        quiet[key], loud[key] = paired(what, fn, hog, summary)

    try:
        with tempfile.TemporaryDirectory(prefix="direkt-region-") as tmpname:
            tmp = Path(tmpname)
            base = tmp / "base.db"
            log(f"building the region store ({N_UNITS} units, {n_closed:,} closed cases, {N_STAFF:,} staff, "
                f"{N_SHIFTS:,} shifts) in {tmp}")
            info, ctx = build_base(base, AT, n_closed)

            def with_open(n: int) -> Path:
                db = tmp / f"region-{n}.db"
                copy_store(base, db)
                opened = add_open(db, AT, ctx, n)
                log(f"  + {n:,} open cases in {opened['open_seconds']} s: {db.name}, {opened['file_mb']} MB")
                res.setdefault("build_open", {})[str(n)] = opened
                return db

            region = with_open(n_open)
            res["build"] = {**info, "seconds": round(info["seconds"] + res["build_open"][str(n_open)]["seconds"], 1),
                            "counts": res["build_open"][str(n_open)]["counts"],
                            "file_mb": res["build_open"][str(n_open)]["file_mb"]}
            log(f"  built in {res['build']['seconds']} s, {res['build']['file_mb']} MB: {res['build']['counts']}")

            log(f"sync: {N_SYNC:,}+ changed cases from the simulator process into a copy of the region store, 3 runs")
            url = sync_sim.wait_ready()
            pair("sync", "sync", lambda: measure_sync(region, tmp, url),
                 lambda r: f"{r['sync_s']} s vs raw {r['raw_s']} s: ratio {r['ratio']}")
            sync_sim.stop()

            runs = 5 if n_open <= N_OPEN else 3
            log(f"rules: snapshot + evaluate, median of {runs}")
            pair("rules", "rules", lambda: measure_rules(region, AT, runs),
                 lambda r: f"{r['load_and_evaluate_s'] * 1000:.0f} ms (snapshot {r['snapshot_s'] * 1000:.0f} + rules "
                           f"{r['evaluate_s'] * 1000:.0f}; floor {r['floor_s'] * 1000:.1f})")

            log(f"board build: BoardBuilder.build as the worker runs it, median of {runs}")
            pair("board", "board", lambda: measure_board(region, AT, runs),
                 lambda r: f"{r['build_s'] * 1000:.0f} ms (first {r['first_build_s'] * 1000:.0f}; floor "
                           f"{r['floor_s'] * 1000:.1f})")

            log("children: one report and one first paint untimed (page cache, bytecode cache)")
            run_report(region, AT)
            script = tmp / "first_paint.py"
            script.write_text(PAINT_CHILD)
            run_paint(script, "app", region, AT)

            log("report: direkt-tui report --format json, 3 runs (+ its floor)")
            pair("report", "report", lambda: measure_report(region, AT),
                 lambda r: f"{r['wall_s']} s, peak RSS {r['peak_rss_mb']} MB (floor {r['floor_wall_s']} s, "
                           f"{r['floor_peak_rss_mb']} MB)")

            log("first paint: subprocess from spawn to the first board on screen, 3 runs (+ bare Textual app)")
            pair("first_paint", "first paint", lambda: measure_first_paint(tmp, region, AT),
                 lambda r: f"{r['first_paint_s']} s (hello {r['hello_first_paint_s']} s)")

            log("refresh after a sync and key presses in the work list (in process, + bare Textual)")
            refreshes = 8 if n_open <= N_OPEN else 5
            pair("ui", "ui", lambda: measure_ui(region, AT, refreshes),
                 lambda r: f"refresh UI thread max {r['refresh_ui_thread_ms_max']} ms; keys p50 "
                           f"{r['key_repaint_ms_p50']} ms p95 {r['key_repaint_ms_p95']} ms (floors "
                           f"{r['floor_refresh_ui_thread_ms_max']} / {r['floor_key_repaint_ms_p50']} / "
                           f"{r['floor_key_repaint_ms_p95']} ms)")

            log(f"memory: one simulated hour of syncing at speed {MEMORY_SPEED:g} (after a 10-minute warm-up)")
            pair("memory", "memory", lambda: measure_memory(tmp),
                 lambda r: f"{r['rss_after_warmup_mb']} MB -> {r['rss_after_hour_mb']} MB over {r['cycles']} cycles")

            lin: dict = {}
            if a.linearity or (a.linearity is None and not a.quick):
                log(f"linearity: snapshot + rules and board build at {', '.join(f'{n:,}' for n in LINEARITY)} open "
                    f"(the same {n_closed:,} closed)")
                for n in LINEARITY:
                    if n == n_open:
                        lin[n] = {"rules": (quiet["rules"], loud["rules"]), "board": (quiet["board"], loud["board"])}
                        continue
                    db = with_open(n)
                    try:
                        lin[n] = measure_scale(db, AT, n, hog)
                    finally:
                        remove_store(db)
            res["linearity"] = {str(n): {"quiet": _per_case({"rules": m["rules"][0], "board": m["board"][0]}, n),
                                         "hog": _per_case({"rules": m["rules"][1], "board": m["board"][1]}, n)
                                         if hog is not None else None}
                                for n, m in lin.items()}
    finally:
        sync_sim.stop()
        if hog is not None:
            hog.stop()
        if pycache is not None:
            shutil.rmtree(pycache, ignore_errors=True)
    res["run_seconds"] = round(time.perf_counter() - t_run, 1)
    res["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    res["quiet"], res["with_hog"] = quiet, (loud if hog is not None else None)

    fig_q = figures_of(quiet, targets)
    fig_h = figures_of(loud, targets) if hog is not None else None
    judged = fig_h if fig_h is not None else fig_q
    res["figures"] = {k: v["value"] for k, v in fig_q.items()}
    res["figures"]["sync_rows_per_s_ratio"] = quiet["sync"]["ratio"]
    res["table"] = {"quiet": fig_q, "with_hog": fig_h}
    res["targets"] = {k: ({"op": t[0], "value": t[1]} if t else None) for k, t in targets.items()}
    res["floors"] = FLOORS
    res["references"] = references_of(quiet)
    res["met"] = {k: v["met"] for k, v in judged.items()}
    res["met_judged_on"] = "with_hog" if fig_h is not None else "quiet"

    scale = (f"{N_UNITS} units, {n_open:,} open + {n_closed:,} closed cases, {N_STAFF:,} staff, {N_SHIFTS:,} shifts"
             + (" (--quick)" if a.quick else ""))
    print()
    print(f"Region benchmark: {scale}; store {res['build']['file_mb']} MB built in {res['build']['seconds']} s; "
          f"run {res['run_seconds']} s")
    print(f"Targets: issue 13 §5 at {scale_name} open, judged {'with the CPU hog beside the benchmark' if fig_h else 'without a hog (--no-hog)'}"
          f". {os.cpu_count()} CPUs; load average {load_start[0]:.2f} at the start, "
          f"{res['machine']['load_average_at_end'][0]:.2f} at the end (other processes than the benchmark's count too)"
          f"; children's bytecode {res['children_bytecode']}")
    if hog is not None:
        shares = [loud[k]["hog_core_share"] for k in loud if loud[k].get("hog_core_share") is not None] or [0.0]
        print(f"CPU hog: `python -c 'while 1: pass'` beside each measurement's second run; it got "
              f"{min(shares):.2f}–{max(shares):.2f} of a core")
    print()
    if fig_h is not None:
        print("| what | target | measured | floor | ratio | with hog | floor | ratio | met (quiet / hog) |")
        print("|---|---|---|---|---|---|---|---|---|")
    else:
        print("| what | target | measured | floor | ratio | met |")
        print("|---|---|---|---|---|---|")

    def cells(f: dict, unit: str) -> str:
        if f.get("failed"):
            return "FAILED | — | —"
        ratio = "—" if f["ratio"] is None else f"{f['ratio']:.2f} ×"
        return f"{_fmt(f['value'], unit)} | {_fmt(f['floor'], unit)} | {ratio}"

    def met_text(m: bool | None) -> str:
        return "—" if m is None else "yes" if m else "NO"

    for key, (what, unit, *_rest) in ROWS.items():
        q = fig_q[key]
        line = f"| {what} | {_target_text(targets[key], unit)} | {cells(q, unit)} | "
        if fig_h is not None:
            h = fig_h[key]
            line += f"{cells(h, unit)} | {met_text(q['met'])} / {met_text(h['met'])} |"
        else:
            line += f"{met_text(q['met'])} |"
        print(line)
    print()
    print("Floors (measured in the same run, beside each figure; ratio = measured ÷ floor):")
    for key, (what, *_rest) in ROWS.items():
        if key != "key_repaint_ms_p95":
            print(f"- {what}: {FLOORS[key]}")
    print()
    print("Details (without the hog):")
    refs = references_of(quiet)
    for key, (what, *_rest) in ROWS.items():
        if refs[key]:
            print(f"- {what}: {refs[key]}")
    if res["linearity"]:
        print()
        print(f"Linearity: µs per open case ({n_closed:,} closed at every scale)")
        print()
        head = "| open cases | snapshot + rules | µs / case | board build | µs / case |"
        if hog is not None:
            head += " with hog: snapshot + rules | µs / case | board build | µs / case |"
        print(head)
        print("|" + "---|" * (head.count("|") - 1))
        for n, lq in res["linearity"].items():
            if lq["quiet"] is None:
                print(f"| {int(n):,} | failed | | | |")
                continue
            row = (f"| {int(n):,} | {lq['quiet']['rules_s'] * 1000:.0f} ms | {lq['quiet']['rules_us_per_case']:.1f} | "
                   f"{lq['quiet']['board_s'] * 1000:.0f} ms | {lq['quiet']['board_us_per_case']:.1f} |")
            if lq["hog"] is not None:
                lh = lq["hog"]
                row += (f" {lh['rules_s'] * 1000:.0f} ms | {lh['rules_us_per_case']:.1f} | {lh['board_s'] * 1000:.0f} ms"
                        f" | {lh['board_us_per_case']:.1f} |")
            print(row)
        top = res["linearity"][str(max(lin))]["quiet"]
        print()
        for n in sorted(lin)[:-1]:
            low = res["linearity"][str(n)]["quiet"]
            if top is not None and low is not None:
                print(f"µs per case at {max(lin):,} ÷ at {n:,} (1.0: linear; below 1: a fixed cost spread; above 1: "
                      f"more than linear): snapshot + rules {top['rules_us_per_case'] / low['rules_us_per_case']:.2f}, "
                      f"board build {top['board_us_per_case'] / low['board_us_per_case']:.2f}")
    failures = [(name, k, m["error"]) for name, ps in (("without the hog", quiet), ("with the hog", loud))
                for k, m in ps.items() if m is not None and "error" in m]
    if failures:
        print()
        print("Failed measurements:")
        for name, k, err in failures:
            print(f"- {k}, {name}: {err.strip().splitlines()[-1][-300:]}")
    print()
    missed = [k for k, ok in res["met"].items() if ok is False]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if not missed else 1


if __name__ == "__main__":
    raise SystemExit(main())
