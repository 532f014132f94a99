"""What each ad delivered, hour by hour: simulated once per advertiser, then viewed at any clock value.

Delivery is the one expensive part of the world, so it is simulated lazily (on an advertiser's first
report) over the whole grid of advertiser-local hours, history plus ``FUTURE_DAYS``, and kept as compact
numpy arrays with per-day sums precomputed. The clock never changes the stored numbers, only the view of
them: hours after ``now`` have no data yet and attributed series of the last 7 days are scaled by their
maturity per hour, so coarser sums stay exact and moving the clock costs nothing to rebuild.

The object tree and its schedules live in :mod:`tiktok_ads_mart.emulator.account_tree`; how a query is
validated, aggregated and formatted in :mod:`tiktok_ads_mart.emulator.reports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from tiktok_ads_mart.emulator.catalog import (
    ATTRIBUTE_GETTERS,
    ATTRIBUTE_LEVELS,
    BASE_COLUMNS,
    BASE_INDEX,
    BASE_NAMES,
    MATURING,
    ROW_ATTRIBUTES,
)
from tiktok_ads_mart.emulator.ids import (
    MINOR_PER_USD,
    SECONDS_PER_HOUR,
    bucket_labels,
    bucket_weights,
    local_hour_slots,
    seeded_rng,
    stable_hash,
)

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.account_tree import Advertiser, Entity


# ------------------------------------------------------------------------------------ simulation
_HOUR_CURVE = np.array(
    [
        0.35,
        0.25,
        0.18,
        0.15,
        0.15,
        0.2,
        0.35,
        0.6,
        0.8,
        0.9,
        1.0,
        1.05,
        1.1,
        1.05,
        1.0,
        1.0,
        1.1,
        1.25,
        1.5,
        1.75,
        1.9,
        1.8,
        1.4,
        0.85,
    ],
    dtype=np.float32,
)
_HOUR_CURVE /= _HOUR_CURVE.mean()
_WEEKDAY = np.array([0.95, 0.97, 1.0, 1.02, 1.08, 1.12, 1.05], dtype=np.float32)
MAX_IMPRESSIONS_PER_HOUR = 60_000
# objective -> click-through rate, conversions per click, and result per (impression, click, video play)
_OBJECTIVE_RATES: dict[str, tuple[float, float, tuple[float, float, float]]] = {
    "WEB_CONVERSIONS": (0.012, 0.08, (0.0, 0.08, 0.0)),
    "APP_PROMOTION": (0.010, 0.05, (0.0, 0.20, 0.0)),
    "TRAFFIC": (0.018, 0.01, (0.0, 0.90, 0.0)),
    "LEAD_GENERATION": (0.011, 0.06, (0.0, 0.06, 0.0)),
    "VIDEO_VIEWS": (0.006, 0.004, (0.0, 0.0, 0.12)),
    "REACH": (0.005, 0.003, (0.25, 0.0, 0.0)),
    "ENGAGEMENT": (0.008, 0.005, (0.0, 0.0, 0.02)),
}


def simulate_delivery(
    rng: np.random.Generator,
    active: np.ndarray,
    local_hours: np.ndarray,
    local_weekdays: np.ndarray,
    slot_day: np.ndarray,
    objectives: list[str],
    minor_per_usd: float,
) -> dict[str, np.ndarray]:
    """Final (fully attributed) base series per ad and local hour slot, shape [ads, slots] each.

    Impressions follow a per-ad level, a local-time daily curve, weekday and day-to-day swings; every
    other series is a per-ad rate of a parent series with stochastic rounding, so a series is 0 wherever
    impressions are 0 (no delivery, no row) and children never exceed their parent (clicks <= impressions,
    p100 <= p75 ...). Only numpy vector operations: 1000 ads x 67 days take well under a second.
    """
    ads, slots = active.shape
    days = int(slot_day.max()) + 1 if slots else 0

    def per_ad(low: float, high: float) -> np.ndarray:
        return np.asarray(rng.uniform(low, high, size=ads), dtype=np.float32)[:, None]

    def draw(mean: np.ndarray, dtype: str) -> np.ndarray:
        noisy = np.floor(mean + rng.random((ads, slots), dtype=np.float32))
        return noisy.astype(dtype)

    level = np.asarray(rng.lognormal(np.log(5000.0), 0.9, size=ads), dtype=np.float32)[:, None] / 24
    daily = rng.lognormal(0.0, 0.25, (ads, days)).astype(np.float32)
    shape = daily[:, slot_day] * (_HOUR_CURVE[local_hours] * _WEEKDAY[local_weekdays])[None, :]
    shape *= rng.uniform(0.85, 1.15, (ads, slots)).astype(np.float32)
    impressions_mean = np.minimum(level * shape, MAX_IMPRESSIONS_PER_HOUR - 1) * active
    out: dict[str, np.ndarray] = {}
    imp = out["impressions"] = draw(impressions_mean, "int32")
    impf = imp.astype(np.float32)
    out["gross_impressions"] = draw(impf * per_ad(1.01, 1.06), "int32")
    cpm = np.asarray(rng.uniform(3.0, 12.0, size=ads), dtype=np.float32)[:, None] * np.float32(minor_per_usd)
    spend = out["spend"] = draw(impf * cpm / 1000, "int32")
    voucher_share = np.where(rng.random(ads) < 0.25, rng.uniform(0.05, 0.3, ads), 0.0).astype(np.float32)
    out["voucher_spend"] = draw(spend.astype(np.float32) * voucher_share[:, None] * 0.999, "int32")
    ctr = np.array([_OBJECTIVE_RATES[o][0] for o in objectives], dtype=np.float32)[:, None]
    cvr = np.array([_OBJECTIVE_RATES[o][1] for o in objectives], dtype=np.float32)[:, None]
    result_by = np.array([_OBJECTIVE_RATES[o][2] for o in objectives], dtype=np.float32).reshape(ads, 3)
    is_app = np.array([o == "APP_PROMOTION" for o in objectives], dtype=np.float32)[:, None]
    clicks = out["clicks"] = draw(impf * ctr * per_ad(0.6, 1.4), "uint16")
    clicksf = clicks.astype(np.float32)
    plays = out["video_play_actions"] = draw(impf * per_ad(0.3, 0.7), "uint16")
    playsf = plays.astype(np.float32)
    out["video_watched_2s"] = w2 = draw(playsf * per_ad(0.5, 0.8), "uint16")
    out["video_watched_6s"] = draw(w2.astype(np.float32) * per_ad(0.4, 0.7), "uint16")
    chain = playsf
    for quartile, (low, high) in zip(
        (25, 50, 75, 100), ((0.4, 0.6), (0.5, 0.7), (0.6, 0.8), (0.5, 0.8)), strict=True
    ):
        views = out[f"video_views_p{quartile}"] = draw(chain * per_ad(low, high), "uint16")
        chain = views.astype(np.float32)
    out["video_play_seconds"] = draw(playsf * per_ad(2.0, 8.0), "int32")
    for name, low, high in (
        ("profile_visits", 0.002, 0.006),
        ("likes", 0.01, 0.04),
        ("comments", 0.0005, 0.002),
        ("shares", 0.0005, 0.002),
        ("follows", 0.0003, 0.001),
        ("clicks_on_music_disc", 0.0002, 0.001),
    ):
        out[name] = draw(impf * per_ad(low, high), "uint16")
    out["engaged_view"] = draw(playsf * per_ad(0.05, 0.2), "uint16")
    conversion_rate = cvr * per_ad(0.6, 1.4)
    out["conversion"] = draw(clicksf * conversion_rate, "uint16")
    out["real_time_conversion"] = draw(clicksf * conversion_rate * per_ad(0.85, 1.0), "uint16")
    result_mean = (
        impf * result_by[:, 0:1] + clicksf * result_by[:, 1:2] + playsf * result_by[:, 2:3]
    ) * per_ad(0.7, 1.0)
    out["result"] = draw(result_mean, "uint16")
    out["real_time_result"] = draw(result_mean * per_ad(0.85, 1.0), "uint16")
    out["secondary_goal_result"] = draw(clicksf * per_ad(0.02, 0.1), "uint16")
    install_rate = is_app * per_ad(0.1, 0.3)
    out["app_install"] = draw(clicksf * install_rate, "uint16")
    out["real_time_app_install"] = draw(clicksf * install_rate * per_ad(0.85, 1.0), "uint16")
    out["event_attributed"] = draw(clicksf * per_ad(0.05, 0.2), "uint16")
    out["event_realtime"] = draw(clicksf * per_ad(0.05, 0.2), "uint16")
    return {name: out[name].astype(dtype, copy=False) for name, dtype, _ in BASE_COLUMNS}


# ------------------------------------------------------------------------------------ serving
def serving_intervals(entity: Entity) -> list[tuple[int, int]]:
    """Half-open UTC intervals during which this object itself is live (created, enabled, not deleted)."""
    intervals: list[tuple[int, int]] = []
    live_since: int | None = entity.created if entity.enabled else None
    for change in entity.changes:
        if change.field == "enabled":
            if change.value and live_since is None:
                live_since = change.at
            elif not change.value and live_since is not None:
                intervals.append((live_since, change.at))
                live_since = None
        elif change.field == "deleted":
            if live_since is not None:
                intervals.append((live_since, change.at))
            return intervals
    if live_since is not None:
        intervals.append((live_since, 2**62))
    return intervals


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for start_a, end_a in a:
        for start_b, end_b in b:
            start, end = max(start_a, start_b), min(end_a, end_b)
            if start < end:
                out.append((start, end))
    return out


# ------------------------------------------------------------------------------------ the store
MATURITY_HOURS = 168


@dataclass(frozen=True)
class FineGrain:
    """An advertiser's base series per ad x local hour at one clock value (see World.fine_grain)."""

    ad_ids: list[str]
    hours: list[str]
    hour_start_utc: np.ndarray
    metrics: tuple[str, ...]
    values: dict[str, np.ndarray]


