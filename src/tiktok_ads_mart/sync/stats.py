"""What one run counts: pages, rows and windows per stream and advertiser, failures, the fatal error.

Written by the extraction thread, read by the display thread and the summary; one lock guards it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
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
    denied: dict[str, dict[str, str]] = field(default_factory=dict)  # stream -> advertiser -> 40001 line
    refused_through: dict[str, str] = field(default_factory=dict)  # stream -> the stream its ids come from
    lock: threading.Lock = field(default_factory=threading.Lock)

    def entry(self, stream: str, advertiser_id: str) -> StreamProgress:
        with self.lock:
            return self.progress.setdefault((stream, advertiser_id), StreamProgress())

    def fail(self, stream: str, advertiser_id: str, error: BaseException) -> None:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        with self.lock:
            self.progress.setdefault((stream, advertiser_id), StreamProgress()).failed = message
            self.failures.setdefault(advertiser_id, f"{stream}: {message}")

    def deny(self, stream: str, advertiser_id: str, error: BaseException) -> None:
        """A 40001 on one stream for one advertiser: that stream stops for that advertiser only. Whether
        it is the app's missing scope (every advertiser refused) or one advertiser's is settled at the
        end, by :meth:`settle_denials`."""
        message = str(error).splitlines()[0]
        with self.lock:
            self.progress.setdefault((stream, advertiser_id), StreamProgress()).failed = message
            self.denied.setdefault(stream, {})[advertiser_id] = message

    def settle_denials(self, scope_reason: Callable[[str], str], named: Collection[str]) -> None:
        """A stream every advertiser refused lacks the app's scope: it is skipped with ``scope_reason``,
        and counts as a failure only if the user named it. Otherwise each refusal is its advertiser's
        failure."""
        with self.lock:
            for stream, refused in self.denied.items():
                asked = {adv for (name, adv) in self.progress if name == stream}
                if set(refused) >= asked:
                    self.skipped.setdefault(stream, scope_reason(stream))
                    if stream not in named:
                        continue
                for advertiser_id, message in refused.items():
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
