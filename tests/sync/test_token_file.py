"""A token file readable by group or others is refused with one line naming the file and the fix
(``chmod 600``), as ssh does with private keys (issue 10 §6).

The check reads the file's mode bits (``fstat``), not whether the process may read it, so it
holds for root too (root ignores permissions, not mode bits)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from direkt_tui.sync.client import ClientConfigError, load_token

ROOT = Path(__file__).resolve().parents[2]
SECRET = "tok-3f9a-very-secret"


def token_file(tmp_path: Path, mode: int) -> Path:
    p = tmp_path / "token"
    p.write_text(SECRET + "\n", encoding="utf-8")
    os.chmod(p, mode)
    return p


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606, 0o777])
def test_a_token_file_open_to_group_or_others_is_refused(tmp_path, mode):
    p = token_file(tmp_path, mode)
    with pytest.raises(ClientConfigError) as exc:
        load_token(p, env={})
    message = str(exc.value)
    assert str(p) in message and "chmod 600" in message and f"{mode:04o}" in message
    assert "\n" not in message and SECRET not in message


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_private_token_file_is_read(tmp_path, mode):
    secret = load_token(token_file(tmp_path, mode), env={})
    assert secret is not None and secret.reveal() == SECRET


def test_the_environment_token_wins_and_the_file_is_not_checked(tmp_path):
    secret = load_token(token_file(tmp_path, 0o644), env={"DIREKT_API_TOKEN": "from-env"})
    assert secret is not None and secret.reveal() == "from-env"


def test_sync_with_an_open_token_file_exits_2_with_one_line(tmp_path):
    p = token_file(tmp_path, 0o644)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[api]\ntoken_file = "{p}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DIREKT_API_TOKEN"}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "direkt_tui.cli", "sync", "--once", "--config", str(cfg),
                        "--api", "http://127.0.0.1:9/api/v1", "--db", str(tmp_path / "s.db")],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and str(p) in lines[0] and f"chmod 600 {p}" in lines[0], r.stderr
    assert SECRET not in r.stderr + r.stdout
