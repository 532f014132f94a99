"""TikTok's app-level throttling: a QPS and a QPM budget on sliding windows, per app.

Windows run on the real monotonic clock, not the emulator clock: throttling is about how fast a client
actually calls, and a client's limiter is tested against wall time. Only admitted requests use up the
budget, so a client that backs off recovers after the window, as it does against TikTok.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

THROTTLE_MESSAGE = "Too many requests. Please retry in some time."

SECOND = 1.0
MINUTE = 60.0


@dataclass
class _AppWindow:
    """Admission times of one app, newest last; only the last minute is kept."""

    admitted: deque[float] = field(default_factory=deque)


class RateLimiter:
    """Admits or refuses each request of an app against its QPS and QPM budgets (0 = unlimited)."""

    def __init__(self, qps: int, qpm: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.qps = qps
        self.qpm = qpm
        self._clock = clock
        self._apps: dict[str, _AppWindow] = {}

    def configure(self, *, qps: int | None = None, qpm: int | None = None) -> None:
        """Change budgets without forgetting recent traffic."""
        if qps is not None:
            self.qps = qps
        if qpm is not None:
            self.qpm = qpm

    def reset(self) -> None:
        """Forget all traffic (between tests)."""
        self._apps.clear()

    def admit(self, app_id: str) -> bool:
        """Record and allow the request, or refuse it without recording."""
        if self.qps <= 0 and self.qpm <= 0:
            return True
        now = self._clock()
        window = self._apps.setdefault(app_id, _AppWindow())
        admitted = window.admitted
        while admitted and now - admitted[0] >= MINUTE:
            admitted.popleft()
        if self.qpm > 0 and len(admitted) >= self.qpm:
            return False
        if self.qps > 0 and self._count_since(admitted, now - SECOND) >= self.qps:
            return False
        admitted.append(now)
        return True

    @staticmethod
    def _count_since(admitted: deque[float], start: float) -> int:
        """Requests admitted after ``start``; scans from the newest end, which is short under a QPS cap."""
        count = 0
        for stamp in reversed(admitted):
            if stamp <= start:
                break
            count += 1
        return count


__all__ = ["THROTTLE_MESSAGE", "RateLimiter"]
