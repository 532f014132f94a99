"""The same sync into files as Delta and Iceberg tables: rows equal the emulator's, a rerun adds none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import settings_for, static_token
from tiktok_ads_mart.sync import run_sync
from utils import assert_streams_equal_the_emulator

STREAMS = (
    "campaigns",
    "ads",
    "campaign_report_daily",
    "ad_report_hourly",
    "ad_audience_report_daily_by_platform",
)


def _delta_rows(table: Path) -> list[dict[str, Any]]:
    from deltalake import DeltaTable

    return list(DeltaTable(str(table)).to_pyarrow_table().to_pylist())


def _iceberg_rows(table: Path) -> list[dict[str, Any]]:
    from pyiceberg.table import StaticTable

    latest = max((table / "metadata").glob("*.metadata.json"), key=lambda p: int(p.name.split("-")[0]))
    return list(StaticTable.from_metadata(str(latest)).scan().to_arrow().to_pylist())


READERS = {"delta": _delta_rows, "iceberg": _iceberg_rows}


@pytest.mark.parametrize("table_format", sorted(READERS))
def test_delta_and_iceberg_tables_equal_the_emulator_and_reruns_add_nothing(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table_format: str
) -> None:
    lake = tmp_path / "lake"
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", lake.as_uri())
    running = serve(advertisers=2)
    settings = settings_for(
        running, tmp_path, destination="filesystem", table_format=table_format, streams=STREAMS
    )
    read = READERS[table_format]

    def rows_of(table: str) -> list[dict[str, Any]]:
        return read(lake / settings.dataset_name / table)

    for _ in range(2):
        result = run_sync(settings, token_source=static_token(running))
        assert result.exit_code == 0, result.failures
        assert_streams_equal_the_emulator(rows_of, STREAMS, running.emulator.world, settings)
