"""How the fake world is generated: stable hashes, seeded streams, TikTok-shaped IDs, local clocks,
the vocabulary of names and markets, audiences and audience buckets (the hourly delivery simulation that
draws from these streams is in :mod:`tiktok_ads_mart.emulator.delivery`).

Everything random in the world flows from here so that one seed gives the same bytes on every machine
and in every process: Python's ``hash()`` is salted per process, so it is never used; blake2b is. Each
purpose draws from its own stream (``seeded_rng(seed, purpose, ...)``), so building one advertiser, or
asking one report first, never shifts another's numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86400
_ID_LOW_BITS = 22
_ID_LOW_MASK = (1 << _ID_LOW_BITS) - 1
ID_CLOCK = 1_767_225_600  # 2026-01-01 00:00 UTC: the latest timestamp an emulator ID carries
_ID_SPREAD = 3 * 365 * 86400


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of the parts that is the same in every process (unlike ``hash()``)."""
    text = "\x1f".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def seeded_rng(*parts: object) -> np.random.Generator:
    """An independent PCG64 stream per purpose, so building one advertiser never shifts another's draws."""
    return np.random.Generator(np.random.PCG64(stable_hash(*parts)))


def snowflake_id(*parts: object) -> str:
    """A 19-digit numeric string like TikTok's: a millisecond timestamp in the high bits, a hash below.

    The timestamp is drawn from the parts alone (within three years before :data:`ID_CLOCK`), never from
    the world's clock: a world started in another hour shifts its creation times with its ``now``, but
    each object keeps its ID, so a rerun of the demo merges onto the rows it loaded before instead of
    adding a second copy of every advertiser. Unlike TikTok's, these IDs do not sort by creation time;
    whatever needs that order (the 20,000-ad cut-off) sorts by ``create_time``.
    """
    digest = stable_hash("id", *parts)
    millis = (ID_CLOCK - digest % _ID_SPREAD) * 1000 + digest % 1000
    return str((millis << _ID_LOW_BITS) | ((digest >> 10) & _ID_LOW_MASK))


def owner_bc_id(advertiser_id: str) -> str:
    """The Business Center that owns an advertiser (``advertiser/info/`` ``owner_bc_id``); it is also the
    one its ``BC_AUTH_TT`` identity is authorised through."""
    return str(7_100_000_000_000_000_000 + stable_hash(advertiser_id, "bc") % 10**17)


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


# ------------------------------------------------------------------------------------ vocabulary
@dataclass(frozen=True)
class AdvertiserProfile:
    """Where an advertiser lives: its reporting timezone, currency and markets."""

    timezone: str
    currency: str
    country: str
    language: str
    markets: tuple[str, ...]


PROFILES: tuple[AdvertiserProfile, ...] = (
    AdvertiserProfile("America/Los_Angeles", "USD", "US", "en", ("US", "CA", "MX", "GB")),
    AdvertiserProfile("Europe/Berlin", "EUR", "DE", "de", ("DE", "AT", "CH", "FR", "NL")),
    AdvertiserProfile("Asia/Tokyo", "JPY", "JP", "ja", ("JP", "KR", "TW")),
    AdvertiserProfile("Etc/GMT", "GBP", "GB", "en", ("GB", "IE", "FR", "DE", "US")),
    AdvertiserProfile("America/Sao_Paulo", "BRL", "BR", "pt", ("BR", "AR", "CL", "PT")),
    AdvertiserProfile("Asia/Kolkata", "INR", "IN", "en", ("IN", "AE", "SG")),
    AdvertiserProfile("Australia/Sydney", "AUD", "AU", "en", ("AU", "NZ")),
    AdvertiserProfile("America/New_York", "USD", "US", "en", ("US", "CA")),
)
"""Cycled over advertisers; the first four cover a negative, a DST-switching, a +9 and a zero offset."""

CURRENCY_DECIMALS: Mapping[str, int] = {"JPY": 0, "KRW": 0}
"""Minor-unit digits per currency; 2 unless listed (JPY has no minor unit)."""

