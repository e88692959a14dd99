"""``direkt-tui sync --once`` / ``--watch`` (shared/spec/cli.md).

Exit codes: 0 success; 1 the sync failed (network, server, …) — one line on stderr; 2 an
unusable store (damaged, full disk, read-only file system), configuration or credentials — one
line on stderr; 130 interrupted. Never a traceback.

``-v`` names, on stderr, the API, the store and where the TLS CA certificates come from
(``api.ca_bundle``, else ``SSL_CERT_FILE``/``SSL_CERT_DIR``, else certifi), and logs the sync's
progress at INFO.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..config import DEFAULT_API, default_db_path
from ..domain.text import install_log_sanitizer, log
from ..faults import STORE_FAULTS, fault_text
from ..store.db import Store, StoreError
from .client import ApiClient, ClientConfigError
from .engine import CycleResult, SyncAuthError, SyncEngine, SyncError, SyncStopped

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

PREFIX = "direkt-tui sync"
# a damaged, full or read-only store: one line and exit 2 (a named tuple, so the type checker sees the classes)
_STORE_FAILURES: tuple[type[BaseException], ...] = (StoreError, *STORE_FAULTS)


def _say(stream: TextIO, text: str) -> None:
    # one line; a server's problem detail or a name in it is shown, never obeyed (domain.text.log)
    stream.write(log(" ".join(text.split())) + "\n")
    stream.flush()


def _stamp() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def status_line(result: CycleResult | None, error: BaseException | None) -> str:
    """One line per cycle for ``--watch``."""
    if error is not None:
        return f"{_stamp()} FAILED {error}"
    if result is None:
        return f"{_stamp()} waiting (the server asked to retry later)"
    return f"{_stamp()} ok in {result.duration:.1f} s; {result.summary()}"


def run_sync(
    args: Any, cfg: Any, *, stdout: TextIO | None = None, stderr: TextIO | None = None, **engine_options: Any
) -> int:
    """``direkt-tui sync``: ``args`` has ``db``, ``api``, ``once``, ``watch`` (see cli.md);
    ``engine_options`` go to :class:`SyncEngine` (tests, embedding)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if not logging.getLogger().handlers:
        # library logs (retries, quarantine) go to stderr at WARNING; the token is never logged
        logging.basicConfig(level=logging.WARNING, format="direkt-tui: %(levelname)s %(message)s", stream=err)
        install_log_sanitizer()  # log arguments carry platform text: no control character reaches stderr
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # "skipped: maximum number of running instances reached" is expected while a run is slow
        logging.getLogger("apscheduler").setLevel(logging.ERROR)

    verbose = int(getattr(args, "verbose", 0) or 0)
    if verbose:
        logging.getLogger("direkt_tui").setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
    db = getattr(args, "db", None) or default_db_path()
    base_url = getattr(args, "api", None) or cfg.api.url
    unconfigured = not getattr(args, "api", None) and cfg.api.url == DEFAULT_API
    try:
        client = ApiClient.from_config(cfg.api, base_url=base_url)
    except ClientConfigError as exc:
        _say(err, f"{PREFIX}: error: {exc}")
        return EXIT_USAGE
    if verbose:
        _say(err, f"{PREFIX}: API {client.base_url}; store {db}")
        _say(err, f"{PREFIX}: TLS CA certificates: {client.ca_source}")
    existed = Path(db).exists()
    discard = False
    try:
        try:
            store = Store(db)
        except StoreError as exc:
            _say(err, f"{PREFIX}: error: {exc}")
            return EXIT_USAGE
        except STORE_FAULTS as exc:
            _say(err, f"{PREFIX}: error: {fault_text(exc, db)}")
            return EXIT_USAGE
        with store:
            faults: list[BaseException] = []
            if "on_synced" not in engine_options:
                from .recorder import Recorder

                engine_options["on_synced"] = Recorder(store, cfg, on_store_fault=faults.append)
            engine = SyncEngine(store, client, cfg, **engine_options)
            if getattr(args, "watch", False):
                return _watch(engine, cfg, out, err, faults)
            code = _once(engine, out, err, faults, api=_api_text(client.base_url, unconfigured))
            # a first sync that failed before anything was stored leaves no empty store behind
            discard = code != EXIT_OK and not existed and store_is_empty(store)
            return code
    finally:
        client.close()
        if discard:
            discard_store_file(Path(db))


