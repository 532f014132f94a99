"""Report endpoints: the synchronous ``report/integrated/get/`` and the asynchronous task endpoints.

This is the HTTP side of reports; the engine that validates and computes them is
:mod:`tiktok_ads_mart.emulator.reports`, reached through ``World.report``. This module turns TikTok's wire
parameters into one ``ReportQuery`` and pages the world's answer; the world's ``ReportParamError``
becomes a 40002. A computed result is cached per query and clock, so paging a report costs one
computation and each page is a slice.

Asynchronous tasks follow docs 1740302766489602 (create), 1740302781443073 (check), 1740302808815618
(download) and 1803615367145537 (cancel): no date-span limit, id and ``country_code`` filters only, a
CSV with translated titles unless ``enable_report_title_translation`` is false, ``CSV_STRING`` answered
as the CSV itself, ``CSV_DOWNLOAD`` as a link valid one hour, tasks valid 30 days on the emulator clock,
and their own rate limits. docs/emulator.md lists each rule with its source and what is assumed.
"""

from __future__ import annotations

import csv
import io
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson
from starlette.responses import PlainTextResponse, Response

from tiktok_ads_mart.emulator.limits import THROTTLE_MESSAGE, TaskCreationLimits
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
from tiktok_ads_mart.emulator.report_validation import (
    FILTER_FIELDS,
    LIST_FILTER_TYPES,
    RESOLVED_IDS,
    TASK_FILTER_FIELDS,
)
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
OUTPUT_FORMATS = frozenset({"CSV_STRING", "CSV_DOWNLOAD", "XLSX_DOWNLOAD"})  # doc 1740302766489602
FILE_NAME_FORBIDDEN = frozenset("/\t\b@#$%^&*()[]")  # doc 1740302766489602, file_name
MAX_FILE_NAME = 255
TASK_VALIDITY = timedelta(days=30)  # doc 1740302766489602, Notes: "valid for 30 days"
LINK_VALIDITY = timedelta(hours=1)  # doc 1740302808815618, download_url: "valid for 1 hour"
CACHE_SIZE = 64

TITLES = {  # enable_report_title_translation=true: the titles TikTok's pages show
    "campaign_id": "Campaign ID",  # doc 1740302808815618, the file stream example
    "campaign_name": "Campaign Name",
    "adgroup_id": "Ad Group ID",
    "adgroup_name": "Ad Group Name",
    "age": "Age",
    "gender": "Gender",
    "spend": "Cost",
    "impressions": "Impression",
    "clicks": "Click",
    "ad_id": "AD ID",  # doc 1740302766489602, enable_report_title_translation: "AD ID (translated title)"
}
_TITLE_WORDS = {"id": "ID", "adgroup": "Ad Group", "ctr": "CTR", "cpc": "CPC", "cpm": "CPM", "roas": "ROAS"}


def translated_title(name: str) -> str:
    """A column's translated title: the doc's where it gives one, else the name's words capitalised
    (an assumption: TikTok publishes no table of its titles, and changes them from time to time)."""
    return TITLES.get(name) or " ".join(_TITLE_WORDS.get(word, word.capitalize()) for word in name.split("_"))


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
    row_filters_json: bytes = b"[]"  # a task's country_code filters, applied to its rows

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


def _filters(params: Params, *, asynchronous: bool) -> tuple[list[dict[str, Any]], bool]:
    """Decode ``filtering``; the ``*_status IN ["STATUS_ALL"]`` entry becomes ``include_deleted``.

    A task takes id and ``country_code`` filters only (doc 1740302766489602), so it cannot ask for
    deleted objects' rows; it reports them (an assumption: the reference is silent, and without it a
    task could never read what a deleted ad spent)."""
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
        if asynchronous and field_name not in TASK_FILTER_FIELDS:
            raise ParamError(
                f"{name}.field_name: asynchronous reports only filter by {', '.join(sorted(TASK_FILTER_FIELDS))}"
                f", got {field_name!r}"
            )
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
    """Every campaign, ad group or ad of the account tree, whatever the clock shows of it."""
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


