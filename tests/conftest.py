"""Shared fixtures: small seeded emulators served on loopback, settings for a mart in tmp_path, tokens.

Kept deliberately small (a couple of advertisers, a dozen days) so the end-to-end suite stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

FIXED_NOW = datetime(2026, 11, 3, 12, tzinfo=UTC)
"""A clock whose history covers the 1 Nov 2026 DST change in Los Angeles."""


def small_world(**overrides: Any) -> Any:
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


@pytest.fixture
def serve() -> Iterator[Callable[..., Any]]:
    """Start emulators on loopback for this test: ``serve(**world_overrides) -> RunningEmulator``."""
    from tiktok_ads_mart.emulator import run_emulator

    with ExitStack() as stack:

        def start(**overrides: Any) -> Any:
            return stack.enter_context(run_emulator(small_world(**overrides)))

        yield start


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
