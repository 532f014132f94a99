"""The Dagster example (examples/dagster) against the emulator: one advertiser partition materialized by
the README's command line, the other in process with Dagster's own API; together they load what one
`sync` loads, and a partition materialized again merges onto its rows."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import settings_for, static_token
from tiktok_ads_mart.errors import ConfigError
from tiktok_ads_mart.sync import run_sync
from utils import snapshot

dg = pytest.importorskip("dagster")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dagster" / "definitions.py"
STREAMS = ("campaigns", "ads", "videos", "campaign_report_daily", "ad_report_daily", "gmv_max_stores")


def _readme_materialize_line() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    [line] = [line for line in readme.splitlines() if "dagster asset materialize" in line]
    return line.split("#")[0].strip()


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tiktok_dagster_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source_env(running: Any) -> dict[str, str]:
    return {
        "TIKTOK_ADVERTISER_IDS": ",".join(running.advertiser_ids),
        "SOURCES__TIKTOK_ADS__ACCESS_TOKEN": running.access_token,
        "SOURCES__TIKTOK_ADS__API_BASE": running.base_url,
        "SOURCES__TIKTOK_ADS__STREAMS": json.dumps(list(STREAMS)),
        "RUNTIME__LOG_LEVEL": "WARNING",
    }


@pytest.mark.filterwarnings("ignore::Warning")  # Dagster's beta and supersession notices
def test_the_example_loads_what_sync_loads(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = serve(advertisers=2, days=6)
    first, second = running.advertiser_ids
    env = {
        **_source_env(running),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DLT_DATA_DIR": str(tmp_path / "dlt"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    (tmp_path / "dagster_home").mkdir()  # with the example's instance settings (its pool limit)
    (tmp_path / "dagster_home" / "dagster.yaml").write_bytes((EXAMPLE.parent / "dagster.yaml").read_bytes())

    # the README's line, as written, for the first advertiser
    words = [w.replace("<id>", first) for w in shlex.split(_readme_materialize_line())]
    words[0] = str(Path(sys.executable).parent / Path(words[0]).name)
    words = [str(EXAMPLE) if w == "examples/dagster/definitions.py" else w for w in words]
    done = subprocess.run(words, cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "RUN_SUCCESS" in done.stdout + done.stderr
    assert running.access_token not in done.stdout + done.stderr

    # the second in process, with Dagster's API, twice: the second run merges
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    example = _load_example()
    from tiktok_ads_mart.dagster_assets import DagsterDltResource

    for _ in range(2):
        result = dg.materialize(
            [example.tiktok_ads],
            partition_key=second,
            resources={"dlt": DagsterDltResource()},
            instance=dg.DagsterInstance.ephemeral(),
        )
        assert result.success
        keys = {event.asset_key.path[-1] for event in result.get_asset_materialization_events()}
        assert keys == set(STREAMS)

    mine = snapshot(tmp_path / "tiktok_ads.duckdb")
    settings = settings_for(running, tmp_path, "cli", streams=STREAMS, now=None)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    cli = snapshot(settings.duckdb_path)
    assert all(mine[table] for table in STREAMS)
    assert {t: mine[t] for t in STREAMS} == {t: cli[t] for t in STREAMS}


def test_the_assets_need_no_secret_and_name_every_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """A code location loads without the token: building the assets sends nothing and reads no secret."""
    from tiktok_ads_mart.config import SyncSettings
    from tiktok_ads_mart.dagster_assets import tiktok_ads_assets

    monkeypatch.delenv("SOURCES__TIKTOK_ADS__ACCESS_TOKEN", raising=False)
    assets = tiktok_ads_assets(["1", "2", "3"], concurrent_partitions=3, pool="tiktok", key_prefix=["ads"],
                               source_options={"api_base": "http://127.0.0.1:9/open_api/v1.3/"})  # fmt: skip
    assert {key.path[-1] for key in assets.keys} == set(SyncSettings().all_streams())
    assert all(key.path[0] == "ads" for key in assets.keys)
    assert assets.partitions_def is not None
    assert assets.partitions_def.get_partition_keys() == ["1", "2", "3"]
    assert assets.op.pool == "tiktok"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"advertiser_ids": []}, "advertiser_ids is empty"),
        ({"advertiser_ids": ["1", "1"]}, "named twice"),
        ({"advertiser_ids": ["1"], "concurrent_partitions": 0}, "concurrent_partitions 0"),
        ({"advertiser_ids": ["1"], "source_options": {"access_token": "x"}}, "may not set access_token"),
        ({"advertiser_ids": ["1"], "streams": ["no_such_stream"]}, "no_such_stream"),
    ],
)
def test_bad_arguments_are_one_line(args: dict[str, Any], message: str) -> None:
    from tiktok_ads_mart.dagster_assets import tiktok_ads_assets

    with pytest.raises(ConfigError, match=re.escape(message)):
        tiktok_ads_assets(**args)


def test_concurrent_runs_divide_the_apps_limits() -> None:
    from tiktok_ads_mart.config import SyncSettings

    assert SyncSettings(qps=10, qpm=600, concurrent_runs=3).rate_limits == (3, 200)
    assert SyncSettings(qps=10, qpm=600, shard=(1, 4)).rate_limits == (2, 150)
    assert SyncSettings(qps=10, qpm=600).rate_limits == (10, 600)


def test_without_the_extra_the_import_names_it() -> None:
    code = "import sys; sys.modules['dagster_dlt'] = None; import tiktok_ads_mart.dagster_assets"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == (
        "ImportError: tiktok_ads_mart.dagster_assets needs the [dagster] extra (dagster_dlt is not "
        "installed): pip install 'tiktok-ads-mart[dagster]'"
    )
