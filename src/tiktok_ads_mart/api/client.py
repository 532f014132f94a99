"""The one TikTok Business API client: every call to TikTok in this project goes through it.

The client owns policy (rate limit, retries, token refresh, pagination); ``httpx`` sends the bytes.
One boundary, :meth:`TikTokClient._send` with :func:`read_envelope`, turns whatever came back into either
the ``data`` of a successful envelope or one exception from :mod:`tiktok_ads_mart.errors`; only
:func:`raise_for_code` looks at TikTok's ``code``.

A caller may hand ``get`` a *decoder* that reads a successful body its own way (the sync reads report
pages straight into Arrow in a worker thread, since parsing a megabyte of JSON into Python objects costs
more than anything else it does). A decoder returns the envelope's fields and its own form of ``data``,
or ``None`` for a body it will not read, which then takes the ordinary JSON path; either way the code is
checked here, so retries and error classes see every failure.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, BinaryIO, Generic, Literal, Protocol, TypeVar, overload, runtime_checkable

import httpx
import orjson

from tiktok_ads_mart import __version__
from tiktok_ads_mart.api.encoding import encode_body, encode_query, join_url, log_path
from tiktok_ads_mart.api.paging import iterate_pages
from tiktok_ads_mart.api.quota import DailyShare
from tiktok_ads_mart.api.ratelimit import DEFAULT_RATE_LIMITS, RateLimiter, RateLimits, limiter_for
from tiktok_ads_mart.api.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from tiktok_ads_mart.errors import (
    ApiCode,
    ApiError,
    AuthExpired,
    RateLimited,
    TransportError,
    Unreachable,
    WrongApp,
    api_error,
    printable,
)
from tiktok_ads_mart.secret import Secret

log = logging.getLogger("tiktok_ads_mart.api")


class _HideQueryStrings(logging.Filter):
    """httpx logs every request's full URL at INFO; ``oauth2/advertiser/get/`` has the app secret in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                a.copy_with(query=None) if isinstance(a, httpx.URL) and a.query else a for a in record.args
            )
        return True


_QUERY_FILTER = _HideQueryStrings()


def hide_query_strings_in_httpx_logs() -> None:
    """Installed when a client is made, not when this module is imported (idempotent)."""
    logger = logging.getLogger("httpx")
    if _QUERY_FILTER not in logger.filters:
        logger.addFilter(_QUERY_FILTER)


PRODUCTION_API_BASE = "https://business-api.tiktok.com/open_api/v1.3/"
SANDBOX_API_BASE = "https://sandbox-ads.tiktok.com/open_api/v1.3/"
LOGIN_AGAIN = "run `tiktok-ads-mart auth login` again"
MAX_PAGE_SIZE = 1000


@runtime_checkable
class TokenSource(Protocol):
    """Where the client gets its access token, and whom it tells when TikTok rejects one."""

    async def access_token(self) -> Secret:
        """The token to send now (a refreshing source may refresh ahead of expiry here)."""
        ...

    async def on_auth_expired(self, failed: Secret) -> Secret | None:
        """TikTok rejected ``failed``: return a fresh token to retry with once, or ``None`` if there is none."""
        ...


class TokenCredential(TokenSource, Protocol):
    """A token source that also says whose token it is, which a run needs to know: the developer app
    (whose rate limit it shares), the advertisers it reads, and the API host that issued it (the only
    host its token may go to; ``None`` for a bare token, which goes where the run is pointed)."""

    @property
    def app_id(self) -> str | None: ...

    @property
    def advertiser_ids(self) -> tuple[str, ...]: ...

    @property
    def api_base(self) -> str | None: ...


