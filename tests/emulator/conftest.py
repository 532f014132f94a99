"""Fixtures for the emulator's contract suite: a small seeded emulator, an in-process client, a live server.

The suite talks plain HTTP (httpx) to the emulator, never through the project's client, so it pins the
emulator's contract and can be pointed at another client or server.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the suite's helpers, whatever pytest's import mode

from emulator_support import API, ROOT, small_config

from tiktok_ads_mart.emulator import Emulator, RunningEmulator, create_app, run_emulator


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh small emulator per test (tests change its clock, tokens and counters)."""
    emu = Emulator(small_config())
    yield emu
    emu.close()


@pytest.fixture
async def asgi_client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client over the emulator's ASGI app: no socket, same HTTP semantics."""
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url=ROOT + API) as client:
        yield client


@pytest.fixture(scope="session")
def live_emulator() -> Iterator[RunningEmulator]:
    """One uvicorn server for the session, for what needs a real socket (resets, stalls, subprocesses)."""
    with run_emulator(Emulator(small_config())) as running:
        yield running


@pytest.fixture
def live(live_emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """The session server with throttling and faults off and clean counters for this test."""
    emu = live_emulator.emulator
    emu.configure(qps=0, qpm=0, latency_ms=0, fault_rate=0.0, faults=())
    emu.reset_stats()
    yield live_emulator
    emu.configure(qps=0, qpm=0, latency_ms=0, fault_rate=0.0, faults=())
