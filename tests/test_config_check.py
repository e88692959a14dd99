"""`direkt-tui config check` reports every problem with its key and line, then the effective
values with their source; never the token. `direkt-tui paths` names where things live."""

from __future__ import annotations

import io
from argparse import Namespace

from direkt_tui import configcheck

BAD = """\
[api]
url = "http://127.0.0.1:8024/api/v1"
read_timeout = inf
deadline = "soon"

[sync]
page_size = 5000

[rules]
stale_after_minutes = 10
at_risk_fraction = 2

[ui]
lang = "de"

[colours]
x = 1
y = 2
"""

GOOD = """\
[api]
url = "https://platform.example/api/v1"
token_file = "/etc/direkt/token"

[rules]
stale_after_minutes = 10

[units.vc-ryd.rules]
close_warning_minutes = 90
"""


def _run(tmp_path, text, env=None, monkeypatch=None):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = configcheck.run_config_check(Namespace(config=path), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_every_problem_with_its_line(tmp_path):
    code, out, err = _run(tmp_path, BAD)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[-1] == f"6 problems in {tmp_path / 'config.toml'}"
    body = "\n".join(lines)
    assert "line 3:" in body and "read_timeout must be a positive number" in body
    assert "line 4:" in body and "deadline" in body
    assert "line 7:" in body and "page_size" in body
    assert "line 11:" in body and "at_risk_fraction" in body
    assert "line 14:" in body and 'lang must be "sv" or "en"' in body
    assert "line 16:" in body and "unknown section [colours]" in body
    assert "stale_after_minutes" not in body  # the good key is not a problem


def test_effective_values_and_sources_never_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("DIREKT_API_TOKEN", "s3cret-token-value")
    code, out, err = _run(tmp_path, GOOD)
    assert code == 0, err
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert rows["api.url"].endswith('"https://platform.example/api/v1"  [file, line 2]')
    assert rows["api.read_timeout"].endswith("10.0  [default]")
    assert rows["rules.stale_after_minutes"].endswith("10  [file, line 6]")
    assert rows["rules.close_warning_minutes"].endswith("60  [default]")
    assert rows["units.vc-ryd.rules.close_warning_minutes"].endswith("90  [file, line 9]")
    assert rows["api.token"].endswith("set (not shown)  [environment DIREKT_API_TOKEN]")
    assert "s3cret" not in out and "s3cret" not in err


def test_no_file_is_every_default(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("DIREKT_API_TOKEN", raising=False)
    out = io.StringIO()
    assert configcheck.run_config_check(Namespace(config=None), out=out) == 0
    text = out.getvalue()
    assert text.startswith("No configuration file at ") and "[file" not in text
    assert "api.token" in text and "none  [default]" in text


def test_invalid_toml_is_one_line(tmp_path):
    code, out, err = _run(tmp_path, "[api\nurl = 1\n")
    assert code == 1 and "invalid TOML" in err and "line 1" in err


def test_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    out = io.StringIO()
    assert configcheck.run_paths(Namespace(), out=out) == 0
    rows = dict(line.split("  ", 1) for line in out.getvalue().splitlines())
    assert rows["configuration"].strip().startswith(str(tmp_path / "c" / "direkt-tui" / "config.toml"))
    assert rows["store"].strip().startswith(str(tmp_path / "d" / "direkt-tui" / "direkt.db"))
    assert rows["audit key"].strip().startswith(str(tmp_path / "c" / "direkt-tui" / "audit.key"))
    assert "(not yet created)" in rows["store"]