def _row_filters(filters: list[dict[str, Any]], dimensions: list[str]) -> list[dict[str, Any]]:
    """Take a task's ``country_code`` filters out of ``filters``: they select rows of the computed report,
    which needs ``country_code`` among the dimensions (doc 1740302766489602, Filtering)."""
    row_filters = [f for f in filters if f["field_name"] == "country_code"]
    for item in row_filters:
        filters.remove(item)
        if "country_code" not in dimensions:
            raise ParamError("filtering: a country_code filter needs country_code in dimensions")
        value = item["filter_value"]
        if item["filter_type"] not in LIST_FILTER_TYPES or not value:
            raise ParamError(
                "filtering: country_code takes IN, NOT_IN or CONTAIN_ANY_OF with a non-empty list"
            )
        if not all(isinstance(v, str) for v in value):
            raise ParamError("filtering: every country_code value must be a string")
    return row_filters


def _keeps_row(row: dict[str, Any], row_filters: list[dict[str, Any]]) -> bool:
    """Whether a task's row passes its ``country_code`` filters (IN and NOT_IN exact, CONTAIN_ANY_OF
    a substring of the code)."""
    for item in row_filters:
        code, values = row["dimensions"]["country_code"], item["filter_value"]
        if item["filter_type"] == "IN" and code not in values:
            return False
        if item["filter_type"] == "NOT_IN" and code in values:
            return False
        if item["filter_type"] == "CONTAIN_ANY_OF" and not any(v in code for v in values):
            return False
    return True


def parse_query(call: Call, *, asynchronous: bool = False) -> ReportQuery:
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
    filters, include_deleted = _filters(params, asynchronous=asynchronous)
    include_deleted = include_deleted or asynchronous  # a task has no status filter: every object's rows
    row_filters = _row_filters(filters, dimensions) if asynchronous else []
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
        row_filters_json=orjson.dumps(row_filters),
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


# ------------------------------------------------------------------------------------ asynchronous tasks
@dataclass
class AsyncTask(ReportTask):
    """A task as TikTok keeps it: its file's title row, a failure it will end with, and its links."""

    titles: list[str] = field(default_factory=list)
    failure: str | None = None  # set: the task ends FAILED with this message
    links: dict[int, datetime] = field(default_factory=dict)  # download link number -> expiry (clock)


@dataclass
class TaskDesk:
    """Per-emulator task state that ``Emulator`` does not hold: the creation limits and forced failures.

    ``limits`` apply while the app is throttled at all (``qps`` or ``qpm`` not 0): the endpoint's limits
    sit beside the app's, and an unthrottled emulator (every test world, ``--qps 0 --qpm 0``) is
    unthrottled here too. ``fail_next`` holds messages the next created tasks fail with, in order.
    ``Emulator.reset_stats`` does not reach the limits; ``task_desk(emulator).limits.reset()`` does.
    """

    limits: TaskCreationLimits = field(default_factory=TaskCreationLimits)
    fail_next: list[str] = field(default_factory=list)


_DESKS: weakref.WeakKeyDictionary[Emulator, TaskDesk] = weakref.WeakKeyDictionary()


def task_desk(emulator: Emulator) -> TaskDesk:
    """The emulator's task limits and forced failures (created on first use)."""
    desk = _DESKS.get(emulator)
    if desk is None:
        desk = _DESKS[emulator] = TaskDesk()
    return desk


def _throttled(emulator: Emulator) -> bool:
    """Whether the app is throttled at all, and so whether the endpoint's own limits apply."""
    return emulator.limiter.qps > 0 or emulator.limiter.qpm > 0


