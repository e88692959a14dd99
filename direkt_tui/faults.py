"""File-system and store faults as one line (cli.md: one line on stderr, exit 2, never a traceback).

A damaged store (random bytes in its pages), a full disk, a read-only file system or a
permission refused end a command with a sentence that says what happened to which file and
what to do — not with SQLite's or Python's traceback. The sentence never carries the text of a
damaged value: Python's sqlite3 puts the undecodable text into its message ("Could not decode
to UTF-8 column 'patient_name' with text '…'"), which may be a patient's name.

:func:`fault_text` (pure text) is used where the store is opened
(:class:`direkt_tui.store.db.Store`), by the ``sync`` command and by the wrapper around every
command in :mod:`direkt_tui.cli`. :func:`write_all` writes a command's output so that a full
disk under stdout is an error, not a silently shortened report: a buffered write may write
part of the bytes and return the count without raising.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from typing import Any, BinaryIO

# SQLite's primary result codes (https://sqlite.org/rescode.html)
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

STORE_FAULTS: tuple[type[BaseException], ...] = (sqlite3.Error, UnicodeDecodeError, OSError)
"""What :func:`fault_text` describes: every exception that a store or file can raise."""

_DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_PERMISSION = (errno.EACCES, errno.EPERM)
_DECODE = re.compile(r"Could not decode to UTF-8 column '([^']*)'")
_RESTORE = "restore it from a backup, or move it away and run 'direkt-tui sync --once' to fetch it again"


def _where(path: Any) -> str:
    return f"the store {path}" if path is not None else "the store"


def _scrub(message: str) -> str:
    """An SQLite message on one line, without any stored text it quotes."""
    message = re.sub(r" with text '.*$", "", message, flags=re.S)
    return " ".join(message.split())[:200]


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in _DISK_FULL
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF == SQLITE_FULL) or "database or disk is full" in str(exc)
    return False


def fault_text(exc: BaseException, path: str | os.PathLike[str] | None = None) -> str:
    """One line for a store or file-system fault (``exc`` one of :data:`STORE_FAULTS`)."""
    where = _where(path)
    if isinstance(exc, UnicodeDecodeError):
        return f"{where} is damaged: it holds text that is not valid UTF-8; {_RESTORE}"
    if isinstance(exc, sqlite3.Error):
        message = str(exc)
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        decode = _DECODE.search(message)
        if decode:
            return f"{where} is damaged: column {decode.group(1)!r} holds bytes that are not text (UTF-8); {_RESTORE}"
        if is_disk_full(exc):
            return f"the disk holding {where} is full (database or disk is full); free some space and try again"
        if primary == SQLITE_READONLY or "readonly database" in message:
            return (
                f"{where} cannot be written: it is read-only ({_scrub(message)}); a read-only file system "
                "can still be read by report, calllist and audit"
            )
        if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in message or "not a database" in message:
            return f"{where} is damaged ({_scrub(message)}); {_RESTORE}"
        if primary == SQLITE_CANTOPEN:
            return f"{where} cannot be opened ({_scrub(message)}): check that its directory exists and is readable"
        if primary == SQLITE_IOERR:
            return f"{where} cannot be read or written: {_scrub(message)} (a failing disk or file system?)"
        return f"{where} cannot be used: {_scrub(message)}"
    if isinstance(exc, OSError):
        name = exc.filename if exc.filename is not None else path
        about = f": {name}" if name is not None else ""
        if exc.errno in _DISK_FULL:
            return f"the disk is full{about}; free some space and try again"
        if exc.errno == errno.EROFS:
            return f"read-only file system{about}"
        if exc.errno in _PERMISSION:
            return f"permission denied{about}"
        return f"{exc.strerror or type(exc).__name__}{about}"
    return f"{type(exc).__name__}: {_scrub(str(exc))}"


def write_all(stream: BinaryIO, data: bytes) -> None:
    """Write every byte of ``data`` and flush; a short write that makes no progress, or the
    file system's own error (ENOSPC), raises OSError."""
    view = memoryview(data)
    while view:
        n = stream.write(view)
        if not n:
            raise OSError(errno.ENOSPC, "the output could not be written (no space left on device?)")
        view = view[n:]
    stream.flush()
