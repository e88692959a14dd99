"""Shift work: the three checklists and their sign-off, the fallback routine with the phone list
and its call marks, the shift report. The screens get what they read as small explicit
arguments and post what they want done (``ui/messages.py``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual import work

from .. import i18n
from ..domain.checklists import ItemStatus
from ..domain.models import Snapshot
from .base import DirektBase
from .messages import JumpToItem, ShiftReportRequested, ToggleCalled
from .model import Board, CaseFilter
from .screens.dialogs import PromptScreen
from .screens.shiftwork import ChecklistScreen, FallbackScreen, ReportScreen


class ShiftWorkMixin(DirektBase):
    """Checklists, fallback routine, call marks and the shift report of ``DirektApp``."""

    def action_checklist(self, kind: str) -> None:
        if self.board is not None:
            self.push_screen(ChecklistScreen(kind, self.lang, lambda: self.board, self.sign_off))

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
        if self.board is None or self._store is None:
            return
        from ..reports.shift import shift_report_markdown

        board = self.board
        zone = self._zone()
        since = self.clock.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        text = shift_report_markdown(self._store, board.evaluation, board.snapshot, since, board.at, self.lang)
        path = self._save_report(text, board.at, zone)
        self.push_screen(ReportScreen(text, path, self.lang))

    def _save_report(self, text: str, at: datetime, zone: ZoneInfo) -> Path | None:
        folder = self.store_path.parent / "reports"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            path = folder / f"skiftrapport-{at.astimezone(zone).strftime('%Y%m%d-%H%M')}.md"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            return path
        except OSError:
            return None

    # -- what the shift-work screens ask for (ui/messages.py) ---------------------------------------
    def on_jump_to_item(self, message: JumpToItem) -> None:
        self.jump_to(message.status)

    def on_shift_report_requested(self, message: ShiftReportRequested) -> None:
        self.action_shift_report()

    def on_toggle_called(self, message: ToggleCalled) -> None:
        self.toggle_called(message.case_id, message.done)