def _task_options(params: Params) -> tuple[str, str | None, bool]:
    """``output_format``, ``file_name`` and ``enable_report_title_translation`` (default true)."""
    output_format = params.string("output_format", default="CSV_STRING") or "CSV_STRING"
    if output_format not in OUTPUT_FORMATS:
        raise ParamError(f"output_format: must be one of {', '.join(sorted(OUTPUT_FORMATS))}")
    if output_format == "XLSX_DOWNLOAD":
        raise ParamError("output_format: XLSX_DOWNLOAD is not emulated; use CSV_DOWNLOAD or CSV_STRING")
    file_name = params.string("file_name")  # a blank one (the SDK's default " ") counts as not sent
    if file_name is not None:
        bad = sorted(FILE_NAME_FORBIDDEN.intersection(file_name))
        if len(file_name) > MAX_FILE_NAME or bad:
            raise ParamError(
                f"file_name: at most {MAX_FILE_NAME} characters, without / \\t \\b @ # $ % ^ & * ( ) [ ]"
                + (f" (has {' '.join(map(repr, bad))})" if bad else "")
            )
        if not file_name.lower().endswith(".csv"):
            file_name += ".csv"
    translate = params.boolean("enable_report_title_translation", default=True)
    return output_format, file_name, translate


def task_create(call: Call) -> dict[str, Any]:
    """POST report/task/create/: validated like the sync report but without its span limit; the rows
    are fixed at creation, uncut by the 20,000-ad limit of synchronous reports."""
    emulator = call.emulator
    desk = task_desk(emulator)
    app_id = emulator.tokens.app_of(call.access_token)
    throttled = _throttled(emulator)
    if throttled and app_id is not None and not desk.limits.admit_request(app_id):
        limits = desk.limits
        raise ApiFailure(
            Code.REQUEST_TOO_FREQUENT,
            f"{THROTTLE_MESSAGE} report/task/create/ allows {limits.qps} QPS and {limits.qpm} QPM per app.",
        )
    query = parse_query(call, asynchronous=True)
    output_format, file_name, translate = _task_options(call.params)
    if throttled and not desk.limits.may_create(query.advertiser_id):
        raise ApiFailure(
            Code.REQUEST_TOO_FREQUENT,
            f"{THROTTLE_MESSAGE} At most {desk.limits.per_advertiser_hour} asynchronous report creations "
            "per ad account every hour.",
        )
    result = run_query(emulator, query, synchronous=False)
    row_filters: list[dict[str, Any]] = orjson.loads(query.row_filters_json)
    rows = [row for row in result.rows() if _keeps_row(row, row_filters)]
    task_id = emulator.next_task_id()
    columns = [*query.dimensions, *query.metrics]
    emulator.report_tasks[task_id] = AsyncTask(
        task_id=task_id,
        advertiser_id=query.advertiser_id,
        columns=columns,
        rows=rows,
        file_name=file_name or f"report_{task_id}.csv",
        output_format=output_format,
        created_at=emulator.now,
        titles=[translated_title(c) for c in columns] if translate else list(columns),
        failure=desk.fail_next.pop(0) if desk.fail_next else None,
    )
    if throttled:
        desk.limits.created(query.advertiser_id)
    return {"task_id": task_id}


def _task(call: Call) -> AsyncTask:
    """The task named by ``task_id`` for this advertiser, while it is valid (30 days of clock)."""
    _, advertiser_id = call.advertiser()
    task_id = call.params.required_string("task_id")
    task = call.emulator.report_tasks.get(task_id)
    if not isinstance(task, AsyncTask) or task.advertiser_id != advertiser_id:
        raise ParamError(f"task_id: task {task_id} does not exist for this advertiser")
    if call.emulator.now - task.created_at >= TASK_VALIDITY:
        raise ParamError(f"task_id: task {task_id} has expired (a task is valid for 30 days)")
    return task


TASK_STEPS = ("QUEUING", "PROCESSING", "SUCCESS")


def _status(emulator: Emulator, task: AsyncTask, *, checking: bool = False) -> str:
    """QUEUING, then PROCESSING, then done (SUCCESS, or FAILED for a task made to fail): one step per
    check, or done at once a minute of clock after creation; CANCELED once canceled.

    A check sees the next step (``checking``); the other endpoints see what the last check reported, so
    a task a client saw PROCESSING can still be canceled."""
    if task.canceled:
        return "CANCELED"
    done = "FAILED" if task.failure is not None else "SUCCESS"
    if (emulator.now - task.created_at).total_seconds() >= 60:
        return done
    step = TASK_STEPS[min(task.checks if checking else max(task.checks - 1, 0), len(TASK_STEPS) - 1)]
    return done if step == "SUCCESS" else step


