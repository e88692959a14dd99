"""The fallback routine during an outage (guideline §12, domain.md §8). Pure: no I/O, no clock.

- :func:`support_contact` — whom to call at a local time: weekdays that are not holidays
  08:00–17:00 *Stöd och service*; weekdays 17:00–22:00 and all day on weekends and holidays
  *Inera* by phone. For the other hours (weekdays 22:00–08:00) the guideline is silent: the
  application shows Inera and says so (``guideline_silent``).
  Holidays are those of domain.md §3 (``holidays``, SE, public + de_facto: Julafton,
  Midsommarafton and Nyårsafton count as holidays).
- :func:`phone_list` — the patients to phone, most urgent first: by priority (P1 first, admin
  last), then by the working time waited (longest first), then ``created_at`` and ``id``.
- :func:`snapshot_age` / :func:`format_age` — how old the snapshot the list comes from is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from .. import i18n
from ..i18n import t as tr
from .calendar import is_holiday
from .models import Case, Snapshot, mask_personnummer
from .ordering import ADMIN_PRIORITY
from .rules import SEVERITY_RANK, Evaluation, Finding

STOD_OCH_SERVICE = "stod_och_service"
INERA = "inera"

DAY_START = time(8, 0)
DAY_END = time(17, 0)
EVENING_END = time(22, 0)


@dataclass(frozen=True, slots=True)
class SupportContact:
    """Whom to call during an outage at one local instant.

    ``who`` is ``"stod_och_service"`` or ``"inera"``; ``reason_key`` names the catalogue entry
    that says why (``fallback.reason.*``); ``guideline_silent`` is True for the hours the
    guideline does not cover (the UI must say so)."""

    who: str
    reason_key: str
    guideline_silent: bool

    def label(self, lang: str = "sv") -> str:
        return tr(f"fallback.who.{self.who}", lang)

    def reason(self, lang: str = "sv") -> str:
        return tr(self.reason_key, lang)

    def phone(self, fallback_cfg: object) -> str | None:
        """The configured number (``config.FallbackConfig``), or None when it is missing."""
        attr = "stod_och_service_phone" if self.who == STOD_OCH_SERVICE else "inera_phone"
        value = getattr(fallback_cfg, attr, None)
        return value.strip() or None if isinstance(value, str) else None


def support_contact(t_local: datetime, tz: tzinfo | str | None = None) -> SupportContact:
    """Whom to call at ``t_local`` (guideline §12, domain.md §8).

    ``t_local`` is read on the unit's wall clock: pass ``at.astimezone(unit_zone)``, or pass
    any aware instant together with ``tz`` and it is converted first. Boundaries: 08:00 and
    17:00 and 22:00 belong to the period that starts there."""
    if tz is not None:
        if t_local.tzinfo is None:
            raise ValueError("support_contact: t_local must be aware when tz is given")
        t_local = t_local.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    d = t_local.date()
    clock = t_local.time().replace(tzinfo=None)
    if is_holiday(d):
        return SupportContact(INERA, "fallback.reason.holiday", False)
    if d.isoweekday() >= 6:
        return SupportContact(INERA, "fallback.reason.weekend", False)
    if DAY_START <= clock < DAY_END:
        return SupportContact(STOD_OCH_SERVICE, "fallback.reason.weekday_day", False)
    if DAY_END <= clock < EVENING_END:
        return SupportContact(INERA, "fallback.reason.weekday_evening", False)
    return SupportContact(INERA, "fallback.reason.silent", True)


# -- the phone list --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CallEntry:
    """One patient to phone. For protected identity (§6.3) the store holds no name, number or
    phone: ``protected_identity`` is True and the UI shows "hämta kontaktuppgift i Cosmic"."""

    rank: int  # 1-based position in the list
    case_id: str
    unit_id: str
    unit_name: str
    kind: str  # "care" | "admin"
    priority: int | None
    status: str
    owner_text: str
    reason: str | None
    protected_identity: bool
    patient_name: str | None
    patient_phone: str | None
    personnummer_masked: str | None  # "19121212-****"; None for protected identity
    created_at: datetime
    waited_minutes: float
    findings: tuple[Finding, ...]
    top_severity: str | None

    @property
    def urgent(self) -> bool:
        """Open P1–2: phoned first."""
        return self.priority in (1, 2)


def owner_text(case: Case, snap: Snapshot, lang: str = "sv") -> str:
    o = case.owner
    if o is None:
        return "–"
    if o.type == "person":
        s = snap.staff.get(o.staff_id) if o.staff_id else None
        return s.name if s else (o.staff_id or i18n.t("name.unknown", lang))
    return i18n.profession_label(o.profession, lang)


def phone_list(evaluation: Evaluation, snapshot: Snapshot, lang: str = "sv") -> list[CallEntry]:
    """The open cases of the evaluated units by priority (P1 first, admin last), then by the
    working time waited (longest first), then ``created_at`` and ``id`` (domain.md §8: findings
    do not reorder whom to phone). The patients come from ``snapshot`` (which may carry their
    identity where the evaluated one did not)."""
    names = {u.id: u.name for u in snapshot.units}
    identified = {c.id: c for c in snapshot.cases}
    cases = evaluation.open_cases
    waited = evaluation.waited_minutes
    ordered = sorted(
        cases,
        key=lambda c: (
            c.priority if c.priority is not None else ADMIN_PRIORITY,
            -waited.get(c.id, 0.0),
            c.created_at,
            c.id,
        ),
    )
    out: list[CallEntry] = []
    for i, c in enumerate(ordered, start=1):
        fs = tuple(evaluation.findings_for(c.id))
        top = min((f.severity for f in fs), key=SEVERITY_RANK.__getitem__, default=None)
        p = identified.get(c.id, c).patient
        prot = bool(p.protected_identity)
        out.append(
            CallEntry(
                rank=i,
                case_id=c.id,
                unit_id=c.unit_id,
                unit_name=names.get(c.unit_id, c.unit_id),
                kind=c.kind,
                priority=c.priority,
                status=c.status,
                owner_text=owner_text(c, snapshot, lang),
                reason=c.reason,
                protected_identity=prot,
                patient_name=None if prot else p.display_name,
                patient_phone=None if prot else p.phone,
                personnummer_masked=None if prot or not p.personnummer else mask_personnummer(p.personnummer),
                created_at=c.created_at,
                waited_minutes=evaluation.waited_minutes.get(c.id, 0.0),
                findings=fs,
                top_severity=top,
            )
        )
    return out


# -- the snapshot's age ----------------------------------------------------------------------
def snapshot_age(snapshot: Snapshot, at: datetime) -> timedelta | None:
    """How old the data is at ``at`` (``at - data_as_of``, never negative); None without a sync."""
    if snapshot.data_as_of is None:
        return None
    return max(timedelta(0), at - snapshot.data_as_of)


def format_age(age: timedelta | None, lang: str = "sv") -> str:
    """``"3 min"``, ``"2 h 05 min"``, ``"1 d 4 h"``; ``"okänd ålder"`` / ``"unknown age"`` for None."""
    if age is None:
        return tr("fallback.age.unknown", lang)
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return tr("fallback.age.min", lang, m=minutes)
    hours, m = divmod(minutes, 60)
    if hours < 24:
        return tr("fallback.age.h", lang, h=hours, m=m)
    days, h = divmod(hours, 24)
    return tr("fallback.age.d", lang, d=days, h=h)


def snapshot_age_text(snapshot: Snapshot, at: datetime, tz: tzinfo | str = "Europe/Stockholm", lang: str = "sv") -> str:
    """One line for a header: "Uppgifterna är från 2026-11-26 14:29 (1 min gamla)"."""
    if snapshot.data_as_of is None:
        return tr("fallback.data.none", lang)
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = snapshot.data_as_of.astimezone(zone)
    return tr(
        "fallback.data.as_of",
        lang,
        time=local.strftime("%Y-%m-%d %H:%M"),
        age=format_age(snapshot_age(snapshot, at), lang),
    )