class StaticTokenSource:
    """A fixed token (``TIKTOK_ACCESS_TOKEN``, the sandbox's portal token): nothing to refresh."""

    def __init__(
        self, token: Secret | str, *, app_id: str | None = None, advertiser_ids: tuple[str, ...] = ()
    ) -> None:
        self._token = token if isinstance(token, Secret) else Secret(token)
        self.app_id = app_id
        self.advertiser_ids = advertiser_ids
        self.api_base: str | None = None

    async def access_token(self) -> Secret:
        return self._token

    async def on_auth_expired(self, failed: Secret) -> Secret | None:
        return None

    def __repr__(self) -> str:
        return f"StaticTokenSource(app_id={self.app_id!r})"


@dataclass
class ClientStats:
    """What one client did: requests sent, 40100s seen, retries, refreshes and errors by code."""

    requests: int = 0
    throttled: int = 0
    retries: int = 0
    refreshes: int = 0
    transport_errors: int = 0
    errors_by_code: dict[int, int] = field(default_factory=dict)


T = TypeVar("T")


@dataclass(frozen=True)
class Envelope:
    """A successful answer: its ``data`` (a decoder's own form, if one read it) and TikTok's ``request_id``."""

    data: Any
    request_id: str | None
    warning: str | None = None  # X-Tt-Ads-Throttle: a synchronous report cut to the newest 20,000 ads


THROTTLE_WARNING_HEADER = "X-Tt-Ads-Throttle"  # doc 1740302848100353, "Response" header


@dataclass(frozen=True)
class Decoded(Generic[T]):
    """A body a decoder read: the envelope's ``code``, ``message`` and ``request_id``, and its ``data``."""

    code: int
    message: str | None
    request_id: str | None
    data: T


Decoder = Callable[[bytes], Awaitable[Decoded[T] | None]]
"""Reads a successful body (HTTP 200) its own way, or returns ``None`` to leave it to the JSON path."""


def raise_for_code(code: int, message: str | None, request_id: str | None) -> None:
    """The one place that reads TikTok's ``code``: non-zero becomes its :class:`ApiError` class."""
    if code != 0:
        raise api_error(code, str(message or "no message"), request_id)


def read_envelope(status_code: int, body: bytes, path: str) -> Envelope:
    """The boundary: one HTTP answer to its ``data``, or the exception that says what went wrong.

    HTTP 5xx, a body that is not JSON (an HTML error page, a truncated stream) or JSON that is not the
    envelope are transport failures, retryable; a non-zero ``code`` becomes its ``ApiError`` class.
    """
    where = log_path(path)
    if status_code >= 500:
        raise TransportError(f"HTTP {status_code} from TikTok for {where}")
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        error = TransportError(f"unreadable answer (HTTP {status_code}, not JSON or cut short) for {where}")
        error.retryable = status_code < 400 or status_code in (408, 429)
        raise error from None
    if not isinstance(parsed, dict) or "code" not in parsed:
        error = TransportError(f"answer without TikTok's envelope (HTTP {status_code}) for {where}")
        error.retryable = status_code < 400
        raise error
    request_id = parsed.get("request_id")
    request_id = str(request_id) if request_id is not None else None
    try:
        code = int(parsed["code"])
    except (TypeError, ValueError):
        raise TransportError(f"envelope with a non-numeric code for {where}") from None
    raise_for_code(code, parsed.get("message"), request_id)
    data = parsed.get("data")
    return Envelope(data if isinstance(data, dict) else {}, request_id)


DEFAULT_GIVE_UP_AFTER = 60.0


class RetryLines:
    """At most one retry line per ``every`` seconds and level, the ones between counted in the next: a
    host that is gone would otherwise print one line per attempt of every request in flight."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self._last: dict[int, float] = {}
        self._held: dict[int, int] = {}

    def take(self, level: int) -> int | None:
        """None: hold this line back; else print it, with the count of lines held back since."""
        now = time.monotonic()
        if now - self._last.get(level, -math.inf) < self.every:
            self._held[level] = self._held.get(level, 0) + 1
            return None
        self._last[level] = now
        return self._held.pop(level, 0)


def network_failure(exc: httpx.HTTPError, host: str) -> str:
    """What went wrong on the network, in words: the connection layer under httpx reports a refused
    connection as ``ConnectTimeout``, so the cause is looked at, not only the class."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host} (nothing listens there, or a firewall said no)"
        cause = cause.__cause__ or cause.__context__
    detail = printable(str(exc).strip())[:200]
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out waiting for {host} ({what})"
    return f"cannot reach {host} ({what})"


