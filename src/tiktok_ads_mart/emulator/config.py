"""Settings of one emulator run: the size of the fake world, its clock, and how hostile the API is.

One frozen value object is shared by the world (sizes, seed, clock) and the HTTP side (tokens, limits,
faults, logging), so a run is fully described — and reproducible — by a single ``EmulatorConfig``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from tiktok_ads_mart.emulator.scopes import ALL_SCOPES, APP_SCOPES

TokenMode = Literal["long-lived", "expiring"]

FAULT_KINDS: tuple[str, ...] = (
    "50000",
    "50002",
    "http500",
    "http502",
    "http504",
    "reset",
    "stall",
    "truncated",
)
"""Every fault the emulator can inject; ``EmulatorConfig.faults`` picks from these."""

TOKEN_MODES: tuple[str, ...] = ("long-lived", "expiring")


class EmulatorConfigError(ValueError):
    """An option that would make the emulator meaningless (negative sizes, unknown fault kinds)."""


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything one emulator run depends on; the same config and request sequence give the same bytes."""

    seed: int = 42
    advertisers: int = 3
    days: int = 60  # history length ending at `now`
    campaigns_per_advertiser: int = 4
    adgroups_per_campaign: int = 3
    ads_per_adgroup: int = 3
    audiences_per_advertiser: int = 6
    now: datetime | None = None  # tz-aware UTC; None = current UTC time truncated to the hour
    token_mode: TokenMode = "long-lived"
    qps: int = 10  # per app, 0 = unlimited
    qpm: int = 600  # per app, 0 = unlimited
    qpd: int = 0  # requests per app per UTC day of the emulator clock, 0 = unlimited
    scopes: tuple[str, ...] = ALL_SCOPES  # the developer app's permission scopes (see emulator.scopes)
    latency_ms: int = 0
    fault_rate: float = 0.0
    faults: tuple[str, ...] = ()  # kinds: see FAULT_KINDS
    request_log: Path | None = None
    # the first advertisers' names, as given: TikTok passes on whatever its users type (markup, escapes)
    advertiser_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        validate_config(self)

    def resolved_now(self) -> datetime:
        """The clock start: ``now`` in UTC, or the current hour when none was given."""
        return resolve_now(self.now)

    @property
    def effective_faults(self) -> tuple[str, ...]:
        """The fault kinds drawn from when a fault fires; all kinds when none were named."""
        return self.faults or FAULT_KINDS


def resolve_now(now: datetime | None) -> datetime:
    """Make a clock value tz-aware UTC; naive values are taken as UTC, ``None`` is this hour."""
    if now is None:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def validate_config(config: EmulatorConfig) -> None:
    """Refuse options early with one clear line, so the CLI never starts half-configured."""
    sizes = {
        "advertisers": config.advertisers,
        "days": config.days,
        "campaigns_per_advertiser": config.campaigns_per_advertiser,
        "adgroups_per_campaign": config.adgroups_per_campaign,
        "ads_per_adgroup": config.ads_per_adgroup,
        "audiences_per_advertiser": config.audiences_per_advertiser,
        "qps": config.qps,
        "qpm": config.qpm,
        "qpd": config.qpd,
        "latency_ms": config.latency_ms,
    }
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise EmulatorConfigError(f"{name} must be a non-negative integer, got {value!r}")
    if config.advertisers < 1:
        raise EmulatorConfigError("advertisers must be at least 1")
    if config.days < 1:
        raise EmulatorConfigError("days must be at least 1")
    if config.token_mode not in TOKEN_MODES:
        raise EmulatorConfigError(
            f"token_mode must be one of {', '.join(TOKEN_MODES)}, got {config.token_mode!r}"
        )
    rate = config.fault_rate
    if not isinstance(rate, int | float) or math.isnan(rate) or not 0.0 <= rate <= 1.0:
        raise EmulatorConfigError(f"fault_rate must be between 0 and 1, got {rate!r}")
    validate_fault_kinds(config.faults)
    unknown = [name for name in config.scopes if name not in APP_SCOPES]
    if unknown:
        raise EmulatorConfigError(f"unknown scope {', '.join(unknown)} (known: {', '.join(ALL_SCOPES)})")


def validate_fault_kinds(kinds: tuple[str, ...]) -> None:
    """Name the first unknown fault kind and list the valid ones."""
    for kind in kinds:
        if kind not in FAULT_KINDS:
            raise EmulatorConfigError(f"unknown fault kind {kind!r}; choose from {', '.join(FAULT_KINDS)}")


__all__ = [
    "FAULT_KINDS",
    "TOKEN_MODES",
    "EmulatorConfig",
    "EmulatorConfigError",
    "TokenMode",
    "resolve_now",
    "validate_config",
    "validate_fault_kinds",
]