OBJECTIVES: tuple[str, ...] = (
    "WEB_CONVERSIONS",
    "APP_PROMOTION",
    "TRAFFIC",
    "LEAD_GENERATION",
    "VIDEO_VIEWS",
    "REACH",
    "ENGAGEMENT",
)
OPTIMIZATION: Mapping[str, tuple[str, str, str]] = {
    # objective -> (optimization_goal, billing_event, promotion_type)
    "WEB_CONVERSIONS": ("CONVERT", "OCPM", "WEBSITE"),
    "APP_PROMOTION": ("INSTALL", "OCPM", "APP"),
    "TRAFFIC": ("CLICK", "CPC", "WEBSITE"),
    "LEAD_GENERATION": ("LEAD_GENERATION", "OCPM", "INSTANT_FORM"),
    "VIDEO_VIEWS": ("ENGAGED_VIEW", "CPV", "WEBSITE"),
    "REACH": ("REACH", "CPM", "WEBSITE"),
    "ENGAGEMENT": ("FOLLOWERS", "OCPM", "WEBSITE"),
}
AUDIENCE_TYPES: tuple[str, ...] = (
    "Customer File Audience",
    "Engagement Audience",
    "App Activity Audience",
    "Website Audience",
    "Lookalike Audience",
    "Lead Generation",
)
THEMES = (
    "Spring Launch",
    "Summer Sale",
    "Back to School",
    "Black Friday",
    "Holiday Push",
    "Evergreen",
    "Brand Lift",
    "Retargeting",
    "New Arrivals",
    "Clearance",
    "App Relaunch",
    "Creator Collab",
)
SEGMENTS = (
    "Broad",
    "Lookalike 1%",
    "Interest: Fitness",
    "Interest: Gaming",
    "Retarget 30d",
    "Women 18-34",
    "Men 25-44",
    "Custom Audience",
    "Students",
    "Parents",
)
CREATIVES = (
    "UGC Unboxing",
    "Product Demo",
    "Testimonial",
    "Before-After",
    "Green Screen",
    "Tutorial",
    "Creator Duet",
    "Countdown",
    "Carousel Cut",
    "Behind the Scenes",
)
AD_TEXTS = (
    "Shop the drop before it is gone",
    "Tap to see why everyone is switching",
    "Your new favourite starts here",
    "Limited time: free shipping today",
    "Made for creators, loved by everyone",
    "Try it free for 7 days",
)
CTAS = ("SHOP_NOW", "LEARN_MORE", "DOWNLOAD_NOW", "SIGN_UP", "ORDER_NOW", "CONTACT_US")


CAMPAIGN_DEFAULTS: dict[str, Any] = {
    "campaign_type": "REGULAR_CAMPAIGN",
    "is_new_structure": True,
    "is_smart_performance_campaign": False,
    "is_search_campaign": False,
    "is_advanced_dedicated_campaign": False,
    "rf_campaign_type": "STANDARD",
    "deep_bid_type": None,
    "roas_bid": 0.0,
    "special_industries": [],
}
"""Campaign fields that are the same for every campaign of the fake world."""
ADGROUP_DEFAULTS: dict[str, Any] = {
    "budget_mode": "BUDGET_MODE_DAY",
    "schedule_type": "SCHEDULE_FROM_NOW",
    "pacing": "PACING_MODE_SMOOTH",
    "gender": "GENDER_UNLIMITED",
    "age_groups": ["AGE_18_24", "AGE_25_34", "AGE_35_44"],
    "excluded_audience_ids": [],
    "click_attribution_window": "SEVEN_DAYS",
    "view_attribution_window": "ONE_DAY",
    "creative_material_mode": "CUSTOM",
    "is_new_structure": True,
    "comment_disabled": False,
    "video_download_disabled": False,
    "share_disabled": False,
}
"""Ad group fields that are the same for every ad group."""
AD_DEFAULTS: dict[str, Any] = {
    "ad_format": "SINGLE_VIDEO",
    "image_ids": [],
    "identity_type": "CUSTOMIZED_USER",
    "deeplink": "",
    "tracking_pixel_id": None,
    "is_aco": False,
    "creative_authorized": False,
    "utm_params": [],
}
"""Ad fields that are the same for every ad."""

