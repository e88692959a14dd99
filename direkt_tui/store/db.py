"""The local SQLite store. The only module that writes SQL.

- One file, created 0600 inside a 0700 directory before SQLite opens it (``-wal``/``-shm``
  inherit the mode); WAL journal; ``synchronous=NORMAL``.
- One writer connection per process (the sync); readers open their own ``Store``.
- Ingest keeps the **highest version** of every entity: a conditional upsert
  (``… ON CONFLICT DO UPDATE … WHERE excluded.version > t.version``), never sqlite-utils'
  unconditional ``upsert_all``. A page and its cursor commit in one transaction.
"""

from __future__ import annotations

import errno
import json
import math
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import sqlite_utils

from ..domain.models import (
    EARLIEST,
    LATEST,
    MAX_VERSION,
    Capabilities,
    Case,
    Coordinator,
    Handover,
    Notice,
    Owner,
    Patient,
    Shift,
    Snapshot,
    Staff,
    Template,
    Unit,
)
from ..domain.perf import gc_paused
from ..domain.timeutil import to_store
from ..faults import fault_text
from .schema import MIGRATIONS, SCHEMA_VERSION

FEEDS = ("staff", "shifts", "cases")


class StoreError(Exception):
    """A store that cannot be used: missing, unreadable, corrupt or from a newer program."""


class NewerSchemaError(StoreError):
    pass


def _ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# -- reading defends (issue 10 §3) ---------------------------------------------------------
# A store written by an older version may hold what the ingest now refuses (an instant of year
# 1 or 9999, a version beyond 2^53-1, text that is no instant at all). Such a row is skipped
# with a warning (``Store.last_skipped``), never a crash. Stored instants are fixed-width UTC
# text (``to_store``), so the absolute window is a string comparison.
_T_LO, _T_HI = to_store(EARLIEST), to_store(LATEST)


class BadRow(ValueError):
    """A stored row that cannot be used (its first bad field is found afterwards)."""


def _skew(text: Any) -> float | None:
    try:
        value = float(text) if text is not None else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) else None


