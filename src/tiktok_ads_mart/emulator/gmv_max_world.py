"""GMV Max in the fake world: TikTok Shop stores, their products, GMV Max campaigns and what they delivered.

Every draw comes from streams of its own (``seeded_rng(seed, "gmv_max", index, ...)``), so the shops and
their campaigns leave every other advertiser, campaign and report of a world exactly as it was. An
advertiser's GMV Max account is built on first use from the seed, the advertiser and the clock the world
was built around, and kept beside the world (a weak map keyed by it) for its whole life: the objects with
their schedules, and final hourly delivery per campaign and per product over the same advertiser-local
hour grid the world's reports use (history plus ``FUTURE_DAYS``). The clock only chooses what is visible:
objects created after it do not exist yet, scheduled pauses and deletions apply once it passes them, and
hours that have not ended carry no data. Building one advertiser takes a few milliseconds.

The endpoints are in :mod:`tiktok_ads_mart.emulator.gmv_max` (stores, campaigns) and
:mod:`tiktok_ads_mart.emulator.gmv_max_report` (the report).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING

import numpy as np

from tiktok_ads_mart.emulator.account_tree import Change, Entity, EntityState
from tiktok_ads_mart.emulator.ids import (
    MINOR_PER_USD,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    THEMES,
    creation_time,
    local_date,
    local_hour_slots,
    seeded_rng,
    stable_hash,
    to_epoch,
    unique_id,
)
from tiktok_ads_mart.emulator.world import FUTURE_DAYS

if TYPE_CHECKING:
    from datetime import date

    from tiktok_ads_mart.emulator.account_tree import Advertiser
    from tiktok_ads_mart.emulator.world import World

PRODUCT_GMV_MAX = "PRODUCT_GMV_MAX"
LIVE_GMV_MAX = "LIVE_GMV_MAX"
PROMOTION_TYPES = (PRODUCT_GMV_MAX, LIVE_GMV_MAX)
SERIES = ("cost", "net_cost", "gross_revenue", "orders", "live_views", "10_second_live_views", "live_follows")
"""Additive hourly series: money in the currency's minor units, the rest counts (LIVE series: LIVE only)."""
PRODUCT_SERIES = ("cost", "gross_revenue", "orders")
"""The series split over a Product GMV Max campaign's products (product rows have no net cost)."""

_PRODUCT_NOUNS = (
    "Glow Serum", "Everyday Tote", "Cloud Hoodie", "Travel Mug", "Desk Lamp", "Yoga Mat", "Phone Stand",
    "Linen Shirt", "Sneaker Cleaner", "Hair Oil", "Sun Cream", "Wireless Earbuds", "Lip Tint", "Water Bottle",
)  # fmt: skip
_HOUR_SHAPE = np.array(
    [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 8, 8, 9, 8, 8, 8, 9, 10, 12, 14, 15, 14, 10, 6], dtype=np.float64
)
_HOUR_SHAPE /= _HOUR_SHAPE.sum()
_WEEKDAY = np.array([0.95, 0.97, 1.0, 1.02, 1.08, 1.12, 1.05])
SCHEDULE_YEARS_DAYS = 3650
"""A continuous campaign's ``schedule_end_time``: ten years after its start (assumed, see the docs)."""


@dataclass(frozen=True)
class Product:
    """One SPU of a TikTok Shop, as the product-level report names it."""

    item_group_id: str
    product_name: str
    product_image_url: str
    product_status: str  # "available" | "unavailable"


@dataclass(frozen=True)
class Store:
    """A TikTok Shop the advertiser can see, and who may run GMV Max campaigns for it."""

    store_id: str
    store_name: str
    store_code: str
    region: str
    bc_id: str
    bc_name: str
    is_owner_bc: bool
    is_gmv_max_available: bool
    authorized_advertiser_id: str
    authorized_advertiser_name: str
    identity_id: str  # the shop's official TikTok account (identity type TTS_TT)
    identity_name: str
    products: tuple[Product, ...]


