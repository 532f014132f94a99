"""`check` inside the mart: the one place that speaks SQL to the destination, and the checks built on it.

The mart is read through dlt's own client for the sync's pipeline (``pipeline.destination_client()``), so
any SQL destination the sync loads into is checked the same way. Every value is a bound parameter (dlt's
``%s`` style, which each client turns into its driver's); table and column names come only from the
catalog and are quoted with the destination's own identifier escaping. Sums are computed by the database
(a big account's hourly table never comes to Python); only the sums do, and are matched to each
advertiser's days here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tiktok_ads_mart.catalog import BUILTIN_STREAMS, REPORT_PATH, ReportSpec, StreamSpec
from tiktok_ads_mart.check_model import (
    METRICS,
    Finding,
    Kind,
    Totals,
    Values,
    Window,
    differences,
    number,
)
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.errors import ConfigError, TikTokAdsMartError


class Mart:
    """The destination's tables as the checks read them, through one open dlt job client."""

    def __init__(self, job_client: Any) -> None:
        self._job = job_client
        self._sql = job_client.sql_client
        self._columns: dict[str, frozenset[str]] = {}

    def load_columns(self, tables: Sequence[str]) -> None:
        """Which of ``tables`` exist, with their columns (one information-schema query for all)."""
        for name, columns in self._job.get_storage_tables(list(tables)):
            if columns:
                self._columns[name] = frozenset(columns)

    def has(self, table: str, *columns: str) -> bool:
        return table in self._columns and all(c in self._columns[table] for c in columns)

    def columns(self, table: str) -> frozenset[str]:
        return self._columns.get(table, frozenset())

    def table(self, name: str) -> str:
        """The qualified, quoted name of a catalog table (never a value from outside the catalog)."""
        qualified: str = self._sql.make_qualified_table_name(name)
        return qualified

    def column(self, name: str, alias: str = "") -> str:
        quoted: str = self._sql.escape_column_name(name)
        return f"{alias}.{quoted}" if alias else quoted

    def day(self, column: str) -> str:
        """A table's day: ``stat_time_day`` itself, or the date of an hourly table's ``stat_time_hour``
        (the advertiser's wall clock, so its date is the advertiser's day)."""
        quoted = self.column(column)
        return quoted if column == "stat_time_day" else f"CAST({quoted} AS DATE)"

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        found = self._sql.execute_sql(sql, *params)
        return [tuple(row) for row in found or ()]

    def sums(
        self, table: str, groups: Sequence[str], day: str, metrics: Sequence[str], span: tuple[date, date]
    ) -> list[tuple[Any, ...]]:
        """``groups`` (column names), the day, and each metric's sum, over the days of ``span``.

        ``day`` is the table's time column (see :meth:`day`).
        """
        day_sql = self.day(day)
        keys = [self.column(name) for name in groups] + [day_sql]
        totals = [f"SUM({self.column(metric)})" for metric in metrics]
        sql = (
            f"SELECT {', '.join(keys + totals)} FROM {self.table(table)} "
            f"WHERE {day_sql} BETWEEN %s AND %s GROUP BY {', '.join(keys)}"
        )
        return self.rows(sql, *span)

    def duplicates(
        self, table: str, key: Sequence[str], day: str | None, span: tuple[date, date]
    ) -> list[tuple[Any, ...]]:
        """The key values that more than one row holds, with their count (over ``span`` if dated)."""
        keys = ", ".join(self.column(name) for name in key)
        where, params = "", tuple[date, ...]()
        if day is not None:
            where, params = f" WHERE {self.day(day)} BETWEEN %s AND %s", span
        sql = f"SELECT {keys}, COUNT(*) FROM {self.table(table)}{where} GROUP BY {keys} HAVING COUNT(*) > 1"
        return self.rows(sql, *params)

    def orphans(self, child: str, child_id: str, parent: str, parent_id: str) -> list[tuple[Any, ...]]:
        """(advertiser_id, child id, parent id) of the child rows whose parent row is not in the mart."""
        advertiser = "advertiser_id"
        sql = (
            f"SELECT {self.column(advertiser, 'c')}, {self.column(child_id, 'c')}, {self.column(parent_id, 'c')} "
            f"FROM {self.table(child)} c WHERE {self.column(parent_id, 'c')} IS NOT NULL AND NOT EXISTS ("
            f"SELECT 1 FROM {self.table(parent)} p WHERE {self.column(advertiser, 'p')} = {self.column(advertiser, 'c')} "
            f"AND {self.column(parent_id, 'p')} = {self.column(parent_id, 'c')})"
        )
        return self.rows(sql)


_DUCKDB_LOCKED = re.compile(r"Could not set lock on file|Conflicting lock is held")


