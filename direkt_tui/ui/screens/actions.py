"""Bulk actions: choose a target, preview per case, confirm, then watch the outcomes arrive."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from ... import i18n
from ...domain.actions import PlanItem, RolePlan
from ...domain.models import Case
from ...domain.text import visible
from ...store.actions import OutboxRow
from ..bindings import Translated, key
from ..literal import lit
from ..model import Row, short_name, tail
from ..widgets.table import VirtualTable


class ChoiceScreen(Translated, ModalScreen[str | None]):
    """Pick one option (id, label); Esc cancels. The title and the labels name staff, units
    and templates: shown literally (never markup), controls made visible."""

    BINDINGS = [key("escape", "cancel", "key.close")]

    def __init__(self, title: str, options: Sequence[tuple[str, str]], note: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._options = options
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = lit(self._title)
            if self._note:
                yield Label(lit(self._note), classes="dialog-help")
            yield OptionList(*[Option(lit(label), id=oid) for oid, label in self._options], id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


STATUS_STYLE = {
    "pending": "dim",
    "sending": "yellow",
    "done": "green",
    "conflict": "bold dark_orange",
    "failed": "bold red",
}


@dataclass(frozen=True)
class PreviewContent:
    """What a preview shows: a summary, notes (text, CSS class), a table (columns, rows), the
    hint under it, and how it is confirmed: ``ok`` False, nothing to do; ``needs_force``, only
    ``f`` confirms (an explicit override), not ``y``. ``items``/``role``: the plan it shows."""

    summary: str
    notes: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, int], ...]
    rows: tuple[Row, ...]
    hint: str
    ok: bool
    needs_force: bool = False
    items: tuple[PlanItem, ...] = ()
    role: RolePlan | None = None
    optional: tuple[int, ...] = ()  # columns dropped (last first) so the outcome fits
    outcome_width: int = 16  # what the outcome column needs


def _outcome_width(rows: Sequence[Row]) -> int:
    return min(56, max([16, *(len(str(r.cells[-1])) for r in rows)]))


def case_preview(
    items: Sequence[PlanItem],
    cases: Mapping[str, Case],
    target_label: str,
    hidden: int,
    lang: str,
    owner_text: Callable[[Case], str],
    unit_names: Mapping[str, str] | None = None,
    person_names: Mapping[str, str] | None = None,
) -> PreviewContent:
    """The preview of a bulk action on cases: per case what will happen, or why it is skipped;
    a case that would land with a profession not scheduled in its unit says so, with the unit,
    and then only ``f`` confirms. ``person_names``: staff id → name, for plans that send each
    case to its own person (spread over present nurses)."""
    T = i18n.translator(lang)
    names = dict(unit_names or {})
    ok = [i for i in items if i.ok]
    forced = [i for i in ok if i.will == "plan.will.role_forced"]
    phone = sum(1 for i in items if i.phone_list)
    units = sorted({i.unit_id for i in items})
    many_units = len(units) > 1
    notes: list[tuple[str, str]] = []
    if phone:
        notes.append((T("preview.phone_list", n=phone), "dialog-error"))
    cols = [(T("col.case"), 14), (T("col.prio"), 5), (T("col.status"), 9), (T("col.owner"), 18)]
    if many_units:
        cols.append((T("col.unit"), 14))
    cols.append(("", 0))
    rows = []
    for item in items:
        c = cases.get(item.case_id)
        unit = short_name(visible(names.get(item.unit_id, item.unit_id)))
        person = visible((person_names or {}).get(item.target, item.target)) if item.target else ""
        if item.ok:
            outcome = Text(
                T(item.will or "", target=visible(target_label), unit=unit, person=person),
                style="bold dark_orange" if item in forced else "green",
            )
        else:
            outcome = Text(T(item.skip or "", target=visible(target_label), unit=unit), style="dim")
        cells: list[Any] = [
            tail(item.case_id, 14),
            i18n.priority_label(c.priority, lang) if c else "–",
            T(f"status.{c.status}") if c else "–",
            owner_text(c) if c else "–",
        ]
        if many_units:
            cells.append(unit)
        cells.append(outcome)
        rows.append(Row(item.case_id, tuple(cells)))
    if forced:
        where = ", ".join(sorted({visible(names.get(i.unit_id, i.unit_id)) for i in forced}))
        hint = T("preview.force_at", n=len(forced), units=where)
    elif ok:
        hint = T("preview.confirm")
    else:
        hint = T("preview.nothing")
    return PreviewContent(
        T("preview.summary", n=len(items), ok=len(ok), skip=len(items) - len(ok), hidden=hidden),
        tuple(notes),
        tuple(cols),
        tuple(rows),
        hint,
        ok=bool(ok),
        needs_force=bool(forced),
        items=tuple(items),
        optional=(1, 2, 3, 4) if many_units else (1, 2, 3),
        outcome_width=_outcome_width(rows),
    )


def role_preview(plan: RolePlan, unit_name: str, staff_label: Callable[[str | None], str], lang: str) -> PreviewContent:
    """The preview of taking over or handing back the coordinator role of one unit: who holds
    it now, who will; handing it back says plainly that the unit will have no coordinator."""
    T = i18n.translator(lang)
    unit, now, then = visible(unit_name), staff_label(plan.current), staff_label(plan.new)
    notes: list[tuple[str, str]] = []
    if plan.leaves_nobody:
        notes.append((T("preview.role.nobody", unit=unit), "dialog-error"))
    says = plan.will if plan.ok else plan.skip
    outcome = Text(
        T(says or "", unit=unit, now=now, new=then),
        style=("bold red" if plan.leaves_nobody else "green") if plan.ok else "dim",
    )
    cols = ((T("col.unit"), 16), (T("preview.role.col_now"), 18), (T("preview.role.col_new"), 18), ("", 0))
    row = Row(plan.unit_id, (short_name(unit), now, then, outcome))
    if plan.ok and plan.leaves_nobody:
        summary = T("preview.role.summary_nobody", unit=unit, now=now)
    elif plan.ok:
        summary = T("preview.role.summary", unit=unit, now=now, new=then)
    else:
        summary = T(plan.skip or "", unit=unit, now=now, new=then)
    hint = T("preview.confirm") if plan.ok else T("preview.nothing_role")
    return PreviewContent(
        summary,
        tuple(notes),
        cols,
        (row,),
        hint,
        ok=plan.ok,
        role=plan,
        optional=(1, 2),
        outcome_width=_outcome_width([row]),
    )


class PreviewScreen(Translated, ModalScreen[bool | None]):
    """What a write will do (per case, or the coordinator role of a unit) and what is skipped
    and why. ``y``/Enter confirms; when a case would land with an unscheduled profession only
    ``f`` does (explicit override): the footer then shows ``f`` and ``y`` shown disabled says
    why it does not confirm."""

    DEFAULT_CSS = """
    PreviewScreen .dialog Label {
        width: 100%;
    }
    """

    BINDINGS = [
        key("y,enter", "confirm", "key.preview.confirm"),
        key("f", "force", "key.preview.force"),
        key("escape", "cancel", "key.preview.cancel"),
    ]

    def __init__(self, what: str, content: PreviewContent, lang: str) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what
        self.content = content
        self.lang = lang

    # the plan shown (tests and callers read these)
    @property
    def items(self) -> list[PlanItem]:
        return list(self.content.items)

    @property
    def needs_force(self) -> bool:
        return self.content.needs_force

    def compose(self) -> ComposeResult:
        T = i18n.translator(self.lang)
        with Vertical(classes="dialog detail") as box:
            box.border_title = T("preview.title", what=self.what)
            yield Label(lit(self.content.summary), id="preview-summary")
            for text, cls in self.content.notes:
                yield Label(lit(text, multiline=True), classes=f"{cls} preview-note")
            table = VirtualTable(list(self.content.columns), optional=self.content.optional, id="preview-table")
            table.MIN_FLEX = self.content.outcome_width  # narrow: drop columns before cutting the outcome
            yield table
            hint_cls = "dialog-error" if self.needs_force else "dialog-help"
            yield Label(lit(self.content.hint), id="preview-hint", classes=hint_cls)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_rows(list(self.content.rows))
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":  # shown disabled when it does not confirm
            return True if self.content.ok and not self.needs_force else None
        if action == "force":  # shown only when it is what confirms
            return self.content.ok and self.needs_force
        return True

    def on_key(self, event: events.Key) -> None:
        """A key of a disabled confirm (``y``) says why it does nothing."""
        active = self.active_bindings.get(event.key)
        if active is not None and not active.enabled and active.binding.action == "confirm":
            self._why_not()

    def _why_not(self) -> None:
        if not self.content.ok:
            self.notify(i18n.t("preview.why.nothing", self.lang), severity="warning")
        elif self.needs_force:
            self.notify(i18n.t("preview.why.force", self.lang), severity="warning", timeout=6)

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()  # Enter in the list confirms, it does not open the case
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.content.ok and not self.needs_force:
            self.dismiss(True)
        else:
            self._why_not()

    def action_force(self) -> None:
        if self.content.ok and self.needs_force:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(None)


class OutcomeScreen(Translated, ModalScreen[None]):
    """The outcome per case as it arrives from the platform (polls the outbox)."""

    BINDINGS = [key("escape,q", "close", "key.close")]

    def __init__(
        self,
        batches: Sequence[str] | None,
        load: Callable[[Sequence[str] | None], list[OutboxRow]],
        lang: str,
        title: str | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.batches = batches
        self.load = load
        self.lang = lang
        self.title_text = title or i18n.t("outcome.title", lang)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail") as box:
            box.border_title = self.title_text
            yield Label("", id="outcome-summary")
            cols = [
                (i18n.t("col.case", self.lang), 14),
                (i18n.t("col.action", self.lang), 11),
                (i18n.t("col.status", self.lang), 32),
                ("", 0),
            ]
            yield VirtualTable(cols, id="outcome-table")
            yield Label(i18n.t("outcome.close", self.lang), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()
        self.refresh_rows()
        self.set_interval(0.3, self.refresh_rows)

    def refresh_rows(self) -> None:
        rows = self.load(self.batches)
        counts = {"done": 0, "conflict": 0, "failed": 0, "waiting": 0}
        out = []
        for r in rows:
            key = r.status if r.status in counts else "waiting"
            counts[key] += 1
            status = Text(i18n.t(f"outcome.{r.status}", self.lang), style=STATUS_STYLE.get(r.status, ""))
            if r.code and r.status in ("conflict", "failed"):
                status.append(f" ({r.code})", style="dim")
            out.append(
                Row(
                    str(r.id),
                    (
                        tail(r.case_id or r.unit_id or "–", 14),
                        i18n.t(f"outcome.kind.{r.kind}", self.lang),
                        status,
                        self._detail(r),
                    ),
                )
            )
        self.query_one(VirtualTable).set_rows(out)
        self.query_one("#outcome-summary", Label).update(i18n.t("outcome.summary", self.lang, **counts))

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()

    def _detail(self, r: OutboxRow) -> str:
        res: Any = r.result
        if r.status == "conflict" and isinstance(res, dict):
            owner = res.get("owner") or {}
            who = owner.get("staff_id") or owner.get("profession") or "–"
            return i18n.t(
                "outcome.now",
                self.lang,
                status=i18n.t(f"status.{res.get('status', 'closed')}", self.lang),
                owner=who,
                version=res.get("version", "?"),
            )
        if r.status in ("failed", "pending", "sending") and r.detail:
            return r.detail
        return ""

    def action_close(self) -> None:
        self.dismiss(None)
