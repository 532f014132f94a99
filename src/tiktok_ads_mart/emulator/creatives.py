"""Creatives and assets: the videos and images ads carry, the identities they run as, the pixels they track.

Nothing here draws from the advertiser's random stream: every value comes from a stable hash of an id, so
the world's ids, names and report numbers are what they were before assets existed. ``decorate`` gives a
share of ads cover images and a Spark Ads identity (a TikTok account, ``TT_USER`` or ``BC_AUTH_TT``) once
the account tree is built; everything else is derived on request from the ad that carries the asset.
An asset is uploaded before the first ad that uses it, so its ``create_time`` always precedes the ad's.

Endpoints follow TikTok's pages: ``file/video/ad/info/`` (at most 60 ids; ids that are no video of the
account are left out of the answer), ``file/image/ad/info/`` (doc 1740051721711618, at most 100 ids),
``identity/get/`` (doc 1740218420781057) and ``pixel/list/`` (doc 1740858697598978; the page size of
TikTok's SDK spec, 1-20). docs/emulator-creatives-smart-plus.md lists each rule and what is assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from tiktok_ads_mart.emulator.ids import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    format_utc,
    owner_bc_id,
    secret_hex,
    stable_hash,
)
from tiktok_ads_mart.emulator.params import Call, ParamError, page_info, parse_bool

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.account_tree import Advertiser, Entity
    from tiktok_ads_mart.emulator.world import World

MAX_VIDEO_IDS = 60
MAX_IMAGE_IDS = 100
MAX_IDENTITY_PAGE_SIZE = 100
DEFAULT_IDENTITY_PAGE_SIZE = 20
MAX_PIXEL_PAGE_SIZE = 20
PREVIEW_VALIDITY = 6 * SECONDS_PER_HOUR  # video preview and cover links: "valid for 6 hours"
IMAGE_URL_VALIDITY = SECONDS_PER_HOUR  # image_url: "valid for an hour"
IDENTITY_TYPES = ("CUSTOMIZED_USER", "AUTH_CODE", "TT_USER", "BC_AUTH_TT")
PIXEL_ORDERS = ("EARLIEST_CREATE", "LATEST_CREATE")

IMAGE_SHARE = 30
"""Percent of ads (by a hash of the ad id) that carry one to three ``image_ids``."""
TT_USER_SHARE = 20
BC_AUTH_TT_SHARE = 10
"""Percent of ads (by a hash of the ad id) run as the account's TikTok identity instead of its custom one."""

_CDN = "https://p16-sign-sg.tiktokcdn.example"
_VIDEO_CDN = "https://v16m-default.tiktokcdn.example"
_VIDEO_SHAPES = ((1080, 1920), (1080, 1920), (720, 1280), (1080, 1080), (1280, 720))
_IMAGE_SHAPES = ((720, 1280), (1080, 1920), (1200, 628), (1080, 1080), (750, 422))
_ALL_PLACEMENTS = ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE"]
_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


# ------------------------------------------------------------------------------------------ the ads
def decorate(adv: Advertiser) -> None:
    """Give a share of the advertiser's ads cover images and a TikTok identity (no random draws).

    One hash of the ad id decides both, bit fields apart: about 30% carry images, about 20% run as the
    account's ``TT_USER`` identity and 10% as its ``BC_AUTH_TT`` one (with the owner Business Center as
    ``identity_authorized_bc_id``); the rest keep the ``CUSTOMIZED_USER`` identity every ad had before.
    """
    bc_id = owner_bc_id(adv.advertiser_id)
    tt_user, bc_auth = _tiktok_identity_id(adv, "TT_USER"), _tiktok_identity_id(adv, "BC_AUTH_TT")
    for ad in adv.ads:
        h = stable_hash(ad.entity_id, "creative")
        if h % 100 < IMAGE_SHARE:
            ad.static["image_ids"] = [_image_id(ad, k) for k in range(1 + (h >> 8) % 3)]
        share = (h >> 16) % 100
        if share < TT_USER_SHARE:
            ad.static.update(identity_type="TT_USER", identity_id=tt_user)
        elif share < TT_USER_SHARE + BC_AUTH_TT_SHARE:
            ad.static.update(identity_type="BC_AUTH_TT", identity_id=bc_auth, identity_authorized_bc_id=bc_id)


def _image_id(ad: Entity, k: int) -> str:
    """TikTok's image ids are web URIs: a storage prefix, the upload date and a hex digest."""
    day = datetime.fromtimestamp(_image_created(ad, k), UTC).strftime("%Y%m%d")
    return f"ad-site-i18n-sg/{day}{secret_hex(ad.entity_id, 'image', k, length=24)}"


