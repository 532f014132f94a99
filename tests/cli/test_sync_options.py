"""`sync`'s options come from the settings table in config: none missing, none copied by hand.

A setting added to ``config.SETTINGS`` must show up in ``sync --help`` with its help text, and what the
user typed must reach ``load_settings`` as given (and nothing that was not given), so that the environment
and the config file still count for the rest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tiktok_ads_mart.cli import app
from tiktok_ads_mart.config import PARSERS, SETTINGS, SyncSettings

# SyncSettings fields that are worked out, not set: each other field must be a row of the table.
# concurrent_runs is the Python source's (the CLI splits an app's limits with --shard).
DERIVED = {"custom_reports", "config_file", "api_base_origin", "concurrent_runs"}


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, in an empty directory (no ./tiktok-ads-mart.toml), wide enough that
    Rich wraps no option name, and with no TIKTOK_ setting from the caller's environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOK_", "FORCE_COLOR"))}
    clean.update(COLUMNS="250", TIKTOK_ADS_MART_HOME=str(tmp_path / "home"), **env)
    return subprocess.run(
        [sys.executable, "-m", "tiktok_ads_mart", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_table_holds_every_setting_once() -> None:
    names = [spec.name for spec in SETTINGS]
    assert len(names) == len(set(names))
    assert list(PARSERS) == names
    assert set(names) == {f.name for f in fields(SyncSettings)} - DERIVED


def test_help_lists_every_setting_of_the_table_with_its_help(tmp_path: Path) -> None:
    result = _run(tmp_path, "sync", "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    flowed = " ".join(text.split())  # help is wrapped to the terminal's width
    for spec in SETTINGS:
        shown = spec.flag and not spec.hidden
        assert (re.search(rf"{re.escape(spec.option)}\b(?!-)", text) is not None) == shown, spec.name
        if shown:
            assert " ".join(spec.help.split()) in flowed, spec.name
    for own in ("--config", "--drop-pending", "--quiet", "-q", "--list-streams", "--exclude-deleted"):
        assert own in text
    assert re.search(r"--qps\s+INT\s", text)
    assert re.search(r"--duckdb-threads\s+INT\s", text)
    assert re.search(r"--start-date\s+DATE\s", text)
    assert "<str>" not in text and "TEXT" not in text
    assert "--destination-credentials" not in text  # a secret is never a flag: argv is public


@pytest.fixture
def given(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], Path | None]]:
    """What `sync` hands to ``load_settings``, recorded; the settings are the defaults."""
    calls: list[tuple[dict[str, Any], Path | None]] = []

    def record(flags: dict[str, Any], *, config_path: Path | None = None) -> SyncSettings:
        calls.append((dict(flags), config_path))
        return SyncSettings()

    monkeypatch.setattr("tiktok_ads_mart.cli.sync.load_settings", record)
    return calls


def test_only_the_flags_given_reach_load_settings(given: list[tuple[dict[str, Any], Path | None]]) -> None:
    result = CliRunner().invoke(app, ["sync", "--list-streams"])
    assert result.exit_code == 0, result.output
    assert given == [({}, None)]
    assert "campaigns" in result.stdout


def test_flags_reach_load_settings_as_typed(given: list[tuple[dict[str, Any], Path | None]]) -> None:
    args = [
        "sync",
        "--list-streams",
        "--config",
        "mart.toml",
        "-p",
        "work",
        "--advertiser-ids",
        "1,2",
        "--advertiser-ids",
        "3",
        "--streams",
        "campaigns,ads",
        "--qps",
        "5",
        "--exclude-deleted",
        "--duckdb-path",
        "~/mart.duckdb",
        "--now",
        "2026-03-01T00:00:00",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert given == [
        (
            {
                "profile": "work",
                "advertiser_ids": "1,2,3",
                "streams": "campaigns,ads",
                "qps": "5",
                "include_deleted": False,
                "duckdb_path": "~/mart.duckdb",
                "now": "2026-03-01T00:00:00",
            },
            Path("mart.toml"),
        )
    ]


def test_a_flag_beats_the_environment_and_a_bad_value_is_one_line(tmp_path: Path) -> None:
    from_env = _run(tmp_path, "sync", "--list-streams", TIKTOK_ADS_MART_STREAMS="no_such_stream")
    assert from_env.returncode == 2
    assert from_env.stderr.strip() == (
        "error: unknown stream 'no_such_stream'; see `tiktok-ads-mart sync --list-streams`"
    )
    flag_wins = _run(
        tmp_path, "sync", "--list-streams", "--streams", "campaigns", TIKTOK_ADS_MART_STREAMS="no_such_stream"
    )
    assert flag_wins.returncode == 0, flag_wins.stderr
    not_a_number = _run(tmp_path, "sync", "--list-streams", "--qps", "[many]")
    assert not_a_number.returncode == 2
    assert not_a_number.stderr.strip() == "error: qps: '[many]' is not a whole number"
