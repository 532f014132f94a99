"""What one run counts: pages, rows and windows per stream and advertiser, failures, the fatal error.

Written by the extraction thread, read by the display thread and the summary; one lock guards it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tiktok_ads_mart.errors import TikTokAdsMartError


@dataclass
class StreamProgress:
    """Per stream and advertiser: what the live display and the summary show."""

    pages: int = 0
    rows: int = 0
    windows_total: int = 0
    windows_done: int = 0
    failed: str | None = None


@dataclass
class RunStats:
    """Everything counted during one run; written by the engine thread, read by the display."""

    progress: dict[tuple[str, str], StreamProgress] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # advertiser_id -> first error line
    fatal: TikTokAdsMartError | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # stream -> why it made no request
    lock: threading.Lock = field(default_factory=threading.Lock)

    def entry(self, stream: str, advertiser_id: str) -> StreamProgress:
        with self.lock:
            return self.progress.setdefault((stream, advertiser_id), StreamProgress())

    def fail(self, stream: str, advertiser_id: str, error: BaseException) -> None:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        with self.lock:
            self.progress.setdefault((stream, advertiser_id), StreamProgress()).failed = message
            self.failures.setdefault(advertiser_id, f"{stream}: {message}")

    def skip(self, stream: str, reason: str) -> None:
        with self.lock:
            self.skipped.setdefault(stream, reason)

    def rows_by_stream(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        with self.lock:
            for (stream, _), entry in self.progress.items():
                totals[stream] = totals.get(stream, 0) + entry.rows
        return totals


__all__ = ["RunStats", "StreamProgress"]
