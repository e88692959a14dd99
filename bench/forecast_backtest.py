"""Backtest of the forecast for closing (issue 13 §4) over 20 generated simulator days.

For each day (seeds 1-20, the working days from Monday 2026-11-02 on) the day is synced into a
real store over loopback as the app would (simulator → sync), and at 10:00 and 13:00 local
the forecast of each open unit is made from the store; at closing the actual backlog (waiting
and queued care cases) is counted. Printed: the mean absolute error of the forecast and of the
naive forecast "the backlog stays as it is now", per forecast time, with the forecast's mean
error (bias) and which term gave it (``method``). A hold-out of other seeds (21-40, on the same
20 dates: seed ``s`` on date ``(s - 1) % 20``) is run the same way and printed apart: nothing
in the formula was chosen on it.

    python bench/forecast_backtest.py                  # both, without and with 4 weeks of history
    python bench/forecast_backtest.py --seeds 1-20     # the backtest only
    python bench/forecast_backtest.py --history-weeks 4   # only with 4 weeks of history

Without history (``--history-weeks 0``) the store has only the day itself, so the arrival rate
and the wait are today's and the service rate the configured default. With ``--history-weeks N``
the simulator also serves the same weekday of the N weeks before (``generate_world(...,
history_weeks=N, history_same_weekday=True)``: those days are generated exactly as with every
day of the weeks, at a seventh of the cost), the first sync stores them, and the forecast's
arrivals, service rate and late term come from them (``arrivals_method`` / ``rate_method`` /
``late_method`` "history": the cases those days still had waiting at closing)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from direkt_tui.config import Config
from direkt_tui.domain.calendar import UnitCalendar
from direkt_tui.domain.forecast import backlog
from direkt_tui.reports.forecast import unit_forecast
from direkt_tui.sim import SimServer, generate_world
from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.engine import SyncEngine

TZ = ZoneInfo("Europe/Stockholm")
TIMES = (time(10, 0), time(13, 0))


def working_days(first: date, n: int) -> list[date]:
    out, d = [], first
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


Row = tuple[str, str, float, int, int, str, str, str, str]


def run_day(seed: int, day: date, workdir: Path, history_weeks: int = 0) -> list[Row]:
    """(time, unit, forecast backlog at close, naive (backlog now), actual backlog at close, method,
    arrivals_method, rate_method, late_method)."""
    world = generate_world(
        seed=seed,
        start=datetime.combine(day, time(7, 30), TZ),
        speed=0,
        history_weeks=history_weeks,
        history_same_weekday=True,
    )
    server = SimServer(world, token="t")
    server.start()
    rows: list[Row] = []
    try:
        db = workdir / f"day-{seed}-h{history_weeks}.db"
        with ApiClient(server.base_url, token="t") as client, Store(db) as store:
            engine = SyncEngine(store, client, Config(), clock=world.now)
            engine.sync_all()
            pending: list[tuple[str, str, float, int, datetime, str, str, str, str]] = []
            for t in (*TIMES, None):
                units = store.units()
                cals = {u.id: UnitCalendar(u) for u in units}
                closes = [c for c in (cals[u.id].day_close(day) for u in units) if c is not None]
                target = datetime.combine(day, t, TZ) if t is not None else max(closes) - timedelta(minutes=1)
                world.advance(max(0.0, (target - world.now()).total_seconds()))
                engine.sync_all()
                snap = store.snapshot(around=target)
                if t is not None:
                    for u in units:
                        f = unit_forecast(store, snap, u, target)
                        if f is not None:
                            pending.append(
                                (
                                    t.strftime("%H:%M"),
                                    u.id,
                                    f.backlog_at_close,
                                    f.backlog_now,
                                    f.closes_at,
                                    f.method,
                                    f.arrivals_method,
                                    f.rate_method,
                                    f.late_method,
                                )
                            )
                else:
                    for when, uid, fc, naive, closes_at, method, arrivals_m, rate_m, late_m in pending:
                        at_close = closes_at - timedelta(minutes=1)
                        snap_c = store.snapshot_at(at_close) if at_close < target else snap
                        actual = backlog(c for c in snap_c.cases if c.unit_id == uid)
                        rows.append((when, uid, fc, naive, actual, method, arrivals_m, rate_m, late_m))
    finally:
        server.stop()
    return rows


def seeds_arg(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


def _counts(values: list[str]) -> str:
    return " ".join(f"{m} {values.count(m)}" for m in sorted(set(values)))


def run(seeds: list[int], label: str, history_weeks: int = 0) -> None:
    days = working_days(date(2026, 11, 2), 20)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            day = days[(seed - 1) % len(days)]
            rows += run_day(seed, day, Path(tmp), history_weeks)
            print(f"  seed {seed:2d} {day}: {len(rows)} forecasts so far", file=sys.stderr)
    print(f"{label} (seeds {seeds[0]}-{seeds[-1]}, history {history_weeks} weeks)")
    print(f"{'at':6} {'n':>4} {'MAE forecast':>13} {'MAE naive':>10} {'mean actual':>12} {'bias':>6}  method")
    for when in sorted({r[0] for r in rows}):
        sel = [r for r in rows if r[0] == when]
        mae_f = sum(abs(r[2] - r[4]) for r in sel) / len(sel)
        mae_n = sum(abs(r[3] - r[4]) for r in sel) / len(sel)
        mean = sum(r[4] for r in sel) / len(sel)
        bias = sum(r[2] - r[4] for r in sel) / len(sel)
        methods = _counts([r[5] for r in sel])
        print(f"{when:6} {len(sel):4d} {mae_f:13.2f} {mae_n:10.2f} {mean:12.2f} {bias:+6.2f}  {methods}")
    print(
        f"{'':6} arrivals_method: {_counts([r[6] for r in rows])}; rate_method: {_counts([r[7] for r in rows])};"
        f" late_method: {_counts([r[8] for r in rows])}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=seeds_arg, help="e.g. 1-20 (default: 1-20, then the hold-out 21-40)")
    ap.add_argument(
        "--history-weeks",
        type=int,
        default=None,
        metavar="N",
        help="weeks of history the simulator serves (default: each run without and with 4 weeks)",
    )
    args = ap.parse_args(argv)
    weeks = [args.history_weeks] if args.history_weeks is not None else [0, 4]
    for n in weeks:
        if args.seeds:
            run(args.seeds, "seeds", n)
        else:
            run(list(range(1, 21)), "backtest", n)
            run(list(range(21, 41)), "hold-out", n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
