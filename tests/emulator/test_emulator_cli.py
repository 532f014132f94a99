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
def test_bad_options_give_one_line_and_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, env=_env(tmp_path), timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]


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
