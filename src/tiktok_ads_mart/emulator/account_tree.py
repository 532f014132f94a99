"""The advertiser's object tree: what exists, how each object changes over time, and how it is drawn.

A campaign, ad group or ad (``Entity``) carries its whole schedule (creation, renames, budget changes,
pauses, deletion) from construction on, so the world's clock only chooses how much of it is visible and
moving the clock rebuilds nothing. ``build_advertiser`` draws one advertiser's tree from the seed; the
draws are ordered and must stay so, because every test and benchmark compares against the result.
How the tree is shown in TikTok's field names, and at which clock, is :mod:`tiktok_ads_mart.emulator.world`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tiktok_ads_mart.emulator.config import EmulatorConfig
from tiktok_ads_mart.emulator.ids import (
    AD_DEFAULTS,
    AD_TEXTS,
    ADGROUP_DEFAULTS,
    CAMPAIGN_DEFAULTS,
    CREATIVES,
    CTAS,
    CURRENCY_DECIMALS,
    OBJECTIVES,
    OPTIMIZATION,
    PROFILES,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    SEGMENTS,
    THEMES,
    AdvertiserProfile,
    build_audiences,
    child_creation,
    creation_time,
    format_utc,
    local_date,
    seeded_rng,
    stable_hash,
    to_epoch,
    unique_id,
)

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Change:
    """One scheduled edit of an object: it takes effect, and bumps ``modify_time``, at ``at``."""

    at: int
    field: str  # "name" | "budget" | "enabled" | "deleted" | "touch" (moves modify_time only)
    value: Any


@dataclass
class Entity:
    """A campaign, ad group or ad: fixed attributes plus the schedule of edits that the clock reveals."""

    kind: str
    entity_id: str
    index: int
    created: int
    name: str
    budget: float
    enabled: bool
    parent: Entity | None
    static: dict[str, Any]
    changes: list[Change] = field(default_factory=list)

    def state_at(self, now: int) -> EntityState:
        """Apply every change scheduled at or before ``now``."""
        name, budget, enabled, deleted, modified = self.name, self.budget, self.enabled, False, self.created
        for change in self.changes:
            if change.at > now:
                break
            modified = change.at
            if change.field == "name":
                name = str(change.value)
            elif change.field == "budget":
                budget = float(change.value)
            elif change.field == "enabled":
                enabled = bool(change.value)
            elif change.field == "deleted":
                deleted = True
        return EntityState(name, budget, enabled, deleted, modified)

    def ancestor(self, level: str) -> Entity:
        """This object or the parent at ``level`` (CAMPAIGN, ADGROUP or AD)."""
        node = self
        while node.kind != level.lower():
            assert node.parent is not None, level
            node = node.parent
        return node

    def deleted_at(self, now: int) -> bool:
        """Deleted itself or through a deleted parent (what a report's STATUS_NOT_DELETE drops)."""
        node: Entity | None = self
        while node is not None:
            if node.state_at(now).deleted:
                return True
            node = node.parent
        return False


@dataclass(frozen=True)
class EntityState:
    """What an object looks like at one instant."""

    name: str
    budget: float
    enabled: bool
    deleted: bool
    modified: int


@dataclass
class Advertiser:
    """One ad account with its object tree; its delivery is simulated lazily, on its first report."""

    index: int
    advertiser_id: str
    name: str
    profile: AdvertiserProfile
    created: int
    balance: float
    campaigns: list[Entity]
    adgroups: list[Entity]
    ads: list[Entity]  # ordered by campaign, then ad group: every parent's ads are contiguous
    audiences: list[dict[str, Any]]
    audience_history: dict[str, list[dict[str, Any]]]
    assets: dict[str, Any] = field(default_factory=dict)  # lookup indexes the asset endpoints build once
    smart_plus_ads: list[Entity] = field(default_factory=list)  # one per Upgraded Smart+ ad group

    @property
    def brand(self) -> str:
        """The brand the account is named after, which its ads show (``display_name``)."""
        return _BRANDS[self.index % len(_BRANDS)]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.profile.timezone)

    @property
    def currency_decimals(self) -> int:
        return CURRENCY_DECIMALS.get(self.profile.currency, 2)


