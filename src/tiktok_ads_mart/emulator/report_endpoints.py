"""Report endpoints: the synchronous ``report/integrated/get/`` and the asynchronous task trio.

This is the HTTP side of reports; the engine that validates and computes them is
:mod:`tiktok_ads_mart.emulator.reports`, reached through ``World.report``. This module turns TikTok's wire
parameters into one ``ReportQuery`` and pages the world's answer; the world's ``ReportParamError``
becomes a 40002. A computed result is cached per query and clock, so paging a report costs one
computation and each page is a slice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import PlainTextResponse, Response

from tiktok_ads_mart.emulator.params import (
    ApiFailure,
    Call,
    Code,
    ParamError,
    Params,
    as_id_list,
    as_string_list,
    decode_structured,
    page_info,
)
from tiktok_ads_mart.emulator.report_validation import FILTER_FIELDS, LIST_FILTER_TYPES, RESOLVED_IDS
from tiktok_ads_mart.emulator.state import ReportTask
from tiktok_ads_mart.emulator.tokens import AccessGrant, require_advertiser

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.account_tree import Advertiser
    from tiktok_ads_mart.emulator.state import Emulator

MAX_PAGE_SIZE = 1000
DEFAULT_METRICS = ("spend", "impressions")
STATUS_FILTERS = frozenset({"campaign_status", "adgroup_status", "ad_status"})
FILTER_TYPES = frozenset(
    {*LIST_FILTER_TYPES, "MATCH", "GREATER_EQUAL", "GREATER_THAN", "LOWER_EQUAL", "LOWER_THAN", "BETWEEN"}
)  # doc 1740302848100353, filter_type
OUTPUT_FORMATS = frozenset({"CSV_STRING", "CSV_DOWNLOAD"})
CACHE_SIZE = 64


@dataclass(frozen=True)
class ReportQuery:
    """A report request reduced to what the world needs; hashable, so it keys the result cache."""

    advertiser_id: str
    report_type: str
    data_level: str | None
    dimensions: tuple[str, ...]
    metrics: tuple[str, ...]
    start_date: str | None
    end_date: str | None
    query_lifetime: bool
    include_deleted: bool
    filters_json: bytes
    order_field: str | None = None
    order_type: str | None = None

    @property
    def filters(self) -> list[dict[str, Any]]:
        decoded: list[dict[str, Any]] = orjson.loads(self.filters_json)
        return decoded


def _report_advertiser(call: Call) -> tuple[AccessGrant, str]:
    """``advertiser_id``, or a single-item ``advertiser_ids`` (multi-advertiser reports are not served)."""
    grant = call.grant()
    params = call.params
    advertiser_id = params.string("advertiser_id")
    many = params.raw("advertiser_ids")
    if many is not None:
        ids = as_id_list("advertiser_ids", many, max_items=5)
        if len(ids) != 1:
            raise ParamError(
                "advertiser_ids: the emulator serves one advertiser per report; pass advertiser_id"
            )
        advertiser_id = ids[0]
    if advertiser_id is None:
        raise ParamError("advertiser_id: required parameter is missing")
    require_advertiser(grant, advertiser_id)
    return grant, advertiser_id


def _filters(params: Params) -> tuple[list[dict[str, Any]], bool]:
    """Decode ``filtering``; the ``*_status IN ["STATUS_ALL"]`` entry becomes ``include_deleted``."""
    raw = params.structured("filtering")
    if raw is None:
        return [], False
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise ParamError("filtering: must be a JSON array of {field_name, filter_type, filter_value}")
    filters: list[dict[str, Any]] = []
    include_deleted = False
    for index, item in enumerate(raw):
        name = f"filtering[{index}]"
        if not isinstance(item, dict):
            raise ParamError(f"{name}: must be an object with field_name, filter_type and filter_value")
        field_name, filter_type = item.get("field_name"), item.get("filter_type")
        if not isinstance(field_name, str) or not field_name:
            raise ParamError(f"{name}.field_name: required")
        if filter_type not in FILTER_TYPES:
            raise ParamError(f"{name}.filter_type: must be one of {', '.join(sorted(FILTER_TYPES))}")
        if "filter_value" not in item:
            raise ParamError(f"{name}.filter_value: required")
        value = item["filter_value"]
        if filter_type in LIST_FILTER_TYPES or filter_type == "BETWEEN":
            value = decode_structured(f"{name}.filter_value", value)
            if not isinstance(value, list):
                raise ParamError(f"{name}.filter_value: must be a JSON-array string for {filter_type}")
            value = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
            if filter_type == "BETWEEN" and len(value) != 2:
                raise ParamError(f"{name}.filter_value: BETWEEN takes exactly two values")
        if field_name in STATUS_FILTERS:
            if filter_type != "IN" or not value or not set(value) <= {"STATUS_ALL", "STATUS_NOT_DELETE"}:
                raise ParamError(f'{name}: {field_name} takes IN ["STATUS_ALL"] or ["STATUS_NOT_DELETE"]')
            include_deleted = include_deleted or "STATUS_ALL" in value
            continue
        filters.append({"field_name": field_name, "filter_type": filter_type, "filter_value": value})
    return filters, include_deleted


def _entities(advertiser: Advertiser, level: str) -> list[Any]:
    return {"CAMPAIGN": advertiser.campaigns, "ADGROUP": advertiser.adgroups, "AD": advertiser.ads}[level]


def _resolve_ids(emulator: Emulator, advertiser_id: str, filters: list[dict[str, Any]]) -> None:
    """Give each NOT_IN / CONTAIN_ANY_OF id filter the account's ids it keeps (``RESOLVED_IDS``).

    NOT_IN keeps the ids not listed (exact matching); CONTAIN_ANY_OF keeps the ids that contain one of
    the values (TikTok's "fuzzy matching", read as substring matching). Every object of the account
    counts, deleted or not yet created ones too: which rows those have is the engine's business."""
    try:
        advertiser = emulator.world.advertiser(advertiser_id)
    except KeyError:
        return  # the world names the unknown advertiser
    for item in filters:
        level = FILTER_FIELDS.get(item["field_name"])
        value = item["filter_value"]
        if level is None or item["filter_type"] == "IN" or not isinstance(value, list):
            continue
        wanted = {str(v) for v in value}
        ids = [entity.entity_id for entity in _entities(advertiser, level)]
        if item["filter_type"] == "NOT_IN":
            item[RESOLVED_IDS] = [i for i in ids if i not in wanted]
        else:
            item[RESOLVED_IDS] = [i for i in ids if any(fragment in i for fragment in wanted)]


def parse_query(call: Call) -> ReportQuery:
    """All report parameters (sync and async alike) into one query; wire-format errors are 40002 here."""
    _, advertiser_id = _report_advertiser(call)
    params = call.params
    service_type = params.string("service_type", default="AUCTION")
    if service_type != "AUCTION":
        raise ParamError(f"service_type: only AUCTION is served, got {service_type!r}")
    dimensions_raw = params.required("dimensions")
    dimensions = as_string_list("dimensions", dimensions_raw)
    metrics_raw = params.raw("metrics")
    metrics = DEFAULT_METRICS if metrics_raw is None else tuple(as_string_list("metrics", metrics_raw))
    lifetime = params.boolean("query_lifetime") or params.boolean("lifetime")
    filters, include_deleted = _filters(params)
    _resolve_ids(call.emulator, advertiser_id, filters)
    return ReportQuery(
        advertiser_id=advertiser_id,
        report_type=params.required_string("report_type"),
        data_level=params.string("data_level"),
        dimensions=tuple(dimensions),
        metrics=tuple(metrics),
        start_date=params.string("start_date"),
        end_date=params.string("end_date"),
        query_lifetime=lifetime,
        include_deleted=include_deleted,
        filters_json=orjson.dumps(filters),
        order_field=params.string("order_field"),
        order_type=params.string("order_type"),
    )


def run_query(emulator: Emulator, query: ReportQuery, *, synchronous: bool = True) -> Any:
    """The world's result for the query, computed once per clock value (a synchronous one is cut to the
    newest 20,000 ads, an asynchronous task's is not)."""
    from tiktok_ads_mart.emulator.report_validation import ReportParamError

    key = (query, emulator.now, synchronous)
    cache = emulator.report_cache
    if key in cache:
        return cache[key]
    try:
        result = emulator.world.report(
            query.advertiser_id,
            report_type=query.report_type,
            data_level=query.data_level,
            dimensions=list(query.dimensions),
            metrics=list(query.metrics),
            start_date=query.start_date,
            end_date=query.end_date,
            query_lifetime=query.query_lifetime,
            include_deleted=query.include_deleted,
            filters=query.filters,
            order_field=query.order_field,
            order_type=query.order_type,
            synchronous=synchronous,
        )
    except ReportParamError as exc:
        raise ParamError(str(exc)) from None
    if len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = result
    return result


THROTTLE_HEADER = "X-Tt-Ads-Throttle"
TRUNCATED_WARNING = (  # doc 1740302848100353, the response header's example, word for word
    "Number of ad ids is equal or more than 20k, only return the top 20k id's results, "
    "sorting by create time desc order."
)


def integrated_get(call: Call) -> dict[str, Any]:
    """GET report/integrated/get/: one page of the synchronous report."""
    query = parse_query(call)
    page, page_size = call.params.page(max_page_size=MAX_PAGE_SIZE)
    result = run_query(call.emulator, query)
    if result.ads_cut:
        call.headers[THROTTLE_HEADER] = TRUNCATED_WARNING
    total = int(result.total)
    # The rows arrive as JSON already (what orjson would write for them), so the envelope embeds them as is.
    rows = orjson.Fragment(result.page_json(page, page_size) if (page - 1) * page_size < total else b"[]")
    data: dict[str, Any] = {"list": rows, "page_info": page_info(page, page_size, total)}
    if call.params.boolean("enable_total_metrics"):
        data["total_metrics"] = result.totals()
    return data


def task_create(call: Call) -> dict[str, Any]:
    """POST report/task/create/: validated like the sync report; the rows are fixed at creation."""
    query = parse_query(call)
    params = call.params
    output_format = params.string("output_format", default="CSV_STRING")
    if output_format not in OUTPUT_FORMATS:
        raise ParamError(f"output_format: must be one of {', '.join(sorted(OUTPUT_FORMATS))}")
    file_name = params.string("file_name")
    if file_name is not None and (len(file_name) > 255 or "/" in file_name or not file_name.strip()):
        raise ParamError("file_name: at most 255 characters, no slashes")
    emulator = call.emulator
    result = run_query(emulator, query, synchronous=False)
    total = int(result.total)
    rows = result.page(1, total) if total else []
    task_id = emulator.next_task_id()
    emulator.report_tasks[task_id] = ReportTask(
        task_id=task_id,
        advertiser_id=query.advertiser_id,
        columns=[*query.dimensions, *query.metrics],
        rows=rows,
        file_name=file_name or f"report_{task_id}.csv",
        output_format=output_format or "CSV_STRING",
        created_at=emulator.now,
    )
    return {"task_id": task_id}


def _task(call: Call) -> ReportTask:
    _, advertiser_id = call.advertiser()
    task_id = call.params.required_string("task_id")
    task = call.emulator.report_tasks.get(task_id)
    if task is None or task.advertiser_id != advertiser_id:
        raise ParamError(f"task_id: task {task_id} does not exist for this advertiser")
    return task


def _status(emulator: Emulator, task: ReportTask) -> str:
    """Queued, then processing, then done over successive checks, or at once a minute of clock later."""
    if task.canceled:
        return "CANCELED"
    if (emulator.now - task.created_at).total_seconds() >= 60:
        return "SUCCESS"
    return task.status


def task_check(call: Call) -> dict[str, Any]:
    """GET report/task/check/: each check moves the task one step towards SUCCESS."""
    task = _task(call)
    status = _status(call.emulator, task)
    task.checks += 1
    return {"task_id": task.task_id, "status": status, "message": ""}


def task_download(call: Call) -> dict[str, Any]:
    """GET report/task/download/: where to fetch the CSV (40201 until the task is done)."""
    task = _task(call)
    if _status(call.emulator, task) != "SUCCESS":
        raise ApiFailure(Code.TASK_NOT_READY, "The task is not ready yet. Please check again later.")
    url = f"{call.root_url.rstrip('/')}/_emulator/download/{task.task_id}/{task.file_name}"
    return {"download_url": url, "file_name": task.file_name, "output_format": task.output_format}


def task_cancel(call: Call) -> dict[str, Any]:
    """POST report/task/cancel/: a task that has not finished stops; a finished one cannot be canceled."""
    task = _task(call)
    if _status(call.emulator, task) == "SUCCESS":
        raise ParamError(f"task_id: task {task.task_id} has already finished")
    task.canceled = True
    return {"task_id": task.task_id, "status": "CANCELED"}


def render_csv(task: ReportTask) -> str:
    """Raw column names (as with ``enable_report_title_translation=false``), dimensions then metrics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(task.columns)
    for row in task.rows:
        merged = {**row.get("dimensions", {}), **row.get("metrics", {})}
        writer.writerow([merged.get(column, "") for column in task.columns])
    return buffer.getvalue()


def download_csv(emulator: Emulator, task_id: str) -> Response:
    """The file behind a ``download_url``."""
    task = emulator.report_tasks.get(task_id)
    if task is None or _status(emulator, task) != "SUCCESS":
        return PlainTextResponse("no such report file", status_code=404)
    return Response(render_csv(task), media_type="text/csv")


__all__ = [
    "ReportQuery",
    "download_csv",
    "integrated_get",
    "parse_query",
    "render_csv",
    "run_query",
    "task_cancel",
    "task_check",
    "task_create",
    "task_download",
]
