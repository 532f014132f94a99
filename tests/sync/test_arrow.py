"""API pages to typed arrow tables, from synthetic pages in the contract's row shape."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from tiktok_ads_mart.catalog import BUILTIN_STREAMS, ENTITY_STREAMS, ReportSpec
from tiktok_ads_mart.sync.arrow import (
    DECIMAL,
    AdvertiserContext,
    entity_table,
    is_deleted,
    report_schema,
    report_table,
    to_decimal,
    to_int64,
)

LA = AdvertiserContext("7000000000000000001", "USD", "America/Los_Angeles")


def _spec(name: str) -> ReportSpec:
    spec = BUILTIN_STREAMS[name]
    assert isinstance(spec, ReportSpec)
    return spec


def _row(dims: dict[str, str], **metrics: object) -> dict[str, object]:
    return {"dimensions": dims, "metrics": metrics}


def test_daily_page_types_and_nulls() -> None:
    spec = _spec("campaign_report_daily")
    rows = [
        _row(
            {"campaign_id": "1714000000000000001", "stat_time_day": "2026-11-01 00:00:00"},
            spend="20.00", impressions="5830", clicks="69", ctr="1.18", cpc="0.29", currency="USD",
            campaign_name="Launch", frequency="-", conversion="3",
        ),
        _row(
            {"campaign_id": "1714000000000000002", "stat_time_day": "2026-11-02 00:00:00"},
            spend=12.5, impressions=0, clicks="0", ctr="-", cpc="-", currency="USD", campaign_name="Other",
        ),
    ]  # fmt: skip
    table = report_table(spec, rows, LA)
    assert table.schema == report_schema(spec)
    assert table.schema.field("spend").type == DECIMAL
    assert table.schema.field("impressions").type == pa.int64()
    assert table.schema.field("stat_time_day").type == pa.date32()
    got = table.to_pylist()
    assert got[0]["advertiser_id"] == LA.advertiser_id
    assert got[0]["stat_time_day"] == dt.date(2026, 11, 1)
    assert got[0]["spend"] == Decimal("20.00")
    assert got[0]["ctr"] == Decimal("1.18")
    assert got[0]["impressions"] == 5830
    assert got[0]["frequency"] is None  # "-"
    assert got[1]["spend"] == Decimal("12.5")  # a bare JSON number
    assert got[1]["ctr"] is None and got[1]["impressions"] == 0
    assert got[1]["conversion"] is None  # absent
    assert got[0]["timezone"] == "America/Los_Angeles" and got[0]["currency"] == "USD"


def test_hourly_utc_is_dst_correct() -> None:
    spec = _spec("advertiser_report_hourly")
    hours = ["2026-10-31 23:00:00", "2026-11-01 00:00:00", "2026-11-01 02:00:00", "2026-11-02 00:00:00"]
    rows = [_row({"advertiser_id": LA.advertiser_id, "stat_time_hour": h}, spend="1") for h in hours]
    table = report_table(spec, rows, LA)
    assert table.schema.field("stat_time_hour").type == pa.timestamp("s")
    assert table.schema.field("stat_time_hour_utc").type == pa.timestamp("s", tz="UTC")
    utc = [value.replace(tzinfo=None) for value in table["stat_time_hour_utc"].to_pylist()]
    assert utc == [
        dt.datetime(2026, 11, 1, 6),  # PDT, UTC-7
        dt.datetime(2026, 11, 1, 7),
        dt.datetime(2026, 11, 1, 10),  # PST, UTC-8
        dt.datetime(2026, 11, 2, 8),
    ]
    assert table["currency"].to_pylist() == ["USD"] * 4  # filled from the advertiser when absent


def test_breakdown_and_audience_columns_in_key_order() -> None:
    spec = _spec("ad_audience_report_daily_by_gender_age")
    rows = [
        _row(
            {"ad_id": "1", "stat_time_day": "2026-11-01 00:00:00", "gender": "MALE", "age": "AGE_25_34"},
            spend="1.5",
            currency="USD",
        )
    ]
    table = report_table(spec, rows, LA)
    assert table.column_names[:5] == ["advertiser_id", "ad_id", "stat_time_day", "gender", "age"]
    assert table.to_pylist()[0]["age"] == "AGE_25_34"


def test_decimal_and_int_casts_are_lenient_but_exact() -> None:
    values = pa.array(["1.123456789", "2", "-", "", "3.5%", None, "0.1234567894"])
    assert to_decimal(values).to_pylist() == [
        Decimal("1.123456789"),
        Decimal("2"),
        None,
        None,
        Decimal("3.5"),
        None,
        Decimal("0.123456789"),  # rounded at 9 places instead of refused
    ]
    assert to_int64(pa.array(["12", "-", "7.0"])).to_pylist() == [12, None, 7]


def test_entities_keep_field_names_and_mark_deleted() -> None:
    ads = next(s for s in ENTITY_STREAMS if s.name == "ads")
    rows = [
        {"ad_id": "11", "secondary_status": "AD_STATUS_DELIVERY_OK", "create_time": "2026-10-01 10:00:00",
         "modify_time": "2026-10-02 11:00:00", "image_ids": ["a", "b"], "utm_params": [{"key": "k", "value": "v"}],
         "is_aco": False},
        {"ad_id": "12", "secondary_status": "AD_STATUS_CAMPAIGN_DELETE", "create_time": "2026-10-01 10:00:00",
         "modify_time": None, "image_ids": None, "is_aco": True},
        {"ad_id": "13", "secondary_status": "AD_STATUS_DELETE", "create_time": "2026-10-01 10:00:00"},
    ]  # fmt: skip
    table = entity_table(ads, rows, "99")
    got = {row["ad_id"]: row for row in table.to_pylist()}
    assert [got[i]["is_deleted"] for i in ("11", "12", "13")] == [False, True, True]
    assert got["11"]["advertiser_id"] == "99"
    assert got["11"]["modify_time"] == dt.datetime(2026, 10, 2, 11, tzinfo=dt.UTC)
    assert got["11"]["image_ids"] == '["a","b"]'
    assert table.schema.field("is_aco").type == pa.bool_()
    assert is_deleted(ads, {"secondary_status": "AD_STATUS_ADGROUP_DELETE"})


def test_advertiser_rows_epoch_create_time_and_decimal_balance() -> None:
    spec = ENTITY_STREAMS[0]
    rows = [
        {
            "advertiser_id": 123,
            "name": "A",
            "create_time": 1510740064,
            "balance": 10.25,
            "timezone": "Etc/GMT",
        }
    ]
    got = entity_table(spec, rows, None).to_pylist()[0]
    assert got["advertiser_id"] == "123"
    assert got["create_time"] == dt.datetime.fromtimestamp(1510740064, dt.UTC)
    assert got["balance"] == Decimal("10.25")
    assert got["is_deleted"] is False


def test_timezones_by_name_or_offset() -> None:
    from tiktok_ads_mart.sync.advertisers import context_for
    from tiktok_ads_mart.sync.arrow import zone_for

    moment = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
    assert moment.astimezone(zone_for("GMT+08:00")).hour == 20  # type: ignore[arg-type]
    assert moment.astimezone(zone_for("UTC-5")).hour == 7  # type: ignore[arg-type]
    assert moment.astimezone(zone_for("Etc/GMT+8")).hour == 4  # type: ignore[arg-type]  (POSIX sign)
    assert zone_for("Mars/Olympus") is None
    row = {
        "advertiser_id": "1",
        "timezone": "Mars/Olympus",
        "display_timezone": "Asia/Tokyo",
        "currency": "JPY",
    }
    assert context_for(row).timezone == "Asia/Tokyo"


def test_entity_columns_do_not_depend_on_the_order_rows_arrive_in() -> None:
    """dlt makes a table's columns in the order it first sees them: two identical syncs must agree."""
    from tiktok_ads_mart.catalog import BUILTIN_STREAMS, EntitySpec
    from tiktok_ads_mart.sync.arrow import entity_table

    spec = BUILTIN_STREAMS["ad_groups"]
    assert isinstance(spec, EntitySpec)
    one = {"adgroup_id": "1", "budget": "5.00", "adgroup_name": "a", "operation_status": "ENABLE"}
    other = {"operation_status": "DISABLE", "adgroup_id": "2", "bid_price": "1.2", "adgroup_name": "b"}
    first = entity_table(spec, [one, other], "9").column_names
    second = entity_table(spec, [other, one], "9").column_names
    assert first == second
    assert first[: len(spec.primary_key)] == list(spec.primary_key)
