"""The one-shot local web server that catches TikTok's redirect after the user clicks Authorize.

It listens on the redirect URI's host and port, waits (with a timeout) for the browser to arrive on the
redirect path, checks ``state`` against the value this login generated (a wrong or missing state means
the redirect did not come from our own request), answers the browser with a short page, and hands the
``auth_code`` (or TikTok's ``error``) back to the login.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import html
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from tiktok_ads_mart.api.hosts import is_loopback
from tiktok_ads_mart.errors import ConfigError, LoginError
from tiktok_ads_mart.secret import Secret

_MAX_REQUEST = 16 * 1024


@dataclass(frozen=True)
class RedirectTarget:
    """Where the redirect URI points: the host and port to listen on and the path to expect."""

    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, redirect_uri: str) -> RedirectTarget:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or not parts.hostname or not is_loopback(parts.hostname):
            # the login listens where the URI points: a host other machines reach could abort it
            raise ConfigError(
                f"redirect URI {redirect_uri!r} must be a local http:// address (localhost, 127.0.0.1 "
                "or [::1]) such as http://localhost:8080/callback"
            )
        try:
            port = parts.port or 80
        except ValueError:
            raise ConfigError(f"redirect URI {redirect_uri!r} has an invalid port") from None
        return cls(parts.hostname, port, parts.path or "/")


@dataclass(frozen=True)
class CallbackResult:
    auth_code: Secret
    state: str


def _page(title: str, text: str) -> bytes:
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>tiktok-ads-mart: "
        f"{html.escape(title)}</title></head><body style='font-family:sans-serif;margin:3em'>"
        f"<h1 id='result'>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    ).encode()
    return body


def _response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class CallbackServer:
    """Listen once for ``redirect_uri?auth_code=...&state=...``; use as ``async with``."""

    def __init__(self, redirect_uri: str, expected_state: str) -> None:
        self.target = RedirectTarget.parse(redirect_uri)
        self._state = expected_state
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[CallbackResult] | None = None

    async def __aenter__(self) -> CallbackServer:
        self._result = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(
                self._handle, self.target.host, self.target.port, reuse_address=True
            )
        except OSError as exc:
            where = f"{self.target.host}:{self.target.port}"
            if exc.errno == errno.EADDRINUSE:
                raise LoginError(
                    f"port {self.target.port} is in use, cannot listen on {where} for TikTok's redirect; "
                    "free it or pass --redirect-uri with another port (registered for your app)"
                ) from None
            raise LoginError(f"cannot listen on {where} for TikTok's redirect ({exc.strerror})") from None
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def wait(self, timeout: float) -> CallbackResult:
        """The redirect's code, or ``LoginError`` for a denial, a state mismatch or ``timeout`` seconds."""
        assert self._result is not None, "use CallbackServer as an async context manager"
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)
        except TimeoutError:
            raise LoginError(
                f"no answer from the browser within {timeout:g}s; run the login again "
                "(or use `auth exchange` with the redirected URL)"
            ) from None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10.0)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return
        status, body = self._answer(request[:_MAX_REQUEST])
        with contextlib.suppress(ConnectionError):
            writer.write(_response(status, body))
            await writer.drain()
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()

    def _answer(self, request: bytes) -> tuple[str, bytes]:
        """Decide the browser's page and, for the redirect path, the login's outcome."""
        line = request.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) < 2 or parts[0] != "GET":
            return "405 Method Not Allowed", _page(
                "Not here", "This address only receives TikTok's redirect."
            )
        target = urlsplit(parts[1])
        if target.path != self.target.path:
            return "404 Not Found", _page("Not here", "This address only receives TikTok's redirect.")
        query = {k: v[0] for k, v in parse_qs(target.query, keep_blank_values=True).items()}
        assert self._result is not None
        if self._result.done():
            return "409 Conflict", _page(
                "Already done", "This login has already been handled; close the tab."
            )
        state = query.get("state", "")
        if not state or not hmac.compare_digest(state.encode(), self._state.encode()):
            self._result.set_exception(
                LoginError(
                    "TikTok's redirect carried a missing or wrong state; login aborted (possible CSRF)"
                )
            )
            return "400 Bad Request", _page("Login refused", "The state parameter did not match this login.")
        error = query.get("error")
        if error:
            detail = query.get("error_description") or error
            self._result.set_exception(LoginError(f"authorization was not granted at TikTok: {detail}"))
            return "200 OK", _page(
                "Authorization not granted", f"TikTok answered: {detail}. You can close this tab."
            )
        code = query.get("auth_code") or query.get("code")
        if not code:
            self._result.set_exception(LoginError("TikTok's redirect carried no auth_code"))
            return "400 Bad Request", _page("Login failed", "The redirect carried no auth_code.")
        self._result.set_result(CallbackResult(Secret(code), state))
        return "200 OK", _page("Authorized", "tiktok-ads-mart is authorized. You can close this tab.")
