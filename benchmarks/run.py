"""`make bench`: every figure of the README's Performance section, measured in one run.

Scenarios (each against a fresh emulator process, the sync in a process of its own):
1. throughput: unthrottled emulator, report rows/s end to end into DuckDB; and the emulator's own
   serving rate in the same run, to show that it is not what limits the sync;
2. basic tier: 10 QPS / 600 QPM with 200 ms latency: achieved request rate against the allowed one,
   wall time against the lower bound (requests / rate), throttled answers;
3. scale: about 10k, 100k and 1M report rows: time and peak RSS for each;
4. incremental: a rerun one day later with the default 7-day lookback, against the first run;
5. big account: 30,000 ads, past the 20,000-ad cut-off of synchronous reports;
6. report modes: the same reports as pages, as report tasks, and both;
7. default sync: every stream at the Basic tier, with and without the GMV Max, Smart+ and creative streams.

Results go to benchmarks/results/latest.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson

from benchmarks.harness import CLI, RunningEmulator, emulator, machine, run_measured
from tiktok_ads_mart.catalog import BUILTIN_STREAMS, default_metrics

RESULTS = Path(__file__).parent / "results"
NOW = "2026-06-30T12:00:00Z"
UNTHROTTLED = ("--qps", "0", "--qpm", "0")  # the sync's own limiter off, as the emulator's is


def sync_argv(emu: RunningEmulator, workdir: Path, *extra: str) -> list[str]:
    return [
        *CLI,
        "sync",
        "--api-base",
        emu.base_url,
        "--duckdb-path",
        str(workdir / "mart.duckdb"),
        "--pipelines-dir",
        str(workdir / "pipelines"),
        "--quiet",
        "--now",
        NOW,
        *extra,
    ]


def sync_env(emu: RunningEmulator, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["TIKTOK_ACCESS_TOKEN"] = str(emu.info["access_token"])
    env["TIKTOK_APP_ID"] = str(emu.info["app_id"])
    env["TIKTOK_APP_SECRET"] = str(emu.info["secret"])
    env["TIKTOK_ADS_MART_HOME"] = str(workdir / "home")
    return env


def count_rows(workdir: Path, table: str) -> int:
    with duckdb.connect(str(workdir / "mart.duckdb"), read_only=True) as con:
        row = con.execute(f"select count(*) from tiktok.{table}").fetchone()
    return int(row[0]) if row else 0


def api_requests(stats: dict[str, Any]) -> int:
    return int(stats.get("total", 0))


def run_sync(emu: RunningEmulator, *extra: str) -> tuple[dict[str, Any], Path]:
    workdir = Path(tempfile.mkdtemp(prefix="tam-bench-"))
    emu.reset_stats()
    result = run_measured(sync_argv(emu, workdir, *extra), env=sync_env(emu, workdir))
    if result.returncode != 0:
        raise SystemExit(f"sync failed ({result.returncode}):\n{result.stdout[-3000:]}")
    stats = emu.stats()
    return {
        "seconds": round(result.seconds, 2),
        "peak_rss_mb": round(result.peak_rss_mb, 1),
        "requests": api_requests(stats),
        "throttled": int(stats.get("throttled", 0)),
    }, workdir


async def _serve_rate(emu: RunningEmulator, seconds: float, concurrency: int) -> dict[str, Any]:
    """Fetch the pages of one day's ad x hour report over and over, with the sync's own metric set:
    the emulator's ceiling in pages/s, to compare with what the sync achieved."""
    adv = emu.info["advertiser_ids"][0]
    params = {
        "advertiser_id": adv,
        "report_type": "BASIC",
        "data_level": "AUCTION_AD",
        "dimensions": '["ad_id","stat_time_hour"]',
        "metrics": orjson.dumps(
            list(default_metrics("ad", "hourly", "BASIC"))
        ).decode(),  # what the sync asks
        "start_date": NOW[:10],
        "end_date": NOW[:10],
        "page_size": "1000",
    }
    headers = {"Access-Token": str(emu.info["access_token"])}
    url = emu.base_url + "report/integrated/get/"
    pages = rows = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        first = orjson.loads((await client.get(url, params={**params, "page": "1"})).content)
        total_pages = max(1, int(first["data"]["page_info"]["total_page"]))

        async def worker(offset: int) -> None:
            nonlocal pages, rows
            page = offset
            while time.perf_counter() < deadline:
                body = orjson.loads(
                    (await client.get(url, params={**params, "page": str(page % total_pages + 1)})).content
                )
                pages += 1
                rows += len(body["data"]["list"])
                page += concurrency

        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {
        "pages_per_s": round(pages / elapsed, 1),
        "rows_per_s": round(rows / elapsed),
        "concurrency": concurrency,
    }


