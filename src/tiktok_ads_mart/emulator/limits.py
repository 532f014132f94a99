"""TikTok's throttling: the app's QPS and QPM budgets, and the limits of ``report/task/create/``.

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
HOUR = 3600.0

TASK_CREATE_QPS = 2
TASK_CREATE_QPM = 60
"""The rate-limit table (doc 1740029171730433, the page TikTok's 40100 points to) gives "Asynchronous
reports (/report/task/create/ with POST method)" 2 QPS, 60 QPM and 4,500 QPD at every level. The endpoint's
own page (doc 1740302766489602) and the best-practices guide (doc 1738864817670145) say 1 QPS; a client
that keeps to 1 QPS passes either way."""
TASK_CREATIONS_PER_ADVERTISER_HOUR = 500
"""doc 1740302766489602: "a separate limit of 500 asynchronous report creations per ad account every hour"."""


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


class TaskCreationLimits:
    """``report/task/create/``'s own limits, beside the app's: requests per second and per minute per app,
    and task creations per advertiser over a sliding hour.

    The second budget counts created tasks only (a refused request creates none), keyed by advertiser:
    the emulator has no TikTok user behind a token, so "the user associated with your access token ...
    per ad account" becomes per ad account. ``0`` disables a budget.
    """

    def __init__(
        self,
        qps: int = TASK_CREATE_QPS,
        per_advertiser_hour: int = TASK_CREATIONS_PER_ADVERTISER_HOUR,
        clock: Callable[[], float] = time.monotonic,
        qpm: int = TASK_CREATE_QPM,
    ) -> None:
        self.qps = qps
        self.qpm = qpm
        self.per_advertiser_hour = per_advertiser_hour
        self._clock = clock
        self._requests: dict[str, deque[float]] = {}
        self._created: dict[str, deque[float]] = {}

    def configure(
        self, *, qps: int | None = None, qpm: int | None = None, per_advertiser_hour: int | None = None
    ) -> None:
        """Change budgets without forgetting recent traffic."""
        if qps is not None:
            self.qps = qps
        if qpm is not None:
            self.qpm = qpm
        if per_advertiser_hour is not None:
            self.per_advertiser_hour = per_advertiser_hour

    def reset(self) -> None:
        """Forget all requests and creations (between tests)."""
        self._requests.clear()
        self._created.clear()

    def admit_request(self, app_id: str) -> bool:
        """Record and allow one request of the app to the endpoint, or refuse it without recording."""
        if self.qps <= 0 and self.qpm <= 0:
            return True
        now = self._clock()
        window = self._requests.setdefault(app_id, deque())
        while window and now - window[0] >= MINUTE:
            window.popleft()
        if self.qpm > 0 and len(window) >= self.qpm:
            return False
        if self.qps > 0 and RateLimiter._count_since(window, now - SECOND) >= self.qps:
            return False
        window.append(now)
        return True

    def may_create(self, advertiser_id: str) -> bool:
        """Whether the advertiser has created fewer tasks than its budget in the last hour."""
        if self.per_advertiser_hour <= 0:
            return True
        now = self._clock()
        window = self._created.setdefault(advertiser_id, deque())
        while window and now - window[0] >= HOUR:
            window.popleft()
        return len(window) < self.per_advertiser_hour

    def created(self, advertiser_id: str) -> None:
        """Count a task the advertiser created."""
        self._created.setdefault(advertiser_id, deque()).append(self._clock())


__all__ = [
    "TASK_CREATE_QPM",
    "TASK_CREATE_QPS",
    "TASK_CREATIONS_PER_ADVERTISER_HOUR",
    "THROTTLE_MESSAGE",
    "RateLimiter",
    "TaskCreationLimits",
]