def mart_error(exc: Exception, settings: SyncSettings) -> TikTokAdsMartError:
    """A destination's or dlt's failure while reading, as one masked line."""
    cause: BaseException = exc
    while cause.__cause__ is not None:
        cause = cause.__cause__
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if _DUCKDB_LOCKED.search(text):
        return TikTokAdsMartError(
            f"the DuckDB file {settings.duckdb_path} is open in another process (a sync still loading?): "
            "run check when it is done"
        )
    if settings.destination_credentials is not None:
        text = text.replace(settings.destination_credentials.reveal(), "**********")
    return TikTokAdsMartError(f"reading the mart in {settings.destination} failed: {text}")


def check_mart_exists(settings: SyncSettings) -> None:
    """A DuckDB mart must be there already: reading must not create an empty one and call it fine."""
    if settings.destination == "duckdb" and not settings.duckdb_path.expanduser().is_file():
        raise ConfigError(
            f"no mart at {settings.duckdb_path}: run `tiktok-ads-mart sync` first, or name the file with "
            "--duckdb-path"
        )


@contextmanager
def open_mart(settings: SyncSettings) -> Iterator[Mart]:
    """The sync's pipeline's destination, open for reading; failures become one line."""
    from tiktok_ads_mart.sync.destination import make_pipeline

    check_mart_exists(settings)
    try:
        pipeline = make_pipeline(settings)
        with pipeline.destination_client() as job:
            if not job.sql_client.has_dataset():
                raise ConfigError(
                    f"the {settings.destination} destination has no dataset {settings.dataset_name!r}: "
                    "run `tiktok-ads-mart sync` first, or name it with --dataset-name"
                )
            yield Mart(job)
    except TikTokAdsMartError:
        raise
    except Exception as exc:
        raise mart_error(exc, settings) from None


# --- what the catalog says is comparable --------------------------------------------------------


def is_plain(spec: StreamSpec, grain: str) -> bool:
    """A built-in BASIC report of ``report/integrated/get/`` at ``grain`` with no breakdown."""
    return (
        isinstance(spec, ReportSpec)
        and spec.endpoint == REPORT_PATH
        and spec.report_type == "BASIC"
        and spec.grain == grain
        and not spec.breakdown
        and not spec.custom
    )


LEVEL_TABLES: tuple[ReportSpec, ...] = tuple(
    spec for spec in BUILTIN_STREAMS.values() if isinstance(spec, ReportSpec) and is_plain(spec, "daily")
)
"""The daily totals of each level (and ``ad_v2``, ads by ``ad_id_v2``): each sums to the advertiser's day."""

LEVEL_TOTAL: dict[str, ReportSpec] = {spec.level: spec for spec in LEVEL_TABLES if spec.id_field is None}
"""Each level's own daily table, which its hourly and breakdown tables must sum to."""

HOURLY_TABLES: tuple[ReportSpec, ...] = tuple(
    spec for spec in BUILTIN_STREAMS.values() if isinstance(spec, ReportSpec) and is_plain(spec, "hourly")
)

BREAKDOWN_TABLES: tuple[ReportSpec, ...] = tuple(
    spec
    for spec in BUILTIN_STREAMS.values()
    if isinstance(spec, ReportSpec)
    and spec.endpoint == REPORT_PATH
    and spec.grain == "daily"
    and spec.breakdown
    and spec.id_field is None
)
"""The audience breakdowns and the BASIC by-country tables: their rows split a total, so they sum to it."""

PARENT_LINKS: tuple[tuple[str, str, str, str], ...] = (
    ("ads", "ad_id", "ad_groups", "adgroup_id"),
    ("ads", "ad_id", "campaigns", "campaign_id"),
    ("ad_groups", "adgroup_id", "campaigns", "campaign_id"),
)
"""(child table, its id, parent table, the parent's id): an ad needs its ad group and campaign."""


def level_label(spec: ReportSpec) -> str:
    """``ad_v2`` for ads by ``ad_id_v2``, else the level (``campaign`` for ``campaign_report_daily``)."""
    return spec.name.removesuffix("_report_daily")


