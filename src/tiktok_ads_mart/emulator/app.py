"""The emulator's HTTP surface: one route table, one request pipeline, TikTok's envelope on every answer.

Every ``/open_api/`` request goes through the same steps in the same order — parameters, throttling,
fault draw, handler, latency, stats, log — so behaviour that TikTok applies everywhere is written once.
Throttling happens on the event loop as the request arrives; the handler runs on the emulator's state
thread (``Emulator.serially``) so that computing a report never delays the admission of other requests.
Handlers are plain functions from a ``Call`` to the ``data`` of a successful answer; failures are
raised as ``ApiFailure`` and become HTTP 200 envelopes with ``data: {}``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tiktok_ads_mart.emulator import consent, creatives, entities, gmv_max, report_endpoints, smart_plus
from tiktok_ads_mart.emulator.faults import (
    ENVELOPE_FAULTS,
    HTTP_FAULTS,
    SCOPE_CYCLE_KEY,
    ConnectionReset,
    gateway_error,
    truncated,
)
from tiktok_ads_mart.emulator.limits import THROTTLE_MESSAGE
from tiktok_ads_mart.emulator.params import ApiFailure, Call, Code, Params
from tiktok_ads_mart.emulator.quota import DAILY_QUOTA_MESSAGE
from tiktok_ads_mart.emulator.scopes import APP_SCOPES, ENDPOINT_SCOPE
from tiktok_ads_mart.emulator.state import mask_params

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.state import Emulator

API_PREFIX = "/open_api/v1.3/"
PORTAL_PATH = "/portal/auth"
JSON = "application/json"


@dataclass(frozen=True)
class ApiRoute:
    """One TikTok endpoint: its path under ``/open_api/v1.3/``, method, handler and kind.

    ``data`` routes need a token and may be faulted; ``oauth`` routes are never faulted so a client can
    always authenticate.
    """

    path: str
    method: Literal["GET", "POST"]
    handler: Callable[[Call], dict[str, Any]]
    kind: Literal["data", "oauth"] = "data"


ROUTES: tuple[ApiRoute, ...] = (
    ApiRoute("oauth2/access_token/", "POST", consent.access_token, "oauth"),
    ApiRoute("oauth2/refresh_token/", "POST", consent.refresh_token, "oauth"),
    ApiRoute("oauth2/advertiser/get/", "GET", consent.advertiser_get, "oauth"),
    ApiRoute("oauth2/revoke_token/", "POST", consent.revoke_token, "oauth"),
    ApiRoute("advertiser/info/", "GET", entities.advertiser_info),
    ApiRoute("campaign/get/", "GET", entities.campaign_get),
    ApiRoute("adgroup/get/", "GET", entities.adgroup_get),
    ApiRoute("ad/get/", "GET", entities.ad_get),
    ApiRoute("dmp/custom_audience/list/", "GET", entities.custom_audience_list),
    ApiRoute("dmp/custom_audience/get/", "GET", entities.custom_audience_get),
    ApiRoute("report/integrated/get/", "GET", report_endpoints.integrated_get),
    ApiRoute("report/task/create/", "POST", report_endpoints.task_create),
    ApiRoute("report/task/check/", "GET", report_endpoints.task_check),
    ApiRoute("report/task/download/", "GET", report_endpoints.task_download),
    ApiRoute("report/task/cancel/", "POST", report_endpoints.task_cancel),
    *(ApiRoute(path, method, handler) for path, method, handler in smart_plus.ENDPOINTS),
    *(ApiRoute(path, method, handler) for path, method, handler in gmv_max.ENDPOINTS),
    *(ApiRoute(path, method, handler) for path, method, handler in creatives.ENDPOINTS),
)
ROUTES_BY_PATH = {route.path: route for route in ROUTES}


def envelope(code: int, message: str, request_id: str, data: Any) -> bytes:
    """TikTok's answer shape, for successes and errors alike."""
    return orjson.dumps({"code": code, "message": message, "request_id": request_id, "data": data})


async def _read_params(request: Request, method: str) -> Params:
    """Query parameters always; for POST the JSON body on top (TikTok's POST endpoints take JSON)."""
    values: dict[str, Any] = dict(request.query_params)
    if method == "POST":
        values.update(Params.from_body(await request.body()).as_dict())
    return Params(values)


class _Outcome:
    """What the pipeline decided: the response and how to count it."""

    __slots__ = ("code", "fault", "params", "response")

    def __init__(self) -> None:
        self.response: Response | None = None
        self.code = "0"
        self.fault: str | None = None
        self.params: dict[str, Any] = {}


