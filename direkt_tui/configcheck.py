"""``direkt-tui config check`` and ``direkt-tui paths``.

``config check`` validates a configuration file the way every command reads it, but reports
*every* problem (each with its section, key and line) instead of stopping at the first, and
then prints the effective values with where each comes from: ``default``, ``file`` (with its
line) or ``environment``. The API token is never printed, only whether one is set and where.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, TextIO

from .config import SECTIONS, Config, ConfigError, config_from_data, default_config_path, default_db_path

TOKEN_ENV = "DIREKT_API_TOKEN"
_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _lines(text: str) -> dict[tuple[str, ...], int]:
    """Line number of every ``key =`` by its path (table + key), and of every table header."""
    out: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for n, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            table = tuple(part.strip().strip('"') for part in m.group(1).split("."))
            out.setdefault(table, n)
            continue
        m = _KEY.match(line)
        if m:
            key = tuple(part.strip().strip('"').strip("'") for part in m.group(1).split("."))
            out.setdefault(table + key, n)
    return out


def _leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every setting as (path, value); a rule table (response_limits) and a list stay whole."""
    for key, value in data.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and key != "response_limits" and len(path) < 4:
            yield from _leaves(value, path)
        else:
            yield path, value


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    d: Any = value
    for part in reversed(path):
        d = {part: d}
    return d


def check(path: Path) -> tuple[list[str], Config | None, dict[tuple[str, ...], int]]:
    """(every problem, the configuration when there is none, line of each key) of ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [f"{path}: not found"], None, {}
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: cannot read: {exc}"], None, {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [f"{path}: invalid TOML: {exc}"], None, {}
    lines = _lines(text)
    problems: list[str] = []
    unknown: set[str] = set()
    for leaf, value in _leaves(data):
        if leaf[0] not in SECTIONS:  # an unknown section: one problem, not one per key
            if leaf[0] in unknown:
                continue
            unknown.add(leaf[0])
            leaf, value = leaf[:1], {}
        try:
            config_from_data(_nest(leaf, value), str(path))
        except ConfigError as exc:
            line = next((lines[leaf[:i]] for i in range(len(leaf), 0, -1) if leaf[:i] in lines), None)
            why = str(exc).removeprefix(str(path)).lstrip(": ").strip()
            problems.append(f"line {line if line is not None else '?'}: {why}")
    if problems:
        return problems, None, lines
    try:
        cfg = config_from_data(data, str(path), path)
    except ConfigError as exc:  # a problem only the whole file has
        return [str(exc)], None, lines
    return [], cfg, lines


def effective(cfg: Config, data_keys: dict[tuple[str, ...], int], env: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(key, value, source) of every setting in effect; never the token."""
    rows: list[tuple[str, str, str]] = []

    def src(path: tuple[str, ...]) -> str:
        return f"file, line {data_keys[path]}" if path in data_keys else "default"

    for section in ("api", "sync", "fallback", "ui", "user", "audit", "forecast"):
        obj = getattr(cfg, section)
        for f in fields(obj):
            rows.append((f"{section}.{f.name}", _show(getattr(obj, f.name)), src((section, f.name))))
    token_file = cfg.api.token_file
    if env.get(TOKEN_ENV):
        rows.append(("api.token", "set (not shown)", f"environment {TOKEN_ENV}"))
    elif token_file is not None:
        rows.append(("api.token", f"read from {token_file} (not shown)", src(("api", "token_file"))))
    else:
        rows.append(("api.token", "none", "default"))
    if cfg.api.ca_bundle is None:  # the client's order (sync/client.py): FILE, else DIR, else certifi
        var = next((v for v in ("SSL_CERT_FILE", "SSL_CERT_DIR") if env.get(v)), None)
        if var:
            rows.append(("api.ca (TLS)", env[var], f"environment {var}"))
        else:
            rows.append(("api.ca (TLS)", "certifi's bundle", "default"))
    for f in fields(cfg.rules):
        rows.append((f"rules.{f.name}", _show(getattr(cfg.rules, f.name)), src(("rules", f.name))))
    for unit_id, params in sorted(cfg.unit_rules.items()):
        for f in fields(params):
            path = ("units", unit_id, "rules", f.name)
            if path in data_keys:
                rows.append((f"units.{unit_id}.rules.{f.name}", _show(getattr(params, f.name)), src(path)))
    for key_id, key in sorted(cfg.keys.items()):
        rows.append((f"keys.{key_id}", key, src(("keys", key_id))))
    return rows


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if is_dataclass(value):
        return type(value).__name__
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def run_config_check(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    explicit = getattr(args, "config", None)
    path = Path(explicit) if explicit else default_config_path()
    if not explicit and not path.exists():
        cfg = Config()
        out.write(f"No configuration file at {path}: every value is its default.\n\n")
        problems: list[str] = []
        lines: dict[tuple[str, ...], int] = {}
    else:
        problems, maybe, lines = check(path)
        if problems:
            for p in problems:
                err.write(f"direkt-tui config check: {p if p.startswith(str(path)) else f'{path}: {p}'}\n")
            err.write(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {path}\n")
            return 1
        assert maybe is not None
        cfg = maybe
        out.write(f"{path}: valid.\n\n")
    rows = effective(cfg, lines, os.environ)
    width = max(len(k) for k, _, _ in rows)
    for key, value, source in rows:
        out.write(f"{key:<{width}}  {value}  [{source}]\n")
    return 0


def paths_rows() -> list[tuple[str, Path]]:
    from .launch import demo_reports_dir, reports_dir_for
    from .store.auditkey import default_key_path

    return [
        ("configuration", default_config_path()),
        ("store", default_db_path()),
        ("audit key", default_key_path()),
        ("reports", reports_dir_for(default_db_path())),
        ("demo reports", demo_reports_dir()),
    ]


def run_paths(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    rows = paths_rows()
    width = max(len(k) for k, _ in rows)
    for name, p in rows:
        out.write(f"{name:<{width}}  {p}{'' if p.exists() else '  (not yet created)'}\n")
    return 0
