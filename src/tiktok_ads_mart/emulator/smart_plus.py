"""Upgraded Smart+ campaigns, ad groups and ads: which of the world's objects they are, and their endpoints.

A share of each advertiser's campaigns (by a hash of the campaign id, among the objectives Upgraded Smart+
supports) are Upgraded Smart+ campaigns; the first advertiser always has one, so small test worlds do.
Their ad groups are Upgraded Smart+ ad groups, and each such ad group has one Upgraded Smart+ ad (an
"asset group", doc 1854103649826817) whose creatives are the ad group's ads: those keep their ``ad_id``,
the creative's id, and gain ``smart_plus_ad_id``. Nothing is drawn from the advertiser's random stream:
the new ids come from ``unique_id`` after every existing id was drawn, so ids, names and report numbers
of the world stay what they were. A Smart+ ad's state follows its creatives: created with the first,
enabled while one is, deleted once all are, modified when one is (and, for about 30% of them, answered
with ``modify_time`` null, as TikTok does for some).

Endpoints: ``smart_plus/campaign/get/`` (doc 1843312818332930), ``smart_plus/adgroup/get/`` (doc
1843314879617026) and ``smart_plus/ad/get/`` (doc 1843317378982914), each listing Upgraded Smart+
objects only, deleted ones only when the status filter asks for them. docs/emulator-creatives-smart-plus.md
lists each rule and what is assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from tiktok_ads_mart.emulator.account_tree import Change, Entity, EntityState, secondary_status
from tiktok_ads_mart.emulator.creatives import custom_identity_id
from tiktok_ads_mart.emulator.entities import EntityLevel, filter_objects, project
from tiktok_ads_mart.emulator.ids import format_utc, stable_hash, unique_id
from tiktok_ads_mart.emulator.params import Call, ParamError, as_id_list, is_blank, page_info

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.account_tree import Advertiser
    from tiktok_ads_mart.emulator.world import World

MANUAL = "MANUAL"
UPGRADED = "UPGRADED_SMART_PLUS"
CREATIVE = "UPGRADED_SMART_PLUS_CREATIVE"
OBJECTIVES = frozenset({"APP_PROMOTION", "WEB_CONVERSIONS", "LEAD_GENERATION"})
"""The objectives Upgraded Smart+ supports (doc 1843314879617026, ``objective_type``)."""
SHARE = 35
"""Percent of campaigns with a supported objective that are Upgraded Smart+ (about 15% of all)."""
NULL_MODIFY_SHARE = 30
"""Percent of Smart+ ads (by a hash of the id) answered with ``modify_time`` null."""
MAX_PAGE_SIZE = 1000
MAX_AD_PAGE_SIZE = 100
MAX_IDS = 100
NULL_MODIFY = "modify_time_null"


# ---------------------------------------------------------------------------------------- the tree
def attach(adv: Advertiser, seed: int, used_ids: set[str]) -> None:
    """Make a share of the advertiser's campaigns Upgraded Smart+ and give each of their ad groups its
    Smart+ ad; every campaign, ad group and ad learns its ``campaign_automation_type``.

    Called once every advertiser was built, so the new ids cannot shift an existing one.
    """
    eligible = [c for c in adv.campaigns if c.static["objective_type"] in OBJECTIVES]
    chosen = {c.entity_id for c in eligible if stable_hash(c.entity_id, UPGRADED) % 100 < SHARE}
    if not chosen and adv.index == 0 and eligible:
        chosen = {eligible[0].entity_id}  # the first account of any world has one, small test worlds too
    for campaign in adv.campaigns:
        campaign.static["campaign_automation_type"] = UPGRADED if campaign.entity_id in chosen else MANUAL
        if campaign.entity_id in chosen and campaign.static["budget_mode"] == "BUDGET_MODE_DAY":
            campaign.static["budget_mode"] = "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"  # the page's CBO modes
    for adgroup in adv.adgroups:
        assert adgroup.parent is not None
        adgroup.static["campaign_automation_type"] = adgroup.parent.static["campaign_automation_type"]
    creatives: dict[str, list[Entity]] = {}
    for ad in adv.ads:
        adgroup = ad.ancestor("ADGROUP")
        if adgroup.static["campaign_automation_type"] == UPGRADED:
            creatives.setdefault(adgroup.entity_id, []).append(ad)
        else:
            ad.static.update(campaign_automation_type=MANUAL, ad_id_v2=ad.entity_id)
    adv.smart_plus_ads = []
    for adgroup in adv.adgroups:
        members = creatives.get(adgroup.entity_id)
        if not members:
            continue
        smart = _smart_plus_ad(adv, seed, adgroup, members, used_ids, len(adv.smart_plus_ads))
        for ad in members:
            ad.static.update(campaign_automation_type=CREATIVE, smart_plus_ad_id=smart.entity_id)
            ad.static["ad_id_v2"] = smart.entity_id
        adv.smart_plus_ads.append(smart)


def _smart_plus_ad(
    adv: Advertiser, seed: int, adgroup: Entity, members: list[Entity], used_ids: set[str], n: int
) -> Entity:
    """The ad group's Smart+ ad, an ``Entity`` whose schedule is derived from its creatives' schedules."""
    created = min(ad.created for ad in members)
    smart_id = unique_id(used_ids, seed, adv.index, "smart_plus_ad", adgroup.entity_id)
    name = f"{adgroup.name.rsplit(' | ', 1)[0]} | Smart+ ad {n + 1}"
    smart = Entity(
        "ad", smart_id, n, created, name, 0.0, True, adgroup, {"campaign_automation_type": UPGRADED}
    )
    smart.static["creatives"] = members
    smart.static[NULL_MODIFY] = stable_hash(smart_id, "modify_time") % 100 < NULL_MODIFY_SHARE
    smart.enabled, smart.changes = _derived_schedule(members, created)
    return smart


def _derived_schedule(members: list[Entity], created: int) -> tuple[bool, list[Change]]:
    """The Smart+ ad's own schedule from its creatives': enabled while a live creative is, deleted once
    every creative there is was deleted; any creative's creation or edit modifies it (a ``touch``, which
    only moves ``modify_time``). One sweep over the creatives' events in time order."""
    events = sorted(
        [(ad.created, 0, i, None) for i, ad in enumerate(members)]
        + [(change.at, 1, i, change) for i, ad in enumerate(members) for change in ad.changes],
        key=lambda event: event[:3],
    )
    visible = [False] * len(members)
    enabled = [ad.enabled for ad in members]
    deleted = [False] * len(members)
    initial: bool | None = None
    changes: list[Change] = []
    for position, (at, _, i, change) in enumerate(events):
        if change is None:
            visible[i] = True
        elif change.field == "enabled":
            enabled[i] = bool(change.value)
        elif change.field == "deleted":
            deleted[i] = True
        if position + 1 < len(events) and events[position + 1][0] == at:
            continue  # everything at one instant applies together, as ``Entity.state_at`` does
        shown = [j for j in range(len(members)) if visible[j]]
        live = any(enabled[j] and not deleted[j] for j in shown)
        if initial is None:
            initial = current = live
            continue
        if all(deleted[j] for j in shown):
            changes.append(Change(at, "deleted", True))
            break
        changes.append(Change(at, "enabled", live) if live != current else Change(at, "touch", 0))
        current = live
    assert initial is not None and events[0][0] == created
    return initial, changes


