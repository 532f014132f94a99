"""The dlt source: one generic resource per stream of the table in :mod:`catalog`, run in cycles.

The requests run in the engine (:mod:`tiktok_ads_mart.sync.extract`); the resources here are plain generators
that drain their stream's queue and yield ``None`` while it is empty, which dlt's round-robin extractor
treats as "nothing yet, ask the next resource", so no resource ever blocks another.

A run is loaded in cycles: each ``pipeline.extract`` takes rows until the cycle's :class:`CycleBudget`
is spent, then the rows are normalized and loaded while the engine goes on requesting into its bounded
buffer. So most of the load overlaps the requests, and what is left after the last answer is one small
package instead of the whole run. A stream's requests are planned and started once
(:class:`StreamFeed`) and drained across as many cycles as it takes.

Incremental state lives in dlt's resource state (one cursor per advertiser and stream; a lookup stream's
ids loaded so far). A cursor is moved in the cycle that saw the advertiser's last window, so it is
committed by dlt in the same package as those rows, after every earlier package of the run: it can never
run ahead of the data.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from tiktok_ads_mart.catalog import EntitySpec, ReportSpec, StreamSpec
from tiktok_ads_mart.sync.arrow import entity_table
from tiktok_ads_mart.sync.extract import END, Extractor, WindowDone, WindowFailed
from tiktok_ads_mart.sync.plan import Job, PlanSettings, plan_entity, plan_report
from tiktok_ads_mart.sync.stats import RunStats
from tiktok_ads_mart.sync.stopping import raise_if_stop_requested

BATCH_ROWS = 20_000  # report rows handed to dlt per item


@dataclass
class SourceRun:
    """What the resources share: the engine, the advertisers, what to read, and the counters."""

    extractor: Extractor
    advertiser_rows: list[dict[str, Any]]
    streams: list[StreamSpec]
    plan: PlanSettings
    stats: RunStats
    table_format: str | None = None
    replace_keys: bool = False  # report tables: append, each file replacing its keys (DuckDB)
    upsert: bool = False  # delta and iceberg tables merge by upsert only (dlt has no delete-insert there)
    close_when_done: bool = False  # close the extractor once every stream ended (a source run by others)
    feeds: dict[str, StreamFeed] = field(default_factory=dict)

    def feed(self, spec: StreamSpec) -> StreamFeed:
        return self.feeds.setdefault(spec.name, StreamFeed(self, spec))

    @property
    def finished(self) -> bool:
        """Every stream has handed over all its rows (a cycle then only needs loading)."""
        return all(self.feed(spec).ended for spec in self.streams)


@dataclass
class CycleBudget:
    """How much one extract cycle takes before its rows are normalized and loaded.

    Rows bound the package (and so the load's memory and the wait after the last answer); seconds keep
    a slow, rate-limited run loading as it goes instead of all at the end.
    """

    max_rows: int
    max_seconds: float
    rows: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def spent(self) -> bool:
        if self.rows >= self.max_rows:
            return True
        return self.rows > 0 and time.monotonic() - self.started >= self.max_seconds


class StreamFeed:
    """One stream's requests for the whole run: planned and started once, drained cycle by cycle.

    The plan reads the cursors of the first cycle's state; a cursor is written into the state of the
    cycle that sees the advertiser's last window done, so dlt commits it with (after) the rows it covers.
    """

    def __init__(self, run: SourceRun, spec: StreamSpec) -> None:
        self.run = run
        self.spec = spec
        self.ended = False
        self._out: queue.SimpleQueue[Any] | None = None
        self._remaining: dict[str, int] = {}
        self._failed: set[str] = set()
        self._targets: dict[str, str | None] = {}
        self._loaded_ids: dict[str, set[str]] = {}

    def rows(self, budget: CycleBudget) -> Iterator[Any]:
        """The body of the stream's resource in one cycle."""
        if self.ended:
            return
        state = dlt.current.resource_state()
        cursors: dict[str, Any] = state.setdefault("cursors", {})
        if isinstance(self.spec, ReportSpec) and self.spec.custom:
            state["definition"] = (
                self.spec.definition
            )  # checked by the next run (destination.check_definitions)
        if self._out is None:
            if isinstance(self.spec, EntitySpec) and not self.spec.per_advertiser:
                yield from self._advertiser_rows()
                return
            self._start(self._plan(cursors))
            if self.ended:
                return
        yield from self._drain(cursors, budget)

    def _advertiser_rows(self) -> Iterator[Any]:
        self.ended = True
        rows = self.run.advertiser_rows
        if rows:
            yield entity_table(self.spec, rows, None)  # type: ignore[arg-type]
            for row in rows:
                entry = self.run.stats.entry(self.spec.name, str(row.get("advertiser_id")))
                entry.rows += 1
                entry.windows_total = entry.windows_done = 1  # one listing, done: not "running" forever

    def _plan(self, cursors: dict[str, Any]) -> list[Job]:
        spec, run = self.spec, self.run
        if isinstance(spec, ReportSpec):
            jobs: list[Job] = []
            for adv, ctx in run.extractor.contexts.items():
                adv_jobs, self._targets[adv] = plan_report(spec, ctx, cursors.get(adv), run.plan)
                jobs += adv_jobs
            return jobs
        return [
            job
            for adv in run.extractor.contexts
            for job in plan_entity(spec, adv, cursors.get(adv) or (), run.plan)
        ]

    def _start(self, jobs: list[Job]) -> None:
        for job in jobs:
            self._remaining[job.advertiser_id] = self._remaining.get(job.advertiser_id, 0) + 1
            self.run.stats.entry(self.spec.name, job.advertiser_id).windows_total += 1
        if not jobs:
            self.ended = True
            self.run.stats.skip(self.spec.name, self._nothing_to_request())
            return
        self._out = self.run.extractor.submit(jobs)

    def _nothing_to_request(self) -> str:
        if not self.run.extractor.contexts:
            return "no advertiser could be read"
        plan = self.run.plan
        return (
            f"no days to read: the range ends on {plan.end_date} before it starts"
            f"{f' on {plan.start_date}' if plan.start_date else f' ({plan.default_history_days} days ago)'}"
            " (give --start-date too)"
            if plan.end_date is not None
            else "no days to read: the start date is after today"
        )

    def _done(self, cursors: dict[str, Any], adv: str) -> None:
        """Every window of ``adv`` loaded into this or an earlier package: its cursor may move."""
        spec = self.spec
        if isinstance(spec, ReportSpec):
            target = self._targets.get(adv)
            if target is not None:
                cursors[adv] = target
        elif spec.lookup is not None and spec.lookup.remember and self._loaded_ids.get(adv):
            cursors[adv] = sorted({*(cursors.get(adv) or ()), *self._loaded_ids[adv]})

    def _drain(self, cursors: dict[str, Any], budget: CycleBudget) -> Iterator[Any]:
        """Yield the stream's tables as they arrive until the stream ends or the cycle's budget is spent."""
        assert self._out is not None
        out, extractor, is_report = self._out, self.run.extractor, isinstance(self.spec, ReportSpec)
        batch: list[pa.Table] = []
        batch_rows = 0

        def flush() -> pa.Table:
            nonlocal batch, batch_rows
            budget.rows += batch_rows
            table = _combine(batch)
            batch, batch_rows = [], 0
            return table

        while True:
            raise_if_stop_requested()
            try:
                item = out.get_nowait()
            except queue.Empty:
                if batch:
                    yield flush()
                if budget.spent:
                    return
                yield None
                continue
            if item is END:
                self.ended = True
                if batch:
                    yield flush()
                return
            if isinstance(item, pa.Table):
                extractor.release_buffer()
                # dlt's per-item cost (schema checks, column naming) is paid per table: hand it fewer, bigger ones
                batch.append(item)
                batch_rows += item.num_rows
                if batch_rows >= BATCH_ROWS or not is_report or budget.rows + batch_rows >= budget.max_rows:
                    yield flush()
                    if budget.spent:
                        return
            elif isinstance(item, WindowDone):
                self._window_done(cursors, item)
            elif isinstance(item, WindowFailed):
                self._failed.add(item.job.advertiser_id)
                self._remaining[item.job.advertiser_id] -= 1

    def _window_done(self, cursors: dict[str, Any], item: WindowDone) -> None:
        adv = item.job.advertiser_id
        self.run.stats.entry(self.spec.name, adv).windows_done += 1
        if item.ids:
            self._loaded_ids.setdefault(adv, set()).update(item.ids)
        self._remaining[adv] -= 1
        if self._remaining[adv] == 0 and adv not in self._failed:
            self._done(cursors, adv)


def _combine(tables: list[pa.Table]) -> pa.Table:
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables)


