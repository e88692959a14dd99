"""The unit alerts above the work list (no coordinator, no clinician, high load, old data).

Capped so the work list keeps its rows (issue 12, item 17): two alerts, then "och 4 till – A
visar alla". Focused (``A``, or Tab), it shows them all with a cursor; Enter acts on the alert
under it (the app filters to its cases or offers its action), Esc or ``A`` goes back to the
work list. Severity is written, with a symbol, not told by colour alone (NO_COLOR).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from ... import i18n
from ...domain.rules import SEVERITY_RANK, Finding
from ...domain.text import visible
from ..bindings import Translated, key
from ..model import SEVERITY_SYMBOL, short_name


@dataclass(frozen=True)
class Alert:
    finding: Finding
    unit_name: str
    reason: str = ""  # why, when the message alone does not say (a level raised by a case)


class AlertBar(Translated, Static, can_focus=True):
    CAP = 2  # alerts shown while the bar is not focused

    BINDINGS = [
        key("up,k", "move(-1)", "bind.up", show=False),
        key("down,j", "move(1)", "bind.down", show=False),
        key("enter", "act", "alerts.act", show=True),
        key("escape,A", "leave", "key.close", show=True),
    ]

    class Chosen(Message):
        """Enter on an alert."""

        def __init__(self, alert: Alert) -> None:
            super().__init__()
            self.alert = alert

    class Leave(Message):
        """Esc / A: back to the work list."""

    def __init__(self, lang: str = "sv", **kw) -> None:
        super().__init__(**kw)
        self.lang = lang
        self.alerts: list[Alert] = []
        self.cursor = 0
        self._expanded = False

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        self.alerts = sorted(alerts, key=lambda a: SEVERITY_RANK[a.finding.severity])
        self.cursor = min(self.cursor, max(0, len(self.alerts) - 1))
        self.display = bool(self.alerts)
        self.set_class(any(a.finding.severity == "critical" for a in self.alerts), "critical")
        self._show()

    @property
    def expanded(self) -> bool:
        """Focused, the bar shows every alert."""
        return self._expanded

    @property
    def line_count(self) -> int:
        """The lines the bar takes now (the layout keeps the work list's rows)."""
        n = len(self.alerts)
        if not n:
            return 0
        return n if self.expanded or n <= self.CAP + 1 else self.CAP + 1

    def _line(self, alert: Alert, cursor: bool) -> Text:
        f = alert.finding
        style = "bold white on red" if f.severity == "critical" else "bold black on dark_orange"
        text = Text()
        label = i18n.t("sev." + f.severity, self.lang).upper()
        text.append(f" {SEVERITY_SYMBOL[f.severity]} {label} ", style=style)
        text.append(f" {short_name(visible(alert.unit_name))}: ", style="bold")
        if alert.reason:  # first, where a narrow terminal still shows it
            text.append(f"{alert.reason} – ", style="bold")
        text.append(visible(f.message))  # names staff and units: platform text
        if cursor:
            text.stylize("reverse")
        return text

    def _show(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        shown = self.alerts if self.line_count >= len(self.alerts) else self.alerts[: self.CAP]
        for i, alert in enumerate(shown):
            if i:
                text.append("\n")
            text.append_text(self._line(alert, self.expanded and i == self.cursor))
        rest = len(self.alerts) - len(shown)
        if rest:
            text.append("\n")
            text.append(i18n.t("alerts.more", self.lang, n=rest), style="italic")
        self.update(text)
        self.styles.height = max(1, self.line_count)

    def on_focus(self) -> None:
        self._expanded = True
        self._show()

    def on_blur(self) -> None:
        self._expanded = False
        self._show()

    def action_move(self, step: int) -> None:
        if self.alerts:
            self.cursor = max(0, min(len(self.alerts) - 1, self.cursor + step))
            self._show()

    def action_act(self) -> None:
        if 0 <= self.cursor < len(self.alerts):
            self.post_message(self.Chosen(self.alerts[self.cursor]))

    def action_leave(self) -> None:
        self.post_message(self.Leave())