def secondary_status(entity: Entity, state_of: Any) -> str:
    """TikTok's secondary_status, with a parent's deletion or pause cascaded onto its children."""
    prefix = {"campaign": "CAMPAIGN", "adgroup": "ADGROUP", "ad": "AD"}[entity.kind]
    own: EntityState = state_of(entity)
    if own.deleted:
        return f"{prefix}_STATUS_DELETE"
    ancestors: list[Entity] = []
    parent = entity.parent
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parent
    for ancestor in reversed(ancestors):  # the campaign outranks the ad group
        if state_of(ancestor).deleted:
            return f"{prefix}_STATUS_{ancestor.kind.upper()}_DELETE"
    if not own.enabled:
        return f"{prefix}_STATUS_DISABLE"
    for ancestor in reversed(ancestors):
        if not state_of(ancestor).enabled:
            return f"{prefix}_STATUS_{ancestor.kind.upper()}_DISABLE"
    return "CAMPAIGN_STATUS_ENABLE" if entity.kind == "campaign" else f"{prefix}_STATUS_DELIVERY_OK"


# ------------------------------------------------------------------------------------------- building
_BRANDS = ("Acme", "Nordlicht", "Sakura", "Thames", "Ipanema", "Lotus", "Coral", "Hudson")
_VERTICALS = ("Retail", "Games", "Apps", "Fashion", "Travel")
_BUDGET_MODES = ("BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL", "BUDGET_MODE_INFINITE")


def build_advertiser(
    config: EmulatorConfig, index: int, now: int, horizon: int, used_ids: set[str]
) -> Advertiser:
    """One advertiser's object tree; each advertiser draws from its own stream (order-independent).

    Every step draws from the one ``rng`` in a fixed order (the account, its audiences, the campaigns
    depth first, the balance), and ``used_ids`` settles ID collisions in that same order. Reordering any
    draw changes every world, and tests and benchmarks compare against those worlds.
    """
    rng = seeded_rng(config.seed, "advertiser", index)
    profile = PROFILES[index % len(PROFILES)]
    created = now - int(rng.integers(400, 1500)) * SECONDS_PER_DAY - int(rng.integers(0, SECONDS_PER_DAY))
    advertiser_id = unique_id(used_ids, config.seed, "advertiser", index)
    audiences, audience_history = build_audiences(
        config.seed, config.audiences_per_advertiser, index, advertiser_id, rng, now, horizon, used_ids
    )
    live_audiences = [a["audience_id"] for a in audiences if a["create_time"] <= format_utc(now)]
    tree = _TreeBuilder(config, index, rng, profile, now, horizon, used_ids, live_audiences)
    for c in range(config.campaigns_per_advertiser):
        tree.add_campaign(c)
    return tree.advertiser_record(advertiser_id, created, audiences, audience_history)


def _advertiser_name(config: EmulatorConfig, index: int, profile: AdvertiserProfile) -> str:
    """A plausible account name, unless a test or a user chose one (hostile ones included)."""
    if index < len(config.advertiser_names):
        return config.advertiser_names[index]
    return f"{_BRANDS[index % len(_BRANDS)]} {profile.country} {_VERTICALS[index % len(_VERTICALS)]}"