def _ts_safe(text: Any) -> datetime | None:
    """A stored instant of the sync state, or None when it is unreadable or out of range."""
    if not isinstance(text, str) or not _T_LO <= text < _T_HI:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def _instant_ok(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or not _T_LO <= value < _T_HI:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


_CASE_INSTANTS = ("owner_since", "created_at", "received_at", "started_at", "closed_at", "last_patient_message_at",
                  "last_staff_message_at", "reopen_until", "updated_at")
_ROW_INSTANTS = {"cases": _CASE_INSTANTS, "shifts": ("start", "end", "updated_at"), "staff": ("updated_at",),
                 "units": ("updated_at",), "coordinators": ("since",)}
_ROW_JSON = {"cases": ("contact_attempts", "notices", "handover"), "staff": ("professions",),
             "units": ("opening_hours", "special_hours", "closed_dates")}


def row_problem(table: str, cols: Sequence[str], r: Sequence) -> str:
    """What is wrong with a stored row that could not be read: the first bad field and the
    problem, never the value."""
    values = dict(zip(cols, r))
    v = values.get("version")
    if "version" in values and (type(v) is not int or not 1 <= v <= MAX_VERSION):
        return "field 'version' out of range"
    for name in _ROW_INSTANTS.get(table, ()):
        if name in values and not _instant_ok(values[name]):
            return f"field {name!r} is not an instant in 2000-2100"
    for name in _ROW_JSON.get(table, ()):
        raw = values.get(name)
        if raw is None:
            continue
        try:
            data = json.loads(raw)
        except (TypeError, ValueError):
            return f"field {name!r} is unreadable"
        texts: list[Any] = []
        if name == "contact_attempts" and isinstance(data, list):
            texts = data
        elif name == "notices" and isinstance(data, list):
            texts = [n[1] if isinstance(n, list) and len(n) > 1 else 0 for n in data]
        elif name == "handover" and isinstance(data, dict):
            texts = [data.get("requested_at") or 0, data.get("accepted_at")]
        if any(not _instant_ok(t) for t in texts):
            return f"field {name!r} holds an instant outside 2000-2100"
    return "unreadable row"


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- entity <-> row ------------------------------------------------------------------------
UNIT_COLS = ("id", "version", "name", "timezone", "activated", "private", "region", "care_to_care_phone",
             "opening_hours", "special_hours", "closed_dates", "updated_at")
STAFF_COLS = ("id", "version", "unit_id", "name", "title", "professions", "logged_in", "phone", "updated_at")
SHIFT_COLS = ("id", "version", "unit_id", "staff_id", "profession", "start", "end", "cancelled", "updated_at")
CASE_COLS = ("id", "version", "unit_id", "kind", "priority", "status", "owner_type", "owner_staff_id",
             "owner_profession", "owner_since", "reason", "created_at", "received_at", "started_at", "closed_at",
             "close_reason", "last_patient_message_at", "last_staff_message_at", "contact_attempts", "notices",
             "handover", "reopen_until", "patient_protected", "patient_birth_date", "patient_name", "patient_pnr",
             "patient_phone", "patient_home_region", "url", "updated_at")


def unit_row(u: Unit) -> tuple:
    return (u.id, u.version, u.name, u.timezone, int(u.activated), int(u.private), u.region, u.care_to_care_phone,
            _dump({k: [list(iv) for iv in v] for k, v in u.opening_hours.items()}),
            _dump({k: [list(iv) for iv in v] for k, v in u.special_hours.items()}),
            _dump(sorted(d.isoformat() for d in u.closed_dates)), to_store(u.updated_at))


def staff_row(s: Staff) -> tuple:
    return (s.id, s.version, s.unit_id, s.name, s.title, _dump(list(s.professions)), int(s.logged_in), s.phone,
            to_store(s.updated_at))


def shift_row(s: Shift) -> tuple:
    return (s.id, s.version, s.unit_id, s.staff_id, s.profession, to_store(s.start), to_store(s.end),
            int(s.cancelled), to_store(s.updated_at))


def _st(value: datetime | None, _utc=timezone.utc) -> str | None:
    """``to_store`` inlined for the ingest hot path (values are almost always UTC already)."""
    if value is None:
        return None
    if value.tzinfo is not _utc:
        value = value.astimezone(_utc)
    return value.isoformat(timespec="microseconds")


def case_row(c: Case) -> tuple:
    o = c.owner
    p = c.patient
    ho = c.handover
    st = _st
    handover = None
    if ho is not None:
        handover = _dump({"to_unit_id": ho.to_unit_id, "requested_at": st(ho.requested_at),
                          "accepted_at": st(ho.accepted_at), "urgent": ho.urgent,
                          "ticket": dict(ho.ticket) if ho.ticket is not None else None})
    prot = p.protected_identity
    return (
        c.id, c.version, c.unit_id, c.kind, c.priority, c.status,
        o.type if o else None, o.staff_id if o else None, o.profession if o else None,
        st(c.owner_since), c.reason, st(c.created_at), st(c.received_at), st(c.started_at),
        st(c.closed_at), c.close_reason, st(c.last_patient_message_at), st(c.last_staff_message_at),
        _dump([st(a) for a in c.contact_attempts]) if c.contact_attempts else None,
        _dump([[n.template_id, st(n.sent_at)] for n in c.notices]) if c.notices else None,
        handover, st(c.reopen_until), int(prot),
        p.birth_date.isoformat() if p.birth_date else None,
        None if prot else p.display_name,
        None if prot else p.personnummer,
        None if prot else p.phone,
        p.home_region, c.url, st(c.updated_at),
    )


_PATIENT_IDENTITY = tuple(CASE_COLS.index(c) for c in ("patient_name", "patient_pnr", "patient_phone"))
_NOT_FOR_RULES = frozenset({"patient_name", "patient_pnr", "patient_phone", "patient_home_region", "url",
                            "reopen_until"})
_LIGHT_COLS = ", ".join(f"NULL AS {c}" if c in _NOT_FOR_RULES else c for c in CASE_COLS)


def _intervals(text: str) -> dict[str, tuple[tuple[str, str], ...]]:
    return {k: tuple((a, b) for a, b in v) for k, v in json.loads(text).items()}


def row_unit(r: sqlite3.Row) -> Unit:
    if not (_instant_ok(r["updated_at"]) and type(r["version"]) is int and 1 <= r["version"] <= MAX_VERSION):
        raise BadRow("units")
    return Unit(id=r["id"], name=r["name"], timezone=r["timezone"], activated=bool(r["activated"]),
                opening_hours=_intervals(r["opening_hours"]), version=r["version"],
                special_hours=_intervals(r["special_hours"]),
                closed_dates=frozenset(date.fromisoformat(d) for d in json.loads(r["closed_dates"])),
                region=r["region"], private=bool(r["private"]), care_to_care_phone=r["care_to_care_phone"],
                updated_at=_ts(r["updated_at"]))


def row_staff(r: sqlite3.Row) -> Staff:
    if not (_instant_ok(r["updated_at"]) and type(r["version"]) is int and 1 <= r["version"] <= MAX_VERSION):
        raise BadRow("staff")
    return Staff(id=r["id"], unit_id=r["unit_id"], name=r["name"], professions=tuple(json.loads(r["professions"])),
                 version=r["version"], title=r["title"], logged_in=bool(r["logged_in"]), phone=r["phone"],
                 updated_at=_ts(r["updated_at"]))


def row_shift(r: Sequence, _lo=_T_LO, _hi=_T_HI) -> Shift:
    v, start, end, updated = r[1], r[5], r[6], r[8]
    if not (type(v) is int and 0 < v <= MAX_VERSION and _lo <= start < _hi and _lo <= end < _hi
            and (updated is None or _lo <= updated < _hi)):
        raise BadRow("shifts")
    return Shift(id=r[0], version=r[1], unit_id=r[2], staff_id=r[3], profession=r[4], start=_ts(r[5]),  # type: ignore[arg-type]
                 end=_ts(r[6]), cancelled=bool(r[7]), updated_at=_ts(r[8]))  # type: ignore[arg-type]


def row_case(r: Sequence, _fi=datetime.fromisoformat, _loads=json.loads, _lo=_T_LO, _hi=_T_HI) -> Case:
    (cid, version, unit_id, kind, priority, status, otype, ostaff, oprof, osince, reason, created, received,
     started, closed, close_reason, lpm, lsm, attempts, notices, handover, reopen, prot, bdate, pname, ppnr,
     pphone, pregion, url, updated) = r
    # what an older version may have stored that nothing later can work with (a TypeError for a
    # value of the wrong type is as good: the caller skips the row either way)
    if not (type(version) is int and 0 < version <= MAX_VERSION and _lo <= created < _hi and _lo <= updated < _hi
            and (osince is None or _lo <= osince < _hi) and (received is None or _lo <= received < _hi)
            and (started is None or _lo <= started < _hi) and (closed is None or _lo <= closed < _hi)
            and (lpm is None or _lo <= lpm < _hi) and (lsm is None or _lo <= lsm < _hi)
            and (reopen is None or _lo <= reopen < _hi)):
        raise BadRow("cases")
    owner = None
    if otype == "person":
        owner = Owner("person", ostaff)
    elif otype == "role":
        owner = Owner("role", None, oprof)
    ho = None
    if handover:
        h = _loads(handover)
        acc = h.get("accepted_at")
        if not (_lo <= h["requested_at"] < _hi and (not acc or _lo <= acc < _hi)):
            raise BadRow("cases")
        ho = Handover(h["to_unit_id"], _fi(h["requested_at"]), _fi(acc) if acc else None,
                      bool(h.get("urgent")), h.get("ticket"))
    att: tuple = ()
    if attempts:
        raw = _loads(attempts)
        if not all(_lo <= a < _hi for a in raw):
            raise BadRow("cases")
        att = tuple(_fi(a) for a in raw)
    sent: tuple = ()
    if notices:
        raw = _loads(notices)
        if not all(_lo <= n[1] < _hi for n in raw):
            raise BadRow("cases")
        sent = tuple(Notice(n[0], _fi(n[1])) for n in raw)
    return Case(
        cid, unit_id, kind, priority, status, owner, _fi(created),
        Patient(bool(prot), date.fromisoformat(bdate) if bdate else None, pname, ppnr, pphone, pregion),
        version, _fi(updated),
        _fi(osince) if osince else None, reason,
        _fi(received) if received else None, _fi(started) if started else None,
        _fi(closed) if closed else None, close_reason,
        _fi(lpm) if lpm else None, _fi(lsm) if lsm else None,
        att, sent, ho, _fi(reopen) if reopen else None, url,
    )


def _upsert_sql(table: str, cols: Sequence[str]) -> str:
    quoted = [f'"{c}"' for c in cols]
    updates = ", ".join(f"{q} = excluded.{q}" for q in quoted[1:])
    return (f'INSERT INTO {table} ({", ".join(quoted)}) VALUES ({", ".join("?" * len(cols))}) '
            f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE excluded.version > {table}.version")


_UPSERT = {
    "units": _upsert_sql("units", UNIT_COLS),
    "staff": _upsert_sql("staff", STAFF_COLS),
    "shifts": _upsert_sql("shifts", SHIFT_COLS),
    "cases": _upsert_sql("cases", CASE_COLS),
}
_ROW = {"units": unit_row, "staff": staff_row, "shifts": shift_row, "cases": case_row}


@dataclass(frozen=True)
class SyncHealth:
    data_as_of: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    failing_since: datetime | None
    clock_skew_seconds: float | None = None  # the platform's clock minus ours at the last success


@dataclass(frozen=True)
class Quarantined:
    feed: str
    item_id: str | None
    reason: str
    payload: Any


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (trigger bodies contain semicolons)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf.strip()
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buf.strip()[:60]}")


def ensure_private_file(path: Path) -> None:
    """Create ``path`` 0600 in a 0700 directory unless it exists (before SQLite opens it)."""
    parent = path.parent
    if not parent.exists():
        parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(parent, 0o700)
    if not path.exists():
        try:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: theirs is as good
            pass
        else:
            os.close(fd)
    if path.stat().st_mode & 0o777 != 0o600:
        os.chmod(path, 0o600)


_NOUNS = {"cases": ("case", "cases"), "shifts": ("shift", "shifts"), "staff": ("staff member", "staff members"),
          "units": ("unit", "units"), "coordinators": ("coordinator", "coordinators")}


class Store:
    """A connection to the store. ``read_only`` opens it without ever writing (``--offline``,
    ``report``). Use one writer ``Store`` per process; readers may have their own."""

    # stored rows the last read skipped: table -> {row id: problem}; replaced, never changed in
    # place, so another thread may read it without the lock (the UI thread shows a notice)
    last_skipped: dict[str, dict[str, str]] = {}
    _skipping: dict[str, dict[str, str]] = {}

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False, create: bool = True):
        self.path = Path(path)
        self.read_only = read_only
        self.immutable = False  # read-only on a file system where not even the -shm can be made
        self._lock = threading.RLock()
        if read_only or not create:
            if not self.path.exists():
                raise StoreError(f"no store at {self.path}")
            if not os.access(self.path, os.R_OK):
                raise StoreError(f"the store {self.path} is not readable")
        conn: sqlite3.Connection | None = None
        try:
            if read_only:
                conn, version = self._open_read_only()
            else:
                ensure_private_file(self.path)
                if not self._can_create_beside() or not os.access(self.path, os.W_OK):
                    # SQLite would open it read-only without a word and fail at the first write
                    raise StoreError(self._fault(OSError(errno.EROFS, "read-only", str(self.path))))
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                version = self._probe(conn)
        except (sqlite3.Error, OSError) as exc:  # damaged, full, read-only, permission: one sentence
            if conn is not None:
                conn.close()
            raise StoreError(self._fault(exc)) from exc
        if version > SCHEMA_VERSION:
            conn.close()
            raise NewerSchemaError(
                f"the store {self.path} has schema version {version}; this program knows {SCHEMA_VERSION} "
                "(upgrade direkt-tui)"
            )
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        # incremental reading: what the last snapshot built, reused while unchanged
        self._case_cache: dict[str, Case] = {}
        self._shift_cache: dict[str, Shift] = {}
        self._staff_cache: tuple[tuple, dict[str, Staff]] | None = None
        self._spans_cache: tuple[tuple, dict] | None = None
        if read_only:
            if version < SCHEMA_VERSION:
                raise StoreError(f"the store {self.path} has schema version {version} (this program: {SCHEMA_VERSION}); "
                                 "run 'direkt-tui sync --once' once to upgrade it")
        else:
            try:
                self._enable_wal(conn)
                conn.execute("PRAGMA synchronous = NORMAL")
                self._migrate(version)
            except NewerSchemaError:
                conn.close()
                raise
            except (sqlite3.Error, OSError) as exc:
                conn.close()
                raise StoreError(self._fault(exc)) from exc

    def _fault(self, exc: BaseException) -> str:
        if not self.read_only and self.path.exists() and (not self._can_create_beside()
                                                          or not os.access(self.path, os.W_OK)):
            return (f"the store {self.path} cannot be written: it or its directory is read-only (a read-only "
                    "file system?); report, calllist and audit can still read it")
        return fault_text(exc, self.path)

    # -- opening ------------------------------------------------------------------------------
    @staticmethod
    def _probe(conn: sqlite3.Connection) -> int:
        """The schema version, after checking that the file is a database at all."""
        conn.execute("PRAGMA busy_timeout = 5000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        # make sure it is a database at all (a text file raises here)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return version

    @staticmethod
    def _enable_wal(conn: sqlite3.Connection, attempts: int = 500) -> None:
        """Switch to WAL unless the store is in it already. The switch needs an exclusive lock,
        and SQLite answers "database is locked" at once, without waiting the busy timeout,
        when two connections that both read the file try it together (its deadlock rule): so
        it is tried again, a few milliseconds apart (here only while a store is created)."""
        for attempt in range(attempts):
            if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                busy = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == 5 or "locked" in str(exc)
                if not busy or attempt == attempts - 1:
                    raise
                time.sleep(0.01)

    def _open_read_only(self) -> tuple[sqlite3.Connection, int]:
        """``mode=ro``; where that cannot open the store because nothing can be created beside
        it (a read-only file system or directory: a WAL reader needs the ``-shm``), again with
        ``immutable=1``.

        The trade-off of ``immutable``: SQLite takes no locks and never reads the ``-wal``, so
        it shows the store as of its last checkpoint (the writer checkpoints when it closes),
        including the data age recorded in that same state — an honest, older board — and it
        gives no live view of a writer (one changing the file under it, through another mount,
        may even give wrong results). That is why it is only the fallback, where no writer can
        be using this path."""
        uri = self.path.resolve().as_uri()
        conn = None
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
            return conn, self._probe(conn)
        except sqlite3.OperationalError:
            if conn is not None:
                conn.close()
            if self._can_create_beside():
                raise
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None,
                               check_same_thread=False)
        try:
            version = self._probe(conn)
        except BaseException:
            conn.close()
            raise
        self.immutable = True
        return conn, version

    def _can_create_beside(self) -> bool:
        parent = self.path.resolve().parent
        try:
            if os.statvfs(parent).f_flag & os.ST_RDONLY:
                return False
        except OSError:
            return False
        return os.access(parent, os.W_OK)

    # -- lifecycle --------------------------------------------------------------------------
    def _migrate(self, current: int) -> None:
        """Bring the schema to :data:`SCHEMA_VERSION`, race-free: each step reads
        ``user_version`` inside its own ``BEGIN IMMEDIATE`` (the write lock, waited for up to
        the busy timeout), so when two processes create the same new store at once, the second
        finds the first one's tables and version and applies nothing twice. ``current`` (read
        before the lock) only saves taking the lock when the store is up to date."""
        if current >= SCHEMA_VERSION:
            return
        while True:
            with self.transaction() as conn:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise NewerSchemaError(
                        f"the store {self.path} has schema version {version}; this program knows {SCHEMA_VERSION} "
                        "(upgrade direkt-tui)")
                if version == SCHEMA_VERSION:
                    return
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: ``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error)."""
        if self.read_only:
            raise StoreError("the store is open read-only")
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Roll back what is open. SQLite rolls back by itself after some errors (a full disk:
        SQLITE_FULL), and a ROLLBACK then raises "no transaction is active", which would hide
        the error that matters; a failing ROLLBACK never replaces it either."""
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    # -- ingest -------------------------------------------------------------------------------
    def _upsert(self, conn: sqlite3.Connection, table: str, items: Iterable[Any]) -> int:
        rows = [_ROW[table](i) for i in items]
        if not rows:
            return 0
        # rowcount counts the rows this statement changed, not the trigger's history rows:
        # superseded case versions go to case_history by a trigger (schema 2), for looking back
        return max(0, conn.executemany(_UPSERT[table], rows).rowcount)

    def ingest(self, table: str, items: Sequence[Any]) -> int:
        """Upsert entities of ``table`` (highest version wins) in one transaction."""
        with self.transaction() as conn:
            return self._upsert(conn, table, items)

    def apply_page(self, feed: str, items: Sequence[Any], next_cursor: str | None,
                   quarantined: Sequence[Quarantined] = (), *, resync: bool = False,
                   received_at: datetime | None = None) -> int:
        """Apply one page of a change feed and advance its cursor, atomically.

        During a full re-read (``resync``) the ids seen are remembered so that
        :meth:`finish_resync` can drop what the server no longer has — only once the
        re-read has completed."""
        if feed not in FEEDS:
            raise ValueError(f"unknown feed {feed!r}")
        with self.transaction() as conn:
            changed = self._upsert(conn, feed, items)
            if resync and items:
                conn.executemany("INSERT OR IGNORE INTO resync_seen (feed, id) VALUES (?, ?)",
                                 [(feed, i.id) for i in items])
            self._quarantine(conn, feed, quarantined, received_at)
            if next_cursor is not None:
                self._set(conn, f"cursor:{feed}", next_cursor)
            return changed

    def _quarantine(self, conn: sqlite3.Connection, feed: str, items: Sequence[Quarantined],
                    received_at: datetime | None) -> None:
        if not items:
            return
        stamp = to_store(received_at) or ""
        conn.executemany(
            "INSERT INTO quarantine (feed, item_id, reason, payload, received_at) VALUES (?, ?, ?, ?, ?)",
            [(feed, q.item_id, q.reason, _dump(q.payload) if q.payload is not None else None, stamp) for q in items],
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

    def replace_reference(self, *, units: Sequence[Unit] | None = None, templates: Sequence[Template] | None = None,
                          capabilities: Capabilities | None = None,
                          coordinators: Sequence[Coordinator] | None = None,
                          fetched_at: datetime | None = None,
                          quarantined: Sequence[Quarantined] = ()) -> None:
        """Store the non-paged reference data in one transaction. Units keep the highest
        version; templates and coordinators are replaced by what the server lists now."""
        with self.transaction() as conn:
            if units is not None:
                self._upsert(conn, "units", units)
            if templates is not None:
                conn.execute("DELETE FROM templates")
                conn.executemany("INSERT INTO templates (id, title, text, scope) VALUES (?, ?, ?, ?)",
                                 [(t.id, t.title, t.text, t.scope) for t in templates])
            if capabilities is not None:
                self._set(conn, "capabilities", _dump({"reassign_person_held": capabilities.reassign_person_held,
                                                       "max_page_size": capabilities.max_page_size}))
            if coordinators is not None:
                conn.executemany(
                    "INSERT INTO coordinators (unit_id, staff_id, since, fetched_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(unit_id) DO UPDATE SET staff_id = excluded.staff_id, since = excluded.since, "
                    "fetched_at = excluded.fetched_at",
                    [(c.unit_id, c.staff_id, to_store(c.since), to_store(fetched_at)) for c in coordinators],
                )
            self._quarantine(conn, "reference", quarantined, fetched_at)

    # -- sync state ---------------------------------------------------------------------------
    def _set(self, conn: sqlite3.Connection, key: str, value: str | None) -> None:
        conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def _get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def cursor(self, feed: str) -> str | None:
        return self._get(f"cursor:{feed}")

    def record_sync_success(self, data_as_of: datetime, at: datetime, *,
                            clock_skew_seconds: float | None = None) -> None:
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
            last_success_at=_ts_safe(rows.get("last_success_at")),
            last_error=rows.get("last_error"),
            last_error_at=_ts_safe(rows.get("last_error_at")),
            consecutive_failures=failures,
            failing_since=_ts_safe(rows.get("failing_since")),
            clock_skew_seconds=_skew(rows.get("clock_skew_seconds")),
        )

    @staticmethod
    def _data_as_of(stored: Any, last_success: Any) -> datetime | None:
        t = _ts_safe(stored)
        done = _ts_safe(last_success)
        if done is not None and (t is None or t > done):
            # written by a version that trusted a server clock ahead of ours (or an absurd one):
            # the local clock at the end of that sync, as when the server gives no time
            return done
        return t

    def data_as_of(self) -> datetime | None:
        return self._data_as_of(self._get("data_as_of"), self._get("last_success_at"))

    def clock_skew_seconds(self) -> float | None:
        """The platform's clock minus ours at the newest successful sync (None: unknown)."""
        return _skew(self._get("clock_skew_seconds"))

    def quarantined(self) -> list[Quarantined]:
        return [Quarantined(r[0], r[1], r[2], json.loads(r[3]) if r[3] else None)
                for r in self.conn.execute("SELECT feed, item_id, reason, payload FROM quarantine ORDER BY seq")]

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
        return [Template(r["id"], r["title"], r["text"], r["scope"])
                for r in self._rows("SELECT * FROM templates ORDER BY id")]

    def capabilities(self) -> Capabilities:
        raw = self._get("capabilities")
        if not raw:
            return Capabilities()
        try:
            d = json.loads(raw)
            size = d.get("max_page_size")
            return Capabilities(bool(d.get("reassign_person_held")),
                                size if type(size) is int and 1 <= size <= MAX_VERSION else None)
        except (TypeError, ValueError, AttributeError):
            return Capabilities()

    def coordinators(self) -> dict[str, Coordinator]:
        def conv(r: sqlite3.Row) -> Coordinator:
            if not _instant_ok(r["since"]):
                raise BadRow("coordinators")
            return Coordinator(r["unit_id"], r["staff_id"], _ts(r["since"]))

        return {c.unit_id: c for c in self._convert("coordinators", self._rows("SELECT * FROM coordinators"), conv)}

    def shifts(self, around: datetime | None = None, before: timedelta = timedelta(days=4),
               after: timedelta = timedelta(days=2)) -> list[Shift]:
        cols = ", ".join(f'"{c}"' for c in SHIFT_COLS)
        if around is None:
            rows = self.conn.execute(f"SELECT {cols} FROM shifts").fetchall()
        else:
            rows = self.conn.execute(
                f'SELECT {cols} FROM shifts WHERE "end" >= ? AND start <= ?',
                (to_store(around - before), to_store(around + after)),
            ).fetchall()
        return self._convert("shifts", rows, row_shift, SHIFT_COLS)

    def open_cases(self, closed_since: datetime | None = None, *, identity: bool = True) -> list[Case]:
        """Open cases, plus cases closed at or after ``closed_since`` (for premature_close).
        Without ``identity`` the patient's name, number, phone and home region, the case URL
        and reopen_until are left out: the rules never look at them (and reading them is a
        quarter of the cost)."""
        cols = ", ".join(CASE_COLS) if identity else _LIGHT_COLS
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
            chunk = ids[i:i + 500]
            out += self._convert("cases", self.conn.execute(
                f"SELECT {', '.join(CASE_COLS)} FROM cases WHERE id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall(), row_case, CASE_COLS)
        return out

    def case(self, case_id: str) -> Case | None:
        row = self.conn.execute(f"SELECT {', '.join(CASE_COLS)} FROM cases WHERE id = ?", (case_id,)).fetchone()
        found = self._convert("cases", [row], row_case, CASE_COLS) if row else []
        return found[0] if found else None

    def count(self, table: str) -> int:
        return self.db[table].count

    def snapshot(self, around: datetime | None = None, *, closed_since: datetime | None = None,
                 shifts_before: timedelta = timedelta(hours=74), shifts_after: timedelta = timedelta(hours=26),
                 identity: bool = True) -> Snapshot:
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
                    spans = self._cached_spans()
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
        if not self._case_cache:  # a first read: one scan
            out = self.open_cases(closed_since, identity=False)
            self._case_cache = {c.id: c for c in out}
            return out
        keys = self.conn.execute("SELECT id, version FROM cases WHERE status != 'closed'").fetchall()
        if closed_since is not None:
            keys += self.conn.execute("SELECT id, version FROM cases WHERE status = 'closed' AND closed_at >= ?",
                                      (to_store(closed_since),)).fetchall()
        cache = self._case_cache
        stale = [cid for cid, v in keys if (c := cache.get(cid)) is None or c.version != v]
        if len(stale) > len(keys) // 2:  # a first read (or most changed): one scan beats many lookups
            out = self.open_cases(closed_since, identity=False)
            self._case_cache = {c.id: c for c in out}
            return out
        for i in range(0, len(stale), 500):
            chunk = stale[i:i + 500]
            rows = self.conn.execute(
                f"SELECT {_LIGHT_COLS} FROM cases WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            for c in self._convert("cases", rows, row_case, CASE_COLS):
                cache[c.id] = c
        out = [c for cid, _v in keys if (c := cache.get(cid)) is not None]  # a skipped row is not there
        self._case_cache = {c.id: c for c in out}  # what left the set leaves the cache
        return out

    def _cached_shifts(self, lo: datetime, hi: datetime) -> list[Shift]:
        if not self._shift_cache:
            out = self.shifts(lo, timedelta(0), hi - lo)
            self._shift_cache = {x.id: x for x in out}
            return out
        keys = self.conn.execute('SELECT id, version FROM shifts WHERE "end" >= ? AND start <= ?',
                                 (to_store(lo), to_store(hi))).fetchall()
        cache = self._shift_cache
        stale = [sid for sid, v in keys if (x := cache.get(sid)) is None or x.version != v]
        if len(stale) > len(keys) // 2:
            out = self.shifts(lo, timedelta(0), hi - lo)
            self._shift_cache = {x.id: x for x in out}
            return out
        cols = ", ".join(f'"{c}"' for c in SHIFT_COLS)
        for i in range(0, len(stale), 500):
            chunk = stale[i:i + 500]
            rows = self.conn.execute(f"SELECT {cols} FROM shifts WHERE id IN ({','.join('?' * len(chunk))})",
                                     chunk).fetchall()
            for x in self._convert("shifts", rows, row_shift, SHIFT_COLS):
                cache[x.id] = x
        out = [x for sid, _v in keys if (x := cache.get(sid)) is not None]
        self._shift_cache = {x.id: x for x in out}
        return out

    def _cached_staff(self) -> dict[str, Staff]:
        sig = self._signature("staff")
        if self._staff_cache is None or self._staff_cache[0] != sig:
            self._staff_cache = (sig, self.staff())
        return self._staff_cache[1]

    def _cached_spans(self) -> dict:
        sig = self._signature("shifts")
        if self._spans_cache is None or self._spans_cache[0] != sig:
            self._spans_cache = (sig, self.shift_spans(None, None))
        return self._spans_cache[1]

    def shift_spans(self, lo: datetime | None, hi: datetime | None) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
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
        ident = _PATIENT_IDENTITY
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
                cases = [c for c in self.cases_as_of(at)
                         if c.status != "closed" or (c.closed_at is not None and c.closed_at >= at - timedelta(days=2))]
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

    # -- maintenance --------------------------------------------------------------------------
    def purge_closed(self, before: datetime) -> int:
        """Retention: delete closed cases closed before ``before``, and history older than it."""
        with self.transaction() as conn:
            n = conn.execute("DELETE FROM cases WHERE status = 'closed' AND closed_at < ?",
                             (to_store(before),)).rowcount
            conn.execute("DELETE FROM case_history WHERE updated_at < ? AND id NOT IN "
                         "(SELECT id FROM cases WHERE status != 'closed')", (to_store(before),))
            return n

    def record_load(self, at: datetime, loads: Iterable[tuple[str, Any]]) -> None:
        """Append one load sample per unit (``(unit_id, rules.Load)``) to the load history."""
        rows = [(uid, to_store(at), l.level, l.ratio, sum(l.waiting.values()), l.queued, l.in_progress,
                 l.clinicians_total) for uid, l in loads]
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO load_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def load_history(self, unit_id: str, since: datetime, until: datetime | None = None) -> list[tuple[datetime, int]]:
        """(instant, waiting cases) samples of a unit, oldest first."""
        sql = "SELECT at, waiting FROM load_history WHERE unit_id = ? AND at >= ?"
        params: list[Any] = [unit_id, to_store(since)]
        if until is not None:
            sql += " AND at <= ?"
            params.append(to_store(until))
        return [(_ts(a), w) for a, w in self.conn.execute(sql + " ORDER BY at", params)]  # type: ignore[misc]

    def purge_load_history(self, before: datetime) -> int:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM load_history WHERE at < ?", (to_store(before),)).rowcount
