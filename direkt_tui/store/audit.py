"""The audit chain: an append-only log of what the coordinator did and what came of it, each
entry chained to the one before by its hash — HMAC-SHA-256 under a key kept outside the store
(``auditkey.py``; entries written before schema 3 stay the plain SHA-256 chain they were)."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.timeutil import to_store
from . import auditkey
from .connection import durable as _durable
from .db import Store
from .rows import dump_json, parse_instant

GENESIS = "0" * 64

# the canonical JSON the audit hashes are computed over (the store's own compact, sorted form)
_canon = dump_json


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: Any
    detail: Any
    outcome: str
    prev_hash: str
    hash: str
    key_id: str | None = None  # the key its HMAC was made with; None: the plain chain (before the key)


# -- audit ----------------------------------------------------------------------------------------
ALG_KEYED = "hmac-sha256"
SHORT_HASH = 16  # hex digits of a printed chain head (64 bits)
_AUDIT_COLS = "seq, at, actor, action, subject, detail, outcome, prev_hash, hash, key_id"
_HEX = frozenset("0123456789abcdef")


def entry_hash(
    seq: int, at: str, actor: str, action: str, subject: str, detail: str, outcome: str, prev_hash: str
) -> str:
    """The plain SHA-256 of an entry: the chain as written before the key (schema 2)."""
    payload = _canon([seq, at, actor, action, subject, detail, outcome, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def keyed_hash(
    key: bytes,
    key_id: str,
    plain_until: int,
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    detail: str,
    outcome: str,
    prev_hash: str,
) -> str:
    """The HMAC-SHA-256 of an entry under the audit key. It covers where the plain entries end
    (``plain_until``), so moving that boundary invalidates every keyed entry."""
    payload = _canon([ALG_KEYED, key_id, plain_until, seq, at, actor, action, subject, detail, outcome, prev_hash])
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _head_seal(key: bytes, seq: int, h: str) -> str:
    return hmac.new(key, _canon(["head", seq, h]).encode("utf-8"), hashlib.sha256).hexdigest()


def _is_hex(value: Any, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and set(value) <= _HEX


def _plain_until(conn: sqlite3.Connection) -> int | None:
    """The last entry written before the key (recorded by migration 3), None when the record
    is missing or malformed."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'audit_plain_until'").fetchone()
    if row is None or not isinstance(row[0], str) or not row[0].isdigit():
        return None
    return int(row[0])


def _append(
    conn: sqlite3.Connection, at: datetime, actor: str, action: str, subject: Any, detail: Any, outcome: str
) -> int:
    key, kid = auditkey.current_key()  # before anything is written: a refused key writes nothing
    last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    if not isinstance(prev, str):  # a damaged row: the link will not verify, but writing goes on
        prev = ""
    plain_until = _plain_until(conn) or 0
    stamp = to_store(at) or ""
    subj, det = _canon(subject), _canon(detail)
    h = keyed_hash(key, kid, plain_until, seq, stamp, actor, action, subj, det, outcome, prev)
    conn.execute(
        "INSERT INTO audit (seq, at, actor, action, subject, detail, outcome, prev_hash, hash, key_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, stamp, actor, action, subj, det, outcome, prev, h, kid),
    )
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"{seq}:{h}:{_head_seal(key, seq, h)}",),
    )
    return seq


def audit_append(
    store: Store, at: datetime, actor: str, action: str, subject: Any, detail: Any = None, outcome: str = "ok"
) -> int:
    """Append one entry (its own transaction, synchronous=FULL for the commit)."""
    with _durable(store), store.transaction() as conn:
        return _append(conn, at, actor, action, subject, detail if detail is not None else {}, outcome)


@dataclass(frozen=True)
class AuditProblem:
    """One thing wrong with the log: ``code`` (an ``audit.problem.*`` text), the entries it
    concerns (``first``–``last``) and the words the text needs."""

    code: str
    first: int | None = None
    last: int | None = None
    info: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "en") -> str:
        from .. import i18n

        kw = dict(self.info)
        if "what" in kw:
            kw["what"] = i18n.t(f"audit.bad.{kw['what']}", lang)
        many = self.code in _MERGE and self.last is not None and self.last != self.first
        key = f"audit.problem.{self.code}" + (".many" if many else "")
        return i18n.t(key, lang, n=self.first, first=self.first, last=self.last, **kw)


