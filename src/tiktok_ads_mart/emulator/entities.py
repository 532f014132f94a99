"""Entity endpoints: advertisers, campaigns, ad groups, ads and custom audiences, with TikTok's filters.

The world hands over every object (deleted ones too); this module applies what TikTok applies on the
server: the not-deleted default, status filters, ID lists, creation windows, ``modified_after`` (ads
only), ``campaign_automation_type`` (campaigns and ad groups), ``ad_ids_v2`` (ads: the ad level of
Upgraded Smart+ ads), ``fields`` and paging. An unknown filter
key is a 40002, so a client that relies on a filter TikTok does not have (``modified_after`` on
campaigns) fails here as it would there. A filter whose value is blank counts as not sent, and a list
may arrive as a JSON-array string, as TikTok's SDKs and sample code send them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tiktok_ads_mart.emulator.params import (
    ApiFailure,
    Call,
    Code,
    ParamError,
    as_id_list,
    decode_structured,
    is_blank,
    page_info,
    parse_bool,
)
from tiktok_ads_mart.emulator.tokens import require_advertiser

MAX_PAGE_SIZE = 1000
MAX_AUDIENCE_PAGE_SIZE = 100
MAX_IDS = 100
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

AUTOMATION_TYPES = frozenset({"MANUAL", "SMART_PLUS", "UPGRADED_SMART_PLUS"})
"""``campaign_automation_type``: one of these, a single string (docs 1739315828649986, 1739314558673922).
The world's campaigns and ad groups are MANUAL or UPGRADED_SMART_PLUS (none is a legacy Smart+ one)."""

PRIMARY_STATUSES = frozenset(
    {
        "STATUS_ALL",
        "STATUS_NOT_DELETE",
        "STATUS_DELETE",
        "STATUS_DELIVERY_OK",
        "STATUS_DISABLE",
        "STATUS_NOT_DELIVERY",
    }
)

_COMMON_FILTERS = frozenset(
    {
        "campaign_ids",
        "campaign_system_origins",
        "objective_type",
        "buying_types",
        "primary_status",
        "secondary_status",
        "creation_filter_start_time",
        "creation_filter_end_time",
        "optimization_goal",
        "split_test_enabled",
    }
)


@dataclass(frozen=True)
class EntityLevel:
    """What differs between campaign/get/, adgroup/get/ and ad/get/."""

    endpoint: str
    id_field: str
    name_field: str
    status_prefix: str
    filters: frozenset[str]
    list_objects: Callable[[Any, str], list[dict[str, Any]]]


CAMPAIGN = EntityLevel(
    endpoint="campaign/get/",
    id_field="campaign_id",
    name_field="campaign_name",
    status_prefix="CAMPAIGN_STATUS",
    filters=_COMMON_FILTERS
    | {
        "campaign_name",
        "campaign_type",
        "is_smart_performance_campaign",
        "campaign_product_source",
        "sales_destination",
        "creative_campaign_type",
        "gmv_max_promotion_types",
        "store_ids",
        "campaign_automation_type",
    },
    list_objects=lambda world, adv: world.campaigns(adv),
)
ADGROUP = EntityLevel(
    endpoint="adgroup/get/",
    id_field="adgroup_id",
    name_field="adgroup_name",
    status_prefix="ADGROUP_STATUS",
    filters=_COMMON_FILTERS
    | {
        "adgroup_ids",
        "adgroup_name",
        "promotion_type",
        "bid_strategy",
        "creative_material_mode",
        "billing_events",
        "campaign_automation_type",
    },
    list_objects=lambda world, adv: world.adgroups(adv),
)
AD = EntityLevel(
    endpoint="ad/get/",
    id_field="ad_id",
    name_field="ad_name",
    status_prefix="AD_STATUS",
    filters=_COMMON_FILTERS
    | {
        "ad_ids",
        "ad_ids_v2",
        "ad_name",
        "adgroup_ids",
        "creative_material_mode",
        "destination",
        "modified_after",
    },
    list_objects=lambda world, adv: world.ads(adv),
)

