"""The README's Python example, exactly as written, against the emulator: the public dlt source loads
what the CLI's sync loads, and a second run merges onto it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import settings_for, static_token
from tiktok_ads_mart.sync import run_sync
from utils import snapshot

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_python() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.S)
    [example] = [block for block in blocks if "tiktok_ads(" in block]
    return example


def test_the_readme_example_loads_what_the_cli_loads(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2, days=10)
    env = {
        **os.environ,
        "SOURCES__TIKTOK_ADS__ACCESS_TOKEN": running.access_token,
        "SOURCES__TIKTOK_ADS__ADVERTISER_IDS": str(list(running.advertiser_ids)).replace("'", '"'),
        "SOURCES__TIKTOK_ADS__API_BASE": running.base_url,
        "DLT_DATA_DIR": str(tmp_path / "dlt"),
        "DLT_PIPELINE_DIR": str(tmp_path / "pipelines"),
        "RUNTIME__LOG_LEVEL": "WARNING",
    }
    script = tmp_path / "example.py"
    script.write_text(_readme_python(), "utf-8")
    for _ in range(2):  # the second run merges: no row twice
        done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert running.access_token not in done.stdout + done.stderr
    mine = snapshot(tmp_path / "tiktok_ads.duckdb")
    assert mine["campaigns"] and mine["campaign_report_daily"] and mine["gmv_max_stores"]

    streams = ("campaigns", "campaign_report_daily", "gmv_max_stores")
    settings = settings_for(running, tmp_path, "cli", streams=streams, now=None)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    cli = snapshot(settings.duckdb_path)
    assert {t: mine[t] for t in streams} == {t: cli[t] for t in streams}


def test_a_pipeline_may_run_some_resources_only(serve: Any, tmp_path: Path) -> None:
    """``with_resources("videos")`` leaves `ads` unrun: the videos' ids are listed, not waited for."""
    import dlt

    from tiktok_ads_mart import tiktok_ads

    running = serve(advertisers=1, days=5)
    source = tiktok_ads(
        access_token=running.access_token,
        advertiser_ids=list(running.advertiser_ids),
        api_base=running.base_url,
        streams=["ads", "videos"],
    ).with_resources("videos")
    pipeline = dlt.pipeline(
        "tiktok_ads_some", destination=dlt.destinations.duckdb(str(tmp_path / "some.duckdb")),
        dataset_name="tiktok", pipelines_dir=str(tmp_path / "pipelines"),
    )  # fmt: skip
    pipeline.run(source)
    tables = snapshot(tmp_path / "some.duckdb")
    assert tables["videos"] and "ads" not in tables