def _row_problem(r: Sequence, pos: int) -> AuditProblem | None:
    """What is malformed about a raw audit row (None: nothing). Checks types and formats only;
    the hashes are checked by :func:`audit_check`."""

    def kind(v: Any) -> str:
        return (
            "blob"
            if isinstance(v, (bytes, bytearray, memoryview))
            else "null"
            if v is None
            else "number"
            if isinstance(v, (int, float))
            else "text"
        )

    seq = r[0]
    if type(seq) is not int:  # noqa: E721 - bool is no entry number
        return AuditProblem("malformed_row", pos, info=(("field", "seq"), ("what", kind(seq))))

    def bad(name: str, what: str) -> AuditProblem:
        return AuditProblem("malformed", seq, info=(("field", name), ("what", what)))

    names = ("seq", "at", "actor", "action", "subject", "detail", "outcome", "prev_hash", "hash", "key_id")
    for i in (1, 2, 3, 4, 5, 6, 7, 8):
        if not isinstance(r[i], str):
            return bad(names[i], kind(r[i]))
    try:
        if datetime.fromisoformat(r[1]).tzinfo is None:
            return bad("at", "not_time")
    except ValueError:
        return bad("at", "not_time")
    for i in (4, 5):
        try:
            json.loads(r[i])
        except ValueError:
            return bad(names[i], "not_json")
    for i in (7, 8):
        if not _is_hex(r[i], 64):
            return bad(names[i], "not_hash")
    if r[9] is not None and not _is_hex(r[9], 16):
        return bad("key_id", kind(r[9]) if not isinstance(r[9], str) else "not_key_id")
    return None


def audit_rows(store: Store) -> list[AuditEntry | AuditProblem]:
    """Every row of the log in order: an :class:`AuditEntry`, or the problem of a malformed one."""
    out: list[AuditEntry | AuditProblem] = []
    rows = store.conn.execute(f"SELECT {_AUDIT_COLS} FROM audit ORDER BY seq").fetchall()
    for pos, r in enumerate(rows, 1):
        problem = _row_problem(r, pos)
        if problem is not None:
            out.append(problem)
            continue
        out.append(
            AuditEntry(
                r[0], parse_instant(r[1]), r[2], r[3], json.loads(r[4]), json.loads(r[5]), r[6], r[7], r[8], r[9]
            )
        )
    return out


def audit_entries(store: Store) -> list[AuditEntry]:
    """The well-formed entries in order (a malformed row is left out: ``audit_rows`` and
    ``audit_check`` report it)."""
    return [e for e in audit_rows(store) if isinstance(e, AuditEntry)]


def audit_head(store: Store) -> tuple[int, str]:
    """The entry number and hash of the last entry (0 and the genesis hash for an empty log)."""
    row = store.conn.execute(
        "SELECT seq, hash FROM audit WHERE typeof(seq) = 'integer' AND typeof(hash) = 'text' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def head_anchor(store: Store) -> str:
    """The chain head to print (``N:HASH``, the hash shortened): ``audit verify --anchor`` later
    proves that the log still holds that entry unchanged."""
    seq, h = audit_head(store)
    return f"{seq}:{h[:SHORT_HASH]}"


@dataclass(frozen=True)
class Anchor:
    """A printed chain head: entry ``seq`` had a hash beginning with ``prefix``."""

    seq: int
    prefix: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.prefix}"


def parse_anchor(text: str) -> Anchor:
    """``N:HASH`` (HASH: at least 8 of the hash's hexadecimal digits, as printed). Raises
    ValueError with a one-line reason."""
    seq, sep, prefix = text.strip().partition(":")
    prefix = prefix.strip().lower()
    if not sep or not seq.strip().isdigit() or not 8 <= len(prefix) <= 64 or not set(prefix) <= _HEX:
        raise ValueError(f"not an anchor: {text!r} (expected N:HASH, e.g. 12:3fa9c1d2e4b5a6f7)")
    return Anchor(int(seq), prefix)


@dataclass(frozen=True)
class AuditCheck:
    """What :func:`audit_check` found."""

    entries: int  # rows in the log
    plain: int  # entries verified as the plain chain (written before the key)
    plain_until: int  # the last entry number written before the key
    keyed: int  # entries verified under the key
    key_path: Any  # the key file used (or that would be)
    problems: tuple[AuditProblem, ...]
    anchors_ok: tuple[Anchor, ...]
    head: tuple[int, str]

    @property
    def ok(self) -> bool:
        return not self.problems


_MERGE = frozenset({"edited", "unkeyed", "foreign"})


def _merge(problems: list[AuditProblem]) -> list[AuditProblem]:
    """Runs of consecutive entries with the same problem as one line (entries 3–250: …)."""
    out: list[AuditProblem] = []
    for p in problems:
        prev = out[-1] if out else None
        end = None if prev is None else prev.last if prev.last is not None else prev.first
        if (
            prev is not None
            and p.code in _MERGE
            and prev.code == p.code
            and prev.info == p.info
            and end is not None
            and p.first == end + 1
        ):
            out[-1] = AuditProblem(p.code, prev.first, p.first, p.info)
        else:
            out.append(p)
    return out


