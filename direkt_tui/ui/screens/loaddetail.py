"""The load panel's detail view (Enter on a unit, issue 13 §4): the unit's load as the panel
counts it, the forecast for closing with every term of its formula written out, and the chart
of waiting care cases per hour today against the typical day for this weekday. It follows the
board: every new board brings the unit's chart, read in the board's worker (never here)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from ... import i18n
from ...domain.forecast import Forecast
from ...domain.models import CLINICAL
from ...domain.text import visible
from ..bindings import Translated, key
from ..literal import lit
from ..model import Board
from ..widgets.chart import chart_legend, waiting_chart


def chart_height(rows: int) -> int:
    """The chart's rows for a terminal ``rows`` high: lower on a short one (80×24: 4, 120×40: 6),
    so that the whole view fits unscrolled where it can."""
    return 8 if rows >= 46 else 6 if rows >= 32 else 4


def _lines(lines: list[str]) -> Text:
    """Lines of platform or translated text, each literal (never markup), one per row."""
    return Text("\n").join(lit(line) for line in lines)


def load_lines(board: Board, uid: str, lang: str) -> list[str]:
    """The unit's load as the load panel counts it, in words."""
    T = i18n.translator(lang)
    st = board.evaluation.units[uid]
    ld = st.load
    w = ld.waiting
    ur = board.rosters.get(uid)
    later = dict(ur.later_by_profession) if ur is not None else {}
    profs = list(ld.clinicians_present) + [p for p in later if p in CLINICAL and p not in ld.clinicians_present]
    who = " · ".join(
        f"{i18n.profession_short(p, lang)} {ld.clinicians_present.get(p, 0)}/{later.get(p, 0)}" for p in profs
    )
    return [
        T("load.level", level=T(f"level.{ld.level}"), ratio=i18n.decimal(ld.ratio, lang)),
        T(
            "load.waiting",
            p1=w["1"],
            p2=w["2"],
            p3=w["3"],
            p4=w["4"],
            p5=w["5"],
            adm=w["admin"],
            queued=ld.queued,
            active=ld.in_progress,
            risk=board.at_risk.get(uid, 0),
        ),
        T("load.clinicians", who=who or T("roster.nobody")),
    ]


def forecast_lines(f: Forecast | None, tz: ZoneInfo, lang: str) -> list[str]:
    """The forecast's formula with this unit's numbers in it (README "Forecast for closing"):
    the sum, then the term that decided it (the late arrivals, the clinicians' capacity, or
    the naive "stays as it is"), then what more staff would do."""
    T = i18n.translator(lang)
    if f is None:
        return [T("load.forecast.none")]
    # without history the arrival rate is the last 2 hours' (since opening), not the day's
    m = T("load.method.recent" if f.arrivals_method == "today" else f"load.method.{f.arrivals_method}")
    lines = [
        T("load.forecast.title", close=f.closes_at.astimezone(tz).strftime("%H:%M")),
        T(
            "load.forecast.terms",
            backlog=f.backlog_now,
            arrivals=i18n.decimal(f.arrivals, lang),
            arrivals_method=m,
            completions=i18n.decimal(f.completions, lang),
            at_close=i18n.decimal(f.backlog_at_close, lang),
        ),
    ]
    capacity = {
        "capacity": i18n.decimal(f.capacity, lang),
        "hours": i18n.decimal(f.clinician_hours, lang),
        "rate": i18n.decimal(f.rate, lang),
        "rate_method": T(f"load.method.{f.rate_method}"),
    }
    if f.method == "naive":  # said by its cause: too little open yet, or too few taken
        lines.append(T("load.forecast.naive_early" if f.arrivals_method == "none" else "load.forecast.naive"))
    elif f.late_method == "history":  # the cases the same weekdays still had waiting at closing
        lines.append(
            T(
                "load.forecast.late_history",
                late=i18n.decimal(f.late, lang),
                arrivals=i18n.decimal(f.late_arrivals, lang),
                carried=i18n.decimal(f.late_carried, lang),
                backlog=f.backlog_now,
                share=round(100 * (f.carry_share or 0.0)),
                arrivals_method=m,
            )
        )
    elif f.wait_hours is not None:
        lines.append(
            T(
                "load.forecast.late",
                late=i18n.decimal(f.late, lang),
                wait=i18n.decimal(f.wait_hours, lang),
                wait_method=T(f"load.method.{f.wait_method}"),
                arrival_rate=i18n.decimal(f.arrival_rate, lang),
                arrivals_method=m,
            )
        )
    if f.method == "capacity":
        lines.append(T("load.forecast.capacity", **capacity))
    if round(f.backlog_at_close) < 1:
        lines.append(T("load.forecast.clear"))
    elif f.extra_clinician_hours >= 0.5:
        lines.append(T("load.forecast.extra", extra=i18n.decimal(f.extra_clinician_hours, lang)))
    elif f.method != "capacity":
        lines.append(T("load.forecast.enough", **capacity))
    return lines


class LoadDetailScreen(Translated, ModalScreen[None]):
    """One unit's load, forecast and chart; Esc closes."""

    DEFAULT_CSS = """
    LoadDetailScreen .dialog Label { width: 100%; }
    LoadDetailScreen #load-chart { width: auto; height: auto; margin: 1 0 0 0; }
    """

    BINDINGS = [key("escape,q", "close", "key.close")]

    class Wanted(Message):
        """Opened: the next board should bring this unit's chart."""

    def __init__(self, board: Board, unit_id: str, tz: ZoneInfo, lang: str) -> None:
        super().__init__(classes="dialog-screen")
        self.unit_id = unit_id
        self.tz = tz
        self.lang = lang
        self._board = board

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail"):
            with VerticalScroll():
                yield Label(id="load-summary")
                yield Label(id="load-forecast", classes="dialog-help")
                yield Label(id="load-legend")
                yield Static(id="load-chart")
            yield Label(lit(i18n.t("load.hint", self.lang)), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # ↑ ↓ PgUp PgDn scroll what does not fit
        self.show(self._board)
        self.post_message(self.Wanted())

    def show(self, board: Board) -> None:
        """This unit as ``board`` has it (the board's worker read its chart)."""
        self._board = board
        uid = self.unit_id
        T = i18n.translator(self.lang)
        box = self.query_one(".dialog", Vertical)
        names = dict(board.all_units)
        box.border_title = T("load.title", unit=visible(names.get(uid, uid)))
        if uid not in board.evaluation.units:  # the unit left the view (another unit chosen)
            return
        self.query_one("#load-summary", Label).update(_lines(load_lines(board, uid, self.lang)))
        fc = forecast_lines(board.forecasts.get(uid), self.tz, self.lang)
        self.query_one("#load-forecast", Label).update(_lines(fc))
        legend, chart = self.query_one("#load-legend", Label), self.query_one("#load-chart", Static)
        if uid not in board.curves:
            legend.update(lit(T("load.chart.reading")))
            chart.update("")
            return
        curve = board.curves[uid]
        if curve is None:
            legend.update(lit(T("load.chart.closed")))
            chart.update("")
            return
        weekday = T(f"weekday.{board.at.astimezone(self.tz).weekday()}")
        legend.update(Text(chart_legend(curve, weekday, self.lang), style="bold"))
        chart.update(waiting_chart(curve, self.lang, height=chart_height(self.app.size.height)))

    def action_close(self) -> None:
        self.dismiss(None)
