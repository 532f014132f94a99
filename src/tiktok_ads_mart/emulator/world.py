"""The emulator's fake TikTok Ads account: advertisers, campaigns, ad groups, ads, audiences and a clock.

Everything derives from ``EmulatorConfig.seed`` and the sizes, so two worlds built from equal configs
answer every call with equal bytes. Objects carry a schedule (creation, renames, budget changes, pauses,
deletion) fixed at construction; the clock (``set_now``) only decides how much of that schedule is
visible, which is why moving it is cheap and why incremental syncs can be tested against it. Schedules
and delivery are simulated up to ``FUTURE_DAYS`` past the configured ``now``; beyond that nothing new
happens.

Delivery (an hourly fine grain per ad, simulated from these schedules) lives in
:mod:`tiktok_ads_mart.emulator.delivery`, its exact aggregation into reports in
:mod:`tiktok_ads_mart.emulator.reports`; what each metric means is in
:mod:`tiktok_ads_mart.emulator.catalog`; the random generation itself in :mod:`tiktok_ads_mart.emulator.ids`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tiktok_ads_mart.emulator.catalog import metric_specs
from tiktok_ads_mart.emulator.config import EmulatorConfig, resolve_now
from tiktok_ads_mart.emulator.delivery import AccountData, FineGrain
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
    secret_hex,
    seeded_rng,
    stable_hash,
    to_epoch,
    unique_id,
)
from tiktok_ads_mart.emulator.reports import ReportCache, ReportParamError, ReportResult, execute, validate

FUTURE_DAYS = 7
"""Days of schedule and delivery simulated past the configured ``now``, so ``set_now`` can move forward."""


@dataclass(frozen=True)
class Change:
    """One scheduled edit of an object: it takes effect, and bumps ``modify_time``, at ``at``."""

    at: int
    field: str  # "name" | "budget" | "enabled" | "deleted"
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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.profile.timezone)

    @property
    def currency_decimals(self) -> int:
        return CURRENCY_DECIMALS.get(self.profile.currency, 2)


class World:
    """The deterministic fake account tree plus its clock; the public face used by the HTTP layer.

    - ``now`` / ``set_now(dt)``: the clock. Objects appear once ``create_time <= now``; scheduled edits
      apply (and bump ``modify_time``) once ``now`` passes them; report hours that have not ended by
      ``now`` have no data; attributed conversions of the last 7 days grow towards their final value.
    - ``advertisers()``, ``campaigns(adv)``, ``adgroups(adv)``, ``ads(adv)``, ``audiences(adv)``,
      ``audience_history(adv, audience_id)``: objects in TikTok's field names, deleted ones included
      (secondary_status ``*_DELETE`` or cascaded ``*_CAMPAIGN_DELETE``/``*_ADGROUP_DELETE``). The lists are
      cached per clock value: treat the dicts as read-only.
    - ``report(...)`` -> ``ReportResult`` (``total``, ``page(page, page_size)``, ``rows()``, ``totals()``);
      ``metric_catalog``: every accepted metric name.
    - Ground truth for tests: ``fine_grain(adv)`` (base series per ad x local hour at now) and
      ``ad_parents(adv)`` (ad -> ad group, campaign).
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._start_now = resolve_now(config.now)
        self._now = self._start_now
        self._now_epoch = to_epoch(self._now)
        seed = config.seed
        self.app_id = str(7_000_000_000_000_000_000 + stable_hash(seed, "app") % 10**18)
        self.secret = secret_hex(seed, "app-secret")
        self._horizon = to_epoch(self._start_now) + FUTURE_DAYS * SECONDS_PER_DAY
        self._advertisers: dict[str, Advertiser] = {}
        used_ids: set[str] = set()
        for index in range(config.advertisers):
            advertiser = _build_advertiser(config, index, to_epoch(self._start_now), self._horizon, used_ids)
            self._advertisers[advertiser.advertiser_id] = advertiser
        self.advertiser_ids: list[str] = list(self._advertisers)
        self._render_cache: dict[tuple[str, str], tuple[int, list[dict[str, Any]]]] = {}
        self._accounts: dict[str, AccountData] = {}
        self._reports = ReportCache()

    # ----------------------------------------------------------------------------------- clock
    @property
    def now(self) -> datetime:
        """The emulator clock (aware UTC)."""
        return self._now

    @property
    def now_epoch(self) -> int:
        return self._now_epoch

    @property
    def start_now(self) -> datetime:
        """The clock the world was built around; schedules and delivery extend FUTURE_DAYS past it."""
        return self._start_now

    def set_now(self, moment: datetime) -> None:
        """Move the clock (either way). O(1): caches are keyed by the clock, nothing is rebuilt."""
        self._now = resolve_now(moment)
        self._now_epoch = to_epoch(self._now)

    # ----------------------------------------------------------------------------------- objects
    def advertiser(self, advertiser_id: str) -> Advertiser:
        """The internal advertiser record; KeyError names an unknown id."""
        try:
            return self._advertisers[advertiser_id]
        except KeyError:
            raise KeyError(f"unknown advertiser_id {advertiser_id}") from None

    def advertisers(self) -> list[dict[str, Any]]:
        """``/advertiser/info/`` objects of every advertiser (create_time as epoch seconds, as TikTok)."""
        return [_render_advertiser(adv) for adv in self._advertisers.values()]

    def campaigns(self, advertiser_id: str) -> list[dict[str, Any]]:
        """Every campaign created at or before now, deleted ones included, in TikTok's field names."""
        return self._rendered(advertiser_id, "campaign")

    def adgroups(self, advertiser_id: str) -> list[dict[str, Any]]:
        """Every ad group created at or before now, deleted ones included."""
        return self._rendered(advertiser_id, "adgroup")

    def ads(self, advertiser_id: str) -> list[dict[str, Any]]:
        """Every ad created at or before now, deleted ones included."""
        return self._rendered(advertiser_id, "ad")

    def audiences(self, advertiser_id: str) -> list[dict[str, Any]]:
        """Custom audiences created at or before now (``dmp/custom_audience/list/`` items)."""
        now_text = format_utc(self._now_epoch)
        return [a for a in self.advertiser(advertiser_id).audiences if a["create_time"] <= now_text]

    def audience_history(self, advertiser_id: str, audience_id: str) -> list[dict[str, Any]]:
        """``audience_history`` entries of one audience visible at now (newest first); [] if unknown."""
        now_text = format_utc(self._now_epoch)
        history = self.advertiser(advertiser_id).audience_history.get(audience_id, [])
        return [entry for entry in history if entry["opt_time"] <= now_text]

    def ad_parents(self, advertiser_id: str) -> dict[str, tuple[str, str]]:
        """Ground truth for tests: ad_id -> (adgroup_id, campaign_id), every ad including future ones."""
        result: dict[str, tuple[str, str]] = {}
        for ad in self.advertiser(advertiser_id).ads:
            adgroup = ad.parent
            assert adgroup is not None and adgroup.parent is not None
            result[ad.entity_id] = (adgroup.entity_id, adgroup.parent.entity_id)
        return result

    # ----------------------------------------------------------------------------------- reports
    @property
    def metric_catalog(self) -> frozenset[str]:
        """Every metric name a report accepts (all of report-metrics.txt)."""
        return frozenset(metric_specs())

    def report(
        self,
        advertiser_id: str,
        *,
        report_type: str | None,
        data_level: str | None,
        dimensions: Sequence[str] | None,
        metrics: Sequence[str] | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        query_lifetime: bool = False,
        include_deleted: bool = False,
        filters: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[str]] | None = None,
        order_field: str | None = None,
        order_type: str | None = None,
    ) -> ReportResult:
        """A synchronous BASIC or AUDIENCE report as TikTok computes it, at the current clock.

        Validates like TikTok (ReportParamError names the parameter; the HTTP layer answers 40002).
        ``include_deleted`` is what ``*_status IN ["STATUS_ALL"]`` asks for; ``filters`` are the other
        ``filtering`` entries (``campaign_ids``/``adgroup_ids``/``ad_ids`` IN lists). Results are cached per
        (advertiser, query, clock), so paging through one query formats only the requested page.
        ``order_field``/``order_type`` (ASC or DESC, the default) sort rows by a non-attribute metric.
        """
        if advertiser_id not in self._advertisers:
            raise ReportParamError(f"advertiser_id: unknown advertiser {advertiser_id}")
        query = validate(
            report_type=report_type,
            data_level=data_level,
            dimensions=dimensions,
            metrics=metrics,
            start_date=start_date,
            end_date=end_date,
            query_lifetime=query_lifetime,
            include_deleted=include_deleted,
            filters=filters,
            order_field=order_field,
            order_type=order_type,
        )
        key = (advertiser_id, query, self._now_epoch)
        result = self._reports.get(key)
        if result is None:
            result = execute(self.account_data(advertiser_id), query, self._now_epoch)
            self._reports.put(key, result)
        return result

    def account_data(self, advertiser_id: str) -> AccountData:
        """The advertiser's fine grain, simulated on first use (the only expensive step: about half a
        second and 150 MB for 1000 ads x 67 days) and kept for the life of the world."""
        data = self._accounts.get(advertiser_id)
        if data is None:
            adv = self.advertiser(advertiser_id)
            first_day = local_date(to_epoch(self._start_now), adv.zone) - timedelta(days=self.config.days - 1)
            data = AccountData(adv, self.config.seed, first_day, self.config.days + FUTURE_DAYS)
            self._accounts[advertiser_id] = data
        return data

    def fine_grain(self, advertiser_id: str) -> FineGrain:
        """Ground truth for tests: every base series per ad and local hour, as seen at the current clock.

        ``values[name]`` is int64 [ads, hours]; rows follow ``ad_ids`` (ads grouped by ad group and
        campaign, see :meth:`ad_parents`), columns follow ``hours`` ("YYYY-MM-DD HH:00:00" local). Any
        report's additive metrics are sums of these (derived counters: per-ad linear maps of them).
        Everything is materialised as int64 (29 series x ads x hours), so keep to small test worlds.
        """
        return self.account_data(advertiser_id).fine_grain(self._now_epoch)

    def _rendered(self, advertiser_id: str, kind: str) -> list[dict[str, Any]]:
        key = (advertiser_id, kind)
        cached = self._render_cache.get(key)
        if cached is not None and cached[0] == self._now_epoch:
            return list(cached[1])
        adv = self.advertiser(advertiser_id)
        now = self._now_epoch
        entities = {"campaign": adv.campaigns, "adgroup": adv.adgroups, "ad": adv.ads}[kind]
        states: dict[str, EntityState] = {}

        def state(entity: Entity) -> EntityState:
            found = states.get(entity.entity_id)
            if found is None:
                found = states[entity.entity_id] = entity.state_at(now)
            return found

        rendered = [_render_entity(adv, entity, state) for entity in entities if entity.created <= now]
        self._render_cache[key] = (now, rendered)
        return list(rendered)


