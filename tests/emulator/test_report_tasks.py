"""Asynchronous report tasks as TikTok documents them: docs 1740302766489602 (create), 1740302781443073
(check), 1740302808815618 (download) and 1803615367145537 (cancel).

Each rule has its test: no date-span limit, id and country_code filters only (up to 20,000 ids), UV
metrics refused beside audience dimensions, the output formats, translated titles, links valid one
hour, tasks valid 30 days, the statuses and when a task can be canceled, and the creation limits.
Ground truth is the synchronous report over the same data (within its limits) and the world's objects.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import httpx
from emulator_support import error, get, ok, post

from tiktok_ads_mart.emulator import Emulator
from tiktok_ads_mart.emulator.catalog import metric_specs
from tiktok_ads_mart.emulator.limits import TaskCreationLimits
from tiktok_ads_mart.emulator.params import Call, Params
from tiktok_ads_mart.emulator.report_endpoints import (
    fail_next_task,
    task_desk,
    task_download,
    translated_title,
)
from tiktok_ads_mart.emulator.report_validation import BREAKDOWN_FAMILY, ID_DIMENSIONS, TIME_DIMENSIONS

CREATE, CHECK, DOWNLOAD, CANCEL = (
    "report/task/create/",
    "report/task/check/",
    "report/task/download/",
    "report/task/cancel/",
)
SYNC = "report/integrated/get/"
METRICS = ["spend", "impressions", "clicks"]


def _body(emulator: Emulator, **extra: Any) -> dict[str, Any]:
    """What sync/tasks.py sends: CSV_DOWNLOAD with raw titles (overridable)."""
    return {
        "advertiser_id": emulator.advertiser_ids[0],
        "report_type": "BASIC",
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"],
        "metrics": METRICS,
        "start_date": "2026-02-01",
        "end_date": "2026-02-20",
        "output_format": "CSV_DOWNLOAD",
        "enable_report_title_translation": False,
        **extra,
    }


def _where(emulator: Emulator, task_id: str) -> dict[str, str]:
    return {"advertiser_id": emulator.advertiser_ids[0], "task_id": task_id}


async def _create(client: httpx.AsyncClient, emulator: Emulator, **extra: Any) -> str:
    task_id: str = ok(await post(client, CREATE, emulator.access_token, _body(emulator, **extra)))["task_id"]
    return task_id


async def _statuses(client: httpx.AsyncClient, emulator: Emulator, task_id: str, checks: int) -> list[str]:
    where = _where(emulator, task_id)
    return [ok(await get(client, CHECK, emulator.access_token, **where))["status"] for _ in range(checks)]


async def _table(client: httpx.AsyncClient, emulator: Emulator, task_id: str) -> list[list[str]]:
    """The finished task's file as rows of cells, title row first, fetched from its link without a token."""
    assert (await _statuses(client, emulator, task_id, 3))[-1] == "SUCCESS"
    link = ok(await get(client, DOWNLOAD, emulator.access_token, **_where(emulator, task_id)))
    answer = await client.get(link["download_url"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.text)))


STATUS_FIELD = {
    "AUCTION_AD": "ad_status",
    "AUCTION_ADGROUP": "adgroup_status",
    "AUCTION_CAMPAIGN": "campaign_status",
}


async def _sync_rows(
    client: httpx.AsyncClient, emulator: Emulator, body: dict[str, Any], *, deleted: bool = True
) -> list[list[str]]:
    """The synchronous report of ``body`` as CSV cells (dimensions then metrics), every page; deleted
    objects' rows included unless ``deleted`` is false (a task has them, a report by default not)."""
    params = _params_of(body)
    if deleted and body["data_level"] in STATUS_FIELD:
        everything = {
            "field_name": STATUS_FIELD[body["data_level"]],
            "filter_type": "IN",
            "filter_value": '["STATUS_ALL"]',
        }
        params["filtering"] = [*params.get("filtering", []), everything]
    data = ok(await get(client, SYNC, emulator.access_token, page_size=1000, **params))
    assert data["page_info"]["total_page"] <= 1
    return [[*row["dimensions"].values(), *row["metrics"].values()] for row in data["list"]]


