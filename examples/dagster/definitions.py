"""TikTok Ads into a data mart with Dagster: an asset per stream, a partition per advertiser, daily.

Set the ad accounts in ``TIKTOK_ADVERTISER_IDS`` (comma-separated) and the app's long-term access token in
``SOURCES__TIKTOK_ADS__ACCESS_TOKEN`` (or ``.dlt/secrets.toml`` under ``[sources.tiktok_ads]``); dlt reads
every other argument of the source from its configuration too (``SOURCES__TIKTOK_ADS__LOOKBACK_DAYS``).
"""

import os

import dagster as dg

from tiktok_ads_mart.dagster_assets import DagsterDltResource, tiktok_ads_assets

ADVERTISER_IDS = [part.strip() for part in os.environ["TIKTOK_ADVERTISER_IDS"].split(",") if part.strip()]

# "duckdb" is ./tiktok_ads.duckdb, one writer at a time: keep one partition running (the pool's limit in
# dagster.yaml). On PostgreSQL or a warehouse, raise both numbers together: each running partition keeps
# to 1/concurrent_partitions of the app's rate limits, so together they stay under TikTok's.
tiktok_ads = tiktok_ads_assets(
    ADVERTISER_IDS,
    destination=os.environ.get("TIKTOK_DESTINATION", "duckdb"),
    dataset_name="tiktok",
    concurrent_partitions=1,
    pool="tiktok_ads",
)

every_partition = dg.define_asset_job("tiktok_ads_daily", selection=[tiktok_ads])


@dg.schedule(job=every_partition, cron_schedule="0 6 * * *", execution_timezone="UTC")
def every_morning(context: dg.ScheduleEvaluationContext):
    """Each advertiser once a day; the lookback re-reads the days TikTok still restates."""
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    for advertiser_id in ADVERTISER_IDS:
        yield dg.RunRequest(partition_key=advertiser_id, run_key=f"{advertiser_id}:{day}")


defs = dg.Definitions(
    assets=[tiktok_ads],
    jobs=[every_partition],
    schedules=[every_morning],
    resources={"dlt": DagsterDltResource()},
)