def creatives_of(smart: Entity) -> list[Entity]:
    """The ads that are a Smart+ ad's creatives, in the world's order."""
    members: list[Entity] = smart.static["creatives"]
    return members


# -------------------------------------------------------------------------------------- rendering
def _states(now: int) -> Callable[[Entity], EntityState]:
    found: dict[int, EntityState] = {}

    def state(entity: Entity) -> EntityState:
        key = id(entity)
        if key not in found:
            found[key] = entity.state_at(now)
        return found[key]

    return state


def render_ads(adv: Advertiser, now: int) -> list[dict[str, Any]]:
    """``smart_plus/ad/get/`` items of every Smart+ ad created by ``now``, deleted ones included."""
    state = _states(now)
    rows = []
    for smart in adv.smart_plus_ads:
        if smart.created > now:
            continue
        adgroup = smart.parent
        assert adgroup is not None and adgroup.parent is not None
        listed = [ad for ad in creatives_of(smart) if ad.created <= now and not state(ad).deleted]
        own = state(smart)
        rows.append(
            {
                "advertiser_id": adv.advertiser_id,
                "campaign_id": adgroup.parent.entity_id,
                "campaign_name": state(adgroup.parent).name,
                "adgroup_id": adgroup.entity_id,
                "adgroup_name": state(adgroup).name,
                "smart_plus_ad_id": smart.entity_id,
                "ad_name": own.name,
                "operation_status": "ENABLE" if own.enabled and not own.deleted else "DISABLE",
                "secondary_status": secondary_status(smart, state),
                "create_time": format_utc(smart.created),
                "modify_time": None if smart.static[NULL_MODIFY] else format_utc(own.modified),
                "creative_list": [_creative(ad, state(ad)) for ad in listed],
                "ad_text_list": [{"ad_text": t} for t in _distinct(listed, "ad_text")],
                "call_to_action_list": [{"call_to_action": t} for t in _distinct(listed, "call_to_action")],
                "landing_page_url_list": [
                    {"landing_page_url": u} for u in _distinct(listed, "landing_page_url")
                ],
                "deeplink_list": [],
                "ad_configuration": {
                    "identity_type": "CUSTOMIZED_USER",
                    "identity_id": custom_identity_id(adv),
                    "catalog_creative_toggle": False,
                    "creative_auto_add_toggle": False,
                    "utm_params": [],
                },
            }
        )
    return rows


