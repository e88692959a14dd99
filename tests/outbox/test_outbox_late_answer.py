"""A refusal the platform wrote after the sender's deadline (what a loaded machine does to a
0.2 s deadline) did not reach the sender: it asks again with the same Idempotency-Key, gets the
platform's recorded refusal, and from then on never sends that key again.

This is the case that made ``TestOutboxStateful`` fail under load ("key sent again after the
refusal"): its invariant judged "delivered" from what the platform wrote, not from what reached
the sender. Here the platform is made slower than the deadline on purpose, so the outcome does
not depend on the machine's speed (a slower machine only makes the answer later still)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from direkt_tui.domain.models import Case
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.sync.client import Conflict
from direkt_tui.sync.outbox import OutboxSender, assign_write
from outbox.fake_platform import FakePlatform
from outbox.support import AS_OF, TOKEN, RecordingClient, assert_no_request_after_a_received_refusal

DOCTOR = {"type": "role", "profession": "doctor"}
DEADLINE = 0.2
LATE = 0.6  # every answer waits this long before it is written: always after the deadline


@pytest.fixture
def late_platform(tmp_path):
    p = FakePlatform(["c-0", "c-1"], delay=LATE).start()
    s = Store(tmp_path / "s.db")
    s.ingest("cases", [Case.from_api(c) for c in p.cases.values()])
    client = RecordingClient(p.base_url, token=TOKEN, deadline=DEADLINE, read_timeout=DEADLINE)
    yield p, s, client
    client.close()
    p.stop()
    s.close()


def test_a_late_refusal_is_asked_again_with_the_same_key_then_never(late_platform):
    p, s, client = late_platform
    p.close_case("c-0")  # someone closed the case (a new version): the platform will refuse, 409
    batch = actions.enqueue(s, AS_OF, "Anna", "reassign", [assign_write(s.case("c-0"), DOCTOR)])
    t = [AS_OF]
    sender = OutboxSender(s, client, clock=lambda: t[0], rand=lambda: 0.5)
    try:
        sender.send_due()  # the platform decides 409 and writes it after the client gave up
        (row,) = actions.batch_rows(s, batch)
        assert row.status == "pending" and row.attempts == 1  # outcome unknown: retried later
        key = row.idempotency_key
        assert p.wait_handled(1)
        assert [(r.status, r.delivered) for r in p.log] == [(409, True)]  # written, "delivered" as the platform sees it
        assert client.answers == [(key, None)]  # ... but nothing reached the sender

        p.delay = 0.0  # the platform answers in time again
        for _ in range(3):  # more rounds than needed: none of them may send the key again
            t[0] += timedelta(minutes=2)
            sender.send_due()
    finally:
        sender.close()
    (row,) = actions.batch_rows(s, batch)
    assert (row.status, row.code, row.attempts) == ("conflict", "version_conflict", 2)
    # the same key, the recorded answer; the platform wrote both, so judged from its side alone
    # (as the stateful test once did) this would look like a refusal sent again
    assert [(r.key, r.status, r.delivered) for r in p.log] == [(key, 409, True), (key, 409, True)]
    assert client.answers == [(key, None), (key, 409)]
    assert_no_request_after_a_received_refusal(client.answers)
    assert p.applied[key] == 0


def test_the_invariant_catches_a_sender_that_sends_a_received_refusal_again(late_platform):
    """The check above can fail: a sender that treats a refusal as "try again" is caught."""
    p, s, client = late_platform
    p.delay = 0.0
    p.close_case("c-1")
    batch = actions.enqueue(s, AS_OF, "Anna", "reassign", [assign_write(s.case("c-1"), DOCTOR)])
    (row,) = actions.batch_rows(s, batch)
    t = [AS_OF]

    class Stubborn(OutboxSender):
        def _finish(self, row, now, status, result, **kw):  # never takes no for an answer
            actions.retry_later(self.store, row.id, now, now, "again")

    sender = Stubborn(s, client, clock=lambda: t[0])
    try:
        for _ in range(2):
            sender.send_due()
            t[0] += timedelta(minutes=2)
    finally:
        sender.close()
    assert client.answers == [(row.idempotency_key, 409)] * 2
    with pytest.raises(AssertionError, match="sent again"):
        assert_no_request_after_a_received_refusal(client.answers)


def test_answers_record_what_reached_the_caller(late_platform):
    p, s, client = late_platform
    p.delay = 0.0
    r = client.request("POST", "/cases/c-0/assign", json_body={"owner": DOCTOR, "if_version": 1},
                       idempotency_key="k-1")
    assert r.status == 200
    with pytest.raises(Conflict):
        client.request("POST", "/cases/c-0/assign", json_body={"owner": DOCTOR, "if_version": 1},
                       idempotency_key="k-2")  # version 1 is gone: 409
    assert client.answers == [("k-1", 200), ("k-2", 409)]