@dataclass
class _TreeBuilder:
    """One advertiser's campaigns, ad groups and ads, grown depth first from the advertiser's stream.

    Each object draws its creation time, then its attributes, then its schedule; its children follow
    before the next sibling. Ad groups and ads are numbered across the whole advertiser, which is why
    the lists live here rather than in each step.
    """

    config: EmulatorConfig
    index: int
    rng: np.random.Generator
    profile: AdvertiserProfile
    now: int
    horizon: int
    used_ids: set[str]
    audience_ids: list[str]
    campaigns: list[Entity] = field(default_factory=list)
    adgroups: list[Entity] = field(default_factory=list)
    ads: list[Entity] = field(default_factory=list)
    history_start: int = field(init=False)

    def __post_init__(self) -> None:
        """Campaigns are mostly older than the history; it starts at local midnight, ``days`` days back."""
        zone = ZoneInfo(self.profile.timezone)
        midnight = datetime.combine(local_date(self.now, zone), datetime.min.time(), tzinfo=zone)
        self.history_start = to_epoch(midnight - timedelta(days=self.config.days - 1))

    @property
    def brand(self) -> str:
        """Ads show the brand the account is named after."""
        return _BRANDS[self.index % len(_BRANDS)]

    @property
    def scale(self) -> float:
        """Money in currencies without minor units (JPY, KRW) is drawn a hundred times larger."""
        return 100.0 if CURRENCY_DECIMALS.get(self.profile.currency, 2) == 0 else 1.0

    def add_campaign(self, c: int) -> None:
        """Campaign ``c`` (objectives cycle across campaigns and advertisers) and everything under it."""
        rng = self.rng
        objective = OBJECTIVES[(c + self.index) % len(OBJECTIVES)]
        created = creation_time(rng, self.history_start, self.now, self.horizon, before_history=0.7)
        budget_mode = _BUDGET_MODES[int(rng.integers(0, 3))]
        budget = (
            0.0 if budget_mode == "BUDGET_MODE_INFINITE" else float(rng.integers(5, 200)) * 50 * self.scale
        )
        campaign = Entity(
            "campaign",
            unique_id(self.used_ids, self.config.seed, self.index, "campaign", c),
            c,
            created,
            f"{THEMES[int(rng.integers(0, len(THEMES)))]} - {objective.replace('_', ' ').title()} - "
            f"{self.profile.country} #{c + 1}",
            budget,
            bool(rng.random() < 0.97),
            None,
            _campaign_static(objective, budget_mode),
        )
        _schedule(rng, campaign, self.now, self.horizon, delete_p=0.12, budget=True)
        self.campaigns.append(campaign)
        for g in range(self.config.adgroups_per_campaign):
            self.add_adgroup(campaign, objective, c, g)

    def add_adgroup(self, campaign: Entity, objective: str, c: int, g: int) -> None:
        """Ad group ``g`` of campaign ``c``, optimised for the campaign's objective, and its ads."""
        rng = self.rng
        created = child_creation(rng, campaign.created, self.horizon)
        budget = float(rng.integers(2, 60)) * 25 * self.scale
        bid = round(float(rng.integers(50, 900)) / 100 * self.scale, 2)
        adgroup = Entity(
            "adgroup",
            unique_id(self.used_ids, self.config.seed, self.index, "adgroup", c, g),
            len(self.adgroups),
            created,
            f"{SEGMENTS[int(rng.integers(0, len(SEGMENTS)))]} | {self.profile.country} | AG{g + 1}",
            budget,
            bool(rng.random() < 0.97),
            campaign,
            self._adgroup_static(g, created, objective, bid),
        )
        _schedule(rng, adgroup, self.now, self.horizon, delete_p=0.08, budget=True)
        self.adgroups.append(adgroup)
        for a in range(self.config.ads_per_adgroup):
            self.add_ad(adgroup, c, g, a)

    def add_ad(self, adgroup: Entity, c: int, g: int, a: int) -> None:
        """Ad ``a`` of ad group ``g`` in campaign ``c``: one creative with its text and call to action."""
        rng = self.rng
        created = child_creation(rng, adgroup.created, self.horizon)
        creative = CREATIVES[int(rng.integers(0, len(CREATIVES)))]
        ad_id = unique_id(self.used_ids, self.config.seed, self.index, "ad", c, g, a)
        ad = Entity(
            "ad",
            ad_id,
            len(self.ads),
            created,
            f"{creative} v{a + 1}",
            0.0,
            bool(rng.random() < 0.97),
            adgroup,
            {
                **AD_DEFAULTS,
                "ad_text": AD_TEXTS[int(rng.integers(0, len(AD_TEXTS)))],
                "call_to_action": CTAS[int(rng.integers(0, len(CTAS)))],
                "video_id": f"v10033g50000{stable_hash(ad_id, 'video') % 10**12:012d}",
                "identity_id": str(7_400_000_000_000_000_000 + self.index),
                "display_name": self.brand,
                "landing_page_url": f"https://www.{self.brand.lower()}.example/p/{created % 100000}",
            },
        )
        _schedule(rng, ad, self.now, self.horizon, delete_p=0.08, budget=False)
        self.ads.append(ad)

    def advertiser_record(
        self,
        advertiser_id: str,
        created: int,
        audiences: list[dict[str, Any]],
        audience_history: dict[str, list[dict[str, Any]]],
    ) -> Advertiser:
        """The account itself, drawn last: its balance comes after every campaign's draws."""
        name = _advertiser_name(self.config, self.index, self.profile)
        balance = round(float(self.rng.integers(1000, 500000)) * self.scale, 2)
        return Advertiser(
            self.index,
            advertiser_id,
            name,
            self.profile,
            created,
            balance,
            self.campaigns,
            self.adgroups,
            self.ads,
            audiences,
            audience_history,
        )

    def _adgroup_static(self, g: int, created: int, objective: str, bid: float) -> dict[str, Any]:
        """Fields fixed at creation; placements and targeting alternate so both shapes are served."""
        goal, billing, promotion = OPTIMIZATION[objective]
        profile, audience_ids = self.profile, self.audience_ids
        return {
            **ADGROUP_DEFAULTS,
            "schedule_start_time": format_utc(created),
            "schedule_end_time": format_utc(created + 400 * SECONDS_PER_DAY),
            "optimization_goal": goal,
            "optimization_event": "SHOPPING" if goal == "CONVERT" else None,
            "billing_event": billing,
            "bid_type": "BID_TYPE_NO_BID" if billing == "OCPM" else "BID_TYPE_CUSTOM",
            "bid_price": 0.0 if billing == "OCPM" else bid,
            "conversion_bid_price": bid if billing == "OCPM" else 0.0,
            "placement_type": ("PLACEMENT_TYPE_AUTOMATIC", "PLACEMENT_TYPE_NORMAL")[g % 2],
            "placements": ["PLACEMENT_TIKTOK"] if g % 2 else ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"],
            "promotion_type": promotion,
            "app_id": str(7_200_000_000_000_000_000 + self.index) if promotion == "APP" else None,
            "pixel_id": None if promotion == "APP" else str(7_300_000_000_000_000_000 + self.index),
            "location_ids": [str(6_000_000 + stable_hash(m) % 999_999) for m in profile.markets[:2]],
            "languages": [profile.language],
            "audience_ids": audience_ids[g % max(1, len(audience_ids)) :][:1] if audience_ids else [],
            "operating_systems": ["ANDROID", "IOS"] if promotion != "APP" else ["ANDROID"],
        }


