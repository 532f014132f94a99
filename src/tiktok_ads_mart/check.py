"""`tiktok-ads-mart check`: proof that the mart holds what TikTok reports, and that it adds up.

"Numbers don't match Ads Manager" is the complaint every TikTok connector hears; this says where. Over
each advertiser's days (by default the sync's lookback window, up to today in the advertiser's timezone,
since TikTok's report days are local):

* **against TikTok**: TikTok's advertiser-level daily totals (BASIC, ``AUCTION_ADVERTISER``, by
  ``advertiser_id`` and ``stat_time_day``: one request per 30 days and advertiser) against the mart's sums
  of every level's daily table. With deleted objects included (the default) the lower levels hold the
  deleted objects' rows too, so each level sums to the advertiser's day; without them only the advertiser
  level is compared.
* **within the mart** (:mod:`tiktok_ads_mart.check_mart`): hourly sums equal daily, breakdowns sum to
  their totals, no key is held by two rows, no ad lacks its ad group or campaign.

Differences up to one cent (money) or one unit (counts) are rounding, not findings. The run uses the
sync's settings, credential, one client and one rate limiter, and reads the mart through the sync's
pipeline, so it checks what `sync` with the same flags loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from tiktok_ads_mart.api import TikTokClient, TokenCredential
from tiktok_ads_mart.catalog import MAX_WINDOW_DAYS, REPORT_PATH, ReportSpec
from tiktok_ads_mart.check_mart import (
    BREAKDOWN_TABLES,
    HOURLY_TABLES,
    LEVEL_TABLES,
    PARENT_LINKS,
    MartChecks,
    as_date,
    check_mart_exists,
    level_label,
    open_mart,
)
from tiktok_ads_mart.check_model import (
    METRICS,
    CheckReport,
    Finding,
    Totals,
    Window,
    differences,
    number,
)
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.errors import ConfigError, PermissionDenied
from tiktok_ads_mart.sync.advertisers import advertiser_info, context_for, discover_advertiser_ids, of_shard
from tiktok_ads_mart.sync.arrow import AdvertiserContext
from tiktok_ads_mart.sync.plan import date_windows, local_today, report_params

TOTALS_REPORT = ReportSpec("advertiser_totals", "BASIC", "advertiser", "daily", metrics=METRICS)
"""What TikTok is asked: the advertiser's daily totals of the compared metrics, nothing else."""

ClientFactory = Callable[[], TikTokClient]


def check_window(settings: SyncSettings, ctx: AdvertiserContext) -> Window | None:
    """The advertiser's days: ``start_date``/``end_date`` if given, else the ``lookback_days`` before
    today (the days every sync reads again) up to today, in the advertiser's timezone."""
    end = settings.end_date or local_today(settings.clock(), ctx)
    start = settings.start_date or end - timedelta(days=settings.lookback_days)
    if start > end:
        return None
    return Window(ctx.advertiser_id, start, end, ctx.currency)


async def tiktok_totals(client: TikTokClient, window: Window, include_deleted: bool) -> Totals:
    """TikTok's daily totals of one advertiser over its window, a request per 30 days (plus pages)."""
    params = report_params(TOTALS_REPORT, window.advertiser_id, include_deleted)
    totals: Totals = {}
    for first, last in date_windows(window.start, window.end, MAX_WINDOW_DAYS["daily"]):
        query = {**params, "start_date": first.isoformat(), "end_date": last.isoformat()}
        async for page in client.paginate(REPORT_PATH, query, page_size=TOTALS_REPORT.page_size):
            for row in page.get("list") or ():
                dimensions, metrics = row.get("dimensions") or {}, row.get("metrics") or {}
                day = as_date(dimensions.get("stat_time_day"))
                totals[(window.advertiser_id, day)] = {m: number(m, metrics.get(m)) for m in METRICS}
    return totals


async def read_tiktok(
    settings: SyncSettings, token: TokenCredential, build: ClientFactory, report: CheckReport
) -> None:
    """Whom to check and their days (``advertiser/info/``), then TikTok's totals for each."""
    async with build() as client:
        # a shard's mart holds its own advertisers only
        ids = of_shard(
            list(settings.advertiser_ids) or await discover_advertiser_ids(client, token), settings.shard
        )
        if not ids:
            raise ConfigError("the credential reads no advertiser: nothing to check")

        def denied(advertiser_id: str, error: Exception) -> None:
            report.unchecked[advertiser_id] = str(error)

        rows = await advertiser_info(client, ids, on_denied=denied)
        for ctx in map(context_for, rows):
            window = check_window(settings, ctx)
            if window is None:
                report.unchecked[ctx.advertiser_id] = "start_date is after today in its timezone"
            else:
                report.windows[ctx.advertiser_id] = window
        for advertiser_id in ids:
            if advertiser_id not in report.windows and advertiser_id not in report.unchecked:
                report.unchecked[advertiser_id] = "not returned by advertiser/info/"
        gate = asyncio.Semaphore(settings.concurrency)

        async def one(window: Window) -> None:
            async with gate:
                try:
                    report.tiktok.update(await tiktok_totals(client, window, settings.include_deleted))
                except PermissionDenied as exc:  # this advertiser only; the others are still checked
                    report.unchecked[window.advertiser_id] = str(exc)

        await asyncio.gather(*(one(window) for window in report.windows.values()))
        for advertiser_id in report.unchecked:
            report.windows.pop(advertiser_id, None)
        report.requests = client.stats.requests


