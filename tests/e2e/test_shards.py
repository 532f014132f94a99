"""`sync --shard I/N`: N workers on one app split the advertisers by a stable hash and the app's rate
limits and daily quota by N, each with state of its own; together they load what one unsharded run loads."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from tiktok_ads_mart.sync.advertisers import in_shard
from utils import cli_env, snapshot

STREAMS = "campaigns,ads,ad_report_daily,campaign_report_hourly"


def _argv(running: Any, mart: Path, pipelines: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", running.base_url,
            "--rate-tier", "basic", "--now", running.emulator.now.isoformat(), "--duckdb-path", str(mart),
            "--pipelines-dir", str(pipelines), "--streams", STREAMS, "--quiet",
            "--advertiser-ids", ",".join(running.advertiser_ids), *extra]  # fmt: skip


def test_three_shards_at_once_load_what_one_run_loads_without_a_throttled_answer(
    serve: Any, tmp_path: Path
) -> None:
    running = serve(advertisers=6, days=5, qps=10, qpm=600)
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    owners = {adv: [i for i in (1, 2, 3) if in_shard(adv, i, 3)] for adv in running.advertiser_ids}
    assert all(len(shards) == 1 for shards in owners.values())  # each advertiser to exactly one worker
    assert len({shards[0] for shards in owners.values()}) > 1  # and the work is split

    workers = []
    for i in (1, 2, 3):
        argv = _argv(running, tmp_path / f"shard{i}.duckdb", tmp_path / "pipelines", "--shard", f"{i}/3")
        workers.append(
            subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, out[-2000:] + err[-2000:]
    stats = running.emulator.stats()
    assert stats["throttled"] == 0, stats  # 3 workers at 3 QPS each under the app's 10
    # each shard kept its own state: the pipelines directory holds one pipeline per shard
    names = {p.name for p in (tmp_path / "pipelines").iterdir() if p.is_dir()}
    assert {f"tiktok_ads_mart_shard_{i}_of_3" for i in (1, 2, 3)} <= names

    whole = tmp_path / "whole.duckdb"
    done = subprocess.run(_argv(running, whole, tmp_path / "whole-pipelines"), env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]

    # rows by their non-null fields: a column TikTok sends for some ads only exists where one had it
    def rows_of(mart: Path) -> dict[str, list[Any]]:
        return {
            t: [tuple(p for p in row if p[1] is not None) for row in r] for t, r in snapshot(mart).items()
        }

    union: dict[str, list[Any]] = {}
    for i in (1, 2, 3):
        for table, rows in rows_of(tmp_path / f"shard{i}.duckdb").items():
            union.setdefault(table, []).extend(rows)
    expected = {t: sorted(r, key=repr) for t, r in rows_of(whole).items()}
    assert {t: sorted(r, key=repr) for t, r in union.items()} == expected
    for i in (1, 2, 3):  # a shard's mart holds only its own advertisers
        ids = {
            dict(row)["advertiser_id"] for row in snapshot(tmp_path / f"shard{i}.duckdb").get("campaigns", [])
        }
        assert all(in_shard(adv, i, 3) for adv in ids)


def test_a_shard_that_is_not_i_of_n_is_refused_in_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN="x")
    done = subprocess.run([sys.executable, "-m", "tiktok_ads_mart", "sync", "--shard", "4/3"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert "shard: '4/3' must be I/N with 1 <= I <= N" in done.stderr and "Traceback" not in done.stderr


def test_shards_keep_to_their_share_of_the_daily_quota_across_runs(serve: Any, tmp_path: Path) -> None:
    """Two shards of an app with 30 requests a day each send 15 and stop (exit 75) before TikTok refuses
    any; run again the same day, a shard sends nothing; the next day it goes on."""
    running = serve(advertisers=4, days=5, qpd=30)
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    pipelines = tmp_path / "pipelines"

    def shard(i: int, *extra: str) -> subprocess.CompletedProcess[str]:
        argv = _argv(running, tmp_path / f"shard{i}.duckdb", pipelines, "--shard", f"{i}/2", *extra)
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)

    for i in (1, 2):
        done = shard(i, "--qpd", "30")
        assert done.returncode == 75, done.stdout[-2000:] + done.stderr[-2000:]
        line = done.stderr.strip().splitlines()[-1]
        assert line.startswith("error: the app's daily request quota is used up (this run's share of it, 15")
        assert "Traceback" not in done.stderr
    stats = running.emulator.stats()
    assert stats["total"] == 30 and "40100" not in stats["codes"], stats  # 15 each, none refused

    again = shard(1, "--qpd", "30")  # the same UTC day: the share is spent, counted on file
    assert again.returncode == 75 and running.emulator.stats()["total"] == 30

    running.emulator.set_now((running.emulator.now + timedelta(days=1)).replace(hour=0, minute=30))
    running.emulator.daily_quota.per_day = 2000
    before = running.emulator.stats()["total"]
    resumed = shard(1, "--qpd", "2000")
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    sent = running.emulator.stats()["total"] - before
    ledger = json.loads((pipelines / "tiktok_ads_mart_shard_1_of_2.requests-today.json").read_text())
    assert ledger == {"day": running.emulator.now.date().isoformat(), "used": sent} and 0 < sent <= 1000
