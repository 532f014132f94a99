"""GMV Max endpoints over HTTP: stores, the campaign list and details, and the report, against the ground
truth of ``emulator.gmv_max`` (sums per day, products adding up to campaigns, derived metrics, limits)."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from emulator_support import all_pages, error, get, ok

from conftest import CONTRACT_WORLD, asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator, gmv_max
from tiktok_ads_mart.emulator.gmv_max_world import account

STORES = "gmv_max/store/list/"
CAMPAIGNS = "gmv_max/campaign/get/"
INFO = "campaign/gmv_max/info/"
REPORT = "gmv_max/report/get/"
BASIC = ["cost", "net_cost", "orders", "gross_revenue", "cost_per_order", "roi"]
LATE = {"start_date": "2026-01-31", "end_date": "2026-03-01"}  # the contract world's last 30 days
EARLY = {"start_date": "2026-01-21", "end_date": "2026-01-30"}  # ... and the ten before them
BOTH_TYPES = {"gmv_max_promotion_types": ["PRODUCT_GMV_MAX", "LIVE_GMV_MAX"]}


def _adv(emulator: Emulator) -> str:
    return emulator.advertiser_ids[0]  # the first advertiser of a world always has a shop


def _store(emulator: Emulator) -> str:
    return str(gmv_max.stores(emulator.world, _adv(emulator))[0]["store_id"])


async def _report(client: httpx.AsyncClient, emulator: Emulator, **params: Any) -> dict[str, Any]:
    """The report of the first advertiser's shop over the last 30 days; a ``None`` value leaves it out."""
    base = {"advertiser_id": _adv(emulator), "store_ids": [_store(emulator)], **LATE, "page_size": 1000}
    request = {k: v for k, v in {**base, **params}.items() if v is not None}
    return await get(client, REPORT, emulator.access_token, **request)


def _day(row: dict[str, Any]) -> date:
    return date.fromisoformat(row["dimensions"]["stat_time_day"][:10])


def _dec(text: str) -> Decimal:
    return Decimal(text)


def _check_derived(metrics: dict[str, str]) -> None:
    cost, revenue, orders = _dec(metrics["cost"]), _dec(metrics["gross_revenue"]), int(metrics["orders"])
    expected_roi = (revenue / cost).quantize(Decimal("0.01")) if cost else Decimal("0.00")
    assert abs(_dec(metrics["roi"]) - expected_roi) <= Decimal("0.01")
    if "cost_per_order" in metrics:
        expected = cost / orders if orders else Decimal(0)
        assert abs(_dec(metrics["cost_per_order"]) - expected) <= Decimal("0.01")


# ------------------------------------------------------------------------------------------------ stores
async def test_store_list_shape_and_accounts_without_a_shop() -> None:
    emulator = Emulator(small_world(advertisers=6))
    async with asgi_client_for(emulator) as client:
        sizes = []
        for adv in emulator.advertiser_ids:
            data = ok(await get(client, STORES, emulator.access_token, advertiser_id=adv))
            assert list(data) == ["store_list"]
            assert data["store_list"] == gmv_max.stores(emulator.world, adv)
            sizes.append(len(data["store_list"]))
        assert sizes[0] >= 1 and 0 in sizes  # the first always sells through a shop, some never do
        first = ok(await get(client, STORES, emulator.access_token, advertiser_id=emulator.advertiser_ids[0]))
        shop = first["store_list"][0]
        assert shop["is_gmv_max_available"] is True and shop["is_owner_bc"] is True
        assert shop["exclusive_authorized_advertiser_info"]["advertiser_id"] == emulator.advertiser_ids[0]
        assert set(shop) == {
            "store_id", "is_gmv_max_available", "store_authorized_bc_id", "is_owner_bc", "store_authorized_bc_info",
            "thumbnail_url", "store_name", "store_code", "targeting_region_codes", "store_status", "store_role",
            "exclusive_authorized_advertiser_info",
        }  # fmt: skip
        assert set(shop["store_authorized_bc_info"]) == {"bc_id", "bc_profile_image", "bc_name", "user_role"}
        missing = await get(client, STORES, emulator.access_token)
        error(missing, 40002, "advertiser_id")
    emulator.close()


