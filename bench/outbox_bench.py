"""Benchmark: 500 marked cases reassigned through the outbox against the loopback simulator.
Target: every outcome recorded in under 10 s.

    python bench/outbox_bench.py [--cases 500] [--concurrency 8] [--latency-ms 0] [--runs 3] [--out FILE]

One run: a fresh store holding the simulator's cases; ``enqueue`` of one ``assign`` write per
case (one batch, one audit entry), then :class:`OutboxSender` until nothing is pending. The
time is from the enqueue to the last outcome recorded (``finish`` commits each outcome with
``synchronous=FULL``). Prints the median of ``--runs`` and writes every figure as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from direkt_tui.domain.models import Case
from direkt_tui.sim import SimServer
from direkt_tui.sim.timeutil import SimClock
from direkt_tui.sim.world import World
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.outbox import OutboxSender, assign_write

TOKEN = "bench"
AS_OF = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
TARGET_SECONDS = 10.0


def _z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_world(n: int) -> World:
    hours = {str(d): [{"open": "08:00", "close": "17:00"}] for d in range(1, 6)}
    unit = {"id": "vc-a", "name": "Vårdcentralen A", "timezone": "Europe/Stockholm", "activated": True,
            "opening_hours": hours, "special_hours": {}, "closed_dates": [], "version": 1}
    cases = []
    for i in range(n):
        created = AS_OF - timedelta(minutes=i % 300 + 1)
        cases.append({
            "id": f"c-{i}", "unit_id": "vc-a", "kind": "care", "priority": 1 + i % 5, "status": "waiting",
            "owner": {"type": "role", "profession": "nurse"}, "owner_since": _z(created), "reason": "Förkylning",
            "created_at": _z(created), "received_at": None, "started_at": None, "closed_at": None,
            "close_reason": None, "last_patient_message_at": None, "last_staff_message_at": None,
            "contact_attempts": [], "notices": [], "handover": None, "reopen_until": None,
            "patient": {"display_name": f"Testperson {i}", "personnummer": "19800505-9001",
                        "birth_date": "1980-05-05", "phone": "070-000 00 01", "protected_identity": False},
            "version": 1, "updated_at": _z(created),
        })
    staff = [{"id": "s-1", "unit_id": "vc-a", "name": "Doktor", "professions": ["doctor"], "version": 1}]
    shifts = [{"id": "sh-1", "unit_id": "vc-a", "staff_id": "s-1", "profession": "doctor",
               "start": _z(AS_OF - timedelta(hours=4)), "end": _z(AS_OF + timedelta(hours=4)), "cancelled": False,
               "version": 1}]
    return World(units=[unit], staff=staff, shifts=shifts, cases=cases, clock=SimClock(AS_OF, speed=0),
                 name="outbox-bench")


def one_run(n: int, concurrency: int, latency_ms: int, tmp: Path) -> dict:
    world = make_world(n)
    world.set_faults(latency_ms=latency_ms)
    with SimServer(world, port=0, token=TOKEN) as srv, Store(tmp / "bench.db") as store, \
            ApiClient(srv.base_url, token=TOKEN, deadline=30.0) as client:
        store.ingest("cases", [Case.from_api(c) for c in world.entities("cases").values()])
        marked = [store.case(f"c-{i}") for i in range(n)]
        sender = OutboxSender(store, client, concurrency=concurrency)
        t0 = time.perf_counter()
        writes = [assign_write(c, {"type": "role", "profession": "doctor"}) for c in marked]
        batch = actions.enqueue(store, datetime.now(UTC), "bench", "reassign", writes)
        t_enqueued = time.perf_counter() - t0
        idle = sender.run_until_idle(120)
        total = time.perf_counter() - t0
        sender.close()
        rows = actions.batch_rows(store, batch)
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        applied = sum(1 for c in world.entities("cases").values() if c["version"] == 2)
        audit_ok = actions.audit_verify(store) == []
    return {"seconds": total, "enqueue_seconds": t_enqueued, "idle": idle, "outcomes": counts,
            "applied_by_simulator": applied, "audit_verifies": audit_ok,
            "writes_per_second": n / total if total else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--latency-ms", type=int, default=0, help="simulator latency per request")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    runs = []
    for _ in range(a.runs):
        with tempfile.TemporaryDirectory(prefix="outbox-bench-") as d:
            runs.append(one_run(a.cases, a.concurrency, a.latency_ms, Path(d)))
    med = statistics.median(r["seconds"] for r in runs)
    ok = all(r["idle"] and r["outcomes"] == {"done": a.cases} and r["applied_by_simulator"] == a.cases
             and r["audit_verifies"] for r in runs)
    doc = {"benchmark": "outbox", "cases": a.cases, "concurrency": a.concurrency, "latency_ms": a.latency_ms,
           "runs": runs, "median_seconds": med, "target_seconds": TARGET_SECONDS,
           "meets_target": med < TARGET_SECONDS, "all_done_exactly_once": ok}
    print(f"outbox: {a.cases} reassignments, concurrency {a.concurrency}, latency {a.latency_ms} ms: "
          f"{med:.2f} s median of {a.runs} ({a.cases / med:.0f} writes/s; target < {TARGET_SECONDS:g} s) — "
          f"{'every case done exactly once' if ok else 'NOT all done exactly once'}")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0 if ok and med < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
