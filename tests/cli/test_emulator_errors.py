"""An `emulator serve` error shows a bad value as typed: escaped for Rich once, so no backslash appears."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--faults", "[x]"], "error: unknown fault kind '[x]' in --faults; choose from "),
        (
            ["--now", "[/bold]"],
            "error: --now must be an ISO date or datetime (e.g. 2026-03-01 or 2026-03-01T12:00:00Z), "
            "got '[/bold]'",
        ),
        (["--port", "[1]"], "error: --port must be an integer, got '[1]'"),
    ],
)
def test_a_bad_value_with_brackets_shows_as_typed(tmp_path: Path, args: list[str], line: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")}
    env.update(COLUMNS="250", TIKTOK_ADS_MART_HOME=str(tmp_path / "home"))
    result = subprocess.run(
        [sys.executable, "-m", "tiktok_ads_mart", "emulator", "serve", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(line), lines[0]
    assert "\\" not in lines[0]