# ------------------------------------------------------------------------------------------- rendering
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


def _render_entity(adv: Advertiser, entity: Entity, state_of: Any) -> dict[str, Any]:
    own: EntityState = state_of(entity)
    out: dict[str, Any] = {"advertiser_id": adv.advertiser_id}
    chain: list[Entity] = []
    node: Entity | None = entity
    while node is not None:
        chain.append(node)
        node = node.parent
    for ancestor in reversed(chain):
        ancestor_state: EntityState = state_of(ancestor)
        out[f"{ancestor.kind}_id"] = ancestor.entity_id
        out[f"{ancestor.kind}_name"] = ancestor_state.name
    out.update(entity.static)
    if entity.kind != "ad":
        out["budget"] = own.budget
    out["operation_status"] = "ENABLE" if own.enabled and not own.deleted else "DISABLE"
    out["secondary_status"] = secondary_status(entity, state_of)
    out["create_time"] = format_utc(entity.created)
    out["modify_time"] = format_utc(own.modified)
    return out


def _render_advertiser(adv: Advertiser) -> dict[str, Any]:
    profile = adv.profile
    digits = stable_hash(adv.advertiser_id, "phone") % 10**4
    return {
        "advertiser_id": adv.advertiser_id,
        "name": adv.name,
        "status": "STATUS_ENABLE",
        "role": "ROLE_ADVERTISER",
        "currency": profile.currency,
        "timezone": profile.timezone,
        "display_timezone": profile.timezone,
        "balance": adv.balance,
        "create_time": adv.created,
        "company": f"{adv.name.split(' ')[0]} Holdings",
        "industry": "290303",
        "address": f"{10 + adv.index} Market Street",
        "country": profile.country,
        "language": profile.language,
        "contacter": "Al***",
        "email": f"ad***@example{adv.index}.com",
        "cellphone_number": f"+1***{digits:04d}",
        "telephone_number": f"+1***{digits:04d}",
        "license_no": f"LIC-{stable_hash(adv.advertiser_id, 'lic') % 10**8:08d}",
        "license_url": "",
        "description": "",
        "rejection_reason": "",
        "owner_bc_id": str(7_100_000_000_000_000_000 + stable_hash(adv.advertiser_id, "bc") % 10**17),
        "advertiser_account_type": "AUCTION",
    }