def audit_check(store: Store, anchors: Iterable[Anchor] = (), *, key: tuple[bytes, str] | None = None) -> AuditCheck:
    """Check the whole log: every row well-formed; entries written before the key (schema 2)
    as the plain SHA-256 chain, every later one as HMAC-SHA-256 under the key; no gaps or broken
    links; the head record (sealed with the key) naming the last entry; and each printed
    ``anchor`` still in the log unchanged. Reads only. The key (``key`` or the process's key
    file) is needed only when the log has keyed entries: without it :class:`AuditKeyError`."""
    conn = store.conn
    rows = conn.execute(f"SELECT {_AUDIT_COLS} FROM audit ORDER BY seq").fetchall()
    recorded = _plain_until(conn)
    boundary = recorded if recorded is not None else 0
    problems: list[AuditProblem] = []
    if recorded is None and rows:
        problems.append(AuditProblem("boundary_missing"))
    keyinfo = key

    def need_key() -> tuple[bytes, str]:
        nonlocal keyinfo
        if keyinfo is None:
            keyinfo = auditkey.existing_key()
            if keyinfo is None:
                path = auditkey.key_path()
                raise auditkey.AuditKeyError(
                    f"the audit key file {path} does not exist, and the log has entries written with a key: "
                    "they cannot be checked without it"
                )
        return keyinfo

    prev_hash: str | None = GENESIS
    expected = 1
    by_seq: dict[int, str | None] = {}
    n_plain = n_keyed = 0
    for pos, r in enumerate(rows, 1):
        bad = _row_problem(r, pos)
        if bad is not None:
            problems.append(bad)
            if type(r[0]) is int:  # noqa: E721
                if r[0] > expected:
                    problems.insert(len(problems) - 1, AuditProblem("missing", expected, r[0] - 1))
                by_seq[r[0]] = None
                expected = r[0] + 1
            prev_hash = r[8] if _is_hex(r[8], 64) else None
            continue
        seq, at, actor, action, subject, detail, outcome, prev, h, kid = r
        if seq > expected:
            problems.append(AuditProblem("missing", expected, seq - 1))
        if prev_hash is not None and prev != prev_hash:
            problems.append(AuditProblem("unlinked", seq))
        if kid is None:
            if seq > boundary:
                problems.append(AuditProblem("unkeyed", seq))
            elif entry_hash(seq, at, actor, action, subject, detail, outcome, prev) != h:
                problems.append(AuditProblem("edited", seq))
            else:
                n_plain += 1
        else:
            k, our_id = need_key()
            if kid != our_id:
                problems.append(AuditProblem("foreign", seq, info=(("path", str(auditkey.key_path())),)))
            elif keyed_hash(k, kid, boundary, seq, at, actor, action, subject, detail, outcome, prev) != h:
                problems.append(AuditProblem("edited", seq))
            else:
                n_keyed += 1
        by_seq[seq] = h
        prev_hash, expected = h, seq + 1

    # the head record: the last entry written, sealed with the key since schema 3
    last = rows[-1] if rows else None
    last_seq = last[0] if last is not None and type(last[0]) is int else 0  # noqa: E721
    last_hash = last[8] if last is not None and _is_hex(last[8], 64) else None
    head = conn.execute("SELECT value FROM sync_state WHERE key = 'audit_head'").fetchone()
    if head is None:
        if rows:
            problems.append(AuditProblem("head_missing"))
    else:
        parts = head[0].split(":") if isinstance(head[0], str) else []
        if (
            len(parts) not in (2, 3)
            or not parts[0].isdigit()
            or not _is_hex(parts[1], 64)
            or (len(parts) == 3 and not _is_hex(parts[2], 64))
        ):
            problems.append(AuditProblem("head_malformed"))
        else:
            head_seq, head_hash, seal = int(parts[0]), parts[1], parts[2] if len(parts) == 3 else None
            if head_seq > last_seq:
                problems.append(AuditProblem("head_truncated", info=(("head", head_seq), ("end", last_seq))))
            elif head_seq != last_seq or head_hash != last_hash:
                problems.append(AuditProblem("head_mismatch", info=(("head", head_seq), ("end", last_seq))))
            elif seal is None:
                if (last is not None and last[9] is not None) or last_seq > boundary:
                    problems.append(AuditProblem("head_unsealed"))
            else:
                k, our_id = need_key()
                if (last is None or last[9] in (None, our_id)) and not hmac.compare_digest(
                    _head_seal(k, head_seq, head_hash), seal
                ):
                    problems.append(AuditProblem("head_bad_seal"))

    anchors_ok: list[Anchor] = []
    for a in anchors:
        if a.seq == 0:
            ok = GENESIS.startswith(a.prefix)
        elif a.seq not in by_seq:
            problems.append(AuditProblem("anchor_missing", a.seq, info=(("anchor", str(a)),)))
            continue
        else:
            stored = by_seq[a.seq]
            ok = stored is not None and stored.startswith(a.prefix)
        if ok:
            anchors_ok.append(a)
        else:
            problems.append(AuditProblem("anchor_changed", a.seq, info=(("anchor", str(a)),)))
    return AuditCheck(
        entries=len(rows),
        plain=n_plain,
        plain_until=boundary,
        keyed=n_keyed,
        key_path=auditkey.key_path(),
        problems=tuple(_merge(problems)),
        anchors_ok=tuple(anchors_ok),
        head=audit_head(store),
    )


def audit_verify(store: Store) -> list[str]:
    """Problems with the chain, one line each in English (empty when intact)."""
    return [p.text("en") for p in audit_check(store).problems]
