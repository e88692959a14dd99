"""The conventions of a real command-line tool: --version, python -m direkt_tui, completion
scripts from the real parser, paths, config check — each through the installed command."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "direkt-tui"
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "direkt_tui"]


def _run(*args: str, cmd=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*(cmd or CMD), *args], capture_output=True, text=True, timeout=60, **kw)


def test_version_and_python_m_are_the_same_command():
    want = f"direkt-tui {version('direkt-tui')}"
    assert _run("--version").stdout.strip() == want
    assert _run("--version", cmd=[sys.executable, "-m", "direkt_tui"]).stdout.strip() == want
    p = _run("paths", cmd=[sys.executable, "-m", "direkt_tui"])
    assert p.returncode == 0 and "store" in p.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_know_every_subcommand_and_their_flags(shell):
    p = _run("completion", shell)
    assert p.returncode == 0, p.stderr
    for word in ("report", "sync", "calllist", "check-api", "serve", "paths", "--fail-on", "--allow-writes",
                 "--scenario", "--writes"):
        spelled = f"-l {word[2:]}" if shell == "fish" and word.startswith("--") else word
        assert spelled in p.stdout, (shell, word)


def test_bash_completion_is_valid_bash(tmp_path):
    script = tmp_path / "c.bash"
    script.write_text(_run("completion", "bash").stdout)
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0


def test_config_check_and_paths_from_the_command_line(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("[sync]\npage_size = 0\n[ui]\nlang = \"fi\"\n")
    p = _run("config", "check", "--config", str(bad))
    assert p.returncode == 1 and "line 2:" in p.stderr and "line 4:" in p.stderr
    assert p.stderr.splitlines()[-1] == f"2 problems in {bad}"
    p = _run("config")
    assert p.returncode == 2 and "check" in p.stderr  # `config` alone: which subcommand, in one line


def test_a_bad_outage_window_is_refused_before_the_demo_starts():
    p = _run("demo", "--outage", "9:30")
    assert p.returncode == 2 and "invalid_control" not in p.stderr
    assert p.stderr.strip().endswith("not a window: '9:30' (use HH:MM-HH:MM, e.g. 09:30-09:45)")
