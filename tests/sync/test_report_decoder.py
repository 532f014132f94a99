"""The arrow report transport: success pages become arrow, everything else reaches the client untouched."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import httpx
import orjson
import pytest

from tiktok_ads_mart.api import RateLimits, RetryPolicy, TikTokClient
from tiktok_ads_mart.errors import InvalidRequest, RateLimited, TransportError
from tiktok_ads_mart.sync import ArrowReportTransport
from tiktok_ads_mart.transform import ParsedPages

PARAMS = {"dimensions": ["campaign_id", "stat_time_day"], "metrics": ["spend", "clicks"]}
ROW = {
    "dimensions": {"campaign_id": "1", "stat_time_day": "2026-11-01 00:00:00"},
    "metrics": {"spend": "1.5"},
}
PAGE_INFO = {"page": 1, "page_size": 1000, "total_number": 1, "total_page": 1}


def _client(handler: Callable[[httpx.Request], httpx.Response], pages: ParsedPages) -> TikTokClient:
    http = httpx.AsyncClient(transport=ArrowReportTransport(httpx.MockTransport(handler), pages))
    return TikTokClient(
        "http://tiktok.test/open_api/v1.3/",
        "token",
        limits=RateLimits(qps=0, qpm=0),
        retry=RetryPolicy(max_attempts=1),
        http=http,
        app_key="transport-test",
    )


def _envelope(**data: object) -> bytes:
    return orjson.dumps({"code": 0, "message": "OK", "request_id": "req-1", "data": data})


async def test_a_gzipped_success_page_arrives_as_arrow() -> None:
    pages = ParsedPages()
    body = gzip.compress(_envelope(list=[ROW], page_info=PAGE_INFO))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-encoding": "gzip"})

    data = await _client(handler, pages).get("report/integrated/get/", PARAMS)
    assert data["list"] == [] and data["page_info"] == PAGE_INFO
    parsed = pages.take(data["arrow_page"])
    assert parsed.request_id == "req-1"
    assert parsed.rows.to_pylist() == [
        {"dimensions": ROW["dimensions"], "metrics": {"spend": "1.5", "clicks": None}}
    ]
    assert len(pages) == 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            orjson.dumps({"code": 40100, "message": "Too many requests.", "request_id": "r", "data": {}}),
            RateLimited,
        ),
        (
            orjson.dumps({"code": 40002, "message": "bad metric", "request_id": "r", "data": {}}),
            InvalidRequest,
        ),
        (_envelope(list=[ROW], page_info=PAGE_INFO)[:60], TransportError),
    ],
    ids=["throttled", "param-error", "truncated"],
)
async def test_failures_reach_the_client_unchanged(body: bytes, error: type[Exception]) -> None:
    pages = ParsedPages()
    client = _client(lambda request: httpx.Response(200, content=body), pages)
    with pytest.raises(error):
        await client.get("report/integrated/get/", PARAMS)
    assert len(pages) == 0


async def test_pages_pyarrow_will_not_read_take_the_json_path() -> None:
    pages = ParsedPages()
    row = {"dimensions": ROW["dimensions"], "metrics": {"spend": 1.5, "clicks": 3}}  # bare numbers
    body = _envelope(list=[row], page_info=PAGE_INFO)
    data = await _client(lambda request: httpx.Response(200, content=body), pages).get(
        "report/integrated/get/", PARAMS
    )
    assert data["list"] == [row] and "arrow_page" not in data


async def test_other_endpoints_pass_through() -> None:
    pages = ParsedPages()
    body = _envelope(list=[{"campaign_id": "1"}], page_info=PAGE_INFO)
    data = await _client(lambda request: httpx.Response(200, content=body), pages).get("campaign/get/", {})
    assert data["list"] == [{"campaign_id": "1"}]