def _succeed(route: ApiRoute, call: Call, request_id: str) -> bytes:
    """The handler and the encoding of its answer, both CPU work, done off the event loop."""
    return envelope(0, "OK", request_id, route.handler(call))


def no_route(unknown_path: bool) -> Response:
    """An unknown path is an HTTP 404, not an envelope: TikTok's gateway answers it before the API does
    (its return-code table has no code for it). The wording is the gateway's plain text; a known path
    asked with the other method gets a 405 the same way (assumed: the reference is silent)."""
    if unknown_path:
        return PlainTextResponse("404 page not found", status_code=404)
    return PlainTextResponse("405 method not allowed", status_code=405)


def _require_scope(emulator: Emulator, call: Call, path: str) -> None:
    """40001 from an endpoint outside the app's scopes, after the token itself was checked (a bad token
    is still a 40104/40105 first). The OAuth endpoints need no scope, except oauth2/advertiser/get/.
    ``refused_endpoints`` makes one endpoint refuse one advertiser (a test of a narrower permission)."""
    needed = ENDPOINT_SCOPE.get(path)
    if (path, call.params.string("advertiser_id")) in emulator.refused_endpoints:
        call.grant()
        raise ApiFailure(Code.PERMISSION_ERROR, "No permission to perform the related operation.")
    if needed is None or needed in emulator.scopes:
        return
    call.grant()
    title = APP_SCOPES[needed].title
    raise ApiFailure(
        Code.PERMISSION_ERROR,
        f"No permission to perform the related operation: the app lacks the scope {title}.",
    )


async def _answer(emulator: Emulator, request: Request, path: str) -> _Outcome:
    outcome = _Outcome()
    request_id = emulator.next_request_id()
    route = ROUTES_BY_PATH.get(path)
    endpoint = path if route is not None else "<unknown>"
    emulator.statistics.request(endpoint)
    body: bytes
    headers: dict[str, str] = {}
    media_type = JSON
    try:
        if route is None or request.method != route.method:
            outcome.response = no_route(route is None)
            outcome.code = f"HTTP {outcome.response.status_code}"
            return outcome
        params = await _read_params(request, route.method)
        outcome.params = params.as_dict()
        token = request.headers.get("access-token")
        app_id = emulator.tokens.app_of(token) or params.string("app_id")
        if app_id is not None and not emulator.limiter.admit(app_id):
            raise ApiFailure(Code.REQUEST_TOO_FREQUENT, THROTTLE_MESSAGE)
        if app_id is not None and not emulator.daily_quota.admit(app_id):
            raise ApiFailure(Code.REQUEST_TOO_FREQUENT, DAILY_QUOTA_MESSAGE)
        if route.kind == "data":
            outcome.fault = emulator.faults.draw()
            if outcome.fault is not None:
                emulator.statistics.fault(outcome.fault)
        if outcome.fault in ENVELOPE_FAULTS:
            code, message = ENVELOPE_FAULTS[outcome.fault]
            raise ApiFailure(Code(code), message)
        if outcome.fault in HTTP_FAULTS:
            outcome.response = gateway_error(outcome.fault)
            outcome.code = f"HTTP {outcome.response.status_code}"
            return outcome
        if outcome.fault == "reset":
            outcome.response = ConnectionReset()
            outcome.code = "reset"
            return outcome
        if outcome.fault == "stall":
            await asyncio.sleep(emulator.faults.stall_seconds)
        call = Call(emulator, params, token, str(request.base_url))
        _require_scope(emulator, call, path)
        body = await emulator.serially(_succeed, route, call, request_id)
        headers.update(call.headers)
        if call.raw_body is not None:  # a handler's answer that is not JSON (a CSV_STRING report's CSV)
            media_type, body = "text/csv", call.raw_body
    except ApiFailure as failure:
        outcome.code = str(int(failure.code))
        body = envelope(int(failure.code), failure.message, request_id, {})
    if outcome.fault == "truncated":
        outcome.response = truncated(body)
        outcome.code = "truncated"
    else:
        outcome.response = Response(body, media_type=media_type, headers=headers)
    return outcome


def _api_endpoint(emulator: Emulator) -> Callable[[Request], Any]:
    async def api(request: Request) -> Response:
        started = time.perf_counter()
        path = request.path_params["path"]
        outcome = await _answer(emulator, request, path)
        if emulator.latency_ms > 0:
            await asyncio.sleep(emulator.latency_ms / 1000)
        emulator.statistics.answer(outcome.code)
        if emulator.request_log is not None:
            emulator.request_log.write(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "params": mask_params(outcome.params),
                    "code": outcome.code,
                    "fault": outcome.fault,
                    "ms": round((time.perf_counter() - started) * 1000, 3),
                }
            )
        assert outcome.response is not None
        return outcome.response

    return api


