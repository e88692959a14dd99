"""The API token: from ``DIREKT_API_TOKEN`` or ``api.token_file``, never logged, stored, put in
an exception message or shown by a ``repr``; a token file that group or others may access is
refused (``chmod 600``), as ssh does with private keys."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from .errors import ClientConfigError

TOKEN_ENV = "DIREKT_API_TOKEN"


class Secret:
    """A string that does not show itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __reduce__(self):  # never pickled along with anything
        raise TypeError("a secret cannot be pickled")


def load_token(token_file: Path | None, env: Mapping[str, str] | None = None) -> Secret | None:
    """The API token: ``DIREKT_API_TOKEN`` first, else the configured ``token_file``."""
    env = os.environ if env is None else env
    value = env.get(TOKEN_ENV, "").strip()
    if value:
        return Secret(value)
    if token_file is not None:
        try:
            # the mode of the file that is read (fstat of the open file: no swap in between)
            with open(token_file, "rb") as fh:
                mode = os.fstat(fh.fileno()).st_mode
                if stat.S_ISREG(mode) and mode & 0o077:
                    raise ClientConfigError(
                        f"the API token file {token_file} is accessible by group or others "
                        f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {token_file}"
                    )
                raw = fh.read(64 * 1024)
            text = raw.decode("utf-8").strip()
        except OSError as exc:
            raise ClientConfigError(f"cannot read the API token file {token_file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ClientConfigError(f"the API token file {token_file} is not text") from None
        if not text:
            raise ClientConfigError(f"the API token file {token_file} is empty")
        if any(c.isspace() for c in text):
            raise ClientConfigError(f"the API token file {token_file} must hold one token on one line")
        return Secret(text)
    return None


__all__ = ["TOKEN_ENV", "Secret", "load_token"]
