"""The same sync into files as Delta and Iceberg tables: rows equal the emulator's, a rerun adds none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import settings_for, static_token
from tiktok_ads_mart.catalog import BUILTIN_STREAMS, EntitySpec, ReportSpec
from tiktok_ads_mart.sync import run_sync
from utils import assert_report_equal, keyed_report, report_span, truth_entities, truth_report

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
    world = running.emulator.world
    settings = settings_for(
        running, tmp_path, destination="filesystem", table_format=table_format, streams=STREAMS
    )
    for _ in range(2):
        result = run_sync(settings, token_source=static_token(running))
        assert result.exit_code == 0, result.failures
        for name in STREAMS:
            spec = BUILTIN_STREAMS[name]
            rows = READERS[table_format](lake / settings.dataset_name / name)
            for advertiser_id in world.advertiser_ids:
                if isinstance(spec, EntitySpec):
                    mine = sorted(r[spec.id_field] for r in rows if r["advertiser_id"] == advertiser_id)
                    truth = sorted(str(t[spec.id_field]) for t in truth_entities(world, spec, advertiser_id))
                    assert mine == truth, name
                    continue
                assert isinstance(spec, ReportSpec)
                first, last = report_span(settings, world, advertiser_id)
                assert_report_equal(
                    truth_report(world, spec, advertiser_id, first, last),
                    keyed_report(rows, spec, advertiser_id),
                    f"{table_format}/{name}",
                )
