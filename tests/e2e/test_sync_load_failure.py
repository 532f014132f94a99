"""A load job the destination refuses for good: nothing is lost, and no cursor moves past lost rows.

With no lookback, a cursor that moved past rows the destination refused would leave those days out for
good, so each test ends with the mart and the cursors of a clean run.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dlt.destinations.exceptions import DestinationTerminalException
from test_sync_cli import _env, _sync_args

import tiktok_ads_mart.sync.duckdb_jobs as duckdb_jobs
from conftest import settings_for, static_token
from tiktok_ads_mart.errors import TikTokAdsMartError
from tiktok_ads_mart.sync import run_sync
from utils import cursors, mart_rows, mart_tables, query, snapshot

STREAMS = ("campaigns", "campaign_report_daily", "ad_report_hourly")
REFUSED = "campaign_report_daily"


@pytest.fixture
def clean_run(serve: Any, tmp_path: Path) -> Iterator[Any]:
    clean = serve(advertisers=2)
    reference = settings_for(clean, tmp_path, "clean", streams=STREAMS, lookback_days=0)
    assert run_sync(reference, token_source=static_token(clean)).exit_code == 0
    assert cursors(reference)[REFUSED], "the clean run should have moved the refused table's cursor"
    yield reference


def _refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    real_run = duckdb_jobs.KeyReplacingCopyJob.run

    def refuse_one_table(job: Any) -> None:
        if job.load_table_name == REFUSED:
            raise DestinationTerminalException("the destination refused this file")
        real_run(job)

    monkeypatch.setattr(duckdb_jobs.KeyReplacingCopyJob, "run", refuse_one_table)


def _refused_run(serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    running = serve(advertisers=2)
    settings = settings_for(running, tmp_path, "refused", streams=STREAMS, lookback_days=0)
    with monkeypatch.context() as patch:
        _refuse(patch)
        with pytest.raises(TikTokAdsMartError) as failed:
            run_sync(settings, token_source=static_token(running))
    message = str(failed.value)
    assert "refused this file" in message and "--drop-pending" in message and "\n" not in message
    assert query(settings.duckdb_path, "select count(*) from tiktok._dlt_loads")[0][0] == 0
    return running, settings


def test_a_refused_package_is_loaded_by_the_next_run_once_the_destination_takes_it(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_run: Any
) -> None:
    running, settings = _refused_run(serve, tmp_path, monkeypatch)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    assert snapshot(settings.duckdb_path) == snapshot(clean_run.duckdb_path)
    assert cursors(settings) == cursors(clean_run)


def test_a_dropped_package_rewinds_its_cursors_and_its_days_are_read_again(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_run: Any
) -> None:
    running, settings = _refused_run(serve, tmp_path, monkeypatch)
    with monkeypatch.context() as patch:  # the destination still refuses: the next run fails the same way
        _refuse(patch)
        with pytest.raises(TikTokAdsMartError, match="refused this file"):
            run_sync(settings, token_source=static_token(running))
    result = run_sync(settings, token_source=static_token(running), drop_pending_packages=True)
    assert result.exit_code == 0, result.failures
    assert result.rows[REFUSED] > 0
    assert snapshot(settings.duckdb_path) == snapshot(clean_run.duckdb_path)
    assert cursors(settings) == cursors(clean_run)


def test_the_cli_names_the_way_out_and_drop_pending_takes_it(
    serve: Any, tmp_path: Path, clean_run: Any
) -> None:
    """A real refusal: the mart already has the report table, with a column of a type the rows cannot take."""
    running = serve(advertisers=2)
    mart = tmp_path / "refused.duckdb"
    with duckdb.connect(str(mart)) as conn:
        conn.sql("CREATE SCHEMA tiktok")
        conn.sql(f"CREATE TABLE tiktok.{REFUSED} (advertiser_id VARCHAR, campaign_id VARCHAR, spend DATE)")
    env = _env(tmp_path, running, TIKTOK_ADS_MART_ADVERTISER_IDS=",".join(running.advertiser_ids))
    args = _sync_args(running, tmp_path, "refused", "--streams", ",".join(STREAMS), "--lookback-days", "0")

    refused = subprocess.run([*args, "--quiet"], env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "DATE" in refused.stderr and "sync --drop-pending" in refused.stderr

    with duckdb.connect(str(mart)) as conn:  # the column fixed; the pending rows are given up all the same
        conn.sql(f"ALTER TABLE tiktok.{REFUSED} ALTER spend TYPE DECIMAL(38, 9)")
    dropped = subprocess.run([*args, "--drop-pending"], env=env, capture_output=True, text=True, timeout=120)
    assert dropped.returncode == 0, dropped.stderr
    assert "dropped 1 load package" in dropped.stderr
    assert _by_name(mart) == _by_name(clean_run.duckdb_path)  # the hand-made table orders columns its way


def _by_name(path: Path) -> dict[str, list[str]]:
    return {
        table: sorted(repr(sorted(row.items())) for row in mart_rows(path, table))
        for table in mart_tables(path)
    }
