"""Shared fixtures: one factory for small seeded emulator worlds, the emulators built from it (in process
or served on loopback), settings for a mart in tmp_path, tokens.

Every test that needs an emulator builds its world with :func:`small_world`, passing what differs from
the default small world as overrides, so a world's seed, sizes and clock are visible where it is used.
The default is kept deliberately small (a couple of advertisers, a dozen days) so the end-to-end suite
stays fast.

Emulator fixtures, by what they hand out:

* ``emulator_app``: an in-process :class:`Emulator` of the contract world (no socket), fresh per test;
  ``asgi_client`` is an httpx client over its ASGI app.
* ``live_emulator``: a served contract world shared by the session, with throttling and faults off and
  clean counters for each test (for what needs a real socket: resets, stalls, subprocesses).
* ``serve``: starts served emulators of any small world for one test, ``serve(**overrides)``.
* ``oauth_emulator`` and ``expiring_oauth_emulator``: a served OAuth world with long-lived or with
  expiring (rotating) tokens.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from tiktok_ads_mart.emulator import Emulator, EmulatorConfig, RunningEmulator

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

FIXED_NOW = datetime(2026, 11, 3, 12, tzinfo=UTC)
"""A clock whose history covers the 1 Nov 2026 DST change in Los Angeles."""

CONTRACT_WORLD: dict[str, Any] = {
    "advertisers": 2,
    "days": 40,
    "campaigns_per_advertiser": 3,
    "adgroups_per_campaign": 2,
    "ads_per_adgroup": 3,
    "audiences_per_advertiser": 4,
    "now": datetime(2026, 3, 1, 12, tzinfo=UTC),
}
"""The emulator contract suite's world (tests/emulator): big enough for deleted and recently modified
objects; overrides of :func:`small_world`."""

OAUTH_WORLD: dict[str, Any] = {
    "seed": 42,
    "advertisers": 2,
    "days": 3,
    "campaigns_per_advertiser": 1,
    "adgroups_per_campaign": 1,
    "ads_per_adgroup": 1,
    "audiences_per_advertiser": 1,
    "now": None,
}
"""The OAuth tests' world (tests/auth): a minimal account tree, EmulatorConfig's default seed, and the
current hour as its clock (``now=None``); overrides of :func:`small_world`."""

ASGI_ROOT = "http://emulator.test"
"""Where :func:`asgi_client_for` clients send their requests (no socket: the ASGI app answers)."""
API_PATH = "/open_api/v1.3/"


def small_world(**overrides: Any) -> EmulatorConfig:
    """A small seeded world, unthrottled at :data:`FIXED_NOW`; ``overrides`` are ``EmulatorConfig`` fields."""
    from tiktok_ads_mart.emulator import EmulatorConfig

    values: dict[str, Any] = {
        "seed": 7,
        "advertisers": 3,
        "days": 12,
        "campaigns_per_advertiser": 2,
        "adgroups_per_campaign": 2,
        "ads_per_adgroup": 2,
        "audiences_per_advertiser": 2,
        "now": FIXED_NOW,
        "qps": 0,
        "qpm": 0,
    }
    values.update(overrides)
    return EmulatorConfig(**values)


def asgi_client_for(emulator: Emulator) -> httpx.AsyncClient:
    """An httpx client over ``emulator``'s ASGI app, based at its API: no socket, same HTTP semantics."""
    import httpx

    from tiktok_ads_mart.emulator import create_app

    transport = httpx.ASGITransport(app=create_app(emulator))
    return httpx.AsyncClient(transport=transport, base_url=ASGI_ROOT + API_PATH)


@pytest.fixture
def emulator_app() -> Iterator[Emulator]:
    """An in-process emulator of the contract world, fresh per test (tests change its clock, tokens and
    counters)."""
    from tiktok_ads_mart.emulator import Emulator

    emulator = Emulator(small_world(**CONTRACT_WORLD))
    yield emulator
    emulator.close()