# ------------------------------------------------------------------------------------------- campaigns
async def test_campaign_list_requires_the_promotion_types(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token, adv = emulator_app.access_token, _adv(emulator_app)
    error(await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv), 40002, "filtering")
    error(
        await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering={}),
        40002,
        "gmv_max_promotion_types",
    )
    bad = {"gmv_max_promotion_types": ["PRODUCT"]}  # the report's spelling, not the list's
    error(
        await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=bad), 40002, "PRODUCT_GMV_MAX"
    )
    unknown = {**BOTH_TYPES, "objective_type": "PRODUCT_SALES"}
    error(
        await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=unknown),
        40002,
        "objective_type",
    )
    many = {**BOTH_TYPES, "store_ids": [str(n) for n in range(11)]}
    error(
        await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=many), 40002, "store_ids", "10"
    )
    status = {**BOTH_TYPES, "primary_status": "STATUS_ALL"}
    error(
        await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=status), 40002, "primary_status"
    )
    error(
        await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=BOTH_TYPES, page_size=101),
        40002,
        "page_size",
    )


async def test_campaign_list_filters_statuses_and_pages(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token, adv = emulator_app.access_token, _adv(emulator_app)
    truth = gmv_max.campaigns(emulator_app.world, adv)
    deleted = [c for c in truth if c["secondary_status"] == "CAMPAIGN_STATUS_DELETE"]
    assert deleted and len(truth) >= 3
    rows, _ = await all_pages(asgi_client, CAMPAIGNS, token, 1, advertiser_id=adv, filtering=BOTH_TYPES)
    assert [r["campaign_id"] for r in rows] == [c["campaign_id"] for c in truth if c not in deleted]
    assert all(list(r) == list(gmv_max.LIST_FIELDS) for r in rows)
    gone = ok(
        await get(
            asgi_client,
            CAMPAIGNS,
            token,
            advertiser_id=adv,
            filtering={**BOTH_TYPES, "primary_status": "STATUS_DELETE"},
        )
    )
    assert [r["campaign_id"] for r in gone["list"]] == [c["campaign_id"] for c in deleted]
    for kind in ("PRODUCT_GMV_MAX", "LIVE_GMV_MAX"):
        typed = {"gmv_max_promotion_types": [kind], "primary_status": "STATUS_DELETE"}
        data = ok(await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=typed))
        assert [r["campaign_id"] for r in data["list"]] == [
            c["campaign_id"] for c in deleted if c["promotion_type"] == kind
        ]
    elsewhere = {**BOTH_TYPES, "store_ids": ["123"]}
    assert ok(await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=elsewhere))["list"] == []
    named = {**BOTH_TYPES, "campaign_name": truth[0]["campaign_name"][:12].upper()}
    found = ok(await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=named))["list"]
    assert truth[0]["campaign_id"] in [r["campaign_id"] for r in found]
    fields = ok(
        await get(
            asgi_client,
            CAMPAIGNS,
            token,
            advertiser_id=adv,
            filtering=BOTH_TYPES,
            fields=["campaign_id", "modify_time"],
        )
    )
    assert all(list(r) == ["campaign_id", "modify_time"] for r in fields["list"])
    error(
        await get(asgi_client, CAMPAIGNS, token, advertiser_id=adv, filtering=BOTH_TYPES, fields=["budget"]),
        40002,
        "budget",
    )


