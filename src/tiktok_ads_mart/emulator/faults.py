"""Injected failures, so clients prove they retry: error envelopes, gateway errors, resets, stalls, cut bodies.

A seeded RNG decides which data request fails and how, so a run with the same options fails the same
way every time. A fault is drawn per request and never touches the world: asking again is answered
normally (unless the next draw fails too).
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
from collections import deque
from collections.abc import Sequence
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tiktok_ads_mart.emulator.config import FAULT_KINDS, validate_fault_kinds

DEFAULT_STALL_SECONDS = 35.0
"""Past the 30 s default timeout of common clients; tests pass a short stall and a shorter timeout."""

ENVELOPE_FAULTS: dict[str, tuple[int, str]] = {
    "50000": (50000, "Internal service error. Please retry in sometime."),
    "50002": (50002, "Internal service timed out. Please retry in sometime."),
}
HTTP_FAULTS: dict[str, int] = {"http500": 500, "http502": 502, "http504": 504}

_GATEWAY_PAGE = (
    "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center>"
    "<hr><center>emulated gateway</center></body></html>"
)
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Time-out"}

SCOPE_CYCLE_KEY = "tiktok_ads_mart.emulator.cycle"
"""Scope key under which the app keeps the server's request cycle (it owns the socket) for resets."""


class FaultInjector:
    """Draws the fault (or none) of each data request from a seeded sequence."""

    def __init__(
        self,
        seed: int,
        rate: float,
        kinds: Sequence[str],
        stall_seconds: float = DEFAULT_STALL_SECONDS,
    ) -> None:
        validate_fault_kinds(tuple(kinds))
        self._rng = random.Random(seed * 7919 + 104729)
        self.rate = rate
        self.kinds: tuple[str, ...] = tuple(kinds) or FAULT_KINDS
        self.stall_seconds = stall_seconds
        self._forced: deque[str] = deque()

    def configure(
        self,
        *,
        rate: float | None = None,
        kinds: Sequence[str] | None = None,
        stall_seconds: float | None = None,
    ) -> None:
        """Change the fault mix mid-run (tests turn faults on for one phase)."""
        if rate is not None:
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault_rate must be between 0 and 1, got {rate!r}")
            self.rate = rate
        if kinds is not None:
            validate_fault_kinds(tuple(kinds))
            self.kinds = tuple(kinds) or FAULT_KINDS
        if stall_seconds is not None:
            self.stall_seconds = stall_seconds

    def inject_next(self, *kinds: str) -> None:
        """Force the next data requests to fail with these kinds, in order, whatever the rate."""
        validate_fault_kinds(kinds)
        self._forced.extend(kinds)

    def draw(self) -> str | None:
        """The fault of the next data request, or None for a normal answer."""
        if self._forced:
            return self._forced.popleft()
        if self.rate <= 0.0:
            return None
        if self._rng.random() >= self.rate:
            return None
        return self.kinds[self._rng.randrange(len(self.kinds))]


def gateway_error(kind: str) -> Response:
    """An HTML 5xx as a load balancer sends it: no envelope, nothing a client can parse as JSON."""
    status = HTTP_FAULTS[kind]
    page = _GATEWAY_PAGE.format(status=status, reason=_REASONS[status])
    return Response(page, status_code=status, media_type="text/html")


def truncated(body: bytes) -> Response:
    """A 200 whose JSON stops halfway; Content-Length matches, so only the JSON parser notices."""
    return Response(body[: max(1, len(body) // 2)], status_code=200, media_type="application/json")


class ConnectionReset(Response):
    """Drops the connection without an answer: a TCP reset on a real socket.

    Under an in-process ASGI transport there is no socket, so it raises ``httpx.ReadError`` — the error
    httpx raises for a reset socket — which the transport passes to the client.
    """

    def __init__(self) -> None:
        super().__init__(b"", status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cycle: Any = scope.get(SCOPE_CYCLE_KEY)
        transport: Any = getattr(cycle, "transport", None)
        if transport is None:
            import httpx

            raise httpx.ReadError("emulated connection reset")
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        # Tell the server the peer is gone so it does not try to write its own 500 afterwards.
        cycle.disconnected = True


__all__ = [
    "DEFAULT_STALL_SECONDS",
    "ENVELOPE_FAULTS",
    "HTTP_FAULTS",
    "SCOPE_CYCLE_KEY",
    "ConnectionReset",
    "FaultInjector",
    "gateway_error",
    "truncated",
]
