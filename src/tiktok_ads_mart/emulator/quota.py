"""The per-day request quota of a developer app (QPD), counted on the emulator's clock.

TikTok: "For QPD limit, you need to wait until the next day (UTC+0 time) to make API requests again.
Note that the QPD limit resets at 00:00:00 UTC+0 time every day", and every limit answers code 40100
(rate limits doc 1740029171730433). The emulator clock decides the day, so a test moves past midnight
with ``set_now`` instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

DAILY_QUOTA_MESSAGE = (
    "The daily request quota (QPD) of this app is used up; it resets at 00:00:00 UTC. "
    "Please retry after the reset."
)
"""TikTok's rate-limit page gives no message text for this case; the emulator names the QPD in it."""


class DailyQuota:
    """Requests admitted per app on the current UTC day; 0 means no quota."""

    def __init__(self, per_day: int, clock: Callable[[], datetime]) -> None:
        self.per_day = per_day
        self._clock = clock
        self._used: dict[tuple[str, date], int] = {}

    def admit(self, app_id: str) -> bool:
        """Count the request against today's quota, or refuse it once the quota is used up."""
        if self.per_day <= 0:
            return True
        key = (app_id, self._clock().date())
        used = self._used.get(key, 0)
        if used >= self.per_day:
            return False
        if key not in self._used:  # a new day: yesterday's counts are not needed again
            self._used = {k: v for k, v in self._used.items() if k[1] == key[1]}
        self._used[key] = used + 1
        return True


__all__ = ["DAILY_QUOTA_MESSAGE", "DailyQuota"]
