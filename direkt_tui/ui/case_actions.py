"""Acting on cases: reassign, move, send a phrase template, take over or hand back the
coordinator role, each as one worker that awaits its screens (pick a target, preview, confirm);
the outbox and its outcomes; revealing a masked personal identity number (audited). The write
requests come from ``domain.writes``: the app never spells the platform's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import work

from .. import i18n
from ..domain.actions import PlanItem, Target, hidden_by_filter, plan
from ..domain.models import PROFESSIONS, Case
from ..domain.presence import Roster
from ..domain.writes import TARGET_ACTIONS, WriteRequest, for_target, set_coordinator
from ..store.actions import OutboxRow, audit_append, batch_rows, outbox_rows
from ..store.auditkey import AuditKeyError
from .base import DirektBase
from .model import short_name
from .screens.actions import ChoiceScreen, OutcomeScreen, PreviewScreen


class CaseActionsMixin(DirektBase):
    """The write actions of ``DirektApp`` (all behind the one switch, ``writes_denied``)."""

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
        if kind == "person":
            unit_id, _, staff_id = rest.partition(":")
            person = snap.staff.get(staff_id)
            target, label = Target("person", staff_id, unit_id), person.name if person else staff_id
        else:
            target = Target("role", rest, force=kind == "force")
            label = i18n.profession_label(rest, self.lang)
        await self._preview(i18n.t("key.assign", self.lang), cases, target, label)

    def _assign_options(self, cases: Sequence[Case]) -> list[tuple[str, str]]:
        """The reassignment targets: the professions (scheduled first), then the people at work."""
        assert self.board is not None
        snap, at = self.board.snapshot, self.board.at
        roster = Roster(snap.shifts)
        names = dict(self.board.all_units)
        units = sorted({c.unit_id for c in cases})
        options: list[tuple[str, str]] = []
        for prof in PROFESSIONS:
            scheduled_in = [u for u in units if prof in roster.scheduled_professions(u, at)]
            label = i18n.profession_label(prof, self.lang)
            where = ", ".join(short_name(names.get(u, u)) for u in units)
            if scheduled_in:
                options.append((f"role:{prof}", i18n.t("act.role", self.lang, profession=label, unit=where)))
            else:
                options.append(
                    (f"force:{prof}", i18n.t("act.role.unscheduled", self.lang, profession=label, unit=where))
                )
        for u in units:
            for sh in sorted(roster.present_shifts(u, at), key=lambda x: x.staff_id):
                person = snap.staff.get(sh.staff_id)
                name = person.name if person else sh.staff_id
                profession = i18n.profession_label(sh.profession, self.lang)
                text = i18n.t(
                    "act.person", self.lang, name=name, profession=profession, unit=short_name(names.get(u, u))
                )
                options.append((f"person:{u}:{sh.staff_id}", text))
        # scheduled targets first
        options.sort(key=lambda o: (o[0].startswith("force:"), o[0].startswith("role:") is False))
        seen: set[str] = set()
        unique = []
        for option in options:
            if option[0] not in seen:
                seen.add(option[0])
                unique.append(option)
        return unique

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
        """Per case what will happen and what is skipped; ``y`` queues the writes."""
        assert self.board is not None
        items = plan(cases, target, self.board.snapshot, self.board.at)
        visible = [r.key for r in self._table("active").rows]
        hidden = hidden_by_filter(self.marks, visible) if self.marks else 0
        by_id = {c.id: c for c in cases}
        screen = PreviewScreen(
            what, items, by_id, label, hidden, self.lang, needs_force=target.force, owner_text=self._owner_text
        )
        if await self.push_screen_wait(screen):
            self._enqueue(what, target, [i for i in items if i.ok], label)

    @work(group="case-action")
    async def action_coordinator_role(self) -> None:
        if not self._write_guard() or self.board is None:
            return
        board = self.board
        unit_id: str | None = self.unit or (board.unit_ids[0] if len(board.unit_ids) == 1 else None)
        if unit_id is None:
            pick = ChoiceScreen(i18n.t("act.coord.pick_unit", self.lang), list(board.all_units))
            unit_id = await self.push_screen_wait(pick)
            if not unit_id:
                return
        roster = Roster(board.snapshot.shifts)
        me = self.config.user.staff_id
        present = sorted(roster.present_shifts(unit_id, board.at), key=lambda sh: (sh.staff_id != me, sh.staff_id))
        options: list[tuple[str, str]] = []
        seen: set[str] = set()
        for sh in present:
            if sh.staff_id in seen:
                continue
            seen.add(sh.staff_id)
            person = board.snapshot.staff.get(sh.staff_id)
            name = person.name if person else sh.staff_id
            profession = i18n.profession_label(sh.profession, self.lang)
            options.append((sh.staff_id, i18n.t("act.coord.take", self.lang, name=name, profession=profession)))
        options.append(("", i18n.t("act.coord.hand_back", self.lang)))
        name = dict(board.all_units).get(unit_id, unit_id)
        staff_id = await self.push_screen_wait(ChoiceScreen(i18n.t("act.coord.title", self.lang, unit=name), options))
        if staff_id is None:
            return
        write = set_coordinator(unit_id, staff_id)
        self._submit(
            "coordinator_role",
            [write],
            {"unit": unit_id, "staff_id": staff_id or None},
            i18n.t("key.coordinator", self.lang),
        )

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
