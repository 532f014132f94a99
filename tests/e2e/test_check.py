"""`tiktok-ads-mart check` end to end: a mart synced from the emulator passes; the same mart corrupted on
purpose (ad rows deleted, one campaign's spend changed, a key duplicated, an ad group dropped) fails with
exactly the mismatches those corruptions make, in the terminal, in the library's report and on the page,
which Chromium opens; bad input is one line and exit 2, before any request."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import settings_for, small_world, static_token
from tiktok_ads_mart.check import run_check
from utils import cli_env, run_cli

METRICS = ("spend", "impressions", "clicks", "conversion")
STREAMS = (
    "campaigns", "ad_groups", "ads", "advertiser_report_daily", "campaign_report_daily",
    "adgroup_report_daily", "ad_report_daily", "ad_report_hourly", "ad_report_daily_by_country",
    "campaign_audience_report_daily_by_gender_age",
)  # fmt: skip
"""A mart with every kind of check in it and few enough tables that each corruption's echoes can be listed."""
WINDOW = (date(2026, 10, 27), date(2026, 11, 3))
"""The default days at the world's clock (3 Nov 2026, 12:00 UTC): the 7 lookback days before today, and today,
in Los Angeles and in Berlin alike."""
DELETED_DAY, CHANGED_DAY, DUPLICATED_DAY = date(2026, 10, 29), date(2026, 10, 31), date(2026, 11, 1)

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Synced:
    running: Any
    mart: Path
    home: Path


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    """One emulator world, synced once: two advertisers that both deliver, deleted ads with stats in the
    window."""
    from tiktok_ads_mart.emulator import run_emulator
    from tiktok_ads_mart.sync.run import run_sync

    tmp = tmp_path_factory.mktemp("check")
    with run_emulator(small_world(seed=2, advertisers=2, days=10)) as running:
        settings = settings_for(running, tmp, name="clean", streams=STREAMS)
        result = run_sync(settings, token_source=static_token(running))
        assert result.exit_code == 0, result.failures
        yield Synced(running, settings.duckdb_path, tmp / "home")


def check_argv(synced: Synced, mart: Path, *extra: str) -> list[str]:
    running = synced.running
    return ["check", "--api-base", running.base_url, "--qps", "0", "--qpm", "0", "--now",
            running.emulator.now.isoformat(), "--duckdb-path", str(mart), "--pipelines-dir",
            str(mart.parent / f"{mart.stem}-pipelines"), "--advertiser-ids", ",".join(running.advertiser_ids),
            *extra]  # fmt: skip


def env_for(synced: Synced) -> dict[str, str]:
    return cli_env(synced.home, TIKTOK_ACCESS_TOKEN=synced.running.access_token)


def sums(conn: Any, table: str, where: str, params: list[Any], day: str = "stat_time_day") -> dict[str, Any]:
    """METRICS summed over ``table``'s rows of one day matching ``where`` (a row not there sums to 0)."""
    day_sql = day if day == "stat_time_day" else f"cast({day} as date)"
    totals = ", ".join(f"sum({m})" for m in METRICS)
    sql = f"select {totals} from tiktok.{table} where {where} and {day_sql} = ?"
    row = conn.execute(sql, params).fetchone()
    return {m: (v if v is not None else 0) for m, v in zip(METRICS, row, strict=True)}


def top(conn: Any, table: str, column: str, advertiser: str, day: date, count: int = 1) -> list[str]:
    """The ids of the ``count`` rows of that day with the most spend (the ones whose change shows)."""
    sql = (
        f"select {column} from tiktok.{table} where advertiser_id = ? and stat_time_day = ? "
        "order by spend desc"
    )
    return [value for (value,) in conn.execute(sql, [advertiser, day]).fetchall()[:count]]


def beyond(metric: str, difference: Any) -> bool:
    """What `check` must report: more than one cent of spend, more than one unit of a count."""
    return abs(difference) > (Decimal("0.01") if metric == "spend" else 1)