def _campaign_static(objective: str, budget_mode: str) -> dict[str, Any]:
    """Fields fixed at creation, derived from the objective and budget mode (no draws)."""
    return {
        **CAMPAIGN_DEFAULTS,
        "objective_type": objective,
        "objective": "APP" if objective == "APP_PROMOTION" else "LANDING_PAGE",
        "app_promotion_type": "APP_INSTALL" if objective == "APP_PROMOTION" else "UNSET",
        "budget_mode": budget_mode,
        "budget_optimize_on": budget_mode != "BUDGET_MODE_INFINITE",
    }


def _schedule(
    rng: np.random.Generator, entity: Entity, now: int, horizon: int, *, delete_p: float, budget: bool
) -> None:
    """Draw renames, budget edits, pauses and maybe a deletion; a share falls near ``now`` on purpose."""
    start = entity.created + SECONDS_PER_HOUR
    if start >= horizon:
        return

    def moment() -> int:
        if rng.random() < 0.35:  # recently modified or about to be: what incremental syncs must catch
            low = max(start, now - 3 * SECONDS_PER_DAY)
            return int(rng.integers(low, max(low + 1, horizon)))
        return int(rng.integers(start, horizon))

    changes: list[Change] = []
    if rng.random() < 0.3:
        changes.append(Change(moment(), "name", f"{entity.name} (edited)"))
    if budget and entity.budget > 0 and rng.random() < 0.3:
        factor = (0.8, 1.25, 1.5)[int(rng.integers(0, 3))]
        changes.append(Change(moment(), "budget", round(entity.budget * factor, 2)))
    if rng.random() < 0.08:
        paused = moment()
        changes.append(Change(paused, "enabled", False))
        if rng.random() < 0.7 and paused + SECONDS_PER_HOUR < horizon:
            changes.append(Change(int(rng.integers(paused + SECONDS_PER_HOUR, horizon)), "enabled", True))
    if rng.random() < delete_p:
        deleted_at = moment()
        changes = [change for change in changes if change.at < deleted_at]
        changes.append(Change(deleted_at, "deleted", True))
    entity.changes = sorted(changes, key=lambda change: (change.at, change.field))


__all__ = [
    "Advertiser",
    "Change",
    "Entity",
    "EntityState",
    "build_advertiser",
    "secondary_status",
]
