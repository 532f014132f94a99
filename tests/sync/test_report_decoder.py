"""The report decoder at the client's boundary: success pages become arrow, everything else takes the
client's ordinary path (its error classes, its JSON reading)."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import httpx
import orjson
import pytest

from tiktok_ads_mart.api import RateLimits, RetryPolicy, TikTokClient
from tiktok_ads_mart.catalog import ReportSpec
from tiktok_ads_mart.errors import InvalidRequest, RateLimited, TransportError
from tiktok_ads_mart.sync.arrow import ParsedPage, report_decoder

SPEC = ReportSpec("r", "BASIC", "campaign", "daily", metrics=("spend", "clicks"))
PARAMS = {"dimensions": list(SPEC.dimensions), "metrics": list(SPEC.metrics)}
DECODE = report_decoder(SPEC)
ROW = {
    "dimensions": {"campaign_id": "1", "stat_time_day": "2026-11-01 00:00:00"},
    "metrics": {"spend": "1.5"},
}
PAGE_INFO = {"page": 1, "page_size": 1000, "total_number": 1, "total_page": 1}


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> TikTokClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
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
    body = gzip.compress(_envelope(list=[ROW], page_info=PAGE_INFO))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-encoding": "gzip"})

    parsed = await _client(handler).get(SPEC.path, PARAMS, decode=DECODE)
    assert isinstance(parsed, ParsedPage) and parsed.page_info == PAGE_INFO
    assert parsed.rows.to_pylist() == [
        {"dimensions": ROW["dimensions"], "metrics": {"spend": "1.5", "clicks": None}}
    ]


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
async def test_failures_raise_the_clients_error_classes(body: bytes, error: type[Exception]) -> None:
    client = _client(lambda request: httpx.Response(200, content=body))
    with pytest.raises(error):
        await client.get(SPEC.path, PARAMS, decode=DECODE)


async def test_pages_pyarrow_will_not_read_take_the_json_path() -> None:
    row = {"dimensions": ROW["dimensions"], "metrics": {"spend": 1.5, "clicks": 3}}  # bare numbers
    body = _envelope(list=[row], page_info=PAGE_INFO)
    data = await _client(lambda request: httpx.Response(200, content=body)).get(
        SPEC.path, PARAMS, decode=DECODE
    )
    assert isinstance(data, dict) and data["list"] == [row]


async def test_without_a_decoder_the_body_is_read_as_json() -> None:
    body = _envelope(list=[ROW], page_info=PAGE_INFO)
    data = await _client(lambda request: httpx.Response(200, content=body)).get(SPEC.path, PARAMS)
    assert data["list"] == [ROW]