@dataclass
class GmvCampaign:
    """A GMV Max campaign: its schedule (an ``Entity``), settings, and final delivery per hour slot."""

    entity: Entity
    promotion_type: str
    store: Store
    roas_bid: float
    product_specific_type: str  # ALL | CUSTOMIZED_PRODUCTS (Product), UNSET (LIVE)
    products: tuple[Product, ...]  # what it promotes: every store product for ALL, none for LIVE
    roi_protection_enabled: bool
    auto_budget_enabled: bool
    promotion_days_enabled: bool
    accelerate_testing: bool
    schedule_start: int
    deleted_at: int | None  # when the schedule deletes it (it may still be ahead of the clock)
    exists: np.ndarray  # bool [slots]: the slot is real and the campaign existed during it
    hourly: dict[str, np.ndarray]  # int64 [slots] per SERIES name
    product_hourly: dict[str, np.ndarray]  # int64 [products, slots] per PRODUCT_SERIES name

    @property
    def campaign_id(self) -> str:
        return self.entity.entity_id

    @property
    def shopping_ads_type(self) -> str:
        """``PRODUCT`` or ``LIVE``: the details' ``shopping_ads_type`` and the report's promotion type."""
        return "PRODUCT" if self.promotion_type == PRODUCT_GMV_MAX else "LIVE"

    def state(self, now: int) -> EntityState:
        return self.entity.state_at(now)

    def operation_status(self, now: int) -> str:
        state = self.state(now)
        return "ENABLE" if state.enabled and not state.deleted else "DISABLE"

    def secondary_status(self, now: int) -> str:
        """``CAMPAIGN_STATUS_DELETE``, ``_DISABLE`` or ``_ENABLE``: the GMV Max statuses (doc
        1757239620352002) this world's schedules produce."""
        state = self.state(now)
        if state.deleted:
            return "CAMPAIGN_STATUS_DELETE"
        return "CAMPAIGN_STATUS_ENABLE" if state.enabled else "CAMPAIGN_STATUS_DISABLE"

    @property
    def schedule_end(self) -> int:
        """A continuous campaign's ``schedule_end_time``: ten years after its start (assumed)."""
        return self.schedule_start + SCHEDULE_YEARS_DAYS * SECONDS_PER_DAY


@dataclass
class GmvAccount:
    """One advertiser's GMV Max objects and delivery, on the world's hour grid."""

    advertiser: Advertiser
    owner_bc_id: str
    stores: tuple[Store, ...]
    campaigns: tuple[GmvCampaign, ...]
    first_day: date
    slot_starts: np.ndarray  # int64 [slots]: UTC start of each local wall-clock hour
    slot_exists: np.ndarray  # bool [slots]: False for the hour a spring-forward day skips

    @property
    def days(self) -> int:
        return len(self.slot_starts) // 24

    @property
    def decimals(self) -> int:
        return self.advertiser.currency_decimals

    def visible(self, now: int) -> np.ndarray:
        """Slots whose hour has ended by ``now``: the only ones that carry data."""
        ended: np.ndarray = self.slot_exists & (self.slot_starts + SECONDS_PER_HOUR <= now)
        return ended

    def campaigns_at(self, now: int) -> list[GmvCampaign]:
        """Campaigns created at or before ``now``, deleted ones included, in creation order of the draw."""
        return [c for c in self.campaigns if c.entity.created <= now]

    def store(self, store_id: str) -> Store | None:
        return next((s for s in self.stores if s.store_id == store_id), None)

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=index)


_ACCOUNTS: weakref.WeakKeyDictionary[World, dict[str, GmvAccount]] = weakref.WeakKeyDictionary()


def account(world: World, advertiser_id: str) -> GmvAccount:
    """The advertiser's GMV Max account, built on first use; KeyError names an unknown advertiser."""
    per_world = _ACCOUNTS.setdefault(world, {})
    found = per_world.get(advertiser_id)
    if found is None:
        found = per_world[advertiser_id] = _build(world, world.advertiser(advertiser_id))
    return found


