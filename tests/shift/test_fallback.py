"""The fallback routine (guideline §12, domain.md §8): whom to call by local time, and the
phone list's content and order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from builders import case, local, person, role, shift, snapshot, staff, unit

from direkt_tui.config import FallbackConfig
from direkt_tui.domain.fallback import (
    INERA,
    STOD_OCH_SERVICE,
    format_age,
    phone_list,
    snapshot_age,
    snapshot_age_text,
    support_contact,
)
from direkt_tui.domain.rules import RuleEngine

SOS, SILENT, EVENING = (STOD_OCH_SERVICE, False), (INERA, True), (INERA, False)


@pytest.mark.parametrize("day", ["2026-11-23", "2026-11-26", "2026-11-27"])  # Mon, Thu, Fri
@pytest.mark.parametrize("clock, expected, reason", [
    ("00:00", SILENT, "fallback.reason.silent"),
    ("07:59", SILENT, "fallback.reason.silent"),
    ("08:00", SOS, "fallback.reason.weekday_day"),
    ("16:59", SOS, "fallback.reason.weekday_day"),
    ("17:00", EVENING, "fallback.reason.weekday_evening"),
    ("21:59", EVENING, "fallback.reason.weekday_evening"),
    ("22:00", SILENT, "fallback.reason.silent"),
    ("23:59", SILENT, "fallback.reason.silent"),
])
def test_weekday_boundaries(day, clock, expected, reason):
    c = support_contact(local(f"{day} {clock}"))
    assert (c.who, c.guideline_silent) == expected
    assert c.reason_key == reason


@pytest.mark.parametrize("day, reason", [
    ("2026-11-28", "fallback.reason.weekend"),  # Saturday
    ("2026-11-29", "fallback.reason.weekend"),  # Sunday
    ("2026-01-06", "fallback.reason.holiday"),  # Trettondedag jul, a Tuesday
    ("2026-05-01", "fallback.reason.holiday"),  # Första maj, a Friday
    ("2026-12-24", "fallback.reason.holiday"),  # Julafton (de facto), a Thursday
    ("2026-06-19", "fallback.reason.holiday"),  # Midsommarafton (de facto), a Friday
    ("2026-12-31", "fallback.reason.holiday"),  # Nyårsafton (de facto), a Thursday
])
@pytest.mark.parametrize("clock", ["00:00", "07:59", "08:00", "12:00", "16:59", "17:00", "21:59", "22:00"])
def test_weekends_and_holidays_are_inera_all_day(day, reason, clock):
    c = support_contact(local(f"{day} {clock}"))
    assert c.who == INERA and c.guideline_silent is False and c.reason_key == reason


def test_day_after_a_holiday_is_a_normal_weekday():
    assert support_contact(local("2026-12-28 10:00")).who == STOD_OCH_SERVICE  # Monday after Christmas
    assert support_contact(local("2026-01-07 10:00")).who == STOD_OCH_SERVICE


def test_an_instant_is_converted_to_the_units_zone():
    at = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert support_contact(at, "Europe/Stockholm").who == STOD_OCH_SERVICE
    assert support_contact(at).who == INERA  # read on its own (UTC) wall clock: 07:00
    summer = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)  # 08:00 CEST (Monday)
    assert support_contact(summer, ZoneInfo("Europe/Stockholm")).who == STOD_OCH_SERVICE
    assert support_contact(datetime(2026, 6, 15, 15, 0, tzinfo=UTC), "Europe/Stockholm").who == INERA


def test_labels_and_configured_numbers():
    cfg = FallbackConfig(stod_och_service_phone="010-111 11 11", inera_phone="0771-22 22 22")
    day, night = support_contact(local("2026-11-26 10:00")), support_contact(local("2026-11-26 23:00"))
    assert day.label() == "Stöd och service" and day.phone(cfg) == "010-111 11 11"
    assert night.label().startswith("Inera") and night.phone(cfg) == "0771-22 22 22"
    assert night.phone(FallbackConfig()) is None
    assert "riktlinjen" in night.reason("sv").lower()
    assert "guideline" in night.reason("en")


# -- the phone list --------------------------------------------------------------------------
AT = local("2026-11-26 14:30")


def _board():
    morning, evening = local("2026-11-26 07:00"), local("2026-11-26 18:00")
    protected = case("k-prot", created=AT - timedelta(minutes=30), priority=3)
    protected["patient"] = {"display_name": "Hemlig Person", "personnummer": "19121212-1212",
                            "birth_date": "1912-12-12", "phone": "070-999 99 99", "protected_identity": True}
    cases = [
        # a P3 whose owner is not present (high) comes before a quiet P2 in the work list
        case("k-p3-absent", created=AT - timedelta(hours=3), status="started", priority=3, owner=person("s-gone"),
             reason="Hosta"),
        case("k-p2-quiet", created=AT - timedelta(minutes=5), status="received", priority=2, owner=person("s-1"),
             reason="Bröstsmärta"),
        case("k-p1-new", created=AT - timedelta(minutes=2), priority=1, reason="Andnöd"),
        case("k-admin", created=AT - timedelta(hours=1), kind="admin"),
        case("k-role", created=AT - timedelta(minutes=10), status="received", priority=4, owner=role("nurse")),
        protected,
        case("k-closed", created=AT - timedelta(hours=2), status="closed", priority=1, closed_at=AT - timedelta(hours=1),
             close_reason="resolved", owner=person("s-1")),
    ]
    snap = snapshot(
        staff_=[staff("s-1"), staff("s-gone")],
        shifts=[shift("s-1", morning, evening), shift("s-gone", local("2026-11-26 06:00"), local("2026-11-26 10:00"))],
        cases=cases,
        coordinators=[{"unit_id": "vc-a", "staff_id": "s-1"}],
        data_as_of=AT - timedelta(minutes=7),
    )
    return snap, RuleEngine().evaluate(snap, AT)


def test_phone_list_puts_p1_2_first_then_the_work_list():
    snap, ev = _board()
    work = [c.id for c in ev.open_cases]
    assert work.index("k-p3-absent") < work.index("k-p2-quiet"), "precondition: the P3 outranks the P2 in the work list"
    entries = phone_list(ev, snap)
    ids = [e.case_id for e in entries]
    urgent = [cid for cid in work if cid in ("k-p1-new", "k-p2-quiet")]
    assert ids[:2] == urgent
    assert ids[2:] == [cid for cid in work if cid not in urgent]
    assert "k-closed" not in ids
    assert ids[-1] == "k-admin"
    assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.urgent for e in entries[:2]) and not any(e.urgent for e in entries[2:])


def test_phone_list_entry_content():
    snap, ev = _board()
    by_id = {e.case_id: e for e in phone_list(ev, snap)}
    e = by_id["k-p3-absent"]
    assert e.unit_id == "vc-a" and e.unit_name == "Vårdcentralen vc-a"
    assert (e.priority, e.status, e.reason) == (3, "started", "Hosta")
    assert e.owner_text == "Person s-gone"
    assert e.patient_name == "Testperson" and e.patient_phone == "070-000 00 01"
    assert e.personnummer_masked == "19800505-****"
    assert {f.rule for f in e.findings} == {"absent_owner"} and e.top_severity == "high"
    assert by_id["k-role"].owner_text == "sjuksköterska"
    assert by_id["k-p1-new"].owner_text == "–" and by_id["k-p1-new"].findings == ()
    assert by_id["k-p1-new"].top_severity is None
    assert by_id["k-admin"].priority is None and by_id["k-admin"].kind == "admin"


def test_protected_identity_has_no_name_number_or_phone():
    snap, ev = _board()
    e = next(e for e in phone_list(ev, snap) if e.case_id == "k-prot")
    assert e.protected_identity is True
    assert e.patient_name is None and e.patient_phone is None and e.personnummer_masked is None
    assert "protected_identity" in {f.rule for f in e.findings}
    others = [x for x in phone_list(ev, snap) if x.case_id != "k-prot"]
    assert not any(x.protected_identity for x in others)


def test_phone_list_respects_the_evaluated_units():
    snap = snapshot(units=[unit("vc-a"), unit("vc-b")],
                    cases=[case("a-1", created=AT - timedelta(minutes=3), priority=2),
                           case("b-1", created=AT - timedelta(minutes=3), priority=1, uid="vc-b")],
                    data_as_of=AT)
    ev = RuleEngine().evaluate(snap, AT, ["vc-a"])
    assert [e.case_id for e in phone_list(ev, snap)] == ["a-1"]


def test_snapshot_age():
    snap, _ = _board()
    assert snapshot_age(snap, AT) == timedelta(minutes=7)
    assert format_age(timedelta(minutes=7)) == "7 min"
    assert format_age(timedelta(hours=2, minutes=5)) == "2 h 05 min"
    assert format_age(timedelta(days=1, hours=3)) == "1 d 3 h"
    assert format_age(None) == "okänd ålder" and format_age(None, "en") == "unknown age"
    assert snapshot_age(snap, AT - timedelta(hours=1)) == timedelta(0)
    text = snapshot_age_text(snap, AT)
    assert "2026-11-26 14:23" in text and "7 min" in text
    none = snapshot(data_as_of=None)
    assert snapshot_age(none, AT) is None
    assert "Ingen lyckad synkronisering" in snapshot_age_text(none, AT)


def test_protected_identity_is_withheld_even_if_the_patient_carries_details():
    """Defence in depth: the store drops the details, and the phone list never shows them."""
    import dataclasses

    from direkt_tui.domain.models import Patient

    snap, _ = _board()
    leaky = Patient(True, None, "Hemlig Person", "19121212-1212", "070-999 99 99")
    cases = tuple(dataclasses.replace(c, patient=leaky) if c.id == "k-prot" else c for c in snap.cases)
    snap = dataclasses.replace(snap, cases=cases)
    ev = RuleEngine().evaluate(snap, AT)
    e = next(e for e in phone_list(ev, snap) if e.case_id == "k-prot")
    assert (e.patient_name, e.patient_phone, e.personnummer_masked) == (None, None, None)
