"""A bar chart of waiting care cases per hour: today beside the typical day (issue 13 §4).

Drawn here rather than with a plotting widget: textual-plotext would bring plotext's own
renderer, colours and braille lines, which do not follow NO_COLOR, the board's symbols or our
deterministic snapshots, for what is a dozen pairs of bars. Each hour is a column of two bars —
today in solid blocks (``█``, with eighths for the top), the typical day in light shade (``░``)
— so the two read apart without colour too; the exact values stand in two rows below the axis.
"""

from __future__ import annotations

import math

from rich.text import Text

from ... import i18n
from ...domain.curve import DayCurve

EIGHTHS = " ▁▂▃▄▅▆▇█"
COL = 4  # characters per hour: today's bar (2), the typical day's (1), a space
AXIS = 5  # the y axis labels and the axis itself


def _top(curve: DayCurve) -> int:
    vals = [v for v in (*curve.today, *curve.typical) if v is not None]
    top = max(vals, default=0.0)
    return max(4, math.ceil(top / 4) * 4)  # a multiple of 4: the ticks at quarters are whole


def _num(v: float | None, lang: str) -> str:
    if v is None:
        return "–"
    return i18n.decimal(v, lang, 0 if v >= 10 or v == int(v) else 1)


def waiting_chart(curve: DayCurve, lang: str, height: int = 8, style: str = "bold cyan") -> Text:
    """The chart as text: ``height`` rows of bars with a y axis, the x axis with the hours and
    two rows of the values ("i dag", "typisk")."""
    T = i18n.translator(lang)
    top = _top(curve)
    per_row = top / height
    out = Text(no_wrap=True, overflow="crop")
    for row in range(height, 0, -1):  # top row first
        lo = (row - 1) * per_row
        tick = row * per_row
        label = f"{tick:>3.0f} ┤" if row % (height // 2 or 1) == 0 else "    │"
        out.append(label, style="dim")
        for today, usual in zip(curve.today, curve.typical, strict=True):
            out.append(" ")
            if today is None:
                out.append("  ")
            else:
                fill = (today - lo) / per_row
                cell = EIGHTHS[8] if fill >= 1 else EIGHTHS[max(0, round(fill * 8))] if fill > 0 else " "
                out.append(cell * 2, style=style)
            if usual is None or usual - lo < per_row / 2:
                out.append(" ")
            else:
                out.append("░", style="dim")
        out.append("\n")
    out.append("  0 ┼" + "─┴──" * len(curve.hours) + "\n", style="dim")
    out.append("     " + "".join(f" {h:<3}" for h in curve.hours) + "\n", style="dim")
    out.append("   █ ", style=style)  # the values, each row led by its bar's glyph
    out.append("".join(f"{_num(v, lang):>3} " for v in curve.today))
    out.append(T("chart.today") + "\n", style=style)
    out.append("   ░ ", style="dim")
    out.append("".join(f"{_num(v, lang):>3} " for v in curve.typical))
    out.append(T("chart.typical"), style="dim")
    return out


def chart_legend(curve: DayCurve, weekday: str, lang: str) -> str:
    """The line above the chart: what the bars are, and what the typical day rests on."""
    T = i18n.translator(lang)
    if curve.history_days:
        usual = T("chart.legend.typical", weekday=weekday, n=curve.history_days)
    else:
        usual = T("chart.legend.no_history", weekday=weekday)
    return T("chart.legend", typical=usual)
