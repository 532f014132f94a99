"""The client against synthetic answers (httpx.MockTransport): encoding, the boundary, retries, paging."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

from tiktok_ads_mart.api import (
    RateLimiter,
    RateLimits,
    RetryPolicy,
    StaticTokenSource,
    TikTokClient,
    encode_query,
    read_envelope,
)
from tiktok_ads_mart.errors import (
    AuthExpired,
    DailyQuotaUsedUp,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    TransientApiError,
    TransportError,
    WrongApp,
)
from tiktok_ads_mart.secret import Secret

BASE = "https://business-api.tiktok.com/open_api/v1.3/"
FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01, throttle_delay=0.0)
TOKEN = "tok-0123456789abcdef"
APP_SECRET = "app-secret-fedcba9876543210"


def envelope(code: int = 0, data: object = None, message: str = "OK", request_id: str = "rid-1") -> bytes:
    return orjson.dumps({"code": code, "message": message, "request_id": request_id, "data": data or {}})


def make_client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: object) -> TikTokClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    options: dict[str, object] = {"limiter": RateLimiter(RateLimits(0, 0)), "retry": FAST, "http": http}
    options.update(kwargs)
    token = options.pop("token", TOKEN)
    return TikTokClient(BASE, token, **options)  # type: ignore[arg-type]


def test_query_encoding_is_tiktoks_json_in_query_form() -> None:
    encoded = encode_query(
        {
            "advertiser_id": 123,
            "fields": ["campaign_id", "campaign_name"],
            "filtering": {"secondary_status": "CAMPAIGN_STATUS_ALL", "ids": [1, 2]},
            "query_lifetime": True,
            "enable_total": False,
            "secret": Secret("s3"),
            "skipped": None,
        }
    )
    assert encoded == {
        "advertiser_id": "123",
        "fields": '["campaign_id","campaign_name"]',
        "filtering": '{"secondary_status":"CAMPAIGN_STATUS_ALL","ids":[1,2]}',
        "query_lifetime": "true",
        "enable_total": "false",
        "secret": "s3",
    }


async def test_get_sends_raw_access_token_and_encoded_query() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=envelope(data={"list": [1]}))

    async with make_client(handler) as client:
        data = await client.get("campaign/get/", {"advertiser_id": "7", "fields": ["a", "b"]})
    assert data == {"list": [1]}
    request = seen[0]
    assert request.headers["Access-Token"] == TOKEN
    assert request.url.path == "/open_api/v1.3/campaign/get/"
    assert parse_qs(urlsplit(str(request.url)).query) == {"advertiser_id": ["7"], "fields": ['["a","b"]']}


async def test_post_sends_json_body_without_token_when_auth_is_off() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=envelope(data={"access_token": "x"}))

    async with make_client(handler, token=None) as client:
        await client.post("oauth2/access_token/", {"app_id": "1", "secret": Secret(APP_SECRET)}, auth=False)
    assert "Access-Token" not in seen[0].headers
    assert orjson.loads(seen[0].content) == {"app_id": "1", "secret": APP_SECRET}


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        (40001, PermissionDenied),
        (40300, PermissionDenied),
        (40002, InvalidRequest),
        (40100, RateLimited),
        (40016, RateLimited),
        (40132, RateLimited),
        (40133, RateLimited),
        (61000, RateLimited),
        (50000, TransientApiError),
        (51010, TransientApiError),
        (60001, TransientApiError),
        (40102, AuthExpired),
        (40105, AuthExpired),
        (40000, WrongApp),
    ],
)
def test_boundary_maps_each_code_to_its_class(code: int, error_class: type[Exception]) -> None:
    with pytest.raises(error_class) as caught:
        read_envelope(200, envelope(code, message="boom", request_id="rid-42"), "x/get/")
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert caught.value.request_id == "rid-42"  # type: ignore[attr-defined]
    assert "rid-42" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b"<html>Internal Server Error</html>"),
        (502, b"<html>Bad Gateway</html>"),
        (504, b"<html>Gateway Timeout</html>"),
        (200, b'{"code": 0, "message": "OK", "data": {"list": [{"a"'),
        (200, b"<html>maintenance</html>"),
        (200, b"[1, 2]"),
    ],
)
def test_boundary_turns_unreadable_answers_into_retryable_transport_errors(status: int, body: bytes) -> None:
    with pytest.raises(TransportError) as caught:
        read_envelope(status, body, "oauth2/advertiser/get/?secret=" + APP_SECRET)
    assert caught.value.retryable
    assert APP_SECRET not in str(caught.value)


def test_boundary_returns_data_and_request_id() -> None:
    result = read_envelope(200, envelope(data={"k": 1}, request_id="abc"), "x/")
    assert (result.data, result.request_id) == ({"k": 1}, "abc")


async def test_transient_errors_are_retried_until_the_right_answer() -> None:
    answers = [
        httpx.Response(502, content=b"<html>bad gateway</html>"),
        httpx.Response(200, content=envelope(50002, message="Internal service timed out.")),
        httpx.Response(200, content=b'{"code": 0, "data": {"li'),
        httpx.Response(200, content=envelope(data={"answer": 42})),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    async with make_client(handler) as client:
        assert await client.get("advertiser/info/") == {"answer": 42}
        assert client.stats.retries == 3
        assert client.stats.requests == 4
        assert client.stats.errors_by_code == {50002: 1}
        assert client.stats.transport_errors == 2


async def test_network_errors_and_timeouts_are_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("connection refused", request=request)
        if calls == 2:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, content=envelope(data={"ok": True}))

    async with make_client(handler) as client:
        assert await client.get("campaign/get/") == {"ok": True}
    assert calls == 3


@pytest.mark.parametrize("code", [40002, 40001])
async def test_caller_errors_are_never_retried(code: int) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, content=envelope(code, message="advertiser not authorized"))

    async with make_client(handler) as client:
        with pytest.raises((InvalidRequest, PermissionDenied)) as caught:
            await client.get("campaign/get/")
    assert calls == 1
    assert "advertiser not authorized" in str(caught.value)


async def test_retries_are_bounded() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, content=envelope(50000, message="sys error"))

    async with make_client(handler) as client:
        with pytest.raises(TransientApiError):
            await client.get("campaign/get/")
    assert calls == FAST.max_attempts


async def test_non_idempotent_posts_are_not_retried_after_a_lost_answer() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(502, content=b"<html>bad gateway</html>")

    async with make_client(handler, token=None) as client:
        with pytest.raises(TransportError):
            await client.post("oauth2/refresh_token/", {"refresh_token": "r"}, auth=False, idempotent=False)
    assert calls == 1


async def test_each_retry_is_logged_with_request_id_and_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = [envelope(50000, request_id="rid-retry-1"), envelope(data={"list": []})]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=answers.pop(0))

    caplog.set_level(logging.DEBUG)
    async with make_client(handler) as client:
        await client.get("oauth2/advertiser/get/", {"app_id": "1", "secret": Secret(APP_SECRET)})
    messages = [record.getMessage() for record in caplog.records]
    assert any("rid-retry-1" in m and "50000" in m for m in messages)
    assert all(APP_SECRET not in m and TOKEN not in m for m in messages)


async def test_static_token_rejected_says_to_log_in_again_after_one_request() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(
            200, content=envelope(40105, message="Access token is incorrect or has been revoked.")
        )

    async with make_client(handler, token=StaticTokenSource(TOKEN)) as client:
        with pytest.raises(AuthExpired) as caught:
            await client.get("campaign/get/")
    assert calls == 1
    assert "auth login" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_40100_that_names_the_daily_quota_stops_instead_of_retrying() -> None:
    message = "The daily request quota (QPD) of this app is used up; it resets at 00:00:00 UTC."
    with pytest.raises(DailyQuotaUsedUp) as caught:
        read_envelope(200, envelope(40100, message=message), "x/get/")
    assert not caught.value.retryable and caught.value.exit_code == 75
    with pytest.raises(RateLimited) as plain:
        read_envelope(200, envelope(40100, message="Too many requests. Please retry in some time."), "x/")
    assert plain.value.retryable and not isinstance(plain.value, DailyQuotaUsedUp)


async def test_a_token_of_another_app_says_so_and_is_not_refreshed() -> None:
    source = CountingSource()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=envelope(40000, message="app_id and access token do not match"))

    async with make_client(handler, token=source) as client:
        with pytest.raises(WrongApp) as caught:
            await client.get("campaign/get/")
    assert source.refreshes == 0
    assert "another developer app" in str(caught.value) and "auth login" in str(caught.value)


class CountingSource:
    """Refreshes once per distinct failed token, like the real refreshing source."""

    def __init__(self) -> None:
        self.current = Secret("old")
        self.refreshes = 0
        self.lock = asyncio.Lock()

    async def access_token(self) -> Secret:
        return self.current

    async def on_auth_expired(self, failed: Secret) -> Secret | None:
        async with self.lock:
            if failed == self.current:
                await asyncio.sleep(0.01)
                self.refreshes += 1
                self.current = Secret("new")
            return self.current


async def test_expired_token_is_refreshed_once_and_the_call_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["Access-Token"] == "old":
            return httpx.Response(200, content=envelope(40102, message="Access token has expired."))
        return httpx.Response(200, content=envelope(data={"ok": request.url.params["n"]}))

    source = CountingSource()
    async with make_client(handler, token=source) as client:
        results = await asyncio.gather(*(client.get("campaign/get/", {"n": n}) for n in range(50)))
    assert [r["ok"] for r in results] == [str(n) for n in range(50)]
    assert source.refreshes == 1
    assert client.stats.errors_by_code == {40102: 50}


async def test_a_token_rejected_again_after_refresh_is_not_refreshed_twice() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=envelope(40102, message="expired"))

    source = CountingSource()
    async with make_client(handler, token=source) as client:
        with pytest.raises(AuthExpired, match="auth login"):
            await client.get("campaign/get/")
    assert client.stats.requests == 2
    assert source.refreshes == 1


def paged_handler(total_rows: int, seen_pages: list[int]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["page_size"])
        seen_pages.append(page)
        rows = list(range((page - 1) * size, min(page * size, total_rows)))
        total_page = -(-total_rows // size)
        info = {"page": page, "page_size": size, "total_number": total_rows, "total_page": total_page}
        return httpx.Response(200, content=envelope(data={"list": rows, "page_info": info}))

    return handler


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_paginate_reads_every_page_in_order(concurrency: int) -> None:
    seen: list[int] = []
    async with make_client(paged_handler(23, seen)) as client:
        pages = [
            p
            async for p in client.paginate(
                "ad/get/", {"advertiser_id": "1"}, page_size=5, concurrency=concurrency
            )
        ]
    assert [p["page_info"]["page"] for p in pages] == [1, 2, 3, 4, 5]
    assert [row for p in pages for row in p["list"]] == list(range(23))
    assert sorted(seen) == [1, 2, 3, 4, 5]


async def test_paginate_stops_after_an_empty_first_page() -> None:
    seen: list[int] = []
    async with make_client(paged_handler(0, seen)) as client:
        pages = [p async for p in client.paginate("ad/get/", page_size=5)]
    assert len(pages) == 1 and seen == [1]