# -------------------------------------------------------------------------------------------- spans
async def test_a_task_has_no_date_span_limit(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    wide = {"start_date": "2026-01-01", "end_date": "2026-03-01"}  # 60 days by day
    error(await get(asgi_client, SYNC, token, **_params_of(_body(emulator_app, **wide))), 40002, "30 days")
    table = await _table(asgi_client, emulator_app, await _create(asgi_client, emulator_app, **wide))
    first = await _sync_rows(
        asgi_client, emulator_app, _body(emulator_app, end_date="2026-01-30", start_date="2026-01-01")
    )
    second = await _sync_rows(
        asgi_client, emulator_app, _body(emulator_app, start_date="2026-01-31", end_date="2026-03-01")
    )
    assert table[0] == ["ad_id", "stat_time_day", *METRICS]
    assert table[1:] == first + second and first and second
    no_time = {"dimensions": ["campaign_id"], "data_level": "AUCTION_CAMPAIGN"}
    years = {"start_date": "2024-01-01", "end_date": "2026-03-01"}  # the world's history is 40 days
    error(
        await get(asgi_client, SYNC, token, **_params_of(_body(emulator_app, **no_time, **years))),
        40002,
        "365",
    )
    table = await _table(
        asgi_client, emulator_app, await _create(asgi_client, emulator_app, **no_time, **years)
    )
    last_year = await _sync_rows(
        asgi_client,
        emulator_app,
        _body(emulator_app, **no_time, start_date="2025-03-02", end_date="2026-03-01"),
    )
    assert table[1:] == last_year and last_year


def _params_of(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("output_format", "enable_report_title_translation")}


# ------------------------------------------------------------------------------------------ filters
async def test_a_task_filters_by_ids_only_and_takes_up_to_20000(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    status = [{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}]
    error(
        await post(asgi_client, CREATE, token, _body(emulator_app, filtering=status)),
        40002,
        "asynchronous",
        "ad_status",
    )
    other = [{"field_name": "campaign_automation_type", "filter_type": "IN", "filter_value": '["MANUAL"]'}]
    error(await post(asgi_client, CREATE, token, _body(emulator_app, filtering=other)), 40002, "asynchronous")
    ads = sorted(
        {row[0] for row in await _sync_rows(asgi_client, emulator_app, _body(emulator_app), deleted=False)}
    )
    many = [ads[0], ads[1], *(str(n) for n in range(150))]
    filtering = [{"field_name": "ad_ids", "filter_type": "IN", "filter_value": json.dumps(many)}]
    error(
        await get(asgi_client, SYNC, token, **_params_of(_body(emulator_app, filtering=filtering))),
        40002,
        "at most 100",
    )
    table = await _table(
        asgi_client, emulator_app, await _create(asgi_client, emulator_app, filtering=filtering)
    )
    two = [{"field_name": "ad_ids", "filter_type": "IN", "filter_value": json.dumps(ads[:2])}]
    assert table[1:] == await _sync_rows(asgi_client, emulator_app, _body(emulator_app, filtering=two))
    assert {row[0] for row in table[1:]} <= set(ads[:2]) and len(table) > 1
    too_many = [
        {
            "field_name": "ad_ids",
            "filter_type": "IN",
            "filter_value": json.dumps([str(n) for n in range(20_001)]),
        }
    ]
    error(
        await post(asgi_client, CREATE, token, _body(emulator_app, filtering=too_many)),
        40002,
        "at most 20000",
    )


async def test_a_task_reports_deleted_objects_rows(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[1]
    body = _body(
        emulator_app, advertiser_id=adv, dimensions=["ad_id"], start_date="2026-01-01", end_date="2026-01-30"
    )
    live = await _sync_rows(asgi_client, emulator_app, body, deleted=False)
    every = await _sync_rows(asgi_client, emulator_app, body)
    assert len(every) > len(live)  # this advertiser has a deleted ad with rows
    task_id = ok(await post(asgi_client, CREATE, emulator_app.access_token, body))["task_id"]
    where = {"advertiser_id": adv, "task_id": task_id}
    for _ in range(3):
        ok(await get(asgi_client, CHECK, emulator_app.access_token, **where))
    link = ok(await get(asgi_client, DOWNLOAD, emulator_app.access_token, **where))["download_url"]
    table = list(csv.reader(io.StringIO((await asgi_client.get(link)).text)))
    assert table[1:] == every


async def test_a_task_filters_rows_by_country_code(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    shape = {"data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id", "country_code"]}
    every = await _sync_rows(asgi_client, emulator_app, _body(emulator_app, **shape))
    codes = sorted({row[1] for row in every})
    assert len(codes) >= 2
    for kind, keep in (("IN", lambda c: c == codes[0]), ("NOT_IN", lambda c: c != codes[0])):
        filtering = [
            {"field_name": "country_code", "filter_type": kind, "filter_value": json.dumps(codes[:1])}
        ]
        table = await _table(
            asgi_client, emulator_app, await _create(asgi_client, emulator_app, **shape, filtering=filtering)
        )
        assert table[1:] == [row for row in every if keep(row[1])] and table[1:]
    filtering = [{"field_name": "country_code", "filter_type": "IN", "filter_value": '["US"]'}]
    error(await post(asgi_client, CREATE, emulator_app.access_token, _body(emulator_app, filtering=filtering)),
          40002, "country_code in dimensions")  # fmt: skip


async def test_uv_metrics_and_audience_dimensions_do_not_mix_in_a_task(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    shape = {
        "data_level": "AUCTION_CAMPAIGN",
        "dimensions": ["campaign_id", "country_code"],
        "metrics": ["reach"],
    }
    assert await _sync_rows(asgi_client, emulator_app, _body(emulator_app, **shape))  # fine synchronously
    error(
        await post(asgi_client, CREATE, emulator_app.access_token, _body(emulator_app, **shape)),
        40002,
        "reach",
        "UV",
    )
    await _create(
        asgi_client, emulator_app, **{**shape, "dimensions": ["campaign_id"]}
    )  # reach alone is fine


# ----------------------------------------------------------------------------------- output formats
async def test_output_formats_and_file_names(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    error(
        await post(asgi_client, CREATE, token, _body(emulator_app, output_format="XLSX_DOWNLOAD")),
        40002,
        "not emulated",
    )
    error(
        await post(asgi_client, CREATE, token, _body(emulator_app, output_format="PDF")),
        40002,
        "output_format",
    )
    for bad in ("a#b", "x(1)", "tab\there", "n" * 256):
        error(await post(asgi_client, CREATE, token, _body(emulator_app, file_name=bad)), 40002, "file_name")
    for sent, kept in ((" ", None), ("my report", "my report.csv"), ("Q1.csv", "Q1.csv")):
        task_id = await _create(asgi_client, emulator_app, file_name=sent)
        await _statuses(asgi_client, emulator_app, task_id, 3)
        link = ok(await get(asgi_client, DOWNLOAD, token, **_where(emulator_app, task_id)))
        assert link["file_name"] == (kept or f"report_{task_id}.csv")
        assert link["output_format"] == "CSV_DOWNLOAD" and "expire=" in link["download_url"]
        answer = await asgi_client.get(link["download_url"])
        assert answer.status_code == 200 and answer.text.startswith("ad_id,stat_time_day,spend")


async def test_csv_string_is_the_answer_itself(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    body = _body(emulator_app, output_format="CSV_STRING")
    task_id = await _create(asgi_client, emulator_app, output_format="CSV_STRING")
    await _statuses(asgi_client, emulator_app, task_id, 3)
    expected = "\n".join(",".join(cells) for cells in [["ad_id", "stat_time_day", *METRICS],
                                                       *await _sync_rows(asgi_client, emulator_app, body)]) + "\n"  # fmt: skip
    call = Call(emulator_app, Params(_where(emulator_app, task_id)), token, "http://emulator.test/")
    task_download(call)
    assert (
        call.raw_body is not None and call.raw_body.decode() == expected and call.raw_media_type == "text/csv"
    )
    answer = await asgi_client.get(
        DOWNLOAD, params=_where(emulator_app, task_id), headers={"Access-Token": token}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.text == expected  # the file itself, no envelope (doc 1740302808815618)


async def test_titles_are_translated_unless_asked_not_to(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    shape = {"data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id", "stat_time_day"],
             "metrics": ["campaign_name", "spend", "impressions", "clicks", "ctr"]}  # fmt: skip
    translated = await _table(asgi_client, emulator_app, await _create(asgi_client, emulator_app, **shape,
                                                                      enable_report_title_translation=True))  # fmt: skip
    assert translated[0] == [
        "Campaign ID",
        "Stat Time Day",
        "Campaign Name",
        "Cost",
        "Impression",
        "Click",
        "CTR",
    ]
    task_id = ok(await post(asgi_client, CREATE, emulator_app.access_token,
                            {k: v for k, v in _body(emulator_app, **shape).items()
                             if k != "enable_report_title_translation"}))["task_id"]  # fmt: skip
    assert (await _table(asgi_client, emulator_app, task_id))[0] == translated[0]  # the default is true
    raw = await _table(asgi_client, emulator_app, await _create(asgi_client, emulator_app, **shape))
    assert raw[0] == ["campaign_id", "stat_time_day", *shape["metrics"]] and raw[1:] == translated[1:]
    ad_level = await _table(asgi_client, emulator_app, await _create(asgi_client, emulator_app,
                                                                    enable_report_title_translation=True))  # fmt: skip
    assert ad_level[0][:1] == ["AD ID"]  # doc 1740302766489602's example


def test_every_column_has_its_own_title() -> None:
    names = [*metric_specs(), *ID_DIMENSIONS.values(), *TIME_DIMENSIONS, *BREAKDOWN_FAMILY]
    titles = {translated_title(name) for name in names}
    assert len(titles) == len(set(names))


# ------------------------------------------------------------------------------- validity and links
async def test_a_link_is_valid_one_hour_and_a_task_30_days(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    created = emulator_app.now
    task_id = await _create(asgi_client, emulator_app)
    await _statuses(asgi_client, emulator_app, task_id, 3)
    first = ok(await get(asgi_client, DOWNLOAD, token, **_where(emulator_app, task_id)))["download_url"]
    emulator_app.set_now(created + timedelta(minutes=59))
    assert (await asgi_client.get(first)).status_code == 200
    emulator_app.set_now(created + timedelta(minutes=60))
    assert (await asgi_client.get(first)).status_code == 403
    second = ok(await get(asgi_client, DOWNLOAD, token, **_where(emulator_app, task_id)))["download_url"]
    assert second != first and (await asgi_client.get(second)).status_code == 200
    assert (await asgi_client.get(first)).status_code == 403
    emulator_app.set_now(created + timedelta(days=30) - timedelta(minutes=1))
    assert (await _statuses(asgi_client, emulator_app, task_id, 1)) == ["SUCCESS"]
    emulator_app.set_now(created + timedelta(days=30))
    for path in (CHECK, DOWNLOAD):
        error(await get(asgi_client, path, token, **_where(emulator_app, task_id)), 40002, "expired")
    assert (await asgi_client.get(second)).status_code == 403


# ------------------------------------------------------------------------------- statuses and cancel
async def test_statuses_failed_and_what_can_be_canceled(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    done = await _create(asgi_client, emulator_app)
    assert await _statuses(asgi_client, emulator_app, done, 4) == [
        "QUEUING",
        "PROCESSING",
        "SUCCESS",
        "SUCCESS",
    ]
    error(
        await post(asgi_client, CANCEL, token, _where(emulator_app, done)),
        40002,
        "SUCCESS",
        "QUEUING or PROCESSING",
    )
    fail_next_task(emulator_app, "disk full")
    failed = await _create(asgi_client, emulator_app)
    checks = [ok(await get(asgi_client, CHECK, token, **_where(emulator_app, failed))) for _ in range(3)]
    assert [c["status"] for c in checks] == ["QUEUING", "PROCESSING", "FAILED"]
    assert [c["message"] for c in checks] == ["", "", "disk full"]
    error(await get(asgi_client, DOWNLOAD, token, **_where(emulator_app, failed)), 40201, "FAILED")
    error(await post(asgi_client, CANCEL, token, _where(emulator_app, failed)), 40002, "FAILED")
    assert await _statuses(asgi_client, emulator_app, await _create(asgi_client, emulator_app), 3) == [
        "QUEUING", "PROCESSING", "SUCCESS"]  # fmt: skip  # only the next task failed
    processing = await _create(asgi_client, emulator_app)
    assert await _statuses(asgi_client, emulator_app, processing, 2) == ["QUEUING", "PROCESSING"]
    assert (
        ok(await post(asgi_client, CANCEL, token, _where(emulator_app, processing)))["status"] == "CANCELED"
    )
    assert await _statuses(asgi_client, emulator_app, processing, 2) == ["CANCELED", "CANCELED"]
    error(await post(asgi_client, CANCEL, token, _where(emulator_app, processing)), 40002, "CANCELED")
    error(await get(asgi_client, DOWNLOAD, token, **_where(emulator_app, processing)), 40201)


# ---------------------------------------------------------------------------------------- limits
class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_documented_budgets() -> None:
    limits = TaskCreationLimits()
    assert (limits.qps, limits.qpm) == (2, 60)  # doc 1740029171730433
    assert limits.per_advertiser_hour == 500  # doc 1740302766489602


async def test_task_creation_per_app_per_second_and_minute(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    emulator_app.configure(qps=1000, qpm=100_000)  # a throttled app, which the endpoint's own limit joins
    clock = _Clock()
    task_desk(emulator_app).limits = TaskCreationLimits(clock=clock)
    token = emulator_app.access_token
    await _create(asgi_client, emulator_app)
    await _create(asgi_client, emulator_app)
    error(await post(asgi_client, CREATE, token, _body(emulator_app)), 40100, "report/task/create/", "2 QPS")
    clock.now += 1.0
    for _ in range(58):  # 2 per second, up to 60 in the minute
        await _create(asgi_client, emulator_app)
        clock.now += 0.5
    error(await post(asgi_client, CREATE, token, _body(emulator_app)), 40100, "60 QPM")
    clock.now = 1000.0 + 60.0  # the first two requests leave the minute
    await _create(asgi_client, emulator_app)


async def test_task_creations_per_advertiser_per_hour(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    emulator_app.configure(qps=1000, qpm=100_000)
    clock = _Clock()
    task_desk(emulator_app).limits = TaskCreationLimits(qps=0, per_advertiser_hour=2, clock=clock)
    token, first, second = emulator_app.access_token, *emulator_app.advertiser_ids[:2]
    error(await post(asgi_client, CREATE, token, _body(emulator_app, metrics=["nope"])), 40002)  # not counted
    await _create(asgi_client, emulator_app)
    await _create(asgi_client, emulator_app)
    error(await post(asgi_client, CREATE, token, _body(emulator_app)), 40100, "per ad account every hour")
    await _create(asgi_client, emulator_app, advertiser_id=second)  # another ad account has its own budget
    clock.now += 3599.0
    error(await post(asgi_client, CREATE, token, _body(emulator_app, advertiser_id=first)), 40100)
    clock.now += 1.0
    await _create(asgi_client, emulator_app)


async def test_an_unthrottled_emulator_does_not_limit_tasks(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    task_desk(emulator_app).limits = TaskCreationLimits(qps=1, per_advertiser_hour=1, clock=_Clock())
    for _ in range(3):  # qps=0, qpm=0: what every test world and `--qps 0 --qpm 0` run with
        await _create(asgi_client, emulator_app)