def _creative(ad: Entity, state: EntityState) -> dict[str, Any]:
    """One ``creative_list`` item; ``ad_material_id`` is the creative's ``ad_id`` (assumed: the page only
    says it is an id of the creative's use in this ad)."""
    static = ad.static
    info: dict[str, Any] = {
        "ad_format": static["ad_format"],
        "material_name": state.name,
        "video_info": {"video_id": static["video_id"], "file_name": f"{static['video_id']}.mp4"},
        "image_info": [{"web_uri": image_id} for image_id in static["image_ids"]],
        "identity_type": static["identity_type"],
        "identity_id": static["identity_id"],
    }
    if "identity_authorized_bc_id" in static:
        info["identity_authorized_bc_id"] = static["identity_authorized_bc_id"]
    return {
        "ad_material_id": ad.entity_id,
        "material_operation_status": "ENABLE" if state.enabled else "DISABLE",
        "creative_info": info,
    }


def _distinct(ads: list[Entity], key: str) -> list[str]:
    return list(dict.fromkeys(str(ad.static[key]) for ad in ads))


AD_LEVEL_FIELDS = (
    "advertiser_id", "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name",
    "operation_status", "secondary_status", "create_time", "modify_time",
)  # fmt: skip
"""What ``ad/get/`` shows of an Upgraded Smart+ ad at the ad level ("limited data", doc 1854103649826817)."""