def delete_ad_rows(conn: Any, advertiser: str) -> set[Row]:
    """Two ads' rows of one day gone from ad_report_daily: the ad level falls short of TikTok, and the
    ads' hourly and by-country rows have no daily row left to sum to."""
    expected: set[Row] = set()
    ads = top(conn, "ad_report_daily", "ad_id", advertiser, DELETED_DAY, count=2)
    tiktok = sums(conn, "advertiser_report_daily", "advertiser_id = ?", [advertiser, DELETED_DAY])
    level = sums(conn, "ad_report_daily", "advertiser_id = ?", [advertiser, DELETED_DAY])
    gone = sums(conn, "ad_report_daily", "ad_id in (?, ?)", [*ads, DELETED_DAY])
    for ad in ads:
        hourly = sums(conn, "ad_report_hourly", "ad_id = ?", [ad, DELETED_DAY], day="stat_time_hour")
        country = sums(conn, "ad_report_daily_by_country", "ad_id = ?", [ad, DELETED_DAY])
        for m in METRICS:
            if beyond(m, hourly[m]):
                expected.add(("hourly", "ad_report_hourly", advertiser, DELETED_DAY, ad, m, hourly[m], 0))
            if beyond(m, country[m]):
                table = "ad_report_daily_by_country"
                expected.add(("breakdown", table, advertiser, DELETED_DAY, ad, m, country[m], 0))
    for m in METRICS:
        if beyond(m, level[m] - gone[m] - tiktok[m]):
            row = ("tiktok", "ad_report_daily", advertiser, DELETED_DAY, "", m, level[m] - gone[m], tiktok[m])
            expected.add(row)
    conn.execute(
        "delete from tiktok.ad_report_daily where ad_id in (?, ?) and stat_time_day = ?", [*ads, DELETED_DAY]
    )
    return expected


def raise_campaign_spend(conn: Any, advertiser: str) -> set[Row]:
    """One campaign's spend of one day five more: the campaign level is over TikTok's by 5.00, and the
    campaign's audience rows sum to 5.00 less than its daily row."""
    (campaign,) = top(conn, "campaign_report_daily", "campaign_id", advertiser, CHANGED_DAY)
    tiktok = sums(conn, "advertiser_report_daily", "advertiser_id = ?", [advertiser, CHANGED_DAY])["spend"]
    level = sums(conn, "campaign_report_daily", "advertiser_id = ?", [advertiser, CHANGED_DAY])["spend"]
    own = sums(conn, "campaign_report_daily", "campaign_id = ?", [campaign, CHANGED_DAY])["spend"]
    audience = "campaign_audience_report_daily_by_gender_age"
    split = sums(conn, audience, "campaign_id = ?", [campaign, CHANGED_DAY])["spend"]
    conn.execute(
        "update tiktok.campaign_report_daily set spend = spend + 5 "
        "where campaign_id = ? and stat_time_day = ?",
        [campaign, CHANGED_DAY],
    )
    return {
        ("tiktok", "campaign_report_daily", advertiser, CHANGED_DAY, "", "spend", level + 5, tiktok),
        ("breakdown", audience, advertiser, CHANGED_DAY, campaign, "spend", split, own + 5),
    }


def duplicate_adgroup_row(conn: Any, advertiser: str) -> set[Row]:
    """One ad group's row of one day twice: a duplicate key, and the ad group level over TikTok by the row."""
    (adgroup,) = top(conn, "adgroup_report_daily", "adgroup_id", advertiser, DUPLICATED_DAY)
    tiktok = sums(conn, "advertiser_report_daily", "advertiser_id = ?", [advertiser, DUPLICATED_DAY])
    level = sums(conn, "adgroup_report_daily", "advertiser_id = ?", [advertiser, DUPLICATED_DAY])
    row = sums(conn, "adgroup_report_daily", "adgroup_id = ?", [adgroup, DUPLICATED_DAY])
    conn.execute(
        "insert into tiktok.adgroup_report_daily select * from tiktok.adgroup_report_daily "
        "where adgroup_id = ? and stat_time_day = ?",
        [adgroup, DUPLICATED_DAY],
    )
    expected: set[Row] = {
        ("duplicate", "adgroup_report_daily", advertiser, DUPLICATED_DAY, adgroup, "rows", 2, 1)
    }
    for m in METRICS:
        if beyond(m, level[m] + row[m] - tiktok[m]):
            table = "adgroup_report_daily"
            expected.add(("tiktok", table, advertiser, DUPLICATED_DAY, "", m, level[m] + row[m], tiktok[m]))
    return expected


