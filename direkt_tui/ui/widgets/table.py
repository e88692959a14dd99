"""A virtualised, keyed table (Textual's Line API): only the visible rows are rendered, so
10,000 cases cost no more to show than 30. Replacing the rows keeps the cursor on the same
key and the scroll position where it was, without flicker."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..literal import cell as literal_cell
from ..model import Row


class _TableMessage(Message):
    """A message about one table (``control`` is the table)."""

    def __init__(self, table: VirtualTable) -> None:
        super().__init__()
        self.table = table

    @property
    def control(self) -> VirtualTable:
        return self.table


class VirtualTable(ScrollView, can_focus=True):
    """Rows of cells under a sticky header line; one row has the cursor."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Upp", show=False),
        Binding("down,j", "cursor_down", "Ned", show=False),
        Binding("pageup", "page_up_rows", show=False),
        Binding("pagedown", "page_down_rows", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("enter", "activate", "Detaljer", show=False),
        Binding("space", "toggle_mark", "Markera", show=False),
        Binding("shift+space,ctrl+space,V", "mark_range", "Markera intervall", show=False),
        Binding("asterisk", "mark_all", "Markera alla", show=False),
    ]
    COMPONENT_CLASSES = {"table--header", "table--cursor", "table--cursor-blur", "table--empty", "table--mark"}
    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    VirtualTable > .table--header { text-style: bold; color: $text-muted; }
    VirtualTable > .table--cursor { background: $accent 40%; }
    VirtualTable > .table--cursor-blur { background: $accent 15%; }
    VirtualTable > .table--empty { color: $text-muted; text-style: italic; }
    VirtualTable > .table--mark { color: $accent; text-style: bold; background: $accent 12%; }
    """

    cursor = reactive(0, always_update=True, repaint=False)

    class Activated(_TableMessage):
        """Enter (or a click on the cursor row) on a row."""

        def __init__(self, table: VirtualTable, key: str) -> None:
            super().__init__(table)
            self.key = key

    class MarksChanged(_TableMessage):
        pass

    class CursorMoved(_TableMessage):
        def __init__(self, table: VirtualTable, key: str | None) -> None:
            super().__init__(table)
            self.key = key

    MIN_FLEX = 16  # below this the optional columns make room for the flexible one

    def __init__(
        self,
        columns: Sequence[tuple[str, int]] = (),
        empty_text: str = "",
        marks: set[str] | None = None,
        optional: Sequence[int] = (),
        **kw,
    ) -> None:
        super().__init__(**kw)
        self._columns: list[tuple[str, int]] = list(columns)
        self.optional = frozenset(optional)  # column indexes dropped first on a narrow table
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self.empty_text = empty_text
        # marks are keys, shared between the tables that show the same kind of rows; None = no marks
        self.marks = marks
        self._anchor: int | None = None

    # -- data -------------------------------------------------------------------------------------
    @property
    def rows(self) -> list[Row]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor].key
        return None

    def set_columns(self, columns: Sequence[tuple[str, int]], optional: Sequence[int] = ()) -> None:
        if list(columns) != self._columns or frozenset(optional) != self.optional:
            self._columns = list(columns)
            self.optional = frozenset(optional)
            self.refresh()

    def set_rows(self, rows: list[Row]) -> None:
        """Replace the rows; the cursor stays on its key (or its position if the key left)."""
        old_key = self.cursor_key
        old_cursor = self.cursor
        self._rows = rows
        self._index = {r.key: i for i, r in enumerate(rows)}
        if old_key is not None and old_key in self._index:
            new = self._index[old_key]
        else:
            new = min(old_cursor, max(0, len(rows) - 1))
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.set_reactive(VirtualTable.cursor, new)
        if new != old_cursor:
            # keep the cursor row where it was on screen
            self.scroll_to(y=max(0, self.scroll_y + (new - old_cursor)), animate=False, immediate=True)
        self.refresh()
        if self.cursor_key != old_key:
            self.post_message(self.CursorMoved(self, self.cursor_key))

    def move_to_key(self, key: str) -> bool:
        i = self._index.get(key)
        if i is None:
            return False
        self.cursor = i
        return True

    # -- cursor -----------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        n = len(self._rows)
        if n == 0:
            return
        clamped = max(0, min(new, n - 1))
        if clamped != new:
            self.set_reactive(VirtualTable.cursor, clamped)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor_key))

    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        h = self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + h:
            self.scroll_to(y=self.cursor - h + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor = max(0, self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.cursor = min(max(0, len(self._rows) - 1), self.cursor + 1)

    def action_page_up_rows(self) -> None:
        self.cursor = max(0, self.cursor - self._body_height())

    def action_page_down_rows(self) -> None:
        self.cursor = min(max(0, len(self._rows) - 1), self.cursor + self._body_height())

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, len(self._rows) - 1)

    def action_activate(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Activated(self, key))

    # -- marks (k9s-style) ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a table without marks lets space and * through to its screen
        if action in ("toggle_mark", "mark_range", "mark_all") and self.marks is None:
            return False
        return True

    def action_toggle_mark(self) -> None:
        key = self.cursor_key
        if self.marks is None or key is None:
            return
        if key in self.marks:
            self.marks.discard(key)
        else:
            self.marks.add(key)
        self._anchor = self.cursor
        self.refresh()
        self.post_message(self.MarksChanged(self))
        self.action_cursor_down()

    def action_mark_range(self) -> None:
        if self.marks is None or not self._rows:
            return
        anchor = self._anchor if self._anchor is not None else self.cursor
        lo, hi = sorted((anchor, self.cursor))
        self.marks.update(r.key for r in self._rows[lo : hi + 1])
        self._anchor = self.cursor
        self.refresh()
        self.post_message(self.MarksChanged(self))

    def action_mark_all(self) -> None:
        """Mark every row this table shows (so the filter is respected)."""
        if self.marks is None:
            return
        self.marks.update(r.key for r in self._rows)
        self.refresh()
        self.post_message(self.MarksChanged(self))

    def on_click(self, event: Click) -> None:
        y = event.y - 1 + int(self.scroll_y)
        if event.y >= 1 and 0 <= y < len(self._rows):
            if y == self.cursor and event.chain >= 2:
                self.action_activate()
            self.cursor = y

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering --------------------------------------------------------------------------------
    def _widths(self, total: int) -> list[int]:
        """Column widths; 0 for an optional column dropped to make room."""
        total -= 1 if self.marks is not None else 0  # the mark gutter
        cols = self._columns
        dropped: set[int] = set()
        while True:
            kept = [(i, w) for i, (_l, w) in enumerate(cols) if i not in dropped]
            fixed = sum(w for _i, w in kept if w) + max(0, len(kept) - 1)
            flex = total - fixed
            candidates = sorted(self.optional - dropped)
            if flex >= self.MIN_FLEX or not candidates:
                break
            dropped.add(candidates[-1])
        return [0 if i in dropped else (w if w else max(4, flex)) for i, (_l, w) in enumerate(cols)]

    def _line(self, cells: Sequence[Text | str], widths: list[int], style: Style | str = "") -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        first = True
        for cell, width in zip(cells, widths, strict=False):
            if width == 0:
                continue
            if not first:
                line.append(" ")
            first = False
            t = literal_cell(cell)  # never markup, no control characters (platform text)
            t.truncate(width, overflow="ellipsis", pad=True)
            line.append_text(t)
        if style:
            line.stylize(style)
        return line

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        widths = self._widths(width)
        gutter = self.marks is not None
        if y == 0:
            header = self._line(
                [label for label, _w in self._columns], widths, self.get_component_rich_style("table--header")
            )
            if gutter:
                header = Text(" ") + header
            return Strip(header.render(self.app.console), header.cell_len).crop_extend(0, width, base)
        index = int(self.scroll_y) + y - 1
        if not self._rows:
            if y == 1 and self.empty_text:
                t = Text(self.empty_text, style=self.get_component_rich_style("table--empty"))
                return Strip(t.render(self.app.console), t.cell_len).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        text = self._line(row.cells, widths)
        if gutter:
            if row.key in self.marks:  # type: ignore[operator]
                mark_style = self.get_component_rich_style("table--mark")
                text = Text("✔", style=mark_style) + text
                text.stylize(Style(bgcolor=mark_style.bgcolor))
            else:
                text = Text(" ") + text
        if index == self.cursor:
            cls = "table--cursor" if self.has_focus else "table--cursor-blur"
            # the background only: severity colours stay readable on the cursor row
            cursor_bg = Style(bgcolor=self.get_component_rich_style(cls).bgcolor)
            text.pad_right(max(0, width - text.cell_len))
            text.stylize(cursor_bg)
        return Strip(text.render(self.app.console), text.cell_len).crop_extend(0, width, base)
