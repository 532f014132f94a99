"""One sync per dlt pipeline at a time.

dlt's working directory holds a pipeline's state and its packages between extract, normalize and load;
two processes in it pick up each other's half-written packages and state. A scheduled sync that outlasts
its interval would start a second one, so the second stops at once, before any request, and says who
holds the pipeline. The lock lives beside the working directory, not in it, because dlt may wipe that
directory (a mart that was dropped starts over). The operating system releases it when its process
dies, even by SIGKILL, so a killed run never blocks the next one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from tiktok_ads_mart.errors import PipelineBusy


@contextmanager
def pipeline_lock(pipelines_dir: Path, pipeline_name: str) -> Iterator[None]:
    """Hold the pipeline for the duration of the block, or raise :class:`PipelineBusy` without waiting."""
    pipelines_dir.mkdir(parents=True, exist_ok=True)
    lock_path = pipelines_dir / f"{pipeline_name}.lock"
    owner_path = pipelines_dir / f"{pipeline_name}.owner"
    lock = FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise PipelineBusy(
            f"another sync of pipeline {pipeline_name!r} is running{_owner(owner_path)}; "
            f"this run stopped before any request (lock: {lock_path})"
        ) from None
    try:
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        owner_path.write_text(f"pid {os.getpid()} since {started}\n", encoding="utf-8")
        yield
    finally:
        with suppress(OSError):
            owner_path.unlink()
        lock.release()


def _owner(owner_path: Path) -> str:
    try:
        return f" ({owner_path.read_text(encoding='utf-8').strip()})"
    except OSError:
        return ""


__all__ = ["pipeline_lock"]