def _not_under_version(emulator: Emulator) -> Callable[[Request], Any]:
    async def not_found(request: Request) -> Response:
        emulator.statistics.request("<unknown>")
        emulator.statistics.answer("HTTP 404")
        return no_route(True)

    return not_found


def _portal(emulator: Emulator, *, decision: bool) -> Callable[[Request], Any]:
    async def portal(request: Request) -> Response:
        started = time.perf_counter()
        if decision:
            response = await consent.consent_decision(emulator, request)
        else:
            response = consent.consent_page(emulator, request)
        if emulator.request_log is not None:
            emulator.request_log.write(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "params": mask_params(dict(request.query_params)),
                    "code": str(response.status_code),
                    "fault": None,
                    "ms": round((time.perf_counter() - started) * 1000, 3),
                }
            )
        return response

    return portal


def _control_routes(emulator: Emulator) -> list[Route]:
    """``/_emulator/*``: counters, clock and knobs for tests running in another process."""

    def as_json(value: Any) -> Response:
        return Response(orjson.dumps(value), media_type=JSON)

    async def stats(request: Request) -> Response:
        return as_json(emulator.stats())

    async def reset_stats(request: Request) -> Response:
        emulator.reset_stats()
        return as_json({"ok": True})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            try:
                payload = orjson.loads(await request.body())
                now = datetime.fromisoformat(str(payload["now"]).replace("Z", "+00:00"))
                await emulator.serially(emulator.set_now, now)
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                return PlainTextResponse(f"expected {{'now': ISO datetime}}: {exc}", status_code=400)
        return as_json({"now": emulator.now.isoformat()})

    async def configure(request: Request) -> Response:
        allowed = {"qps", "qpm", "latency_ms", "fault_rate", "faults", "stall_seconds", "inject"}
        try:
            payload = orjson.loads(await request.body())
            if not isinstance(payload, dict) or not set(payload) <= allowed:
                raise ValueError(f"keys must be among {sorted(allowed)}")
            inject = payload.pop("inject", None)
            if "faults" in payload:
                payload["faults"] = tuple(payload["faults"])
            emulator.configure(**payload)
            if inject:
                emulator.faults.inject_next(*inject)
        except (orjson.JSONDecodeError, TypeError, ValueError) as exc:
            return PlainTextResponse(f"bad configuration: {exc}", status_code=400)
        return as_json({"ok": True})

    async def download(request: Request) -> Response:
        return report_endpoints.download_csv(emulator, request.path_params["task_id"])

    return [
        Route("/_emulator/stats", stats, methods=["GET"]),
        Route("/_emulator/reset-stats", reset_stats, methods=["POST"]),
        Route("/_emulator/clock", clock, methods=["GET", "POST"]),
        Route("/_emulator/configure", configure, methods=["POST"]),
        Route("/_emulator/download/{task_id}/{file_name}", download, methods=["GET"]),
    ]


class EmulatorApp(Starlette):
    """Starlette plus one thing: the server's request cycle is kept in the scope, so a connection-reset
    fault can reach the socket (the raw ``send`` is bound to that cycle under uvicorn)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            owner = getattr(send, "__self__", None)
            if owner is not None and hasattr(owner, "transport"):
                scope[SCOPE_CYCLE_KEY] = owner
        await super().__call__(scope, receive, send)


def create_app(emulator: Emulator) -> Starlette:
    """The ASGI app over one emulator (serve it with uvicorn, or test it with ``httpx.ASGITransport``)."""
    routes = [
        Route(API_PREFIX + "{path:path}", _api_endpoint(emulator), methods=["GET", "POST"]),
        Route("/open_api/{path:path}", _not_under_version(emulator), methods=["GET", "POST"]),
        Route(PORTAL_PATH, _portal(emulator, decision=False), methods=["GET"]),
        Route(consent.DECISION_PATH, _portal(emulator, decision=True), methods=["POST"]),
        *_control_routes(emulator),
    ]
    app = EmulatorApp(routes=routes)
    app.state.emulator = emulator
    return app


__all__ = ["API_PREFIX", "PORTAL_PATH", "ROUTES", "ApiRoute", "EmulatorApp", "create_app", "envelope"]
