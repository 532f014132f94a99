"""`sync`: find the advertisers, run the dlt pipeline over the source, and sum up what happened.

The order matters for "killed at any moment, started again, same rows": packages a killed run left in
dlt's working directory are normalized and loaded first, then the new run extracts from the state
those packages carried. State moves only inside a load package, so it can never run ahead of the data.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from tiktok_ads_mart.api import ClientStats, RateLimits, TikTokClient, TokenCredential
from tiktok_ads_mart.api.quota import DailyShare
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.errors import (
    SyncInterrupted,
    TikTokAdsMartError,
)
from tiktok_ads_mart.scopes import ENABLE_HINT, scope_for
from tiktok_ads_mart.sync.advertisers import contexts_of, discover_advertiser_ids, fetch_advertisers, of_shard
from tiktok_ads_mart.sync.destination import (
    apply_dlt_defaults,
    check_definitions,
    check_destination,
    drop_pending,
    has_pending_data,
    load_with_memory_fallback,
    loader_format,
    make_pipeline,
    prune_loaded_packages,
    reset_streams,
    streams_dropped_by_hand,
    translate_load_error,
)
from tiktok_ads_mart.sync.extract import ClientFactory, Extractor
from tiktok_ads_mart.sync.lock import make_private, pipeline_lock
from tiktok_ads_mart.sync.plan import PlanSettings
from tiktok_ads_mart.sync.stats import RunStats
from tiktok_ads_mart.sync.stopping import interrupted_error, raise_if_stop_requested, stop_between_pages

log = logging.getLogger("tiktok_ads_mart.sync")


ClientStatsReader = Callable[[], ClientStats | None]
"""How a display reads the client's counters while the run goes on (None before the client exists)."""


class Reporter(Protocol):
    """What `sync` tells the display (see :mod:`tiktok_ads_mart.cli.progress`)."""

    def start(self, stats: RunStats, client_stats: ClientStatsReader, qps: int) -> None: ...
    def phase(self, name: str) -> None: ...
    def stop(self) -> None: ...


class SilentReporter:
    """The display of a run nobody watches (a library call, `--quiet`)."""

    def start(self, stats: RunStats, client_stats: ClientStatsReader, qps: int) -> None:
        return None

    def phase(self, name: str) -> None:
        return None

    def stop(self) -> None:
        return None


@dataclass
class SyncResult:
    """The summary of one run; ``exit_code`` is non-zero when any advertiser failed."""

    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    duration: float = 0.0
    advertisers: int = 0
    fatal: TikTokAdsMartError | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # stream -> why it made no request
    destination: str = ""
    dataset_name: str = ""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.fatal is not None else 0


LONG_BACKFILL_DAYS = 31


def effective_report_mode(settings: SyncSettings) -> str:
    """Without a mode set, a backfill longer than a month reads as ``auto``: its many windows are where
    report tasks save the most requests (and a daily quota), and a one-off run can afford their wait.
    Everything else reads as ``sync``."""
    if settings.report_mode is not None:
        return settings.report_mode
    if settings.start_date is None:
        return "sync"
    end = settings.end_date or settings.clock().date()
    return "auto" if (end - settings.start_date).days + 1 > LONG_BACKFILL_DAYS else "sync"


def extractor_for(settings: SyncSettings, client_factory: ClientFactory, stats: RunStats) -> Extractor:
    """The engine of a run, the CLI's or the Python source's: a buffer of two pages per request in flight."""
    return Extractor(
        client_factory,
        stats,
        concurrency=settings.concurrency,
        max_buffered_pages=2 * settings.concurrency,
        report_mode=effective_report_mode(settings),
    )


SHARD_MARGIN = 0.1
"""Seconds added to each rate window of a shard (or a concurrent run): N workers' requests meet at TikTok
with N processes' timing jitter, more than one process's default margin covers."""


def _limits(settings: SyncSettings) -> RateLimits:
    qps, qpm = settings.rate_limits
    if settings.workers == 1:
        return RateLimits(qps=qps, qpm=qpm)
    return RateLimits(qps=qps, qpm=qpm, margin=SHARD_MARGIN)


