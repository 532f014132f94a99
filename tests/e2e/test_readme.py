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