# ------------------------------------------------------------------------------------------- building
def _build_advertiser(
    config: EmulatorConfig, index: int, now: int, horizon: int, used_ids: set[str]
) -> Advertiser:
    """One advertiser's object tree; each advertiser draws from its own stream (order-independent)."""
    rng = seeded_rng(config.seed, "advertiser", index)
    profile = PROFILES[index % len(PROFILES)]
    created = now - int(rng.integers(400, 1500)) * SECONDS_PER_DAY - int(rng.integers(0, SECONDS_PER_DAY))
    advertiser_id = unique_id(created, used_ids, config.seed, "advertiser", index)
    brand = ("Acme", "Nordlicht", "Sakura", "Thames", "Ipanema", "Lotus", "Coral", "Hudson")[index % 8]
    history_start = to_epoch(
        datetime.combine(
            local_date(now, ZoneInfo(profile.timezone)),
            datetime.min.time(),
            tzinfo=ZoneInfo(profile.timezone),
        )
        - timedelta(days=config.days - 1)
    )
    decimals = CURRENCY_DECIMALS.get(profile.currency, 2)
    scale = 100.0 if decimals == 0 else 1.0
    audiences, audience_history = build_audiences(
        config.seed, config.audiences_per_advertiser, index, advertiser_id, rng, now, horizon, used_ids
    )
    audience_ids = [a["audience_id"] for a in audiences if a["create_time"] <= format_utc(now)]
    campaigns: list[Entity] = []
    adgroups: list[Entity] = []
    ads: list[Entity] = []
    for c in range(config.campaigns_per_advertiser):
        objective = OBJECTIVES[(c + index) % len(OBJECTIVES)]
        c_created = creation_time(rng, history_start, now, horizon, before_history=0.7)
        budget_mode = ("BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL", "BUDGET_MODE_INFINITE")[
            int(rng.integers(0, 3))
        ]
        c_budget = 0.0 if budget_mode == "BUDGET_MODE_INFINITE" else float(rng.integers(5, 200)) * 50 * scale
        campaign = Entity(
            "campaign",
            unique_id(c_created, used_ids, config.seed, index, "campaign", c),
            c,
            c_created,
            f"{THEMES[int(rng.integers(0, len(THEMES)))]} - {objective.replace('_', ' ').title()} - "
            f"{profile.country} #{c + 1}",
            c_budget,
            bool(rng.random() < 0.97),
            None,
            {
                **CAMPAIGN_DEFAULTS,
                "objective_type": objective,
                "objective": "APP" if objective == "APP_PROMOTION" else "LANDING_PAGE",
                "app_promotion_type": "APP_INSTALL" if objective == "APP_PROMOTION" else "UNSET",
                "budget_mode": budget_mode,
                "budget_optimize_on": budget_mode != "BUDGET_MODE_INFINITE",
            },
        )
        _schedule(rng, campaign, now, horizon, delete_p=0.12, budget=True)
        campaigns.append(campaign)
        goal, billing, promotion = OPTIMIZATION[objective]
        for g in range(config.adgroups_per_campaign):
            g_created = child_creation(rng, campaign.created, horizon)
            g_budget = float(rng.integers(2, 60)) * 25 * scale
            bid = round(float(rng.integers(50, 900)) / 100 * scale, 2)
            adgroup = Entity(
                "adgroup",
                unique_id(g_created, used_ids, config.seed, index, "adgroup", c, g),
                len(adgroups),
                g_created,
                f"{SEGMENTS[int(rng.integers(0, len(SEGMENTS)))]} | {profile.country} | AG{g + 1}",
                g_budget,
                bool(rng.random() < 0.97),
                campaign,
                {
                    **ADGROUP_DEFAULTS,
                    "schedule_start_time": format_utc(g_created),
                    "schedule_end_time": format_utc(g_created + 400 * SECONDS_PER_DAY),
                    "optimization_goal": goal,
                    "optimization_event": "SHOPPING" if goal == "CONVERT" else None,
                    "billing_event": billing,
                    "bid_type": "BID_TYPE_NO_BID" if billing == "OCPM" else "BID_TYPE_CUSTOM",
                    "bid_price": 0.0 if billing == "OCPM" else bid,
                    "conversion_bid_price": bid if billing == "OCPM" else 0.0,
                    "placement_type": ("PLACEMENT_TYPE_AUTOMATIC", "PLACEMENT_TYPE_NORMAL")[g % 2],
                    "placements": ["PLACEMENT_TIKTOK"] if g % 2 else ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"],
                    "promotion_type": promotion,
                    "app_id": str(7_200_000_000_000_000_000 + index) if promotion == "APP" else None,
                    "pixel_id": None if promotion == "APP" else str(7_300_000_000_000_000_000 + index),
                    "location_ids": [str(6_000_000 + stable_hash(m) % 999_999) for m in profile.markets[:2]],
                    "languages": [profile.language],
                    "audience_ids": audience_ids[g % max(1, len(audience_ids)) :][:1] if audience_ids else [],
                    "operating_systems": ["ANDROID", "IOS"] if promotion != "APP" else ["ANDROID"],
                },
            )
            _schedule(rng, adgroup, now, horizon, delete_p=0.08, budget=True)
            adgroups.append(adgroup)
            for a in range(config.ads_per_adgroup):
                a_created = child_creation(rng, adgroup.created, horizon)
                creative = CREATIVES[int(rng.integers(0, len(CREATIVES)))]
                ad_id = unique_id(a_created, used_ids, config.seed, index, "ad", c, g, a)
                ad = Entity(
                    "ad",
                    ad_id,
                    len(ads),
                    a_created,
                    f"{creative} v{a + 1}",
                    0.0,
                    bool(rng.random() < 0.97),
                    adgroup,
                    {
                        **AD_DEFAULTS,
                        "ad_text": AD_TEXTS[int(rng.integers(0, len(AD_TEXTS)))],
                        "call_to_action": CTAS[int(rng.integers(0, len(CTAS)))],
                        "video_id": f"v10033g50000{stable_hash(ad_id, 'video') % 10**12:012d}",
                        "identity_id": str(7_400_000_000_000_000_000 + index),
                        "display_name": brand,
                        "landing_page_url": f"https://www.{brand.lower()}.example/p/{a_created % 100000}",
                    },
                )
                _schedule(rng, ad, now, horizon, delete_p=0.08, budget=False)
                ads.append(ad)
    name = f"{brand} {profile.country} {('Retail', 'Games', 'Apps', 'Fashion', 'Travel')[index % 5]}"
    if index < len(config.advertiser_names):  # names a test or a user chose, hostile ones included
        name = config.advertiser_names[index]
    balance = round(float(rng.integers(1000, 500000)) * scale, 2)
    return Advertiser(
        index,
        advertiser_id,
        name,
        profile,
        created,
        balance,
        campaigns,
        adgroups,
        ads,
        audiences,
        audience_history,
    )


def _schedule(rng: Any, entity: Entity, now: int, horizon: int, *, delete_p: float, budget: bool) -> None:
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
    "FUTURE_DAYS",
    "Advertiser",
    "Change",
    "Entity",
    "EntityState",
    "FineGrain",
    "World",
    "secondary_status",
]
