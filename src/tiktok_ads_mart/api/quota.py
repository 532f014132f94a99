"""A run's share of the app's daily request quota (QPD), counted across its runs of the day.

TikTok counts an app's requests per UTC day and, once they are used up, refuses every request of every
worker until 00:00 UTC (rate limits doc 1740029171730433). N workers of one app (``sync --shard I/N``)
that each keep to 1/N of the quota leave each other theirs, instead of one backfill starving the rest.
The count lives in a small file next to the run's dlt state, so a worker run again the same day goes on
from what it already used; only one process holds a pipeline at a time (``sync/lock.py``), so the file
has one writer.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tiktok_ads_mart.errors import DailyShareUsedUp


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DailyShare:
    """Requests this worker may still send today; :meth:`take` one before each request."""

    def __init__(self, limit: int, ledger: Path, *, clock: Callable[[], datetime] = _utc_now) -> None:
        if limit < 1:
            raise ValueError("a daily share is at least one request")
        self.limit, self.ledger, self._clock = limit, ledger, clock
        self._day, self._used = self._read()

    def _today(self) -> str:
        return self._clock().astimezone(UTC).date().isoformat()

    def _read(self) -> tuple[str, int]:
        """The day and count on file; a missing or unreadable file counts nothing (a fresh worker)."""
        try:
            stored = json.loads(self.ledger.read_text("utf-8"))
            return str(stored["day"]), int(stored["used"])
        except (OSError, ValueError, KeyError, TypeError):
            return self._today(), 0

    @property
    def used(self) -> int:
        """Requests counted today (0 once the UTC day has turned)."""
        return self._used if self._day == self._today() else 0

    def take(self) -> None:
        """Count one request, or raise :class:`DailyShareUsedUp` if today's share is spent."""
        today = self._today()
        if today != self._day:
            self._day, self._used = today, 0
        if self._used >= self.limit:
            raise DailyShareUsedUp(
                f"this run's share of it, {self.limit} requests a UTC day (--qpd), is spent: "
                f"{self._used} sent today"
            )
        self._used += 1
        self._write()

    def _write(self) -> None:
        """Replace the file whole, so a run killed mid-write leaves the old count, never half a file."""
        self.ledger.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.ledger.with_name(self.ledger.name + ".tmp")
        scratch.write_text(json.dumps({"day": self._day, "used": self._used}), "utf-8")
        with contextlib.suppress(OSError):
            os.chmod(scratch, 0o600)
        os.replace(scratch, self.ledger)


__all__ = ["DailyShare"]
