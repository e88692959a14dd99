"""Shift work: the three checklists and their sign-off, the fallback routine with the phone list
and its call marks, the shift report. The screens get what they read as small explicit
arguments and post what they want done (``ui/messages.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual import work
from textual.worker import Worker

from .. import i18n
from ..domain.checklists import ItemStatus
from ..domain.models import Snapshot
from .base import DirektBase, while_mounted
from .messages import JumpToItem, ShiftReportRequested, ToggleCalled
from .model import Board, CaseFilter
from .screens.cosmic import CosmicScreen
from .screens.dialogs import PromptScreen
from .screens.shiftwork import ChecklistScreen, FallbackScreen, ReportScreen


class ShiftWorkMixin(DirektBase):
    """Checklists, fallback routine, call marks and the shift report of ``DirektApp``."""

    reports_dir: Path  # where shift reports are saved (the composition root decides)
    report_worker: Worker[None] | None  # the shift report being written, if any

    def action_checklist(self, kind: str) -> None:
        if self.board is not None:
            self.push_screen(
                ChecklistScreen(
                    kind, self.lang, lambda: self.board, self.sign_off, self.signoffs_since, _CosmicItem(self)
                )
            )

    # -- §11: documented in Cosmic --------------------------------------------------------------------
    def cosmic_cases(self) -> list[Any]:
        """Today's cases (the units in view) to document in Cosmic, with their marks."""
        from ..store.shiftlog import cosmic_cases

        store = self._local_writer() or self._store
        if store is None:
            return []
        board = self.board
        until = board.at if board is not None else self.clock.now()
        since = until.astimezone(self._zone()).replace(hour=0, minute=0, second=0, microsecond=0)
        units = list(board.unit_ids) if board is not None else None
        return cosmic_cases(store, since, until, units)

    def toggle_cosmic(self, case: Any) -> bool:
        """Mark a case as documented in Cosmic (or take the mark back), audited; False when it
        could not be stored (offline, read-only, the audit key refused)."""
        from ..store.auditkey import AuditKeyError
        from ..store.shiftlog import clear_cosmic_mark, mark_cosmic

        writer = self._local_writer()
        if writer is None:
            why = self.writes_denied() or i18n.t("ro.offline", self.lang)
            self.notify(i18n.t("cosmic.denied", self.lang, why=why), severity="warning")
            return False
        try:
            if case.documented:
                clear_cosmic_mark(writer, case.case_id, self.clock.now(), self.actor())
            else:
                mark_cosmic(writer, case.case_id, self.clock.now(), self.actor(), case.why)
        except AuditKeyError as exc:  # nothing was written
            self.notify(i18n.t("cosmic.denied", self.lang, why=str(exc)), severity="error", timeout=10)
            return False
        return True

    # -- free text by the patient's name or number: audited (issue 12, "Gaps") -----------------------
    def set_filter(self, filt: CaseFilter) -> None:
        """A new free text may match patients by name or number: which cases it matched so is
        written to the audit log (who searched, the case ids; never what was typed). Where
        nothing can be logged (offline, no writer) the identity is not searched."""
        previous = self.filter
        builder = self._builder
        if builder is not None:
            builder.identity_search = self._local_writer() is not None
            if filt.text and not builder.identity_search and filt.text != previous.text:
                self.notify(i18n.t("filter.identity_off", self.lang), timeout=6)
        super().set_filter(filt)
        if builder is not None and builder.identity_search and filt.text and filt.text != previous.text:
            self._audit_identity_search(filt)

    @work(thread=True, group="identity-search", exit_on_error=False)
    def _audit_identity_search(self, filt: CaseFilter) -> None:
        builder, board = self._builder, self.board
        if builder is None or board is None:
            return
        hits = builder.identity_hits(board, filt)
        if hits:
            try:
                self.call_from_thread(self._record_identity_search, hits)
            except RuntimeError:  # the app closed meanwhile
                pass

    @while_mounted
    def _record_identity_search(self, hits: list[str]) -> None:
        from ..store.actions import audit_append
        from ..store.auditkey import AuditKeyError

        writer = self._local_writer()
        if writer is None:
            return
        try:
            audit_append(writer, self.clock.now(), self.actor(), "identity_search", {"cases": hits}, {"n": len(hits)})
        except AuditKeyError as exc:
            self.notify(i18n.t("filter.identity_not_logged", self.lang, why=str(exc)), severity="error", timeout=10)
            return
        n = len(hits)
        self.notify(i18n.t("filter.identity_logged" if n == 1 else "filter.identity_logged.n", self.lang, n=n))

    def signoffs_since(self, since: datetime) -> list[Any]:
        """The checklist sign-offs stored since ``since`` (the checklist shows today's)."""
        from ..store.shiftlog import signoffs

        store = self._local_writer() or self._store
        try:
            return signoffs(store, since=since) if store is not None else []
        except Exception:  # an older store without the table: none shown
            return []

    def action_fallback(self) -> None:
        if self.board is not None:
            self.push_screen(
                FallbackScreen(
                    self.lang,
                    lambda: self.board,
                    self.clock.now,
                    self.config.fallback,
                    self.call_marks,
                    self.identified_snapshot,
                )
            )

    def jump_to(self, status: ItemStatus) -> None:
        """Show a checklist item's cases in the panels (its rules as the filter)."""
        rules = frozenset(status.item.rules)
        up_to = None
        if status.item.date_filter:
            up_to = self._today() - timedelta(days=1)
            rules = frozenset()
        self.set_filter(CaseFilter(rules=rules, up_to=up_to))
        self.notify(i18n.t("checklist.jumped", self.lang, text=status.item.text(self.lang)), timeout=3)

    def sign_off(self, kind: str, acknowledged: list[str], outstanding: dict[str, list[str]]) -> bool:
        from ..domain.checklists import checklist_title
        from ..store.shiftlog import sign_off

        writer = self._local_writer()
        if writer is None:
            self.notify(
                i18n.t("checklist.sign_denied", self.lang, why=i18n.t("ro.offline", self.lang)), severity="warning"
            )
            return False
        units = list(self.board.unit_ids) if self.board else []
        from ..store.actions import head_anchor
        from ..store.auditkey import AuditKeyError

        try:
            sign_off(writer, self.clock.now(), kind, units, self.actor(), acknowledged, outstanding)
        except AuditKeyError as exc:  # the key file cannot be created or used: nothing was written
            self.notify(i18n.t("checklist.sign_denied", self.lang, why=str(exc)), severity="error", timeout=10)
            return False

        # the chain head to note down: `direkt-tui audit verify --anchor N:HASH` proves it later
        self.notify(
            i18n.t(
                "checklist.signed_ok",
                self.lang,
                title=checklist_title(kind, self.lang),
                who=self.actor(),
                n=len(outstanding),
            )
            + "\n"
            + i18n.t("audit.head", self.lang, anchor=head_anchor(writer)),
            timeout=10,
        )
        return True

    def call_marks(self) -> dict[str, Any]:
        from ..store.shiftlog import call_marks

        store = self._local_writer() or self._store
        try:
            return call_marks(store) if store is not None else {}
        except Exception:
            return {}

    @work(exclusive=True, group="call-mark")
    async def toggle_called(self, case_id: str, done: Callable[[], None]) -> None:
        from ..store.shiftlog import clear_call_mark, mark_called

        writer = self._local_writer()
        if writer is None:
            self.notify(
                i18n.t("checklist.sign_denied", self.lang, why=i18n.t("ro.offline", self.lang)), severity="warning"
            )
            return
        if case_id in self.call_marks():
            clear_call_mark(writer, case_id, self.clock.now(), self.actor())
            self.notify(i18n.t("fallback.unmarked", self.lang), timeout=2)
            done()
            return
        note = await self.push_screen_wait(
            PromptScreen(i18n.t("fallback.note.title", self.lang), i18n.t("fallback.note.help", self.lang))
        )
        if note is None:
            return
        mark_called(writer, case_id, self.clock.now(), note.strip()[:120] or None, self.actor())
        done()

    def identified_snapshot(self, board: Board) -> Snapshot:
        """The board's snapshot with its open cases' patients identified (the phone list)."""
        if self._store is None:
            return board.snapshot
        full = {c.id: c for c in self._store.cases(c.id for c in board.snapshot.cases)}
        return replace(board.snapshot, cases=tuple(full.get(c.id, c) for c in board.snapshot.cases))

    def action_shift_report(self) -> None:
        """Write the shift report in a thread worker (reading the day's log takes seconds on a
        long day: the UI keeps running), with a notice while it is written; then show it."""
        if self.board is None or self._store is None:
            return
        if self.report_worker is not None and self.report_worker.is_running:
            self.notify(i18n.t("report.busy", self.lang), timeout=3)
            return
        board = self.board
        zone = self._zone()
        since = self.clock.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        self.notify(i18n.t("report.writing", self.lang), timeout=10)
        self.report_worker = self._write_shift_report(board, since, zone)

    @work(thread=True, exclusive=True, group="shift-report", exit_on_error=False)
    def _write_shift_report(self, board: Board, since: datetime, zone: ZoneInfo) -> None:
        from ..reports.shift import save_shift_report, shift_report_markdown

        assert self._store is not None
        text: str | None = None
        path: Path | None = None
        error: str | None = None
        try:
            text = shift_report_markdown(self._store, board.evaluation, board.snapshot, since, board.at, self.lang)
            path = save_shift_report(text, self.reports_dir, board.at, zone)
        except OSError as exc:  # a full disk, a read-only folder: the report is still shown
            error = f"{self.reports_dir}: {exc.strerror or exc}"
        except Exception as exc:  # a damaged store: one notice, never a traceback
            error = str(exc) or type(exc).__name__
        try:
            self.call_from_thread(self._show_shift_report, text, path, error)
        except RuntimeError:  # the app closed meanwhile: the file is written all the same
            pass

    @while_mounted
    def _show_shift_report(self, text: str | None, path: Path | None, error: str | None) -> None:
        if path is not None:
            self.notify(i18n.t("report.saved_notice", self.lang, path=str(path)), timeout=10)
        else:
            self.notify(i18n.t("report.not_saved", self.lang, why=error or "–"), severity="error", timeout=15)
        if text is not None:
            self.push_screen(ReportScreen(text, path, self.lang))

    # -- what the shift-work screens ask for (ui/messages.py) ---------------------------------------
    def on_jump_to_item(self, message: JumpToItem) -> None:
        self.jump_to(message.status)

    def on_shift_report_requested(self, message: ShiftReportRequested) -> None:
        self.action_shift_report()

    def on_toggle_called(self, message: ToggleCalled) -> None:
        self.toggle_called(message.case_id, message.done)


class _CosmicItem:
    """The Skiftslut checklist's §11 item (``screens.shiftwork.CosmicItem``) over the app."""

    def __init__(self, app: ShiftWorkMixin) -> None:
        self.app = app

    def cases(self) -> list[Any]:
        return self.app.cosmic_cases()

    def open(self, done: Callable[[], None]) -> None:
        app = self.app
        board = app.board
        units = dict(board.all_units) if board is not None else {}
        tz = board.snapshot.units[0].timezone if board is not None and board.snapshot.units else "Europe/Stockholm"
        app.push_screen(CosmicScreen(app.lang, app.cosmic_cases, app.toggle_cosmic, units, tz), lambda _result: done())
