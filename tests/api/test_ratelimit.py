"""The limiter's arithmetic on a fake clock: sliding windows, late starts, margins and AIMD on 40100."""

from __future__ import annotations

import asyncio

import pytest

from tiktok_ads_mart.api import DEFAULT_RATE_LIMITS, TIERS, RateLimiter, RateLimits, RetryPolicy, limiter_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def max_in_window(starts: list[float], window: float) -> int:
    return max(sum(1 for t in starts if s <= t < s + window) for s in starts)


def test_tiers_by_name_and_the_default_limits() -> None:
    assert RateLimits() == DEFAULT_RATE_LIMITS
    assert RateLimits.tier("Premium") == TIERS["premium"]
    with pytest.raises(ValueError, match="unknown rate-limit tier"):
        RateLimits.tier("gold")


def test_reservations_never_put_more_than_qps_starts_in_any_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(qps=5, qpm=1000), clock=clock)
    starts = [limiter.reserve() for _ in range(23)]
    assert starts == sorted(starts)
    assert max_in_window(starts, 1.0 + limiter.limits.margin) == 5
    # not too conservative either: 23 starts at 5/s take about 4 windows
    assert starts[-1] - starts[0] == pytest.approx(4 * (1.0 + limiter.limits.margin))


def test_reservations_hold_the_minute_window_too() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(qps=10, qpm=12), clock=clock)
    starts = [limiter.reserve() for _ in range(30)]
    assert max_in_window(starts, 60.0) <= 12
    assert starts[12] - starts[0] >= 60.0


def test_time_passing_frees_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(qps=2, qpm=0), clock=clock)
    assert [limiter.reserve() for _ in range(2)] == [100.0, 100.0]
    clock.now = 200.0
    assert limiter.reserve() == 200.0


def test_unlimited_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(0, 0), clock=clock)
    assert {limiter.reserve() for _ in range(1000)} == {100.0}


def test_a_first_throttle_without_limits_learns_the_budget_tiktok_accepted() -> None:
    """30 requests sent in a second, TikTok's window holds 10: half the rate seen (15) would still be over."""
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(0, 0), clock=clock)
    starts = []
    for i in range(30):
        clock.now = 100.0 + i / 30
        starts.append(asyncio.run(limiter.acquire()))
    # answers come back out of order: the first refusal before most of the accepted answers
    limiter.on_success(starts[3])
    limiter.on_throttled()
    for start in starts[:3] + starts[4:10]:
        limiter.on_success(start)
    for _ in starts[11:]:
        limiter.on_throttled()  # the rest of the burst: one signal
    assert limiter.signals == 1
    paused_until = limiter.reserve()
    assert paused_until > clock.now  # nothing starts during the pause
    clock.now = paused_until
    limiter.try_start()
    assert limiter.limits.qps == 8  # 80% of the 10 TikTok accepted in the busiest second
    later = [limiter.reserve() for _ in range(20)]
    assert max_in_window(later, 1.0) <= 8


def test_a_throttle_with_nothing_accepted_falls_back_to_the_lowest_tier() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(0, 0), clock=clock)
    asyncio.run(limiter.acquire())
    limiter.on_throttled()
    clock.now += 2.0
    limiter.reserve()
    assert limiter.limits.qps == DEFAULT_RATE_LIMITS.qps


def test_a_late_start_pushes_the_next_ones_back() -> None:
    """Reservations are plans; the window is checked against the starts actually made."""
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(qps=1, qpm=0, margin=0.05), clock=clock)
    planned = [limiter.reserve() for _ in range(2)]
    assert planned == [100.0, pytest.approx(101.05)]
    clock.now = 100.4
    assert limiter.try_start() == 0.0  # the first task woke 0.4 s late
    clock.now = planned[1]
    # starting now would put two starts 0.65 s apart: the second waits until 100.4 + 1.05
    assert limiter.try_start() == pytest.approx(0.4)
    clock.now = 101.45
    assert limiter.try_start() == 0.0
    clock.now = 101.5
    assert limiter.try_start() == pytest.approx(1.0)  # and the next one's window starts from there


def test_one_throttle_widens_the_margin_without_slowing_down() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(qps=10, qpm=0, margin=0.03), clock=clock)
    limiter.on_throttled()
    limiter.on_throttled()  # the same burst: one signal
    assert limiter.throttled == 2 and limiter.signals == 1
    assert limiter.factor == 1.0
    assert limiter.margin == pytest.approx(0.08)
    assert limiter.reserve() == 100.0  # no pause: the refused request just queues again
    clock.now += 60.0  # two half-lives later the widening has mostly gone
    assert limiter.margin == pytest.approx(0.03 + 0.05 / 4)


def test_repeated_throttles_pause_halve_and_recover_slowly() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(qps=10, qpm=0), clock=clock)
    limiter.on_throttled()
    clock.now += 3.0
    limiter.on_throttled()  # again within seconds: someone else uses this app's budget
    assert limiter.signals == 2 and limiter.factor == 0.5
    assert limiter.reserve() >= clock.now + 1.0  # new starts paused for a window
    for _ in range(3):
        clock.now += 1.5
        limiter.on_throttled()
    assert limiter.factor == 0.25  # floor
    assert limiter.margin <= limiter.limits.margin + 0.25  # widening is capped
    steps = 0
    while limiter.factor < 1.0:
        limiter.on_success()
        steps += 1
    assert 30 <= steps <= 100


def test_throttles_far_apart_never_cut_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(qps=10, qpm=0), clock=clock)
    for _ in range(5):
        limiter.on_throttled()
        clock.now += 11.0
    assert limiter.signals == 5 and limiter.factor == 1.0


def test_one_limiter_per_app_in_the_process() -> None:
    limits = RateLimits(3, 30)
    assert limiter_for("app-a", limits) is limiter_for("app-a", limits)
    assert limiter_for("app-a", limits) is not limiter_for("app-b", limits)


def test_retry_delays_grow_and_stay_bounded() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, throttle_delay=1.0)
    assert 0.25 <= policy.delay(1) <= 0.5
    assert 2.0 <= policy.delay(4) <= 4.0
    assert all(policy.delay(n) <= 4.0 for n in range(1, 20))
    assert policy.delay(1, throttled=True) >= 1.0
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