def compare_with_tiktok(checks: MartChecks, report: CheckReport, include_deleted: bool) -> None:
    """Each level's daily sums against TikTok's advertiser totals, per advertiser and day."""
    for spec in LEVEL_TABLES:
        if not checks.chosen(spec.name):
            continue
        if not include_deleted and spec.level != "advertiser":
            checks.skipped[spec.name] = (
                "deleted objects left out (--exclude-deleted): it cannot sum to TikTok's"
            )
            continue
        if not checks.present(spec.name, "advertiser_id", "stat_time_day"):
            continue
        label = level_label(spec)
        totals = checks.level_totals(spec)
        report.mart[label] = totals
        metrics = checks.metrics(spec.name)
        report.add(
            "tiktok",
            [
                Finding("tiktok", spec.name, "TikTok", label, advertiser, day, metric, got, want)
                for (advertiser, day), metric, got, want in differences(totals, report.tiktok, metrics)
            ],
        )


def check_within(checks: MartChecks, report: CheckReport, settings: SyncSettings) -> None:
    """Hourly against daily, breakdowns against totals, duplicate keys, ads without their parents."""
    for spec in HOURLY_TABLES:
        if (found := checks.against_totals("hourly", spec)) is not None:
            report.add("hourly", found)
    for spec in BREAKDOWN_TABLES:
        if (found := checks.against_totals("breakdown", spec)) is not None:
            report.add("breakdown", found)
    for stream in settings.all_streams().values():
        if (found := checks.duplicates(stream)) is not None:
            report.add("duplicate", found)
    for link in PARENT_LINKS:
        if (found := checks.orphans(*link)) is not None:
            report.add("orphan", found)


def mart_tables(settings: SyncSettings) -> list[str]:
    """Every table a check may read: the streams' and the parent links' (custom reports included)."""
    names = dict.fromkeys(settings.all_streams())
    names.update(dict.fromkeys(table for link in PARENT_LINKS for table in (link[0], link[2])))
    return list(names)


def default_token(settings: SyncSettings) -> TokenCredential:
    """The sync's credential: ``TIKTOK_ACCESS_TOKEN``, else the stored profile, bound to its host."""
    from tiktok_ads_mart.sync.run import token_source_for

    return token_source_for(settings)


def run_check(
    settings: SyncSettings,
    *,
    token_source: TokenCredential | None = None,
    client_factory: ClientFactory | None = None,
) -> CheckReport:
    """Check the mart of ``settings`` against TikTok and against itself.

    Args:
        settings: the sync's settings (destination, credential, API host, advertisers, dates).
        token_source: overrides the stored profile / ``TIKTOK_ACCESS_TOKEN`` (tests).
        client_factory: builds the one API client (tests); default the sync's, with its rate limits.

    Returns:
        The report: every finding beyond tolerance, what was compared, what was skipped and why.

    Raises:
        ConfigError: no mart where the settings point, or nothing to check.
        TikTokAdsMartError: TikTok or the destination failed (one line, masked).
    """
    from tiktok_ads_mart.sync.destination import check_destination
    from tiktok_ads_mart.sync.run import default_client_factory

    check_mart_exists(settings)  # before any request: a wrong path is the likeliest mistake
    check_destination(settings)
    token = token_source if token_source is not None else default_token(settings)
    build = client_factory or default_client_factory(settings, token)
    report = CheckReport()
    asyncio.run(read_tiktok(settings, token, build, report))
    if not report.windows:
        return report
    with open_mart(settings) as mart:
        mart.load_columns(mart_tables(settings))
        checks = MartChecks(mart, report.windows, frozenset(settings.streams), report.skipped)
        compare_with_tiktok(checks, report, settings.include_deleted)
        check_within(checks, report, settings)
    return report


__all__ = [
    "TOTALS_REPORT",
    "CheckReport",
    "Finding",
    "Window",
    "check_window",
    "run_check",
    "tiktok_totals",
]
