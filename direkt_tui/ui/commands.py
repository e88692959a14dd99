"""Keys, command palette, help and theme: everything the key table (``ui/keys.py``) feeds.

The configuration's ``[keys]`` (id → key string) is applied with ``App.set_keymap``; the help
screen and the palette show the live keys. The theme comes from ``[ui] theme`` and, when the
user picks another one (Ctrl+P → theme), is written back there, in the configuration file the
app was started with (without one it lasts for the session)."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import work
from textual.actions import parse as parse_action
from textual.app import SystemCommand
from textual.binding import Binding, BindingsMap
from textual.screen import Screen

from .. import i18n
from . import keys
from .base import DirektBase
from .bindings import open_command_palette, translate_bindings
from .screens.help import HelpScreen

_HEADER = re.compile(r"^\s*\[")
_UI_HEADER = re.compile(r"^\s*\[\s*ui\s*\]\s*(#.*)?$")
_THEME_LINE = re.compile(r"^\s*theme\s*=")


def with_ui_theme(text: str, theme: str) -> str:
    """The configuration text with ``[ui] theme`` set to ``theme``, everything else (comments,
    order) as it was."""
    line = f"theme = {json.dumps(theme)}"
    lines = text.splitlines()
    start = next((i for i, x in enumerate(lines) if _UI_HEADER.match(x)), None)
    if start is None:
        tail = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{tail}\n[ui]\n{line}\n"
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    at = next((i for i in range(start + 1, end) if _THEME_LINE.match(lines[i])), None)
    if at is None:
        lines.insert(start + 1, line)
    else:
        lines[at] = line
    return "\n".join(lines) + "\n"


def save_ui_theme(path: Path, theme: str) -> None:
    """Write ``[ui] theme`` into the configuration file (atomically, its mode kept); OSError or
    ValueError when it cannot be."""
    text = path.read_text(encoding="utf-8")
    new = with_ui_theme(text, theme)
    tomllib.loads(new)  # never leave a file the next start cannot read
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class KeysMixin(DirektBase):
    """Bindings from the key table, the keymap, the palette, the help screen and the theme."""

    _saved_theme: str | None = None

    def _apply_key_settings(self) -> None:
        """On mount: ``[keys]`` as the keymap, ``[ui] theme`` as the theme."""
        keymap = dict(self.config.keys)
        unknown = sorted(k for k in keymap if k not in keys.BY_ID or not keys.BY_ID[k].bound)
        if unknown:
            self.notify(i18n.t("keys.unknown", self.lang, ids=", ".join(unknown)), severity="warning", timeout=10)
        if keymap:
            self.set_keymap({k: v for k, v in keymap.items() if k not in unknown})
        theme = self.config.ui.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            self.notify(i18n.t("theme.unknown", self.lang, theme=theme), severity="warning", timeout=10)
        self._saved_theme = self.theme

    def watch_theme(self, theme: str) -> None:
        if self._saved_theme is None or theme == self._saved_theme:
            return  # not mounted yet, or the theme it started with
        self._saved_theme = theme
        if self.config.source is not None:
            self._save_theme(self.config.source, theme)

    @work(thread=True, group="settings")
    def _save_theme(self, path: Path, theme: str) -> None:
        try:
            save_ui_theme(path, theme)
        except (OSError, ValueError) as exc:
            self.call_from_thread(self.notify, i18n.t("theme.not_saved", self.lang, why=str(exc)), severity="warning")

    def _translate_bindings(self) -> None:
        """This app's own bindings with the key table's labels in its language (a new map: the
        class's lists are shared by every instance, and two apps may speak two languages)."""

        def one(b: Binding) -> Binding:
            spec = keys.BY_ID.get(b.id or "")
            if spec is not None and spec.label:
                return dataclasses.replace(b, description=i18n.t(spec.label, self.lang))
            return b

        self._bindings = BindingsMap.from_keys(
            {k: [one(b) for b in bs] for k, bs in self._bindings.key_to_bindings.items()}
        )
        translate_bindings(self, self.lang)  # Textual's own ("palette")

    def action_command_palette(self) -> None:
        open_command_palette(self, self.lang)  # type: ignore[arg-type]  # the search field's placeholder in our language

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.lang, keys.live_keys(self._keymap)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette, from the key table: every action with its live key."""
        T = i18n.translator(self.lang)
        shown = keys.live_keys(self._keymap)
        why = self.writes_denied()
        later: list[SystemCommand] = []
        for spec in keys.palette_rows(self.demo is not None):
            assert spec.palette is not None
            title = T(spec.palette, **self._palette_kwargs(spec))
            run = functools.partial(self._run_key_action, spec.action)
            if spec.writes and why is not None:
                # unavailable: the reason in the help, not the title (typing "drift" in an outage
                # must not find a disabled command first), and listed after the others
                later.append(SystemCommand(title, T("cmd.unavailable_help", keys=shown[spec.id], why=why), run))
                continue
            yield SystemCommand(title, shown[spec.id], run)
        yield from later
        yield from super().get_system_commands(screen)

    def _palette_kwargs(self, spec: keys.KeySpec) -> dict[str, str]:
        """The values a parametrised palette title names (the checklist, the panel)."""
        _, name, params = parse_action(spec.action)
        if name == "checklist":
            from ..domain.checklists import checklist_title

            return {"title": checklist_title(str(params[0]), self.lang)}
        if name == "focus_panel":
            return {"panel": i18n.t(f"panel.{params[0]}", self.lang)}
        return {}

    def _run_key_action(self, action: str) -> Any:
        _, name, params = parse_action(action)
        return getattr(self, f"action_{name}")(*params)
