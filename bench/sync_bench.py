"""Benchmark: sync 10,000 changed cases from the simulator over loopback into a fresh store.
Target: under 2 s.

    python bench/sync_bench.py [--cases 10000] [--page-size 500] [--runs 3] [--out bench/results-sync.json]

Beside it, the floor: a raw ``executemany`` of the same case rows (the store's own conditional
upsert statement) into the same schema in one transaction — what SQLite alone costs. Prints
both (median of ``--runs``), their ratio, and writes them as JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from direkt_tui.config import ApiConfig, Config, SyncConfig
from direkt_tui.domain.models import Case
from direkt_tui.sim import SimServer, generate_world
from direkt_tui.store.db import _UPSERT, Store, case_row
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.engine import SyncEngine

TOKEN = "bench"
START = "2026-11-26T13:30:00Z"


def timed_sync(base_url: str, db: Path, page_size: int) -> dict:
    cfg = Config(api=ApiConfig(deadline=30.0, read_timeout=30.0), sync=SyncConfig(page_size=page_size))
    with ApiClient(base_url, token=TOKEN, deadline=30.0, read_timeout=30.0) as client, Store(db) as store:
        engine = SyncEngine(store, client, cfg)
        t0 = time.perf_counter()
        result = engine.sync_all(reference=True)
        total = time.perf_counter() - t0
        cases = store.count("cases")
    return {"seconds": total, "cases_in_store": cases, "case_pages": result.feeds["cases"].pages,
            "cases_changed": result.feeds["cases"].changed}


def timed_raw(rows: list[tuple], db: Path) -> float:
    with Store(db) as store:  # the same schema, migrations and pragmas
        conn = store.conn
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_UPSERT["cases"], rows)
        conn.execute("COMMIT")
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--page-size", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)

    world = generate_world(seed=1, start=START, speed=0, preload_cases=a.cases, units=5)
    n_cases = len(world.entities("cases"))
    rows = [case_row(Case.from_api(c)) for c in world.entities("cases").values()]
    sync_times: list[float] = []
    raw_times: list[float] = []
    detail: dict = {}
    with SimServer(world, token=TOKEN) as sim, tempfile.TemporaryDirectory() as tmp:
        for i in range(a.runs):
            detail = timed_sync(sim.base_url, Path(tmp) / f"sync-{i}.db", a.page_size)
            if detail["cases_in_store"] != n_cases:
                print(f"sync stored {detail['cases_in_store']} cases of {n_cases}", file=sys.stderr)
                return 1
            sync_times.append(detail["seconds"])
            raw_times.append(timed_raw(rows, Path(tmp) / f"raw-{i}.db"))
    sync_s = statistics.median(sync_times)
    raw_s = statistics.median(raw_times)
    doc = {
        "benchmark": "sync",
        "cases": n_cases,
        "page_size": a.page_size,
        "case_pages": detail["case_pages"],
        "runs": a.runs,
        "sync_seconds": round(sync_s, 4),
        "sync_seconds_all_runs": [round(t, 4) for t in sync_times],
        "raw_executemany_seconds": round(raw_s, 4),
        "raw_executemany_seconds_all_runs": [round(t, 4) for t in raw_times],
        "ratio_sync_to_raw": round(sync_s / raw_s, 2) if raw_s > 0 else None,
        "target_seconds": 2.0,
        "within_target": sync_s < 2.0,
        "note": "sync = a whole cycle (reference data, staff, shifts, cases) over loopback HTTP into a fresh "
                "store file; raw = one executemany of the same case rows into the same schema, one transaction",
    }
    print(f"sync of {n_cases} cases over loopback (page size {a.page_size}, {detail['case_pages']} pages): "
          f"{sync_s:.3f} s (target < 2 s)")
    print(f"raw executemany of the same rows:   {raw_s:.3f} s")
    print(f"ratio sync / raw:                   {doc['ratio_sync_to_raw']}")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0 if doc["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
