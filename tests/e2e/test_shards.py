"""`sync --shard I/N`: N workers on one app split the advertisers by a stable hash and the app's rate
limit by N, each with state of its own; together they load what one unsharded run loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tiktok_ads_mart.sync.run import in_shard
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