def _login_again(exc: ApiError) -> AuthExpired:
    """The same rejection, with the one thing the user can do about it."""
    if isinstance(exc, WrongApp):
        return WrongApp(
            exc.code,
            f"{exc.message}; the token belongs to another developer app than the one configured: "
            f"{LOGIN_AGAIN} with the app whose id is TIKTOK_APP_ID (or use that app's token)",
            exc.request_id,
        )
    if LOGIN_AGAIN in exc.message:
        return exc if isinstance(exc, AuthExpired) else AuthExpired(exc.code, exc.message, exc.request_id)
    return AuthExpired(exc.code, f"{exc.message}; {LOGIN_AGAIN}", exc.request_id)


class TikTokClient:
    """Async client for TikTok Business API v1.3 with rate limiting, retries, refresh and paging.

    Args:
        base_url: API root ending in ``/open_api/v1.3/`` (production, sandbox or the emulator).
        token: a :class:`TokenSource`, or a plain token for a static one; ``None`` for the OAuth calls
            that take no ``Access-Token`` header.
        limits: the app's QPS/QPM; every client of the same app in this process shares one limiter.
        retry: how often retryable failures are retried.
        http: an ``httpx.AsyncClient`` to use (tests pass one over ``MockTransport``/``ASGITransport``);
            it stays open when the client closes. Otherwise one pool sized to ``concurrency`` is made.
        timeout: seconds for a whole request (connect gets at most 10 s of it).
        concurrency: connection-pool size when the client makes its own ``httpx.AsyncClient``.
        app_key: which app's limiter to use; default the token source's ``app_id``, else ``base_url``.
        give_up_after: seconds without any answer from the host after which a failing request raises
            :class:`Unreachable` instead of being retried (0: never give up early).
        daily_share: this run's share of the app's daily quota; past it a request raises
            :class:`~tiktok_ads_mart.errors.DailyShareUsedUp` unsent.
    """

    def __init__(
        self,
        base_url: str = PRODUCTION_API_BASE,
        token: TokenSource | Secret | str | None = None,
        *,
        limits: RateLimits = DEFAULT_RATE_LIMITS,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        concurrency: int = 16,
        app_key: str | None = None,
        limiter: RateLimiter | None = None,
        give_up_after: float = DEFAULT_GIVE_UP_AFTER,
        daily_share: DailyShare | None = None,
    ) -> None:
        hide_query_strings_in_httpx_logs()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        if isinstance(token, Secret | str):
            token = StaticTokenSource(token)
        self.token_source: TokenSource | None = token
        self.retry = retry
        self.limits = limits
        key = app_key or getattr(token, "app_id", None) or self.base_url
        self.limiter = limiter or limiter_for(str(key), limits)
        self.stats = ClientStats()
        self._owns_http = http is None
        if http is None:
            from tiktok_ads_mart.api.transport import http_transport  # aiohttp: only when a client is made

            http = httpx.AsyncClient(
                transport=http_transport(concurrency),
                timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
                headers={"User-Agent": f"tiktok-ads-mart/{__version__}", "Accept": "application/json"},
            )
        self._http = http
        self._timeout = timeout
        self._host = httpx.URL(self.base_url).netloc.decode("ascii", "replace")
        self.give_up_after = give_up_after
        self.daily_share = daily_share
        self._silent_since: float | None = None  # the first failure with no answer from the host since
        self._retry_lines = RetryLines()

    async def __aenter__(self) -> TikTokClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    def __repr__(self) -> str:
        return f"TikTokClient({self.base_url!r})"

    @overload
    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]: ...

    @overload
    async def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, decode: Decoder[T]
    ) -> T | dict[str, Any]: ...

    async def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, decode: Decoder[Any] | None = None
    ) -> Any:
        """GET ``path`` with TikTok's query encoding; returns the envelope's ``data``.

        With ``decode``, a successful body is the decoder's to read (see the module's docstring); a body
        it declines comes back as the usual dict.
        """
        return (await self.request("GET", path, params=params, decode=decode)).data

    async def post(
        self, path: str, body: Mapping[str, Any] | None = None, *, auth: bool = True, idempotent: bool = True
    ) -> dict[str, Any]:
        """POST a JSON body; ``auth=False`` for the OAuth endpoints that take no ``Access-Token``.

        ``idempotent=False`` (token exchange and rotation) leaves transport failures unretried: the
        first attempt may have used up the code or rotated the refresh token before the answer was lost.
        """
        data: dict[str, Any] = (
            await self.request("POST", path, body=body, auth=auth, idempotent=idempotent)
        ).data
        return data

    async def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        concurrency: int = 1,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every page's ``data`` of a paginated GET, in page order.

        With ``concurrency > 1`` the pages after the first are fetched that many at a time (the limiter
        still spaces them); they are yielded in page order all the same.
        """
        base = dict(params or {})
        base["page_size"] = page_size

        async def fetch(page: int) -> dict[str, Any]:
            return await self.get(path, {**base, "page": page})

        async for data in iterate_pages(fetch, concurrency=concurrency):
            yield data

    async def download(self, url: str, into: BinaryIO) -> None:
        """A file TikTok links to (an asynchronous report's), written to ``into`` as it arrives, so a big
        report never sits in memory whole. Fetched without the access token, which goes only to the API
        host: the link itself is the credential. Transport failures are retried as any request's are."""
        attempt = 0
        while True:
            attempt += 1
            into.seek(0)
            into.truncate()
            try:
                async with self._http.stream("GET", url) as response:
                    if response.status_code == 200:
                        async for chunk in response.aiter_bytes():
                            into.write(chunk)
                        into.seek(0)
                        return
                    failure = TransportError(f"a report download answered HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                failure = TransportError(f"{network_failure(exc, httpx.URL(url).host)} on a report download")
            if attempt >= self.retry.max_attempts:
                raise failure
            await asyncio.sleep(self.retry.delay(attempt))

    async def request(
        self,
        method: Literal["GET", "POST"],
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        auth: bool = True,
        idempotent: bool = True,
        decode: Decoder[Any] | None = None,
    ) -> Envelope:
        """Send one logical request: limiter, retries, and at most one token refresh."""
        attempt = 0
        refreshed = False
        source = self.token_source if auth else None
        if auth and source is None:
            raise AuthExpired(ApiCode.EMPTY_ACCESS_TOKEN, f"no access token configured; {LOGIN_AGAIN}")
        while True:
            attempt += 1
            token = await source.access_token() if source is not None else None
            started = await self.limiter.acquire()
            try:
                envelope = await self._send(method, path, params, body, token, decode)
            except AuthExpired as exc:
                self._count(exc)
                if source is None or token is None or refreshed or isinstance(exc, WrongApp):
                    raise _login_again(exc) from None
                refreshed = True
                fresh = await source.on_auth_expired(token)
                if fresh is None:
                    raise _login_again(exc) from None
                self.stats.refreshes += 1
                log.info(
                    "token rejected for %s (code %s, request_id %s); retrying with a fresh token",
                    log_path(path),
                    exc.code,
                    exc.request_id,
                )
                attempt -= 1
                continue
            except (TransportError, ApiError) as exc:
                self._count(exc)
                if isinstance(exc, TransportError):
                    self._raise_if_gone(exc)
                else:
                    self._silent_since = None  # an answer, even an error, means the host is there
                retryable = exc.retryable
                if isinstance(exc, TransportError) and not idempotent:
                    retryable = False
                if not retryable or attempt >= self.retry.max_attempts:
                    raise
                delay = self.retry.delay(attempt, throttled=isinstance(exc, RateLimited))
                self.stats.retries += 1
                self._log_retry(path, exc, attempt, delay)
                await asyncio.sleep(delay)
                continue
            self._silent_since = None
            self.limiter.on_success(started)
            return envelope

    def _raise_if_gone(self, exc: TransportError) -> None:
        """Every request failing for ``give_up_after`` seconds: stop retrying, say where and why."""
        now = time.monotonic()
        if self._silent_since is None:
            self._silent_since = now
        silent = now - self._silent_since
        if self.give_up_after > 0 and silent >= self.give_up_after:
            raise Unreachable(f"cannot reach {self._host}: no answer for {silent:.0f} s (last: {exc})")

    def _count(self, exc: Exception) -> None:
        if isinstance(exc, ApiError):
            self.stats.errors_by_code[exc.code] = self.stats.errors_by_code.get(exc.code, 0) + 1
            if isinstance(exc, RateLimited):
                self.stats.throttled += 1
                self.limiter.on_throttled()
        else:
            self.stats.transport_errors += 1

    def _log_retry(self, path: str, exc: Exception, attempt: int, delay: float) -> None:
        if isinstance(exc, ApiError):
            what = f"code {exc.code}, request_id {exc.request_id or '-'}"
        else:
            what = str(exc)
        level = logging.INFO if isinstance(exc, RateLimited) else logging.WARNING
        since = self._retry_lines.take(level)
        if since is None:
            return
        log.log(
            level,
            "retrying %s in %.2fs after attempt %d/%d failed (%s)%s",
            log_path(path),
            delay,
            attempt,
            self.retry.max_attempts,
            what,
            f"; {since} more retries since the last line" if since else "",
        )

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        token: Secret | None,
        decode: Decoder[Any] | None = None,
    ) -> Envelope:
        """One HTTP exchange (its turn already taken from the limiter); network failures become ``TransportError``."""
        url = join_url(self.base_url, path)
        headers = {"Access-Token": token.reveal()} if token is not None else {}
        if self.daily_share is not None:  # a retry counts too: TikTok counts every request it gets
            self.daily_share.take()
        self.stats.requests += 1
        if method == "GET":
            request = self._http.build_request("GET", url, params=encode_query(params), headers=headers)
        else:
            headers["Content-Type"] = "application/json"
            request = self._http.build_request("POST", url, content=encode_body(body), headers=headers)
        try:
            status, content, warning = await self._exchange(request)
        except httpx.HTTPError as exc:
            raise TransportError(f"{network_failure(exc, self._host)} on {log_path(path)}") from None
        if decode is not None and status == 200:
            decoded = await decode(content)
            if decoded is not None:
                raise_for_code(decoded.code, decoded.message, decoded.request_id)
                return Envelope(decoded.data, decoded.request_id, warning)
        envelope = read_envelope(status, content, path)
        return Envelope(envelope.data, envelope.request_id, warning) if warning else envelope

    async def _exchange(self, request: httpx.Request) -> tuple[int, bytes, str | None]:
        """Send and read the whole body ourselves, so the body is freed as soon as it has been read.

        httpx's ``Response`` sits in a reference cycle with its stream, so one read with ``aread``
        keeps its body (a report page is about 1.5 MB) until the garbage collector next runs: with 16
        requests in flight that was some 70 MB of peak memory. The connection goes back to the pool
        also when the request is cancelled mid-body (a run that stops).
        """
        response = await self._http.send(request, stream=True)
        try:
            body = b"".join([chunk async for chunk in response.aiter_bytes()])
            return response.status_code, body, response.headers.get(THROTTLE_WARNING_HEADER)
        finally:
            await response.aclose()
