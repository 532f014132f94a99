"""Reports over HTTP: paging, defaults, limits, filters, sums across levels and grains, the async path.

The engine itself is tested directly by the world's own tests; these pin what a client sees on the wire.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest
from emulator_support import all_pages, error, get, ok, post

from tiktok_ads_mart.emulator import Emulator

PATH = "report/integrated/get/"
WINDOW = {"start_date": "2026-02-01", "end_date": "2026-02-20"}
ALL_ADS = [{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}]


def _params(emulator: Emulator, **extra: Any) -> dict[str, Any]:
    return {
        "advertiser_id": emulator.advertiser_ids[0],
        "report_type": "BASIC",
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"],
        **WINDOW,
        **extra,
    }


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row["dimensions"].values())


async def test_report_pages_to_the_last_page(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    whole = ok(await get(asgi_client, PATH, token, page_size=1000, **_params(emulator_app)))
    total = whole["page_info"]["total_number"]
    assert total == len(whole["list"]) > 40
    rows, infos = await all_pages(asgi_client, PATH, token, 17, **_params(emulator_app))
    assert rows == whole["list"]
    assert infos[-1]["total_page"] == -(-total // 17) == len(infos)
    assert all(set(row["metrics"]) == {"spend", "impressions"} for row in rows)  # the default metrics
    assert all(
        isinstance(v, str) for row in rows for v in [*row["dimensions"].values(), *row["metrics"].values()]
    )


async def test_report_parameter_errors_name_the_parameter(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    cases: list[tuple[dict[str, Any], str]] = [
        ({"metrics": ["spend", "no_such_metric"]}, "no_such_metric"),
        ({"start_date": "2026-01-01", "end_date": "2026-02-01"}, "30"),
        (
            {"dimensions": ["ad_id", "stat_time_hour"], "start_date": "2026-02-01", "end_date": "2026-02-02"},
            "day",
        ),
        ({"page_size": 1001}, "page_size"),
        ({"report_type": "NOPE"}, "report_type"),
        ({"data_level": "AUCTION_GALAXY"}, "data_level"),
        ({"start_date": "01/02/2026"}, "start_date"),
        (
            {"filtering": [{"field_name": "ad_ids", "filter_type": "SOMETIMES", "filter_value": "[]"}]},
            "filter_type",
        ),
        ({"filtering": "[{broken"}, "filtering"),
    ]
    for extra, word in cases:
        error(await get(asgi_client, PATH, token, **_params(emulator_app, **extra)), 40002, word)
    params = _params(emulator_app)
    del params["dimensions"]
    error(await get(asgi_client, PATH, token, **params), 40002, "dimensions")


async def test_python_repr_and_true_spellings(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    adv = emulator_app.advertiser_ids[0]
    base = {
        "advertiser_id": adv,
        "report_type": "BASIC",
        "data_level": "AUCTION_CAMPAIGN",
        "page_size": "100",
    }
    as_json = await asgi_client.get(
        PATH,
        params={**base, "dimensions": '["campaign_id"]', "query_lifetime": "true", "metrics": '["spend"]'},
        headers={"Access-Token": token},
    )
    as_repr = await asgi_client.get(
        PATH,
        params={**base, "dimensions": "['campaign_id']", "query_lifetime": "True", "metrics": "['spend']"},
        headers={"Access-Token": token},
    )
    assert ok(as_json.json()) == ok(as_repr.json())
    assert ok(as_json.json())["page_info"]["total_number"] > 0


async def test_filters_and_deleted_rows(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    default = ok(await get(asgi_client, PATH, token, page_size=1000, **_params(emulator_app)))["list"]
    with_deleted = ok(
        await get(asgi_client, PATH, token, page_size=1000, **_params(emulator_app, filtering=ALL_ADS))
    )
    assert {_key(r) for r in default} <= {_key(r) for r in with_deleted["list"]}
    one_ad = default[0]["dimensions"]["ad_id"]
    only = [{"field_name": "ad_ids", "filter_type": "IN", "filter_value": f'["{one_ad}"]'}]
    filtered = ok(
        await get(asgi_client, PATH, token, page_size=1000, **_params(emulator_app, filtering=only))
    )["list"]
    assert filtered == [r for r in default if r["dimensions"]["ad_id"] == one_ad]


def _spend_by(rows: list[dict[str, Any]], *dims: str) -> dict[tuple[str, ...], Decimal]:
    sums: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[tuple(row["dimensions"][d] for d in dims)] += Decimal(row["metrics"]["spend"])
    return dict(sums)


async def test_ad_rows_sum_to_campaign_rows(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    adv = emulator_app.advertiser_ids[0]
    ad_rows = ok(
        await get(
            asgi_client,
            PATH,
            token,
            page_size=1000,
            **_params(emulator_app, metrics=["spend", "campaign_id"], filtering=ALL_ADS),
        )
    )["list"]
    campaign_filter = [
        {"field_name": "campaign_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
    ]
    campaign_rows = ok(
        await get(
            asgi_client,
            PATH,
            token,
            page_size=1000,
            **_params(
                emulator_app,
                data_level="AUCTION_CAMPAIGN",
                dimensions=["campaign_id", "stat_time_day"],
                metrics=["spend"],
                filtering=campaign_filter,
            ),
        )
    )["list"]
    parents = {ad: parent[1] for ad, parent in emulator_app.world.ad_parents(adv).items()}
    from_ads: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for row in ad_rows:
        from_ads[(parents[row["dimensions"]["ad_id"]], row["dimensions"]["stat_time_day"])] += Decimal(
            row["metrics"]["spend"]
        )
    by_campaign = _spend_by(campaign_rows, "campaign_id", "stat_time_day")
    assert by_campaign and {k: v for k, v in from_ads.items() if v} == {
        k: v for k, v in by_campaign.items() if v
    }


async def test_hours_sum_to_days(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    level = {"data_level": "AUCTION_ADVERTISER", "metrics": ["spend", "impressions"]}
    daily = ok(
        await get(
            asgi_client,
            PATH,
            token,
            **_params(emulator_app, dimensions=["advertiser_id", "stat_time_day"], **level),
        )
    )["list"]
    day = next(row for row in daily if Decimal(row["metrics"]["spend"]) > 0)
    date = day["dimensions"]["stat_time_day"][:10]
    hourly = ok(
        await get(
            asgi_client,
            PATH,
            token,
            page_size=100,
            **_params(
                emulator_app,
                dimensions=["advertiser_id", "stat_time_hour"],
                start_date=date,
                end_date=date,
                **level,
            ),
        )
    )["list"]
    assert all(row["dimensions"]["stat_time_hour"].startswith(date) for row in hourly)
    assert sum(Decimal(r["metrics"]["spend"]) for r in hourly) == Decimal(day["metrics"]["spend"])
    assert sum(int(r["metrics"]["impressions"]) for r in hourly) == int(day["metrics"]["impressions"])


async def test_total_metrics_on_request(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    params = _params(emulator_app, data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id", "stat_time_day"])
    data = ok(
        await get(
            asgi_client,
            PATH,
            emulator_app.access_token,
            enable_total_metrics="true",
            page_size=1000,
            **params,
        )
    )
    assert Decimal(data["total_metrics"]["spend"]) == sum(
        Decimal(r["metrics"]["spend"]) for r in data["list"]
    )
    plain = ok(await get(asgi_client, PATH, emulator_app.access_token, **params))
    assert "total_metrics" not in plain


@pytest.mark.parametrize("file_name", [None, "my_report.csv"])
async def test_async_task_create_check_download(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator, file_name: str | None
) -> None:
    token = emulator_app.access_token
    adv = emulator_app.advertiser_ids[0]
    body: dict[str, Any] = {
        "advertiser_id": adv,
        "report_type": "BASIC",
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"],
        "metrics": ["spend", "clicks", "ctr"],
        **WINDOW,
        "output_format": "CSV_DOWNLOAD",  # CSV_STRING answers with the CSV itself (doc 1740302808815618)
        "enable_report_title_translation": False,  # raw names, as the sync report's keys
    }
    if file_name:
        body["file_name"] = file_name
    task_id = ok(await post(asgi_client, "report/task/create/", token, body))["task_id"]
    assert task_id.isdigit() and len(task_id) == 19
    query = {"advertiser_id": adv, "task_id": task_id}
    error(await get(asgi_client, "report/task/download/", token, **query), 40201)
    statuses = [ok(await get(asgi_client, "report/task/check/", token, **query))["status"] for _ in range(4)]
    assert statuses == ["QUEUING", "PROCESSING", "SUCCESS", "SUCCESS"]
    info = ok(await get(asgi_client, "report/task/download/", token, **query))
    assert info["output_format"] == "CSV_DOWNLOAD"
    assert info["file_name"] == (file_name or f"report_{task_id}.csv")
    response = await asgi_client.get(info["download_url"])
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.text)))
    sync = ok(await get(asgi_client, PATH, token, page_size=1000, **{**body, "metrics": body["metrics"]}))[
        "list"
    ]
    assert table == [{**row["dimensions"], **row["metrics"]} for row in sync]
    other = emulator_app.advertiser_ids[1]
    error(
        await get(asgi_client, "report/task/check/", token, advertiser_id=other, task_id=task_id),
        40002,
        "task_id",
    )
    error(await post(asgi_client, "report/task/create/", token, {**body, "metrics": ["nope"]}), 40002, "nope")
    error(await post(asgi_client, "report/task/create/", token, {**body, "output_format": "PDF"}), 40002)


async def test_async_task_cancel(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    adv = emulator_app.advertiser_ids[0]
    body = {"advertiser_id": adv, "report_type": "BASIC", "data_level": "AUCTION_AD", "dimensions": ["ad_id"]}
    body.update({"query_lifetime": True})
    task_id = ok(await post(asgi_client, "report/task/create/", token, body))["task_id"]
    query = {"advertiser_id": adv, "task_id": task_id}
    assert ok(await post(asgi_client, "report/task/cancel/", token, query))["status"] == "CANCELED"
    assert ok(await get(asgi_client, "report/task/check/", token, **query))["status"] == "CANCELED"
    error(await get(asgi_client, "report/task/download/", token, **query), 40201)


async def _rows(client: httpx.AsyncClient, emulator: Emulator, **params: Any) -> list[dict[str, Any]]:
    rows, _ = await all_pages(client, PATH, emulator.access_token, 1000, **_params(emulator, **params))
    return rows


async def test_audience_breakdowns_sum_to_basic_totals(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    level: dict[str, Any] = {"data_level": "AUCTION_CAMPAIGN", "metrics": ["spend", "impressions", "clicks"]}
    basic = await _rows(asgi_client, emulator_app, dimensions=["campaign_id", "stat_time_day"], **level)
    expected = _spend_by(basic, "campaign_id", "stat_time_day")
    assert expected
    for breakdown in (["gender", "age"], ["country_code"], ["platform"]):
        split = await _rows(
            asgi_client,
            emulator_app,
            report_type="AUDIENCE",
            dimensions=["campaign_id", "stat_time_day", *breakdown],
            **level,
        )
        summed = _spend_by(split, "campaign_id", "stat_time_day")
        assert {k: v for k, v in summed.items() if v} == {k: v for k, v in expected.items() if v}, breakdown


async def test_lifetime_equals_the_sum_of_all_days(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    level: dict[str, Any] = {"data_level": "AUCTION_ADVERTISER", "metrics": ["spend", "impressions"]}
    lifetime = await _rows(
        asgi_client,
        emulator_app,
        dimensions=["advertiser_id"],
        query_lifetime=True,
        start_date="",
        end_date="",
        **level,
    )
    (row,) = lifetime
    spend, impressions = Decimal(0), 0
    # The world's history plus the days the schedule runs ahead of the clock, in 30-day chunks.
    for start, end in (
        ("2025-12-01", "2025-12-30"),
        ("2025-12-31", "2026-01-29"),
        ("2026-01-30", "2026-02-28"),
    ):
        for day in await _rows(
            asgi_client,
            emulator_app,
            dimensions=["advertiser_id", "stat_time_day"],
            start_date=start,
            end_date=end,
            **level,
        ):
            spend += Decimal(day["metrics"]["spend"])
            impressions += int(day["metrics"]["impressions"])
    tail = await _rows(
        asgi_client,
        emulator_app,
        dimensions=["advertiser_id", "stat_time_day"],
        start_date="2026-03-01",
        end_date="2026-03-30",
        **level,
    )
    spend += sum((Decimal(day["metrics"]["spend"]) for day in tail), Decimal(0))
    impressions += sum(int(day["metrics"]["impressions"]) for day in tail)
    assert spend > 0
    assert (Decimal(row["metrics"]["spend"]), int(row["metrics"]["impressions"])) == (spend, impressions)


async def test_order_field_sorts_rows(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    params = _params(emulator_app, metrics=["spend", "clicks"], order_field="clicks")
    descending = ok(await get(asgi_client, PATH, token, page_size=1000, **params))["list"]
    clicks = [int(row["metrics"]["clicks"]) for row in descending]
    assert clicks == sorted(clicks, reverse=True) and clicks[0] > clicks[-1]
    ascending = ok(await get(asgi_client, PATH, token, page_size=1000, order_type="ASC", **params))["list"]
    assert [int(row["metrics"]["clicks"]) for row in ascending] == sorted(clicks)
    error(
        await get(asgi_client, PATH, token, **_params(emulator_app, order_field="no_metric")),
        40002,
        "order_field",
    )
