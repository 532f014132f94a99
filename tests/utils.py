"""Shared helpers for the sync tests: ground truth from the emulator's world, and reading the mart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from tiktok_ads_mart.catalog import BUILTIN_STREAMS, EntitySpec, ReportSpec, metric_kind
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.emulator.world import World
from tiktok_ads_mart.sync.arrow import zone_for

DATASET = "tiktok"


def mart_rows(path: Path, table: str, dataset: str = DATASET) -> list[dict[str, Any]]:
    """Every row of a mart table (without dlt's bookkeeping columns)."""
    with duckdb.connect(str(path), read_only=True) as conn:
        relation = conn.sql(f"SELECT * FROM {dataset}.{table}")
        names = relation.columns
        return [
            {name: value for name, value in zip(names, row, strict=True) if not name.startswith("_dlt")}
            for row in relation.fetchall()
        ]


def mart_tables(path: Path, dataset: str = DATASET) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as conn:
        rows = conn.sql(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND table_name NOT LIKE '_dlt%'",
            params=[dataset],
        ).fetchall()
    return sorted(name for (name,) in rows)


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` with its ``?`` bound to ``params``."""
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def snapshot(path: Path, dataset: str = DATASET) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, without dlt's load ids: two runs with equal snapshots loaded the same.

    Columns are taken by name: a field TikTok sends for some objects only (``smart_plus_ad_id``) becomes a
    column when a package first holds it, so two runs that split their packages apart order them apart."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with duckdb.connect(str(path), read_only=True) as conn:
        for table in mart_tables(path, dataset):
            relation = conn.sql(f"SELECT * FROM {dataset}.{table}")
            keep = sorted(
                (i for i, name in enumerate(relation.columns) if not name.startswith("_dlt")),
                key=lambda i: relation.columns[i],
            )
            rows = [tuple((relation.columns[i], row[i]) for i in keep) for row in relation.fetchall()]
            result[table] = sorted(rows, key=repr)
    return result


def _metric_value(name: str, raw: Any) -> Any:
    """The emulator's string as the mart should hold it: NULL for "-", an exact number otherwise."""
    if raw is None or raw == "-" or raw == "":
        return None
    kind = metric_kind(name)
    if kind == "string":
        return str(raw)
    if kind == "count":
        return int(Decimal(str(raw)))
    return Decimal(str(raw))


def _time_value(name: str, raw: str) -> Any:
    if name == "stat_time_day":
        return dt.date.fromisoformat(raw[:10])
    return dt.datetime.strptime(raw, "%Y-%m-%d %H:%M:%S")


def truth_report(
    world: World,
    spec: ReportSpec,
    advertiser_id: str,
    start: dt.date | None,
    end: dt.date | None,
    *,
    include_deleted: bool = True,
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The emulator's own answer for one advertiser, keyed like the mart's primary key.

    Asked in chunks TikTok accepts (30 days of days, one day of hours); keys are disjoint across chunks.
    """
    if spec.grain != "lifetime" and start is not None and end is not None:
        step = dt.timedelta(days=30 if spec.grain == "daily" else 1)
        if end - start >= step:
            merged: dict[tuple[Any, ...], dict[str, Any]] = {}
            cursor = start
            while cursor <= end:
                last = min(end, cursor + step - dt.timedelta(days=1))
                merged.update(
                    truth_report(world, spec, advertiser_id, cursor, last, include_deleted=include_deleted)
                )
                cursor = last + dt.timedelta(days=1)
            return merged
    result = world.report(
        advertiser_id,
        report_type=spec.report_type,
        data_level=spec.data_level,
        dimensions=list(spec.dimensions),
        metrics=list(spec.metrics),
        start_date=start.isoformat() if start and spec.grain != "lifetime" else None,
        end_date=end.isoformat() if end and spec.grain != "lifetime" else None,
        query_lifetime=spec.grain == "lifetime",
        include_deleted=include_deleted,
    )
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    page = 1
    while True:
        batch = result.page(page, 1000)
        if not batch:
            break
        for row in batch:
            dims = row["dimensions"]
            key: list[Any] = [advertiser_id]
            for name in spec.dimensions:
                if name == "advertiser_id":
                    continue
                key.append(_time_value(name, dims[name]) if name.startswith("stat_time") else str(dims[name]))
            rows[tuple(key)] = {m: _metric_value(m, row["metrics"].get(m)) for m in spec.metrics}
        page += 1
    return rows


def mart_report(path: Path, spec: ReportSpec, advertiser_id: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The mart's rows of one advertiser, keyed like :func:`truth_report`."""
    return keyed_report(mart_rows(path, spec.name), spec, advertiser_id)


def keyed_report(
    rows: Iterable[dict[str, Any]], spec: ReportSpec, advertiser_id: str
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """One advertiser's rows of a report table, from any destination, keyed like :func:`truth_report`."""
    keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in (row for row in rows if row["advertiser_id"] == advertiser_id):
        key = tuple(row[name] for name in spec.primary_key)
        assert key not in keyed, f"duplicate key {key} in {spec.name}"
        keyed[key] = {m: _normalise(row[m]) for m in spec.metrics}
    return keyed


def _normalise(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize() if value != 0 else Decimal(0)
    return value


def assert_report_equal(
    truth: dict[tuple[Any, ...], dict[str, Any]], mart: dict[tuple[Any, ...], dict[str, Any]], name: str
) -> None:
    assert set(mart) == set(truth), (
        f"{name}: keys differ; missing {sorted(set(truth) - set(mart), key=repr)[:3]}, "
        f"extra {sorted(set(mart) - set(truth), key=repr)[:3]}"
    )
    for key, expected in truth.items():
        got = mart[key]
        for metric, value in expected.items():
            assert _normalise(got[metric]) == _normalise(value), (
                f"{name} {key} {metric}: mart {got[metric]!r} != emulator {value!r}"
            )


def report_span(settings: SyncSettings, world: World, advertiser_id: str) -> tuple[dt.date, dt.date]:
    """The days a first run reads: default history up to today, in the advertiser's timezone."""
    timezone = next(a for a in world.advertisers() if a["advertiser_id"] == advertiser_id)["timezone"]
    today = settings.clock().astimezone(zone_for(timezone) or dt.UTC).date()
    return today - dt.timedelta(days=settings.default_history_days), today


def truth_entities(world: World, spec: EntitySpec, advertiser_id: str) -> list[dict[str, Any]]:
    """The objects a stream should hold for one advertiser, deleted ones included, as the emulator has them."""
    from tiktok_ads_mart.catalog import ids_in
    from tiktok_ads_mart.emulator import creatives, gmv_max, smart_plus

    def ids(name: str, values: list[str]) -> list[dict[str, Any]]:
        return [{name: value} for value in values]

    def used(assets: dict[str, dict[str, Any]], field: str, advertiser: str) -> list[dict[str, Any]]:
        """The assets the advertiser's ads use (the library may hold one uploaded for a later ad)."""
        named = set(ids_in(world.ads(advertiser), (field,)))
        return [row for asset_id, row in assets.items() if asset_id in named]

    listing: dict[str, Callable[[str], list[dict[str, Any]]]] = {
        "campaigns": world.campaigns,
        "ad_groups": world.adgroups,
        "ads": world.ads,
        "custom_audiences": world.audiences,
        "videos": lambda a: used(creatives.videos(world, a), "video_id", a),
        "images": lambda a: used(creatives.images(world, a), "image_ids", a),
        "identities": lambda a: creatives.identities(world, a),
        "pixels": lambda a: creatives.pixels(world, a),
        "smart_plus_campaigns": lambda a: ids("campaign_id", smart_plus.smart_plus_campaign_ids(world, a)),
        "smart_plus_ad_groups": lambda a: ids("adgroup_id", smart_plus.smart_plus_adgroup_ids(world, a)),
        "smart_plus_ads": world.smart_plus_ads,
        "gmv_max_stores": lambda a: gmv_max.stores(world, a),
        "gmv_max_campaigns": lambda a: gmv_max.campaigns(world, a),
        "gmv_max_campaign_details": lambda a: [
            gmv_max.campaign_details(world, a, c["campaign_id"]) for c in gmv_max.campaigns(world, a)
        ],
    }
    return listing[spec.name](advertiser_id)


def files_under(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for root in paths:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file()]
    return found


def contains_any(data: bytes, needles: Sequence[str]) -> list[str]:
    return [needle for needle in needles if needle and needle.encode() in data]


def assert_streams_equal_the_emulator(
    rows_of: Callable[[str], list[dict[str, Any]]],
    streams: Iterable[str],
    world: World,
    settings: SyncSettings,
) -> None:
    """A destination's tables, read by ``rows_of(table)``, against the emulator: entity ids, report rows."""
    for name in streams:
        spec = BUILTIN_STREAMS[name]
        rows = rows_of(name)
        for advertiser_id in world.advertiser_ids:
            if isinstance(spec, EntitySpec):
                mine = sorted(r[spec.id_field] for r in rows if r["advertiser_id"] == advertiser_id)
                truth = sorted(str(t[spec.id_field]) for t in truth_entities(world, spec, advertiser_id))
                assert mine == truth, name
                continue
            assert isinstance(spec, ReportSpec)
            first, last = report_span(settings, world, advertiser_id)
            assert_report_equal(
                truth_report(world, spec, advertiser_id, first, last),
                keyed_report(rows, spec, advertiser_id),
                name,
            )


def cursors(settings: SyncSettings) -> dict[str, dict[str, Any]]:
    """Each stream's cursors by advertiser, from the pipeline's local state (none before a first run)."""
    import dlt

    pipeline = dlt.attach(settings.pipeline_name, pipelines_dir=str(settings.resolved_pipelines_dir()))
    resources = pipeline.state.get("sources", {}).get("tiktok_ads", {}).get("resources", {})
    return {name: dict(resources[name].get("cursors", {})) for name in sorted(resources)}


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a CLI run in a test: a private home, none of the caller's TikTok, destination or
    load settings, no telemetry, and lines wide enough that Rich wraps nothing."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOK_", "DESTINATION__", "LOAD__"))}
    env.update(TIKTOK_ADS_MART_HOME=str(home), RUNTIME__DLTHUB_TELEMETRY="false", COLUMNS="200")
    env.update(extra)
    return env


def run_cli(
    *args: str, env: dict[str, str], cwd: Path | None = None, stdin: str | None = None, timeout: float = 180
) -> Any:
    """``tiktok-ads-mart ARGS`` as a user runs it, in a process of its own."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "tiktok_ads_mart", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