@pytest.fixture
async def asgi_client(emulator_app: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client over ``emulator_app``'s ASGI app."""
    async with asgi_client_for(emulator_app) as client:
        yield client


@pytest.fixture(scope="session")
def live_emulator_server() -> Iterator[RunningEmulator]:
    """One uvicorn server of the contract world for the session; tests take it as ``live_emulator``."""
    from tiktok_ads_mart.emulator import Emulator, run_emulator

    with run_emulator(Emulator(small_world(**CONTRACT_WORLD))) as running:
        yield running


@pytest.fixture
def live_emulator(live_emulator_server: RunningEmulator) -> Iterator[RunningEmulator]:
    """The session's served contract world with throttling and faults off and clean counters for this test."""
    emulator = live_emulator_server.emulator
    emulator.configure(qps=0, qpm=0, latency_ms=0, fault_rate=0.0, faults=())
    emulator.reset_stats()
    yield live_emulator_server
    emulator.configure(qps=0, qpm=0, latency_ms=0, fault_rate=0.0, faults=())


@pytest.fixture
def serve() -> Iterator[Callable[..., RunningEmulator]]:
    """Start emulators on loopback for this test: ``serve(**world_overrides) -> RunningEmulator``."""
    from tiktok_ads_mart.emulator import run_emulator

    with ExitStack() as stack:

        def start(**overrides: Any) -> RunningEmulator:
            return stack.enter_context(run_emulator(small_world(**overrides)))

        yield start


@pytest.fixture
def oauth_emulator(serve: Callable[..., RunningEmulator]) -> RunningEmulator:
    """A served OAuth world with long-lived tokens (TikTok's advertiser tokens today)."""
    return serve(**OAUTH_WORLD)


@pytest.fixture
def expiring_oauth_emulator(serve: Callable[..., RunningEmulator]) -> RunningEmulator:
    """A served OAuth world with 24-hour tokens and rotating refresh tokens."""
    return serve(**OAUTH_WORLD, token_mode="expiring")


def static_token(running: Any, advertiser_ids: list[str] | None = None, token: str | None = None) -> Any:
    """The emulator's ready token as a static source that also knows its advertisers."""
    from tiktok_ads_mart.api import StaticTokenSource

    source = StaticTokenSource(token or running.access_token, app_id=running.app_id)
    source.advertiser_ids = tuple(advertiser_ids or running.advertiser_ids)  # type: ignore[attr-defined]
    return source


def settings_for(running: Any, tmp_path: Path, name: str = "mart", **overrides: Any) -> Any:
    """Settings for a mart file under tmp_path, talking to ``running`` unthrottled at its clock."""
    from tiktok_ads_mart.config import SyncSettings

    base = SyncSettings(
        api_base=running.base_url,
        duckdb_path=tmp_path / f"{name}.duckdb",
        pipelines_dir=tmp_path / f"{name}-pipelines",
        qps=0,
        qpm=0,
        now=running.emulator.now,
        concurrency=8,
    )
    return replace(base, **overrides)


def fast_client_factory(running: Any, token: Any, timeout: float = 2.0) -> Callable[[], Any]:
    """A client with short timeouts and quick retries, for runs against a faulty emulator."""
    from tiktok_ads_mart.api import RateLimits, RetryPolicy, TikTokClient

    def build() -> Any:
        return TikTokClient(
            running.base_url,
            token,
            limits=RateLimits(qps=0, qpm=0),
            retry=RetryPolicy(max_attempts=12, base_delay=0.01, max_delay=0.1),
            timeout=timeout,
            app_key=f"test-{id(running)}",
        )

    return build


@pytest.fixture
def pg_dsn() -> str:
    """The PostgreSQL server `make test` starts; skipped locally without one, an error on CI."""
    dsn = os.environ.get("TIKTOK_ADS_MART_TEST_PG_DSN")
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail("TIKTOK_ADS_MART_TEST_PG_DSN is not set on CI")
        pytest.skip("no PostgreSQL server (set TIKTOK_ADS_MART_TEST_PG_DSN or run `make test`)")
    return dsn


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything collection imported (dlt, DuckDB, pyarrow, TikTok's SDK: some hundred thousand objects)
    lives as long as the session: move it out of the garbage collector's reach, as the CLI does at exit.
    Otherwise each full collection walks all of it, a pause that lands inside the timing tests' bursts
    (in-process client and emulator share one event loop) and only when the whole suite was collected."""
    import gc

    gc.collect()
    gc.freeze()
