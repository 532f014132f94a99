"""``tiktok_ads``: the sync's dlt source, for a pipeline of your own (your Python, Dagster, Airflow).

It is the same engine `tiktok-ads-mart sync` runs: the stream table, one client under one rate limiter
with TikTok's retries, the extractor, and the same resources (:func:`~tiktok_ads_mart.sync.source.make_resources`),
so cursors, the attribution lookback and merge keys behave alike. What the CLI adds around it (a stored
credential, loading in cycles, the live display, the mart's checks) stays in the CLI.

Credentials come the dlt way: ``access_token`` is a secret (``.dlt/secrets.toml`` under
``[sources.tiktok_ads]``, or ``SOURCES__TIKTOK_ADS__ACCESS_TOKEN``), and every other argument may be
configuration (``SOURCES__TIKTOK_ADS__ADVERTISER_IDS='["123"]'``). The token is wrapped in
:class:`~tiktok_ads_mart.secret.Secret` at once, so no log, error or state holds it.
"""

from __future__ import annotations

import atexit
import math
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

import dlt

from tiktok_ads_mart.api import StaticTokenSource
from tiktok_ads_mart.api.client import PRODUCTION_API_BASE
from tiktok_ads_mart.catalog import StreamSpec
from tiktok_ads_mart.config import SyncSettings, validate_settings
from tiktok_ads_mart.errors import ConfigError
from tiktok_ads_mart.secret import Secret
from tiktok_ads_mart.sync.plan import PlanSettings
from tiktok_ads_mart.sync.source import CycleBudget, SourceRun, make_lazy_resources


@dlt.source(name="tiktok_ads", max_table_nesting=0, root_key=False)
def tiktok_ads(
    access_token: str = dlt.secrets.value,
    advertiser_ids: Sequence[str] = dlt.config.value,
    streams: Sequence[str] | None = None,
    start_date: str | date | None = None,
    end_date: str | date | None = None,
    lookback_days: int = 7,
    include_deleted: bool = True,
    api_base: str = PRODUCTION_API_BASE,
    qps: int = 10,
    qpm: int = 600,
    concurrency: int = 16,
    concurrent_runs: int = 1,
) -> Any:
    """TikTok Ads as dlt resources, one per stream (every stream of ``--list-streams`` by default).

    Args:
        access_token: a long-term access token of your developer app (a secret).
        advertiser_ids: the ad accounts to read.
        streams: stream names; default all.
        start_date, end_date: a backfill range (advertiser-local days); default: from each stream's
            cursor less ``lookback_days``, or the last 30 days on the first run.
        lookback_days: days before the cursor read again, for conversions TikTok restates.
        include_deleted: deleted objects and their report rows too.
        api_base: TikTok's API root (its sandbox's, or the emulator's, for trying it).
        qps, qpm: your app's rate limits (Basic tier by default).
        concurrency: requests in flight at once.
        concurrent_runs: runs of this source at once for the same app (parallel orchestrator partitions):
            each keeps to 1/concurrent_runs of ``qps`` and ``qpm``, so together they stay under them.
    """
    settings = SyncSettings(
        api_base=api_base,
        advertiser_ids=tuple(str(a) for a in _as_list(advertiser_ids)),
        streams=tuple(_as_list(streams)),
        start_date=_as_date("start_date", start_date),
        end_date=_as_date("end_date", end_date),
        lookback_days=lookback_days,
        include_deleted=include_deleted,
        qps=qps,
        qpm=qpm,
        concurrency=concurrency,
        concurrent_runs=_at_least_one("concurrent_runs", concurrent_runs),
    )
    if not settings.advertiser_ids:
        raise ConfigError("tiktok_ads: advertiser_ids is empty; name the ad accounts to read")
    try:
        validate_settings(settings)  # an unknown stream, a malformed id, a start after the end
    except ConfigError as exc:
        raise ConfigError(f"tiktok_ads: {exc}") from None
    selected = settings.selected_streams()
    # Nothing is requested and no thread starts until dlt asks a resource for rows: building the source
    # is cheap and offline (an orchestrator does it to learn the assets' names).
    engine = _Engine(settings, StaticTokenSource(Secret(access_token)), selected)
    return make_lazy_resources(engine.run, selected, CycleBudget(max_rows=2**62, max_seconds=math.inf))


class _Engine:
    """The source's run, started once, on the first resource dlt iterates."""

    def __init__(self, settings: SyncSettings, token: StaticTokenSource, selected: list[StreamSpec]) -> None:
        self._settings, self._token, self._selected = settings, token, selected
        self._run: SourceRun | None = None
        self._lock = threading.Lock()

    def run(self) -> SourceRun:
        with self._lock:
            if self._run is None:
                self._run = self._start()
            return self._run

    def _start(self) -> SourceRun:
        from tiktok_ads_mart.sync.advertisers import contexts_of
        from tiktok_ads_mart.sync.run import default_client_factory, extractor_for, read_advertisers
        from tiktok_ads_mart.sync.stats import RunStats

        settings, stats = self._settings, RunStats()
        extractor = extractor_for(settings, default_client_factory(settings, self._token), stats)
        # closed when the last stream ends; a stream the pipeline never runs (with_resources) leaves that to exit
        atexit.register(extractor.close)
        try:
            rows = extractor.call(read_advertisers(extractor, settings, self._token, stats))
        except BaseException:
            extractor.close()
            raise
        extractor.contexts = contexts_of(rows, stats.failures)
        # No stream hands its ids to another here: a pipeline may run only some of the resources
        # (``with_resources``), and a lookup waiting for a source that never runs would wait for ever. Each
        # lookup lists its source's ids itself (one ad listing more per advertiser).
        extractor.select([])
        plan = PlanSettings.from_settings(settings)
        return SourceRun(extractor, rows, self._selected, plan, stats, close_when_done=True)


def _as_list(value: Sequence[str] | str | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part) for part in value]


def _at_least_one(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"tiktok_ads: {name} {value!r} is not a whole number of at least 1")
    return value


def _as_date(name: str, value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"tiktok_ads: {name} {value!r} is not a YYYY-MM-DD date") from None


__all__ = ["tiktok_ads"]
