"""Proactive rate limiting: keep the whole process under one app's QPS and QPM so 40100 stays rare.

TikTok counts requests per developer app on sliding one-second and one-minute windows and answers an
excess with code 40100 (HTTP 200). A leaky bucket lets bursts through that a sliding window rejects, so
this limiter keeps its own sliding windows: each caller *reserves* a send time that leaves at most
``qps`` starts in any window of ``1 s + margin`` and at most ``qpm`` in any ``60 s + margin``, then sleeps
until that time. Starts are counted, not completions, because TikTok counts arrivals.

Reservations are computed under a ``threading.Lock`` and awaited with ``asyncio.sleep``, so one limiter
serves every event loop and thread of the process (the registry hands out one per app). On a 40100 the
limiter pauses all new starts briefly and lowers its effective rate (multiplicative decrease); every
successful answer raises it again a little (additive increase) until the configured rate is back.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Requests per second and per minute allowed for one app; ``0`` means unlimited."""

    qps: int = 10
    qpm: int = 600
    #: Extra seconds added to each window so clock skew and network jitter between our send time and
    #: TikTok's arrival time cannot squeeze ``qps + 1`` requests into TikTok's window.
    margin: float = 0.05

    def __post_init__(self) -> None:
        if self.qps < 0 or self.qpm < 0:
            raise ValueError("qps and qpm must be >= 0 (0 = unlimited)")
        if self.margin < 0:
            raise ValueError("margin must be >= 0")

    @property
    def unlimited(self) -> bool:
        return self.qps == 0 and self.qpm == 0

    @classmethod
    def tier(cls, name: str) -> RateLimits:
        """The limits of one of TikTok's app tiers (basic, advanced, premium, ultimate)."""
        try:
            return TIERS[name.strip().lower()]
        except KeyError:
            raise ValueError(f"unknown rate-limit tier {name!r}; choose one of {', '.join(TIERS)}") from None


TIERS: dict[str, RateLimits] = {
    "basic": RateLimits(qps=10, qpm=600),
    "advanced": RateLimits(qps=20, qpm=1200),
    "premium": RateLimits(qps=30, qpm=1800),
    "ultimate": RateLimits(qps=50, qpm=3000),
}
DEFAULT_RATE_LIMITS = TIERS["basic"]

_QPS_WINDOW = 1.0
_QPM_WINDOW = 60.0
_MIN_FACTOR = 0.25
_THROTTLE_PAUSE = 1.0  # TikTok's guidance for a QPS breach: retry after the current second


class RateLimiter:
    """Sliding-window limiter for one app, shared by every task (and event loop) of the process."""

    def __init__(self, limits: RateLimits, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._second: deque[float] = deque(maxlen=max(limits.qps, 1))
        self._minute: deque[float] = deque(maxlen=max(limits.qpm, 1))
        self._last = -math.inf
        self._paused_until = -math.inf
        self._factor = 1.0
        self._last_decrease = -math.inf
        self.throttled = 0

    @property
    def factor(self) -> float:
        """The share of the configured rate currently used (1.0 unless TikTok recently said 40100)."""
        return self._factor

    def _allowed(self, limit: int) -> int:
        return max(1, math.floor(limit * self._factor))

    def reserve(self) -> float:
        """Book the earliest allowed start time and return it (a ``clock()`` value)."""
        with self._lock:
            now = self._clock()
            if self.limits.unlimited:
                return now
            start = max(now, self._paused_until)
            if self.limits.qps:
                start = max(start, self._last)  # keep starts in booking order
                start = max(start, self._earliest(self._second, self._allowed(self.limits.qps), _QPS_WINDOW))
            if self.limits.qpm:
                start = max(start, self._earliest(self._minute, self._allowed(self.limits.qpm), _QPM_WINDOW))
            self._second.append(start)
            self._minute.append(start)
            self._last = start
            return start

    def _earliest(self, starts: deque[float], allowed: int, window: float) -> float:
        """The first time at which one more start keeps at most ``allowed`` starts in any window."""
        if len(starts) < allowed:
            return -math.inf
        return starts[-allowed] + window + self.limits.margin

    async def acquire(self) -> None:
        """Wait for this task's turn to start a request."""
        delay = self.reserve() - self._clock()
        if delay > 0:
            await asyncio.sleep(delay)

    def on_throttled(self) -> None:
        """TikTok said 40100: pause new starts for a jittered second and halve the rate (AIMD).

        The rate is halved at most once per pause, so one burst of refusals counts as one signal.
        """
        with self._lock:
            self.throttled += 1
            now = self._clock()
            if now - self._last_decrease >= _THROTTLE_PAUSE:
                # many in-flight requests refused by the same burst are one signal, not fifty
                self._factor = max(_MIN_FACTOR, self._factor * 0.5)
                self._last_decrease = now
            pause_end = now + _THROTTLE_PAUSE + random.uniform(0.0, 0.25)
            self._paused_until = max(self._paused_until, pause_end)

    def on_success(self) -> None:
        """An answer that was not a 40100: creep back towards the configured rate."""
        if self._factor >= 1.0:
            return
        with self._lock:
            step = 1.0 / max(10, self.limits.qps * 5)
            self._factor = min(1.0, self._factor + step)


_registry: dict[tuple[str, RateLimits], RateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(app_key: str, limits: RateLimits) -> RateLimiter:
    """The one limiter of an app in this process (all clients of the same app share it)."""
    with _registry_lock:
        limiter = _registry.get((app_key, limits))
        if limiter is None:
            limiter = _registry[(app_key, limits)] = RateLimiter(limits)
        return limiter
