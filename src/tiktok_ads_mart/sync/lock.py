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
    make_private(pipelines_dir)
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


def make_private(directory: Path) -> None:
    """``directory`` and all in it readable by this user only (0700/0600): dlt's packages and state are
    copies of the mart's data, wherever ``--pipelines-dir`` puts them."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    for root, dirs, files in os.walk(directory):
        for name in dirs:
            with suppress(OSError):
                os.chmod(os.path.join(root, name), 0o700, follow_symlinks=False)
        for name in files:
            with suppress(OSError):
                os.chmod(os.path.join(root, name), 0o600, follow_symlinks=False)


def _owner(owner_path: Path) -> str:
    try:
        return f" ({owner_path.read_text(encoding='utf-8').strip()})"
    except OSError:
        return ""


__all__ = ["make_private", "pipeline_lock"]