def _image_created(ad: Entity, k: int) -> int:
    return ad.created - SECONDS_PER_HOUR - stable_hash(ad.entity_id, "image-time", k) % (20 * SECONDS_PER_DAY)


def _iso(epoch: int) -> str:
    """The asset pages' time form: ``2020-06-10T07:39:14Z``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _material_id(*parts: object) -> str:
    return str(7_000_000_000_000_000_000 + stable_hash("material", *parts) % 10**18)


def _signed(url: str, expires: int, *parts: object) -> str:
    return f"{url}?x-expires={expires}&x-signature={secret_hex('url', *parts, expires, length=20)}"


# ----------------------------------------------------------------------------------------- videos
def _video_index(adv: Advertiser) -> dict[str, Entity]:
    """video_id -> the ad that carries it (built on first use, kept on the advertiser)."""
    index: dict[str, Entity] | None = adv.assets.get("videos")
    if index is None:
        index = adv.assets["videos"] = {str(ad.static["video_id"]): ad for ad in adv.ads}
    return index


def _video_times(video_id: str, ad: Entity) -> tuple[int, int]:
    """Uploaded 2 hours to 20 days before its ad; a third renamed within two hours of the upload."""
    h = stable_hash(video_id, "asset")
    created = ad.created - 2 * SECONDS_PER_HOUR - h % (20 * SECONDS_PER_DAY)
    renamed = (h >> 20) % 3 == 0
    return created, created + (60 + (h >> 24) % (2 * SECONDS_PER_HOUR) if renamed else 0)


def video_row(video_id: str, ad: Entity, now: int) -> dict[str, Any]:
    """One ``file/video/ad/info/`` item; its signed links expire six hours after ``now``."""
    h = stable_hash(video_id, "asset")
    created, modified = _video_times(video_id, ad)
    width, height = _VIDEO_SHAPES[(h >> 30) % len(_VIDEO_SHAPES)]
    duration = round(5 + ((h >> 34) % 55_000) / 1000, 3)
    bit_rate = 1_000_000 + (h >> 12) % 4_000_000
    expires = now + PREVIEW_VALIDITY
    cover = f"{_CDN}/tos-alisg-p-0051/{secret_hex(video_id, 'cover', length=32)}~tplv-noop.image"
    return {
        "video_id": video_id,
        "material_id": _material_id("video", video_id),
        "file_name": f"{video_id}.mp4",
        "displayable": True,
        "allow_download": (h >> 40) % 10 != 0,
        "allowed_placements": ["PLACEMENT_TIKTOK"] if (h >> 44) % 5 == 0 else list(_ALL_PLACEMENTS),
        "width": width,
        "height": height,
        "duration": duration,
        "bit_rate": bit_rate,
        "size": int(bit_rate * duration / 8),
        "format": "mp4",
        "fps": 30,
        "definition": "1080p" if min(width, height) >= 1080 else "720p",
        "signature": secret_hex(video_id, "signature", length=32),
        "preview_url": _signed(f"{_VIDEO_CDN}/{video_id}/video.mp4", expires, video_id),
        "preview_url_expire_time": format_utc(expires),
        "video_cover_url": _signed(cover, expires, video_id, "cover"),
        "create_time": _iso(created),
        "modify_time": _iso(modified),
    }


def _videos_at(adv: Advertiser, now: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for video_id, ad in _video_index(adv).items():
        if _video_times(video_id, ad)[0] <= now:
            out[video_id] = video_row(video_id, ad, now)
    return out


# ----------------------------------------------------------------------------------------- images
def _image_index(adv: Advertiser) -> dict[str, tuple[Entity, int]]:
    """image_id -> (the ad that carries it, its position in the ad's ``image_ids``)."""
    index: dict[str, tuple[Entity, int]] | None = adv.assets.get("images")
    if index is None:
        index = adv.assets["images"] = {
            str(image_id): (ad, k) for ad in adv.ads for k, image_id in enumerate(ad.static["image_ids"])
        }
    return index


def image_row(image_id: str, ad: Entity, k: int, now: int) -> dict[str, Any]:
    """One ``file/image/ad/info/`` item; its ``image_url`` expires an hour after ``now``."""
    h = stable_hash(image_id, "asset")
    created = _image_created(ad, k)
    width, height = _IMAGE_SHAPES[h % len(_IMAGE_SHAPES)]
    image_format = "png" if (h >> 8) % 4 == 0 else "jpeg"
    theme = str(ad.name).split(" v")[0].lower().replace(" ", "_").replace("-", "_")
    return {
        "image_id": image_id,
        "material_id": _material_id("image", image_id),
        "is_carousel_usable": (h >> 12) % 3 != 0,
        "width": width,
        "height": height,
        "format": image_format,
        "image_url": _signed(f"{_CDN}/{image_id}~tplv-noop.image", now + IMAGE_URL_VALIDITY, image_id),
        "signature": secret_hex(image_id, "signature", length=32),
        "size": width * height // (6 + (h >> 16) % 10),
        "file_name": f"{theme}_cover_{k + 1}.{'png' if image_format == 'png' else 'jpg'}",
        "create_time": _iso(created),
        "modify_time": _iso(created),
        "displayable": (h >> 20) % 10 != 0,
    }


def _images_at(adv: Advertiser, now: int) -> dict[str, dict[str, Any]]:
    return {
        image_id: image_row(image_id, ad, k, now)
        for image_id, (ad, k) in _image_index(adv).items()
        if _image_created(ad, k) <= now
    }


# ------------------------------------------------------------------------------------- identities
def _tiktok_identity_id(adv: Advertiser, identity_type: str) -> str:
    return str(7_000_000_000_000_000_000 + stable_hash(adv.advertiser_id, identity_type) % 10**18)


def custom_identity_id(adv: Advertiser) -> str:
    """The ``CUSTOMIZED_USER`` identity every ad of the account ran as before Spark Ads existed here."""
    return str(7_400_000_000_000_000_000 + adv.index)


def _identities(adv: Advertiser) -> list[dict[str, Any]]:
    """The account's three identities: its custom user, its TikTok Business Account and a TikTok account
    its owner Business Center is authorised for. All show the brand the ads show (``display_name``)."""
    brand = adv.brand
    avatar = f"{_CDN}/tos-alisg-avt-0068/{secret_hex(adv.advertiser_id, 'avatar', length=32)}~c5_100x100.jpeg"
    tiktok_fields = {
        "can_push_video": True,
        "can_pull_video": True,
        "can_use_live_ads": False,
        "can_manage_message": False,
        "available_status": "AVAILABLE",
        "is_gpppa": False,
    }
    custom = {
        "identity_id": custom_identity_id(adv),
        "identity_type": "CUSTOMIZED_USER",
        "identity_authorized_bc_id": None,
        "display_name": brand,
        "profile_image": avatar,
        "username": None,
        "ads_only_mode": None,
        **dict.fromkeys(tiktok_fields),
    }
    tt_user = {
        **custom,
        **tiktok_fields,
        "identity_id": _tiktok_identity_id(adv, "TT_USER"),
        "identity_type": "TT_USER",
        "username": f"{brand.lower()}.{adv.profile.country.lower()}",
    }
    bc_auth = {
        **tt_user,
        "identity_id": _tiktok_identity_id(adv, "BC_AUTH_TT"),
        "identity_type": "BC_AUTH_TT",
        "identity_authorized_bc_id": owner_bc_id(adv.advertiser_id),
        "username": f"{brand.lower()}.studio",
        "ads_only_mode": False,
        "can_push_video": False,
    }
    return [custom, tt_user, bc_auth]


# ----------------------------------------------------------------------------------------- pixels
def _pixel_code(*parts: object) -> str:
    h = stable_hash("pixel-code", *parts)
    letters = []
    for _ in range(19):
        h, digit = divmod(h, len(_CODE_ALPHABET))
        letters.append(_CODE_ALPHABET[digit])
        h = h or stable_hash("pixel-code", *parts, len(letters))
    return "C" + "".join(letters)


def _pixels(adv: Advertiser) -> list[dict[str, Any]]:
    """The pixel the account's website ad groups carry (``pixel_id``), and a second one never used.

    The used pixel was created before the first ad group that carries it, the spare one a while later:
    oldest first is the order of ``order_by`` EARLIEST_CREATE, TikTok's default."""
    used = str(7_300_000_000_000_000_000 + adv.index)
    carrying = [g.created for g in adv.adgroups if g.static.get("pixel_id") == used]
    lead = SECONDS_PER_DAY + stable_hash(used, "pixel-lead") % (60 * SECONDS_PER_DAY)
    used_created = min([adv.created + lead, *(created - SECONDS_PER_HOUR for created in carrying)])
    spare = str(7_310_000_000_000_000_000 + stable_hash(adv.advertiser_id, "spare-pixel") % 10**16)
    spare_created = used_created + SECONDS_PER_DAY + stable_hash(spare, "created") % (90 * SECONDS_PER_DAY)
    brand = adv.brand
    pixels = []
    for pixel_id, created, name, active in (
        (used, used_created, f"{brand} Website Pixel", True),
        (spare, spare_created, f"{brand} Test Pixel", False),
    ):
        code = _pixel_code(pixel_id)
        events = (
            [
                {
                    "event_id": str(7_320_000_000_000_000_000 + stable_hash(pixel_id, "event") % 10**16),
                    "event_code": "CompletePayment",
                    "name": "Complete Payment",
                    "event_type": "COMPLETE_PAYMENT",
                    "optimization_event": "SHOPPING",
                    "statistic_type": "EVERY_TIME",
                    "currency": adv.profile.currency,
                    "currency_value": "",
                    "deprecated": False,
                    "rules": [],
                }
            ]
            if active
            else []
        )
        pixels.append(
            {
                "pixel_id": pixel_id,
                "pixel_code": code,
                "pixel_name": name,
                "pixel_category": "ONLINE_STORE",
                "pixel_setup_mode": "DEVELOPER",
                "pixel_script": f"<script>ttq.load('{code}');ttq.page();</script>",
                "partner_name": "",
                "activity_status": "ACTIVE" if active else "INACTIVE",
                "advanced_matching_fields": {"email": active, "phone_number": False},
                "asset_ownership": {
                    "asset_relation_status": None,
                    "ownership_status": True,
                    "owner_bc_id": None,
                },
                "events": events,
                "create_time": format_utc(created),
                "_created": created,
                "_catalog": active,
            }
        )
    return pixels


# --------------------------------------------------------------------------------- ground truth
def videos(world: World, advertiser_id: str) -> dict[str, dict[str, Any]]:
    """Ground truth for tests: every video of the account uploaded by now, as file/video/ad/info/ answers it."""
    return _videos_at(world.advertiser(advertiser_id), world.now_epoch)


def images(world: World, advertiser_id: str) -> dict[str, dict[str, Any]]:
    """Ground truth for tests: every image ads carry, uploaded by now, as file/image/ad/info/ answers it."""
    return _images_at(world.advertiser(advertiser_id), world.now_epoch)


def identities(world: World, advertiser_id: str) -> list[dict[str, Any]]:
    """Ground truth for tests: the account's identities as identity/get/ lists them (all types)."""
    return _identities(world.advertiser(advertiser_id))


def pixels(world: World, advertiser_id: str) -> list[dict[str, Any]]:
    """Ground truth for tests: the account's pixels created by now, oldest first, as pixel/list/ shows them."""
    now = world.now_epoch
    return [_public(p) for p in _pixels(world.advertiser(advertiser_id)) if p["_created"] <= now]


def _public(pixel: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in pixel.items() if not key.startswith("_")}


# -------------------------------------------------------------------------------------- endpoints
def _by_ids(call: Call, name: str, limit: int, rows: Callable[[Advertiser, int], dict[str, Any]]) -> Any:
    _, advertiser_id = call.advertiser()
    wanted = call.params.id_list(name, max_items=limit, required=True)
    assert wanted is not None
    world = call.emulator.world
    known = rows(world.advertiser(advertiser_id), world.now_epoch)
    return {"list": [known[i] for i in dict.fromkeys(wanted) if i in known]}


def video_info(call: Call) -> dict[str, Any]:
    """GET file/video/ad/info/: up to 60 ``video_ids``; an id that is no video of the account is left out
    (TikTok ignores ids it cannot use for ads rather than failing the call)."""
    return dict(_by_ids(call, "video_ids", MAX_VIDEO_IDS, _videos_at))


def image_info(call: Call) -> dict[str, Any]:
    """GET file/image/ad/info/: up to 100 ``image_ids`` (doc 1740051721711618); unknown ids are left out
    as on the video endpoint (assumed: the page is silent)."""
    return dict(_by_ids(call, "image_ids", MAX_IMAGE_IDS, _images_at))


def identity_get(call: Call) -> dict[str, Any]:
    """GET identity/get/ (doc 1740218420781057): every identity, or one ``identity_type``; ``BC_AUTH_TT``
    needs ``identity_authorized_bc_id`` and lists the identities that Business Center is authorised for.
    ``filtering.keyword`` matches display names (case-insensitive substring); TikTok reads it only for
    ``CUSTOMIZED_USER`` or no type, and so does the emulator (otherwise it is ignored)."""
    _, advertiser_id = call.advertiser()
    params = call.params
    identity_type = params.string("identity_type")
    if identity_type is not None and identity_type not in IDENTITY_TYPES:
        raise ParamError(f"identity_type: must be one of {', '.join(IDENTITY_TYPES)}, got {identity_type!r}")
    bc_id = params.string("identity_authorized_bc_id")
    if identity_type == "BC_AUTH_TT" and bc_id is None:
        raise ParamError("identity_authorized_bc_id: required when identity_type is BC_AUTH_TT")
    filtering = params.obj("filtering")
    for key in filtering:
        if key != "keyword":
            raise ParamError(f"filtering.{key}: not a supported filter of identity/get/")
    keyword = filtering.get("keyword")
    if keyword is not None and not isinstance(keyword, str):
        raise ParamError("filtering.keyword: must be a string")
    page = params.integer("page", default=1, minimum=1)
    page_size = params.integer(
        "page_size", default=DEFAULT_IDENTITY_PAGE_SIZE, minimum=1, maximum=MAX_IDENTITY_PAGE_SIZE
    )
    found = _identities(call.emulator.world.advertiser(advertiser_id))
    if identity_type is not None:
        found = [i for i in found if i["identity_type"] == identity_type]
    if identity_type == "BC_AUTH_TT":
        found = [i for i in found if i["identity_authorized_bc_id"] == bc_id]
    if keyword and identity_type in (None, "CUSTOMIZED_USER"):
        found = [i for i in found if keyword.strip().lower() in str(i["display_name"]).lower()]
    start = (page - 1) * page_size
    return {
        "identity_list": found[start : start + page_size],
        "page_info": page_info(page, page_size, len(found)),
    }


def pixel_list(call: Call) -> dict[str, Any]:
    """GET pixel/list/ (doc 1740858697598978): ``pixel_id`` and ``code`` exact, ``name`` a case-insensitive
    substring, ``order_by`` EARLIEST_CREATE (default) or LATEST_CREATE, ``filtering.available_for_catalog_only``,
    ``page_size`` 1-20 (default 10); the pixels are under ``data.pixels``."""
    _, advertiser_id = call.advertiser()
    params = call.params
    order_by = params.string("order_by", default="EARLIEST_CREATE")
    if order_by not in PIXEL_ORDERS:
        raise ParamError(f"order_by: must be one of {', '.join(PIXEL_ORDERS)}, got {order_by!r}")
    filtering = params.obj("filtering")
    for key in filtering:
        if key != "available_for_catalog_only":
            raise ParamError(f"filtering.{key}: not a supported filter of pixel/list/")
    catalog_only = parse_bool(
        "filtering.available_for_catalog_only", filtering.get("available_for_catalog_only", False)
    )
    page, page_size = params.page(max_page_size=MAX_PIXEL_PAGE_SIZE)
    world = call.emulator.world
    found = [p for p in _pixels(world.advertiser(advertiser_id)) if p["_created"] <= world.now_epoch]
    pixel_id, code, name = params.string("pixel_id"), params.string("code"), params.string("name")
    if pixel_id is not None:
        found = [p for p in found if p["pixel_id"] == pixel_id]
    if code is not None:
        found = [p for p in found if p["pixel_code"] == code]
    if name is not None:
        found = [p for p in found if name.lower() in str(p["pixel_name"]).lower()]
    if catalog_only:
        found = [p for p in found if p["_catalog"]]
    found.sort(key=lambda p: int(p["_created"]), reverse=order_by == "LATEST_CREATE")
    start = (page - 1) * page_size
    rows = [_public(p) for p in found[start : start + page_size]]
    return {"pixels": rows, "page_info": page_info(page, page_size, len(found))}


ENDPOINTS: tuple[tuple[str, Literal["GET", "POST"], Callable[[Call], dict[str, Any]]], ...] = (
    ("file/video/ad/info/", "GET", video_info),
    ("file/image/ad/info/", "GET", image_info),
    ("identity/get/", "GET", identity_get),
    ("pixel/list/", "GET", pixel_list),
)
"""(path under /open_api/v1.3/, method, handler): the app adds these to its route table."""


__all__ = [
    "ENDPOINTS",
    "MAX_IMAGE_IDS",
    "MAX_VIDEO_IDS",
    "custom_identity_id",
    "decorate",
    "identities",
    "identity_get",
    "image_info",
    "image_row",
    "images",
    "pixel_list",
    "pixels",
    "video_info",
    "video_row",
    "videos",
]
