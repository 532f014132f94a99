"""The emulator's fake TikTok Ads account: advertisers, campaigns, ad groups, ads, audiences and a clock.

Everything derives from ``EmulatorConfig.seed`` and the sizes, so two worlds built from equal configs
answer every call with equal bytes. Objects carry a schedule (creation, renames, budget changes, pauses,
deletion) fixed at construction; the clock (``set_now``) only decides how much of that schedule is
visible, which is why moving it is cheap and why incremental syncs can be tested against it. Schedules
and delivery are simulated up to ``FUTURE_DAYS`` past the configured ``now``; beyond that nothing new
happens. This module is the clock and the views of the tree in TikTok's field names.

The objects and how they are drawn live in :mod:`tiktok_ads_mart.emulator.account_tree` (the random
helpers and constants in :mod:`tiktok_ads_mart.emulator.ids`); delivery (an hourly fine grain per ad,
simulated from the schedules) in :mod:`tiktok_ads_mart.emulator.delivery`, its exact aggregation into
reports in :mod:`tiktok_ads_mart.emulator.reports`; what each metric means in
:mod:`tiktok_ads_mart.emulator.catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from tiktok_ads_mart.emulator import creatives, smart_plus
from tiktok_ads_mart.emulator.account_tree import (
    Advertiser,
    Change,
    Entity,
    EntityState,
    build_advertiser,
    secondary_status,
)
from tiktok_ads_mart.emulator.catalog import metric_specs
from tiktok_ads_mart.emulator.config import EmulatorConfig, resolve_now
from tiktok_ads_mart.emulator.delivery import AccountData, FineGrain
from tiktok_ads_mart.emulator.ids import (
    SECONDS_PER_DAY,
    format_utc,
    local_date,
    owner_bc_id,
    secret_hex,
    stable_hash,
    to_epoch,
)
from tiktok_ads_mart.emulator.report_validation import (
    ReportParamError,
    ReportRequest,
    validate,
)
from tiktok_ads_mart.emulator.reports import AD_CAP, ReportCache, ReportResult, execute

FUTURE_DAYS = 7
"""Days of schedule and delivery simulated past the configured ``now``, so ``set_now`` can move forward."""


class World:
    """The deterministic fake account tree plus its clock; the public face used by the HTTP layer.

    - ``now`` / ``set_now(dt)``: the clock. Objects appear once ``create_time <= now``; scheduled edits
      apply (and bump ``modify_time``) once ``now`` passes them; report hours that have not ended by
      ``now`` have no data; attributed conversions of the last 7 days grow towards their final value.
    - ``advertisers()``, ``campaigns(adv)``, ``adgroups(adv)``, ``ads(adv)``, ``audiences(adv)``,
      ``audience_history(adv, audience_id)``: objects in TikTok's field names, deleted ones included
      (secondary_status ``*_DELETE`` or cascaded ``*_CAMPAIGN_DELETE``/``*_ADGROUP_DELETE``). The lists are
      cached per clock value: treat the dicts as read-only.
    - ``smart_plus_ads(adv)`` (``smart_plus/ad/get/`` items, deleted ones included) and ``ad_level_ads(adv)``
      (``ad/get/`` with ``ad_ids_v2``): Upgraded Smart+ ads, whose creatives are among ``ads(adv)``.
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
            advertiser = build_advertiser(config, index, to_epoch(self._start_now), self._horizon, used_ids)
            self._advertisers[advertiser.advertiser_id] = advertiser
        for advertiser in self._advertisers.values():  # after every id was drawn: none of those can move
            creatives.decorate(advertiser)
            smart_plus.attach(advertiser, seed, used_ids)
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

    def smart_plus_ads(self, advertiser_id: str) -> list[dict[str, Any]]:
        """Upgraded Smart+ ads created at or before now (``smart_plus/ad/get/`` items), deleted ones
        included; their creatives are among :meth:`ads`."""
        return self._rendered(advertiser_id, "smart_plus_ad")

    def ad_level_ads(self, advertiser_id: str) -> list[dict[str, Any]]:
        """The ad level of ``ad/get/`` with ``ad_ids_v2``: manual ads as in :meth:`ads`, and each Upgraded
        Smart+ ad in the place of its creatives."""
        return smart_plus.ad_level_rows(self.ads(advertiser_id), self.smart_plus_ads(advertiser_id))

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
        synchronous: bool = True,
    ) -> ReportResult:
        """A BASIC or AUDIENCE report as TikTok computes it, at the current clock.

        Validates like TikTok (ReportParamError names the parameter; the HTTP layer answers 40002).
        ``include_deleted`` is what ``*_status IN ["STATUS_ALL"]`` asks for; ``filters`` are the other
        ``filtering`` entries (``campaign_ids``/``adgroup_ids``/``ad_ids`` IN lists). Results are cached per
        (advertiser, query, clock), so paging through one query formats only the requested page.
        ``order_field``/``order_type`` (ASC or DESC, the default) sort rows by a non-attribute metric.
        A ``synchronous`` report reads at most the newest 20,000 ads in its scope (``ads_cut`` on the result
        says how many it left out); an asynchronous task reads them all.
        """
        if advertiser_id not in self._advertisers:
            raise ReportParamError(f"advertiser_id: unknown advertiser {advertiser_id}")
        request = ReportRequest(
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
            asynchronous=not synchronous,
        )
        query = validate(request)
        key = (advertiser_id, query, self._now_epoch, synchronous)
        result = self._reports.get(key)
        if result is None:
            cap = AD_CAP if synchronous else None
            result = execute(self.account_data(advertiser_id), query, self._now_epoch, ad_cap=cap)
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
        if kind == "smart_plus_ad":
            rendered = smart_plus.render_ads(adv, now)
            self._render_cache[key] = (now, rendered)
            return list(rendered)
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
        "owner_bc_id": owner_bc_id(adv.advertiser_id),
        "advertiser_account_type": "AUCTION",
    }


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
