"""The served report JSON is written from columns; it must be exactly what orjson writes for the row dicts.

``ReportResult.page_json`` is what ``report/integrated/get/`` serves, ``ReportResult.page`` what tests and
the asynchronous reports read: any byte of difference between them would make the HTTP answers disagree
with the ground truth the other tests check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import orjson
import pytest

from conftest import small_world
from tiktok_ads_mart.emulator import Emulator, formatting
from tiktok_ads_mart.emulator.catalog import MetricSpec, base, metric_specs
from tiktok_ads_mart.emulator.formatting import RowLayout, encode_rows, json_strings
from tiktok_ads_mart.emulator.reports import ReportResult
from tiktok_ads_mart.emulator.world import World

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
HOURLY_AD_METRICS = [
    "currency", "ad_name", "campaign_id", "adgroup_name", "spend", "impressions", "clicks", "ctr", "cpc",
    "cpm", "reach", "frequency", "conversion", "cost_per_conversion", "conversion_rate", "result",
    "cost_per_result", "video_views_p100", "total_purchase_value", "secondary_goal_result",
]  # fmt: skip
QUERIES: list[dict[str, Any]] = [
    {
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_hour"],
        "metrics": HOURLY_AD_METRICS,
        "start_date": "2026-06-29",
        "end_date": "2026-06-29",
        "include_deleted": True,
    },
    {  # the current day: hours after the clock are empty, conversions are still maturing
        "data_level": "AUCTION_AD",
        "dimensions": ["stat_time_hour", "ad_id"],
        "metrics": HOURLY_AD_METRICS,
        "start_date": "2026-06-30",
        "end_date": "2026-06-30",
    },
    {  # campaign_id is both the dimension and an attribute metric here
        "data_level": "AUCTION_CAMPAIGN",
        "dimensions": ["campaign_id", "stat_time_day"],
        "metrics": ["campaign_id", "campaign_name", "objective_type", "spend", "cpm", "ctr", "reach"],
        "start_date": "2026-06-01",
        "end_date": "2026-06-30",
    },
    {
        "data_level": "AUCTION_ADGROUP",
        "dimensions": ["adgroup_id"],
        "metrics": ["spend", "impressions", "cost_per_conversion", "frequency"],
        "query_lifetime": True,
        "include_deleted": True,
    },
    {
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"],
        "metrics": ["spend", "cpc", "ctr"],
        "start_date": "2026-06-01",
        "end_date": "2026-06-20",
        "order_field": "cpc",
        "order_type": "ASC",
    },
    {
        "report_type": "AUDIENCE",
        "data_level": "AUCTION_CAMPAIGN",
        "dimensions": ["campaign_id", "gender", "age"],
        "metrics": ["spend", "impressions", "clicks", "ctr", "conversion_rate"],
        "start_date": "2026-06-01",
        "end_date": "2026-06-25",
    },
    {
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": ["advertiser_id", "stat_time_day"],
        "metrics": ["advertiser_name", "cash_spend", "voucher_spend", "spend", "cpm"],
        "start_date": "2026-06-01",
        "end_date": "2026-06-30",
    },
]


@pytest.fixture(scope="module")
def world() -> World:
    config = small_world(
        seed=11,
        advertisers=2,
        days=40,
        campaigns_per_advertiser=4,
        adgroups_per_campaign=3,
        ads_per_adgroup=3,
        audiences_per_advertiser=6,
        now=NOW,
    )
    return World(config)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "-".join([q["data_level"], *q["dimensions"]]))
def test_served_pages_are_the_row_dicts_encoded(world: World, query: dict[str, Any]) -> None:
    for advertiser_id in world.advertiser_ids:
        result = world.report(advertiser_id, **{"report_type": "BASIC", **query})
        assert result.total > 0
        for page_size in (1, 7, 1000):
            last = -(-result.total // page_size)
            for page in sorted({1, 2, last, last + 1}):
                rows = result.page(page, page_size)
                assert result.page_json(page, page_size) == orjson.dumps(rows)
                assert orjson.loads(result.page_json(page, page_size)) == rows


def test_metric_values_match_after_the_clock_moves(world: World) -> None:
    """A result is per clock value; the encoded labels of one result never leak into the next."""
    advertiser_id = world.advertiser_ids[0]
    try:
        for hours in (0, 30, 80):
            world.set_now(NOW + timedelta(hours=hours))
            result = world.report(advertiser_id, report_type="BASIC", **QUERIES[2])
            assert result.page_json(1, 1000) == orjson.dumps(result.page(1, 1000))
    finally:
        world.set_now(NOW)


def _awkward_result() -> ReportResult:
    """Labels and attributes that need JSON escaping, and numbers outside the preformatted table."""
    names = ['quote " and \\ backslash', "tab\tnew\nline\x01", "ünïcødé ✓ 😀", "</script>", ""]
    rows = 12
    entity = np.arange(rows) % len(names)
    spend = np.array([0, 5, 123, 10**9, 2**17, 2**17 - 1, 7, 0, 1, 99999999999, 3, 4], dtype=np.int64)
    clicks = np.array([0, 1, 0, 3, 5, 0, 1, 2, 0, 1, 1, 1], dtype=np.int64)
    specs = [
        MetricSpec("label", "attribute"),
        MetricSpec("spend", "money", base("spend")),
        MetricSpec("clicks", "count", base("clicks")),
        MetricSpec("cpc", "ratio", base("spend"), base("clicks"), mul=1, decimals=None),
        MetricSpec("ctr", "ratio", base("clicks"), base("spend"), mul=100, decimals=2),
    ]
    return ReportResult(
        dimension_names=("campaign_id", "stat_time_day"),
        dimension_labels={
            "campaign_id": (names, entity),
            "stat_time_day": (["2026-06-01 00:00:00", "2026-06-02 00:00:00"], np.arange(rows) % 2),
        },
        metric_specs=specs,
        series={base("spend"): spend, base("clicks"): clicks},
        attribute_values={"label": (list(reversed(names)), entity)},
        currency_decimals=2,
        total_series={base("spend"): int(spend.sum()), base("clicks"): int(clicks.sum())},
    )


def test_escaping_and_large_numbers_match_orjson() -> None:
    result = _awkward_result()
    for page_size in (1, 5, 12, 1000):
        for page in range(1, 14 // page_size + 2):
            assert result.page_json(page, page_size) == orjson.dumps(result.page(page, page_size))
    rows = result.rows()
    assert rows[0]["dimensions"]["campaign_id"] == 'quote " and \\ backslash'
    assert rows[3]["metrics"]["spend"] == "10000000.00"
    assert rows[9]["metrics"]["spend"] == "999999999.99"
    assert [row["metrics"]["cpc"] for row in rows[:4]] == ["-", "0.05", "-", "3333333.33"]


def test_layouts_without_dimensions_or_metrics() -> None:
    column = np.array(["a", "b"], dtype=object)
    encoded = np.array(['"x"', '"y"'], dtype=object)
    cases = [
        (RowLayout.of(["d"], []), [encoded], [{"dimensions": {"d": "x"}, "metrics": {}}, {"dimensions": {"d": "y"}, "metrics": {}}]),
        (RowLayout.of([], [("m", True)]), [column], [{"dimensions": {}, "metrics": {"m": "a"}}, {"dimensions": {}, "metrics": {"m": "b"}}]),
        (RowLayout.of([], []), [], [{"dimensions": {}, "metrics": {}}] * 2),
    ]  # fmt: skip
    for layout, columns, expected in cases:
        assert encode_rows(layout, columns, 2) == orjson.dumps(expected)
    assert encode_rows(RowLayout.of(["d"], []), [encoded[:0]], 0) == b"[]"


def test_every_catalog_metric_formats_the_same_both_ways(world: World) -> None:
    """All 826 metrics (attributes excepted) at once: the served page equals the dict rows."""
    specs = metric_specs()
    numeric = [name for name, spec in specs.items() if spec.kind != "attribute"]
    numeric = [name for name in numeric if name not in ("cash_spend", "voucher_spend")]
    result = world.report(
        world.advertiser_ids[1],
        report_type="BASIC",
        data_level="AUCTION_AD",
        dimensions=["ad_id", "stat_time_day"],
        metrics=numeric,
        start_date="2026-06-20",
        end_date="2026-06-30",
    )
    assert result.page_json(1, 200) == orjson.dumps(result.page(1, 200))


async def test_http_pages_equal_the_world_rows(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    advertiser_id = emulator_app.advertiser_ids[0]
    query = {
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"],
        "metrics": HOURLY_AD_METRICS,
    }
    end = emulator_app.now.date()
    start = end - timedelta(days=9)
    params = {
        "advertiser_id": advertiser_id,
        "report_type": "BASIC",
        "data_level": query["data_level"],
        "dimensions": orjson.dumps(query["dimensions"]).decode(),
        "metrics": orjson.dumps(query["metrics"]).decode(),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "page": "2",
        "page_size": "5",
    }
    response = await asgi_client.get(
        "report/integrated/get/", params=params, headers={"Access-Token": emulator_app.access_token}
    )
    body = orjson.loads(response.content)
    assert body["code"] == 0, body
    expected = emulator_app.world.report(
        advertiser_id,
        report_type="BASIC",
        **query,
        start_date=start.isoformat(),
        end_date=end.isoformat(),
    ).page(2, 5)
    assert len(expected) == 5
    assert body["data"]["list"] == expected
    assert orjson.dumps(body["data"]["list"]) in response.content


def test_encoded_lists_are_reused_while_the_list_lives_and_bounded() -> None:
    values = ["a", 'b"', "ü"]
    first = json_strings(values)
    assert json_strings(values) is first
    assert first.tolist() == ['"a"', '"b\\""', '"ü"']
    assert json_strings(list(values)) is not first  # an equal but different list is encoded on its own
    for round_ in range(300):
        json_strings([f"{round_}-{i}" for i in range(2000)])
    assert formatting._encoded_values <= formatting._ENCODED_VALUES
    assert len(formatting._encoded) <= formatting._ENCODED_LISTS