def _api_text(url: str, unconfigured: bool) -> str:
    if unconfigured:
        return (
            f"API {url}: no [api] url is configured, this is the default; pass --api URL or set it in the configuration"
        )
    return f"API {url}"


def store_is_empty(store: Store) -> bool:
    """Nothing synced into ``store`` yet: no sync recorded, no unit, no case."""
    try:
        return store.data_as_of() is None and store.count("units") == 0 and store.count("cases") == 0
    except Exception:  # a store that cannot even say: keep it
        return False


def discard_store_file(path: Path) -> None:
    """Remove a store file this process created and left empty (with its -wal/-shm)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(f"{path}{suffix}").unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:  # not ours to fight over: say nothing, keep it
            logging.getLogger("direkt_tui.sync").debug("cannot remove %s: %s", path, exc)


def _store_failed(exc: BaseException, store: Store) -> str:
    if isinstance(exc, StoreError):
        return f"{PREFIX}: error: {exc}"
    return f"{PREFIX}: error: {fault_text(exc, store.path)}"


def _once(
    engine: SyncEngine, out: TextIO, err: TextIO, faults: list[BaseException] | None = None, *, api: str = ""
) -> int:
    faults = [] if faults is None else faults
    where = f" ({api})" if api else ""
    try:
        result = engine.sync_all(reference=True)
    except SyncAuthError as exc:
        _say(err, f"{PREFIX}: error: {exc}{where}")
        return EXIT_USAGE
    except SyncStopped:
        return EXIT_INTERRUPTED
    except SyncError as exc:
        _say(err, f"{PREFIX}: failed: {exc}{where}")
        return EXIT_FAILED
    except _STORE_FAILURES as exc:  # damaged, full, read-only: one line, exit 2
        _say(err, _store_failed(exc, engine.store))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # never a traceback on the command line
        logging.getLogger("direkt_tui.sync").debug("unexpected error", exc_info=True)
        _say(err, f"{PREFIX}: failed: unexpected {type(exc).__name__}: {exc}{where}")
        return EXIT_FAILED
    if faults:  # the cycle's data is in, but recording it found the store damaged or full
        _say(err, _store_failed(faults[0], engine.store))
        return EXIT_USAGE
    _say(out, f"synced in {result.duration:.1f} s; {result.summary()}")
    return EXIT_OK


def _watch(engine: SyncEngine, cfg: Any, out: TextIO, err: TextIO, faults: list[BaseException] | None = None) -> int:
    from .scheduler import SyncScheduler

    store_failed: list[BaseException] = []
    faults = [] if faults is None else faults

    def on_cycle(result: CycleResult | None, error: BaseException | None) -> None:
        if isinstance(error, SyncStopped):
            return
        if error is None and faults:
            error = faults[0]
        if isinstance(error, _STORE_FAILURES):
            store_failed.append(error)
            sched.stop()
            return
        _say(out, status_line(result, error))

    sched = SyncScheduler(engine, cfg, on_cycle=on_cycle)
    try:
        auth = sched.run_forever()
    except KeyboardInterrupt:
        sched.shutdown(wait=True)
        return EXIT_INTERRUPTED
    if auth is not None:
        _say(err, f"{PREFIX}: error: {auth}")
        return EXIT_USAGE
    if store_failed:
        _say(err, _store_failed(store_failed[0], engine.store))
        return EXIT_USAGE
    return EXIT_OK