# ------------------------------------------------------------------------------------------- drawing
def _build(world: World, adv: Advertiser) -> GmvAccount:
    """Draw the stores, products and campaigns in a fixed order, then each campaign's delivery."""
    seed, index = world.config.seed, adv.index
    zone = adv.zone
    now = to_epoch(world.start_now)
    horizon = now + FUTURE_DAYS * SECONDS_PER_DAY
    first_day = local_date(now, zone) - timedelta(days=world.config.days - 1)
    history_start = to_epoch(datetime.combine(first_day, clock_time.min, tzinfo=zone))
    starts, exists = local_hour_slots(first_day, world.config.days + FUTURE_DAYS, zone)
    owner_bc_id = next(
        a["owner_bc_id"] for a in world.advertisers() if a["advertiser_id"] == adv.advertiser_id
    )
    grid = GmvAccount(adv, str(owner_bc_id), (), (), first_day, starts, exists)
    rng = seeded_rng(seed, "gmv_max", index)
    if index != 0 and rng.random() >= 0.5:
        return grid  # about half the advertisers sell through no TikTok Shop
    used = {adv.advertiser_id, *(e.entity_id for e in (*adv.campaigns, *adv.adgroups, *adv.ads))}
    used.update(str(a["audience_id"]) for a in adv.audiences)
    brand = _brand(adv.name)
    shop = _store(rng, used, seed, adv, 0, brand, grid.owner_bc_id, available=True)
    stores = [shop]
    if rng.random() < 0.3:  # a partner's shop the account can see but another account runs GMV Max for
        stores.append(_store(rng, used, seed, adv, 1, f"{brand} Outlet", "", available=False))
    count = int(rng.integers(1, 5))
    if index == 0:
        count = max(count, 3)  # the first advertiser always shows both types and a deleted campaign
    kinds = [PRODUCT_GMV_MAX, LIVE_GMV_MAX][:count]
    kinds += [PROMOTION_TYPES[int(rng.integers(0, 2))] for _ in range(count - len(kinds))]
    product_slots = [n for n, kind in enumerate(kinds) if kind == PRODUCT_GMV_MAX]
    campaigns = []
    for n, kind in enumerate(kinds):
        if kind == LIVE_GMV_MAX:
            products: tuple[Product, ...] = ()
            specific = "UNSET"
        elif len(product_slots) == 1:
            products, specific = shop.products, "ALL"
        else:  # several Product campaigns share the shop: each promotes its own products
            products = shop.products[product_slots.index(n) :: len(product_slots)]
            specific = "CUSTOMIZED_PRODUCTS"
        forced_delete = index == 0 and n == count - 1
        entity = _campaign_entity(rng, used, seed, adv, n, kind, history_start, now, horizon, forced_delete)
        deleted_at = next((c.at for c in entity.changes if c.field == "deleted"), None)
        campaign = GmvCampaign(
            entity=entity,
            promotion_type=kind,
            store=shop,
            roas_bid=float(rng.choice([2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0])),
            product_specific_type=specific,
            products=products,
            roi_protection_enabled=bool(rng.random() < 0.6),
            auto_budget_enabled=bool(rng.random() < 0.4),
            promotion_days_enabled=bool(rng.random() < 0.3),
            accelerate_testing=bool(rng.random() < 0.3),
            schedule_start=entity.created + int(rng.integers(0, 600)),
            deleted_at=deleted_at,
            exists=np.zeros(0, dtype=bool),
            hourly={},
            product_hourly={},
        )
        _deliver(campaign, grid, seeded_rng(seed, "gmv_max", index, "delivery", n))
        campaigns.append(campaign)
    grid.stores, grid.campaigns = tuple(stores), tuple(campaigns)
    return grid


def _brand(name: str) -> str:
    """The shop is named after the account's first word (names can be anything a user typed)."""
    words = name.split()
    return words[0] if words else "Shop"


