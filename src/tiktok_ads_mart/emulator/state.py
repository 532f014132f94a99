"""The state behind one emulated API: world, tokens, limiter, faults, stats, clock and report tasks.

``Emulator`` is everything a request can change or observe, and nothing about sockets or threads, so a
test can drive it in-process through ``create_app`` (in app.py) and the same object can be served by
``run_emulator`` (in server.py). The HTTP side only routes; the world only knows its objects and clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import orjson

from tiktok_ads_mart.emulator.config import EmulatorConfig, resolve_now
from tiktok_ads_mart.emulator.faults import DEFAULT_STALL_SECONDS, FaultInjector
from tiktok_ads_mart.emulator.formatting import prepare_tables
from tiktok_ads_mart.emulator.limits import RateLimiter
from tiktok_ads_mart.emulator.quota import DailyQuota
from tiktok_ads_mart.emulator.tokens import AccessGrant, TokenRegistry

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.world import World

T = TypeVar("T")

MASKED_PARAMS = frozenset({"secret", "access_token", "refresh_token", "auth_code"})
MASK = "***"


class Stats:
    """Counters for tests and benchmarks: what was asked, what was answered, what was throttled or faulted."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.total = 0
        self.throttled = 0

    def request(self, endpoint: str) -> None:
        """Counted on arrival, so a stalled request shows up while it is still stalling."""
        self.total += 1
        self.requests[endpoint] += 1

    def fault(self, kind: str) -> None:
        self.faults[kind] += 1

    def answer(self, code: str) -> None:
        """Throttled answers (40100) are also counted apart: they are what a client's pacing is judged by."""
        self.codes[code] += 1
        if code == "40100":
            self.throttled += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(sorted(self.requests.items())),
            "codes": dict(sorted(self.codes.items())),
            "total": self.total,
            "throttled": self.throttled,
            "faults": dict(sorted(self.faults.items())),
            "faults_injected": sum(self.faults.values()),
        }


class RequestLog:
    """JSON lines, one per request, with every secret parameter masked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file: IO[bytes] = path.open("ab")

    def write(self, entry: dict[str, Any]) -> None:
        """One locked write and flush per line, so concurrent requests never interleave or sit in a buffer."""
        line = orjson.dumps(entry, default=str) + b"\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


def mask_params(params: dict[str, Any]) -> dict[str, Any]:
    """Secrets never reach the log: their values are replaced, their presence is kept."""
    return {key: (MASK if key in MASKED_PARAMS else value) for key, value in params.items()}


@dataclass
class ReportTask:
    """One asynchronous report: the rows are computed at creation, the status advances per check."""

    task_id: str
    advertiser_id: str
    columns: list[str]
    rows: list[dict[str, Any]]
    file_name: str
    output_format: str
    checks: int = 0
    canceled: bool = False
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    STATUSES = ("QUEUING", "PROCESSING", "SUCCESS")

    @property
    def status(self) -> str:
        """One step further per check, the way a polling client sees TikTok's tasks progress."""
        return self.STATUSES[min(self.checks, len(self.STATUSES) - 1)]


