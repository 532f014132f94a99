"""`tiktok-ads-mart sync` and `tiktok-ads-mart demo`: thin commands over :mod:`tiktok_ads_mart.sync`.

Every option is passed through as text and parsed by :mod:`tiktok_ads_mart.config`, so a flag, its env
variable ``TIKTOK_ADS_MART_<NAME>`` and the config file key are checked the same way and a bad value is
one line with exit code 2.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tiktok_ads_mart.cli.common import fail, shown


def _option(help_text: str, *names: str, hidden: bool = False) -> Any:
    return typer.Option(*names, help=help_text, show_default=False, hidden=hidden)


def sync_command(
    config: Annotated[
        Path | None, _option("TOML config file (default ./tiktok-ads-mart.toml).", "--config")
    ] = None,
    api_base: Annotated[
        str | None, _option("API root (production, sandbox or the emulator's).", "--api-base")
    ] = None,
    profile: Annotated[str | None, _option("Stored credential profile.", "--profile", "-p")] = None,
    advertiser_ids: Annotated[
        str | None,
        _option("Comma-separated advertiser ids (default: all the credential reads).", "--advertiser-ids"),
    ] = None,
    streams: Annotated[str | None, _option("Comma-separated streams (default: all).", "--streams")] = None,
    start_date: Annotated[
        str | None, _option("Backfill from this day (YYYY-MM-DD); leaves the state alone.", "--start-date")
    ] = None,
    end_date: Annotated[str | None, _option("Backfill up to this day (YYYY-MM-DD).", "--end-date")] = None,
    lookback_days: Annotated[
        str | None, _option("Days re-read before the last loaded day (0-28, default 7).", "--lookback-days")
    ] = None,
    include_deleted: Annotated[
        bool | None,
        typer.Option(
            "--include-deleted/--exclude-deleted", help="Deleted objects and their stats (default on)."
        ),
    ] = None,
    destination: Annotated[
        str | None, _option("dlt destination: duckdb (default), postgres, bigquery, ...", "--destination")
    ] = None,
    duckdb_path: Annotated[
        str | None, _option("DuckDB file (default ./tiktok_ads.duckdb).", "--duckdb-path")
    ] = None,
    duckdb_memory_limit: Annotated[
        str | None,
        _option(
            "DuckDB's memory cap while loading (default 56MB; it spills beyond).", "--duckdb-memory-limit"
        ),
    ] = None,
    duckdb_threads: Annotated[
        str | None, _option("DuckDB threads while loading (default 1: least memory).", "--duckdb-threads")
    ] = None,
    dataset_name: Annotated[
        str | None, _option("Dataset/schema name (default tiktok).", "--dataset-name")
    ] = None,
    table_format: Annotated[
        str | None, _option("delta or iceberg for filesystem/lakehouse destinations.", "--table-format")
    ] = None,
    rate_tier: Annotated[str | None, _option("basic, advanced, premium or ultimate.", "--rate-tier")] = None,
    qps: Annotated[
        str | None, _option("Requests per second (overrides the tier; 0 = none).", "--qps")
    ] = None,
    qpm: Annotated[
        str | None, _option("Requests per minute (overrides the tier; 0 = none).", "--qpm")
    ] = None,
    concurrency: Annotated[
        str | None, _option("Requests in flight at once (default 16).", "--concurrency")
    ] = None,
    pipelines_dir: Annotated[str | None, _option("dlt's working directory.", "--pipelines-dir")] = None,
    now: Annotated[
        str | None, _option("Pretend the clock says this (replays, tests).", "--now", hidden=True)
    ] = None,
    drop_pending: Annotated[
        bool,
        typer.Option(
            "--drop-pending",
            help="Discard rows an earlier run could not load (the destination refused them) and read their days again.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    list_streams: Annotated[bool, typer.Option("--list-streams", help="List the streams and exit.")] = False,
) -> None:
    """Load everything the credential can read into the data mart, incrementally."""
    from tiktok_ads_mart.cli.progress import choose_mode, make_reporter, render_summary
    from tiktok_ads_mart.config import load_settings
    from tiktok_ads_mart.sync.run import run_sync

    flags = {
        "api_base": api_base,
        "profile": profile,
        "advertiser_ids": advertiser_ids,
        "streams": streams,
        "start_date": start_date,
        "end_date": end_date,
        "lookback_days": lookback_days,
        "include_deleted": include_deleted,
        "destination": destination,
        "duckdb_path": duckdb_path,
        "duckdb_memory_limit": duckdb_memory_limit,
        "duckdb_threads": duckdb_threads,
        "dataset_name": dataset_name,
        "table_format": table_format,
        "rate_tier": rate_tier,
        "qps": qps,
        "qpm": qpm,
        "concurrency": concurrency,
        "pipelines_dir": pipelines_dir,
        "now": now,
    }
    settings = load_settings(flags, config_path=config)
    console = Console(highlight=False, soft_wrap=True)
    if list_streams:
        for name, spec in settings.all_streams().items():
            console.print(f"{name}\t{' + '.join(spec.primary_key)}")
        return
    if quiet:  # retries and other warnings are for the display's readers; --quiet prints only errors
        logging.getLogger("tiktok_ads_mart").setLevel(logging.ERROR)
    reporter = make_reporter(choose_mode(quiet, console), console)
    result = run_sync(settings, reporter=reporter, drop_pending_packages=drop_pending)
    # The run is over and its connections are closed: the interpreter's final collection at exit would
    # walk every object dlt, pyarrow and DuckDB created (a quarter of a second) only to free memory the OS
    # takes back anyway. Frozen objects are skipped by it.
    gc.freeze()
    if not quiet:
        render_summary(result, console)
    if result.fatal is not None:
        fail(str(result.fatal), 1)
    if result.failures:
        if quiet:
            for advertiser, message in sorted(result.failures.items()):
                Console(stderr=True, highlight=False).print(
                    f"failed advertiser {shown(advertiser)}: {shown(message)}"
                )
        raise typer.Exit(1)


def demo_command(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo keeps its credential store and dlt state.")
    ] = Path(".tiktok-ads-mart-demo"),
    duckdb_path: Annotated[Path, typer.Option("--duckdb-path", help="The mart file.")] = Path(
        "tiktok_ads.duckdb"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary and the query.")] = False,
) -> None:
    """Start the emulator, authorize through its consent page, sync everything, query the mart."""
    from tiktok_ads_mart.cli.demo import run_demo

    code = run_demo(directory=directory, duckdb_path=duckdb_path, quiet=quiet)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add `sync` and `demo` to the root app."""
    app.command("sync")(sync_command)
    app.command("demo")(demo_command)


__all__ = ["demo_command", "register", "sync_command"]