def _store(
    rng: np.random.Generator,
    used: set[str],
    seed: int,
    adv: Advertiser,
    k: int,
    name: str,
    owner_bc_id: str,
    *,
    available: bool,
) -> Store:
    store_id = unique_id(used, seed, "gmv_max", adv.index, "store", k)
    handle = "".join(ch for ch in name.lower() if ch.isalnum()) or "shop"
    products = tuple(
        Product(
            item_group_id=(item := unique_id(used, seed, "gmv_max", adv.index, "product", k, p)),
            product_name=f"{name.split(' ')[0]} {_PRODUCT_NOUNS[int(rng.integers(0, len(_PRODUCT_NOUNS)))]}",
            product_image_url=f"https://shop-media.example.com/product/{item}.jpeg",
            product_status="unavailable" if rng.random() < 0.12 else "available",
        )
        for p in range(int(rng.integers(4, 9)))
    )
    partner_bc = str(
        7_100_000_000_000_000_000 + stable_hash(seed, adv.advertiser_id, "gmv_max", "bc", k) % 10**17
    )
    other_account = str(7_000_000_000_000_000_000 + stable_hash(seed, store_id, "exclusive") % 10**17)
    return Store(
        store_id=store_id,
        store_name=f"{name} Shop",
        store_code=f"{adv.profile.country}LC{stable_hash(store_id, 'code') % 10**6:06d}",
        region=adv.profile.country,
        bc_id=owner_bc_id if available else partner_bc,
        bc_name=f"{name.split(' ')[0]} Business Center" if available else f"{name} Partner Center",
        is_owner_bc=available,
        is_gmv_max_available=available,
        authorized_advertiser_id=adv.advertiser_id if available else other_account,
        authorized_advertiser_name=adv.name if available else f"{name} Ads",
        identity_id=unique_id(used, seed, "gmv_max", adv.index, "identity", k),
        identity_name=f"{handle}.official",
        products=products,
    )


def _campaign_entity(
    rng: np.random.Generator,
    used: set[str],
    seed: int,
    adv: Advertiser,
    n: int,
    kind: str,
    history_start: int,
    now: int,
    horizon: int,
    forced_delete: bool,
) -> Entity:
    """Creation, name, budget and a schedule of pauses, budget edits and maybe a deletion."""
    if forced_delete:  # created before the history and deleted inside it, so every world shows one
        created = history_start - int(rng.integers(1, 90)) * SECONDS_PER_DAY
    else:
        created = creation_time(rng, history_start, now, horizon, before_history=0.6)
    scale = MINOR_PER_USD.get(adv.profile.currency, 1.0)
    budget = float(round(float(rng.choice([50, 80, 100, 150, 200, 300, 500])) * scale))
    label = "Product" if kind == PRODUCT_GMV_MAX else "LIVE"
    name = f"{label} GMV Max - {THEMES[int(rng.integers(0, len(THEMES)))]} #{n + 1}"
    entity = Entity("campaign", unique_id(used, seed, "gmv_max", adv.index, "campaign", n), n, created,
                    name, budget, True, None, {})  # fmt: skip
    start = created + SECONDS_PER_HOUR
    changes: list[Change] = []
    if start < horizon:
        if rng.random() < 0.3:
            factor = (0.8, 1.25, 1.5)[int(rng.integers(0, 3))]
            changes.append(Change(int(rng.integers(start, horizon)), "budget", round(budget * factor)))
        if rng.random() < 0.25:
            paused = int(rng.integers(start, horizon))
            changes.append(Change(paused, "enabled", False))
            if rng.random() < 0.6 and paused + SECONDS_PER_HOUR < horizon:
                changes.append(Change(int(rng.integers(paused + SECONDS_PER_HOUR, horizon)), "enabled", True))
        deleted_at: int | None = None
        if forced_delete:
            low = max(start, history_start + SECONDS_PER_DAY)
            deleted_at = int(rng.integers(low, max(low + 1, now - SECONDS_PER_DAY)))
        elif rng.random() < 0.1:
            deleted_at = int(rng.integers(start + SECONDS_PER_DAY, max(start + SECONDS_PER_DAY + 1, horizon)))
        if deleted_at is not None:
            changes = [c for c in changes if c.at < deleted_at]
            changes.append(Change(deleted_at, "deleted", True))
    entity.changes = sorted(changes, key=lambda change: (change.at, change.field))
    return entity


