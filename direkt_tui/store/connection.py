"""Opening the store: the private file, pragmas, read-only and immutable opening, the
migrations runner and the write transaction. The base of :class:`~direkt_tui.store.db.Store`.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from ..domain.models import Case, Shift, Staff
from ..faults import fault_text
from .schema import MIGRATIONS, SCHEMA_VERSION


class StoreError(Exception):
    """A store that cannot be used: missing, unreadable, corrupt or from a newer program."""


class NewerSchemaError(StoreError):
    pass


def split_statements(script: str) -> Iterator[str]:
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


GROUP_READ_ENV = "DIREKT_TUI_STORE_GROUP_READ"  # set to 1 by the sync service (data/direkt-tui-sync.service)


def ensure_private_file(path: Path) -> None:
    """Create ``path`` 0600 in a 0700 directory unless it exists (before SQLite opens it), and
    set an existing one back to 0600 — except that where ``DIREKT_TUI_STORE_GROUP_READ=1`` (the
    sync service of a shared store read by the coordinators' group) a store the administrator
    made 0640 stays so; group write and any access for others are always taken away."""
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
    mode = path.stat().st_mode & 0o777
    shared = os.environ.get(GROUP_READ_ENV) == "1" and mode == 0o640
    if mode != 0o600 and not shared:
        os.chmod(path, 0o600)


@contextmanager
def durable(store: StoreBase) -> Iterator[None]:
    """synchronous=FULL for the duration of one commit (outbox and audit: cheap at human rates)."""
    store.conn.execute("PRAGMA synchronous = FULL")
    try:
        yield
    finally:
        store.conn.execute("PRAGMA synchronous = NORMAL")


class StoreBase:
    """The connection of a :class:`~direkt_tui.store.db.Store`: opening, migrations, the lock and
    the write transaction (``Store`` adds ingest and reads). ``read_only`` opens it without ever
    writing (``--offline``, ``report``)."""

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
        # incremental reading: what the last snapshot built, reused while unchanged
        self._case_cache: dict[str, Case] = {}
        self._shift_cache: dict[str, Shift] = {}
        self._staff_cache: tuple[tuple, dict[str, Staff]] | None = None
        self._spans_cache: tuple[tuple, dict] | None = None
        if read_only:
            if version < SCHEMA_VERSION:
                raise StoreError(
                    f"the store {self.path} has schema version {version} (this program: {SCHEMA_VERSION}); "
                    "run 'direkt-tui sync --once' once to upgrade it"
                )
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
        if (
            not self.read_only
            and self.path.exists()
            and (not self._can_create_beside() or not os.access(self.path, os.W_OK))
        ):
            return (
                f"the store {self.path} cannot be written: it or its directory is read-only (a read-only "
                "file system?); report, calllist and audit can still read it"
            )
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
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
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
                        "(upgrade direkt-tui)"
                    )
                if version == SCHEMA_VERSION:
                    return
                for statement in split_statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Self:
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
    def lock(self) -> threading.RLock:
        """The connection's lock (re-entrant): hold it around reads that must not interleave
        with another thread's use of this connection; :meth:`transaction` takes it too."""
        return self._lock

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    # -- sync state ---------------------------------------------------------------------------
    def _set(self, conn: sqlite3.Connection, key: str, value: str | None) -> None:
        conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
