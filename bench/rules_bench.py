"""Benchmark: evaluate every rule at one instant over a store with 10,000 open cases, 300 staff
and 2,000 shifts over 5 units (issue: foundation). Target: under 0.2 s.

    python bench/rules_bench.py [--cases 10000] [--out bench/results-rules.json]

Prints, and writes as JSON: the time to read the snapshot from the store, the time to
evaluate the rules, and their sum (median of several runs), beside a reference `SELECT count(*)`
over the open cases.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from direkt_tui.domain.models import Case, Coordinator, Shift, Staff, Unit
from direkt_tui.domain.rules import RuleEngine
from direkt_tui.store.db import Store

PROFS = ["nurse", "nurse", "nurse", "doctor", "doctor", "assistant_nurse", "physiotherapist", "psychologist",
         "medical_admin", "admin_contact"]
WEEKDAYS = {str(d): [{"open": "08:00", "close": "17:00"}] for d in range(1, 6)}
LUNCH = {str(d): [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}] for d in range(1, 6)}


def z(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def build(db: Path, n_cases: int, n_staff: int, n_shifts: int, n_units: int, at: datetime, seed: int = 7) -> None:
    rnd = random.Random(seed)
    units = [Unit.from_api({"id": f"u-{i}", "name": f"Vårdcentralen {i}", "timezone": "Europe/Stockholm",
                            "activated": True, "opening_hours": LUNCH if i == 0 else WEEKDAYS, "version": 1})
             for i in range(n_units)]
    staff = [Staff.from_api({"id": f"s-{i}", "unit_id": f"u-{i % n_units}", "name": f"Person {i}",
                             "professions": [PROFS[i % len(PROFS)]], "version": 1}) for i in range(n_staff)]
    shifts = []
    day0 = at.replace(hour=7, minute=0, second=0, microsecond=0)
    for i in range(n_shifts):
        s = staff[i % n_staff]
        start = day0 - timedelta(days=rnd.randint(0, 6)) + timedelta(minutes=rnd.choice([0, 30, 60, 120, 300]))
        shifts.append(Shift.from_api({"id": f"sh-{i}", "unit_id": s.unit_id, "staff_id": s.id,
                                      "profession": s.professions[0], "start": z(start),
                                      "end": z(start + timedelta(hours=rnd.choice([4, 6, 8, 9]))),
                                      "cancelled": rnd.random() < 0.03, "version": 1}))
    cases = []
    for i in range(n_cases):
        uid = f"u-{i % n_units}"
        created = at - timedelta(minutes=rnd.randint(1, 60 * 24 * 4))
        status = rnd.choice(["waiting", "waiting", "received", "started", "started"])
        kind = "admin" if rnd.random() < 0.1 else "care"
        owner = None
        if status != "waiting":
            if rnd.random() < 0.3:
                owner = {"type": "role", "profession": rnd.choice(PROFS[:8])}
            else:
                owner = {"type": "person", "staff_id": f"s-{rnd.randrange(n_staff)}"}
        d = {"id": f"c-{i}", "unit_id": uid, "kind": kind, "priority": None if kind == "admin" else rnd.choice(
            [1, 2, 2, 3, 3, 3, 4, 4, 5]), "status": status, "owner": owner,
             "owner_since": z(created + timedelta(minutes=5)) if owner else None, "created_at": z(created),
             "received_at": z(created + timedelta(minutes=5)) if status != "waiting" else None,
             "started_at": z(created + timedelta(minutes=10)) if status == "started" else None,
             "last_patient_message_at": z(created + timedelta(minutes=20)) if status == "started" else None,
             "last_staff_message_at": z(created + timedelta(minutes=rnd.choice([15, 25]))) if status == "started" else None,
             "contact_attempts": [z(created + timedelta(hours=1)), z(created + timedelta(hours=4))] if rnd.random() < 0.1 else [],
             "notices": [], "handover": {"to_unit_id": "u-1", "requested_at": z(created + timedelta(minutes=30)),
                                         "accepted_at": None, "urgent": False} if rnd.random() < 0.02 else None,
             "patient": {"display_name": "Testperson", "personnummer": "19800505-9001", "birth_date": "1980-05-05",
                         "phone": "070-000 00 01", "protected_identity": rnd.random() < 0.01},
             "url": f"https://clinic.example/cases/c-{i}", "version": 1, "updated_at": z(created)}
        cases.append(Case.from_api(d))
    with Store(db) as store:
        store.replace_reference(units=units, coordinators=[Coordinator(u.id, f"s-{i}", None) for i, u in enumerate(units)])
        store.ingest("staff", staff)
        store.ingest("shifts", shifts)
        store.ingest("cases", cases)
        store.record_sync_success(at, at)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--staff", type=int, default=300)
    ap.add_argument("--shifts", type=int, default=2_000)
    ap.add_argument("--units", type=int, default=5)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    at = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)  # Thursday 14:30 in Stockholm
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build(db, args.cases, args.staff, args.shifts, args.units, at)
        build_s = time.perf_counter() - t0
        ref, load, evaluate, total, warm = [], [], [], [], []
        findings = open_cases = 0
        for _ in range(args.runs):
            store = Store(db, read_only=True)  # cold: a new connection's first read, as a report does
            try:
                t0 = time.perf_counter()
                store.conn.execute("SELECT count(*) FROM cases WHERE status != 'closed'").fetchone()
                ref.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                engine = RuleEngine()  # a fresh engine: no cached calendars
                snap = store.snapshot(around=at, identity=False, **engine.read_plan(store.units(), at))
                t1 = time.perf_counter()
                ev = engine.evaluate(snap, at)
                t2 = time.perf_counter()
                load.append(t1 - t0)
                evaluate.append(t2 - t1)
                total.append(t2 - t0)
                findings, open_cases = len(ev.findings), len(ev.open_cases)
                # warm: the same connection again, as the application reads after a sync
                t0 = time.perf_counter()
                engine = RuleEngine()
                snap = store.snapshot(around=at, identity=False, **engine.read_plan(store.units(), at))
                engine.evaluate(snap, at)
                warm.append(time.perf_counter() - t0)
            finally:
                store.close()
    result = {
        "benchmark": "rules",
        "open_cases": open_cases,
        "staff": args.staff,
        "shifts": args.shifts,
        "units": args.units,
        "findings": findings,
        "build_store_s": round(build_s, 3),
        "reference_count_s": round(statistics.median(ref), 5),
        "snapshot_load_s": round(statistics.median(load), 4),
        "evaluate_s": round(statistics.median(evaluate), 4),
        "load_and_evaluate_s": round(statistics.median(total), 4),
        "warm_load_and_evaluate_s": round(statistics.median(warm), 4),
        "target_s": 0.2,
    }
    result["met"] = result["load_and_evaluate_s"] < result["target_s"]
    print(f"open cases {open_cases}, findings {findings}")
    print(f"reference SELECT count(*): {result['reference_count_s'] * 1000:.2f} ms")
    print(f"snapshot from store:       {result['snapshot_load_s'] * 1000:.1f} ms")
    print(f"rule evaluation:           {result['evaluate_s'] * 1000:.1f} ms")
    print(f"load + evaluate:           {result['load_and_evaluate_s'] * 1000:.1f} ms "
          f"(target < 200 ms: {'met' if result['met'] else 'NOT met'})")
    print(f"after a sync (warm read):  {result['warm_load_and_evaluate_s'] * 1000:.1f} ms")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
