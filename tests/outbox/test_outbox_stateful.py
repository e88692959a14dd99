"""A Hypothesis state machine drives the outbox sender against a scripted platform that, per
request, may apply the write and then never answer, answer late, fail with 5xx, ask to come
back later, or refuse it because someone else changed or closed the case meanwhile; the sender
may also "crash" after sending a request and before recording its answer.

Invariants: the platform applies every Idempotency-Key at most once; a refusal (conflict or
other 409) that reached the sender is never sent again; every final row's outcome is what the
platform decided for its key; the store holds the platform's answer. At the end of every run,
enough sends make every row final.

"Reached the sender" is what the sender's client got back (``RecordingClient``), not what the
platform wrote: an answer written after the client's 0.2 s deadline (a loaded machine) never
reached it, and asking again with the same key is then right. No invariant depends on how fast
the machine is: a slow answer only turns into a retry with the same key.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from direkt_tui.domain.models import Case
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.sync.outbox import OutboxSender, assign_write
from outbox.fake_platform import MODES, FakePlatform
from outbox.support import AS_OF, TOKEN, RecordingClient, assert_no_request_after_a_received_refusal

CASES = [f"c-{i}" for i in range(5)]
FAILURES = [m for m in MODES if m != "ok"]


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="outbox-sm-"))
        self.platform = FakePlatform(CASES).start()
        self.store = Store(self.dir / "s.db")
        self.store.ingest("cases", [Case.from_api(c) for c in self.platform.cases.values()])
        self.client = RecordingClient(self.platform.base_url, token=TOKEN, deadline=0.2, read_timeout=0.2)
        self.now = AS_OF
        self.outcomes: dict[int, str] = {}
        self.sender = self._new_sender()
        self.crashes = 0

    def _new_sender(self) -> OutboxSender:
        return OutboxSender(self.store, self.client, clock=lambda: self.now, concurrency=4, rand=lambda: 0.5,
                            max_attempts=10_000, on_outcome=lambda row, status: self.outcomes.__setitem__(row.id, status))

    # ------------------------------------------------------------------ rules
    @initialize(ids=st.lists(st.sampled_from(CASES), min_size=1, max_size=3, unique=True))
    def first_batch(self, ids):
        self.enqueue(ids, "doctor")

    @rule(ids=st.lists(st.sampled_from(CASES), min_size=1, max_size=4, unique=True),
          profession=st.sampled_from(["doctor", "nurse", "psychologist"]))
    def enqueue(self, ids, profession):
        writes = [assign_write(self.store.case(cid), {"type": "role", "profession": profession}) for cid in ids]
        actions.enqueue(self.store, self.now, "Anna", "reassign", writes)

    @rule(modes=st.lists(st.sampled_from(FAILURES), min_size=1, max_size=3))
    def script_faults(self, modes):
        with self.platform.lock:
            self.platform.script.extend(modes)

    @rule(cid=st.sampled_from(CASES))
    def someone_else_changes(self, cid):
        self.platform.external_change(cid)

    @rule(cid=st.sampled_from(CASES))
    def someone_closes(self, cid):
        self.platform.close_case(cid)

    @rule()
    def sync(self):
        with self.platform.lock:
            items = [Case.from_api(c) for c in self.platform.cases.values()]
        self.store.ingest("cases", items)

    @rule()
    def send(self):
        self.sender.send_due()

    @rule(seconds=st.sampled_from([0.5, 2, 30, 120]))
    def time_passes(self, seconds):
        self.now += timedelta(seconds=seconds)

    @precondition(lambda self: actions.pending_count(self.store) > 0)
    @rule(n=st.integers(1, 2))
    def crash_after_sending(self, n):
        """The process sent requests and died before recording the answers."""
        rows = actions.due(self.store, self.now, n)
        with httpx.Client(timeout=0.2) as raw:
            for row in rows:
                actions.mark_sending(self.store, row.id, self.now)
                try:
                    raw.post(f"{self.platform.base_url}/cases/{row.case_id}/assign", json=row.body,
                             headers={"Idempotency-Key": row.idempotency_key, "Authorization": f"Bearer {TOKEN}",
                                      "X-Test-Crash": "1"})
                except httpx.HTTPError:
                    pass
        self.sender.close()
        self.sender = self._new_sender()  # a new process: nothing remembered but the store
        self.crashes += 1

    # ------------------------------------------------------------------ invariants
    @invariant()
    def applied_at_most_once_per_key(self):
        assert all(n <= 1 for n in self.platform.applied.values()), self.platform.applied

    @invariant()
    def received_refusals_are_never_sent_again(self):
        assert_no_request_after_a_received_refusal(self.client.answers)

    @invariant()
    def final_outcomes_match_the_platform(self):
        with self.platform.lock:
            idem = dict(self.platform.idem)
            applied = dict(self.platform.applied)
        for row in actions.outbox_rows(self.store, ("done", "conflict", "failed")):
            decided = idem.get(row.idempotency_key)
            assert decided is not None, f"row {row.id} is {row.status} but the platform never decided its key"
            status, body = decided
            if row.status == "done":
                assert status == 200 and applied.get(row.idempotency_key) == 1
                assert self.store.case(row.case_id).version >= body["version"]
                assert row.result["version"] == body["version"]
            elif row.status == "conflict":
                assert (status, body.get("code")) == (409, "version_conflict") == (row.http_status, row.code)
                assert self.store.case(row.case_id).version >= body["current"]["version"]
            else:
                assert (status, body.get("code")) == (409, "case_closed") == (row.http_status, row.code)
            assert self.outcomes.get(row.id, row.status) == row.status

    def teardown(self):
        try:
            with self.platform.lock:
                self.platform.script.clear()
            for _ in range(30):
                if actions.pending_count(self.store) == 0:
                    break
                self.now += timedelta(minutes=2)
                self.sender.send_due()
            assert actions.pending_count(self.store) == 0, "rows still pending after enough sends"
            self.applied_at_most_once_per_key()
            self.received_refusals_are_never_sent_again()
            self.final_outcomes_match_the_platform()
            # a done row is exactly a key the platform applied; conflicts and refusals applied nothing
            with self.platform.lock:
                applied = {k for k, n in self.platform.applied.items() if n}
            done = {r.idempotency_key for r in actions.outbox_rows(self.store, ("done",))}
            assert done == applied
            assert actions.audit_verify(self.store) == []
            for status in sorted({r.status for r in actions.outbox_rows(self.store)}):
                event(f"a row ended {status}")
            for mode in sorted({r.mode for r in self.platform.log if r.status is not None or r.mode != "ok"}):
                event(f"mode {mode} happened")
            if any(r.attempts > 1 for r in actions.outbox_rows(self.store, ("done",))):
                event("a row was done after more than one attempt")
        finally:
            self.sender.close()
            self.client.close()
            self.store.close()
            self.platform.stop()
            shutil.rmtree(self.dir, ignore_errors=True)


OutboxMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestOutboxStateful = OutboxMachine.TestCase