# ------------------------------------------------------------------------------------------ delivery
def _deliver(campaign: GmvCampaign, grid: GmvAccount, rng: np.random.Generator) -> None:
    """Final hourly delivery: spend follows the budget in force, revenue the ROI target, numpy only.

    Every series is drawn with stochastic rounding to whole minor units or counts, so sums over any
    grouping are exact; products split each campaign series exactly (their rows add up to the campaign's).
    """
    starts = grid.slot_starts
    days = grid.days
    entity = campaign.entity
    slot_day = np.repeat(np.arange(days), 24)
    hour = np.tile(np.arange(24), days)
    weekday = np.array([_WEEKDAY[grid.day(d).weekday()] for d in range(days)])
    end = campaign.deleted_at if campaign.deleted_at is not None else np.iinfo(np.int64).max
    exists = grid.slot_exists & (starts + SECONDS_PER_HOUR > entity.created) & (starts < end)
    times = np.array([c.at for c in entity.changes], dtype=np.int64)
    states = [entity.state_at(entity.created)] + [entity.state_at(c.at) for c in entity.changes]
    which = np.searchsorted(times, starts, side="right")
    on = np.array([s.enabled and not s.deleted for s in states])[which]
    budget = np.array([s.budget for s in states])[which]
    active = exists & on & (starts + SECONDS_PER_HOUR > campaign.schedule_start)
    if campaign.promotion_type == LIVE_GMV_MAX:  # spend only while the shop is live, most evenings
        first = int(rng.integers(17, 21))
        length = int(rng.integers(3, 6))
        live_day = rng.random(days) < 0.85
        day_start = first + rng.integers(-1, 2, days)
        share = np.where(
            (hour >= day_start[slot_day]) & (hour < day_start[slot_day] + length), 1.0 / length, 0.0
        )
        active &= live_day[slot_day] & (share > 0)
    else:
        share = _HOUR_SHAPE[hour]
    minor = 10**grid.decimals
    per_usd = MINOR_PER_USD.get(grid.advertiser.profile.currency, 1.0) * minor
    use = rng.uniform(0.5, 1.0, days) * weekday
    cost_mean = budget * minor * use[slot_day] * share * active
    cost = _draw(rng, cost_mean)
    roi = campaign.roas_bid * rng.lognormal(0.05, 0.25, days)[slot_day] * rng.uniform(0.8, 1.2, len(starts))
    basket = rng.uniform(12.0, 45.0) * per_usd
    orders = _draw(rng, cost * roi / basket)
    revenue = _draw(rng, orders * basket * rng.uniform(0.85, 1.15, len(starts)))
    credit = rng.uniform(0.05, 0.3) if rng.random() < 0.3 else 0.0
    hourly = {
        "cost": cost,
        "net_cost": cost - _draw(rng, cost * credit),
        "gross_revenue": revenue,
        "orders": orders,
    }
    if campaign.promotion_type == LIVE_GMV_MAX:
        views = _draw(rng, cost / (rng.uniform(0.005, 0.03) * per_usd))
        hourly["live_views"] = views
        hourly["10_second_live_views"] = _draw(rng, views * rng.uniform(0.15, 0.35))
        hourly["live_follows"] = _draw(rng, views * rng.uniform(0.002, 0.01))
    else:
        zero = np.zeros(len(starts), dtype=np.int64)
        hourly.update({"live_views": zero, "10_second_live_views": zero, "live_follows": zero})
    campaign.exists, campaign.hourly = exists, hourly
    if campaign.products:
        count = len(campaign.products)
        cost_weights = rng.uniform(0.3, 3.0, count)[:, None] * rng.lognormal(0.0, 0.35, (count, days))
        sale_weights = rng.uniform(0.3, 3.0, count)[:, None] * rng.lognormal(0.0, 0.35, (count, days))
        campaign.product_hourly = {
            "cost": split_exactly(cost, cost_weights[:, slot_day]),
            "gross_revenue": split_exactly(revenue, sale_weights[:, slot_day]),
            "orders": split_exactly(orders, sale_weights[:, slot_day]),
        }


def _draw(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    """Stochastic rounding to whole units: a mean of 0 always gives 0."""
    drawn: np.ndarray = np.floor(mean + rng.random(mean.shape)).astype(np.int64)
    return drawn


def split_exactly(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer totals [slots] over rows by weights [rows, slots]; each column sums exactly to total."""
    cumulative = np.cumsum(weights, axis=0)
    bounds = np.floor(total[None, :] * (cumulative / cumulative[-1])).astype(np.int64)
    bounds[-1] = total
    parts: np.ndarray = np.diff(bounds, axis=0, prepend=np.zeros((1, total.shape[0]), dtype=np.int64))
    return parts


__all__ = [
    "LIVE_GMV_MAX",
    "PRODUCT_GMV_MAX",
    "PRODUCT_SERIES",
    "PROMOTION_TYPES",
    "SCHEDULE_YEARS_DAYS",
    "SERIES",
    "GmvAccount",
    "GmvCampaign",
    "Product",
    "Store",
    "account",
    "split_exactly",
]
