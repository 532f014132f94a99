"""A report window read as an asynchronous task, which TikTok does not cut to 20,000 ads.

Used where batches cannot help (:mod:`tiktok_ads_mart.sync.batches`): an advertiser-level row of a big
account is one sum over all its ads, and ratios and reach cannot be added up from per-batch rows. The task
trio is documented in docs 1740302766489602 (create), 1740302781443073 (check) and 1740302808815618
(download); its CSV has the same raw names the synchronous report uses as keys when
``enable_report_title_translation`` is false, so its rows go through the same typed conversion.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
from typing import Any

from tiktok_ads_mart.api import TikTokClient
from tiktok_ads_mart.errors import TikTokAdsMartError, printable

TASK_CREATE_PATH = "report/task/create/"
TASK_CHECK_PATH = "report/task/check/"
TASK_DOWNLOAD_PATH = "report/task/download/"
TASK_TIMEOUT_SECONDS = 1800.0
FIRST_CHECK_DELAY = 0.5
LONGEST_CHECK_DELAY = 10.0
UNFINISHED = frozenset({"QUEUING", "PROCESSING"})


async def read_task_rows(client: TikTokClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The report ``params`` describe, as an asynchronous task: rows shaped like the synchronous report's
    (``{"dimensions": {...}, "metrics": {...}}``)."""
    body = {key: value for key, value in params.items() if key not in ("page", "page_size")}
    body.update(output_format="CSV_DOWNLOAD", enable_report_title_translation=False)
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
    content = await client.download(str(link["download_url"]))
    return rows_from_csv(content, dimensions=params["dimensions"], metrics=params["metrics"])


def rows_from_csv(content: bytes, *, dimensions: list[str], metrics: list[str]) -> list[dict[str, Any]]:
    """The task's CSV as report rows; a column the request asked for and the file lacks is an error
    (a translated title, a renamed metric), never a column of nulls."""
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    missing = [name for name in (*dimensions, *metrics) if name not in (reader.fieldnames or [])]
    if missing:
        raise TikTokAdsMartError(f"report task file lacks the columns {', '.join(map(printable, missing))}")
    return [
        {
            "dimensions": {name: row[name] for name in dimensions},
            "metrics": {name: row[name] for name in metrics},
        }
        for row in reader
    ]


__all__ = ["read_task_rows", "rows_from_csv"]
