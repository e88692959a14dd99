"""Reads: snapshots for the rule engine (with the incremental caches), the board as it was
(case history), the sync health, quarantine and load history, each row read defensively."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..domain.models import MAX_VERSION, Capabilities, Case, Coordinator, Shift, Snapshot, Staff, Template, Unit
from ..domain.perf import gc_paused
from ..domain.timeutil import to_store
from .connection import StoreBase
from .rows import (
    CASE_COLS,
    LIGHT_COLS,
    PATIENT_IDENTITY,
    SHIFT_COLS,
    BadRow,
    Quarantined,
    SyncHealth,
    instant_ok,
    parse_instant,
    parse_skew,
    parse_stored_instant,
    row_case,
    row_problem,
    row_shift,
    row_staff,
    row_unit,
)


@dataclass(frozen=True)
class CaseWrite:
    """One write the coordinator queued for a case (the outbox), with who asked for it (its
    audit entry): what the case detail's timeline shows of the coordinator's own actions."""

    kind: str  # assign | move | message
    body: dict
    status: str  # pending | sending | done | conflict | failed
    code: str | None
    created_at: datetime
    updated_at: datetime
    result: Any  # the case the platform answered with (done), else None
    actor: str | None


_NOUNS = {
    "cases": ("case", "cases"),
    "shifts": ("shift", "shifts"),
    "staff": ("staff member", "staff members"),
    "units": ("unit", "units"),
    "coordinators": ("coordinator", "coordinators"),
}


SHIFT_SPAN_MAX = timedelta(days=3)  # the longest shift a unit-and-day read looks back for


class Reads(StoreBase):
    """The reading half of the store."""

    def cursor(self, feed: str) -> str | None:
        return self._get(f"cursor:{feed}")

    def sync_health(self) -> SyncHealth:
        """The sync state as stored, read defensively: an unreadable or absurd instant (an older
        version stored a server's year 9999) reads as unknown, and the data is never newer than
        the local clock at the end of the sync that fetched it."""
        rows = dict(self.conn.execute("SELECT key, value FROM sync_state").fetchall())
        try:
            failures = max(0, int(rows.get("consecutive_failures") or 0))
        except (TypeError, ValueError):
            failures = 0
        return SyncHealth(
            data_as_of=self._data_as_of(rows.get("data_as_of"), rows.get("last_success_at")),
            last_success_at=parse_stored_instant(rows.get("last_success_at")),
            last_error=rows.get("last_error"),
            last_error_at=parse_stored_instant(rows.get("last_error_at")),
            consecutive_failures=failures,
            failing_since=parse_stored_instant(rows.get("failing_since")),
            clock_skew_seconds=parse_skew(rows.get("clock_skew_seconds")),
        )

    @staticmethod
    def _data_as_of(stored: Any, last_success: Any) -> datetime | None:
        t = parse_stored_instant(stored)
        done = parse_stored_instant(last_success)
        if done is not None and (t is None or t > done):
            # written by a version that trusted a server clock ahead of ours (or an absurd one):
            # the local clock at the end of that sync, as when the server gives no time
            return done
        return t

    def data_as_of(self) -> datetime | None:
        return self._data_as_of(self._get("data_as_of"), self._get("last_success_at"))

    def clock_skew_seconds(self) -> float | None:
        """The platform's clock minus ours at the newest successful sync (None: unknown)."""
        return parse_skew(self._get("clock_skew_seconds"))

    def quarantined(self) -> list[Quarantined]:
        return [
            Quarantined(r[0], r[1], r[2], json.loads(r[3]) if r[3] else None)
            for r in self.conn.execute("SELECT feed, item_id, reason, payload FROM quarantine ORDER BY seq")
        ]

    # -- reads --------------------------------------------------------------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        cur = self.conn.cursor()
        cur.row_factory = sqlite3.Row
        return cur.execute(sql, params).fetchall()

    def _convert(self, table: str, rows: Sequence[Any], conv: Any, cols: Sequence[str] | None = None) -> list[Any]:
        """``[conv(r) for r in rows]``, skipping (and noting in :attr:`last_skipped`) the rows
        that cannot be used. Free when every row is good: one comprehension, no per-row try."""
        try:
            return [conv(r) for r in rows]
        except Exception:  # noqa: BLE001 - a bad row: go again, row by row
            pass
        out = []
        for r in rows:
            try:
                out.append(conv(r))
            except Exception:  # noqa: BLE001 - whatever an older version stored
                names = cols if cols is not None else (r.keys() if isinstance(r, sqlite3.Row) else ())
                self._note_skipped(table, str(r[0]), row_problem(table, names, r))
        return out

    def _note_skipped(self, table: str, row_id: str, problem: str) -> None:
        with self._lock:
            seen = dict(self._skipping)
            per = dict(seen.get(table, {}))
            per[row_id] = problem
            seen[table] = per
            self._skipping = seen
            self.last_skipped = seen

    def skipped_text(self) -> str | None:
        """One line for the user about the stored rows the last read skipped (None: none), e.g.
        ``2 stored cases skipped: field 'created_at' is not an instant in 2000-2100``."""
        parts = []
        for table, rows in sorted(self.last_skipped.items()):
            if not rows:
                continue
            n = len(rows)
            noun = _NOUNS.get(table, (table, table))[0 if n == 1 else 1]
            problems = ", ".join(sorted(set(rows.values())))
            parts.append(f"{n} stored {noun} skipped: {problems}")
        return "; ".join(parts) or None

    def units(self) -> list[Unit]:
        return self._convert("units", self._rows("SELECT * FROM units ORDER BY name, id"), row_unit)

    def staff(self) -> dict[str, Staff]:
        return {s.id: s for s in self._convert("staff", self._rows("SELECT * FROM staff"), row_staff)}

    def templates(self) -> list[Template]:
        return [
            Template(r["id"], r["title"], r["text"], r["scope"])
            for r in self._rows("SELECT * FROM templates ORDER BY id")
        ]

    def capabilities(self) -> Capabilities:
        raw = self._get("capabilities")
        if not raw:
            return Capabilities()
        try:
            d = json.loads(raw)
            size = d.get("max_page_size")
            return Capabilities(
                bool(d.get("reassign_person_held")), size if type(size) is int and 1 <= size <= MAX_VERSION else None
            )
        except (TypeError, ValueError, AttributeError):
            return Capabilities()

    def coordinators(self) -> dict[str, Coordinator]:
        def conv(r: sqlite3.Row) -> Coordinator:
            if not instant_ok(r["since"]):
                raise BadRow("coordinators")
            return Coordinator(r["unit_id"], r["staff_id"], parse_instant(r["since"]))

        return {c.unit_id: c for c in self._convert("coordinators", self._rows("SELECT * FROM coordinators"), conv)}

    def shifts(
        self,
        around: datetime | None = None,
        before: timedelta = timedelta(days=4),
        after: timedelta = timedelta(days=2),
    ) -> list[Shift]:
        if around is not None:
            return self.shifts_between(around - before, around + after)
        cols = ", ".join(f'"{c}"' for c in SHIFT_COLS)
        rows = self.conn.execute(f"SELECT {cols} FROM shifts").fetchall()
        return self._convert("shifts", rows, row_shift, SHIFT_COLS)

    def open_cases(self, closed_since: datetime | None = None, *, identity: bool = True) -> list[Case]:
        """Open cases, plus cases closed at or after ``closed_since`` (for premature_close).
        Without ``identity`` the patient's name, number, phone and home region, the case URL
        and reopen_until are left out: the rules never look at them (and reading them is a
        quarter of the cost)."""
        cols = ", ".join(CASE_COLS) if identity else LIGHT_COLS
        rows = self.conn.execute(f"SELECT {cols} FROM cases WHERE status != 'closed'").fetchall()
        if closed_since is not None:
            rows += self.conn.execute(
                f"SELECT {cols} FROM cases WHERE status = 'closed' AND closed_at >= ?", (to_store(closed_since),)
            ).fetchall()
        return self._convert("cases", rows, row_case, CASE_COLS)

    def cases(self, case_ids: Iterable[str]) -> list[Case]:
        """Full cases (identity included) by id, for the few the UI shows a patient of."""
        ids = list(dict.fromkeys(case_ids))
        out: list[Case] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            out += self._convert(
                "cases",
                self.conn.execute(
                    f"SELECT {', '.join(CASE_COLS)} FROM cases WHERE id IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall(),
                row_case,
                CASE_COLS,
            )
        return out

    def case(self, case_id: str) -> Case | None:
        row = self.conn.execute(f"SELECT {', '.join(CASE_COLS)} FROM cases WHERE id = ?", (case_id,)).fetchone()
        found = self._convert("cases", [row], row_case, CASE_COLS) if row else []
        return found[0] if found else None

    def count(self, table: str) -> int:
        """The number of rows of ``table``."""
        quoted = '"' + table.replace('"', '""') + '"'
        return self.conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]

    def table_names(self) -> list[str]:
        """The store's tables, in the order SQLite created them."""
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def snapshot(
        self,
        around: datetime | None = None,
        *,
        closed_since: datetime | None = None,
        shifts_before: timedelta = timedelta(hours=74),
        shifts_after: timedelta = timedelta(hours=26),
        identity: bool = True,
    ) -> Snapshot:
        """Everything the rule engine needs, read in one read transaction. ``around`` (the
        evaluation instant) limits what is read to what the rules can look at: shifts
        overlapping ``[around - shifts_before, around + shifts_after]`` (the long-absence window
        with a margin) and cases closed since ``closed_since`` (premature_close looks at the
        local day of the instant; default: a day and a half back)."""
        with self._lock, gc_paused():
            self.conn.execute("BEGIN")
            self._skipping = {}
            try:
                if closed_since is None and around is not None:
                    closed_since = around - timedelta(hours=36)
                spans = None
                if around is not None:
                    spans = self._cached_spans(around - shifts_before, around + shifts_after)
                    # full shift objects only near the instant: presence, and presence running on
                    near = timedelta(hours=26)
                    shifts = self._cached_shifts(around - near, around + near)
                else:
                    shifts = self.shifts(None)
                cases = self._cached_cases(closed_since) if not identity else self.open_cases(closed_since)
                return Snapshot(
                    units=tuple(self.units()),
                    staff=self._cached_staff(),
                    shifts=tuple(shifts),
                    cases=tuple(cases),
                    coordinators=self.coordinators(),
                    capabilities=self.capabilities(),
                    templates=tuple(self.templates()),
                    data_as_of=self.data_as_of(),
                    shift_spans=spans,
                    clock_skew_seconds=self.clock_skew_seconds(),
                )
            finally:
                self.last_skipped = self._skipping
                self.conn.execute("COMMIT")

    # -- incremental reading --------------------------------------------------------------------
    # The board and the recorder read the store after every sync, and almost nothing changed:
    # cases and shifts are rebuilt only when their version changed (versions only rise, and a
    # row is replaced only by a higher one), the staff and the shift spans only when their
    # table's signature did. Everything runs inside the snapshot's read transaction.
    def _signature(self, table: str) -> tuple:
        return tuple(self.conn.execute(f"SELECT count(*), total(version) FROM {table}").fetchone())

    def _cached_cases(self, closed_since: datetime | None) -> list[Case]:
        """``open_cases(closed_since, identity=False)``, building only what changed."""

        def keys() -> list[Any]:
            rows = self.conn.execute("SELECT id, version FROM cases WHERE status != 'closed'").fetchall()
            if closed_since is not None:
                rows += self.conn.execute(
                    "SELECT id, version FROM cases WHERE status = 'closed' AND closed_at >= ?",
                    (to_store(closed_since),),
                ).fetchall()
            return rows

        out, self._case_cache = self._incremental(
            "cases", self._case_cache, keys, lambda: self.open_cases(closed_since, identity=False), LIGHT_COLS,
            row_case, CASE_COLS,
        )  # fmt: skip
        return out

    def _cached_shifts(self, lo: datetime, hi: datetime) -> list[Shift]:
        def keys() -> list[Any]:
            return self.conn.execute(
                'SELECT id, version FROM shifts WHERE "end" >= ? AND start <= ?', (to_store(lo), to_store(hi))
            ).fetchall()

        out, self._shift_cache = self._incremental(
            "shifts", self._shift_cache, keys, lambda: self.shifts(lo, timedelta(0), hi - lo),
            ", ".join(f'"{c}"' for c in SHIFT_COLS), row_shift, SHIFT_COLS,
        )  # fmt: skip
        return out

    def _incremental(
        self,
        table: str,
        cache: dict[str, Any],
        keys: Callable[[], list[Any]],
        full: Callable[[], list[Any]],
        select: str,
        conv: Callable[[Any], Any],
        cols: Sequence[str],
    ) -> tuple[list[Any], dict[str, Any]]:
        """What ``full()`` reads, rebuilding only the rows whose version changed since the last
        read: ``keys()`` gives (id, version) of the rows wanted now. Returns them and the new
        cache (what left the set leaves the cache; a skipped row is not there)."""
        if cache:  # else a first read: one scan
            wanted = keys()
            stale = [rid for rid, v in wanted if (x := cache.get(rid)) is None or x.version != v]
            if not stale and len(wanted) == len(cache):  # every row wanted is held, and no other: as it was
                return list(cache.values()), cache
            if len(stale) <= len(wanted) // 2:  # most changed: one scan beats many lookups
                for i in range(0, len(stale), 500):
                    chunk = stale[i : i + 500]
                    rows = self.conn.execute(
                        f"SELECT {select} FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk
                    ).fetchall()
                    for x in self._convert(table, rows, conv, cols):
                        cache[x.id] = x
                out = [x for rid, _v in wanted if (x := cache.get(rid)) is not None]
                return out, {x.id: x for x in out}
        out = full()
        return out, {x.id: x for x in out}

    def _cached_staff(self) -> dict[str, Staff]:
        sig = self._signature("staff")
        if self._staff_cache is None or self._staff_cache[0] != sig:
            self._staff_cache = (sig, self.staff())
        return self._staff_cache[1]

    def _cached_spans(self, lo: datetime, hi: datetime) -> dict:
        """The shift spans of every shift overlapping ``[lo, hi]`` — and more: read for that
        window widened by a day each way (a one-shot read such as ``report`` reads a few days'
        shifts, not the year's), kept while the table's signature stands and the window asked
        for lies within the one read."""
        sig = self._signature("shifts")
        cached = self._spans_cache
        if cached is not None:
            (csig, clo, chi), spans = cached
            if csig == sig and clo <= lo and hi <= chi:
                return spans
        wlo, whi = lo - timedelta(days=1), hi + timedelta(days=1)
        spans = self.shift_spans(wlo, whi)
        self._spans_cache = ((sig, wlo, whi), spans)
        return spans

    def shift_spans(
        self, lo: datetime | None, hi: datetime | None
    ) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
        """(start, end) text of every non-cancelled shift overlapping ``[lo, hi]`` (all when
        None), by (unit, staff): what the long-absence rule asks, read without building objects."""
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for unit_id, staff_id, start, end in self.conn.execute(
            'SELECT unit_id, staff_id, start, "end" FROM shifts WHERE cancelled = 0 AND "end" >= ? AND start <= ?',
            (to_store(lo) if lo else "", to_store(hi) if hi else "9999"),
        ):
            out.setdefault((unit_id, staff_id), []).append((start, end))
        return {k: tuple(v) for k, v in out.items()}

    def cases_as_of(self, at: datetime) -> list[Case]:
        """Every case as its newest version changed at or before ``at`` said: the current row
        when it is that old, else the newest superseded version in the case history. Patient
        identity is not kept in the history."""
        stamp, cut = to_store(at), to_store(at - timedelta(days=2))
        cols = ", ".join(CASE_COLS)
        # open cases and those closed lately (the partial indexes), and the superseded versions of
        # every case not closed long ago; SQLite returns the bare columns of the max(version) row
        rows = self.conn.execute(
            f"SELECT {cols}, max(version) FROM ("
            f"  SELECT {cols} FROM cases WHERE status != 'closed' AND updated_at <= :t"
            f"  UNION ALL SELECT {cols} FROM cases WHERE status = 'closed' AND closed_at >= :cut"
            f"    AND updated_at <= :t"
            f"  UNION ALL SELECT {cols} FROM case_history WHERE updated_at <= :t AND id NOT IN"
            f"    (SELECT id FROM cases WHERE status = 'closed' AND closed_at < :cut)"
            ") GROUP BY id",
            {"t": stamp, "cut": cut},
        ).fetchall()
        ident = PATIENT_IDENTITY
        trimmed = []
        for r in rows:
            r = list(r[:-1])
            for i in ident:  # the same for a current and a historical version
                r[i] = None
            trimmed.append(r)
        return self._convert("cases", trimmed, row_case, CASE_COLS)

    def snapshot_at(self, at: datetime) -> Snapshot:
        """The board as it was at an earlier instant: cases from their history, the rest as
        now (shifts, staff and units change rarely; the report says which data it used)."""
        with self._lock, gc_paused():
            self.conn.execute("BEGIN")
            self._skipping = {}
            try:
                cases = [
                    c
                    for c in self.cases_as_of(at)
                    if c.status != "closed" or (c.closed_at is not None and c.closed_at >= at - timedelta(days=2))
                ]
                return Snapshot(
                    units=tuple(self.units()),
                    staff=self.staff(),
                    shifts=tuple(self.shifts(at)),
                    cases=tuple(cases),
                    coordinators=self.coordinators(),
                    capabilities=self.capabilities(),
                    templates=tuple(self.templates()),
                    data_as_of=at,
                )
            finally:
                self.last_skipped = self._skipping
                self.conn.execute("COMMIT")

    def care_flow(self, unit_id: str, windows: Sequence[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
        """Per window ``[a, b)``: the unit's care cases that arrived in it, and those taken in it
        (received by a person: what shrinks the backlog) — the forecast's history; closed cases
        are kept ``sync.retention_days``."""
        out: list[tuple[int, int]] = []
        for a, b in windows:
            lo, hi = to_store(a), to_store(b)
            (arrived,) = self.conn.execute(
                "SELECT count(*) FROM cases WHERE unit_id = ? AND kind = 'care' AND created_at >= ? AND created_at < ?",
                (unit_id, lo, hi),
            ).fetchone()
            (taken,) = self.conn.execute(
                "SELECT count(*) FROM cases WHERE unit_id = ? AND kind = 'care' AND received_at >= ? AND received_at < ?",
                (unit_id, lo, hi),
            ).fetchone()
            out.append((int(arrived), int(taken)))
        return out

    def care_arrivals(self, unit_id: str, a: datetime, b: datetime) -> list[datetime]:
        """When the unit's care cases that arrived in ``[a, b)`` arrived, oldest first — the
        forecast's history (one read per earlier day, counted after any time of that day)."""
        rows = self.conn.execute(
            "SELECT created_at FROM cases WHERE unit_id = ? AND kind = 'care' AND created_at >= ? AND created_at < ?"
            " ORDER BY created_at",
            (unit_id, to_store(a), to_store(b)),
        ).fetchall()
        return [parse_instant(r[0]) for r in rows]

    def history_changes(
        self, since: tuple[int, int] | None, limit: int = 5000
    ) -> tuple[tuple[int, int], set[tuple[str, str]] | None]:
        """The newest case and shift row ids (a mark: upserts keep a row's id, so it moves only
        when the store gains a case or a shift), and the (unit, UTC date) of the cases (arrival
        and taking) and shifts (start) gained since the mark ``since`` — None without a mark or
        when more than ``limit`` rows were gained (read everything again). What the forecast
        read of earlier days is kept until one of them falls on such a day."""
        row = self.conn.execute("SELECT (SELECT max(rowid) FROM cases), (SELECT max(rowid) FROM shifts)").fetchone()
        mark = (int(row[0] or 0), int(row[1] or 0))
        if since is None or mark == since:
            return mark, None if since is None else set()
        cases = self.conn.execute(
            "SELECT unit_id, substr(created_at, 1, 10), substr(received_at, 1, 10) FROM cases WHERE rowid > ? LIMIT ?",
            (since[0], limit + 1),
        ).fetchall()
        shifts = self.conn.execute(
            "SELECT unit_id, substr(start, 1, 10) FROM shifts WHERE rowid > ? LIMIT ?", (since[1], limit + 1)
        ).fetchall()
        if len(cases) + len(shifts) > limit:
            return mark, None
        days = {(u, d) for u, c, r in cases for d in (c, r) if d} | {(u, d) for u, d in shifts}
        return mark, days

    def scheduled_hours(
        self, unit_id: str, windows: Sequence[tuple[datetime, datetime]], professions: Iterable[str]
    ) -> float:
        """The hours of the unit's uncancelled shifts of ``professions`` within the windows
        (``domain.forecast.clinician_hours`` summed in SQL: the forecast's earlier days)."""
        profs = sorted(professions)
        sql = (
            'SELECT total((julianday(min("end", ?)) - julianday(max(start, ?))) * 24) FROM shifts'
            ' WHERE unit_id = ? AND start >= ? AND start < ? AND "end" > ? AND NOT cancelled'
            f" AND profession IN ({', '.join('?' * len(profs))})"
        )
        total = 0.0
        for a, b in windows:
            lo, hi = to_store(a), to_store(b)
            params = [hi, lo, unit_id, to_store(a - SHIFT_SPAN_MAX), hi, lo, *profs]
            total += float(self.conn.execute(sql, params).fetchone()[0])
        return total

    def care_waits(
        self, unit_id: str, a: datetime, b: datetime, lookback: timedelta = timedelta(days=14)
    ) -> list[tuple[datetime, datetime | None, datetime | None]]:
        """(created_at, received_at, closed_at) of the unit's care cases that could be waiting
        at some instant of ``[a, b]``: arrived before ``b`` (at most ``lookback`` before ``a``)
        and neither received nor closed before ``a`` — the chart of waiting cases per hour."""
        lo = to_store(a)
        sql = (
            "SELECT created_at, received_at, closed_at FROM cases WHERE unit_id = ? AND kind = 'care'"
            " AND created_at >= ? AND created_at < ?"
            " AND (received_at IS NULL OR received_at >= ?) AND (closed_at IS NULL OR closed_at >= ?)"
        )
        rows = self.conn.execute(sql, (unit_id, to_store(a - lookback), to_store(b), lo, lo)).fetchall()
        return [(parse_instant(c), parse_instant(r), parse_instant(x)) for c, r, x in rows]

    def shifts_between(self, a: datetime, b: datetime, unit_id: str | None = None) -> list[Shift]:
        """The shifts overlapping ``[a, b]`` (of ``unit_id`` only, when given)."""
        cols = ", ".join(f'"{c}"' for c in SHIFT_COLS)
        sql = f'SELECT {cols} FROM shifts WHERE "end" >= ? AND start <= ?'
        params: list[Any] = [to_store(a), to_store(b)]
        if unit_id is not None:  # by the unit's starts (index): a shift is far shorter than this margin
            sql += " AND unit_id = ? AND start >= ?"
            params += [unit_id, to_store(a - SHIFT_SPAN_MAX)]
        rows = self.conn.execute(sql, params).fetchall()
        return self._convert("shifts", rows, row_shift, SHIFT_COLS)

    def load_history(self, unit_id: str, since: datetime, until: datetime | None = None) -> list[tuple[datetime, int]]:
        """(instant, waiting cases) samples of a unit, oldest first."""
        sql = "SELECT at, waiting FROM load_history WHERE unit_id = ? AND at >= ?"
        params: list[Any] = [unit_id, to_store(since)]
        if until is not None:
            sql += " AND at <= ?"
            params.append(to_store(until))
        return [(parse_instant(a), w) for a, w in self.conn.execute(sql + " ORDER BY at", params)]

    def case_writes(self, case_id: str) -> list[CaseWrite]:
        """The coordinator's writes for ``case_id`` (outbox rows, oldest first) with the actor
        of the audit entry that queued each batch; [] for a store without the outbox."""
        sql = (
            "SELECT o.kind, o.body, o.status, o.code, o.created_at, o.updated_at, o.result, "
            "(SELECT a.actor FROM audit a WHERE a.outcome = 'queued' AND a.at = o.created_at "
            "AND instr(a.subject, o.batch_id) > 0 ORDER BY a.seq LIMIT 1) "
            "FROM outbox o WHERE o.case_id = ? ORDER BY o.id"
        )
        try:
            rows = self.conn.execute(sql, (case_id,)).fetchall()
        except sqlite3.OperationalError:  # an older store: no outbox or audit table
            return []
        out: list[CaseWrite] = []
        for kind, body, status, code, created, updated, result, actor in rows:
            try:
                out.append(
                    CaseWrite(
                        kind,
                        json.loads(body),
                        status,
                        code,
                        parse_instant(created),
                        parse_instant(updated),
                        json.loads(result) if result else None,
                        actor,
                    )
                )
            except (TypeError, ValueError):  # a malformed row is left out, never a crash
                continue
        return out
