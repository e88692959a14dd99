"""A virtualised, keyed table (Textual's Line API): only the visible rows are rendered, so
10,000 cases cost no more to show than 30. Replacing the rows keeps the cursor on the same
key and the scroll position where it was, without flicker."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual import events
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..bindings import Translated, key
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


class VirtualTable(Translated, ScrollView, can_focus=True):
    """Rows of cells under a sticky header line; one row has the cursor."""

    BINDINGS = [
        key("up,k", "cursor_up", "bind.up", show=False),
        key("down,j", "cursor_down", "bind.down", show=False),
        key("pageup", "page_up_rows", show=False),
        key("pagedown", "page_down_rows", show=False),
        key("home", "first", show=False),
        key("end", "last", show=False),
        key("enter", "activate", "key.detail", show=False),
        key("space", "toggle_mark", "key.mark", show=False),
        key("shift+space,ctrl+space,V", "mark_range", "bind.mark_range", show=False),
        key("shift+up", "extend_marks(-1)", "bind.mark_range", show=False),
        key("shift+down", "extend_marks(1)", "bind.mark_range", show=False),
        key("asterisk", "mark_all", "bind.mark_all", show=False),
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
        self.optional = tuple(optional)  # column indexes a narrow table hides, first hidden first
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self.empty_text = empty_text
        # marks are keys, shared between the tables that show the same kind of rows; None = no marks
        self.marks = marks
        self._anchor: int | None = None
        self._range_open = False  # a first V set the anchor: the next V marks up to the cursor
        # a narrow table never hides a column silently: its bottom border names them
        # (``hidden_text`` with ``{cols}``, set by the app in its language), after ``note``
        self.hidden_text = "+ {cols}"
        self.note = ""
        self._hidden: tuple[str, ...] = ()

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
        if list(columns) != self._columns or tuple(optional) != self.optional:
            self._columns = list(columns)
            self.optional = tuple(optional)
            self.refresh()
        self._update_subtitle()

    @property
    def hidden_columns(self) -> tuple[str, ...]:
        """The labels of the columns the table's width hides now."""
        return self._hidden

    def set_note(self, note: str) -> None:
        self.note = note
        self._update_subtitle()

    def _update_subtitle(self) -> None:
        width = self.size.width
        widths = self._widths(width) if width else [1] * len(self._columns)
        self._hidden = tuple(label for (label, _w), cw in zip(self._columns, widths, strict=False) if cw == 0)
        parts = [self.note] if self.note else []
        if self._hidden:
            parts.append(self.hidden_text.format(cols=", ".join(self._hidden)))
        subtitle = " · ".join(parts)
        if subtitle != (self.border_subtitle or ""):
            self.border_subtitle = subtitle

    def set_rows(self, rows: list[Row], index: dict[str, int] | None = None) -> None:
        """Replace the rows; the cursor stays on its key (or its position if the key left).
        ``index``: the rows' positions by key when already worked out (off the UI thread)."""
        old_key = self.cursor_key
        old_cursor = self.cursor
        self._rows = rows
        self._index = index if index is not None else {r.key: i for i, r in enumerate(rows)}
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

    # -- keys in the order they were typed ---------------------------------------------------------
    async def _on_key(self, event: events.Key) -> None:
        """Resolve a key's binding here, in turn, instead of after it bubbled to the app.

        The app hands every key to the focused table the moment it reads it; a key with no
        handler of its own bubbles back and the app looks up its binding only then. Typed fast,
        ``/`` and the filter text behind it were all queued here before ``/`` had opened the
        filter prompt, so the text bubbled up after it and was dropped (issue 12, item 3). So a
        binding runs when its key comes up, and a key that comes up after an earlier one opened
        another screen goes on to that screen, in order."""
        app = self.app
        if self.screen is not app.screen:  # typed for the screen an earlier key opened
            event.stop()
            event.prevent_default()
            again = events.Key(event.key, event.character)
            again.set_sender(app)
            (app.focused or app.screen)._forward_event(again)
            return
        if await app._check_bindings(event.key):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    # -- marks (k9s-style) ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a table without marks lets space and * through to its screen
        if action in ("toggle_mark", "mark_range", "mark_all", "extend_marks") and self.marks is None:
            return False
        return True

    @property
    def range_open(self) -> bool:
        """A range was started with V and waits for its end (the status bar says so)."""
        anchor = self._anchor
        return (
            self._range_open
            and bool(self.marks)
            and anchor is not None
            and 0 <= anchor < len(self._rows)
            and self._rows[anchor].key in self.marks  # type: ignore[operator]
        )

    def action_toggle_mark(self) -> None:
        key = self.cursor_key
        if self.marks is None or key is None:
            return
        if key in self.marks:
            self.marks.discard(key)
        else:
            self.marks.add(key)
        self._anchor = self.cursor
        self._range_open = False
        self.refresh()
        self.post_message(self.MarksChanged(self))
        self.action_cursor_down()

    def action_mark_range(self) -> None:
        """V: mark from the anchor (the row last marked with Space or V) to the cursor. With no
        anchor elsewhere the first V marks the cursor row and opens a range: the status bar
        says "markera till hit: V" until the second V marks everything in between."""
        if self.marks is None or not self._rows:
            return
        anchor = self._anchor if self._anchor is not None and self._anchor < len(self._rows) else self.cursor
        opening = anchor == self.cursor and not self._range_open
        lo, hi = sorted((anchor, self.cursor))
        self.marks.update(r.key for r in self._rows[lo : hi + 1])
        self._anchor = self.cursor
        self._range_open = opening
        self.refresh()
        self.post_message(self.MarksChanged(self))

    def action_extend_marks(self, step: int) -> None:
        """Shift+↑ / Shift+↓: mark the cursor row and the one the cursor moves to (a range
        grows as the cursor goes; Shift+Space is Space in most terminals)."""
        if self.marks is None or not self._rows:
            return
        here = self.cursor
        there = max(0, min(len(self._rows) - 1, here + step))
        self.marks.add(self._rows[here].key)
        self.marks.add(self._rows[there].key)
        self._anchor = there
        self._range_open = False
        self.cursor = there
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
        # the row under the pointer: the offset is in the content (inside the panel's border),
        # whose first line is the header
        at = event.get_content_offset(self)
        if at is None or at.y < 1:
            return
        y = at.y - 1 + int(self.scroll_y)
        if 0 <= y < len(self._rows):
            if y == self.cursor and event.chain >= 2:
                self.action_activate()
            self.cursor = y

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self._update_subtitle()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering --------------------------------------------------------------------------------
    def _widths(self, total: int) -> list[int]:
        """Column widths; 0 for an optional column hidden to make room (in ``optional``'s
        order, until the fixed columns fit and the flexible one has ``MIN_FLEX``)."""
        total -= 1 if self.marks is not None else 0  # the mark gutter
        cols = self._columns
        dropped: set[int] = set()
        candidates = [i for i in self.optional if 0 <= i < len(cols)]
        while True:
            kept = [(i, w) for i, (_l, w) in enumerate(cols) if i not in dropped]
            fixed = sum(w for _i, w in kept if w) + max(0, len(kept) - 1)
            flexible = any(not w for _i, w in kept)
            flex = total - fixed
            if (flex >= self.MIN_FLEX if flexible else flex >= 0) or not candidates:
                break
            dropped.add(candidates.pop(0))
        out = [0 if i in dropped else (w if w else max(4, flex)) for i, (_l, w) in enumerate(cols)]
        if not flexible and flex > 0:
            # no flexible column left (a hidden trend): the room goes to the last wide column
            wide = [i for i, w in enumerate(out) if w > 10]
            if wide:
                out[wide[-1]] += flex
        return out

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
        # every segment gets a style (``apply_style(base)``): Textual's NO_COLOR filter fails on
        # a segment without one, and the app died at its first paint with NO_COLOR set
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
            return Strip(header.render(self.app.console), header.cell_len).crop_extend(0, width, base).apply_style(base)
        index = int(self.scroll_y) + y - 1
        if not self._rows:
            if y == 1 and self.empty_text:
                t = Text(self.empty_text, style=self.get_component_rich_style("table--empty"))
                return Strip(t.render(self.app.console), t.cell_len).crop_extend(0, width, base).apply_style(base)
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
        return Strip(text.render(self.app.console), text.cell_len).crop_extend(0, width, base).apply_style(base)
