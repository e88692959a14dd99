"""What a report at a scenario's instant shows for a store filled by a real ``direkt-tui sync
--once`` process.

That process syncs on the machine's clock, and the data's instant is the platform's time but
never later than our clock at the end of the sync (report.md). A scenario's platform clock is
frozen at its ``as_of``: on a machine whose date is after that, the data is as of ``as_of``; on
one before it (a clock set back, or a run with the date shifted to find tests that depend on
today's date) it is as of the end of the sync, and at ``as_of`` every unit's data is stale. The
expectation is derived from the instants the store recorded, so the tests that use it hold on
any date, and check the rule exactly on either side of it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from direkt_tui.domain.params import DEFAULTS
from direkt_tui.store.db import Store

Key = tuple[str, str | None, str | None]  # (rule, unit_id, case_id)


def report_expectation(db: Path, sc: dict, units: Iterable[str]) -> tuple[set[Key], datetime, bool]:
    """(expected findings, data_as_of, stale) of a report at ``sc["as_of"]`` over ``db``, whose
    last sync ran against the scenario's frozen platform clock; ``units`` are the report's units
    (each gets ``stale_data`` when the data is stale). The defaults' stale limit applies."""
    with Store(db, read_only=True) as st:
        health = st.sync_health()
    as_of = datetime.fromisoformat(sc["as_of"])
    assert health.data_as_of is not None and health.last_success_at is not None, health
    # the platform's time, never later than our clock at the end of the sync
    assert health.data_as_of == min(as_of, health.last_success_at), health
    expected: set[Key] = {(e["rule"], e["unit_id"], e["case_id"]) for e in sc["expected_findings"]}
    stale = health.data_as_of < as_of - timedelta(minutes=DEFAULTS.stale_after_minutes)
    if stale:  # only on a machine whose clock is before the scenario's instant
        expected |= {("stale_data", uid, None) for uid in units}
    return expected, health.data_as_of, stale