def drop_ad_group(conn: Any, advertiser: str) -> set[Row]:
    """An ad group gone from ad_groups: each of its ads lacks its parent."""
    (adgroup,) = conn.execute(
        "select min(adgroup_id) from tiktok.ad_groups where advertiser_id = ?", [advertiser]
    ).fetchone()
    ads = [
        ad
        for (ad,) in conn.execute("select ad_id from tiktok.ads where adgroup_id = ?", [adgroup]).fetchall()
    ]
    assert ads
    conn.execute("delete from tiktok.ad_groups where adgroup_id = ?", [adgroup])
    return {("orphan", "ads", advertiser, None, ad, "adgroup_id", None, None) for ad in ads}


def corrupt(mart: Path, advertisers: list[str]) -> set[Row]:
    """Break the mart in four ways and return the findings each must cause, computed from the clean rows:
    (check, table, advertiser, day, id, metric, mart value, expected value)."""
    first, second = advertisers
    with duckdb.connect(str(mart)) as conn:
        return (
            delete_ad_rows(conn, first)
            | raise_campaign_spend(conn, first)
            | duplicate_adgroup_row(conn, first)
            | drop_ad_group(conn, second)
        )


def found(report: Any) -> set[Row]:
    return {
        (f.kind, f.table, f.advertiser_id, f.day, f.key, f.metric, f.mart, f.expected)
        for f in report.findings
    }


def test_a_fresh_mart_passes_and_says_what_was_checked(synced: Synced) -> None:
    running = synced.running
    with duckdb.connect(str(synced.mart), read_only=True) as conn:
        deleted = conn.execute(
            "select count(*) from tiktok.ad_report_daily r join tiktok.ads a using (advertiser_id, ad_id) "
            "where a.secondary_status = 'AD_STATUS_DELETE' and r.stat_time_day between ? and ?", list(WINDOW)
        ).fetchone()[0]  # fmt: skip
    assert deleted > 0, (
        "the world should have deleted ads with stats in the window (they make the levels add up)"
    )
    running.emulator.reset_stats()
    done = run_cli(*check_argv(synced, synced.mart), env=env_for(synced))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("checked 2 advertisers (2026-10-27 to 2026-11-03;"), lines
    assert "4 levels against TikTok" in lines[-1]  # advertiser, campaign, adgroup, ad (no ad_v2 table here)
    assert lines[-1].endswith("no mismatch")
    skipped = next(line for line in lines if line.startswith("skipped (not in the mart)"))
    assert "adgroup_report_hourly" in skipped and "ad_report_daily_by_country" not in skipped
    # one report request per advertiser (8 days fit one 30-day window), and the advertisers' details
    assert running.emulator.stats()["requests"] == {"advertiser/info/": 1, "report/integrated/get/": 2}


def test_a_corrupted_mart_shows_exactly_its_corruptions(synced: Synced, tmp_path: Path) -> None:
    running = synced.running
    settings = settings_for(running, tmp_path, name="bad", advertiser_ids=tuple(running.advertiser_ids))
    shutil.copy(synced.mart, settings.duckdb_path)
    expected = corrupt(settings.duckdb_path, running.advertiser_ids)
    kinds = {row[0] for row in expected}
    assert kinds == {"tiktok", "hourly", "breakdown", "duplicate", "orphan"}

    report = run_check(settings, token_source=static_token(running))
    assert found(report) == expected
    assert report.exit_code == 1

    done = run_cli(*check_argv(synced, settings.duckdb_path), env=env_for(synced))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].strip() == "mart against TikTok"
    header = lines[1].split()
    assert header == ["day", "advertiser", "level", "metric", "mart", "TikTok", "difference"]
    campaign_line = next(line for line in lines if " campaign " in line)
    assert campaign_line.split()[:4] == [str(CHANGED_DAY), running.advertiser_ids[0], "campaign", "spend"]
    assert campaign_line.split()[-1] == "+5.00"
    assert "within the mart" in [line.strip() for line in lines]
    assert lines[-1].endswith(f"{len(expected)} mismatches beyond one cent or one unit")


