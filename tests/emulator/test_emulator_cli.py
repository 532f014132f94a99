"""`tiktok-ads-mart emulator serve` as a user runs it: one JSON line, a working server, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tiktok_ads_mart.cli import app

CLI = [sys.executable, "-m", "tiktok_ads_mart", "emulator", "serve"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "TIKTOK_ADS_MART_HOME": str(tmp_path)}


def test_serve_prints_one_json_line_and_answers(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    args = [*CLI, "--port", "0", "--advertisers", "2", "--campaigns", "2", "--now", "2026-03-01"]
    process = subprocess.Popen(
        [*args, "--request-log", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        info = json.loads(line)
        assert set(info) == {"base_url", "portal_url", "app_id", "secret", "access_token", "advertiser_ids"}
        assert len(info["advertiser_ids"]) == 2
        response = httpx.get(
            info["base_url"] + "campaign/get/",
            params={"advertiser_id": info["advertiser_ids"][0]},
            headers={"Access-Token": info["access_token"]},
            timeout=10,
        )
        body = response.json()
        assert body["code"] == 0 and len(body["data"]["list"]) > 0
        portal = httpx.get(
            info["portal_url"],
            params={"app_id": info["app_id"], "redirect_uri": "http://localhost/cb"},
            timeout=10,
        )
        assert portal.status_code == 200 and 'id="authorize"' in portal.text
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert out == ""  # nothing after the one line
    assert "Traceback" not in err
    assert info["access_token"] not in log.read_text()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--port", "abc"], "--port"),
        (["--now", "yesterday-ish"], "--now"),
        (["--faults", "50000,meteor"], "meteor"),
        (["--advertisers", "0"], "--advertisers"),
        (["--ads", "-3"], "--ads"),
        (["--fault-rate", "1.5"], "--fault-rate"),
        (["--token-mode", "forever"], "--token-mode"),
        (["--qps", "-1"], "--qps"),
        (["--port", "[/x]"], "[/x]"),
        (["--request-log", "/nonexistent-dir/requests.jsonl"], "--request-log"),
        (["--host", "999.1.1.1", "--port", "0"], "999.1.1.1"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(args: list[str], words: str) -> None:
    result = CliRunner().invoke(app, ["emulator", "serve", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert words in lines[0]


def test_bad_option_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "--now", "2026-13-45"], capture_output=True, text=True, env=_env(tmp_path), timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: --now must be an ISO date or datetime (e.g. 2026-03-01 or 2026-03-01T12:00:00Z), got '2026-13-45'"
    ]


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*CLI, "--port", str(port)], capture_output=True, text=True, env=_env(tmp_path), timeout=60
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: address already in use"
    ]


def _answers(tmp_path: Path, hash_seed: str) -> list[bytes]:
    """Start a server, ask a fixed sequence, stop it; returns the raw bodies."""
    env = {**_env(tmp_path), "PYTHONHASHSEED": hash_seed}
    args = [*CLI, "--port", "0", "--advertisers", "2", "--campaigns", "2", "--now", "2026-03-01T05:00:00Z"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        adv = info["advertiser_ids"][1]
        headers = {"Access-Token": info["access_token"]}
        requests = [
            (
                "ad/get/",
                {"advertiser_id": adv, "filtering": '{"primary_status":"STATUS_ALL"}', "page_size": "50"},
            ),
            (
                "report/integrated/get/",
                {
                    "advertiser_id": adv,
                    "report_type": "AUDIENCE",
                    "data_level": "AUCTION_CAMPAIGN",
                    "dimensions": '["campaign_id","stat_time_day","gender","age"]',
                    "metrics": '["spend","clicks","ctr","conversion"]',
                    "start_date": "2026-02-20",
                    "end_date": "2026-02-28",
                },
            ),
            ("dmp/custom_audience/list/", {"advertiser_id": adv}),
        ]
        with httpx.Client(base_url=info["base_url"], headers=headers, timeout=10) as client:
            return [client.get(path, params=params).content for path, params in requests]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_two_processes_with_the_same_options_answer_identical_bytes(tmp_path: Path) -> None:
    first, second = _answers(tmp_path, "1"), _answers(tmp_path, "2")
    assert all(b'"code":0' in body for body in first)
    assert first == second