class AccountData:
    """One advertiser's fine grain (built once, lazily) and the per-clock views a query needs."""

    def __init__(self, adv: Advertiser, seed: int, first_day: date, days: int) -> None:
        self.adv, self.seed, self.first_day, self.days = adv, seed, first_day, days
        self.slot_start, self.slot_exists = local_hour_slots(first_day, days, adv.zone)
        by_day = self.slot_start.reshape(days, 24)
        self.day_start, self.day_end = by_day.min(axis=1), by_day.max(axis=1) + SECONDS_PER_HOUR
        ads = adv.ads
        count = len(ads)
        active = np.zeros((count, days * 24), dtype=bool)
        for i, ad in enumerate(ads):
            assert ad.parent is not None and ad.parent.parent is not None
            live = _intersect(
                _intersect(serving_intervals(ad), serving_intervals(ad.parent)),
                serving_intervals(ad.parent.parent),
            )
            for start, end in live:
                first, stop = np.searchsorted(self.slot_start, [start, end], side="left")
                active[i, first:stop] = True
        active &= self.slot_exists[None, :]
        weekdays = np.repeat([(first_day + timedelta(days=d)).weekday() for d in range(days)], 24)
        objectives = [str(ad.ancestor("CAMPAIGN").static["objective_type"]) for ad in ads]
        self.minor_per_usd = MINOR_PER_USD.get(adv.profile.currency, 1) * 10**adv.currency_decimals
        self.hourly = simulate_delivery(
            seeded_rng(seed, "delivery", adv.index),
            active,
            np.tile(np.arange(24), days),
            weekdays,
            np.repeat(np.arange(days), 24),
            objectives,
            self.minor_per_usd,
        )
        self.daily = np.stack(
            [self.hourly[name].reshape(count, days, 24).sum(axis=2, dtype=np.int64) for name in BASE_NAMES]
        )
        ad_level, ad_level_index = _ad_level(adv)
        self.entities: dict[str, list[Entity]] = {
            "CAMPAIGN": adv.campaigns,
            "ADGROUP": adv.adgroups,
            "AD": ads,
            AD_LEVEL: ad_level,
        }
        self.bounds = {  # per entity (storage order): its ads are ads[start:stop] (possibly none)
            "CAMPAIGN": _ad_bounds(ads, "CAMPAIGN", len(adv.campaigns)),
            "ADGROUP": _ad_bounds(ads, "ADGROUP", len(adv.adgroups)),
            AD_LEVEL: _bounds(ad_level_index, len(ad_level)),
        }
        self.ad_level_ids = [ad_level[i].entity_id for i in ad_level_index.tolist()]  # per ad: its ad_id_v2
        ids = {"ADVERTISER": [adv.advertiser_id]}
        ids.update({level: [e.entity_id for e in entities] for level, entities in self.entities.items()})
        self.order = {
            level: np.array(sorted(range(len(v)), key=v.__getitem__), dtype=np.int64)
            for level, v in ids.items()
        }
        self.sorted_ids = {
            level: [ids[level][i] for i in order.tolist()] for level, order in self.order.items()
        }
        self.id_hash = {
            level: np.array([stable_hash(i) % 2**31 for i in v], dtype=np.int64)
            for level, v in self.sorted_ids.items()
        }
        self.ad_created = np.array([ad.created for ad in ads], dtype=np.int64)
        self._recent: dict[tuple[int, str], np.ndarray] = {}
        self._per_ad: dict[tuple[str, str], np.ndarray] = {}
        self._deleted: dict[tuple[str, int], np.ndarray] = {}
        self.attribute_cache: dict[tuple[str, str, int], list[str]] = {}
        self._last_clock: tuple[tuple[int, int, int], np.ndarray, np.ndarray] | None = None

    # -- the clock -------------------------------------------------------------------------------------
    def _clock(self, now: int, first_slot: int, stop_slot: int) -> tuple[np.ndarray, np.ndarray]:
        """Per slot: complete (ended by now, exists) and attribution maturity in per mille."""
        ends = self.slot_start[first_slot:stop_slot] + SECONDS_PER_HOUR
        age = (now - ends) // SECONDS_PER_HOUR
        complete = (age >= 0) & self.slot_exists[first_slot:stop_slot]
        maturity = np.where(complete, np.minimum(1000, 500 + 500 * np.maximum(age, 0) // MATURITY_HOURS), 0)
        return complete.astype(np.int64), maturity.astype(np.int64)

    def at_clock(self, name: str, now: int, first_slot: int, stop_slot: int) -> np.ndarray:
        """Hourly values of a base series as seen at ``now``: later hours 0, attributed ones maturing."""
        key = (now, first_slot, stop_slot)
        clock = self._last_clock
        if clock is None or clock[0] != key:  # a query reads every base series over the same slots
            clock = self._last_clock = (key, *self._clock(now, first_slot, stop_slot))
        _, complete, maturity = clock
        values: np.ndarray = self.hourly[name][:, first_slot:stop_slot].astype(np.int64)
        if name in MATURING:
            np.multiply(values, maturity, out=values)
            np.floor_divide(values, 1000, out=values)
        else:
            np.multiply(values, complete, out=values)
        return values

    def _window(self, now: int) -> tuple[int, int]:
        """Days [settled, started): before them values are final, from `started` on nothing was served."""
        settled = int(np.searchsorted(self.day_end + MATURITY_HOURS * SECONDS_PER_HOUR, now, side="right"))
        started = int(np.searchsorted(self.day_start, now, side="left"))
        return settled, max(settled, started)

    def days_at(self, now: int, first: int, stop: int, name: str) -> np.ndarray:
        """Daily sums [ads, stop-first] of a base series at ``now``, from the hours where it matters."""
        out = self.daily[BASE_INDEX[name], :, first:stop].copy()
        settled, started = self._window(now)
        low = max(first, settled)
        if low < stop:
            out[:, low - first :] = 0
            high = min(stop, started)
            if low < high:
                key = (now, name)
                recent = self._recent.get(key)
                if recent is None:
                    if len(self._recent) > 4 * len(BASE_NAMES):
                        self._recent.clear()
                    hours = self.at_clock(name, now, settled * 24, started * 24)
                    recent = self._recent[key] = hours.reshape(len(hours), -1, 24).sum(axis=2)
                out[:, low - first : high - first] = recent[:, low - settled : high - settled]
        return out

    # -- per-ad constants ------------------------------------------------------------------------------
    def per_ad(self, purpose: str, key: str) -> np.ndarray:
        found = self._per_ad.get((purpose, key))
        if found is None:
            rng = seeded_rng(self.seed, self.adv.index, purpose, key)
            count = len(self.adv.ads)
            if purpose == "switch":
                found = (rng.random(count) < 0.7).astype(np.int64)
            elif purpose == "unit":
                found = np.round(rng.uniform(5, 80, count) * self.minor_per_usd).astype(np.int64)
            else:  # bucket weights of a breakdown family
                found = bucket_weights(rng, key, count, len(self.bucket_labels(key)))
            self._per_ad[(purpose, key)] = found
        return found

    def bucket_labels(self, family: str) -> list[str]:
        return bucket_labels(self.adv.profile, family)

    def deleted(self, level: str, now: int) -> np.ndarray:
        """Deleted (itself or through a parent) at ``now``, per entity in sorted-id order."""
        key = (level, now)
        found = self._deleted.get(key)
        if found is None:
            if len(self._deleted) > 64:
                self._deleted.clear()
            entities = self.entities.get(level)
            flags = [False] if entities is None else [entities[i].deleted_at(now) for i in self.order[level]]
            found = self._deleted[key] = np.array(flags, dtype=bool)
        return found

    # -- views a query combines -----------------------------------------------------------------------
    def split(self, family: str, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Exact integer split of each ad x day value into audience buckets (buckets sum to the total).

        Impressions are split by per-ad bucket weights; every other series by weights proportional to the
        bucket's impressions times a per-series skew, so a bucket without impressions gets nothing and rates
        differ between buckets. Cumulative rounding (floor of the running share, differenced) is exact.
        """
        weights = self.per_ad("buckets", family)
        cumulative = np.cumsum(weights, axis=1)
        impressions = arrays["impressions"]
        share = impressions[:, :, None] * cumulative[:, None, :] // cumulative[:, -1][:, None, None]
        split_impressions = np.diff(share, axis=2, prepend=0)
        out = {"impressions": split_impressions}
        for name, values in arrays.items():
            if name == "impressions":
                continue
            skew_rng = seeded_rng(self.seed, self.adv.index, "skew", family, name)
            skew = skew_rng.integers(1, 5, weights.shape[1])
            running = np.cumsum(split_impressions * skew, axis=2)
            whole = np.maximum(running[:, :, -1:], 1)
            out[name] = np.diff(values[:, :, None] * running // whole, axis=2, prepend=0)
        return out

    def group(self, level: str, values: np.ndarray) -> np.ndarray:
        """Sum ads into ``level`` (storage order) by prefix sums: ads of one parent are contiguous."""
        if level == "AD":
            return values
        if level == "ADVERTISER":
            whole: np.ndarray = values.sum(axis=0, keepdims=True)
            return whole
        starts, stops = self.bounds[level]
        running = np.concatenate(
            [np.zeros((1, *values.shape[1:]), dtype=values.dtype), np.cumsum(values, axis=0)]
        )
        grouped: np.ndarray = running[stops] - running[starts]  # exact in integers; empty groups sum to 0
        return grouped

    def attribute_values(self, level: str, name: str, now: int) -> list[str]:
        """One string per entity of ``level`` (sorted-id order): the named property of it or an ancestor."""
        key = (level, name, now)
        found = self.attribute_cache.get(key)
        if found is not None:
            return found
        if len(self.attribute_cache) > 256:
            self.attribute_cache.clear()
        getter = ATTRIBUTE_GETTERS[name]
        target_level = ATTRIBUTE_LEVELS[name]
        own = name in ROW_ATTRIBUTES  # read from the row's object itself, whatever the attribute's level
        if target_level == "ADVERTISER":
            found = [getter(self.adv, None, None)] * len(self.order[level])
        else:
            states: dict[str, Any] = {}
            found = []
            entities = self.entities[level]
            for i in self.order[level].tolist():
                target = entities[i] if own else entities[i].ancestor(target_level)
                state = states.get(target.entity_id)
                if state is None:
                    state = states[target.entity_id] = target.state_at(now)
                found.append(getter(self.adv, target, state))
        self.attribute_cache[key] = found
        return found

    def fine_grain(self, now: int) -> FineGrain:
        """Every base series per ad and local hour at ``now``, fully materialised (see World.fine_grain)."""
        slots = self.days * 24
        values = {name: self.at_clock(name, now, 0, slots) for name in BASE_NAMES}
        hours = [
            f"{self.first_day + timedelta(days=slot // 24)} {slot % 24:02d}:00:00" for slot in range(slots)
        ]
        ad_ids = [ad.entity_id for ad in self.adv.ads]
        return FineGrain(ad_ids, hours, self.slot_start.copy(), BASE_NAMES, values)


def _ad_bounds(ads: list[Entity], level: str, entities: int) -> tuple[np.ndarray, np.ndarray]:
    """[start, stop) ad positions of each entity of a level: ads are stored grouped by their parents."""
    return _bounds(np.array([ad.ancestor(level).index for ad in ads], dtype=np.int64), entities)


def _bounds(owner: np.ndarray, entities: int) -> tuple[np.ndarray, np.ndarray]:
    """[start, stop) positions of each entity's ads, from the entity of each ad (non-decreasing)."""
    counts = np.bincount(owner, minlength=entities).astype(np.int64)
    stops = np.cumsum(counts)
    return stops - counts, stops


AD_LEVEL = "AD_V2"
"""The grouping of the ``ad_id_v2`` dimension: a manual ad is itself, the creatives of an Upgraded Smart+
ad are summed into it (doc 1740302848100353, ``ad_id_v2``)."""


def _ad_level(adv: Advertiser) -> tuple[list[Entity], np.ndarray]:
    """The ad-level objects (manual ads and Smart+ ads, in storage order) and, per ad, its position there.

    A Smart+ ad's creatives are its ad group's ads, which are stored together, so every ad-level object
    owns a contiguous run of ads and sums by prefix sums like any other level."""
    smart = {entity.entity_id: entity for entity in adv.smart_plus_ads}
    objects: list[Entity] = []
    owner = np.zeros(len(adv.ads), dtype=np.int64)
    for i, ad in enumerate(adv.ads):
        smart_id = ad.static.get("smart_plus_ad_id")
        if smart_id is None:
            objects.append(ad)
        elif not objects or objects[-1].entity_id != smart_id:
            assert smart_id in smart, "a Smart+ ad's creatives are contiguous: each starts its run once"
            objects.append(smart.pop(smart_id))
        owner[i] = len(objects) - 1
    return objects, owner


__all__ = [
    "AD_LEVEL",
    "MATURITY_HOURS",
    "MAX_IMPRESSIONS_PER_HOUR",
    "AccountData",
    "FineGrain",
    "serving_intervals",
    "simulate_delivery",
]
