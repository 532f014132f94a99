"""The stream table: names, keys and default metrics follow the contract."""

from __future__ import annotations

import re

import pytest

from tiktok_ads_mart.catalog import (
    AIRBYTE_COMMON_METRICS,
    BUILTIN_STREAMS,
    CONVERSION_METRICS,
    ENTITY_STREAMS,
    LEVEL_ATTRIBUTES,
    NOT_AUDIENCE_METRICS,
    REPORT_STREAMS,
    RESULT_METRICS,
    ReportSpec,
    default_metrics,
    metric_catalog,
    metric_kind,
)

NAME = re.compile(
    r"^(gmv_max_(product_|live_)?)?(advertiser|campaign|adgroup|ad|ad_v2|product)(_audience)?"
    r"_report_(daily|hourly|lifetime)(_by_[a-z_]+)?$"
)


def test_catalog_file_has_every_metric_once() -> None:
    names = metric_catalog()
    assert len(names) == 826
    assert len(set(names)) == len(names)


def test_the_required_reports_exist_with_consistent_names() -> None:
    names = {spec.name for spec in REPORT_STREAMS}
    for level in ("advertiser", "campaign", "adgroup", "ad"):
        for grain in ("daily", "hourly", "lifetime"):
            assert f"{level}_report_{grain}" in names
        for by in ("gender_age", "country", "platform"):
            assert f"{level}_audience_report_daily_by_{by}" in names
    assert {"adgroup_report_daily_by_country", "ad_report_daily_by_country"} <= names
    assert "ad_audience_report_daily_by_province" in names
    assert all(NAME.match(name) for name in names)
    assert [s.name for s in ENTITY_STREAMS] == [
        "advertisers",
        "campaigns",
        "ad_groups",
        "ads",
        "custom_audiences",
        "videos",
        "images",
        "identities",
        "pixels",
        "smart_plus_campaigns",
        "smart_plus_ad_groups",
        "smart_plus_ads",
        "gmv_max_stores",
        "gmv_max_campaigns",
        "gmv_max_campaign_details",
    ]


@pytest.mark.parametrize("spec", [s for s in REPORT_STREAMS if s.integrated], ids=lambda s: s.name)
def test_report_spec_is_valid(spec: ReportSpec) -> None:
    known = set(metric_catalog())
    assert all(metric in known for metric in spec.metrics)
    assert spec.metrics[0] == "currency"
    assert spec.primary_key[0] == "advertiser_id"
    assert spec.id_dimension in spec.primary_key
    if spec.time_dimension:
        assert spec.time_dimension in spec.primary_key
    assert set(spec.breakdown) <= set(spec.primary_key)
    if spec.report_type == "AUDIENCE":
        assert not set(spec.metrics) & NOT_AUDIENCE_METRICS
        assert spec.grain != "lifetime"
    else:
        assert set(AIRBYTE_COMMON_METRICS) <= set(spec.metrics)
    assert set(CONVERSION_METRICS) <= set(spec.metrics)
    assert set(RESULT_METRICS) <= set(spec.metrics)
    own = (
        ("ad_name", "ad_text") if spec.id_dimension == "ad_id_v2" else ()
    )  # a Smart+ ad's are its creatives'
    assert set(LEVEL_ATTRIBUTES[spec.level]) - set(own) <= set(spec.metrics)


def test_gmv_max_reports_ask_one_store_at_a_time_with_the_reference_metrics() -> None:
    gmv = [s for s in REPORT_STREAMS if not s.integrated]
    assert {s.name for s in gmv} == {
        "gmv_max_product_campaign_report_daily",
        "gmv_max_live_campaign_report_daily",
        "gmv_max_product_report_daily",
    }
    for spec in gmv:
        assert spec.per_store and spec.path == "gmv_max/report/get/"
        assert {"cost", "orders", "gross_revenue", "roi"} <= set(spec.metrics)
        assert metric_kind("roi") == "decimal" and metric_kind("orders") == "count"


def test_advertiser_daily_adds_cash_and_voucher_spend_only_there() -> None:
    assert {"cash_spend", "voucher_spend"} <= set(default_metrics("advertiser", "daily", "BASIC"))
    assert "cash_spend" not in default_metrics("advertiser", "hourly", "BASIC")
    assert "cash_spend" not in default_metrics("campaign", "daily", "BASIC")


def test_entity_keys_and_page_sizes() -> None:
    specs = {s.name: s for s in ENTITY_STREAMS}
    assert specs["custom_audiences"].page_size == 100
    assert specs["campaigns"].page_size == 1000
    # ads are re-listed in full: a parent's rename or deletion changes ad rows without their modify_time
    assert "modified_after" not in str(specs["ads"].params)
    assert specs["pixels"].page_size == 20  # pixel/list/ takes 1-20
    assert specs["campaigns"].primary_key == ("advertiser_id", "campaign_id")
    assert specs["advertisers"].primary_key == ("advertiser_id",)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("spend", "decimal"),
        ("cpc", "decimal"),
        ("ctr", "decimal"),
        ("conversion_rate", "decimal"),
        ("cost_per_result", "decimal"),
        ("frequency", "decimal"),
        ("average_video_play", "decimal"),
        ("impressions", "count"),
        ("clicks", "count"),
        ("reach", "count"),
        ("conversion", "count"),
        ("video_views_p100", "count"),
        ("app_install", "count"),
        ("campaign_name", "string"),
        ("currency", "string"),
        ("ad_text", "string"),
    ],
)
def test_metric_kinds(name: str, kind: str) -> None:
    assert metric_kind(name) == kind


def test_builtin_streams_are_unique() -> None:
    assert len(BUILTIN_STREAMS) == len(ENTITY_STREAMS) + len(REPORT_STREAMS)
