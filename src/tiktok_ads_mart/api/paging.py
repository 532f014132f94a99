"""TikTok's page/page_size pagination, sequential or with the later pages fetched concurrently.

Every list endpoint answers ``data.page_info = {page, page_size, total_number, total_page}``; the loop
asks for ``page + 1`` while ``page < total_page``. Once page 1 has told us ``total_page`` the remaining
pages are independent, so a caller that wants throughput can fetch them concurrently; pages are still
yielded in page order so the output does not depend on timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

PageFetcher = Callable[[int], Awaitable[dict[str, Any]]]


def total_pages(data: Any) -> int:
    """``page_info.total_page`` of one answer (a ``data`` dict, or a decoded page with a ``page_info``
    attribute); 0 when absent (an endpoint without paging)."""
    info = data.get("page_info") if isinstance(data, Mapping) else getattr(data, "page_info", None)
    if not isinstance(info, Mapping):
        return 0
    try:
        return int(info.get("total_page") or 0)
    except (TypeError, ValueError):
        return 0


async def iterate_pages(fetch: PageFetcher, *, concurrency: int = 1) -> AsyncIterator[dict[str, Any]]:
    """Yield page 1, 2, ... ``total_page`` in order; up to ``concurrency`` pages are in flight at once."""
    first = await fetch(1)
    yield first
    last = total_pages(first)
    if last <= 1:
        return
    if concurrency <= 1:
        for page in range(2, last + 1):
            yield await fetch(page)
        return
    pending: dict[int, asyncio.Task[dict[str, Any]]] = {}
    next_page = 2
    try:
        for page in range(2, last + 1):
            while next_page <= last and len(pending) < concurrency:
                pending[next_page] = asyncio.ensure_future(fetch(next_page))
                next_page += 1
            yield await pending.pop(page)
    finally:
        for task in pending.values():
            task.cancel()
        if pending:
            await asyncio.gather(*pending.values(), return_exceptions=True)
