"""What a running `sync` shows: a live rich table on a terminal, plain lines otherwise, nothing with --quiet.

The display only reads the run's counters (:class:`tiktok_ads_mart.sync.extract.RunStats` and the client's
stats) from its own thread; it never slows the extraction down or touches a secret.
"""

from __future__ import annotations

import threading
import time
from typing import Literal

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from tiktok_ads_mart.cli.common import shown
from tiktok_ads_mart.sync.run import ClientStatsReader, Reporter, SilentReporter, SyncResult
from tiktok_ads_mart.sync.stats import RunStats, StreamProgress

Mode = Literal["live", "plain", "quiet"]
MAX_LIVE_ROWS = 18


class _Rate:
    """Requests per second over the last few seconds, from the client's running count."""

    def __init__(self) -> None:
        self._samples: list[tuple[float, int]] = []

    def update(self, count: int) -> float:
        now = time.monotonic()
        self._samples.append((now, count))
        self._samples = [(t, c) for t, c in self._samples if now - t <= 5.0]
        first_t, first_c = self._samples[0]
        return (count - first_c) / (now - first_t) if now - first_t >= 1.0 else 0.0  # under 1 s: noise


class BaseReporter(SilentReporter):
    """Shared bookkeeping of the displays that show something: the phase, the counters, the request rate."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.stats: RunStats | None = None
        self.client_stats: ClientStatsReader = lambda: None
        self.qps = 0
        self.phase_name = "starting"
        self.started = time.monotonic()
        self._rate = _Rate()

    def start(self, stats: RunStats, client_stats: ClientStatsReader, qps: int) -> None:
        self.stats, self.client_stats, self.qps = stats, client_stats, qps
        self.started = time.monotonic()

    def phase(self, name: str) -> None:
        self.enter(name)

    def enter(self, name: str) -> bool:
        """Whether the phase changed (a phase named again, e.g. after the pipeline is set up, is not news)."""
        changed = name != self.phase_name
        self.phase_name = name
        return changed

    def stop(self) -> None:
        return None

    def requests(self) -> tuple[int, int, int]:
        stats = self.client_stats()
        if stats is None:
            return 0, 0, 0
        return stats.requests, stats.throttled, stats.retries

    def headline(self) -> str:
        return f"{self.progress_line()} · {self.requests_line()}"

    def progress_line(self) -> str:
        rows = sum(entry.rows for entry in self._entries().values())
        return f"{self.phase_name} · {time.monotonic() - self.started:5.1f}s · {rows:,} rows"

    def requests_line(self) -> str:
        """The rate counts answers TikTok served, not the ones it refused (40100), which would make the
        run look faster than the limit allows."""
        requests, throttled, retries = self.requests()
        rate = self._rate.update(requests - throttled)
        limit = f" (limit {self.qps}/s)" if self.qps else " (no limit)"
        return (
            f"{requests:,} requests, {rate:4.1f}/s served{limit} · {throttled} throttled · {retries} retries"
        )

    def _entries(self) -> dict[tuple[str, str], StreamProgress]:
        if self.stats is None:
            return {}
        with self.stats.lock:
            return dict(self.stats.progress)


class PlainReporter(BaseReporter):
    """One status line every few seconds and one line per finished stream and advertiser."""

    def __init__(self, console: Console, every: float = 2.0) -> None:
        super().__init__(console)
        self._every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reported: set[tuple[str, str]] = set()

    def start(self, stats: RunStats, client_stats: ClientStatsReader, qps: int) -> None:
        super().start(stats, client_stats, qps)
        self._thread = threading.Thread(target=self._loop, name="sync-progress", daemon=True)
        self._thread.start()

    def phase(self, name: str) -> None:
        if self.enter(name):
            self.console.print(self.headline(), highlight=False)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            self._finished_lines()
            self.console.print(self.headline(), highlight=False)

    def _finished_lines(self) -> None:
        for key, entry in sorted(self._entries().items()):
            if _finished(entry) and key not in self._reported:
                self._reported.add(key)
                stream, advertiser = key
                outcome = f"FAILED: {shown(entry.failed)}" if entry.failed else f"{entry.rows:,} rows"
                self.console.print(
                    f"  {shown(stream)} · advertiser {shown(advertiser)} · {_count(entry.pages, 'page')} · "
                    f"{outcome}",
                    highlight=False,
                )

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._finished_lines()


class LiveReporter(BaseReporter):
    """A rich table, refreshed a few times a second: per stream and advertiser, pages and rows."""

    def __init__(self, console: Console) -> None:
        super().__init__(console)
        self._live = Live(console=console, refresh_per_second=4, transient=True, get_renderable=self._render)

    def start(self, stats: RunStats, client_stats: ClientStatsReader, qps: int) -> None:
        super().start(stats, client_stats, qps)
        self._live.start()

    def stop(self) -> None:
        self._live.stop()

    def _render(self) -> Group:
        """What is moving now: streams with pages coming in first (most pages first), then failures; the
        waiting and the finished ones are counted below. Long names fold rather than being cut, so two
        streams that differ at the end can be told apart at 80 columns."""
        entries = self._entries()
        table = Table(expand=False, box=None, pad_edge=False, header_style="bold")
        table.add_column("stream", overflow="fold", ratio=3)
        table.add_column("advertiser", overflow="fold", ratio=2)
        for column in ("windows", "pages", "rows"):
            table.add_column(column, justify="right", no_wrap=True)
        table.add_column("state", no_wrap=True)
        moving = [(k, e) for k, e in entries.items() if not _finished(e) and e.pages]
        failed = [(k, e) for k, e in entries.items() if e.failed]
        waiting = sum(1 for e in entries.values() if not _finished(e) and not e.pages)
        done = [e for e in entries.values() if _finished(e) and not e.failed]
        visible = sorted(moving, key=lambda item: (-item[1].pages, item[0]))[:MAX_LIVE_ROWS]
        visible += sorted(failed)[: max(0, MAX_LIVE_ROWS - len(visible))]
        for (stream, advertiser), entry in visible:
            state = "[red]failed[/]" if entry.failed else "running"
            table.add_row(
                shown(stream),
                shown(advertiser),
                f"{entry.windows_done}/{entry.windows_total}",
                f"{entry.pages:,}",
                f"{entry.rows:,}",
                state,
            )
        hidden = len(moving) + len(failed) - len(visible)
        counts = [f"{len(done)} done ({sum(e.rows for e in done):,} rows)", f"{waiting} waiting"]
        if hidden > 0:
            counts.append(f"{hidden} more running")
        headline = Text(f"{self.progress_line()}\n{self.requests_line()}", style="bold")
        return Group(headline, table, Text(" · ".join(counts), style="dim"))


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _finished(entry: StreamProgress) -> bool:
    return entry.failed is not None or bool(entry.windows_total and entry.windows_done >= entry.windows_total)


def make_reporter(mode: Mode, console: Console) -> Reporter:
    if mode == "quiet":  # errors only: the CLI prints those itself
        return SilentReporter()
    if mode == "plain":
        return PlainReporter(console)
    return LiveReporter(console)


def choose_mode(quiet: bool, console: Console) -> Mode:
    """Live on a terminal, plain lines when stdout is a pipe or file, quiet when asked."""
    if quiet:
        return "quiet"
    return "live" if console.is_terminal else "plain"


def render_summary(result: SyncResult, console: Console) -> None:
    """The final table: rows per table, then requests, throttles, retries, failures and duration."""
    table = Table(
        title=f"sync summary → {shown(result.destination)} dataset {shown(result.dataset_name)}",
        show_footer=True,
    )
    table.add_column("table", footer="total")
    table.add_column("rows loaded this run", justify="right", footer=f"{result.total_rows:,}")
    for name, rows in sorted(result.rows.items()):
        table.add_row(shown(name), f"{rows:,}")
    console.print(table)
    rate = result.total_rows / result.duration if result.duration > 0 else 0.0
    console.print(
        f"advertisers {result.advertisers} · requests {result.requests:,} · throttled {result.throttled} · "
        f"retries {result.retries} · failures {len(result.failures)} · duration {result.duration:.1f}s "
        f"({rate:,.0f} rows/s)",
        highlight=False,
    )
    for stream, reason in sorted(result.skipped.items()):
        console.print(f"[yellow]skipped[/] {shown(stream)}: {shown(reason)}", highlight=False)
    for advertiser, message in sorted(result.failures.items()):
        console.print(f"[red]failed[/] advertiser {shown(advertiser)}: {shown(message)}", highlight=False)


__all__ = [
    "BaseReporter",
    "LiveReporter",
    "Mode",
    "PlainReporter",
    "choose_mode",
    "make_reporter",
    "render_summary",
]