async def test_campaign_details(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token, adv = emulator_app.access_token, _adv(emulator_app)
    for campaign in gmv_max.campaigns(emulator_app.world, adv):
        data = ok(await get(asgi_client, INFO, token, advertiser_id=adv, campaign_id=campaign["campaign_id"]))
        assert data == gmv_max.campaign_details(emulator_app.world, adv, campaign["campaign_id"])
        assert data["shopping_ads_type"] == campaign["promotion_type"].split("_")[0]
        assert data["store_id"] == campaign["store_id"]
        assert data["optimization_goal"] == "VALUE" and data["deep_bid_type"] == "VO_MIN_ROAS"
        assert isinstance(data["budget"], int | float) and isinstance(data["roas_bid"], int | float)
        assert ("item_group_ids" in data) == (data["product_specific_type"] == "CUSTOMIZED_PRODUCTS")
        assert data["campaign_name"] == campaign["campaign_name"]
    error(
        await get(asgi_client, INFO, token, advertiser_id=adv, campaign_id="123"), 40002, "campaign_id", "123"
    )
    error(await get(asgi_client, INFO, token, advertiser_id=adv), 40002, "campaign_id")


# ------------------------------------------------------------------------------------------- report limits
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"store_ids": None}, ("store_ids",)),
        ({"store_ids": ["1", "2"]}, ("store_ids", "1")),
        ({"store_ids": ["123"]}, ("store_ids", "123")),
        ({"start_date": None}, ("start_date",)),
        ({"start_date": "2026/02/01"}, ("start_date",)),
        ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, ("end_date",)),
        ({"start_date": "2026-01-30", "end_date": "2026-03-01"}, ("end_date", "30")),
        ({"dimensions": ["advertiser_id", "stat_time_hour"], "end_date": "2026-02-01", "start_date": "2026-01-31"}, ("end_date", "1")),
        ({"dimensions": ["advertiser_id"], "start_date": "2025-01-01", "end_date": "2026-01-01"}, ("end_date", "365")),
        ({"metrics": None}, ("metrics",)),
        ({"metrics": ["cost", "spend"]}, ("metrics", "spend")),
        ({"metrics": ["cost", "live_views"]}, ("metrics", "live_views")),
        ({"dimensions": ["stat_time_day"]}, ("dimensions",)),
        ({"dimensions": ["advertiser_id", "no_such"]}, ("dimensions", "no_such")),
        ({"dimensions": ["item_id", "stat_time_day"]}, ("dimensions", "not emulated")),
        ({"dimensions": ["campaign_id"], "filtering": {}}, ("gmv_max_promotion_types",)),
        ({"dimensions": ["campaign_id"], "filtering": {"gmv_max_promotion_types": ["PRODUCT", "LIVE"]}}, ("gmv_max_promotion_types",)),
        ({"dimensions": ["item_group_id"], "filtering": {}, "metrics": ["cost"]}, ("campaign_ids",)),
        ({"filtering": {"gmv_max_promotion_types": ["PRODUCT"], "room_ids": ["1"]}}, ("room_ids",)),
        ({"filtering": {"gmv_max_promotion_types": ["PRODUCT"], "campaign_statuses": ["ACTIVE"]}}, ("campaign_statuses",)),
        ({"filtering": {"gmv_max_promotion_types": ["PRODUCT"], "campaign_ids": [str(n) for n in range(101)]}}, ("campaign_ids", "100")),
        ({"page_size": 1001}, ("page_size",)),
        ({"sort_field": "spend"}, ("sort_field",)),
        ({"sort_field": "live_views"}, ("sort_field",)),
        ({"sort_field": "cost", "sort_type": "UP"}, ("sort_type",)),
    ],
)  # fmt: skip
async def test_report_refusals_name_the_parameter(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator, params: dict[str, Any], words: tuple[str, ...]
) -> None:
    base = {
        "dimensions": ["campaign_id", "stat_time_day"],
        "metrics": BASIC,
        "filtering": {"gmv_max_promotion_types": ["PRODUCT"]},
    }
    error(await _report(asgi_client, emulator_app, **{**base, **params}), 40002, *words)