def token_source_for(settings: SyncSettings) -> TokenCredential:
    """``TIKTOK_ACCESS_TOKEN``, else the stored profile, bound to the host that issued it."""
    from tiktok_ads_mart.auth import resolve_token_source

    return resolve_token_source(
        settings.profile, api_base=settings.named_api_base(), limits=_limits(settings)
    )


def api_base_for(settings: SyncSettings, token: TokenCredential) -> str:
    """Where to send requests: a stored credential's host (bound to its issuer when it was resolved),
    else the host the run was pointed at, else production.

    A profile logged in against the sandbox or the emulator must not be sent to production just
    because ``sync`` was run without ``--api-base``, nor anywhere a config file names.
    """
    from tiktok_ads_mart.api.hosts import url_for_bare_token, url_for_stored_token

    if token.api_base:  # issued by a host it is bound to
        return url_for_stored_token(token.api_base, settings.named_api_base(), settings.profile)
    return url_for_bare_token(settings.named_api_base())


def daily_ledger(settings: SyncSettings) -> Path:
    """Where the run's requests of the day are counted: beside its dlt state, one file per shard."""
    return settings.resolved_pipelines_dir() / f"{settings.state_name}.requests-today.json"


def default_client_factory(settings: SyncSettings, token: TokenCredential) -> ClientFactory:
    """A factory the extractor calls inside its own loop (an httpx pool belongs to one loop)."""

    share = (
        DailyShare(settings.daily_share, daily_ledger(settings), clock=settings.clock)
        if settings.daily_share
        else None
    )

    def build() -> TikTokClient:
        return TikTokClient(
            api_base_for(settings, token),
            token,
            limits=_limits(settings),
            timeout=60.0,
            concurrency=settings.concurrency,
            give_up_after=settings.give_up_after,
            daily_share=share,
        )

    return build


M_ARENA_MAX = -8  # glibc mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas before the worker threads start: each thread's arena keeps
    its own freed fragments, which shows up as peak RSS; two are plenty for this workload."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)


