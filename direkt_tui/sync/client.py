"""The platform API client (shared/api/openapi.yaml) over one synchronous ``httpx.Client``.

- Explicit connect/read/write/pool timeouts **and a total deadline per request**. The deadline
  is enforced at the socket: every connect, read and write of the request is given at most the
  time left before the deadline (a network backend wrapper), so neither a hanging server nor a
  slow trickle of bytes can hold a request past it. The body is streamed and checked against
  the deadline between chunks as well.
- Bearer token from ``DIREKT_API_TOKEN`` or ``api.token_file``. The token is never logged,
  stored, put in an exception message or shown by a ``repr``. A token file that group or
  others may access is refused (``chmod 600``), as ssh does with private keys.
- Optional TLS client certificate + key and CA bundle (SITHS). Verification is never switched
  off; a client certificate on a plain-``http`` URL is a configuration error, not ignored.
  With ``api.ca_bundle`` the bundle alone is trusted: ``SSL_CERT_FILE``/``SSL_CERT_DIR`` are
  ignored. Without it they are honoured (the usual convention), else certifi's roots;
  :attr:`ApiClient.ca_source` names the source in use (``sync -v`` prints it).
- Typed errors, one class per way a request can end (see :class:`ApiError`).

One attempt per call: retries are the caller's (the sync engine, the outbox). Writes carry an
``Idempotency-Key`` so a caller can safely repeat them with the same key.
"""

from __future__ import annotations

import json
import logging
import math
import os
import ssl
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ..domain import writes
from ..domain.timeutil import InvalidInstant, parse_instant
from ..domain.writes import WriteRequest
from .errors import (  # re-exported: the client's errors
    ApiError,
    AuthError,
    BadPage,
    ClientConfigError,
    Conflict,
    GoneError,
    NetworkError,
    NotFound,
    RequestRejected,
    RetryLater,
    ServerError,
)
from .token import TOKEN_ENV, load_token
from .token import Secret as _Secret
from .transport import DEADLINE, DeadlineTransport

log = logging.getLogger("direkt_tui.sync.client")

MAX_BODY_BYTES = 64 * 1024 * 1024  # a page of 1000 cases is a few MB
MAX_ERROR_BODY_BYTES = 1024 * 1024
FEEDS = ("staff", "shifts", "cases")
MAX_PAGE_SIZE = 1000
MAX_CURSOR_BYTES = 4096  # a longer next_cursor is a bad page (it could not be sent back in a URL)
MAX_REQUEST_SECONDS = 300.0  # the deadline and every timeout: finite, at most five minutes


# ------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ApiResponse:
    """A successful response: parsed JSON, status and the server's clock (``X-Server-Time``)."""

    data: Any
    status: int
    server_time: datetime | None


@dataclass(frozen=True)
class FeedPage:
    items: list[Any]
    next_cursor: str
    has_more: bool
    server_time: datetime | None


# ------------------------------------------------------------------------------- helpers
def _parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


_loads: Callable[[bytes], Any]
try:  # 3x faster than json for a 1000-case page; its errors are ValueErrors too
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - a dependency; the standard library will do
    _loads = json.loads


