"""Creatives and assets: video and image info, identities and pixels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from tiktok_ads_mart.emulator.params import Call

ENDPOINTS: tuple[tuple[str, Literal["GET", "POST"], Callable[[Call], dict[str, Any]]], ...] = ()
"""(path under /open_api/v1.3/, method, handler): the app adds these to its route table."""
