"""Apps without every scope, and a used-up daily quota, through the CLI against the emulator's truth.

A developer app is granted scopes; an endpoint outside them answers 40001 (permission scope doc
1753986142651394). Every limit, the daily one (QPD) included, answers 40100, and the QPD resets at
00:00 UTC (rate limits doc 1740029171730433).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from utils import cli_env, query, snapshot

NO_AUDIENCES = ("ad_account", "campaign", "adgroup", "ad", "reporting")


def _sync(running: Any, mart: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(mart.parent / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    argv = [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", running.base_url, "--qps", "0",
            "--qpm", "0", "--now", running.emulator.now.isoformat(), "--duckdb-path", str(mart),
            "--pipelines-dir", str(mart.parent / f"{mart.stem}-pipelines"),
            "--advertiser-ids", ",".join(running.advertiser_ids), *args]  # fmt: skip
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)


def _count(mart: Path, table: str) -> int:
    return int(query(mart, f"select count(*) from tiktok.{table}")[0][0])


def test_a_missing_scope_skips_its_stream_and_loads_everything_else(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2, scopes=NO_AUDIENCES)
    mart = tmp_path / "m.duckdb"
    done = _sync(running, mart)  # every stream: the user did not ask for audiences by name
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = " ".join(done.stdout.split())
    assert "skipped custom_audiences: TikTok refused it for every advertiser (40001)" in text
    assert "the scope Audience Management > Read Custom Audiences; enable it in the developer app" in text
    assert "failed advertiser" not in text
    # the creative streams need scopes of their own, which this app lacks too: each skipped, named
    for stream, scope in (("videos", "Creative Management"), ("images", "Creative Management"),
                          ("identities", "Creative Management"), ("pixels", "Pixel Management")):  # fmt: skip
        assert (
            f"skipped {stream}: TikTok refused it for every advertiser (40001): the app lacks the scope {scope}"
            in text
        )
    assert _count(mart, "gmv_max_campaigns") > 0 and _count(mart, "smart_plus_ads") > 0  # within its scopes
    world = running.emulator.world
    for table, listing in (("campaigns", world.campaigns), ("ads", world.ads)):
        assert _count(mart, table) == sum(len(listing(a)) for a in running.advertiser_ids), table
    assert _count(mart, "ad_report_daily") > 0
    tables = {name for (name,) in query(mart, "select table_name from information_schema.tables")}
    assert "custom_audiences" not in tables
    # named by the user, the same stream makes the run fail (exit 1), with the same line
    named = _sync(running, tmp_path / "n.duckdb", "--streams", "campaigns,custom_audiences")
    assert named.returncode == 1, named.stderr[-2000:]
    assert "skipped custom_audiences" in " ".join(named.stdout.split())
    assert _count(tmp_path / "n.duckdb", "campaigns") > 0


def test_without_read_ads_the_assets_are_skipped_with_the_scope_they_lack(serve: Any, tmp_path: Path) -> None:
    """videos and images take their ids from the ads: without Read Ads they are skipped, not failed."""
    running = serve(advertisers=2, scopes=("ad_account", "campaign", "adgroup", "reporting", "creative"))
    for streams in ("campaigns,videos,images", "campaigns,ads,videos,images"):  # ads listed by them, or not
        mart = tmp_path / f"{len(streams)}.duckdb"
        done = _sync(running, mart, "--streams", streams)
        text = " ".join(done.stdout.split())
        for stream in ("videos", "images"):
            assert (
                f"skipped {stream}: TikTok refused it for every advertiser (40001): the app lacks the scope Ads Management > Ad > Read Ads"
                in text
            ), text[-1500:]
        assert done.returncode == 1  # named by the user: the run did not do all it was asked
        assert _count(mart, "campaigns") > 0
    everything = _sync(running, tmp_path / "all.duckdb")  # not named: skipped, the rest loads, exit 0
    assert everything.returncode == 0 and "failed advertiser" not in everything.stdout


def test_one_endpoint_refusing_one_advertiser_fails_only_that_stream_of_it(
    serve: Any, tmp_path: Path
) -> None:
    running = serve(advertisers=2)
    refused, other = running.advertiser_ids
    running.emulator.refused_endpoints.add(("campaign/get/", refused))
    mart = tmp_path / "m.duckdb"
    done = _sync(running, mart, "--streams", "campaigns,ads,campaign_report_daily")
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"failed advertiser {refused}: campaigns: TikTok error 40001" in " ".join(done.stdout.split())
    world = running.emulator.world
    by_advertiser = dict(query(mart, "select advertiser_id, count(*) from tiktok.campaigns group by 1"))
    assert by_advertiser == {other: len(world.campaigns(other))}
    ads = dict(query(mart, "select advertiser_id, count(*) from tiktok.ads group by 1"))
    assert ads == {refused: len(world.ads(refused)), other: len(world.ads(other))}
    reported = {a for (a,) in query(mart, "select distinct advertiser_id from tiktok.campaign_report_daily")}
    assert refused in reported  # its report stream is not touched by campaign/get/'s refusal


def test_a_used_up_daily_quota_stops_cleanly_and_the_next_day_goes_on(serve: Any, tmp_path: Path) -> None:
    streams = ("--streams", "campaigns,ads,campaign_report_daily,ad_report_daily")
    running = serve(advertisers=2, qpd=7)
    mart = tmp_path / "m.duckdb"
    first = _sync(running, mart, *streams)
    assert first.returncode == 75, first.stdout[-2000:] + first.stderr[-2000:]
    line = first.stderr.strip().splitlines()[-1]
    assert (
        line.startswith("error: the app's daily request quota is used up") and "resets at 00:00 UTC" in line
    )
    assert "Traceback" not in first.stderr
    codes = running.emulator.stats()["codes"]
    assert codes.get("40100") and sum(codes.values()) - codes["40100"] <= 7  # the 8th request was refused
    kept = snapshot(mart)  # what the first day loaded stays in the mart
    assert sum(map(len, kept.values())) > 0
    # past midnight UTC the quota is back; the same command goes on, until it is done
    tomorrow = (running.emulator.now + timedelta(days=1)).replace(hour=0, minute=30)
    running.emulator.set_now(tomorrow)
    running.emulator.daily_quota.per_day = 200
    resumed = _sync(running, mart, *streams)
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    running.emulator.daily_quota.per_day = 0
    clean = tmp_path / "clean.duckdb"
    assert _sync(running, clean, *streams).returncode == 0
    assert snapshot(mart) == snapshot(clean)
