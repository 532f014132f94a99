"""DuckDB: every file is read with its path as a bound value; report rows replace their keys in one
transaction, without a staging copy.

dlt's own DuckDB copy job pastes the load file's path into ``read_parquet('...')``, so a pipelines
directory holding a quote (``/home/o'neil``) breaks every load, and a crafted one runs SQL of its own.
Every file this destination loads therefore goes through :class:`BoundPathCopyJob`, which binds the path
as a parameter; only identifiers, quoted by dlt's own escaping, are part of the statement's text.

dlt merges (``delete-insert``) by copying a package into a staging table and then deleting and inserting
into the table from there, so every row is written to DuckDB's storage twice; with DuckDB that second
write is about half of the load. Report tables are therefore loaded with ``append`` into DuckDB through
:class:`KeyReplacingCopyJob`, which deletes the keys a file holds and inserts the file in one
transaction. That is exactly delete-insert per file (a run never reads a key twice, so files of one
package never share a key), and it is as safe against a kill as dlt's merge: if the process dies after
the commit but before dlt marks the job done, the job runs again and replaces the same keys again.

Other destinations keep dlt's own merge.
"""

from __future__ import annotations

from typing import Any, cast

from dlt.common.destination.client import LoadJob
from dlt.common.destination.typing import PreparedTableSchema
from dlt.common.schema.typing import TTableSchema
from dlt.common.schema.utils import get_columns_names_with_prop
from dlt.common.storages.load_package import ParsedLoadJobFileName
from dlt.destinations.impl.duckdb.duck import DuckDbClient, DuckDbCopyJob
from dlt.destinations.impl.duckdb.factory import duckdb
from dlt.destinations.insert_job_client import InsertValuesJobClient

KEY_REPLACING_HINT = "x-replace-keys"
"""Table hint (set by the source on report tables) asking for :class:`KeyReplacingCopyJob`."""

READERS = {
    "parquet": "read_parquet(?, union_by_name=true, hive_partitioning=false)",
    "jsonl": "read_json(?, hive_partitioning=false)",
    "typed-jsonl": "read_json(?, hive_partitioning=false)",
}
"""The table function per load file format; ``?`` is the file's path, always bound, never pasted. A
``key=value`` folder in the path is not a hive partition (it would become a column)."""


class BoundPathCopyJob(DuckDbCopyJob):
    """``INSERT`` a load file into its table, the file's path bound as a parameter."""

    def source(self) -> str:
        file_format = ParsedLoadJobFileName.parse(self._file_path).file_format
        if file_format not in READERS:
            raise ValueError(f"DuckDB cannot copy a {file_format} file")
        return READERS[file_format]

    def qualified_table(self) -> str:
        return str(self._job_client.sql_client.make_qualified_table_name(self.load_table_name))

    def run(self) -> None:
        self._job_client.sql_client.execute_sql(
            f"INSERT INTO {self.qualified_table()} BY NAME SELECT * FROM {self.source()}", self._file_path
        )


class KeyReplacingCopyJob(BoundPathCopyJob):
    """``DELETE`` the rows whose primary key is in the file, then ``INSERT`` the file, atomically."""

    def run(self) -> None:
        sql_client = self._job_client.sql_client
        qualified, source = self.qualified_table(), self.source()
        match = " AND ".join(
            f"d.{sql_client.escape_column_name(key)} = s.{sql_client.escape_column_name(key)}"
            for key in primary_key(self._load_table)
        )
        with sql_client.begin_transaction():
            sql_client.execute_sql(
                f"DELETE FROM {qualified} AS d WHERE EXISTS (SELECT 1 FROM {source} AS s WHERE {match})",
                self._file_path,
            )
            sql_client.execute_sql(f"INSERT INTO {qualified} BY NAME SELECT * FROM {source}", self._file_path)


def primary_key(table: PreparedTableSchema) -> list[str]:
    return get_columns_names_with_prop(cast(TTableSchema, table), "primary_key")


class KeyReplacingDuckDbClient(DuckDbClient):
    def create_load_job(
        self, table: PreparedTableSchema, file_path: str, load_id: str, restore: bool = False
    ) -> LoadJob:
        # dlt's SQL and insert-values jobs carry no path; DuckDbClient's own fallback would paste one
        job = InsertValuesJobClient.create_load_job(self, table, file_path, load_id, restore)
        if job:
            return job
        replaces_keys = (
            table.get(KEY_REPLACING_HINT)
            and table.get("write_disposition") == "append"
            and primary_key(table)
            and ParsedLoadJobFileName.parse(file_path).file_format == "parquet"
        )
        return KeyReplacingCopyJob(file_path) if replaces_keys else BoundPathCopyJob(file_path)


class key_replacing_duckdb(duckdb):
    """dlt's DuckDB destination whose copy jobs bind the file path (:class:`BoundPathCopyJob`), with
    :class:`KeyReplacingCopyJob` for tables hinted so."""

    @property
    def client_class(self) -> Any:
        return KeyReplacingDuckDbClient


__all__ = ["KEY_REPLACING_HINT", "BoundPathCopyJob", "KeyReplacingCopyJob", "key_replacing_duckdb"]
