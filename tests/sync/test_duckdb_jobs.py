"""Report tables in DuckDB: each file replaces its keys in one transaction, without a staging copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow as pa
import pytest

from tiktok_ads_mart.sync.destination import is_duckdb_out_of_memory
from tiktok_ads_mart.sync.duckdb_jobs import KEY_REPLACING_HINT, key_replacing_duckdb


def _pipeline(tmp_path: Path) -> Any:
    return dlt.pipeline(
        pipeline_name="keys",
        destination=key_replacing_duckdb(str(tmp_path / "mart.duckdb")),
        dataset_name="reports",
        pipelines_dir=str(tmp_path / "pipelines"),
    )


def _load(pipeline: Any, rows: dict[str, list[Any]], *, hinted: bool = True) -> None:
    table = pa.table(rows)

    def items() -> Iterator[pa.Table]:
        yield table

    resource = dlt.resource(items, name="report", write_disposition="append", primary_key=["id", "day"])
    if hinted:
        resource.apply_hints(additional_table_hints={KEY_REPLACING_HINT: True})
    pipeline.run(resource, loader_file_format="parquet")


def _rows(tmp_path: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(tmp_path / "mart.duckdb"), read_only=True) as con:
        return con.execute("select id, day, spend from reports.report order by id, day").fetchall()


def test_a_file_replaces_the_rows_of_its_keys_and_keeps_the_others(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    _load(pipeline, {"id": ["a", "a", "b"], "day": [1, 2, 1], "spend": [1.0, 2.0, 3.0]})
    _load(pipeline, {"id": ["a", "c"], "day": [2, 1], "spend": [20.0, 30.0]})
    assert _rows(tmp_path) == [("a", 1, 1.0), ("a", 2, 20.0), ("b", 1, 3.0), ("c", 1, 30.0)]


def test_loading_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    """What a job replayed after a kill between its commit and dlt's bookkeeping does."""
    pipeline = _pipeline(tmp_path)
    rows = {"id": ["a", "b"], "day": [1, 1], "spend": [1.5, 2.5]}
    _load(pipeline, rows)
    once = _rows(tmp_path)
    _load(pipeline, rows)
    assert _rows(tmp_path) == once == [("a", 1, 1.5), ("b", 1, 2.5)]


def test_without_the_hint_append_stays_append(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    rows = {"id": ["a"], "day": [1], "spend": [1.0]}
    _load(pipeline, rows, hinted=False)
    _load(pipeline, rows, hinted=False)
    assert _rows(tmp_path) == [("a", 1, 1.0), ("a", 1, 1.0)]


def test_a_commit_that_cannot_get_a_block_counts_as_out_of_memory(tmp_path: Path) -> None:
    """A transaction keeps up to a row group of appended rows in memory until it commits; with too small
    a cap the commit itself fails, in words other than "Out of Memory", and must get the bigger cap too."""
    con = duckdb.connect(str(tmp_path / "tight.duckdb"), config={"threads": 1, "memory_limit": "16MB"})
    columns = ", ".join(f"c{i} DECIMAL(38, 9) NOT NULL" for i in range(40))
    con.execute(f"CREATE TABLE t (id VARCHAR NOT NULL, {columns})")
    values = ", ".join(f"(i * {i + 1})::DECIMAL(38, 9)" for i in range(40))
    with pytest.raises(duckdb.Error) as failure:
        con.execute(f"BEGIN; INSERT INTO t SELECT i::VARCHAR, {values} FROM range(60000) r(i); COMMIT;")
    assert "Out of Memory" not in str(failure.value)
    assert is_duckdb_out_of_memory(failure.value)
    assert not is_duckdb_out_of_memory(duckdb.CatalogException("Table with name nope does not exist"))
