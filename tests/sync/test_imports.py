"""A sync's imports: dlt must not drag SQLAlchemy in (15-30 MB of the memory budget) to print a URL."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

LOAD_ONE_ROW = """
import sys
from pathlib import Path
import pyarrow as pa
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.sync.destination import make_pipeline

root = Path(sys.argv[1])
pipeline = make_pipeline(SyncSettings(duckdb_path=root / "m.duckdb", pipelines_dir=root / "p"))
info = pipeline.run([pa.table({"a": [1]})], table_name="t")
assert not info.has_failed_jobs
print(str(info.destination_displayable_credentials or ""))
print("sqlalchemy" in sys.modules)
"""


def test_loading_into_duckdb_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    assert importlib.util.find_spec("sqlalchemy") is not None, (
        "installed with the dev extras, so dlt would use it"
    )
    done = subprocess.run(
        [sys.executable, "-c", LOAD_ONE_ROW, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    location, imported = done.stdout.strip().splitlines()[-2:]
    assert location.startswith("duckdb:///") and location.endswith("m.duckdb")
    assert imported == "False"