def task_check(call: Call) -> dict[str, Any]:
    """GET report/task/check/: each check moves the task one step towards its end."""
    task = _task(call)
    status = _status(call.emulator, task, checking=True)
    task.checks += 1
    message = task.failure if status == "FAILED" and task.failure is not None else ""
    return {"task_id": task.task_id, "status": status, "message": message}


def task_download(call: Call) -> dict[str, Any]:
    """GET report/task/download/: a new link valid one hour (40201 until the task succeeded).

    A ``CSV_STRING`` task answers with the CSV itself (``call.raw_body``); its ``data`` is the same link
    as a ``CSV_DOWNLOAD`` task's, for a pipeline that only sends envelopes."""
    task = _task(call)
    status = _status(call.emulator, task)
    if status != "SUCCESS":
        raise ApiFailure(Code.TASK_NOT_READY, f"The task is not ready to download (status {status}).")
    number = len(task.links) + 1
    expires = call.emulator.now + LINK_VALIDITY
    task.links[number] = expires
    url = (
        f"{call.root_url.rstrip('/')}/_emulator/download/{task.task_id}.{number}/{quote(task.file_name)}"
        f"?expire={int(expires.timestamp())}"
    )
    if task.output_format == "CSV_STRING":
        call.raw_body = render_csv(task).encode()
        call.raw_media_type = "text/csv"
    return {"download_url": url, "file_name": task.file_name, "output_format": task.output_format}


def task_cancel(call: Call) -> dict[str, Any]:
    """POST report/task/cancel/: only a QUEUING or PROCESSING task can be canceled (doc 1803615367145537)."""
    task = _task(call)
    status = _status(call.emulator, task)
    if status not in ("QUEUING", "PROCESSING"):
        raise ParamError(
            f"task_id: task {task.task_id} is {status}; only a QUEUING or PROCESSING task can be canceled"
        )
    task.canceled = True
    return {"task_id": task.task_id, "status": "CANCELED"}


def fail_next_task(emulator: Emulator, message: str = "Internal error while generating the report.") -> None:
    """Make the next task created on ``emulator`` end FAILED with ``message`` (to test a client's
    handling of the status TikTok documents but never promises to produce on demand)."""
    task_desk(emulator).fail_next.append(message)


def render_csv(task: ReportTask) -> str:
    """The task's file: the title row (translated unless the task asked for raw names), then the rows,
    dimensions then metrics in the order asked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(task.titles if isinstance(task, AsyncTask) else task.columns)
    for row in task.rows:
        merged = {**row.get("dimensions", {}), **row.get("metrics", {})}
        writer.writerow([merged.get(column, "") for column in task.columns])
    return buffer.getvalue()


def download_csv(emulator: Emulator, link: str) -> Response:
    """The file behind a ``download_url`` (``<task_id>.<link number>``): 404 for no such file, 403 once
    the link's hour (emulator clock) has passed or the task has expired."""
    task_id, _, number = link.partition(".")
    task = emulator.report_tasks.get(task_id)
    expires = task.links.get(int(number)) if isinstance(task, AsyncTask) and number.isdigit() else None
    if not isinstance(task, AsyncTask) or expires is None or _status(emulator, task) != "SUCCESS":
        return PlainTextResponse("no such report file", status_code=404)
    if emulator.now >= expires or emulator.now - task.created_at >= TASK_VALIDITY:
        return PlainTextResponse(
            "this download link has expired; report/task/download/ gives a new one", status_code=403
        )
    disposition = f"attachment; filename*=UTF-8''{quote(task.file_name)}"
    return Response(render_csv(task), media_type="text/csv", headers={"Content-Disposition": disposition})


__all__ = [
    "OUTPUT_FORMATS",
    "TITLES",
    "AsyncTask",
    "ReportQuery",
    "TaskDesk",
    "download_csv",
    "fail_next_task",
    "integrated_get",
    "parse_query",
    "render_csv",
    "run_query",
    "task_cancel",
    "task_check",
    "task_create",
    "task_desk",
    "task_download",
    "translated_title",
]
