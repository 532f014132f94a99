"""DuckDB: report rows replace their keys in one statement, without a staging copy.

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

KEY_REPLACING_HINT = "x-replace-keys"
"""Table hint (set by the source on report tables) asking for :class:`KeyReplacingCopyJob`."""


class KeyReplacingCopyJob(DuckDbCopyJob):
    """``DELETE`` the rows whose primary key is in the file, then ``INSERT`` the file, atomically."""

    def run(self) -> None:
        sql_client = self._job_client.sql_client
        keys = primary_key(self._load_table)
        qualified = sql_client.make_qualified_table_name(self.load_table_name)
        source = f"read_parquet('{self._file_path}', union_by_name=true)"
        match = " AND ".join(
            f"d.{sql_client.escape_column_name(key)} = s.{sql_client.escape_column_name(key)}" for key in keys
        )
        sql_client.execute_sql(
            "BEGIN TRANSACTION;"
            f" DELETE FROM {qualified} AS d WHERE EXISTS (SELECT 1 FROM {source} AS s WHERE {match});"
            f" INSERT INTO {qualified} BY NAME SELECT * FROM {source};"
            " COMMIT;"
        )


def primary_key(table: PreparedTableSchema) -> list[str]:
    return get_columns_names_with_prop(cast(TTableSchema, table), "primary_key")


class KeyReplacingDuckDbClient(DuckDbClient):
    def create_load_job(
        self, table: PreparedTableSchema, file_path: str, load_id: str, restore: bool = False
    ) -> LoadJob:
        replaces_keys = (
            table.get(KEY_REPLACING_HINT)
            and table.get("write_disposition") == "append"
            and primary_key(table)
            and ParsedLoadJobFileName.parse(file_path).file_format == "parquet"
        )
        if replaces_keys:
            return KeyReplacingCopyJob(file_path)
        return super().create_load_job(table, file_path, load_id, restore)


class key_replacing_duckdb(duckdb):
    """dlt's DuckDB destination with :class:`KeyReplacingCopyJob` for tables hinted so."""

    @property
    def client_class(self) -> Any:
        return KeyReplacingDuckDbClient