class Emulator:
    """The state behind one emulated TikTok API: world, OAuth, throttling, faults, stats and log."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        world: World | None = None,
        stall_seconds: float = DEFAULT_STALL_SECONDS,
    ) -> None:
        self.config = config = config or EmulatorConfig()
        if world is None:
            from tiktok_ads_mart.emulator.world import World

            world = World(config)
        self.world = world
        self.tokens = TokenRegistry(
            seed=config.seed,
            app_id=world.app_id,
            secret=world.secret,
            mode=config.token_mode,
            clock=lambda: self.world.now,
        )
        self.ready_grant: AccessGrant = self.tokens.issue_access(world.advertiser_ids)
        self.limiter = RateLimiter(config.qps, config.qpm)
        self.daily_quota = DailyQuota(config.qpd, clock=lambda: self.world.now)
        self.scopes = frozenset(config.scopes)
        self.refused_endpoints: set[tuple[str, str]] = set()  # (path, advertiser_id) answering 40001
        self.faults = FaultInjector(config.seed, config.fault_rate, config.faults, stall_seconds)
        self.latency_ms = config.latency_ms
        self.statistics = Stats()
        self.request_log = RequestLog(config.request_log) if config.request_log else None
        self.report_tasks: dict[str, ReportTask] = {}
        self.report_cache: dict[tuple[Any, ...], Any] = {}
        self._request_counter = 0
        self._task_counter = 0
        self._state_worker: ThreadPoolExecutor | None = None
        self._state_worker_lock = threading.Lock()
        self._id_tag = hashlib.sha256(f"emulator:{config.seed}".encode()).hexdigest()[:6].upper()

    # -- identity -------------------------------------------------------------------------------
    @property
    def app_id(self) -> str:
        return str(self.world.app_id)

    @property
    def secret(self) -> str:
        return str(self.world.secret)

    @property
    def access_token(self) -> str:
        """The ready token for every advertiser, as TikTok's sandbox portal hands one out."""
        return self.ready_grant.token

    @property
    def advertiser_ids(self) -> list[str]:
        return list(self.world.advertiser_ids)

    def issue_token(self, advertiser_ids: Sequence[str] | None = None) -> str:
        """A token for some advertisers only (tests of 40001) or all of them."""
        ids = self.advertiser_ids if advertiser_ids is None else list(advertiser_ids)
        return self.tokens.issue_access(ids).token

    # -- clock ----------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        now: datetime = self.world.now
        return now

    def set_now(self, now: datetime) -> None:
        """Move the emulator clock; tokens and auth codes expire, and the world restates by it."""
        self.world.set_now(resolve_now(now))
        self.report_cache.clear()

    # -- knobs and counters -----------------------------------------------------------------------
    def configure(
        self,
        *,
        qps: int | None = None,
        qpm: int | None = None,
        latency_ms: int | None = None,
        fault_rate: float | None = None,
        faults: Sequence[str] | None = None,
        stall_seconds: float | None = None,
    ) -> None:
        """Change throttling, latency and faults of a running emulator (world and tokens stay)."""
        for name, value in (("qps", qps), ("qpm", qpm), ("latency_ms", latency_ms)):
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")
        self.limiter.configure(qps=qps, qpm=qpm)
        if latency_ms is not None:
            self.latency_ms = latency_ms
        self.faults.configure(rate=fault_rate, kinds=faults, stall_seconds=stall_seconds)

    def stats(self) -> dict[str, Any]:
        return self.statistics.as_dict()

    def reset_stats(self) -> None:
        """Zero the counters and forget recent traffic, so the next phase of a test starts clean."""
        self.statistics = Stats()
        self.limiter.reset()

    def warm_up(self) -> None:
        """Simulate every advertiser's delivery now rather than inside the first report request.

        That first simulation is the world's one expensive step (about a second for thousands of ads);
        done in a request, it would hold the event loop and bunch up the requests queued behind it, which
        a client's rate limiter then sees as a burst. The tables numbers are shown from are built here too.
        """
        decimals = {0, 2}  # counts, and ratios shown with two decimals whatever the currency
        for advertiser_id in self.world.advertiser_ids:
            self.world.account_data(advertiser_id)
            decimals.add(self.world.advertiser(advertiser_id).currency_decimals)
        prepare_tables(sorted(decimals))

    def next_request_id(self) -> str:
        """Unique per request and deterministic: emulator time, a seed tag and a counter."""
        self._request_counter += 1
        return f"{self.world.now:%Y%m%d%H%M%S}{self._id_tag}{self._request_counter:010d}"

    async def serially(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work`` on the emulator's one state thread and wait for it without holding the event loop.

        Reports cost milliseconds to tens of milliseconds of CPU. Computed on the event loop, they hold
        back every request arriving meanwhile, which is then admitted (and counted by the QPS window)
        late and in a bunch, so a client pacing its sends correctly would see 40100s. On this thread the
        loop keeps reading and admitting requests at the moment they arrive. A single thread runs the
        work in submission order, so the world, tokens and report tasks change in the same order as
        they would on the loop, and answers stay deterministic.
        """
        with self._state_worker_lock:
            if self._state_worker is None:
                self._state_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emulator-state")
            worker = self._state_worker
        return await asyncio.get_running_loop().run_in_executor(worker, lambda: work(*args))

    def next_task_id(self) -> str:
        """19 digits like TikTok's, and the same sequence for the same seed, so runs are reproducible."""
        self._task_counter += 1
        digest = int(hashlib.sha256(f"task:{self.config.seed}:{self._task_counter}".encode()).hexdigest(), 16)
        return str(7_000_000_000_000_000_000 + digest % 1_000_000_000_000_000_000)

    def close(self) -> None:
        """Let queued state work finish before the log closes, so no request's line is lost."""
        with self._state_worker_lock:
            if self._state_worker is not None:
                self._state_worker.shutdown(wait=True)
                self._state_worker = None
        if self.request_log is not None:
            self.request_log.close()


__all__ = [
    "MASKED_PARAMS",
    "Emulator",
    "ReportTask",
    "RequestLog",
    "Stats",
    "mask_params",
]