def world_args(advertisers: int, campaigns: int, adgroups: int, ads: int, days: int) -> list[str]:
    return [
        "--now", NOW, "--seed", "7",
        "--advertisers", str(advertisers), "--campaigns", str(campaigns),
        "--adgroups", str(adgroups), "--ads", str(ads), "--days", str(days),
    ]  # fmt: skip


def scenario_throughput() -> dict[str, Any]:
    with emulator(*world_args(2, 20, 5, 5, 40), "--qps", "0", "--qpm", "0") as emu:
        serving = asyncio.run(_serve_rate(emu, 5.0, 4))
        run, workdir = run_sync(
            emu,
            *UNTHROTTLED,
            "--streams",
            "ad_report_hourly",
            "--start-date",
            "2026-06-01",
            "--end-date",
            "2026-06-30",
        )
        rows = count_rows(workdir, "ad_report_hourly")
    run.update(rows=rows, rows_per_s=round(rows / run["seconds"]), emulator_serving=serving)
    return run


def scenario_basic_tier() -> dict[str, Any]:
    with emulator(*world_args(5, 4, 3, 3, 40), "--qps", "10", "--qpm", "600", "--latency-ms", "200") as emu:
        run, _ = run_sync(
            emu,
            "--rate-tier", "basic",
            "--streams", "campaigns,ad_groups,ads,ad_report_hourly,adgroup_report_hourly,campaign_report_hourly,advertiser_report_hourly",
            "--start-date", "2026-06-01", "--end-date", "2026-06-30",
        )  # fmt: skip
    lower_bound = run["requests"] / 10.0
    run.update(
        allowed_qps=10,
        achieved_qps=round(run["requests"] / run["seconds"], 2),
        lower_bound_seconds=round(lower_bound, 1),
        wall_over_bound=round(run["seconds"] / lower_bound, 3),
        throttled_share=round(run["throttled"] / max(1, run["requests"]), 4),
    )
    return run


SCALES = {  # worlds sized so that ad_report_hourly over the range holds about that many rows
    "10k": (1, 6, 3, 3, 40, "2026-06-21"),
    "100k": (1, 10, 4, 5, 40, "2026-05-27"),
    "1M": (1, 40, 5, 5, 90, "2026-04-15"),
}


