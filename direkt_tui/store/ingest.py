"""Ingest: the change feeds' pages (the highest version wins), resync, quarantine, the
reference data, the sync health writes and retention."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..domain.models import Capabilities, Coordinator, Template, Unit
from ..domain.timeutil import to_store
from .connection import StoreBase
from .rows import TO_ROW, UPSERT, Quarantined, dump_json

FEEDS = ("staff", "shifts", "cases")


class Ingest(StoreBase):
    """The writing half of the store."""

    # -- ingest -------------------------------------------------------------------------------
    def _upsert(self, conn: sqlite3.Connection, table: str, items: Iterable[Any]) -> int:
        rows = [TO_ROW[table](i) for i in items]
        if not rows:
            return 0
        # rowcount counts the rows this statement changed, not the trigger's history rows:
        # superseded case versions go to case_history by a trigger (schema 2), for looking back
        return max(0, conn.executemany(UPSERT[table], rows).rowcount)

    def ingest(self, table: str, items: Sequence[Any]) -> int:
        """Upsert entities of ``table`` (highest version wins) in one transaction."""
        with self.transaction() as conn:
            return self._upsert(conn, table, items)

    def apply_page(
        self,
        feed: str,
        items: Sequence[Any],
        next_cursor: str | None,
        quarantined: Sequence[Quarantined] = (),
        *,
        resync: bool = False,
        received_at: datetime | None = None,
    ) -> int:
        """Apply one page of a change feed and advance its cursor, atomically.

        During a full re-read (``resync``) the ids seen are remembered so that
        :meth:`finish_resync` can drop what the server no longer has — only once the
        re-read has completed."""
        if feed not in FEEDS:
            raise ValueError(f"unknown feed {feed!r}")
        with self.transaction() as conn:
            changed = self._upsert(conn, feed, items)
            if resync and items:
                conn.executemany(
                    "INSERT OR IGNORE INTO resync_seen (feed, id) VALUES (?, ?)", [(feed, i.id) for i in items]
                )
            self._quarantine(conn, feed, quarantined, received_at)
            if next_cursor is not None:
                self._set(conn, f"cursor:{feed}", next_cursor)
            return changed

    def _quarantine(
        self, conn: sqlite3.Connection, feed: str, items: Sequence[Quarantined], received_at: datetime | None
    ) -> None:
        if not items:
            return
        stamp = to_store(received_at) or ""
        conn.executemany(
            "INSERT INTO quarantine (feed, item_id, reason, payload, received_at) VALUES (?, ?, ?, ?, ?)",
            [
                (feed, q.item_id, q.reason, dump_json(q.payload) if q.payload is not None else None, stamp)
                for q in items
            ],
        )

    def begin_resync(self, feed: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM resync_seen WHERE feed = ?", (feed,))
            conn.execute("DELETE FROM sync_state WHERE key = ?", (f"cursor:{feed}",))
            self._set(conn, f"resync:{feed}", "1")

    def resync_pending(self, feed: str) -> bool:
        return self._get(f"resync:{feed}") == "1"

    def finish_resync(self, feed: str) -> int:
        """The re-read has completed: drop entities it did not deliver. Returns how many."""
        with self.transaction() as conn:
            cur = conn.execute(
                f"DELETE FROM {feed} WHERE id NOT IN (SELECT id FROM resync_seen WHERE feed = ?)", (feed,)
            )
            conn.execute("DELETE FROM resync_seen WHERE feed = ?", (feed,))
            conn.execute("DELETE FROM sync_state WHERE key = ?", (f"resync:{feed}",))
            return cur.rowcount

    def replace_reference(
        self,
        *,
        units: Sequence[Unit] | None = None,
        templates: Sequence[Template] | None = None,
        capabilities: Capabilities | None = None,
        coordinators: Sequence[Coordinator] | None = None,
        fetched_at: datetime | None = None,
        quarantined: Sequence[Quarantined] = (),
    ) -> None:
        """Store the non-paged reference data in one transaction. Units keep the highest
        version; templates and coordinators are replaced by what the server lists now."""
        with self.transaction() as conn:
            if units is not None:
                self._upsert(conn, "units", units)
            if templates is not None:
                conn.execute("DELETE FROM templates")
                conn.executemany(
                    "INSERT INTO templates (id, title, text, scope) VALUES (?, ?, ?, ?)",
                    [(t.id, t.title, t.text, t.scope) for t in templates],
                )
            if capabilities is not None:
                self._set(
                    conn,
                    "capabilities",
                    dump_json(
                        {
                            "reassign_person_held": capabilities.reassign_person_held,
                            "max_page_size": capabilities.max_page_size,
                        }
                    ),
                )
            if coordinators is not None:
                conn.executemany(
                    "INSERT INTO coordinators (unit_id, staff_id, since, fetched_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(unit_id) DO UPDATE SET staff_id = excluded.staff_id, since = excluded.since, "
                    "fetched_at = excluded.fetched_at",
                    [(c.unit_id, c.staff_id, to_store(c.since), to_store(fetched_at)) for c in coordinators],
                )
            self._quarantine(conn, "reference", quarantined, fetched_at)

    def record_sync_success(
        self, data_as_of: datetime, at: datetime, *, clock_skew_seconds: float | None = None
    ) -> None:
        """A sync ended at ``at`` (the application's clock) with data as of ``data_as_of``
        (report.md: never later than ``at``) and the platform's clock that far off ours."""
        data_as_of = min(data_as_of, at)
        skew = None
        if clock_skew_seconds is not None and math.isfinite(clock_skew_seconds):
            skew = repr(round(float(clock_skew_seconds), 3))
        with self.transaction() as conn:
            self._set(conn, "data_as_of", to_store(data_as_of))
            self._set(conn, "last_success_at", to_store(at))
            self._set(conn, "clock_skew_seconds", skew)
            self._set(conn, "consecutive_failures", "0")
            self._set(conn, "failing_since", None)

    def record_sync_failure(self, error: str, at: datetime) -> None:
        with self.transaction() as conn:
            n = int(self._get("consecutive_failures") or 0) + 1
            self._set(conn, "last_error", error[:500])
            self._set(conn, "last_error_at", to_store(at))
            self._set(conn, "consecutive_failures", str(n))
            if not self._get("failing_since"):
                self._set(conn, "failing_since", to_store(at))

    # -- maintenance --------------------------------------------------------------------------
    def purge_closed(self, before: datetime) -> int:
        """Retention: delete closed cases closed before ``before``, and history older than it."""
        with self.transaction() as conn:
            n = conn.execute(
                "DELETE FROM cases WHERE status = 'closed' AND closed_at < ?", (to_store(before),)
            ).rowcount
            conn.execute(
                "DELETE FROM case_history WHERE updated_at < ? AND id NOT IN "
                "(SELECT id FROM cases WHERE status != 'closed')",
                (to_store(before),),
            )
            return n

    def record_load(self, at: datetime, loads: Iterable[tuple[str, Any]]) -> None:
        """Append one load sample per unit (``(unit_id, rules.Load)``) to the load history."""
        rows = [
            (
                uid,
                to_store(at),
                ld.level,
                ld.ratio,
                sum(ld.waiting.values()),
                ld.queued,
                ld.in_progress,
                ld.clinicians_total,
            )
            for uid, ld in loads
        ]
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO load_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def purge_load_history(self, before: datetime) -> int:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM load_history WHERE at < ?", (to_store(before),)).rowcount