GENDERS = ("MALE", "FEMALE", "NONE")
AGES = ("AGE_13_17", "AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100")
PLATFORMS = ("ANDROID", "IPHONE", "IPAD", "PC")
PLACEMENTS = ("PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE")
"""Where an ad was shown; the names TikTok's ad groups use for ``placements``."""
MARKET_LANGUAGES: dict[str, str] = {
    "US": "en", "CA": "en", "GB": "en", "IE": "en", "AU": "en", "NZ": "en", "SG": "en", "MX": "es",
    "AR": "es", "CL": "es", "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "NL": "nl", "JP": "ja",
    "KR": "ko", "TW": "zh", "BR": "pt", "PT": "pt", "IN": "hi", "AE": "ar",
}  # fmt: skip
_GENDER_AGE_WEIGHTS = np.outer([0.46, 0.5, 0.04], [0.05, 0.3, 0.32, 0.18, 0.1, 0.05]).ravel()
MINOR_PER_USD: dict[str, float] = {
    "USD": 1,
    "EUR": 0.95,
    "GBP": 0.8,
    "JPY": 150,
    "BRL": 5.5,
    "INR": 83,
    "AUD": 1.5,
    "KRW": 1350,
}


def bucket_labels(profile: AdvertiserProfile, family: str) -> list[str]:
    """The audience buckets of a breakdown family for an advertiser (gender_age as "GENDER|AGE")."""
    if family == "platform":
        return list(PLATFORMS)
    if family == "placement":
        return list(PLACEMENTS)
    if family == "language":  # the advertiser's own language first, then its markets' (ISO 639-1 codes)
        languages = [profile.language, *(MARKET_LANGUAGES.get(m, "en") for m in profile.markets)]
        return list(dict.fromkeys(languages))
    if family == "country_code":
        return list(profile.markets)
    if family == "province_id":
        return [str(1_000_000 + stable_hash(profile.country, "province", i) % 9_000_000) for i in range(8)]
    return [f"{g}|{a}" for g in GENDERS for a in AGES]


def bucket_weights(rng: np.random.Generator, family: str, count: int, buckets: int) -> np.ndarray:
    """Per-ad integer weights of the buckets: a typical audience mix, varied per ad."""
    if family == "gender_age":
        weights = _GENDER_AGE_WEIGHTS
    elif family == "platform":
        weights = np.array([0.55, 0.38, 0.04, 0.03])
    elif family == "placement":
        weights = np.array([0.86, 0.1, 0.04])
    else:
        weights = 1.0 / (np.arange(buckets) + 1.0) ** 1.3
    noisy = weights[None, :] * rng.uniform(0.6, 1.4, (count, len(weights)))
    scaled: np.ndarray = np.round(noisy / noisy.sum(axis=1, keepdims=True) * 100_000)
    weights_int: np.ndarray = np.maximum(1, scaled).astype(np.int64)
    return weights_int


# ------------------------------------------------------------------------------------ generation
def unique_id(used: set[str], *parts: object) -> str:
    """A snowflake ID not yet used in this world (a hash collision just draws the next candidate)."""
    bump = 0
    while True:
        candidate = snowflake_id(*parts, bump)
        if candidate not in used:
            used.add(candidate)
            return candidate
        bump += 1


def creation_time(rng: Any, history_start: int, now: int, horizon: int, *, before_history: float) -> int:
    """Mostly long-lived objects, some created inside the history, a few recent or still to come."""
    draw = rng.random()
    if draw < before_history:
        return history_start - int(rng.integers(SECONDS_PER_HOUR, 200 * SECONDS_PER_DAY))
    if draw < 0.93:
        return int(rng.integers(history_start, max(history_start + 1, now - 3 * SECONDS_PER_DAY)))
    if draw < 0.97:
        return int(rng.integers(now - 3 * SECONDS_PER_DAY, now))
    return int(rng.integers(now + SECONDS_PER_HOUR, horizon - SECONDS_PER_DAY))


