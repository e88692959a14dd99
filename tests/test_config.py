"""The TOML configuration: defaults, per-unit overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from direkt_tui.config import Config, ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_missing_default_file_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing"))
    cfg = load_config()
    assert cfg == Config()
    assert cfg.params_for("any").response_limits["3"] == 180


def test_named_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_full_configuration(tmp_path):
    cfg = load_config(write(tmp_path, """
[api]
url = "https://adapter.example/api/v1"
token_file = "~/token"
deadline = 12.5

[sync]
feed_interval_seconds = 10
retention_days = 60

[rules]
response_limits = { "1" = 10, admin = 600 }
shift_end_warning_minutes = 45

[units."vc-a".rules]
close_warning_minutes = 90

[fallback]
stod_och_service_phone = "010-000 00 00"
inera_phone = "0771-000 000"

[ui]
lang = "en"
bell = true
"""))
    assert cfg.api.url == "https://adapter.example/api/v1" and cfg.api.deadline == 12.5
    assert cfg.api.token_file is not None and cfg.api.token_file.name == "token" and "~" not in str(cfg.api.token_file)
    assert cfg.sync.feed_interval_seconds == 10 and cfg.sync.retention_days == 60
    assert cfg.rules.response_limits == {"1": 10, "2": 60, "3": 180, "4": 300, "5": 480, "admin": 600}
    a, b = cfg.params_for("vc-a"), cfg.params_for("vc-b")
    assert a.close_warning_minutes == 90 and b.close_warning_minutes == 60
    # unit overrides build on the [rules] defaults
    assert a.shift_end_warning_minutes == 45 and a.response_limits["1"] == 10
    assert cfg.fallback.inera_phone == "0771-000 000"
    assert cfg.ui.lang == "en" and cfg.ui.bell is True


@pytest.mark.parametrize("text,needle", [
    ("[api\nurl=1", "invalid TOML"),
    ("[nonsense]\n", "unknown section"),
    ("[api]\nurl = 5\n", "must be a string"),
    ("[sync]\nfeed_interval_seconds = -1\n", "positive"),
    ("[sync]\nbogus = 1\n", "unknown key"),
    ("[rules]\nresponse_limits = { \"3\" = 0 }\n", "positive"),
    ("[ui]\nlang = \"de\"\n", "lang"),
    ("[units.x]\nrules = 3\n", "must be a table"),
])
def test_bad_configuration_says_what_and_where(tmp_path, text, needle):
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert needle in str(exc.value) and "config.toml" in str(exc.value)
