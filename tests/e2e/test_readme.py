"""The README's offline example works as written: the emulator command, then the sync command with the
values the emulator printed in place of <access_token>, <app_id> and <secret> (and a free port in place
of 9000, so the test never collides with a running emulator)."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
from pathlib import Path
from typing import Any

import duckdb

from tiktok_ads_mart.sync.advertisers import in_shard
from utils import cli_env, run_cli

ROOT = Path(__file__).resolve().parents[2]


def _offline_block() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Trying it offline: the emulator", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.replace("\\\n", " ").splitlines() if line and not line.startswith("#")]
    assert len(lines) == 2, lines
    return lines


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_offline_example_runs_as_written(tmp_path: Path) -> None:
    serve_line, sync_line = _offline_block()
    port = str(_free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOK_", "DESTINATION__"))}
    env.update(
        TIKTOK_ADS_MART_HOME=str(tmp_path / "home"),
        TIKTOK_ADS_MART_DUCKDB_PATH=str(tmp_path / "tiktok_ads.duckdb"),
        RUNTIME__DLTHUB_TELEMETRY="false",
    )
    serve = shlex.split(serve_line.rstrip("& ").replace("9000", port))
    emulator = subprocess.Popen(serve, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert emulator.stdout is not None
        printed = json.loads(emulator.stdout.readline())
        command = re.sub(r"<(\w+)>", lambda m: shlex.quote(str(printed[m.group(1)])), sync_line)
        done = subprocess.run(
            command.replace("9000", port),
            shell=True,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = re.search(r"requests ([\d,]+) · throttled (\d+)", done.stdout)
    assert summary is not None and "failed" not in done.stdout, done.stdout[-2000:]
    requests, throttled = int(summary.group(1).replace(",", "")), int(summary.group(2))
    assert requests > 50 and throttled <= requests / 20, summary.group(0)  # the limiter keeps to the tier


def _account_lines() -> dict[str, list[str]]:
    """The README's first block (a real account), each `tiktok-ads-mart` line's arguments by subcommand
    and first option: ``{"sync": [...], "sync --shard": [...], "check --html": [...]}``."""
    readme = (ROOT / "README.md").read_text()
    [block] = [b for b in re.findall(r"```sh\n(.*?)```", readme, re.S) if "tiktok-ads-mart auth login" in b]
    lines: dict[str, list[str]] = {}
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["tiktok-ads-mart"]:
            lines[" ".join(words[1:3])] = words[1:]
    return lines


def test_the_sync_shard_and_check_lines_run_against_the_emulator(serve: Any, tmp_path: Path) -> None:
    """`sync`, then `check --html`, as the README writes them; and the shard line, whose mart holds its
    own advertisers and passes `check` for that shard."""
    running = serve(advertisers=4, days=5)
    lines = _account_lines()
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token, TIKTOK_API_BASE=running.base_url,
                  TIKTOK_APP_ID=running.app_id, TIKTOK_APP_SECRET=running.secret,
                  TIKTOK_ADS_MART_NOW=running.emulator.now.isoformat(), TIKTOK_ADS_MART_QPS="0",
                  TIKTOK_ADS_MART_QPM="0")  # fmt: skip
    whole, shard = tmp_path / "whole", tmp_path / "shard"
    whole.mkdir(), shard.mkdir()

    for args in (lines["sync"], lines["check --html"]):
        done = run_cli(*args, env=env, cwd=whole, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (whole / "check.html").stat().st_size > 0

    shard_args = lines["sync --shard"]
    index, count = map(int, shard_args[shard_args.index("--shard") + 1].split("/"))
    mine = {adv for adv in running.advertiser_ids if in_shard(adv, index, count)}
    assert mine and mine != set(running.advertiser_ids)  # the world is big enough to show the split
    done = run_cli(*shard_args, env=env, cwd=shard, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with duckdb.connect(str(shard / "tiktok_ads.duckdb"), read_only=True) as conn:
        loaded = {
            adv for (adv,) in conn.sql("select distinct advertiser_id from tiktok.ad_report_daily").fetchall()
        }
    assert loaded == mine
    checked = run_cli("check", "--shard", f"{index}/{count}", env=env, cwd=shard, timeout=600)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    unsharded = run_cli("check", env=env, cwd=shard, timeout=600)  # the others' advertisers are missing
    assert unsharded.returncode == 1, unsharded.stdout[-2000:] + unsharded.stderr[-2000:]
