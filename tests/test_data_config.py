"""data/: the example configuration names every key the program reads, with its default, and
loads with the real loader; the systemd unit runs ``direkt-tui sync --watch`` as its own user on
a group-readable store directory."""

from __future__ import annotations

import configparser
import re
import shlex
from dataclasses import MISSING, fields, is_dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from direkt_tui.cli import build_parser
from direkt_tui.config import Config, ConfigError, load_config
from direkt_tui.domain.params import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "config.toml"
UNIT_FILE = ROOT / "data" / "direkt-tui-sync.service"

# the one documented difference from the defaults: a per-unit override, to show the syntax
EXAMPLE_UNIT = "vc-exempel"
EXAMPLE_UNIT_RULES = {"shift_end_warning_minutes": 45}

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]\s*(#.*)?$")
_KEY = re.compile(r"^(?P<comment>#\s*)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=")


def _default(f: Any) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return MISSING


def _scan(text: str) -> dict[str, dict[str, tuple[bool, bool]]]:
    """section -> key -> (commented out, documented by a comment above or beside it)."""
    out: dict[str, dict[str, tuple[bool, bool]]] = {}
    section = ""
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        line = raw.strip()
        if m := _SECTION.match(line):
            section = m["name"].replace('"', "")
            out.setdefault(section, {})
            continue
        m = _KEY.match(line)
        if not m:
            continue
        commented = m["comment"] is not None
        documented = not commented and re.search(r"\s#\s", line) is not None  # a comment beside it
        j = i - 1
        while j >= 0 and _KEY.match(lines[j].strip()) and lines[j].strip().startswith("#"):
            j -= 1  # a group of commented-out keys shares the comment above it
        documented = documented or (j >= 0 and lines[j].strip().startswith("#") and not _KEY.match(lines[j].strip()))
        out.setdefault(section, {})[m["key"]] = (commented, documented)
    return out


def _sections() -> list[tuple[str, type]]:
    """Every table of the configuration and the dataclass it fills, from ``Config`` itself (a
    new section in the program is a new row here, and must appear in the example)."""
    out: list[tuple[str, type]] = []
    defaults = Config()
    for f in fields(Config):
        if f.name == "source":  # where the file was read from, not a key
            continue
        if f.name in ("unit_rules", "keys"):  # [units."ID".rules] and [keys]: tables of ids, tested below
            continue
        value = getattr(defaults, f.name)
        assert is_dataclass(value), f"Config.{f.name} is a new kind of section: teach this test about it"
        out.append((f.name, type(value)))
    return out


def test_the_example_loads_with_the_real_loader_and_holds_the_defaults():
    cfg = load_config(EXAMPLE)
    expected = replace(Config(), source=EXAMPLE, unit_rules={EXAMPLE_UNIT: DEFAULTS.with_overrides(EXAMPLE_UNIT_RULES)})
    assert cfg == expected
    assert cfg.rules == DEFAULTS


@pytest.mark.parametrize("section,cls", _sections(), ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_every_field_is_in_the_example_and_explained(section, cls):
    found = _scan(EXAMPLE.read_text(encoding="utf-8"))
    assert section in found, f"[{section}] is missing from data/config.toml"
    keys = found[section]
    for f in fields(cls):
        assert f.name in keys, f"[{section}] {f.name} is read by the program but missing from data/config.toml"
        commented, documented = keys[f.name]
        assert documented, f"[{section}] {f.name} has no comment saying what it is"
        if _default(f) is not None:
            assert not commented, f"[{section}] {f.name} has a default: set it to the default, not commented out"
    unknown = set(keys) - {f.name for f in fields(cls)}
    assert not unknown, f"[{section}] data/config.toml names keys the program does not read: {sorted(unknown)}"


def test_every_rule_parameter_can_be_set_per_unit():
    found = _scan(EXAMPLE.read_text(encoding="utf-8"))
    assert set(found[f"units.{EXAMPLE_UNIT}.rules"]) == set(EXAMPLE_UNIT_RULES)
    cfg = load_config(EXAMPLE)
    assert cfg.params_for(EXAMPLE_UNIT).shift_end_warning_minutes == 45
    assert cfg.params_for("any-other-unit") == DEFAULTS


def test_at_risk_fraction_is_set_globally_and_per_unit_within_zero_and_one(tmp_path):
    """domain.md §4b: ``at_risk_fraction`` (default 0.75) is a rule parameter like the others."""
    p = tmp_path / "config.toml"
    p.write_text('[rules]\nat_risk_fraction = 0.8\n[units."vc-a".rules]\nat_risk_fraction = 0.5\n', encoding="utf-8")
    cfg = load_config(p)
    assert cfg.params_for("vc-a").at_risk_fraction == 0.5 and cfg.params_for("vc-b").at_risk_fraction == 0.8
    for bad in ("0", "1.5", "-0.25", "nan", "true", '"0.5"'):
        p.write_text(f"[rules]\nat_risk_fraction = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="at_risk_fraction"):
            load_config(p)


def test_the_commented_out_examples_are_valid_too(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    uncommented = re.sub(r"(?m)^# (?=[A-Za-z_][A-Za-z0-9_]* = )", "", text)
    assert uncommented != text
    p = tmp_path / "config.toml"
    p.write_text(uncommented, encoding="utf-8")
    cfg = load_config(p)
    for section, cls in _sections():
        value = getattr(cfg, section)
        for f in fields(cls):
            if _default(f) is None:
                assert getattr(value, f.name) is not None, f"[{section}] {f.name} has no example value"
    assert isinstance(cfg.api.token_file, Path) and isinstance(cfg.audit.key_file, Path)
    assert "~" not in str(cfg.audit.key_file)


class _UnitFile(configparser.ConfigParser):
    def optionxform(self, optionstr: str) -> str:  # systemd's keys are case-sensitive
        return optionstr


def _unit() -> configparser.ConfigParser:
    parser = _UnitFile(interpolation=None, strict=False, delimiters=("=",))
    parser.read_string(UNIT_FILE.read_text(encoding="utf-8"))
    return parser


def test_the_sync_service_runs_sync_watch_as_its_own_user():
    unit = _unit()
    service = unit["Service"]
    assert service.get("User") not in (None, "", "root", "0")
    argv = shlex.split(service["ExecStart"])
    assert PurePosixPath(argv[0]).name == "direkt-tui"
    args = build_parser("sync").parse_args(argv[1:])  # the real command line parser
    assert args.command == "sync" and args.watch and not args.once
    assert args.db is not None and args.config is not None
    assert "WantedBy" in unit["Install"]


def test_the_store_lies_in_a_group_readable_directory_of_the_service():
    service = _unit()["Service"]
    argv = shlex.split(service["ExecStart"])
    db = PurePosixPath(argv[argv.index("--db") + 1])
    state = PurePosixPath("/var/lib") / service["StateDirectory"]
    assert db.parent == state
    mode = int(service["StateDirectoryMode"], 8)
    assert mode & 0o050 == 0o050, "the group (the coordinators) can list and read the directory"
    assert mode & 0o007 == 0, "others cannot"
    assert mode & 0o020 == 0, "the group cannot write there"
    assert int(service["UMask"], 8) & 0o007 == 0o007


def test_keys_has_examples_of_real_key_ids(tmp_path):
    from direkt_tui.ui.keys import BY_ID

    found = _scan(EXAMPLE.read_text(encoding="utf-8"))
    assert "keys" in found and found["keys"], "[keys] is read by the program but has no example in data/config.toml"
    assert all(commented and documented for commented, documented in found["keys"].values())
    text = re.sub(r"(?m)^# (?=[A-Za-z_][A-Za-z0-9_]* = )", "", EXAMPLE.read_text(encoding="utf-8"))
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    keys = load_config(p).keys
    assert keys and set(keys) <= set(BY_ID), sorted(set(keys) - set(BY_ID))
