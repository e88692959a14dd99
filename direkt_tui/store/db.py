"""The local SQLite store. The only place that writes SQL (with the other modules of ``store/``).

- One file, created 0600 inside a 0700 directory before SQLite opens it (``-wal``/``-shm``
  inherit the mode); WAL journal; ``synchronous=NORMAL``.
- One writer connection per process (the sync); readers open their own ``Store``.
- Ingest keeps the **highest version** of every entity: a conditional upsert
  (``… ON CONFLICT DO UPDATE … WHERE excluded.version > t.version``), never sqlite-utils'
  unconditional ``upsert_all``. A page and its cursor commit in one transaction.

:class:`Store` is put together from its jobs: opening, pragmas, migrations and the write
transaction (``connection.py``), row mapping (``rows.py``), ingest (``ingest.py``) and reads
(``reads.py``). The outbox and the audit chain are in ``actions.py``, shift work in
``shiftlog.py``.
"""

from __future__ import annotations

from .connection import NewerSchemaError, StoreBase, StoreError, ensure_private_file, split_statements
from .ingest import FEEDS, Ingest
from .reads import Reads
from .rows import (
    CASE_COLS,
    SHIFT_COLS,
    STAFF_COLS,
    UNIT_COLS,
    UPSERT,
    BadRow,
    Quarantined,
    SyncHealth,
    case_row,
    dump_json,
    parse_instant,
    row_case,
    row_problem,
    row_shift,
    row_staff,
    row_unit,
    shift_row,
    staff_row,
    unit_row,
)
from .schema import MIGRATIONS, SCHEMA_VERSION


class Store(Ingest, Reads):
    """A connection to the store. ``read_only`` opens it without ever writing (``--offline``,
    ``report``). Use one writer ``Store`` per process; readers may have their own."""


# the names the benchmark and older tests know
_UPSERT = UPSERT
_statements = split_statements

__all__ = [
    "CASE_COLS",
    "FEEDS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SHIFT_COLS",
    "STAFF_COLS",
    "UNIT_COLS",
    "UPSERT",
    "BadRow",
    "NewerSchemaError",
    "Quarantined",
    "Store",
    "StoreBase",
    "StoreError",
    "SyncHealth",
    "case_row",
    "dump_json",
    "ensure_private_file",
    "parse_instant",
    "row_case",
    "row_problem",
    "row_shift",
    "row_staff",
    "row_unit",
    "shift_row",
    "split_statements",
    "staff_row",
    "unit_row",
]
