"""Process plumbing for the benchmarks: an emulator in its own process, a sync in its own process.

Each side gets a process of its own so that the figures are what a user would see (the emulator is
not sharing the sync's interpreter) and so that peak RSS is the sync's alone, read from wait4().
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-m", "tiktok_ads_mart.cli"]


@dataclass
class RunningEmulator:
    process: subprocess.Popen[str]
    info: dict[str, Any]

    @property
    def base_url(self) -> str:
        return str(self.info["base_url"])

    @property
    def root_url(self) -> str:
        return self.base_url.split("/open_api/")[0]

    def stats(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.root_url}/_emulator/stats", timeout=10).json())

    def reset_stats(self) -> None:
        httpx.post(f"{self.root_url}/_emulator/reset-stats", timeout=10)

    def set_now(self, now: str) -> None:
        httpx.post(f"{self.root_url}/_emulator/clock", json={"now": now}, timeout=30).raise_for_status()


@contextmanager
def emulator(*args: str) -> Iterator[RunningEmulator]:
    """Start `tiktok-ads-mart emulator serve --port 0 ARGS` and read its one JSON line."""
    proc = subprocess.Popen(
        [*CLI, "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"emulator did not start (exit {proc.wait()})")
        yield RunningEmulator(proc, json.loads(line))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class ProcessResult:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str = ""
    stderr: str = field(default="", repr=False)


def run_measured(
    argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> ProcessResult:
    """Run a command to completion; wall time, and peak RSS of it and its waited-for children."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-{time.monotonic_ns()}.out"
    with out_path.open("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    out_path.unlink(missing_ok=True)
    return ProcessResult(seconds, usage.ru_maxrss / 1024, proc.returncode, text)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
