"""Bounded retries with exponential backoff and jitter, for the errors that the same request can fix.

What is retryable is decided by the exception class (``retryable`` in :mod:`tiktok_ads_mart.errors`), not
by codes here: transport failures, throttling and TikTok-side errors are; caller errors, missing
permissions and expired tokens are not (tokens have their own one-refresh path in the client).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one request is retried."""

    max_attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 30.0
    #: Floor for the wait after a 40100, on top of the limiter's own pause: TikTok asks clients to wait
    #: out the current second.
    throttle_delay: float = 1.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.throttle_delay < 0:
            raise ValueError("delays must be >= 0")

    def delay(self, attempt: int, *, throttled: bool = False) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1).

        "Equal jitter": half of the exponential step is fixed, half random, so concurrent tasks that
        failed together spread out but none retries immediately.
        """
        step = min(self.max_delay, self.base_delay * (2.0 ** (attempt - 1)))
        wait = step / 2 + random.uniform(0.0, step / 2)
        if throttled:
            # a refused request waits for TikTok's window to free and then queues at the limiter like any
            # other: no jitter is needed, the limiter spaces the retries
            return max(self.throttle_delay, wait)
        return wait


DEFAULT_RETRY_POLICY = RetryPolicy()
