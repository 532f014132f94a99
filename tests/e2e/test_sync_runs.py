"""Runs as users see them: the demo, the progress displays, a kill during the load, a dead credential."""

from __future__ import annotations

import io
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from test_sync_cli import _env, _sync_args

from conftest import settings_for, static_token
from tiktok_ads_mart.cli.demo import run_demo
from tiktok_ads_mart.cli.progress import choose_mode, make_reporter, render_summary
from tiktok_ads_mart.errors import AuthExpired
from tiktok_ads_mart.sync import run_sync
from utils import mart_tables, query, snapshot

STREAMS = ("campaigns", "campaign_report_daily", "ad_report_hourly")


def test_demo_authorizes_through_the_consent_page_syncs_and_queries(tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=160, soft_wrap=True)  # as the CLI's
    code = run_demo(directory=tmp_path / "demo", duckdb_path=tmp_path / "tiktok_ads.duckdb", console=console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert code == 0, out
    assert "authorized app" in out and "spend per advertiser per day" in out
    tables = mart_tables(tmp_path / "tiktok_ads.duckdb")
    assert {"advertisers", "campaigns", "ad_report_hourly", "ad_audience_report_daily_by_province"} <= set(
        tables
    )
    currencies = query(
        tmp_path / "tiktok_ads.duckdb", "SELECT DISTINCT currency FROM tiktok.advertiser_report_daily"
    )
    assert len(currencies) >= 2
    assert (tmp_path / "demo" / "credentials.enc").stat().st_mode & 0o077 == 0
    # the closing hint is a command that works as printed, from where the demo ran
    hint = out.split("query it with the duckdb CLI, or:\n", 1)[1].splitlines()[0].strip()
    ran = subprocess.run(hint, shell=True, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and "campaign_id" in ran.stdout, ran.stderr


@pytest.mark.parametrize("kind", ["live", "plain", "quiet"])
def test_progress_displays_and_summary(serve: Any, tmp_path: Path, kind: str) -> None:
    running = serve(advertisers=2)
    console = Console(file=io.StringIO(), width=140, force_terminal=kind == "live")
    reporter = make_reporter(choose_mode(kind == "quiet", console), console)
    settings = settings_for(running, tmp_path, streams=STREAMS)
    result = run_sync(settings, token_source=static_token(running), reporter=reporter)
    assert result.exit_code == 0
    out = console.file.getvalue()  # type: ignore[attr-defined]
    if kind == "quiet":
        assert out == ""
    if kind == "plain":
        assert "ad_report_hourly · advertiser" in out and "/s served" in out
    render_summary(result, console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "campaign_report_daily" in out and f"requests {result.requests}" in out
    assert running.access_token not in out


NEW_SPEND_STREAMS = (
    "ads", "videos", "images", "identities", "pixels", "smart_plus_campaigns", "smart_plus_ad_groups",
    "smart_plus_ads", "ad_v2_report_daily", "gmv_max_stores", "gmv_max_campaigns", "gmv_max_campaign_details",
    "gmv_max_product_campaign_report_daily", "gmv_max_live_campaign_report_daily", "gmv_max_product_report_daily",
)  # fmt: skip


@pytest.mark.parametrize(
    "streams", [STREAMS, NEW_SPEND_STREAMS], ids=["reports", "shop_smart_plus_creatives"]
)
def test_sigkill_during_the_load_then_resume_equals_a_clean_run(
    serve: Any, tmp_path: Path, streams: tuple[str, ...]
) -> None:
    clean = serve(advertisers=2)
    clean_settings = settings_for(clean, tmp_path, "clean", streams=streams)
    assert run_sync(clean_settings, token_source=static_token(clean)).exit_code == 0

    running = serve(advertisers=2)
    env = _env(tmp_path, running, TIKTOK_ADS_MART_ADVERTISER_IDS=",".join(running.advertiser_ids))
    args = _sync_args(running, tmp_path, "killed", "--streams", ",".join(streams), "--quiet")
    package_dirs = [
        tmp_path / "killed-pipelines" / "tiktok_ads_mart" / "normalize" / "extracted",
        tmp_path / "killed-pipelines" / "tiktok_ads_mart" / "load" / "normalized",
    ]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = False
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if any(d.is_dir() and any(d.iterdir()) for d in package_dirs):
            process.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.002)
    process.wait(timeout=30)
    if not killed:
        pytest.skip("the run finished before a package could be caught pending")
    finished = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    assert snapshot(tmp_path / "killed.duckdb") == snapshot(clean_settings.duckdb_path)


def test_a_rejected_token_stops_the_run_with_one_clear_error(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    settings = settings_for(running, tmp_path, streams=STREAMS)
    with pytest.raises(AuthExpired) as caught:
        run_sync(settings, token_source=static_token(running, token="not-a-valid-token"))
    assert "auth login" in str(caught.value)
    assert "not-a-valid-token" not in str(caught.value)


def test_an_expired_token_is_refreshed_mid_sync_and_the_rotation_stored(serve: Any, tmp_path: Path) -> None:
    import datetime as dt
    from dataclasses import replace

    from tiktok_ads_mart.auth import EncryptedFileStore, resolve_token_source
    from tiktok_ads_mart.cli.demo import login_through_consent
    from tiktok_ads_mart.secret import Secret

    running = serve(advertisers=2, token_mode="expiring")
    store = EncryptedFileStore(tmp_path / "store.enc", Secret("a passphrase for this test"))
    first = login_through_consent(running, store, profile="expiring", timeout=30.0)
    assert first.refreshable
    later = running.emulator.now + dt.timedelta(hours=25)  # past the 24-hour access token
    running.emulator.set_now(later)
    token = resolve_token_source("expiring", store=store, api_base=running.base_url, env={})
    settings = replace(settings_for(running, tmp_path, streams=STREAMS), now=later)
    result = run_sync(settings, token_source=token)
    assert result.exit_code == 0, result.failures
    assert token.refreshes >= 1  # type: ignore[attr-defined]
    stored = store.load("expiring")
    assert stored is not None and stored.access_token != first.access_token
    assert stored.refresh_token != first.refresh_token