@dataclass
class MartChecks:
    """The checks within the mart, over each advertiser's days; what is absent is skipped and said."""

    mart: Mart
    windows: dict[str, Window]
    wanted: frozenset[str]  # tables the user named (--streams); empty: all
    skipped: dict[str, str]  # table -> why it was not checked

    @property
    def span(self) -> tuple[date, date]:
        return (min(w.start for w in self.windows.values()), max(w.end for w in self.windows.values()))

    def chosen(self, table: str) -> bool:
        return not self.wanted or table in self.wanted

    def present(self, table: str, *columns: str) -> bool:
        """``table`` with ``columns`` in the mart; a miss is noted among the skipped."""
        if self.mart.has(table, *columns):
            return True
        have = self.mart.columns(table)
        lacking = ", ".join(c for c in columns if c not in have)
        self.skipped.setdefault(table, f"no column {lacking}" if have else "not in the mart")
        return False

    def metrics(self, *tables: str) -> tuple[str, ...]:
        """The compared metrics every one of ``tables`` has (a custom report may lack some)."""
        return tuple(m for m in METRICS if all(m in self.mart.columns(t) for t in tables))

    def in_window(self, advertiser_id: str, day: date | None) -> bool:
        window = self.windows.get(advertiser_id)
        return window is not None and (day is None or window.holds(day))

    def level_totals(self, spec: ReportSpec) -> Totals:
        """Per advertiser and day, the sums of one level's daily table."""
        metrics = self.metrics(spec.name)
        found: Totals = {}
        for advertiser, day, *values in self.mart.sums(
            spec.name, ["advertiser_id"], "stat_time_day", metrics, self.span
        ):
            day = as_date(day)
            if self.in_window(str(advertiser), day):
                found[(str(advertiser), day)] = values_of(metrics, values)
        return found

    def object_totals(
        self, spec: ReportSpec, metrics: tuple[str, ...]
    ) -> dict[tuple[str, str, date], Values]:
        """Per advertiser, object and day, the sums of a table of ``spec``'s level."""
        day = spec.time_dimension or "stat_time_day"
        found: dict[tuple[str, str, date], Values] = {}
        groups = ["advertiser_id", spec.id_dimension]
        for advertiser, key, when, *values in self.mart.sums(spec.name, groups, day, metrics, self.span):
            when = as_date(when)
            if self.in_window(str(advertiser), when):
                found[(str(advertiser), str(key), when)] = values_of(metrics, values)
        return found

    def against_totals(self, kind: Kind, spec: ReportSpec) -> list[Finding] | None:
        """``spec``'s sums per object and day against its level's daily table (None: not checked)."""
        total = LEVEL_TOTAL[spec.level]
        if not self.chosen(spec.name) or not self.present(spec.name):
            return None
        if not self.present(total.name):
            self.skipped[spec.name] = f"nothing to sum to: {total.name} is not in the mart"
            return None
        metrics = self.metrics(spec.name, total.name)
        split, whole = self.object_totals(spec, metrics), self.object_totals(total, metrics)
        return [
            Finding(kind, spec.name, total.name, spec.level, adv, day, metric, got, want, key=key)
            for (adv, key, day), metric, got, want in differences(split, whole, metrics)
        ]

    def duplicates(self, spec: StreamSpec) -> list[Finding] | None:
        if not self.chosen(spec.name) or not self.present(spec.name, *spec.primary_key):
            return None
        day = spec.time_dimension if isinstance(spec, ReportSpec) else None
        level = spec.level if isinstance(spec, ReportSpec) else spec.name
        findings = []
        for *key, count in self.mart.duplicates(spec.name, spec.primary_key, day, self.span):
            values = dict(zip(spec.primary_key, key, strict=True))
            when = as_date(values[day]) if day is not None else None
            advertiser = str(values["advertiser_id"])
            if self.in_window(advertiser, when):
                shown_key = " / ".join(
                    str(values[k]) for k in spec.primary_key if k not in ("advertiser_id", day)
                )
                findings.append(
                    Finding("duplicate", spec.name, "primary key", level, advertiser, when, "rows",
                            int(count), 1, key=shown_key)
                )  # fmt: skip
        return findings

    def orphans(self, child: str, child_id: str, parent: str, parent_id: str) -> list[Finding] | None:
        if not self.chosen(child) or not self.present(child, "advertiser_id", child_id, parent_id):
            return None
        if not self.present(parent, "advertiser_id", parent_id):
            return None
        return [
            Finding(
                "orphan", child, parent, child.removesuffix("s"), str(advertiser), None, parent_id, None, None,
                key=str(key), detail=f"{parent_id} {parent_key} is not in {parent}",
            )
            for advertiser, key, parent_key in self.mart.orphans(child, child_id, parent, parent_id)
            if self.in_window(str(advertiser), None)
        ]  # fmt: skip


def as_date(value: Any) -> date:
    """A day as the destination returns it (a date, a datetime, or ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def values_of(metrics: Sequence[str], values: Sequence[Any]) -> Values:
    return {metric: number(metric, value) for metric, value in zip(metrics, values, strict=True)}


__all__ = [
    "BREAKDOWN_TABLES",
    "HOURLY_TABLES",
    "LEVEL_TABLES",
    "LEVEL_TOTAL",
    "PARENT_LINKS",
    "Mart",
    "MartChecks",
    "as_date",
    "check_mart_exists",
    "level_label",
    "mart_error",
    "open_mart",
]
