"""The rule table of domain.md §4 as data, in the table's order. Pure.

Per rule: the id, the subject (``unit`` or ``case``), the severity ladder, the suggested
action(s) and the guideline §§. The engine (``rules.py``) reduces each rule to its predicate and
reads severity, action and message key from here; the help screen, the filters and the checklists
read the ids.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ladder:
    """A rule's severity: ``base``, or ``raised`` when the rule's condition ``when`` holds
    (``p1-2``: the case has priority 1 or 2; ``urgent``: an urgent handover; ``very_high``: the
    load level). A fixed severity has no ``raised``."""

    base: str
    raised: str | None = None
    when: str | None = None

    def of(self, raised: bool) -> str:
        return self.raised if raised and self.raised is not None else self.base


def fixed(severity: str) -> Ladder:
    return Ladder(severity)


def by_priority(p1_2: str, other: str) -> Ladder:
    """``p1_2`` for priority 1–2, else ``other``."""
    return Ladder(other, p1_2, "p1-2")


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of domain.md §4. ``actions[0]`` is the suggested action; a rule with an
    alternative (``absent_owner``: ``reassign`` where the platform allows it) or a companion
    (``high_load``: the template) lists it after."""

    id: str
    subject: str  # "unit" or "case"
    severity: Ladder
    actions: tuple[str, ...]
    sections: tuple[str, ...]  # the guideline §§

    @property
    def action(self) -> str:
        return self.actions[0]

    @property
    def message_key(self) -> str:
        return f"msg.{self.id}"


UNIT, CASE = "unit", "case"

RULES: tuple[Rule, ...] = (
    Rule("no_coordinator", UNIT, fixed("critical"), ("take_coordinator_role",), ("10.1",)),
    Rule("no_clinician_present", UNIT, fixed("critical"), ("arrange_staffing",), ("9.2",)),
    Rule("absent_owner", CASE, by_priority("critical", "high"), ("call_patient", "reassign"), ("6.1", "10.1")),
    Rule("long_absence", CASE, fixed("high"), ("contact_support",), ("10.1",)),
    Rule("owner_shift_ending", CASE, by_priority("high", "medium"), ("hand_over_to_role",), ("6.1",)),
    Rule("unscheduled_profession", CASE, by_priority("critical", "high"), ("reassign",), ("10.1",)),
    Rule("stale_role_handover", CASE, by_priority("high", "medium"), ("follow_up",), ("10.1",)),
    Rule("overdue_waiting", CASE, by_priority("critical", "high"), ("receive_now",), ("9", "10.1")),
    Rule("awaiting_reply", CASE, by_priority("high", "medium"), ("reply",), ("10.1",)),
    Rule("urgent_open_near_close", CASE, fixed("critical"), ("close_today_or_call",), ("6.1",)),
    Rule("next_day_notice_due", CASE, fixed("medium"), ("send_template:next_day",), ("6.1",)),
    Rule("closable", CASE, fixed("info"), ("close_no_response",), ("6.1",)),
    Rule("premature_close", CASE, fixed("medium"), ("file_deviation",), ("6.1", "14")),
    Rule("unit_handover_unaccepted", CASE, Ladder("high", "critical", "urgent"), ("call_care_to_care",), ("10.2",)),
    Rule(
        "high_load",
        UNIT,
        Ladder("high", "critical", "very_high"),
        ("increase_staffing", "send_template:high_load"),
        ("9", "9.1", "10.1"),
    ),
    Rule("after_hours_arrival", CASE, fixed("info"), ("triage_at_opening",), ("3",)),
    Rule("protected_identity", CASE, fixed("info"), ("verify_in_cosmic",), ("6.3",)),
    Rule("invalid_child_case", CASE, fixed("medium"), ("check_case",), ("6.4",)),
    Rule("stale_data", UNIT, fixed("high"), ("fallback_routine",), ("12",)),
)
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
RULE_RANK: dict[str, int] = {r: i for i, r in enumerate(RULE_IDS)}  # the table's order: a tie-breaker
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

(
    NO_COORDINATOR,
    NO_CLINICIAN_PRESENT,
    ABSENT_OWNER,
    LONG_ABSENCE,
    OWNER_SHIFT_ENDING,
    UNSCHEDULED_PROFESSION,
    STALE_ROLE_HANDOVER,
    OVERDUE_WAITING,
    AWAITING_REPLY,
    URGENT_OPEN_NEAR_CLOSE,
    NEXT_DAY_NOTICE_DUE,
    CLOSABLE,
    PREMATURE_CLOSE,
    UNIT_HANDOVER_UNACCEPTED,
    HIGH_LOAD,
    AFTER_HOURS_ARRIVAL,
    PROTECTED_IDENTITY,
    INVALID_CHILD_CASE,
    STALE_DATA,
) = RULES