def _write_disposition(spec: StreamSpec, replace_keys: bool, upsert: bool) -> dict[str, Any]:
    if replace_keys and isinstance(spec, ReportSpec):
        return {"disposition": "append"}  # keys replaced per file by the destination (see duckdb_jobs)
    if upsert:
        return {"disposition": "merge", "strategy": "upsert"}
    # Report pages never repeat a key within one run, so dlt may skip its staging dedup (a big cost);
    # entity listings can shift between pages while objects change, so they keep it.
    return {"disposition": "merge", "strategy": "delete-insert", "deduplicated": isinstance(spec, ReportSpec)}


_dlt_resource: Any = dlt.resource  # its overloads do not cover a dict write disposition


def make_resource(run: SourceRun, spec: StreamSpec, budget: CycleBudget) -> DltResource:
    """One resource for one row of the table: same engine, different spec."""
    return _resource(lambda: run, spec, budget, run.table_format, run.replace_keys, run.upsert)


def _resource(
    run_of: Callable[[], SourceRun],
    spec: StreamSpec,
    budget: CycleBudget,
    table_format: str | None,
    replace_keys: bool,
    upsert: bool,
) -> DltResource:
    def rows() -> Iterator[Any]:
        run = run_of()  # a lazy source starts its engine here, when dlt first asks for rows
        yield from run.feed(spec).rows(budget)
        if run.close_when_done and run.finished:  # the last stream to end lets the engine go
            run.extractor.close()

    resource: DltResource = _dlt_resource(
        rows,
        name=spec.name,
        write_disposition=_write_disposition(spec, replace_keys, upsert),
        primary_key=list(spec.primary_key),
        columns=_column_hints(spec),
        table_format=table_format,
    )
    if replace_keys and isinstance(spec, ReportSpec):
        from tiktok_ads_mart.sync.duckdb_jobs import KEY_REPLACING_HINT

        resource.apply_hints(additional_table_hints={KEY_REPLACING_HINT: True})
    return resource