def ad_level_rows(ads: list[dict[str, Any]], smart_ads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``ad/get/`` with ``ad_ids_v2``: the ad level, where a manual ad is itself and an Upgraded Smart+ ad
    stands for its creatives (``ad_id_v2`` its id, ``campaign_automation_type`` UPGRADED_SMART_PLUS), in
    the place of its first creative."""
    by_id = {row["smart_plus_ad_id"]: row for row in smart_ads}
    rows: list[dict[str, Any]] = []
    shown: set[str] = set()
    for ad in ads:
        smart_id = ad.get("smart_plus_ad_id")
        if smart_id is None:
            rows.append(ad)
        elif smart_id not in shown and smart_id in by_id:
            shown.add(smart_id)
            smart = by_id[smart_id]
            level_row = {name: smart[name] for name in AD_LEVEL_FIELDS}
            rows.append({**level_row, "ad_id_v2": smart_id, "campaign_automation_type": UPGRADED})
    return rows


def _sales_destination(objective: Any) -> str | None:
    return "WEBSITE" if objective == "WEB_CONVERSIONS" else None


def campaign_row(campaign: dict[str, Any], adgroups: int) -> dict[str, Any]:
    """A ``campaign/get/`` row in the shape of ``smart_plus/campaign/get/`` (doc 1843312818332930)."""
    objective = campaign["objective_type"]
    row = {
        name: campaign[name] for name in ("advertiser_id", "campaign_id", "campaign_name", "objective_type")
    }
    if objective == "APP_PROMOTION":
        row["app_promotion_type"] = campaign["app_promotion_type"]
    if _sales_destination(objective):
        row["sales_destination"] = _sales_destination(objective)
    row.update(
        {
            name: campaign[name]
            for name in ("campaign_type", "is_advanced_dedicated_campaign", "special_industries")
        }
    )
    row.update(
        catalog_enabled=False,
        budget_optimize_on=campaign["budget_optimize_on"],
        budget_mode=campaign["budget_mode"],
        budget=campaign["budget"],
        operation_status=campaign["operation_status"],
        secondary_status=campaign["secondary_status"],
        smart_plus_adgroup_mode="SINGLE" if adgroups == 1 else "MULTIPLE",
        create_time=campaign["create_time"],
        modify_time=campaign["modify_time"],
    )
    return row


_PROMOTION = {"APP": "APP_ANDROID", "INSTANT_FORM": "LEAD_GENERATION", "WEBSITE": "WEBSITE"}
_ADGROUP_FIELDS = (
    "advertiser_id", "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "optimization_goal",
    "optimization_event", "bid_type", "bid_price", "conversion_bid_price", "billing_event", "pacing",
    "budget", "schedule_type", "schedule_start_time", "schedule_end_time", "click_attribution_window",
    "view_attribution_window", "placement_type", "placements", "comment_disabled", "share_disabled",
    "video_download_disabled", "operation_status", "secondary_status", "create_time", "modify_time",
)  # fmt: skip
_TARGETING = ("location_ids", "languages", "age_groups", "gender", "operating_systems", "audience_ids",
              "excluded_audience_ids")  # fmt: skip


def adgroup_row(adgroup: dict[str, Any]) -> dict[str, Any]:
    """An ``adgroup/get/`` row in the shape of ``smart_plus/adgroup/get/`` (doc 1843314879617026): the
    page's promotion types (``APP_ANDROID`` for the world's Android app ad groups, ``LEAD_GENERATION`` for
    instant forms), its budget modes, and the targeting under ``targeting_spec``."""
    row = {name: adgroup[name] for name in _ADGROUP_FIELDS}
    row["promotion_type"] = _PROMOTION.get(str(adgroup["promotion_type"]), adgroup["promotion_type"])
    if adgroup["app_id"] is not None:
        row["app_id"] = adgroup["app_id"]
    if adgroup["pixel_id"] is not None:
        row["pixel_id"] = adgroup["pixel_id"]
    if adgroup["budget_mode"] == "BUDGET_MODE_DAY":
        row["budget_mode"] = "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"
    else:
        row["budget_mode"] = adgroup["budget_mode"]
    row["targeting_optimization_mode"] = "MANUAL"
    row["targeting_spec"] = {name: adgroup[name] for name in _TARGETING}
    return row


# ----------------------------------------------------------------------------------- ground truth
def smart_plus_campaign_ids(world: World, advertiser_id: str) -> list[str]:
    """Ground truth for tests: the Upgraded Smart+ campaigns of the account (every one, any clock)."""
    return [c.entity_id for c in world.advertiser(advertiser_id).campaigns if _upgraded(c)]


def smart_plus_adgroup_ids(world: World, advertiser_id: str) -> list[str]:
    """Ground truth for tests: the Upgraded Smart+ ad groups of the account (every one, any clock)."""
    return [g.entity_id for g in world.advertiser(advertiser_id).adgroups if _upgraded(g)]


def smart_plus_ads(world: World, advertiser_id: str) -> list[dict[str, Any]]:
    """Ground truth for tests: ``smart_plus/ad/get/`` items of every Smart+ ad created by now, deleted ones
    included."""
    return world.smart_plus_ads(advertiser_id)


def smart_plus_creatives(world: World, advertiser_id: str) -> dict[str, list[str]]:
    """Ground truth for tests: smart_plus_ad_id -> its creatives' ad ids (every one, any clock)."""
    return {
        smart.entity_id: [ad.entity_id for ad in creatives_of(smart)]
        for smart in world.advertiser(advertiser_id).smart_plus_ads
    }


