"""Proactive rate limiting: keep the whole process under one app's QPS and QPM so 40100 stays rare.

TikTok counts requests per developer app on sliding one-second and one-minute windows and answers an
excess with code 40100 (HTTP 200). A leaky bucket lets bursts through that a sliding window rejects, so
this limiter keeps its own sliding windows: each caller *reserves* a send time that leaves at most
``qps`` starts in any window of ``1 s + margin`` and at most ``qpm`` in any ``60 s + margin``, then sleeps
until that time. Starts are counted, not completions, because TikTok counts arrivals.

A reservation is only a plan: a task can wake late (the event loop was busy, the GIL was elsewhere),
and a late start followed by an on-time one squeezes two starts closer than planned. So on waking each
task checks the windows against the times requests were *actually* let go, waits more if needed, and
records its own actual start.

Reservations are computed under a ``threading.Lock`` and awaited with ``asyncio.sleep``, so one limiter
serves every event loop and thread of the process (the registry hands out one per app). A single 40100
means our timing and TikTok's differ by more than the margin: the margin widens (and narrows again
over the next half minute) and the refused request is retried after a window. Only repeated 40100s
within a short period, which point at someone else using the same app's budget, pause all new starts
for a window and halve the rate (multiplicative decrease); successes raise it again a little at a time
(additive increase) until the configured rate is back.

With no limit configured (``--qps 0 --qpm 0``) a 40100 still slows the run: TikTok has a limit, so the
limiter pauses a window and learns the limit from it. TikTok admitted the requests it answered, so no
second of their arrivals held more than the app's budget, and the run was saturating that budget (it
was refused): the busiest second of accepted starts measures it. A share of it (``_LEARNED_SHARE``)
becomes the QPS once the burst's answers are in (at the end of the pause), and from then on the limiter
behaves as if that limit had been configured. The rate merely sent is no guide: the burst a 40100 lands
in can be far over the limit.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("tiktok_ads_mart.api")


@dataclass(frozen=True)
class RateLimits:
    """Requests per second and per minute allowed for one app; ``0`` means unlimited."""

    qps: int = 10
    qpm: int = 600
    #: Extra seconds added to each window so clock skew and network jitter between our send time and
    #: TikTok's arrival time cannot squeeze ``qps + 1`` requests into TikTok's window.
    margin: float = 0.03

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
#: How much one throttle signal widens the margin, the most it can be widened, and the half-life of
#: that widening once the 40100s stop.
_MARGIN_STEP = 0.05
_MAX_EXTRA_MARGIN = 0.25
_MARGIN_HALF_LIFE = 30.0
#: Two throttle signals this close together mean the budget is not ours alone: slow down.
_REPEAT_PERIOD = 10.0
#: With no limit configured: the share of the budget a first 40100 measured that becomes the QPS, and
#: how long accepted starts are remembered for that measurement.
_LEARNED_SHARE = 0.8
_ACCEPTED_MEMORY = 5.0


class RateLimiter:
    """Sliding-window limiter for one app, shared by every task (and event loop) of the process."""

    def __init__(self, limits: RateLimits, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._windows(limits)
        self._last = -math.inf
        self._paused_until = -math.inf
        self._factor = 1.0
        self._extra_margin = 0.0
        self._last_signal = -math.inf
        self.throttled = 0
        #: Throttle signals (a burst of 40100s within one window counts once).
        self.signals = 0
        #: While unlimited: start times of the requests TikTok accepted lately (in answer order).
        self._accepted_starts: deque[float] = deque()
        #: A first 40100 without a configured limit: paused while the burst's answers come in.
        self._learning = False

    def _windows(self, limits: RateLimits) -> None:
        self.limits = limits
        # planned starts (reservations) and actual starts, each newest last
        self._second: deque[float] = deque(maxlen=max(limits.qps, 1))
        self._minute: deque[float] = deque(maxlen=max(limits.qpm, 1))
        self._sent_second: deque[float] = deque(maxlen=max(limits.qps, 1))
        self._sent_minute: deque[float] = deque(maxlen=max(limits.qpm, 1))

    @property
    def factor(self) -> float:
        """The share of the configured rate currently used (1.0 unless TikTok repeatedly said 40100)."""
        return self._factor

    @property
    def margin(self) -> float:
        """Seconds added to each window now: the configured margin plus what recent 40100s added."""
        with self._lock:
            return self._margin(self._clock())

    def _margin(self, now: float) -> float:
        if self._extra_margin <= 0.0:
            return self.limits.margin
        decay: float = 0.5 ** (max(0.0, now - self._last_signal) / _MARGIN_HALF_LIFE)
        return self.limits.margin + self._extra_margin * decay

    def _allowed(self, limit: int) -> int:
        return max(1, math.floor(limit * self._factor))

    def reserve(self) -> float:
        """Book the earliest allowed start time and return it (a ``clock()`` value)."""
        with self._lock:
            now = self._clock()
            self._settle_learning(now)
            if self._learning:
                # nothing is booked until the limit is known: wake at the pause's end and ask ``try_start``
                return max(now, self._paused_until)
            if self.limits.unlimited:
                return now
            start = max(now, self._paused_until, self._earliest(now, self._second, self._minute))
            if self.limits.qps:
                start = max(start, self._last)  # keep starts in booking order
            self._second.append(start)
            self._minute.append(start)
            self._last = start
            return start

    def _earliest(self, now: float, second: deque[float], minute: deque[float]) -> float:
        """The first time at which one more start keeps both windows within their budgets."""
        margin = self._margin(now)
        start = -math.inf
        if self.limits.qps:
            start = max(start, _window_end(second, self._allowed(self.limits.qps), _QPS_WINDOW + margin))
        if self.limits.qpm:
            start = max(start, _window_end(minute, self._allowed(self.limits.qpm), _QPM_WINDOW + margin))
        return start

    def try_start(self) -> float:
        """Record a start now if the starts actually made allow it (returns 0.0), else the seconds to wait.

        ``acquire`` asks this after sleeping until its reservation: a task that woke late moved its
        start later than planned, and the tasks booked after it must not squeeze into its window.
        """
        with self._lock:
            now = self._clock()
            self._settle_learning(now)
            if self.limits.unlimited:
                return 0.0
            ready = max(self._paused_until, self._earliest(now, self._sent_second, self._sent_minute))
            if now < ready:
                return ready - now
            self._sent_second.append(now)
            self._sent_minute.append(now)
            return 0.0

    async def acquire(self) -> float:
        """Wait for this task's turn to start a request, record the start and return it.

        The caller hands the start back with the answer (``on_success``/``on_throttled``): with no
        limit configured, that is how a first 40100 learns the app's limit.
        """
        if self.limits.unlimited:
            return self._clock()
        delay = self.reserve() - self._clock()
        while True:
            if delay > 0:
                await asyncio.sleep(delay)
            delay = self.try_start()
            if delay <= 0:
                return self._clock()

    def on_throttled(self) -> None:
        """TikTok said 40100: widen the margin; if it keeps saying so, pause a window and halve the rate.

        Refusals closer together than one window come from the same burst and count as one signal.
        """
        with self._lock:
            self.throttled += 1
            now = self._clock()
            if self._learning:
                return  # the rest of the burst the first refusal came in
            if self.limits.unlimited:
                self._start_learning(now)
                return
            since_last = now - self._last_signal
            if since_last < _QPS_WINDOW + self._margin(now):
                return
            self.signals += 1
            self._extra_margin = min(
                _MAX_EXTRA_MARGIN, self._extra_margin * 0.5 ** (since_last / _MARGIN_HALF_LIFE) + _MARGIN_STEP
            )
            if since_last <= _REPEAT_PERIOD:
                self._factor = max(_MIN_FACTOR, self._factor * 0.5)
                self._paused_until = max(self._paused_until, now + _QPS_WINDOW + self._margin(now))
            self._last_signal = now

    def _start_learning(self, now: float) -> None:
        """The first 40100 without a configured limit: pause a window while the burst's answers come in."""
        self._learning = True
        # a placeholder so that requests queue behind the pause; never booked against (see ``reserve``)
        self._windows(RateLimits(qps=1, qpm=0, margin=self.limits.margin))
        self.signals += 1
        self._extra_margin = _MARGIN_STEP
        self._paused_until = now + _QPS_WINDOW + self._margin(now)
        self._last_signal = now

    def _settle_learning(self, now: float) -> None:
        """At the end of the pause, the busiest second of accepted starts sets the QPS.

        TikTok admitted those requests, so no second of their arrivals held more than the app's budget,
        and the run was saturating it (it was refused): the busiest second measures the budget. Answers
        come back out of order, hence waiting for the pause's end rather than counting at the refusal.
        """
        if not self._learning or now < self._paused_until:
            return
        budget = _busiest_window(sorted(self._accepted_starts), _QPS_WINDOW)
        # nothing accepted (someone else used the budget up): the lowest tier's QPS, then AIMD as usual
        qps = math.floor(budget * _LEARNED_SHARE) if budget else DEFAULT_RATE_LIMITS.qps
        self._windows(RateLimits(qps=max(1, qps), qpm=0, margin=self.limits.margin))
        log.warning(
            "TikTok throttled a run with no rate limit set: going on at %d requests/s (see --qps)",
            max(1, qps),
        )
        self._accepted_starts.clear()
        self._learning = False

    def on_success(self, started: float | None = None) -> None:
        """An answer that was not a 40100: creep back towards the configured rate."""
        if started is not None and (self.limits.unlimited or self._learning):
            with self._lock:
                self._accepted_starts.append(started)
                if not self._learning:
                    oldest = self._clock() - _ACCEPTED_MEMORY
                    while self._accepted_starts and self._accepted_starts[0] < oldest:
                        self._accepted_starts.popleft()
            return
        if self._factor >= 1.0:
            return
        with self._lock:
            step = 1.0 / max(10, self.limits.qps * 5)
            self._factor = min(1.0, self._factor + step)


def _busiest_window(starts: list[float], window: float) -> int:
    """The most of the sorted ``starts`` that fall in any one ``window`` (two pointers, one pass)."""
    most = first = 0
    for last, start in enumerate(starts):
        while start - starts[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def _window_end(starts: deque[float], allowed: int, window: float) -> float:
    """The first time at which one more start keeps at most ``allowed`` starts in any ``window``."""
    if len(starts) < allowed:
        return -math.inf
    return starts[-allowed] + window


_registry: dict[tuple[str, RateLimits], RateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(app_key: str, limits: RateLimits) -> RateLimiter:
    """The one limiter of an app in this process (all clients of the same app share it)."""
    with _registry_lock:
        limiter = _registry.get((app_key, limits))
        if limiter is None:
            limiter = _registry[(app_key, limits)] = RateLimiter(limits)
        return limiter