def _problem(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _one_line(text: Any, limit: int = 200) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _seg(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("an id must be a non-empty string")
    return quote(value, safe="")


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def source_of_failure(ca_bundle: Path | None, env: Mapping[str, str]) -> str:
    """What a failed CA load was reading (OpenSSL's FileNotFoundError names no file)."""
    if ca_bundle is not None:
        return f"{ca_bundle} (api.ca_bundle)"
    if env.get("SSL_CERT_FILE"):
        return f"{env['SSL_CERT_FILE']} (from SSL_CERT_FILE)"
    if env.get("SSL_CERT_DIR"):
        return f"{env['SSL_CERT_DIR']} (from SSL_CERT_DIR)"
    return "(certifi's bundle)"


# ------------------------------------------------------------------------------- the client
class ApiClient:
    """One per process; thread-safe (httpx's pool is), the deadline is per thread.

    ``deadline`` is the default total time of one request in seconds; every method takes a
    ``deadline=`` to shorten it (the sync engine passes what is left of its job's time)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | _Secret | None = None,
        client_cert: Path | None = None,
        client_key: Path | None = None,
        ca_bundle: Path | None = None,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        write_timeout: float = 10.0,
        pool_timeout: float | None = None,
        deadline: float = 20.0,
        user_agent: str = "direkt-tui",
    ):
        for name, value in (
            ("deadline", deadline),
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
            ("write_timeout", write_timeout),
            ("pool_timeout", pool_timeout),
        ):
            if value is None and name == "pool_timeout":
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or not 0 < value <= MAX_REQUEST_SECONDS
            ):
                raise ClientConfigError(
                    f"api.{name} must be a number of seconds in (0, {MAX_REQUEST_SECONDS:g}], got {value!r}"
                )
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ClientConfigError(f"the API URL must be http(s)://host/…, got {base_url!r}")
        if client_key is not None and client_cert is None:
            raise ClientConfigError("api.client_key is set without api.client_cert")
        if (client_cert is not None or ca_bundle is not None) and url.scheme != "https":
            raise ClientConfigError(
                f"a TLS client certificate or CA bundle is configured but the API URL is not https: {base_url}"
            )
        self.base_url = str(url).rstrip("/")
        self._token = token if isinstance(token, _Secret) or token is None else _Secret(token)
        self.deadline = float(deadline)
        self.timeout = httpx.Timeout(
            connect=connect_timeout,
            read=read_timeout,
            write=write_timeout,
            pool=pool_timeout if pool_timeout is not None else connect_timeout,
        )
        # plain http uses no CA: the environment's SSL_CERT_* must not break it, so not read
        ctx, self.ca_source = self._ssl_context(
            client_cert, client_key, ca_bundle, env=None if url.scheme == "https" else {}
        )
        if url.scheme != "https":
            self.ca_source = "none (the API URL is plain http)"
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=2, keepalive_expiry=30.0)
        self._http = httpx.Client(
            transport=DeadlineTransport(ctx, limits),
            timeout=self.timeout,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,  # no proxies/netrc from the environment: a netrc must not add credentials
        )

    @classmethod
    def from_config(
        cls, api: Any, *, base_url: str | None = None, token: str | None = None, env: Mapping[str, str] | None = None
    ) -> ApiClient:
        """Build from :class:`direkt_tui.config.ApiConfig`; ``base_url`` overrides ``api.url``."""
        secret = _Secret(token) if token else load_token(api.token_file, env)
        return cls(
            base_url or api.url,
            token=secret,
            client_cert=api.client_cert,
            client_key=api.client_key,
            ca_bundle=api.ca_bundle,
            connect_timeout=api.connect_timeout,
            read_timeout=api.read_timeout,
            write_timeout=api.write_timeout,
            deadline=api.deadline,
        )

    @staticmethod
    def _ssl_context(
        client_cert: Path | None, client_key: Path | None, ca_bundle: Path | None, env: Mapping[str, str] | None = None
    ) -> tuple[ssl.SSLContext, str]:
        """The TLS context and a description of where its CA certificates come from.

        Built here, never by httpx (``httpx.create_ssl_context`` reads ``SSL_CERT_FILE`` and
        ``SSL_CERT_DIR`` whenever it is asked for defaults): with ``api.ca_bundle`` only that
        file is loaded (``create_default_context(cafile=…)`` does not load the default paths,
        so OpenSSL's own ``SSL_CERT_*`` lookup never runs); without it the environment's
        ``SSL_CERT_FILE``, else ``SSL_CERT_DIR``, else certifi's bundle."""
        env = os.environ if env is None else env
        try:
            if ca_bundle is not None:
                ctx = ssl.create_default_context(cafile=str(ca_bundle))
                source = f"api.ca_bundle {ca_bundle} (SSL_CERT_FILE/SSL_CERT_DIR ignored)"
            elif env.get("SSL_CERT_FILE"):
                ctx = ssl.create_default_context(cafile=env["SSL_CERT_FILE"])
                source = f"SSL_CERT_FILE {env['SSL_CERT_FILE']}"
            elif env.get("SSL_CERT_DIR"):
                ctx = ssl.create_default_context(capath=env["SSL_CERT_DIR"])
                source = f"SSL_CERT_DIR {env['SSL_CERT_DIR']}"
            else:
                import certifi

                ctx = ssl.create_default_context(cafile=certifi.where())
                source = f"certifi {certifi.where()}"
        except FileNotFoundError:  # OpenSSL's error names no file
            raise ClientConfigError(f"TLS CA bundle not found: {source_of_failure(ca_bundle, env)}") from None
        except (ssl.SSLError, OSError) as exc:
            raise ClientConfigError(
                f"cannot load the TLS CA bundle {source_of_failure(ca_bundle, env)}: {_one_line(exc)}"
            ) from None
        if client_cert is not None:
            try:
                # an encrypted key fails here instead of OpenSSL prompting on the terminal
                ctx.load_cert_chain(
                    str(client_cert), str(client_key) if client_key is not None else None, password=lambda: b""
                )
            except FileNotFoundError:
                missing = [str(f) for f in (client_cert, client_key) if f is not None and not Path(f).exists()]
                raise ClientConfigError(f"TLS file not found: {', '.join(missing) or client_cert}") from None
            except (ssl.SSLError, OSError) as exc:
                raise ClientConfigError(f"cannot load the TLS certificate/key: {_one_line(exc)}") from None
        if ctx.verify_mode != ssl.CERT_REQUIRED or not ctx.check_hostname:  # never silently off
            raise ClientConfigError("TLS verification would be off; refusing to connect")
        return ctx, source

    @property
    def has_token(self) -> bool:
        return self._token is not None

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r}, token={'set' if self._token else 'none'})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------------- one request
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotency_key: str | None = None,
        auth: bool = True,
        deadline: float | None = None,
    ) -> ApiResponse:
        """One HTTP request, at most ``deadline`` seconds from start to parsed body."""
        budget = self.deadline if deadline is None else min(float(deadline), self.deadline)
        if budget <= 0:
            raise NetworkError(f"{method} {path}: no time left for the request")
        headers: dict[str, str] = {}
        if auth and self._token is not None:
            headers["Authorization"] = "Bearer " + self._token.reveal()
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        content = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        what = f"{method} {path}"
        start = time.monotonic()
        end = start + budget
        previous = getattr(DEADLINE, "end", None)
        DEADLINE.end = end if previous is None else min(previous, end)
        failure: NetworkError | None = None
        try:
            req = self._http.build_request(
                method, self.base_url + path, params=params, content=content, headers=headers
            )
            resp = self._http.send(req, stream=True)
            try:
                status = resp.status_code
                limit = MAX_BODY_BYTES if 200 <= status < 300 else MAX_ERROR_BODY_BYTES
                body = self._read_body(resp, end, limit, what)
                resp_headers = resp.headers
            finally:
                resp.close()
        except httpx.TransportError as exc:  # timeouts included
            if time.monotonic() >= end - 0.002:
                failure = NetworkError(f"{what}: no complete answer within the {budget:g} s deadline")
            elif isinstance(exc, httpx.TimeoutException):
                failure = NetworkError(f"{what}: timed out ({type(exc).__name__})")
            else:
                failure = NetworkError(f"{what}: {type(exc).__name__}: {_one_line(exc) or 'network error'}")
        finally:
            DEADLINE.end = previous
        if failure is not None:
            # raised outside the handler: no chained httpx exception (its request holds the headers)
            raise failure
        elapsed = time.monotonic() - start
        log.debug("%s -> %s (%d bytes, %.3f s)", what, status, len(body), elapsed)
        server_time = self._server_time(resp_headers.get("X-Server-Time"))
        if 200 <= status < 300:
            if status == 204 or not body:
                return ApiResponse(None, status, server_time)
            try:
                data = _loads(body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise BadPage(f"{what}: the answer is not JSON ({_one_line(exc, 80)})", status=status) from None
            return ApiResponse(data, status, server_time)
        raise self._error(what, status, resp_headers, body)

    @staticmethod
    def _read_body(resp: httpx.Response, end: float, limit: int, what: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():  # decoded (gzip/deflate); the limit holds after decoding
            size += len(chunk)
            if size > limit:
                raise BadPage(f"{what}: the answer is larger than {limit} bytes", status=resp.status_code)
            chunks.append(chunk)
            if time.monotonic() > end:
                raise httpx.ReadTimeout("deadline")
        return b"".join(chunks)

    @staticmethod
    def _server_time(value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            return parse_instant(value)
        except (InvalidInstant, ValueError, OverflowError):  # garbage, or a year 1/9999 that overflows
            log.warning("ignoring an invalid X-Server-Time header")
            return None

    def _error(self, what: str, status: int, headers: httpx.Headers, body: bytes) -> ApiError:
        prob = _problem(body)
        code = prob.get("code") if isinstance(prob.get("code"), str) else None
        detail = prob.get("detail") or prob.get("title") or ""
        suffix = f" ({_one_line(detail, 160)})" if detail else ""
        if status in (401, 403):
            if self._token is None:
                hint = f"no API token is configured: set {TOKEN_ENV} or api.token_file"
            elif status == 401:
                hint = f"the API token was refused: check {TOKEN_ENV} or api.token_file"
            else:
                hint = "access denied: the credentials lack permission"
            return AuthError(f"{what}: HTTP {status}, {hint}", status=status, code=code)
        if status == 410:
            return GoneError(f"{what}: HTTP 410, the cursor is gone{suffix}", status=status, code=code)
        if status in (429, 503):
            retry_after = _parse_retry_after(headers.get("Retry-After"))
            if status == 429 or retry_after is not None:
                wait = f", retry after {retry_after:g} s" if retry_after is not None else ""
                return RetryLater(f"{what}: HTTP {status}{wait}{suffix}", retry_after, status=status, code=code)
        if status >= 500:
            return ServerError(f"{what}: HTTP {status}{suffix}", status=status, code=code)
        if status == 409:
            return Conflict(f"{what}: HTTP 409 {code or 'conflict'}{suffix}", code, prob.get("current"))
        if status == 404:
            return NotFound(f"{what}: HTTP 404{suffix}", status=status, code=code)
        return RequestRejected(f"{what}: HTTP {status}{suffix}", status=status, code=code)

    # -------------------------------------------------------------------- reads
    def health(self, *, deadline: float | None = None) -> ApiResponse:
        """``GET /health`` (no token). ``data['server_time']`` is the server's clock."""
        r = self.request("GET", "/health", auth=False, deadline=deadline)
        if not isinstance(r.data, dict) or not isinstance(r.data.get("status"), str):
            raise BadPage("GET /health: not a health document")
        return r

    def health_time(self, *, deadline: float | None = None) -> datetime | None:
        r = self.health(deadline=deadline)
        try:
            return parse_instant(r.data.get("server_time")) or r.server_time
        except (InvalidInstant, ValueError, OverflowError):
            return r.server_time

    def capabilities(self, *, deadline: float | None = None) -> ApiResponse:
        r = self.request("GET", "/capabilities", deadline=deadline)
        if not isinstance(r.data, dict):
            raise BadPage("GET /capabilities: not an object")
        return r

    def _items(self, path: str, deadline: float | None) -> ApiResponse:
        r = self.request("GET", path, deadline=deadline)
        if not isinstance(r.data, dict) or not isinstance(r.data.get("items"), list):
            raise BadPage(f"GET {path}: expected an object with a list 'items'")
        return r

    def units(self, *, deadline: float | None = None) -> ApiResponse:
        """``GET /units``: ``data['items']`` is the list of units."""
        return self._items("/units", deadline)

    def templates(self, *, deadline: float | None = None) -> ApiResponse:
        return self._items("/templates", deadline)

    def coordinator(self, unit_id: str, *, deadline: float | None = None) -> ApiResponse:
        path = f"/units/{_seg(unit_id)}/coordinator"
        r = self.request("GET", path, deadline=deadline)
        if not isinstance(r.data, dict):
            raise BadPage(f"GET {path}: not an object")
        return r

    def get_case(self, case_id: str, *, deadline: float | None = None) -> ApiResponse:
        path = f"/cases/{_seg(case_id)}"
        r = self.request("GET", path, deadline=deadline)
        if not isinstance(r.data, dict):
            raise BadPage(f"GET {path}: not an object")
        return r

    def feed(
        self, feed: str, since: str | None = None, limit: int | None = None, *, deadline: float | None = None
    ) -> FeedPage:
        """One page of a change feed (``staff``, ``shifts``, ``cases``)."""
        if feed not in FEEDS:
            raise ValueError(f"unknown feed {feed!r}")
        params: dict[str, Any] = {}
        if since is not None:
            params["since"] = since
        if limit is not None:
            params["limit"] = max(1, min(int(limit), MAX_PAGE_SIZE))
        r = self.request("GET", f"/{feed}", params=params or None, deadline=deadline)
        d = r.data
        if (
            not isinstance(d, dict)
            or not isinstance(d.get("items"), list)
            or not isinstance(d.get("next_cursor"), str)
            or not d.get("next_cursor")
            or not isinstance(d.get("has_more"), bool)
        ):
            raise BadPage(f"GET /{feed}: not a page (items, next_cursor, has_more)")
        if len(d["next_cursor"].encode("utf-8", "replace")) > MAX_CURSOR_BYTES:
            raise BadPage(f"GET /{feed}: next_cursor is longer than {MAX_CURSOR_BYTES} bytes")
        return FeedPage(d["items"], d["next_cursor"], d["has_more"], r.server_time)

    # -------------------------------------------------------------------- writes
    def send(
        self, write: WriteRequest, *, idempotency_key: str | None = None, deadline: float | None = None
    ) -> ApiResponse:
        """Deliver one write request (``domain.writes``) with an ``Idempotency-Key`` (a new one
        unless given). Returns the answer; its data is an object (a case or a coordinator)."""
        method, path = writes.request_line(write)
        r = self.request(
            method,
            path,
            json_body=write.body,
            idempotency_key=idempotency_key or new_idempotency_key(),
            deadline=deadline,
        )
        if not isinstance(r.data, dict):
            raise BadPage(f"{method} {path}: the answer is not an object")
        return r

    def assign(
        self,
        case_id: str,
        owner: Mapping[str, Any],
        if_version: int,
        *,
        force: bool = False,
        idempotency_key: str | None = None,
        deadline: float | None = None,
    ) -> ApiResponse:
        """``POST /cases/{id}/assign``; ``owner`` is ``{"type": "person", "staff_id": …}`` or
        ``{"type": "role", "profession": …}``, sent as given (the platform judges it). Returns
        the case after the change."""
        write = writes.assign(writes.CaseRef(case_id, int(if_version)), owner, force=force, check_owner=False)
        return self.send(write, idempotency_key=idempotency_key, deadline=deadline)

    def move(
        self,
        case_id: str,
        to_unit_id: str,
        if_version: int,
        *,
        idempotency_key: str | None = None,
        deadline: float | None = None,
    ) -> ApiResponse:
        """``POST /cases/{id}/move``: a waiting case to another activated unit."""
        write = writes.move(writes.CaseRef(case_id, int(if_version)), to_unit_id)
        return self.send(write, idempotency_key=idempotency_key, deadline=deadline)

    def send_template(
        self, case_id: str, template_id: str, *, idempotency_key: str | None = None, deadline: float | None = None
    ) -> ApiResponse:
        """``POST /cases/{id}/messages`` (a phrase template to the patient)."""
        write = writes.send_template(writes.CaseRef(case_id, 0), template_id)  # unconditional: no version sent
        return self.send(write, idempotency_key=idempotency_key, deadline=deadline)

    def set_coordinator(
        self, unit_id: str, staff_id: str | None, *, idempotency_key: str | None = None, deadline: float | None = None
    ) -> ApiResponse:
        """``PUT /units/{id}/coordinator``: take over (a staff id) or hand back (``None``)."""
        return self.send(writes.set_coordinator(unit_id, staff_id), idempotency_key=idempotency_key, deadline=deadline)
