"""A compacted, bounded change log behind one change feed (staff, shifts, cases).

Every change of an entity gets the next sequence number of the feed and is recorded with
the entity's version and its JSON at that change. The *live* entry of an entity is its
latest change; older entries of the same entity are *superseded* and kept only as history
(used to re-send older versions under chaos) until there are more than ``retention`` of them.
Then the oldest are forgotten and the log's *horizon* moves up to the newest forgotten
sequence number.

Cursors name a position (``pos``: every live entry with a higher sequence is still to be
delivered) and a *stamp* (the feed's head when the cursor was issued). A cursor whose stamp
is below the horizon predates changes the log has forgotten: it gets 410 and the client
resyncs from the beginning. A resync issues fresh stamps, so it cannot loop on 410 unless
more than ``retention`` changes happen while it runs. ``drop()`` (epoch + 1) invalidates
every cursor at once.

Memory is ``live entities + retention`` entries; the position index is compacted whenever
it holds more than twice the live entries.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass


class CursorGone(Exception):
    """The cursor is unknown (malformed, from another server instance, dropped or too old)."""


@dataclass(frozen=True)
class Entry:
    seq: int
    id: str
    version: int
    json: str


class ChangeLog:
    def __init__(self, name: str, instance: str, retention: int = 10_000):
        self.name = name
        self.instance = instance
        self.retention = max(0, int(retention))
        self.epoch = 0
        self.head = 0
        self.horizon = 0
        self._entries: dict[int, Entry] = {}  # live and retained superseded entries
        self._live: dict[str, int] = {}  # id -> seq of its latest change
        self._order: list[int] = []  # increasing seqs; may contain forgotten / superseded ones
        self._dead: deque[int] = deque()  # superseded seqs still kept, oldest first
        self._history: dict[str, deque[int]] = {}  # id -> its superseded seqs, oldest first

    # ---------------------------------------------------------------- recording
    def record(self, entity_id: str, version: int, json_text: str) -> int:
        self.head += 1
        seq = self.head
        old = self._live.get(entity_id)
        if old is not None:
            self._dead.append(old)
            self._history.setdefault(entity_id, deque()).append(old)
        self._live[entity_id] = seq
        self._entries[seq] = Entry(seq, entity_id, version, json_text)
        self._order.append(seq)
        self._trim()
        return seq

    def remove(self, entity_id: str) -> None:
        """Forget an entity entirely (purge of long-closed cases)."""
        seq = self._live.pop(entity_id, None)
        if seq is not None:
            self._entries.pop(seq, None)
        for s in self._history.pop(entity_id, ()):  # its history goes too
            self._entries.pop(s, None)
        # the _dead deque may still hold those seqs; _trim skips missing ones

    def _trim(self) -> None:
        while len(self._dead) > self.retention:
            s = self._dead.popleft()
            e = self._entries.pop(s, None)
            if e is not None:
                h = self._history.get(e.id)
                if h and h[0] == s:
                    h.popleft()
                    if not h:
                        del self._history[e.id]
            if s > self.horizon:
                self.horizon = s
        if len(self._order) > 2 * len(self._live) + 1024:
            live = set(self._live.values())
            self._order = [s for s in self._order if s in live]

    def set_retention(self, retention: int) -> None:
        self.retention = max(0, int(retention))
        self._trim()

    def drop(self) -> None:
        """Invalidate every cursor handed out so far."""
        self.epoch += 1

    # ---------------------------------------------------------------- reading
    def current_json(self, entity_id: str) -> str | None:
        seq = self._live.get(entity_id)
        return None if seq is None else self._entries[seq].json

    def live_count(self) -> int:
        return len(self._live)

    def size(self) -> int:
        """Entries held (live + superseded history)."""
        return len(self._entries)

    def index_size(self) -> int:
        return len(self._order)

    def older_versions(self, entity_id: str) -> list[Entry]:
        return [self._entries[s] for s in self._history.get(entity_id, ()) if s in self._entries]

    def random_superseded(self, rng) -> Entry | None:
        if not self._dead:
            return None
        for _ in range(4):
            s = self._dead[rng.randrange(len(self._dead))]
            e = self._entries.get(s)
            if e is not None:
                return e
        return None

    def encode_cursor(self, pos: int, stamp: int | None = None) -> str:
        stamp = self.head if stamp is None else stamp
        raw = f"{self.instance}:{self.epoch}:{self.name}:{pos}:{stamp}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode_cursor(self, cursor: str) -> int:
        """Validate a cursor; returns its position or raises CursorGone."""
        try:
            pad = "=" * (-len(cursor) % 4)
            raw = base64.urlsafe_b64decode(cursor + pad).decode()
            instance, epoch, name, pos, stamp = raw.split(":")
            epoch_i, pos_i, stamp_i = int(epoch), int(pos), int(stamp)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise CursorGone("malformed cursor") from exc
        if instance != self.instance or name != self.name:
            raise CursorGone("cursor from another feed or server instance")
        if epoch_i != self.epoch:
            raise CursorGone("cursor invalidated")
        if pos_i < 0 or pos_i > self.head or stamp_i > self.head or pos_i > stamp_i:
            raise CursorGone("cursor not issued by this server")
        if stamp_i < self.horizon:
            raise CursorGone("cursor older than the change log's horizon")
        return pos_i

    def live_after(self, pos: int, limit: int) -> tuple[list[Entry], bool]:
        """Up to ``limit`` live entries with seq > pos, oldest first, and whether more follow."""
        out: list[Entry] = []
        order = self._order
        live = self._live
        entries = self._entries
        i = bisect_right(order, pos)
        n = len(order)
        while i < n:
            s = order[i]
            i += 1
            e = entries.get(s)
            if e is None or live.get(e.id) != s:
                continue
            if len(out) == limit:
                return out, True
            out.append(e)
        return out, False

    def live_before(self, pos: int, count: int) -> list[Entry]:
        """Up to ``count`` live entries with seq <= pos, the newest of them, oldest first."""
        out: list[Entry] = []
        i = bisect_right(self._order, pos) - 1
        while i >= 0 and len(out) < count:
            s = self._order[i]
            i -= 1
            e = self._entries.get(s)
            if e is not None and self._live.get(e.id) == s:
                out.append(e)
        out.reverse()
        return out

    def all_live(self) -> list[Entry]:
        return [self._entries[s] for s in sorted(self._live.values())]
