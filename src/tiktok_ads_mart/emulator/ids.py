"""Deterministic primitives of the fake world: stable hashes, seeded generators, TikTok-shaped IDs, clocks.

Everything random in the world flows from here so that one seed gives the same bytes on every machine
and in every process: Python's ``hash()`` is salted per process, so it is never used; blake2b is.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86400
_ID_LOW_BITS = 22
_ID_LOW_MASK = (1 << _ID_LOW_BITS) - 1


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of the parts that is the same in every process (unlike ``hash()``)."""
    text = "\x1f".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def unit_interval(*parts: object) -> float:
    """A deterministic float in [0, 1) for the parts, for one-off draws that must not shift a stream."""
    return stable_hash(*parts) / 2.0**64


def seeded_rng(*parts: object) -> np.random.Generator:
    """An independent PCG64 stream per purpose, so building one advertiser never shifts another's draws."""
    return np.random.Generator(np.random.PCG64(stable_hash(*parts)))


def snowflake_id(created_epoch: int, *parts: object) -> str:
    """A 19-digit numeric string like TikTok's: creation milliseconds in the high bits, a hash below.

    IDs then sort by creation time the way real ones do, and any timestamp after 2001 gives 19 digits.
    """
    digest = stable_hash("id", *parts)
    millis = created_epoch * 1000 + digest % 1000
    return str((millis << _ID_LOW_BITS) | ((digest >> 10) & _ID_LOW_MASK))


def secret_hex(*parts: object, length: int = 40) -> str:
    """A hex string derived from the parts (app secrets, tokens-to-be)."""
    out = ""
    counter = 0
    while len(out) < length:
        out += hashlib.blake2b(f"{counter}\x1f{parts!r}".encode(), digest_size=32).hexdigest()
        counter += 1
    return out[:length]


def format_utc(epoch: int) -> str:
    """TikTok's entity timestamp form, ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def to_epoch(moment: datetime) -> int:
    """Whole seconds since the epoch of an aware datetime."""
    return int(moment.timestamp())


def local_date(epoch: int, zone: ZoneInfo) -> date:
    """The advertiser-local calendar date of an instant."""
    return datetime.fromtimestamp(epoch, zone).date()


def local_hour_slots(first_day: date, days: int, zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    """UTC start instants of every local wall-clock hour of ``days`` local dates, and which ones exist.

    Reports are keyed by local wall-clock hours (24 per local date). On a spring-forward date one wall
    hour does not exist (it never has data); on a fall-back date the repeated hour is one slot, timed at
    its first occurrence. Half-hour zones simply give slots starting at :30 UTC.
    """
    starts = np.zeros(days * 24, dtype=np.int64)
    exists = np.ones(days * 24, dtype=bool)
    for day_index in range(days):
        day = first_day + timedelta(days=day_index)
        for hour in range(24):
            wall = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
            instant = wall.astimezone(UTC)
            slot = day_index * 24 + hour
            starts[slot] = int(instant.timestamp())
            if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
                exists[slot] = False
    return starts, exists


__all__ = [
    "SECONDS_PER_DAY",
    "SECONDS_PER_HOUR",
    "format_utc",
    "local_date",
    "local_hour_slots",
    "secret_hex",
    "seeded_rng",
    "snowflake_id",
    "stable_hash",
    "to_epoch",
    "unit_interval",
]
