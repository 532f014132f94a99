"""A local TikTok Business API v1.3 emulator: a seeded fake world served over HTTP, as strict as TikTok.

Start it in-process for tests (``run_emulator``) or from the command line (``tiktok-ads-mart emulator
serve``). It imports nothing from the client side of this package, so it catches client bugs instead of
sharing them.
"""

from __future__ import annotations

from tiktok_ads_mart.emulator.app import create_app
from tiktok_ads_mart.emulator.config import FAULT_KINDS, EmulatorConfig, EmulatorConfigError
from tiktok_ads_mart.emulator.server import RunningEmulator, run_emulator
from tiktok_ads_mart.emulator.state import Emulator

__all__ = [
    "FAULT_KINDS",
    "Emulator",
    "EmulatorConfig",
    "EmulatorConfigError",
    "RunningEmulator",
    "create_app",
    "run_emulator",
]