@pytest.mark.browser
def test_the_html_page_in_chromium(synced: Synced, tmp_path: Path) -> None:
    from auth.consent_browser import CHROMIUM_ARGS, chromium_path

    if chromium_path() is None and not os.environ.get("CI"):
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    running = synced.running
    mart = tmp_path / "bad.duckdb"
    shutil.copy(synced.mart, mart)
    expected = corrupt(mart, running.advertiser_ids)
    page_file = tmp_path / "check.html"
    done = run_cli(*check_argv(synced, mart, "--html", str(page_file)), env=env_for(synced))
    assert done.returncode == 1, done.stderr
    assert f"wrote {page_file}" in done.stdout
    text = page_file.read_text("utf-8")
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")

    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.goto(page_file.as_uri())
            charts = page.locator("svg.chart")
            assert charts.count() == len(running.advertiser_ids)
            days = (WINDOW[1] - WINDOW[0]).days + 1
            for n, advertiser in enumerate(sorted(running.advertiser_ids)):
                chart = charts.nth(n)
                assert chart.get_attribute("data-advertiser") == advertiser
                assert chart.locator("rect.tiktok").count() == days
                assert chart.locator("polyline.mart").count() == 4  # advertiser, campaign, adgroup, ad
                assert chart.bounding_box()["width"] > 300  # type: ignore[index]
            marked = {day for kind, _, _, day, *_ in expected if kind == "tiktok"}
            first = page.locator(f'svg.chart[data-advertiser="{running.advertiser_ids[0]}"]')
            assert first.locator("rect.mismatch").count() == len(marked)
            tiktok_rows = page.locator("#tiktok-mismatches tbody tr")
            assert tiktok_rows.count() == sum(1 for row in expected if row[0] == "tiktok")
            within_rows = page.locator("#mart-mismatches tbody tr")
            assert within_rows.count() == sum(1 for row in expected if row[0] != "tiktok")
            cells = [tiktok_rows.nth(i).locator("td").all_inner_texts() for i in range(tiktok_rows.count())]
            assert [str(CHANGED_DAY), running.advertiser_ids[0], "campaign", "spend"] in [
                c[:4] for c in cells
            ]
            assert next(c for c in cells if c[2] == "campaign")[-1] == "+5.00"
        finally:
            browser.close()
    assert requested == [page_file.as_uri()], "the page must load nothing but itself"


def test_bad_input_is_one_line_and_exit_2_before_any_request(synced: Synced, tmp_path: Path) -> None:
    running = synced.running
    running.emulator.reset_stats()
    cases = {
        "no mart at": check_argv(synced, tmp_path / "missing.duckdb"),
        "is a folder": check_argv(synced, synced.mart, "--html", str(tmp_path)),
        "does not exist": check_argv(synced, synced.mart, "--html", str(tmp_path / "nowhere" / "c.html")),
        "is not a date": check_argv(synced, synced.mart, "--start-date", "yesterday"),
        "is after end_date": check_argv(
            synced, synced.mart, "--start-date", "2026-11-02", "--end-date", "2026-11-01"
        ),
    }
    for words, argv in cases.items():
        done = run_cli(*argv, env=env_for(synced))
        assert done.returncode == 2, (words, done.stdout, done.stderr)
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error:") and words in done.stderr, (
            done.stderr
        )
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "missing.duckdb").exists()
    assert running.emulator.stats()["total"] == 0


def test_without_deleted_objects_only_the_advertiser_level_is_held_against_tiktok(
    synced: Synced, tmp_path: Path
) -> None:
    running = synced.running
    settings = settings_for(running, tmp_path, name="clean-copy", include_deleted=False)
    shutil.copy(synced.mart, settings.duckdb_path)
    report = run_check(settings, token_source=static_token(running))
    assert report.exit_code == 0
    assert report.checked["tiktok"] == 1 and list(report.mart) == ["advertiser"]
    assert report.skipped["campaign_report_daily"].startswith("deleted objects left out")


def test_the_page_escapes_what_came_from_tiktok_or_the_mart() -> None:
    from tiktok_ads_mart.check_html import page
    from tiktok_ads_mart.check_model import CheckReport, Finding, Window

    evil = '<script>alert("x")</script>'
    report = CheckReport(windows={"1": Window("1", WINDOW[0], WINDOW[1], currency=evil)})
    report.findings.append(
        Finding(
            "orphan", "ads", "ad_groups", "ad", "1", None, "adgroup_id", None, None, key=evil, detail=evil
        )
    )
    text = page(report)
    assert "<script" not in text
    assert text.count(html_escape(evil)) == 3  # the currency, the id and the detail


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
