"""Settings: flags over env over file, every bad value refused with one clear line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tiktok_ads_mart.catalog import BUILTIN_STREAMS, ReportSpec
from tiktok_ads_mart.config import load_settings
from tiktok_ads_mart.errors import ConfigError
from tiktok_ads_mart.secret import Secret
from tiktok_ads_mart.sync.destination import check_destination


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiktok-ads-mart.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_flags_beat_env_beat_file(tmp_path: Path) -> None:
    path = _file(tmp_path, 'lookback_days = 3\nconcurrency = 4\ndataset_name = "from_file"\nqps = 5\n')
    env = {"TIKTOK_ADS_MART_LOOKBACK_DAYS": "5", "TIKTOK_ADS_MART_CONCURRENCY": "6"}
    settings = load_settings({"lookback_days": "9"}, config_path=path, environ=env)
    assert settings.lookback_days == 9
    assert settings.concurrency == 6
    assert settings.dataset_name == "from_file"
    assert settings.rate_limits == (5, 600)
    assert settings.config_file == path


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({}, environ={})
    assert settings.lookback_days == 7
    assert settings.include_deleted is True
    assert settings.destination == "duckdb"
    assert settings.duckdb_path == Path("tiktok_ads.duckdb")
    assert settings.rate_limits == (10, 600)
    assert settings.start_date is None and settings.end_date is None
    assert [spec.name for spec in settings.selected_streams()] == list(BUILTIN_STREAMS)  # every one


def test_lists_dates_tiers_and_booleans_parse(tmp_path: Path) -> None:
    env = {
        "TIKTOK_ADS_MART_STREAMS": "campaigns, ad_report_daily",
        "TIKTOK_ADS_MART_ADVERTISER_IDS": "123,456",
        "TIKTOK_ADS_MART_START_DATE": "2026-01-01",
        "TIKTOK_ADS_MART_INCLUDE_DELETED": "false",
        "TIKTOK_ADS_MART_RATE_TIER": "Premium",
    }
    settings = load_settings({}, config_path=_file(tmp_path, ""), environ=env)
    assert [s.name for s in settings.selected_streams()] == ["campaigns", "ad_report_daily"]
    assert settings.advertiser_ids == ("123", "456")
    assert settings.start_date == dt.date(2026, 1, 1)
    assert settings.include_deleted is False
    assert settings.rate_limits == (30, 1800)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"streams": "campaigns,nope"}, "unknown stream 'nope'"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "2026-02-03", "end_date": "2026-02-01"}, "after end_date"),
        ({"lookback_days": "29"}, "lookback_days must be between 0 and 28"),
        ({"lookback_days": "-1"}, "lookback_days"),
        ({"concurrency": "zero"}, "concurrency"),
        ({"rate_tier": "gold"}, "unknown rate tier"),
        ({"advertiser_ids": "12a"}, "digits"),
        ({"include_deleted": "maybe"}, "include_deleted"),
        ({"dataset_name": "Bad Name"}, "dataset_name"),
        ({"dataset_name": "tiktok_ads"}, "DuckDB"),
    ],
)
def test_bad_settings_are_one_line_config_errors(tmp_path: Path, flags: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(flags, config_path=_file(tmp_path, ""), environ={})
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"destination": "postgres"}, "credentials"),
        (
            {"destination": "no_such_destination"},
            "unknown destination 'no_such_destination'; dlt's destinations: ",
        ),
    ],
)
def test_a_destination_dlt_cannot_use_is_a_one_line_config_error(
    tmp_path: Path, flags: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        check_destination(load_settings(flags, config_path=_file(tmp_path, ""), environ={}))
    text = str(caught.value)
    assert message in text and "\n" not in text and caught.value.exit_code == 2


def test_postgres_with_credentials_is_accepted_and_masked(tmp_path: Path) -> None:
    dsn = "postgresql://user:hunter2@127.0.0.1:1/db"
    settings = load_settings(
        {"destination": "postgres"},
        config_path=_file(tmp_path, ""),
        environ={"TIKTOK_ADS_MART_DESTINATION_CREDENTIALS": dsn},
    )
    assert isinstance(settings.destination_credentials, Secret)
    assert "hunter2" not in repr(settings)


def test_custom_reports_are_validated_before_any_request(tmp_path: Path) -> None:
    good = _file(
        tmp_path,
        '[[reports]]\nname = "by_placement"\nreport_type = "AUDIENCE"\nlevel = "adgroup"\n'
        'dimensions = ["placement"]\nmetrics = ["spend", "clicks"]\ngranularity = "daily"\n',
    )
    settings = load_settings({}, config_path=good, environ={})
    (spec,) = settings.custom_reports
    assert spec.dimensions == ("adgroup_id", "stat_time_day", "placement")
    assert spec.metrics == ("currency", "spend", "clicks")
    assert spec.primary_key == ("advertiser_id", "adgroup_id", "stat_time_day", "placement")
    assert "by_placement" in {s.name for s in settings.selected_streams()}

    cases = {
        'metrics = ["spend", "speend"]': "unknown metric 'speend'",
        'metrics = ["spend"]\nreport_type = "WHAT"': "report_type",
        'metrics = ["spend"]\ngranularity = "weekly"': "granularity",
        'metrics = ["spend"]\nreport_type = "AUDIENCE"\ngranularity = "lifetime"': "lifetime",
        'metrics = ["spend"]\ncolour = "red"': "unknown key 'colour'",
        # what TikTok would refuse with 40002 for every advertiser is refused before the run
        'metrics = ["spend"]\ndimensions = ["gender"]': "'gender' needs report_type = 'AUDIENCE'",
        'metrics = ["spend"]\ndimensions = ["campaign_id"]': "does not fit level 'ad', whose id is 'ad_id'",
        'metrics = ["spend"]\ndimensions = ["stat_time_hour"]': "means granularity = 'hourly', not 'daily'",
        'metrics = ["spend"]\ndimensions = ["colour"]': "unknown dimension 'colour'",
        'metrics = ["spend"]\nreport_type = "AUDIENCE"': "needs an audience dimension",
        'metrics = ["spend"]\nreport_type = "AUDIENCE"\ndimensions = ["ad_type"]': "for BASIC reports",
        'metrics = ["reach"]\nreport_type = "AUDIENCE"\ndimensions = ["age"]': "'reach' is not reported by audience",
        'metrics = ["cash_spend"]': "'cash_spend' exists only at level 'advertiser', daily",
        'metrics = ["spend"]\ngranularity = "lifetime"\ndimensions = ["country_code"]': "no breakdown",
    }
    by_country = _file(
        tmp_path,
        '[[reports]]\nname = "ad_spend_by_country"\nlevel = "ad"\n'
        'dimensions = ["ad_id", "stat_time_day", "country_code"]\nmetrics = ["spend"]\n',
    )
    (spec,) = load_settings({}, config_path=by_country, environ={}).custom_reports
    assert spec.dimensions == ("ad_id", "stat_time_day", "country_code")

    for extra, message in cases.items():
        bad = _file(tmp_path, f'[[reports]]\nname = "x_report"\nlevel = "ad"\n{extra}\n')
        with pytest.raises(ConfigError, match=message):
            load_settings({}, config_path=bad, environ={})


def test_a_custom_reports_level_may_be_spelled_as_tiktoks_data_level(tmp_path: Path) -> None:
    def report(level: str) -> ReportSpec:
        text = f'[[reports]]\nname = "spend_x"\nlevel = "{level}"\nmetrics = ["spend"]\n'
        (spec,) = load_settings({}, config_path=_file(tmp_path, text), environ={}).custom_reports
        return spec

    assert report("AUCTION_ADGROUP") == report("adgroup")
    assert report("AUCTION_ADGROUP").dimensions == ("adgroup_id", "stat_time_day")
    with pytest.raises(ConfigError, match="or TikTok's data_level: AUCTION_ADVERTISER"):
        report("AUCTION_ADS")


def test_unknown_file_setting_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting 'lookback'"):
        load_settings({}, config_path=_file(tmp_path, "lookback = 3\n"), environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({}, config_path=tmp_path / "missing.toml", environ={})
    with pytest.raises(ConfigError, match="config file"):
        load_settings({}, config_path=_file(tmp_path, "this is = = not toml"), environ={})


@pytest.mark.parametrize(
    ("dsn", "pgpassword", "expected"),
    [
        ("postgresql://user:hunter2@127.0.0.1:1/db", "other", "hunter2"),  # the DSN's own wins
        ("postgresql://user@127.0.0.1:1/db", "from-env", "from-env"),  # libpq's PGPASSWORD
        ("postgresql://user@127.0.0.1:1/db", None, ""),  # trust/peer auth or ~/.pgpass
    ],
)
def test_a_postgres_dsn_may_leave_the_password_to_libpq(
    monkeypatch: pytest.MonkeyPatch, dsn: str, pgpassword: str | None, expected: str
) -> None:
    from tiktok_ads_mart.sync.destination import postgres_credentials

    if pgpassword is None:
        monkeypatch.delenv("PGPASSWORD", raising=False)
    else:
        monkeypatch.setenv("PGPASSWORD", pgpassword)
    credentials = postgres_credentials(dsn)
    assert credentials.password == expected
    assert (credentials.username, credentials.host, credentials.port, credentials.database) == (
        "user",
        "127.0.0.1",
        1,
        "db",
    )


def test_files_without_a_table_format_are_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain parquet files cannot replace rows by key: every run would append its lookback again."""
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", (tmp_path / "lake").as_uri())
    with pytest.raises(ConfigError, match="--table-format delta"):
        check_destination(
            load_settings({"destination": "filesystem"}, config_path=_file(tmp_path, ""), environ={})
        )
    settings = load_settings(
        {"destination": "filesystem", "table_format": "delta"}, config_path=_file(tmp_path, ""), environ={}
    )
    check_destination(settings)
    assert settings.table_format == "delta"