def _upgraded(entity: Entity) -> bool:
    return bool(entity.static.get("campaign_automation_type") == UPGRADED)


# -------------------------------------------------------------------------------------- endpoints
def _level(endpoint: str, id_field: str, name_field: str, prefix: str, filters: set[str]) -> EntityLevel:
    return EntityLevel(endpoint, id_field, name_field, prefix, frozenset(filters), lambda world, adv: [])


_COMMON = {"campaign_ids", "primary_status", "secondary_status", "objective_type", "sales_destination"}
CAMPAIGN = _level(
    "smart_plus/campaign/get/", "campaign_id", "campaign_name", "CAMPAIGN_STATUS",
    _COMMON | {"campaign_name", "creation_filter_start_time", "creation_filter_end_time"},
)  # fmt: skip
ADGROUP = _level(
    "smart_plus/adgroup/get/", "adgroup_id", "adgroup_name", "ADGROUP_STATUS",
    _COMMON | {"adgroup_ids", "adgroup_name", "promotion_type", "optimization_goal", "creation_filter_start_time",
               "creation_filter_end_time"},  # the creation window: TikTok's SDK spec has it, the page not
)  # fmt: skip
AD = _level(
    "smart_plus/ad/get/", "smart_plus_ad_id", "ad_name", "AD_STATUS",
    _COMMON | {"adgroup_ids", "smart_plus_ad_ids", "optimization_goal", "creation_filter_start_time",
               "creation_filter_end_time", "modified_after"},
)  # fmt: skip
AD_CONFIGURATION_FIELDS = frozenset(
    {"identity_type", "identity_id", "catalog_creative_toggle", "creative_auto_add_toggle", "utm_params"}
)


def _filtered(
    level: EntityLevel,
    rows: list[dict[str, Any]],
    filtering: dict[str, Any],
    parents: dict[str, dict[str, Any]],
    lookups: dict[str, str],
) -> list[dict[str, Any]]:
    """``filtering`` as the page has it. ``lookups`` names the filters read from a parent (the campaign's
    ``objective_type`` and ``sales_destination``, an ad's ad group's ``optimization_goal``) and the row
    field holding that parent's id; ``smart_plus_ad_ids`` is an id list; the rest is the entity
    endpoints' filtering (deleted objects only with a status filter that asks for them)."""
    for key in filtering:
        if key not in level.filters:
            raise ParamError(f"filtering.{key}: not a supported filter of {level.endpoint}")
    rest = {k: v for k, v in filtering.items() if v is not None and not is_blank(v)}
    checks = [(key, rest.pop(key)) for key in sorted(lookups.keys() & rest.keys())]
    wanted = rest.pop("smart_plus_ad_ids", None)
    if wanted is not None:
        keep = frozenset(as_id_list("filtering.smart_plus_ad_ids", wanted, max_items=MAX_IDS))
        rows = [row for row in rows if row["smart_plus_ad_id"] in keep]
    for key, value in checks:
        if not isinstance(value, str):
            raise ParamError(f"filtering.{key}: must be a string")
        rows = [row for row in rows if _parent_value(parents[row[lookups[key]]], key) == value]
    return filter_objects(level, rows, rest)


def _parent_value(parent: dict[str, Any], key: str) -> Any:
    if key == "sales_destination":
        return _sales_destination(parent.get("objective_type"))
    return parent.get(key)


_BY_CAMPAIGN = {"objective_type": "campaign_id", "sales_destination": "campaign_id"}