_ID_FILTERS = {"campaign_ids": "campaign_id", "adgroup_ids": "adgroup_id", "ad_ids": "ad_id"}
_BOOL_FILTERS = frozenset({"split_test_enabled", "is_smart_performance_campaign"})


def is_deleted(obj: dict[str, Any]) -> bool:
    """Deleted itself or through a deleted parent (``AD_STATUS_CAMPAIGN_DELETE``)."""
    return "DELETE" in str(obj.get("secondary_status", "")) or obj.get("operation_status") == "DELETE"


def _parse_time(name: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise ParamError(f"{name}: must be a string formatted YYYY-MM-DD HH:MM:SS")
    try:
        return datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise ParamError(f"{name}: must be formatted YYYY-MM-DD HH:MM:SS, got {value!r}") from None


def _object_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        return None


def _primary_predicate(level: EntityLevel, status: str) -> Callable[[dict[str, Any]], bool]:
    if status == "STATUS_ALL":
        return lambda obj: True
    if status == "STATUS_NOT_DELETE":
        return lambda obj: not is_deleted(obj)
    if status == "STATUS_DELETE":
        return is_deleted
    delivering = (f"{level.status_prefix}_DELIVERY_OK", f"{level.status_prefix}_ENABLE")
    if status == "STATUS_DELIVERY_OK":
        return lambda obj: not is_deleted(obj) and obj.get("secondary_status") in delivering
    if status == "STATUS_DISABLE":
        return lambda obj: not is_deleted(obj) and obj.get("operation_status") == "DISABLE"
    return lambda obj: not is_deleted(obj) and obj.get("secondary_status") not in delivering


def filter_objects(
    level: EntityLevel, objects: list[dict[str, Any]], filtering: dict[str, Any]
) -> list[dict[str, Any]]:
    """Apply ``filtering`` as TikTok does; deleted objects only with a status filter that asks for them."""
    for key in filtering:
        if key not in level.filters:
            raise ParamError(f"filtering.{key}: not a supported filter of {level.endpoint}")
    filtering = {key: value for key, value in filtering.items() if value is not None and not is_blank(value)}
    predicates: list[Callable[[dict[str, Any]], bool]] = []
    primary = filtering.get("primary_status")
    secondary = filtering.get("secondary_status")
    if primary is not None and primary not in PRIMARY_STATUSES:
        raise ParamError(f"filtering.primary_status: unknown value {primary!r}")
    if secondary is not None:
        if not isinstance(secondary, str):
            raise ParamError("filtering.secondary_status: must be a string")
        if secondary.endswith("_STATUS_ALL") and secondary != f"{level.status_prefix}_ALL":
            raise ParamError(f"filtering.secondary_status: {secondary} is not valid for {level.endpoint}")
        if secondary != f"{level.status_prefix}_ALL":
            predicates.append(lambda obj: obj.get("secondary_status") == secondary)
    if primary is not None:
        predicates.append(_primary_predicate(level, primary))
    elif secondary is None:
        predicates.append(lambda obj: not is_deleted(obj))
    for key, value in filtering.items():
        if key in ("primary_status", "secondary_status"):
            continue
        predicates.extend(_value_predicates(level, key, value))
    return [obj for obj in objects if all(predicate(obj) for predicate in predicates)]


def _value_predicates(level: EntityLevel, key: str, value: Any) -> list[Callable[[dict[str, Any]], bool]]:
    name = f"filtering.{key}"
    if key in _ID_FILTERS:
        wanted = frozenset(as_id_list(name, value, max_items=MAX_IDS))
        field = _ID_FILTERS[key]
        return [lambda obj: str(obj.get(field)) in wanted]
    if key == level.name_field:
        if not isinstance(value, str):
            raise ParamError(f"{name}: must be a string")
        needle = value.lower()
        return [lambda obj: needle in str(obj.get(level.name_field, "")).lower()]
    if key == "creation_filter_start_time":
        start = _parse_time(name, value)
        return [lambda obj: (t := _object_time(obj.get("create_time"))) is not None and t >= start]
    if key == "creation_filter_end_time":
        end = _parse_time(name, value)
        return [lambda obj: (t := _object_time(obj.get("create_time"))) is not None and t <= end]
    if key == "modified_after":
        after = _parse_time(name, value)
        return [lambda obj: (t := _object_time(obj.get("modify_time"))) is not None and t >= after]
    if key in _BOOL_FILTERS:
        flag = parse_bool(name, value)
        return [lambda obj: key not in obj or bool(obj[key]) == flag]
    if key == "campaign_automation_type":
        if not isinstance(value, str) or value not in AUTOMATION_TYPES:
            raise ParamError(f"{name}: must be one of {', '.join(sorted(AUTOMATION_TYPES))}, got {value!r}")
        return [lambda obj: obj.get("campaign_automation_type", "MANUAL") == value]
    if isinstance(value, str) and value.lstrip().startswith("["):
        value = decode_structured(name, value)  # a list sent as a JSON-array string
    if isinstance(value, str):
        # Filters on fields the world does not model are accepted and only enforced where the field exists.
        return [lambda obj: key not in obj or obj[key] == value]
    if isinstance(value, list) and not all(isinstance(item, str) for item in value):
        raise ParamError(f"{name}: every item must be a string")
    return []


def project(objects: list[dict[str, Any]], fields: list[str] | None, endpoint: str) -> list[dict[str, Any]]:
    """Keep only the requested ``fields``; a field no object has is a 40002 naming it."""
    if fields is None:
        return objects
    if not fields:
        raise ParamError("fields: must not be empty")
    if objects:
        known = set().union(*(obj.keys() for obj in objects))
        for name in fields:
            if name not in known:
                raise ParamError(f"fields: unknown field {name!r} for {endpoint}")
    return [{name: obj.get(name) for name in fields} for obj in objects]


def _entity_get(level: EntityLevel, call: Call) -> dict[str, Any]:
    _, advertiser_id = call.advertiser()
    params = call.params
    filtering = dict(params.obj("filtering"))
    fields = params.string_list("fields")
    page, page_size = params.page(max_page_size=MAX_PAGE_SIZE)
    objects = level.list_objects(call.emulator.world, advertiser_id)
    ad_ids_v2 = filtering.pop("ad_ids_v2", None) if level is AD else None
    if ad_ids_v2 is not None and not is_blank(ad_ids_v2):
        objects = _ad_level(call, advertiser_id, ad_ids_v2)
    matched = filter_objects(level, objects, filtering)
    start = (page - 1) * page_size
    rows = project(matched[start : start + page_size], fields, level.endpoint)
    return {"list": rows, "page_info": page_info(page, page_size, len(matched))}


def _ad_level(call: Call, advertiser_id: str, value: Any) -> list[dict[str, Any]]:
    """``ad_ids_v2``: ad-level rows, where an Upgraded Smart+ ad stands for its creatives (``ad_id_v2`` its
    id, ``campaign_automation_type`` UPGRADED_SMART_PLUS) and a manual ad is itself (doc 1854103649826817);
    without it ``ad/get/`` lists creatives, each with the ``smart_plus_ad_id`` of its ad."""
    wanted = frozenset(as_id_list("filtering.ad_ids_v2", value, max_items=MAX_IDS))
    rows = call.emulator.world.ad_level_ads(advertiser_id)
    return [row for row in rows if str(row.get("ad_id_v2")) in wanted]


def campaign_get(call: Call) -> dict[str, Any]:
    """GET campaign/get/."""
    return _entity_get(CAMPAIGN, call)


def adgroup_get(call: Call) -> dict[str, Any]:
    """GET adgroup/get/."""
    return _entity_get(ADGROUP, call)


def ad_get(call: Call) -> dict[str, Any]:
    """GET ad/get/ (the only entity endpoint with ``modified_after``)."""
    return _entity_get(AD, call)


ADVERTISER_DEFAULT_EXCLUDED = "company_name_editable"
ADVERTISER_FIELDS = frozenset(
    {
        "telephone_number", "contacter", "currency", "cellphone_number", "timezone", "advertiser_id", "role",
        "company", "status", "description", "rejection_reason", "address", "name", "language", "industry",
        "license_no", "email", "license_url", "country", "balance", "create_time", "display_timezone",
        "owner_bc_id", "company_name_editable",
    }
)  # fmt: skip
"""The ``fields`` values TikTok documents for advertiser/info/."""


def advertiser_info(call: Call) -> dict[str, Any]:
    """GET advertiser/info/: up to 100 granted advertisers.

    ``company_name_editable`` is never in the default answer; asking for it returns it alone with
    ``advertiser_id``, as TikTok does.
    """
    grant = call.grant()
    params = call.params
    advertiser_ids = params.id_list("advertiser_ids", max_items=MAX_IDS, required=True)
    assert advertiser_ids is not None
    fields = params.string_list("fields")
    for advertiser_id in advertiser_ids:
        require_advertiser(grant, advertiser_id)
    by_id = {adv["advertiser_id"]: adv for adv in call.emulator.world.advertisers()}
    found = [by_id[adv_id] for adv_id in dict.fromkeys(advertiser_ids) if adv_id in by_id]
    if fields is None:
        return {"list": [{k: v for k, v in adv.items() if k != ADVERTISER_DEFAULT_EXCLUDED} for adv in found]}
    if not fields:
        raise ParamError("fields: must not be empty")
    known = ADVERTISER_FIELDS.union(*(adv.keys() for adv in found))
    for name in fields:
        if name not in known:
            raise ParamError(f"fields: unknown field {name!r} for advertiser/info/")
    if ADVERTISER_DEFAULT_EXCLUDED in fields:
        fields = ["advertiser_id", ADVERTISER_DEFAULT_EXCLUDED]
    defaults = {ADVERTISER_DEFAULT_EXCLUDED: False}
    return {"list": [{name: adv.get(name, defaults.get(name)) for name in fields} for adv in found]}


def _audiences(call: Call, advertiser_id: str) -> list[dict[str, Any]]:
    return list(call.emulator.world.audiences(advertiser_id))


def custom_audience_list(call: Call) -> dict[str, Any]:
    """GET dmp/custom_audience/list/: paged with page_size at most 100."""
    _, advertiser_id = call.advertiser()
    params = call.params
    wanted = params.id_list("custom_audience_ids", max_items=MAX_IDS)
    page, page_size = params.page(max_page_size=MAX_AUDIENCE_PAGE_SIZE)
    audiences = [_details(a) for a in _audiences(call, advertiser_id)]
    if wanted is not None:
        keep = frozenset(wanted)
        audiences = [a for a in audiences if str(a.get("audience_id")) in keep]
    start = (page - 1) * page_size
    return {
        "list": audiences[start : start + page_size],
        "page_info": page_info(page, page_size, len(audiences)),
    }


def _details(audience: dict[str, Any]) -> dict[str, Any]:
    return dict(audience)


def custom_audience_get(call: Call) -> dict[str, Any]:
    """GET dmp/custom_audience/get/: details and history of up to 100 named audiences."""
    _, advertiser_id = call.advertiser()
    params = call.params
    wanted = params.id_list("custom_audience_ids", max_items=MAX_IDS, required=True)
    assert wanted is not None
    history_size = params.integer("history_size", default=10, minimum=1, maximum=1000)
    by_id = {str(a.get("audience_id")): a for a in _audiences(call, advertiser_id)}
    rows = []
    for audience_id in dict.fromkeys(wanted):
        audience = by_id.get(audience_id)
        if audience is None:
            raise ApiFailure(Code.PARAM_ERROR, f"custom_audience_ids: audience {audience_id} does not exist")
        history = call.emulator.world.audience_history(advertiser_id, audience_id)
        rows.append(
            {"audience_details": _details(audience), "audience_history": list(history)[:history_size]}
        )
    return {"list": rows}


__all__ = [
    "AD",
    "ADGROUP",
    "CAMPAIGN",
    "EntityLevel",
    "ad_get",
    "adgroup_get",
    "advertiser_info",
    "campaign_get",
    "custom_audience_get",
    "custom_audience_list",
    "filter_objects",
    "is_deleted",
    "project",
]