async def test_product_attributes_need_one_campaign_and_one_id_dimension(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    ids = [c["campaign_id"] for c in gmv_max.campaigns(emulator_app.world, _adv(emulator_app))]
    for dims, campaign_ids in ((["item_group_id"], ids), (["campaign_id", "item_group_id"], ids[:1])):
        envelope = await _report(
            asgi_client,
            emulator_app,
            dimensions=dims,
            metrics=["product_name", "cost"],
            filtering={"campaign_ids": campaign_ids},
        )
        error(envelope, 40002, "product_name")


# ---------------------------------------------------------------------------------------- report numbers
async def test_account_rows_equal_the_daily_cost(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    truth = gmv_max.daily_cost(emulator_app.world, _adv(emulator_app))
    assert len(truth) == CONTRACT_WORLD["days"] and sum(truth.values()) > 0
    seen: dict[date, Decimal] = {}
    for window in (EARLY, LATE):
        data = ok(
            await _report(
                asgi_client,
                emulator_app,
                dimensions=["advertiser_id", "stat_time_day"],
                metrics=BASIC,
                **window,
            )
        )
        for row in data["list"]:
            assert row["dimensions"]["advertiser_id"] == _adv(emulator_app)
            assert row["dimensions"]["stat_time_day"].endswith(" 00:00:00")
            assert all(isinstance(v, str) for v in row["metrics"].values())
            _check_derived(row["metrics"])
            seen[_day(row)] = _dec(row["metrics"]["cost"])
    assert seen == {day: cost for day, cost in truth.items() if day in seen}
    assert sum(seen.values()) == sum(truth.values())


async def test_campaign_rows_equal_the_ground_truth_and_add_up_to_the_account(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = _adv(emulator_app)
    truth = gmv_max.campaign_daily(emulator_app.world, adv)
    total: dict[date, Decimal] = defaultdict(Decimal)
    live_metrics = [
        "live_views",
        "10_second_live_views",
        "live_follows",
        "cost_per_live_view",
        "all_shops_orders",
    ]
    for kind in ("PRODUCT", "LIVE"):
        filtering = {"gmv_max_promotion_types": [kind], "campaign_statuses": ["STATUS_ALL"]}
        metrics = BASIC + (live_metrics if kind == "LIVE" else [])
        data = ok(
            await _report(
                asgi_client,
                emulator_app,
                dimensions=["stat_time_day", "campaign_id"],
                metrics=metrics,
                filtering=filtering,
            )
        )
        assert data["list"]
        for row in data["list"]:
            expected = truth[row["dimensions"]["campaign_id"]][_day(row)]
            metrics_out = row["metrics"]
            assert _dec(metrics_out["cost"]) == expected.cost
            assert _dec(metrics_out["net_cost"]) == expected.net_cost <= expected.cost
            assert _dec(metrics_out["gross_revenue"]) == expected.gross_revenue
            assert int(metrics_out["orders"]) == expected.orders
            assert _dec(metrics_out["roi"]) == expected.roi
            assert _dec(metrics_out["cost_per_order"]) == expected.cost_per_order
            _check_derived(metrics_out)
            if kind == "LIVE":
                assert int(metrics_out["live_views"]) == expected.live_views
                assert metrics_out["all_shops_orders"] == expected.orders  # typed integer on the metrics page
            total[_day(row)] += expected.cost
    account_rows = ok(
        await _report(
            asgi_client, emulator_app, dimensions=["advertiser_id", "stat_time_day"], metrics=["cost"]
        )
    )
    assert {_day(r): _dec(r["metrics"]["cost"]) for r in account_rows["list"]} == dict(total)


async def test_deleted_campaigns_only_with_a_status_filter(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    truth = gmv_max.campaigns(emulator_app.world, _adv(emulator_app))
    deleted = {c["campaign_id"] for c in truth if c["secondary_status"] == "CAMPAIGN_STATUS_DELETE"}
    for kind in ("PRODUCT", "LIVE"):
        mine = {c["campaign_id"] for c in truth if c["promotion_type"].startswith(kind)}
        seen: dict[str, set[str]] = {}
        for statuses in (None, ["STATUS_ALL"], ["STATUS_DELETE"]):
            filtering: dict[str, Any] = {"gmv_max_promotion_types": [kind]}
            if statuses:
                filtering["campaign_statuses"] = statuses
            data = ok(
                await _report(
                    asgi_client,
                    emulator_app,
                    dimensions=["campaign_id"],
                    metrics=["cost"],
                    filtering=filtering,
                    **EARLY,
                )
            )
            seen[str(statuses)] = {r["dimensions"]["campaign_id"] for r in data["list"]}
        assert seen["None"] == mine - deleted
        assert seen["['STATUS_ALL']"] == mine
        assert seen["['STATUS_DELETE']"] == mine & deleted


async def test_product_rows_add_up_to_their_campaign(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = _adv(emulator_app)
    world = emulator_app.world
    product_campaigns = [c for c in gmv_max.campaigns(world, adv) if c["promotion_type"] == "PRODUCT_GMV_MAX"]
    assert product_campaigns
    daily = gmv_max.campaign_daily(world, adv)
    for campaign in product_campaigns:
        cid = campaign["campaign_id"]
        data = ok(
            await _report(
                asgi_client,
                emulator_app,
                dimensions=["item_group_id", "stat_time_day"],
                metrics=[
                    "item_group_id",
                    "product_name",
                    "product_status",
                    "bid_type",
                    "cost",
                    "orders",
                    "gross_revenue",
                    "roi",
                ],
                filtering={"campaign_ids": [cid]},
            )
        )
        sums: dict[date, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
        truth = gmv_max.product_daily(world, adv, cid)
        for row in data["list"]:
            m = row["metrics"]
            assert m["item_group_id"] == row["dimensions"]["item_group_id"] and m["bid_type"] == "CUSTOM"
            assert m["product_status"] in ("available", "unavailable")
            expected = truth[m["item_group_id"]][_day(row)]
            assert (_dec(m["cost"]), int(m["orders"]), _dec(m["roi"])) == (
                expected.cost,
                expected.orders,
                expected.roi,
            )
            _check_derived(m)
            parts = sums[_day(row)]
            for i, name in enumerate(("cost", "orders", "gross_revenue")):
                parts[i] += _dec(m[name])
        for day, (cost, orders, revenue) in sums.items():
            whole = daily[cid][day]
            assert (cost, orders, revenue) == (whole.cost, whole.orders, whole.gross_revenue)
        both = ok(
            await _report(
                asgi_client,
                emulator_app,
                dimensions=["campaign_id", "item_group_id"],
                metrics=["cost"],
                filtering={"campaign_ids": [cid]},
            )
        )
        window = [d for d in daily[cid] if date(2026, 1, 31) <= d]
        assert sum(_dec(r["metrics"]["cost"]) for r in both["list"]) == sum(
            daily[cid][d].cost for d in window
        )


async def test_multi_day_rows_derive_from_their_sums_and_totals_cover_every_page(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    params = {
        "dimensions": ["campaign_id"],
        "metrics": ["campaign_id", *BASIC],
        "filtering": {"gmv_max_promotion_types": ["LIVE"], "campaign_statuses": ["STATUS_ALL"]},
        "enable_total_metrics": True,
    }
    whole = ok(await _report(asgi_client, emulator_app, **params))
    daily = gmv_max.campaign_daily(emulator_app.world, _adv(emulator_app))
    for row in whole["list"]:
        days = [m for d, m in daily[row["dimensions"]["campaign_id"]].items() if d >= date(2026, 1, 31)]
        cost, revenue = sum(m.cost for m in days), sum(m.gross_revenue for m in days)
        assert _dec(row["metrics"]["cost"]) == cost
        expected = (revenue / cost).quantize(Decimal("0.01")) if cost else Decimal("0.00")
        assert _dec(row["metrics"]["roi"]) == expected  # total revenue / total cost, not a mean of days
    totals = whole["total_metrics"]
    assert "campaign_id" not in totals
    assert _dec(totals["cost"]) == sum(_dec(r["metrics"]["cost"]) for r in whole["list"])
    _check_derived(totals)
    by_day = {**params, "dimensions": ["campaign_id", "stat_time_day"]}
    rows, infos = await all_pages(
        asgi_client,
        REPORT,
        emulator_app.access_token,
        7,
        advertiser_id=_adv(emulator_app),
        store_ids=[_store(emulator_app)],
        **LATE,
        **by_day,
    )
    assert len(infos) == infos[0]["total_page"] > 1
    assert sum(_dec(r["metrics"]["cost"]) for r in rows) == _dec(totals["cost"])
    data = ok(await _report(asgi_client, emulator_app, **by_day, sort_field="cost", sort_type="ASC"))
    costs = [_dec(r["metrics"]["cost"]) for r in data["list"]]
    assert costs == sorted(costs)


async def test_hourly_rows_add_up_to_the_day(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    day = {"start_date": "2026-02-20", "end_date": "2026-02-20"}
    hourly = ok(
        await _report(
            asgi_client, emulator_app, dimensions=["advertiser_id", "stat_time_hour"], metrics=BASIC, **day
        )
    )
    labels = [r["dimensions"]["stat_time_hour"] for r in hourly["list"]]
    assert labels == [f"2026-02-20 {h:02d}:00:00" for h in range(24)]
    daily = gmv_max.daily_cost(emulator_app.world, _adv(emulator_app))
    assert sum(_dec(r["metrics"]["cost"]) for r in hourly["list"]) == daily[date(2026, 2, 20)]
    # today: only hours that have ended carry data (the clock is 04:00 in Los Angeles)
    today = ok(
        await _report(
            asgi_client,
            emulator_app,
            dimensions=["advertiser_id", "stat_time_hour"],
            metrics=["cost"],
            start_date="2026-03-01",
            end_date="2026-03-01",
        )
    )
    assert [r["dimensions"]["stat_time_hour"][11:13] for r in today["list"]] == ["00", "01", "02", "03"]


async def test_money_has_the_currency_decimals() -> None:
    emulator = Emulator(
        small_world(seed=3, advertisers=3)
    )  # the third advertiser reports in JPY, with a shop
    adv = emulator.advertiser_ids[2]
    store_id = gmv_max.stores(emulator.world, adv)[0]["store_id"]
    async with asgi_client_for(emulator) as client:
        data = ok(
            await get(
                client,
                REPORT,
                emulator.access_token,
                advertiser_id=adv,
                store_ids=[store_id],
                start_date="2026-10-25",
                end_date="2026-11-03",
                dimensions=["campaign_id"],
                metrics=["cost", "gross_revenue", "cost_per_order", "roi", "target_roi_budget"],
                filtering={"gmv_max_promotion_types": ["PRODUCT"], "campaign_statuses": ["STATUS_ALL"]},
            )
        )
    assert data["list"]
    for row in data["list"]:
        metrics = row["metrics"]
        assert all(
            "." not in metrics[name]
            for name in ("cost", "gross_revenue", "cost_per_order", "target_roi_budget")
        )
        assert len(metrics["roi"].split(".")[1]) == 2
    emulator.close()


async def test_unavailable_shop_has_no_rows(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    shops = gmv_max.stores(emulator_app.world, _adv(emulator_app))
    others = [s["store_id"] for s in shops if not s["is_gmv_max_available"]]
    for store_id in others:
        data = ok(
            await _report(
                asgi_client,
                emulator_app,
                store_ids=[store_id],
                dimensions=["advertiser_id"],
                metrics=["cost"],
            )
        )
        assert data["list"] == [] and data["page_info"]["total_page"] == 0


def test_official_sdk_reads_shops_details_and_reports(live_emulator: Any) -> None:
    sdk = pytest.importorskip("business_api_client")
    configuration = sdk.Configuration()
    configuration.host = live_emulator.root_url.rstrip("/")
    client = sdk.ApiClient(configuration)
    try:
        world, token = live_emulator.emulator.world, live_emulator.access_token
        adv = live_emulator.advertiser_ids[0]
        shops = sdk.StoreApi(client).gmv_max_store_list(adv, token)["data"]
        assert shops == {"store_list": gmv_max.stores(world, adv)}
        for campaign in gmv_max.campaigns(world, adv):
            cid = campaign["campaign_id"]
            info = sdk.CampaignCreationApi(client).campaign_gmv_max_info(adv, cid, token)["data"]
            assert info == gmv_max.campaign_details(world, adv, cid)
        store_id = shops["store_list"][0]["store_id"]
        rows = sdk.ReportingApi(client).gmv_max_report_get(
            adv,
            [store_id],
            ["advertiser_id", "stat_time_day"],
            ["cost", "roi"],
            "2026-02-01",
            "2026-02-20",
            token,
            page_size=100,
            filtering=sdk.FilteringGmvMaxReportGet(gmv_max_promotion_types=["PRODUCT", "LIVE"]),
        )["data"]["list"]
        truth = gmv_max.daily_cost(world, adv)
        assert {_day(r): _dec(r["metrics"]["cost"]) for r in rows} == {
            d: c for d, c in truth.items() if date(2026, 2, 1) <= d <= date(2026, 2, 20)
        }
    finally:
        client.pool.close()
        client.pool.join()


# ------------------------------------------------------------------------------------------- determinism
def _snapshot(emulator: Emulator) -> tuple[Any, ...]:
    world = emulator.world
    out: list[Any] = []
    for adv in emulator.advertiser_ids:
        acc = account(world, adv)
        out.append(
            (
                [s.store_id for s in acc.stores],
                [[p.item_group_id for p in s.products] for s in acc.stores],
                [c.campaign_id for c in acc.campaigns],
            )
        )
    return tuple(out)


def test_same_seed_same_world_and_a_later_clock_keeps_the_ids() -> None:
    config = small_world(**CONTRACT_WORLD)
    first, second = Emulator(config), Emulator(config)
    later = Emulator(small_world(**{**CONTRACT_WORLD, "now": CONTRACT_WORLD["now"] + timedelta(hours=5)}))
    other_seed = Emulator(small_world(**{**CONTRACT_WORLD, "seed": 8}))
    assert _snapshot(first) == _snapshot(second) == _snapshot(later) != _snapshot(other_seed)
    for adv in first.advertiser_ids:
        assert gmv_max.campaign_daily(first.world, adv) == gmv_max.campaign_daily(second.world, adv)
        assert gmv_max.stores(first.world, adv) == gmv_max.stores(later.world, adv)
    for emulator in (first, second, later, other_seed):
        emulator.close()


def test_existing_world_is_untouched_and_the_clock_reveals_hours() -> None:
    emulator = Emulator(small_world(**CONTRACT_WORLD))
    world = emulator.world
    adv = _adv(emulator)
    before = world.campaigns(adv)
    today = date(2026, 3, 1)
    early = gmv_max.daily_cost(world, adv)[today]
    world.set_now(world.now + timedelta(hours=10))
    assert gmv_max.daily_cost(world, adv)[today] >= early
    world.set_now(world.now - timedelta(hours=10))
    assert gmv_max.daily_cost(world, adv)[today] == early
    assert world.campaigns(adv) == before
    gmv_ids = {c["campaign_id"] for c in gmv_max.campaigns(world, adv)}
    assert not gmv_ids & {c["campaign_id"] for c in before}
    emulator.close()


def test_building_an_advertiser_takes_milliseconds() -> None:
    emulator = Emulator(small_world(advertisers=4, days=60))
    started = time.perf_counter()
    for adv in emulator.advertiser_ids:
        gmv_max.daily_cost(emulator.world, adv)
    assert time.perf_counter() - started < 0.5
    emulator.close()