def _page(
    call: Call, rows: list[dict[str, Any]], max_page_size: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    page, page_size = call.params.page(max_page_size=max_page_size)
    start = (page - 1) * page_size
    return rows[start : start + page_size], page_info(page, page_size, len(rows))


def campaign_get(call: Call) -> dict[str, Any]:
    """GET smart_plus/campaign/get/: the Upgraded Smart+ campaigns, ``page_size`` 1-1000."""
    _, advertiser_id = call.advertiser()
    world = call.emulator.world
    adv = world.advertiser(advertiser_id)
    counts: dict[str, int] = {}
    for adgroup in adv.adgroups:
        assert adgroup.parent is not None
        counts[adgroup.parent.entity_id] = counts.get(adgroup.parent.entity_id, 0) + 1
    campaigns = [c for c in world.campaigns(advertiser_id) if c.get("campaign_automation_type") == UPGRADED]
    rows = [campaign_row(c, counts.get(c["campaign_id"], 0)) for c in campaigns]
    parents = {c["campaign_id"]: c for c in campaigns}
    matched = _filtered(CAMPAIGN, rows, call.params.obj("filtering"), parents, _BY_CAMPAIGN)
    shown, info = _page(call, matched, MAX_PAGE_SIZE)
    return {"list": project(shown, call.params.string_list("fields"), CAMPAIGN.endpoint), "page_info": info}


def adgroup_get(call: Call) -> dict[str, Any]:
    """GET smart_plus/adgroup/get/: the Upgraded Smart+ ad groups, ``page_size`` 1-1000."""
    _, advertiser_id = call.advertiser()
    world = call.emulator.world
    campaigns = {c["campaign_id"]: c for c in world.campaigns(advertiser_id)}
    groups = [g for g in world.adgroups(advertiser_id) if g.get("campaign_automation_type") == UPGRADED]
    rows = [adgroup_row(g) for g in groups]
    matched = _filtered(ADGROUP, rows, call.params.obj("filtering"), campaigns, _BY_CAMPAIGN)
    shown, info = _page(call, matched, MAX_PAGE_SIZE)
    return {"list": project(shown, call.params.string_list("fields"), ADGROUP.endpoint), "page_info": info}


def ad_get(call: Call) -> dict[str, Any]:
    """GET smart_plus/ad/get/: the Upgraded Smart+ ads with their creatives, ``page_size`` 1-100.

    ``fields`` names fields of the item or of its ``ad_configuration``; ``advertiser_id`` and
    ``smart_plus_ad_id`` are always returned (doc 1843317378982914)."""
    _, advertiser_id = call.advertiser()
    world = call.emulator.world
    parents = {c["campaign_id"]: c for c in world.campaigns(advertiser_id)}
    parents.update({g["adgroup_id"]: g for g in world.adgroups(advertiser_id)})
    rows = world.smart_plus_ads(advertiser_id)
    lookups = {**_BY_CAMPAIGN, "optimization_goal": "adgroup_id"}
    matched = _filtered(AD, rows, call.params.obj("filtering"), parents, lookups)
    fields = call.params.string_list("fields")
    shown, info = _page(call, matched, MAX_AD_PAGE_SIZE)
    return {"list": [_ad_fields(row, fields) for row in shown], "page_info": info}


def _ad_fields(row: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if fields is None:
        return row
    if not fields:
        raise ParamError("fields: must not be empty")
    out = {"advertiser_id": row["advertiser_id"], "smart_plus_ad_id": row["smart_plus_ad_id"]}
    configuration = {}
    for name in fields:
        if name in row:
            out[name] = row[name]
        elif name in AD_CONFIGURATION_FIELDS:
            configuration[name] = row["ad_configuration"].get(name)
        else:
            raise ParamError(f"fields: unknown field {name!r} for smart_plus/ad/get/")
    if configuration and "ad_configuration" not in out:
        out["ad_configuration"] = configuration
    return out


ENDPOINTS: tuple[tuple[str, Literal["GET", "POST"], Callable[[Call], dict[str, Any]]], ...] = (
    ("smart_plus/campaign/get/", "GET", campaign_get),
    ("smart_plus/adgroup/get/", "GET", adgroup_get),
    ("smart_plus/ad/get/", "GET", ad_get),
)
"""(path under /open_api/v1.3/, method, handler): the app adds these to its route table."""


__all__ = [
    "CREATIVE",
    "ENDPOINTS",
    "MANUAL",
    "UPGRADED",
    "ad_get",
    "ad_level_rows",
    "adgroup_get",
    "attach",
    "campaign_get",
    "creatives_of",
    "render_ads",
    "smart_plus_adgroup_ids",
    "smart_plus_ads",
    "smart_plus_campaign_ids",
    "smart_plus_creatives",
]