def child_creation(rng: Any, parent_created: int, horizon: int) -> int:
    """Children usually follow their parent within hours; some are added much later."""
    if rng.random() < 0.85:
        return parent_created + int(rng.integers(60, 6 * SECONDS_PER_HOUR))
    latest = max(parent_created + 7 * SECONDS_PER_HOUR, horizon - SECONDS_PER_DAY)
    return int(rng.integers(parent_created + 6 * SECONDS_PER_HOUR, latest))


def build_audiences(
    seed: int,
    count: int,
    index: int,
    advertiser_id: str,
    rng: Any,
    now: int,
    horizon: int,
    used_ids: set[str],
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Custom audiences (cycling TikTok's audience types) and their edit histories; with four or more,
    the last one is created after ``now`` so moving the clock reveals it."""
    audiences: list[dict[str, Any]] = []
    history: dict[str, list[dict[str, Any]]] = {}
    for n in range(count):
        audience_type = AUDIENCE_TYPES[n % len(AUDIENCE_TYPES)]
        if n == count - 1 and n >= 3:
            created = int(rng.integers(now + SECONDS_PER_HOUR, horizon - SECONDS_PER_DAY))
        else:
            created = now - int(rng.integers(SECONDS_PER_DAY, 300 * SECONDS_PER_DAY))
        audience_id = unique_id(used_ids, seed, index, "audience", n)
        lookalike = audience_type == "Lookalike Audience" and bool(audiences)
        audience = {
            "audience_id": audience_id,
            "name": f"{audience_type.replace(' Audience', '')} {n + 1}",
            "audience_type": audience_type,
            "audience_sub_type": "NORMAL",
            "calculate_type": "SHA256" if audience_type == "Customer File Audience" else None,
            "cover_num": int(rng.integers(1000, 5_000_000)),
            "shared": False,
            "is_creator": True,
            "owner_id": advertiser_id,
            "is_valid": n % 5 != 4,
            "is_expiring": False,
            "is_auto_refresh": audience_type in ("Website Audience", "App Activity Audience"),
            "rule": ""
            if lookalike or audience_type == "Customer File Audience"
            else '{"retention_days": 30}',
            "lookalike_spec": {
                "source_audience_id": audiences[0]["audience_id"] if audiences else None,
                "include_source": False,
                "mobile_os": "ALL",
                "placements": ["TIKTOK"],
                "location_ids": [],
                "audience_size": "NARROW",
            }
            if lookalike
            else None,
            "msg": "",
            "error_msg": "",
            "create_time": format_utc(created),
            "expired_time": format_utc(created + 365 * SECONDS_PER_DAY),
        }
        audiences.append(audience)
        entries = [
            {
                "action": "CREATE",
                "action_detail": f"Created {audience_type}",
                "editor": "open_api",
                "msg": "",
                "opt_time": format_utc(created),
            }
        ]
        updated = created + int(rng.integers(SECONDS_PER_HOUR, 30 * SECONDS_PER_DAY))
        if n % 2 == 0:
            entries.insert(
                0,
                {
                    "action": "UPDATE",
                    "action_detail": "Audience refreshed",
                    "editor": "open_api",
                    "msg": "",
                    "opt_time": format_utc(updated),
                },
            )
        history[audience_id] = entries
    return audiences, history


__all__ = [
    "ADGROUP_DEFAULTS",
    "AD_DEFAULTS",
    "AD_TEXTS",
    "AGES",
    "AUDIENCE_TYPES",
    "CAMPAIGN_DEFAULTS",
    "CREATIVES",
    "CTAS",
    "CURRENCY_DECIMALS",
    "GENDERS",
    "MINOR_PER_USD",
    "OBJECTIVES",
    "OPTIMIZATION",
    "PLATFORMS",
    "PROFILES",
    "SECONDS_PER_DAY",
    "SECONDS_PER_HOUR",
    "SEGMENTS",
    "THEMES",
    "AdvertiserProfile",
    "bucket_labels",
    "bucket_weights",
    "build_audiences",
    "child_creation",
    "creation_time",
    "format_utc",
    "local_date",
    "local_hour_slots",
    "owner_bc_id",
    "secret_hex",
    "seeded_rng",
    "snowflake_id",
    "stable_hash",
    "to_epoch",
    "unique_id",
]
