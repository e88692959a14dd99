"""Acting on cases: reassign, move, send a phrase template, take over or hand back the
coordinator role, each as one worker that awaits its screens (pick a target, preview, confirm);
the outbox and its outcomes; revealing a masked personal identity number (audited). The write
requests come from ``domain.writes``: the app never spells the platform's JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from textual import events, work

from .. import i18n
from ..domain.actions import (
    PlanItem,
    Target,
    coordinator_candidates,
    hidden_by_filter,
    plan,
    plan_coordinator,
    plan_spread,
    role_holder,
    where_scheduled,
)
from ..domain.models import PROFESSIONS, Case
from ..domain.roster import Suggestion, rank_targets, why_not_offered
from ..domain.writes import TARGET_ACTIONS, WriteRequest, for_target, set_coordinator
from ..store.actions import OutboxRow, audit_append, batch_rows, outbox_rows
from ..store.auditkey import AuditKeyError
from .base import WRITE_ACTIONS, DirektBase
from .model import short_name
from .screens.actions import ChoiceScreen, OutcomeScreen, PreviewScreen, case_preview, role_preview
from .screens.dialogs import PromptScreen


class CaseActionsMixin(DirektBase):
    """The write actions of ``DirektApp`` (all behind the one switch, ``writes_denied``)."""

    def on_key(self, event: events.Key) -> None:
        """A write key pressed while writes are off does nothing (``check_action`` shows it
        disabled in the footer, and Textual then runs nothing): say why."""
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.enabled or active.node is not self:
            return
        if active.binding.action in WRITE_ACTIONS:
            self._write_guard()

    def _cases_to_act_on(self) -> list[Case]:
        """The selection for a write action, or [] (with the reason said) when there is none
        or writes are off."""
        if not self._write_guard():
            return []
        cases = self._selected_cases()
        if not cases:
            self.notify(i18n.t("act.none_selected", self.lang), severity="warning")
        return cases

    def _selected_cases(self) -> list[Case]:
        board = self.board
        if board is None:
            return []
        by_id = {c.id: c for c in board.snapshot.cases}
        return [by_id[k] for k in self.selection() if k in by_id]

    # -- the flows: pick a target, preview, confirm (each a worker awaiting its screens) -----------
    @work(group="case-action")
    async def action_assign(self) -> None:
        cases = self._cases_to_act_on()
        if not cases or self.board is None:
            return
        snap = self.board.snapshot
        value = await self.push_screen_wait(
            ChoiceScreen(i18n.t("act.assign.title", self.lang, n=len(cases)), self._assign_options(cases))
        )
        if not value:
            return
        kind, _, rest = value.partition(":")
        if kind == "spread":
            await self._preview_spread(cases)
            return
        if kind == "other":
            value = await self._typed_person(cases)
            if not value:
                return
            kind, _, rest = value.partition(":")
        if kind == "person":
            unit_id, _, staff_id = rest.partition(":")
            person = snap.staff.get(staff_id)
            target, label = Target("person", staff_id, unit_id), person.name if person else staff_id
        else:
            target = Target("role", rest, force=kind == "force")
            label = i18n.profession_label(rest, self.lang)
        await self._preview(i18n.t("key.assign", self.lang), cases, target, label)

    def _assign_options(self, cases: Sequence[Case]) -> list[tuple[str, str]]:
        """The reassignment targets: the professions (scheduled first), then the people at work.
        With cases from several units a profession scheduled in only some of them is flagged
        (⚠ with the units where it is not): chosen plainly, the cases there are skipped; the
        override (``force:``) puts them there anyway."""
        assert self.board is not None
        snap, at = self.board.snapshot, self.board.at
        names = dict(self.board.all_units)
        units = sorted({c.unit_id for c in cases})

        def where(us: Sequence[str]) -> str:
            return ", ".join(short_name(names.get(u, u)) for u in us)

        everywhere: list[tuple[str, str]] = []
        partly: list[tuple[str, str]] = []
        nowhere: list[tuple[str, str]] = []
        for prof in PROFESSIONS:
            yes, no = where_scheduled(prof, units, snap, at)
            label = i18n.profession_label(prof, self.lang)
            if yes and not no:
                everywhere.append((f"role:{prof}", i18n.t("act.role", self.lang, profession=label, unit=where(yes))))
            elif yes:
                kw = {"profession": label, "unit": where(yes), "missing": where(no)}
                partly.append((f"role:{prof}", i18n.t("act.role.partly", self.lang, **kw)))
                partly.append((f"force:{prof}", i18n.t("act.role.partly_force", self.lang, **kw)))
            else:
                text = i18n.t("act.role.unscheduled", self.lang, profession=label, unit=where(units))
                nowhere.append((f"force:{prof}", text))
        people = self._suggested_people(units)
        nurses = sum(len(ts) for ts in self._nurse_targets(units).values())
        if len(cases) > 1 and nurses:
            people.insert(0, ("spread:nurse", i18n.t("act.spread", self.lang, n=nurses)))
        people.append(("other:", i18n.t("act.other_person", self.lang)))
        # scheduled targets first, the ones needing the override last
        return everywhere + partly + people + nowhere

    # -- who can take it (issue 13 §3) -------------------------------------------------------------
    def _window(self, unit_id: str) -> int:
        assert self.board is not None
        st = self.board.evaluation.units.get(unit_id)
        return st.parameters.shift_end_warning_minutes if st is not None else 30

    def _ranked(self, unit_id: str) -> list[Suggestion]:
        assert self.board is not None
        ur = self.board.rosters.get(unit_id)
        return rank_targets(ur, self._window(unit_id)) if ur is not None else []

    def _suggested_people(self, units: Sequence[str]) -> list[tuple[str, str]]:
        """The people present in the cases' units as targets, with their load and shift end:
        "Anna Berg (ssk) – 4 pågående, 1 väntar svar, slutar 16:30"; least loaded first, those
        leaving within the shift-end window last; the first of the others marked as suggested.
        Nobody who is not present is offered."""
        assert self.board is not None
        names = dict(self.board.all_units)
        zone = self._zone()
        out: list[tuple[str, str]] = []
        for u in units:
            where = f" · {short_name(names.get(u, u))}" if len(units) > 1 else ""
            suggested = False
            for s in self._ranked(u):
                if s.ending:
                    mark = i18n.t("act.suggest.ending", self.lang)
                elif not suggested:
                    mark, suggested = i18n.t("act.suggest.best", self.lang), True
                else:
                    mark = ""
                until = s.until.astimezone(zone).strftime("%H:%M") if s.until else "–"
                text = i18n.t(
                    "act.suggest",
                    self.lang,
                    mark=mark,
                    name=s.name,
                    profession=i18n.profession_short(s.profession, self.lang),
                    active=s.active,
                    awaiting=s.awaiting_reply,
                    until=until,
                    unit=where,
                )
                out.append((f"person:{u}:{s.staff_id}", text))
        return out

    def _nurse_targets(self, units: Sequence[str]) -> dict[str, list[Suggestion]]:
        """Per unit, the present nurses to spread cases over: those not leaving within the
        shift-end window (all present nurses when every one of them is leaving)."""
        out: dict[str, list[Suggestion]] = {}
        for u in units:
            nurses = [s for s in self._ranked(u) if s.profession == "nurse"]
            staying = [s for s in nurses if not s.ending]
            if staying or nurses:
                out[u] = staying or nurses
        return out

    async def _preview_spread(self, cases: Sequence[Case]) -> None:
        """Spread over present nurses: round robin by load, previewed per case (who gets it)."""
        assert self.board is not None
        units = sorted({c.unit_id for c in cases})
        items = plan_spread(cases, self._nurse_targets(units), self.board.snapshot, self.board.at)
        visible_keys = [r.key for r in self._table("active").rows]
        hidden = hidden_by_filter(self.marks, visible_keys) if self.marks else 0
        by_id = {c.id: c for c in cases}
        names = {sid: st.name for sid, st in self.board.snapshot.staff.items()}
        label = i18n.t("act.spread.label", self.lang)
        content = case_preview(
            items, by_id, label, hidden, self.lang, self._owner_text, dict(self.board.all_units), names
        )
        what = i18n.t("key.assign", self.lang)
        if not await self.push_screen_wait(PreviewScreen(what, content, self.lang)):
            return
        ok = [i for i in items if i.ok and i.target]
        writes = [for_target(Target("person", i.target or "", i.unit_id), i) for i in ok]
        detail = {"target": {"kind": "spread", "value": "nurse", "force": False}, "label": label}
        self._submit(TARGET_ACTIONS["person"], writes, detail, what)

    async def _typed_person(self, cases: Sequence[Case]) -> str | None:
        """A name typed by the user: the option id of that person when they are offered, else
        say why they are not (off shift, a later shift, no shift today) and return None."""
        assert self.board is not None
        board = self.board
        text = await self.push_screen_wait(
            PromptScreen(i18n.t("act.other_person.title", self.lang), i18n.t("act.other_person.help", self.lang))
        )
        if not text or not text.strip():
            return None
        want = text.strip().casefold()
        units = sorted({c.unit_id for c in cases})
        matches = [s for s in board.snapshot.staff.values() if want in s.name.casefold() and s.unit_id in units]
        if not matches:
            self.notify(i18n.t("roster.why.unknown", self.lang, name=text.strip()), severity="warning", timeout=8)
            return None
        zone = self._zone()
        reasons = []
        for st in sorted(matches, key=lambda s: s.name.casefold()):
            ur = board.rosters.get(st.unit_id)
            why = why_not_offered(ur, st.id) if ur is not None else "roster.why.no_shift"
            if why is None:
                return f"person:{st.unit_id}:{st.id}"
            p = ur.person(st.id) if ur is not None else None
            start = p.next_start.astimezone(zone).strftime("%H:%M") if p is not None and p.next_start else "–"
            reasons.append(i18n.t(why, self.lang, name=st.name, time=start))
        self.notify("\n".join(reasons), severity="warning", timeout=10)
        return None

    @work(group="case-action")
    async def action_move(self) -> None:
        cases = self._cases_to_act_on()
        if not cases or self.board is None:
            return
        options = [
            (u.id, i18n.t("act.unit", self.lang, name=u.name, id=u.id))
            for u in self.board.snapshot.units
            if u.activated
        ]
        value = await self.push_screen_wait(ChoiceScreen(i18n.t("act.move.title", self.lang, n=len(cases)), options))
        if value:
            label = dict(self.board.all_units).get(value, value) if self.board else value
            await self._preview(i18n.t("key.move", self.lang), cases, Target("unit", value), label)

    @work(group="case-action")
    async def action_send_template(self) -> None:
        cases = self._cases_to_act_on()
        if not cases or self.board is None:
            return
        templates = self.board.snapshot.templates
        if not templates:
            self.notify(i18n.t("act.no_targets", self.lang), severity="warning")
            return
        titles = {t.id: t.title for t in templates}
        options = [(t.id, f"{t.title} ({t.id}) – {t.text[:60]}") for t in templates]
        title = i18n.t("act.template.title", self.lang, n=len(cases))
        value = await self.push_screen_wait(ChoiceScreen(title, options))
        if value:
            await self._preview(i18n.t("key.template", self.lang), cases, Target("template", value), titles[value])

    async def _preview(self, what: str, cases: Sequence[Case], target: Target, label: str) -> None:
        """Per case what will happen and what is skipped; ``y`` queues the writes (``f`` when a
        case would land with a profession not scheduled in its unit)."""
        assert self.board is not None
        items = plan(cases, target, self.board.snapshot, self.board.at)
        visible = [r.key for r in self._table("active").rows]
        hidden = hidden_by_filter(self.marks, visible) if self.marks else 0
        by_id = {c.id: c for c in cases}
        content = case_preview(items, by_id, label, hidden, self.lang, self._owner_text, dict(self.board.all_units))
        if target.kind == "template":  # what the patient will read, whole, before it is sent (issue 12, 19)
            text = next((t.text for t in self.board.snapshot.templates if t.id == target.value), "")
            note = (i18n.t("preview.template_text", self.lang, text=text), "dialog-template")
            content = dataclasses.replace(content, notes=(*content.notes, note))
        if await self.push_screen_wait(PreviewScreen(what, content, self.lang)):
            self._enqueue(what, target, [i for i in items if i.ok], label)

    @work(group="case-action")
    async def action_coordinator_role(self) -> None:
        """Take over or hand over a unit's coordinator role: pick the unit, then a member of
        the clinical staff present now (not the one holding it), or hand it back; preview;
        ``y`` writes."""
        if not self._write_guard() or self.board is None:
            return
        board = self.board
        unit_id: str | None = self.unit or (board.unit_ids[0] if len(board.unit_ids) == 1 else None)
        if unit_id is None:
            pick = ChoiceScreen(i18n.t("act.coord.pick_unit", self.lang), list(board.all_units))
            unit_id = await self.push_screen_wait(pick)
            if not unit_id:
                return
        snap, at = board.snapshot, board.at
        me = self.config.user.staff_id
        holder = role_holder(unit_id, snap)
        name = dict(board.all_units).get(unit_id, unit_id)
        options: list[tuple[str, str]] = []
        for sid, prof in coordinator_candidates(unit_id, snap, at, first=me):
            key = "act.coord.take" if sid == me else "act.coord.give"
            profession = i18n.profession_label(prof, self.lang)
            options.append((sid, i18n.t(key, self.lang, name=self._staff_name(sid), profession=profession)))
        if holder is not None:
            options.append(("", i18n.t("act.coord.hand_back", self.lang)))
        if not options:
            self.notify(i18n.t("act.coord.nobody_present", self.lang, unit=name), severity="warning", timeout=8)
            return
        if holder is None:
            note = i18n.t("act.coord.now_nobody", self.lang)
        else:
            note = i18n.t("act.coord.now", self.lang, name=self._staff_name(holder))
        if not any(oid for oid, _ in options):
            note += " " + i18n.t("act.coord.no_one_else", self.lang)
        title = i18n.t("act.coord.title", self.lang, unit=name)
        staff_id = await self.push_screen_wait(ChoiceScreen(title, options, note))
        if staff_id is None:
            return
        role = plan_coordinator(unit_id, staff_id, snap, at)
        what = i18n.t("key.coordinator", self.lang)
        content = role_preview(role, name, self._role_label, self.lang)
        if not await self.push_screen_wait(PreviewScreen(what, content, self.lang)) or not role.ok:
            return
        self._submit(
            "coordinator_role",
            [set_coordinator(unit_id, role.new)],
            {"unit": unit_id, "staff_id": role.new, "was": role.current},
            what,
        )

    def _staff_name(self, staff_id: str) -> str:
        assert self.board is not None
        person = self.board.snapshot.staff.get(staff_id)
        return person.name if person else staff_id

    def _role_label(self, staff_id: str | None) -> str:
        """Who holds the role, as the preview names them ("ingen" for nobody)."""
        return self._staff_name(staff_id) if staff_id else i18n.t("act.coord.nobody", self.lang)

    # -- queueing and the outbox ---------------------------------------------------------------------
    def _owner_text(self, case: Case) -> str:
        assert self.board is not None
        o = case.owner
        if o is None:
            return "–"
        if o.type == "person":
            st = self.board.snapshot.staff.get(o.staff_id or "")
            return st.name if st else (o.staff_id or "?")
        return "→ " + i18n.profession_label(o.profession, self.lang)

    def _enqueue(self, what: str, target: Target, items: Sequence[PlanItem], label: str) -> None:
        writes = [for_target(target, i) for i in items]
        action = TARGET_ACTIONS[target.kind]
        detail = {"target": {"kind": target.kind, "value": target.value, "force": target.force}, "label": label}
        self._submit(action, writes, detail, what)

    def _submit(self, action: str, writes: Sequence[WriteRequest], detail: dict[str, Any], title: str) -> None:
        if not writes or not self._write_guard():
            return
        assert self.sync is not None  # _write_guard refuses without a sync
        try:
            batch = self.sync.enqueue(self.actor(), action, writes, detail)
        except AuditKeyError as exc:  # no audit entry, so nothing queued
            self.notify(i18n.t("ro.denied", self.lang, why=str(exc)), severity="error", timeout=10)
            return
        self.marks.clear()
        self._marks_changed()
        self.notify(i18n.t("outcome.queued", self.lang, n=len(writes)), timeout=3)
        self.push_screen(OutcomeScreen([batch], self._load_outbox, self.lang, title))

    def _load_outbox(self, batches: Sequence[str] | None) -> list[OutboxRow]:
        assert self._store is not None
        if batches is None:
            return outbox_rows(self._store)[-500:]
        out: list[OutboxRow] = []
        for b in batches:
            out.extend(batch_rows(self._store, b))
        return out

    # -- the roster (Bemanning, issue 13 §2) -------------------------------------------------------
    def action_roster(self) -> None:
        """The roster of the units in view; ``m`` there marks all of a person's cases."""
        board = self.board
        if board is None:
            return
        from .screens.roster import RosterScreen

        names = dict(board.all_units)
        rosters = [(names.get(u, u), board.rosters[u]) for u in board.unit_ids if u in board.rosters]

        def done(ids: list[str] | None) -> None:
            if ids:
                self.marks.update(ids)
                self._marks_changed()

        self.push_screen(RosterScreen(rosters, board.snapshot.staff, self._zone(), self.lang), done)

    def action_outbox(self) -> None:
        if self._store is not None:
            self.push_screen(OutcomeScreen(None, self._load_outbox, self.lang))

    def reveal_pnr(self, case_id: str) -> bool:
        """Showing a masked personal identity number is itself an audited action."""
        writer = self._local_writer()
        if writer is None:
            self.notify(i18n.t("reveal.denied", self.lang, why=i18n.t("ro.offline", self.lang)), severity="warning")
            return False
        try:
            audit_append(writer, self.clock.now(), self.actor(), "reveal_pnr", {"case": case_id})
        except AuditKeyError as exc:  # not logged, so not shown
            self.notify(i18n.t("reveal.denied", self.lang, why=str(exc)), severity="error", timeout=10)
            return False
        self.notify(i18n.t("reveal.done", self.lang), timeout=4)
        return True
