"""The audit chain's key: 32 random bytes in a file outside the store.

The entries of the audit log are chained with HMAC-SHA-256 under this key (``store.actions``),
so someone who can write the store but not read this file cannot rewrite an entry and
recompute the chain. The file lives in the user's configuration directory (``audit.key``
beside ``config.toml``; ``[audit] key_file`` in the configuration names another place) and is
created on first use:

- race-free: the key is written to a private temporary file (``O_CREAT|O_EXCL``, 0600) and
  linked into place, so two processes starting at once end up with the same complete key and
  nobody ever reads a half-written one; the directory is created 0700;
- a key file that its group or others may read or write is refused (one line naming the file
  and ``chmod 600``), and so is one that is not a key (64 hexadecimal digits);
- the key is never printed or logged: messages name the file, and the store keeps only a
  short key *id* (an HMAC of a constant), never the key.

The process uses one key file (:func:`configure` sets it, from the configuration); the key is
read once and kept in memory.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import secrets
import stat
import threading
import time
from pathlib import Path

import platformdirs

from ..config import APP, ConfigError

KEY_BYTES = 32
FILE_NAME = "audit.key"


class AuditKeyError(ConfigError):
    """The key file cannot be used (refused, unreadable, not a key, missing when needed)."""


def default_key_path() -> Path:
    """``audit.key`` in the user's configuration directory (beside ``config.toml``)."""
    return Path(platformdirs.user_config_dir(APP)) / FILE_NAME


_lock = threading.Lock()
_path: Path | None = None
_cache: dict[Path, tuple[bytes, str]] = {}


def configure(path: str | os.PathLike[str] | None) -> None:
    """Use the key file at ``path`` in this process (None: the default place)."""
    global _path
    with _lock:
        _path = Path(path).expanduser() if path is not None else None
        _cache.clear()


def configure_from(cfg: object) -> Path:
    """Use the key file the configuration names (``[audit] key_file``), and refuse at once an
    existing one that cannot be used (so a bad file stops the program at start, not at its
    first audited action). Returns the path in use."""
    audit = getattr(cfg, "audit", None)
    configure(getattr(audit, "key_file", None))
    path = key_path()
    load_key(path, create=False)
    return path


def key_path() -> Path:
    return _path if _path is not None else default_key_path()


def key_id(key: bytes) -> str:
    """A short, public name of a key (what the store keeps to tell keys apart)."""
    return hmac.new(key, b"direkt-tui audit key id", hashlib.sha256).hexdigest()[:16]


def current_key() -> tuple[bytes, str]:
    """The key of this process and its id, creating the key file on first use."""
    path = key_path()
    with _lock:
        hit = _cache.get(path)
    if hit is not None:
        return hit
    key = load_key(path, create=True)
    assert key is not None
    value = (key, key_id(key))
    with _lock:
        _cache[path] = value
    return value


def existing_key(path: Path | None = None) -> tuple[bytes, str] | None:
    """The key and its id when the key file exists (never creates it), else None."""
    path = path or key_path()
    with _lock:
        hit = _cache.get(path)
    if hit is not None:
        return hit
    key = load_key(path, create=False)
    return (key, key_id(key)) if key is not None else None


def load_key(path: Path, *, create: bool) -> bytes | None:
    """Read the key at ``path``; create it first when it is missing and ``create``. Returns
    None when it is missing and not created. Raises :class:`AuditKeyError`."""
    try:
        return _read(path)
    except FileNotFoundError:
        if not create:
            return None
    _create(path)
    try:
        return _read(path)
    except FileNotFoundError:  # removed in between: say so rather than loop
        raise AuditKeyError(f"the audit key file {path} disappeared while it was being created") from None


def _refused_mode(path: Path, mode: int) -> AuditKeyError:
    return AuditKeyError(
        f"the audit key file {path} may be read or changed by others "
        f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
    )


def _read(path: Path) -> bytes:
    for attempt in range(50):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise AuditKeyError(f"the audit key file {path} cannot be read: {exc.strerror or exc}") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise AuditKeyError(f"the audit key file {path} is not a regular file")
            if st.st_mode & 0o077:
                raise _refused_mode(path, st.st_mode)
            data = os.read(fd, 4096)
        except OSError as exc:
            raise AuditKeyError(f"the audit key file {path} cannot be read: {exc.strerror or exc}") from None
        finally:
            os.close(fd)
        if not data and st.st_size == 0 and attempt < 49:
            # created by the direct fallback of another process that has not written it yet
            time.sleep(0.02)
            continue
        text = data.decode("ascii", "replace").strip()
        if len(text) != 2 * KEY_BYTES or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise AuditKeyError(
                f"the audit key file {path} does not hold a direkt-tui audit key ({2 * KEY_BYTES} hexadecimal digits)"
            )
        return bytes.fromhex(text)
    raise AuditKeyError(f"the audit key file {path} is empty")  # pragma: no cover - the loop returns or raises


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    os.fchmod(fd, 0o600)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _create(path: Path) -> None:
    """Create the key file without a race: a complete private temporary file linked into
    place (``link`` never replaces), or, where hard links are not available, ``O_EXCL`` on
    the file itself. Whoever loses the race uses the winner's key."""
    parent = path.parent
    try:
        if not parent.exists():
            parent.mkdir(parents=True, mode=0o700, exist_ok=True)
            os.chmod(parent, 0o700)
    except OSError as exc:
        raise AuditKeyError(f"cannot create the directory {parent} for the audit key: {exc.strerror or exc}") from None
    data = (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    tmp = parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise AuditKeyError(f"cannot create the audit key file {path}: {exc.strerror or exc}") from None
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return  # another process was first: its key is the key
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise AuditKeyError(f"cannot create the audit key file {path}: {exc.strerror or exc}") from None
            _create_direct(path, data, flags)
    except OSError as exc:
        raise AuditKeyError(f"cannot create the audit key file {path}: {exc.strerror or exc}") from None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    _fsync_dir(parent)


def _create_direct(path: Path, data: bytes, flags: int) -> None:
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)
