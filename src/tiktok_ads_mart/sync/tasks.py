"""A report window read as an asynchronous task, which TikTok does not cut to 20,000 ads.

Used where batches cannot help (:mod:`tiktok_ads_mart.sync.batches`): an advertiser-level row of a big
account is one sum over all its ads, and ratios and reach cannot be added up from per-batch rows. The task
trio is documented in docs 1740302766489602 (create), 1740302781443073 (check) and 1740302808815618
(download); its CSV has the same raw names the synchronous report uses as keys when
``enable_report_title_translation`` is false, so its columns go through the same typed conversion.
``--report-mode async`` reads every report window this way.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from tiktok_ads_mart.api import TikTokClient
from tiktok_ads_mart.api.ratelimit import RateLimits, limiter_for
from tiktok_ads_mart.catalog import ReportSpec
from tiktok_ads_mart.errors import TikTokAdsMartError, printable

TASK_CREATE_PATH = "report/task/create/"
TASK_CHECK_PATH = "report/task/check/"
TASK_DOWNLOAD_PATH = "report/task/download/"
TASK_TIMEOUT_SECONDS = 1800.0
FIRST_CHECK_DELAY = 0.5
LONGEST_CHECK_DELAY = 10.0
UNFINISHED = frozenset({"QUEUING", "PROCESSING"})
TASK_FILTER_FIELDS = frozenset({"campaign_ids", "adgroup_ids", "ad_ids", "country_code"})
UV_METRICS = frozenset({
    "average_video_play_per_user", "frequency", "cost_per_1000_reached", "real_time_result",
    "real_time_result_rate", "real_time_cost_per_result", "result", "result_rate", "cost_per_result",
    "reach", "live_play_count",
})  # fmt: skip
UV_REFUSING_DIMENSIONS = frozenset({  # doc 1740302766489602's list; catalog.AUDIENCE_DIMENSIONS is wider
    "gender", "age", "country_code", "ac", "language", "platform", "interest_category", "placement",
    "contextual_tag",
})  # fmt: skip
"""A task refuses unique-visitor metrics beside an audience dimension ("Querying UV metrics with
audience dimensions is not supported in asynchronous reports", doc 1740302766489602, Notes)."""


def task_can_read(spec: ReportSpec) -> bool:
    """Whether TikTok serves this report as a task at all (see :data:`UV_METRICS`)."""
    return not (UV_REFUSING_DIMENSIONS & set(spec.dimensions) and UV_METRICS & set(spec.metrics))


TASK_CREATE_LIMITS = RateLimits(qps=2, qpm=60)
"""Creating report tasks has its own limit per app, 2 QPS and 60 QPM at every level (rate limits doc
1740029171730433), on top of the app's global one."""


async def read_task_csv(client: TikTokClient, params: dict[str, Any], into: BinaryIO) -> None:
    """The report ``params`` describe, run as an asynchronous task: its CSV file written to ``into``
    (a temporary file), to be read with :func:`csv_batches`."""
    body = {key: value for key, value in params.items() if key not in ("page", "page_size", "filtering")}
    # a task takes id filters only (doc 1740302766489602); it reports deleted objects' rows anyway
    kept = [f for f in params.get("filtering", []) if f.get("field_name") in TASK_FILTER_FIELDS]
    if kept:
        body["filtering"] = kept
    body.update(output_format="CSV_DOWNLOAD", enable_report_title_translation=False)
    await limiter_for(f"report-task-create {client.base_url}", TASK_CREATE_LIMITS).acquire()
    task_id = str((await client.post(TASK_CREATE_PATH, body))["task_id"])
    where = {"advertiser_id": params["advertiser_id"], "task_id": task_id}
    deadline = time.monotonic() + TASK_TIMEOUT_SECONDS
    delay = FIRST_CHECK_DELAY
    while (status := str((await client.get(TASK_CHECK_PATH, where)).get("status"))) in UNFINISHED:
        if time.monotonic() > deadline:
            raise TikTokAdsMartError(
                f"report task {task_id} still {status} after {TASK_TIMEOUT_SECONDS:.0f} s"
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, LONGEST_CHECK_DELAY)
    if status != "SUCCESS":
        raise TikTokAdsMartError(f"report task {task_id} ended {printable(status)}")
    link = await client.get(TASK_DOWNLOAD_PATH, where)
    await client.download(str(link["download_url"]), into)


CSV_BLOCK_BYTES = 1 << 18
"""The CSV is parsed a block at a time, about a report page's worth of rows (the extractor's queue counts
tables, so bigger blocks would hold more memory), and a big task (a week of a 30,000-ad account) is
converted and queued in pieces instead of held as one table."""


def csv_batches(file: BinaryIO, columns: list[str]) -> Iterator[pa.Table]:
    """The task's CSV as tables of string columns named as the request's dimensions and metrics, parsed
    by pyarrow (C++) a block at a time. A column the request asked for and the file lacks is an error (a
    translated title, a renamed metric), never a column of nulls."""
    first_line = file.readline()
    file.seek(0)
    if not first_line.strip():
        return
    header = next(csv.reader(io.StringIO(first_line.decode("utf-8-sig"))))
    missing = [name for name in columns if name not in header]
    if missing:
        raise TikTokAdsMartError(f"report task file lacks the columns {', '.join(map(printable, missing))}")
    reader = pacsv.open_csv(  # Arrow's CSV reader skips a UTF-8 byte order mark itself
        pa.PythonFile(file, mode="r"),
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, use_threads=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            include_columns=columns,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    for batch in reader:
        yield pa.Table.from_batches([batch])


__all__ = ["TASK_CREATE_LIMITS", "csv_batches", "read_task_csv", "task_can_read"]