def release_memory() -> None:
    """Give the extraction's freed buffers back to the OS before DuckDB takes its share (peak RSS)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


PENDING_HINT = (
    "; its rows wait in a load package that the next sync loads first"
    " (`sync --drop-pending` discards it and reads its days again)"
)


def finish_pending(pipeline: Any, settings: SyncSettings) -> None:
    """Complete the packages a killed run left (``pipeline.has_pending_data``); they carry the state this
    run continues from."""
    log.info("completing load packages left by an interrupted run")
    pipeline.normalize()
    load_with_memory_fallback(pipeline, settings)


# A package per this many rows or seconds when requests are rate-bound (see load_in_cycles).
CYCLE_ROWS = 150_000
CYCLE_SECONDS = 15.0


def load_in_cycles(
    pipeline: Any,
    settings: SyncSettings,
    extractor: Extractor,
    advertiser_rows: list[dict[str, Any]],
    plan: PlanSettings,
    stats: RunStats,
    reporter: Reporter,
) -> None:
    """Extract, normalize and load package after package until every stream has handed over its rows.

    While a package is normalized and loaded the engine keeps requesting into its bounded buffer, so the
    load overlaps the requests; after the last answer only the last, small package is left to load. That
    pays when requests wait for the rate limit (the CPU is idle then). Without a limit the requests keep
    both cores busy and the buffer fills within a second of a load starting: loads in between would
    stall the requests and hold the buffer and the load's memory at once, so such a run is one package.
    """
    from tiktok_ads_mart.sync.source import CycleBudget, SourceRun, tiktok_ads_source

    run = SourceRun(
        extractor,
        advertiser_rows,
        settings.selected_streams(),
        plan,
        stats,
        settings.table_format,
        replace_keys=settings.destination == "duckdb",
        upsert=settings.destination == "filesystem",
    )
    extractor.select(run.streams)
    while True:
        raise_if_stop_requested()  # a stop asked for during the last load ends the run between packages
        reporter.phase("extracting")
        budget = (
            CycleBudget(max_rows=CYCLE_ROWS, max_seconds=CYCLE_SECONDS)
            if settings.rate_limits[0] > 0
            else CycleBudget(max_rows=sys.maxsize, max_seconds=math.inf)
        )
        pipeline.extract(tiktok_ads_source(run, budget), loader_file_format=loader_format(settings))
        if run.finished:
            extractor.close()  # its connections, buffers and threads are not needed for the last load
        release_memory()
        reporter.phase("normalizing")
        pipeline.normalize()
        reporter.phase("loading")
        load_with_memory_fallback(pipeline, settings)
        if run.finished:
            return


async def read_advertisers(
    extractor: Extractor, settings: SyncSettings, token: TokenCredential, stats: RunStats
) -> list[dict[str, Any]]:
    """The named advertisers, else every one the credential reads, with their details."""
    ids = list(settings.advertiser_ids) or await discover_advertiser_ids(extractor.client, token)
    return await fetch_advertisers(extractor.client, of_shard(ids, settings.shard), stats)


def run_sync(
    settings: SyncSettings,
    *,
    token_source: TokenCredential | None = None,
    client_factory: ClientFactory | None = None,
    reporter: Reporter | None = None,
    drop_pending_packages: bool = False,
    reset: Sequence[str] = (),
) -> SyncResult:
    """Load every selected stream of every advertiser into the destination; never raises for one advertiser.

    Args:
        settings: the resolved run (see :func:`tiktok_ads_mart.config.load_settings`).
        token_source: overrides the stored profile / ``TIKTOK_ACCESS_TOKEN`` (the demo, tests).
        client_factory: builds the API client inside the extraction loop (tests pass one over ASGI).
        reporter: the live display; silent by default.
        drop_pending_packages: discard what an earlier run could not load (see :func:`drop_pending`)
            instead of loading it first.
        reset: streams whose tables, rows and cursors are dropped first and read again from the start
            (a custom report whose definition changed).

    Returns:
        The summary. Failures of single advertisers are in ``failures``; an expired credential in ``fatal``.

    Raises:
        PipelineBusy: another sync holds the same pipeline (see :mod:`tiktok_ads_mart.sync.lock`).
    """
    apply_dlt_defaults()
    check_destination(settings)  # dlt's configuration, before any request
    with stop_between_pages(), pipeline_lock(settings.resolved_pipelines_dir(), settings.state_name):
        keep_peak_memory_low()
        token = token_source if token_source is not None else token_source_for(settings)
        run = SyncRun(
            settings, token, client_factory or default_client_factory(settings, token), reporter, reset
        )
        return run.execute(drop_pending_packages)


def keep_peak_memory_low() -> None:
    """Arrow's default mimalloc pool keeps freed pages; the system allocator hands them back. Both
    must be set before the worker threads start."""
    pa.set_memory_pool(pa.system_memory_pool())
    limit_malloc_arenas()


class SyncRun:
    """One run's phases, in order: discover the advertisers while dlt sets up the pipeline, finish what
    a killed run left, load package after package, and sum up."""

    def __init__(
        self,
        settings: SyncSettings,
        token: TokenCredential,
        client_factory: ClientFactory,
        reporter: Reporter | None,
        reset: Sequence[str] = (),
    ) -> None:
        self.settings, self.token, self.reset = settings, token, tuple(reset)
        self.started = time.monotonic()
        self.reporter = reporter or SilentReporter()
        self.stats = RunStats()
        self.extractor = extractor_for(settings, client_factory, self.stats)
        self.result = SyncResult(destination=settings.destination, dataset_name=settings.dataset_name)
        self.pipeline: Any = None

    def execute(self, drop_pending_packages: bool) -> SyncResult:
        """The phases, with every failure on the way turned into one line (and a hint if rows wait)."""
        self.reporter.start(self.stats, lambda: self.extractor.client.stats, self.settings.rate_limits[0])
        try:
            if self.settings.custom_reports:  # their stored definitions are checked before any request
                self.open_pipeline(drop_pending_packages)
            # else the advertisers are asked for while dlt is imported and the pipeline set up
            self.reporter.phase("discovering advertisers")
            discovery = self.extractor.start(
                read_advertisers(self.extractor, self.settings, self.token, self.stats)
            )
            if not self.settings.custom_reports:
                self.open_pipeline(drop_pending_packages)
            self.reporter.phase("discovering advertisers")
            advertiser_rows = self.use_advertisers(discovery.result())
            load_in_cycles(
                self.pipeline,
                self.settings,
                self.extractor,
                advertiser_rows,
                PlanSettings.from_settings(self.settings),
                self.stats,
                self.reporter,
            )
            self.tidy_up()
        except TikTokAdsMartError:
            raise
        except KeyboardInterrupt as exc:
            raise interrupted_error(exc) from None
        except Exception as exc:
            raise self.failure(exc) from None
        finally:
            self.close()
        return self.summary()

    def open_pipeline(self, drop_pending_packages: bool) -> None:
        """dlt's pipeline, its state read from the destination, and what an earlier run left finished."""
        self.pipeline = make_pipeline(self.settings)
        self.reporter.phase("reading the destination's state")
        # state lives in the destination too: a mart that was dropped or moved starts over, not at the cursor
        self.pipeline.sync_destination()
        if drop_pending_packages and (dropped := drop_pending(self.pipeline)):
            log.warning(
                "dropped %d load package(s) an earlier run could not load; their days are read again",
                dropped,
            )
        if self.pipeline.has_pending_data:
            self.reporter.phase("finishing an interrupted load")
            finish_pending(self.pipeline, self.settings)
        if self.reset:
            log.warning("reset %s: its table and cursors are dropped and read again", ", ".join(self.reset))
        if gone := [name for name in streams_dropped_by_hand(self.pipeline) if name not in self.reset]:
            log.warning(
                "%s: its table is gone from the mart; read again from the start date", ", ".join(gone)
            )
        reset_streams(self.pipeline, [*self.reset, *gone])
        check_definitions(self.pipeline, self.settings)

    def use_advertisers(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each readable advertiser's currency and timezone, which every report row carries."""
        self.extractor.contexts = contexts_of(rows, self.stats.failures)
        self.result.advertisers = len(self.extractor.contexts)
        return rows

    def tidy_up(self) -> None:
        """Loaded packages are not needed again; what stays in dlt's directory is for this user only."""
        prune_loaded_packages(self.pipeline)
        make_private(self.settings.resolved_pipelines_dir())

    def scope_reason(self, stream: str) -> str:
        """Why a stream every advertiser refused (40001) was skipped: the scope the app lacks."""
        spec = self.settings.all_streams().get(stream)
        # a stream that takes its ids from a refused one (videos from ads) lacks that one's scope
        if stream in self.stats.refused_through:
            spec = self.settings.all_streams().get(self.stats.refused_through[stream])
        scope = scope_for(spec.path) if spec is not None else None
        lacking = f"the scope {scope.title}" if scope else "a permission scope"
        return f"TikTok refused it for every advertiser (40001): the app lacks {lacking}; {ENABLE_HINT}"

    def failure(self, exc: Exception) -> TikTokAdsMartError:
        error = translate_load_error(exc, self.settings)
        if (
            not isinstance(error, SyncInterrupted)
            and self.pipeline is not None
            and has_pending_data(self.pipeline)
        ):
            error = TikTokAdsMartError(f"{error}{PENDING_HINT}")
        return error

    def close(self) -> None:
        self.reporter.stop()
        client_stats = self.extractor.client.stats
        self.extractor.close()
        self.result.requests = client_stats.requests
        self.result.throttled = client_stats.throttled
        self.result.retries = client_stats.retries

    def summary(self) -> SyncResult:
        self.stats.settle_denials(self.scope_reason, named=self.settings.streams or ())
        self.result.rows = self.stats.rows_by_stream()
        self.result.failures = dict(self.stats.failures)
        self.result.fatal = self.stats.fatal
        self.result.skipped = dict(self.stats.skipped)
        self.result.duration = time.monotonic() - self.started
        return self.result


__all__ = [
    "ClientStatsReader",
    "Reporter",
    "SilentReporter",
    "SyncResult",
    "api_base_for",
    "default_client_factory",
    "finish_pending",
    "run_sync",
]