def scenario_scale(only: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (adv, camp, adg, ads, days, start) in SCALES.items():
        if only and name not in only:
            continue
        with emulator(*world_args(adv, camp, adg, ads, days), "--qps", "0", "--qpm", "0") as emu:
            run, workdir = run_sync(
                emu,
                *UNTHROTTLED,
                "--report-mode",
                "sync",  # pages: a backfill this long would otherwise read as auto
                "--streams",
                "ad_report_hourly",
                "--start-date",
                start,
                "--end-date",
                "2026-06-30",
            )
            rows = count_rows(workdir, "ad_report_hourly")
        run.update(rows=rows, rows_per_s=round(rows / run["seconds"]))
        out[name] = run
    return out


def scenario_incremental() -> dict[str, Any]:
    streams = "campaigns,ad_groups,ads,campaign_report_daily,ad_report_daily,ad_report_hourly"
    with emulator(*world_args(3, 6, 3, 3, 60), "--qps", "0", "--qpm", "0") as emu:
        workdir = Path(tempfile.mkdtemp(prefix="tam-bench-"))
        runs = []
        for now in (NOW, "2026-07-01T12:00:00Z"):
            emu.set_now(now)
            emu.reset_stats()
            argv = sync_argv(emu, workdir, *UNTHROTTLED, "--streams", streams)
            argv[argv.index("--now") + 1] = now
            result = run_measured(argv, env=sync_env(emu, workdir))
            if result.returncode != 0:
                raise SystemExit(f"sync failed:\n{result.stdout[-3000:]}")
            runs.append({"seconds": round(result.seconds, 2), "requests": api_requests(emu.stats())})
    return {"first": runs[0], "rerun_next_day": runs[1]}


def scenario_big_account() -> dict[str, Any]:
    """One advertiser with 30,000 ads, past TikTok's 20,000-ad cut-off of synchronous reports: the sync
    reads its reports in id batches (and the advertiser level as an async task)."""
    with emulator(*world_args(1, 100, 10, 30, 7), "--qps", "0", "--qpm", "0") as emu:
        run, workdir = run_sync(
            emu, *UNTHROTTLED, "--streams", "ad_report_daily,advertiser_report_daily",
            "--start-date", "2026-06-24", "--end-date", "2026-06-30",
        )  # fmt: skip
        rows = count_rows(workdir, "ad_report_daily") + count_rows(workdir, "advertiser_report_daily")
        ad_rows = count_rows(workdir, "ad_report_daily")
    # without the cut-off: the ad-level pages of 1000 rows, one advertiser-level page, the advertiser lookup
    minimum = -(-ad_rows // 1000) + 1 + 1
    run.update(rows=rows, rows_per_s=round(rows / run["seconds"]), minimum_requests=minimum)
    return run


def scenario_report_modes() -> dict[str, Any]:
    """The same reports (ten days of ad-level hourly rows, a report page a window or ten) read as pages
    (sync), as report tasks (async) and as pages then tasks (auto), on one world."""
    out: dict[str, Any] = {}
    with emulator(*world_args(2, 20, 5, 5, 40), "--qps", "0", "--qpm", "0") as emu:
        for mode in ("sync", "async", "auto"):
            run, workdir = run_sync(
                emu, *UNTHROTTLED, "--report-mode", mode,
                "--streams", "ad_report_hourly,campaign_report_daily",
                "--start-date", "2026-06-21", "--end-date", "2026-06-30",
            )  # fmt: skip
            rows = sum(count_rows(workdir, t) for t in ("ad_report_hourly", "campaign_report_daily"))
            run.update(rows=rows, rows_per_s=round(rows / run["seconds"]))
            out[mode] = run
    return out


NEW_SPEND_STREAMS = frozenset({
    "videos", "images", "identities", "pixels", "smart_plus_campaigns", "smart_plus_ad_groups",
    "smart_plus_ads", "ad_v2_report_daily", "gmv_max_stores", "gmv_max_campaigns", "gmv_max_campaign_details",
    "gmv_max_product_campaign_report_daily", "gmv_max_live_campaign_report_daily", "gmv_max_product_report_daily",
})  # fmt: skip
"""The streams GMV Max, Smart+ and the creatives added to the default sync."""


def scenario_default_sync() -> dict[str, Any]:
    """The whole default sync (every stream, 30 days) at the Basic tier's limits, with and without the
    GMV Max, Smart+ and creative streams: what they cost in requests and time."""
    out: dict[str, Any] = {}
    before = ",".join(name for name in BUILTIN_STREAMS if name not in NEW_SPEND_STREAMS)
    with emulator(*world_args(3, 6, 3, 3, 40), "--qps", "10", "--qpm", "600", "--latency-ms", "50") as emu:
        for label, extra in (("without", ("--streams", before)), ("with", ())):
            emu.reset_stats()
            run, workdir = run_sync(emu, "--rate-tier", "basic", *extra)
            with duckdb.connect(str(workdir / "mart.duckdb"), read_only=True) as con:
                tables = con.execute("select count(*) from information_schema.tables where table_schema = "
                                     "'tiktok' and table_name not like '\\_dlt%' escape '\\'").fetchall()  # fmt: skip
            run.update(tables=tables[0][0])
            out[label] = run
    return out


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['measured_at']} on {m['cores']} cores, {m['memory_gib']} GiB, {m['cpu']}, Python {m['python']}.",
        "",
        "| scenario | figure |",
        "|---|---|",
    ]
    t = results.get("throughput")
    if t:
        s = t["emulator_serving"]
        lines.append(
            f"| 1. throughput, unthrottled (ad_report_hourly into DuckDB) | {t['rows']:,} rows in {t['seconds']} s = "
            f"**{t['rows_per_s']:,} rows/s**, {t['requests']} requests, peak RSS {t['peak_rss_mb']} MB |"
        )
        lines.append(
            f"| 1. emulator serving, same run ({s['concurrency']} connections, 1000-row pages) | "
            f"{s['pages_per_s']} pages/s = {s['rows_per_s']:,} rows/s |"
        )
    b = results.get("basic_tier")
    if b:
        lines.append(
            f"| 2. Basic tier 10 QPS / 600 QPM, 200 ms latency | {b['requests']} requests in {b['seconds']} s = "
            f"{b['achieved_qps']} req/s of 10 allowed; lower bound {b['lower_bound_seconds']} s, "
            f"**wall/bound {b['wall_over_bound']}**; throttled {b['throttled']} ({b['throttled_share']:.2%}) |"
        )
    for name, r in results.get("scale", {}).items():
        lines.append(
            f"| 3. scale {name} | {r['rows']:,} rows in {r['seconds']} s ({r['rows_per_s']:,} rows/s), "
            f"**peak RSS {r['peak_rss_mb']} MB**, {r['requests']} requests |"
        )
    i = results.get("incremental")
    if i:
        lines.append(
            f"| 4. incremental rerun a day later, 7-day lookback | first run {i['first']['requests']} requests in "
            f"{i['first']['seconds']} s; rerun {i['rerun_next_day']['requests']} requests in "
            f"{i['rerun_next_day']['seconds']} s |"
        )
    g = results.get("big_account")
    if g:
        lines.append(
            f"| 5. 30,000-ad account (past the 20,000-ad cut-off), ad + advertiser daily | {g['rows']:,} rows in "
            f"{g['seconds']} s ({g['rows_per_s']:,} rows/s), {g['requests']} requests against a minimum of "
            f"{g['minimum_requests']}, peak RSS {g['peak_rss_mb']} MB |"
        )
    for mode, r in results.get("report_modes", {}).items():
        lines.append(
            f"| 6. ad hourly + campaign daily, 10 days, --report-mode {mode} | {r['rows']:,} rows in {r['seconds']} s "
            f"({r['rows_per_s']:,} rows/s), {r['requests']} requests, peak RSS {r['peak_rss_mb']} MB |"
        )
    d = results.get("default_sync")
    if d:
        for label in ("without", "with"):
            r = d[label]
            lines.append(
                f"| 7. default sync, 30 days, Basic tier, {label} the GMV Max / Smart+ / creative streams | "
                f"{r['tables']} tables, {r['requests']} requests in {r['seconds']} s, peak RSS {r['peak_rss_mb']} MB |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        nargs="*",
        help="throughput, basic_tier, scale, incremental, big_account, report_modes, default_sync",
    )
    parser.add_argument("--scales", nargs="*", help="subset of 10k, 100k, 1M")
    args = parser.parse_args(argv)
    chosen = set(
        args.only
        or ["throughput", "basic_tier", "scale", "incremental", "big_account", "report_modes", "default_sync"]
    )
    results: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
    }
    steps = [
        ("throughput", scenario_throughput),
        ("basic_tier", scenario_basic_tier),
        ("scale", lambda: scenario_scale(args.scales)),
        ("incremental", scenario_incremental),
        ("big_account", scenario_big_account),
        ("report_modes", scenario_report_modes),
        ("default_sync", scenario_default_sync),
    ]
    for name, step in steps:
        if name in chosen:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results[name] = step()
            print(json.dumps(results[name]), file=sys.stderr, flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    table = render(results)
    (RESULTS / "latest.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