def _column_hints(spec: StreamSpec) -> dict[str, Any]:
    # dlt stores timestamps as instants unless told otherwise; stat_time_hour is advertiser wall-clock time
    if isinstance(spec, ReportSpec) and spec.time_dimension == "stat_time_hour":
        return {"stat_time_hour": {"data_type": "timestamp", "timezone": False, "nullable": False}}
    return {}


def tiktok_ads_source(run: SourceRun, budget: CycleBudget) -> Any:
    """The dlt source of one cycle of a run: a resource per selected stream.

    Args:
        run: the engine, advertisers and plan shared by the resources, and the streams' feeds.
        budget: when this cycle stops taking rows (see :class:`CycleBudget`).

    Returns:
        A ``DltSource`` that any dlt destination can load.
    """

    @dlt.source(name="tiktok_ads", max_table_nesting=0, root_key=False)
    def tiktok_ads() -> list[DltResource]:
        return make_resources(run, budget)

    return tiktok_ads()


def make_resources(run: SourceRun, budget: CycleBudget) -> list[DltResource]:
    """A resource per selected stream: what the CLI's cycles and the public ``tiktok_ads`` source both are."""
    return [make_resource(run, spec, budget) for spec in run.streams]


def make_lazy_resources(
    open_run: Callable[[], SourceRun], streams: list[StreamSpec], budget: CycleBudget
) -> list[DltResource]:
    """The same resources, for a run that starts only when dlt first iterates one of them.

    A source is often built where nothing should be requested yet: an orchestrator reads its resources'
    names and hints when it loads its definitions. ``open_run`` is called on every first row request of a
    resource, so it must give the same run each time.
    """
    return [_resource(open_run, spec, budget, None, False, False) for spec in streams]


__all__ = [
    "BATCH_ROWS",
    "CycleBudget",
    "SourceRun",
    "StreamFeed",
    "make_lazy_resources",
    "make_resource",
    "make_resources",
    "tiktok_ads_source",
]
