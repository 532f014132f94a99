"""The destination: dlt's, built and checked from the settings; loading with a memory fallback; dlt's
failures translated into one line.

Nothing here imports dlt at import time: a run starts its first requests while dlt is still being
imported (in :func:`make_pipeline`), and importing dlt early also raised the extraction's peak memory.
DuckDB's copy jobs, which bind every load file's path, are in :mod:`.duckdb_jobs`.
"""

from __future__ import annotations

import errno
import importlib.util
import logging
import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.errors import ConfigError, TikTokAdsMartError
from tiktok_ads_mart.sync.stopping import interrupted_error

log = logging.getLogger("tiktok_ads_mart.sync")


def make_destination(settings: SyncSettings) -> Any:
    """dlt's destination by name; DuckDB gets a file path and a memory cap, others dlt's own config."""
    if settings.destination == "duckdb":
        from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        credentials = DuckDbCredentials(str(settings.duckdb_path.resolve()))
        credentials.global_config = {
            "memory_limit": settings.duckdb_memory_limit,
            "preserve_insertion_order": False,
            "threads": settings.duckdb_threads,
        }
        from tiktok_ads_mart.sync.duckdb_jobs import key_replacing_duckdb

        return key_replacing_duckdb(credentials)
    return dlt_destination(settings)


def avoid_sqlalchemy_import(destination: str) -> None:
    """Keep dlt from importing SQLAlchemy (15-30 MB) just to print a connection URL in its load info.

    dlt formats every destination's credentials through SQLAlchemy's ``URL`` when SQLAlchemy is
    installed, else through its own drop-in shims; data engineers' environments often have it
    installed. Only dlt's ``sqlalchemy`` destination needs the real one.
    """
    compat = "dlt.common.libs.sql_alchemy_compat"
    if destination == "sqlalchemy" or compat in sys.modules or "sqlalchemy" in sys.modules:
        return
    from dlt.common.libs import sql_alchemy_shims

    sys.modules[compat] = sql_alchemy_shims


DLT_DEFAULTS = {
    # dlt phones home unless told not to; this tool only talks to TikTok and the destination.
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "RUNTIME__LOG_LEVEL": "CRITICAL",  # failures reach the summary as one line
    # dlt holds up to this many rows per table before writing them to the table's file. Its default of
    # 5,000 rows (about 3 MB) is held by each of 32 tables at once: all streams together peaked at 321 MB,
    # with 2,500 at 313 MB. Much lower makes many small parquet row groups and a 1M-row load less
    # predictable.
    "DATA_WRITER__BUFFER_MAX_ITEMS": "2500",
    # a loaded package's files are a full copy of what went into the mart: dlt deletes them once loaded
    "LOAD__DELETE_COMPLETED_JOBS": "true",
}
"""dlt's settings for a sync, as dlt reads them (the environment); a value the user set wins."""


def apply_dlt_defaults() -> None:
    """Called when a run starts, not when a module is imported: importing the package changes nothing."""
    for name, value in DLT_DEFAULTS.items():
        os.environ.setdefault(name, value)


def make_pipeline(settings: SyncSettings) -> Any:
    import dlt

    apply_dlt_defaults()
    avoid_sqlalchemy_import(settings.destination)
    return dlt.pipeline(
        pipeline_name=settings.state_name,
        destination=make_destination(settings),
        dataset_name=settings.dataset_name,
        pipelines_dir=str(settings.resolved_pipelines_dir()),
    )


def loader_format(settings: SyncSettings) -> str | None:
    return "parquet" if settings.destination in ("duckdb", "motherduck", "filesystem") else None


MAX_DUCKDB_MEMORY_RETRIES = 4


LOAD_WORKERS_DUCKDB = 1


LOAD_WORKERS = 20  # dlt's default


def load_with_memory_fallback(pipeline: Any, settings: SyncSettings) -> Any:
    """Load; if DuckDB runs out of its (small) memory cap, load the pending package again with twice the cap.

    DuckDB's out-of-memory error is transient to dlt, so the package stays pending and nothing is lost;
    the cap is a peak-RSS budget, not a correctness limit.
    """
    # DuckDB runs one statement at a time per file anyway; parallel jobs would only add up their memory
    workers = LOAD_WORKERS_DUCKDB if settings.destination == "duckdb" else LOAD_WORKERS
    for attempt in range(MAX_DUCKDB_MEMORY_RETRIES + 1):
        try:
            return pipeline.load(workers=workers)
        except Exception as exc:
            if settings.destination != "duckdb" or not is_duckdb_out_of_memory(exc):
                raise
            if attempt == MAX_DUCKDB_MEMORY_RETRIES:
                raise
            settings = replace(settings, duckdb_memory_limit=_doubled(settings.duckdb_memory_limit))
            log.warning(
                "DuckDB ran out of memory (%s); loading again with memory_limit=%s",
                str(exc).strip().splitlines()[0][:200],
                settings.duckdb_memory_limit,
            )
            pipeline = make_pipeline(settings)
    return None


# DuckDB's words when its cap is too small: an operator's "Out of Memory", or a commit that cannot get a
# block for the rows a transaction kept in memory (up to a row group of them, whatever the cap).
_DUCKDB_MEMORY_ERRORS = re.compile(r"Out of Memory|could not allocate block|failed to pin block")


def is_duckdb_out_of_memory(exc: BaseException) -> bool:
    return _DUCKDB_MEMORY_ERRORS.search(str(exc)) is not None


def _doubled(limit: str) -> str:
    match = re.match(r"^(\d+(?:\.\d+)?)(.*)$", limit)
    if match is None:
        return "1GB"
    return f"{float(match.group(1)) * 2:g}{match.group(2)}"


def drop_pending(pipeline: Any) -> int:
    """Discard the packages an earlier run could not load, and rewind the state to before them.

    A load job the destination refuses for good (a column it will not take, a permission) keeps its
    package pending, and every later run tries it again first. Dropping it must not lose days: dlt
    restores the pipeline's state to what it was when that package was extracted, so the cursors it
    carried are gone too and the next extraction reads those days again.
    """
    plan = pipeline.abort_packages()
    if plan is None:
        return 0
    dropped = len(plan["packages_to_delete"]) + len(plan["extracted_packages_to_delete"])
    return dropped + (1 if plan["package_to_abort"] else 0)


SOURCE_NAME = "tiktok_ads"
"""The dlt source's name (sync.source), under which the resources' state is kept."""


def stored_resource_state(pipeline: Any, stream: str) -> dict[str, Any]:
    state: dict[str, Any] = pipeline.state.get("sources", {}).get(SOURCE_NAME, {}).get("resources", {})
    found: dict[str, Any] = state.get(stream, {})
    return found


def reset_streams(pipeline: Any, streams: Sequence[str]) -> None:
    """Drop the streams' tables, rows and cursors (dlt's drop), so this run reads them from the start."""
    from dlt.pipeline.helpers import pipeline_drop

    if not streams or not pipeline.default_schema_name:
        return
    drop = pipeline_drop(pipeline, resources=list(streams))
    if not drop.is_empty:
        drop()


def streams_dropped_by_hand(pipeline: Any) -> list[str]:
    """Streams whose table this pipeline loaded but the destination no longer has (a ``DROP TABLE`` by
    hand). Their cursors still say "read up to here", so without a reset the table would come back with
    only the newest days, or not at all; a reset reads it again from the start date."""
    if not pipeline.default_schema_name:
        return []
    loaded = {
        table["name"]: table.get("resource") or table["name"]
        for table in pipeline.default_schema.data_tables(seen_data_only=True)
    }
    if not loaded:
        return []
    with pipeline.destination_client() as client:
        if not hasattr(client, "get_storage_tables"):  # file-based tables: nothing to ask
            return []
        present = {name for name, columns in client.get_storage_tables(loaded) if columns}
    return sorted({stream for table, stream in loaded.items() if table not in present})


def check_definitions(pipeline: Any, settings: SyncSettings) -> None:
    """A custom report whose definition changed since its table was loaded cannot go on into that table
    (its key or its columns differ): say which, what changed, and how to rebuild it, before any request."""
    for spec in settings.custom_reports:
        if settings.streams and spec.name not in settings.streams:
            continue
        stored = stored_resource_state(pipeline, spec.name).get("definition")
        if not stored or stored == spec.definition:
            continue
        changes = ", ".join(
            f"{key} {stored.get(key)!r} -> {value!r}"
            for key, value in spec.definition.items()
            if stored.get(key) != value
        )
        raise ConfigError(
            f"custom report {spec.name!r} changed since its table was loaded ({changes}); rebuild its table "
            f"with `tiktok-ads-mart sync --reset {spec.name}` (drops its rows and cursors, reads from the start date)"
        )


def prune_loaded_packages(pipeline: Any) -> None:
    """Delete the bookkeeping dlt keeps of every package it loaded (a schema copy each, forever); no run
    reads it again. Pending packages, which resume needs, live elsewhere and stay."""
    from dlt.common.storages.load_storage import LoadStorage

    loaded = Path(pipeline.working_dir) / "load" / LoadStorage.LOADED_FOLDER
    if loaded.is_dir():
        for package in loaded.iterdir():
            shutil.rmtree(package, ignore_errors=True)


def has_pending_data(pipeline: Any) -> bool:
    try:
        return bool(pipeline.has_pending_data)
    except Exception:  # the working directory itself may be what failed
        return False


DUCKDB_FILE_LOCKED = re.compile(
    r'Could not set lock on file "([^"]+)": Conflicting lock is held in (.+?) \(PID (\d+)\)'
)


_NO_SPACE = re.compile(r"No space left on device|failed to offload data block", re.IGNORECASE)


_FILE_IN_MESSAGE = re.compile(r'file "([^"]+)"')


def _full_disk(cause: BaseException, text: str, settings: SyncSettings) -> str | None:
    """A full disk, named by the folder that could not be written (the DuckDB file's, or dlt's)."""
    if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
        where = Path(str(cause.filename)).parent if cause.filename else settings.resolved_pipelines_dir()
    elif _NO_SPACE.search(text):
        named = _FILE_IN_MESSAGE.search(text)
        where = Path(named.group(1)).parent if named else settings.duckdb_path.resolve().parent
    else:
        return None
    return f"disk full at {where}: free some space there and run sync again"


def translate_load_error(exc: Exception, settings: SyncSettings) -> TikTokAdsMartError:
    """dlt's and the destination's exceptions as one masked line."""
    cause: BaseException = exc
    while cause.__cause__ is not None and not isinstance(cause, TikTokAdsMartError):
        cause = cause.__cause__
    if isinstance(cause, TikTokAdsMartError):
        return cause
    if isinstance(cause, KeyboardInterrupt):  # dlt wraps a stop that lands in one of its steps
        return interrupted_error(cause)
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if full := _full_disk(cause, text, settings):
        return TikTokAdsMartError(full)
    if locked := DUCKDB_FILE_LOCKED.search(text):  # dlt words it as a credentials problem
        path, holder, pid = locked.groups()
        return TikTokAdsMartError(
            f"the DuckDB file {path} is open in another process ({Path(holder).name}, PID {pid}); "
            "DuckDB lets one process at a time open a file for writing: close it there and run sync again"
        )
    if settings.destination_credentials is not None:
        text = text.replace(settings.destination_credentials.reveal(), "**********")
    error = TikTokAdsMartError(f"loading into {settings.destination} failed: {text}")
    return error


TABLE_FORMAT_PACKAGES = {"delta": "deltalake", "iceberg": "pyiceberg"}


def dlt_credentials(settings: SyncSettings) -> Any:
    """What dlt is given as the destination's credentials: the secret as text, or None for dlt's config."""
    if settings.destination_credentials is None:
        return None
    text = settings.destination_credentials.reveal()
    return postgres_credentials(text) if settings.destination == "postgres" else text


def dlt_destination(settings: SyncSettings) -> Any:
    """dlt's destination factory for any destination but DuckDB (built with its loader in ``sync``)."""
    from dlt.common.destination.reference import Destination

    credentials = dlt_credentials(settings)
    kwargs: dict[str, Any] = {} if credentials is None else {"credentials": credentials}
    return Destination.from_reference(settings.destination, **kwargs)


def postgres_credentials(dsn: str) -> Any:
    """dlt's PostgreSQL credentials for a DSN that may leave the password out.

    dlt refuses a DSN without a password, yet trust and peer auth need none and libpq users keep theirs
    in ``PGPASSWORD`` or ``~/.pgpass``: take ``PGPASSWORD`` when set, else an empty password, with which
    libpq looks in the password file itself.
    """
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials(dsn)
    if credentials.password is None and credentials.username:
        credentials.password = os.environ.get("PGPASSWORD", "")
    return credentials


def check_filesystem(settings: SyncSettings) -> None:
    """Plain files cannot replace rows: every run would append its lookback again. Delta and iceberg can."""
    if settings.table_format is None:
        raise ConfigError(
            "destination 'filesystem' replaces rows by their keys only in delta or iceberg tables: "
            "add --table-format delta (or iceberg)"
        )
    package = TABLE_FORMAT_PACKAGES[settings.table_format]
    if importlib.util.find_spec(package) is None:
        raise ConfigError(
            f"table_format {settings.table_format} needs the {package} package: "
            f"pip install 'tiktok-ads-mart[{settings.table_format}]'"
        )


def known_destinations() -> list[str]:
    """dlt's own names, so the error for a typo shows the right spelling."""
    import dlt.destinations

    return sorted(name for name in dlt.destinations.__all__ if name != "destination")


EXTRAS = {"postgres": "psycopg2"}
"""Destinations whose driver comes with one of this package's extras: the extra, and the module it brings."""


def check_places(settings: SyncSettings) -> None:
    """The folders and files a run writes, checked before any request so a bad path is one line, exit 2
    (dlt's own words for these talk about credentials, or give no path at all)."""
    pipelines = settings.resolved_pipelines_dir()
    try:
        pipelines.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"pipelines_dir {pipelines}: {exc.strerror or exc}") from None
    if not os.access(pipelines, os.W_OK | os.X_OK):
        raise ConfigError(f"pipelines_dir {pipelines}: not writable")
    if settings.destination != "duckdb":
        return
    mart = settings.duckdb_path.expanduser()
    for parent in mart.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"duckdb_path {mart}: {parent} is a file, not a folder")
            break
    if mart.is_dir():
        raise ConfigError(f"duckdb_path {mart} is a folder; name a file, e.g. {mart / 'tiktok_ads.duckdb'}")
    if mart.is_file() and mart.stat().st_size > 0:
        with mart.open("rb") as handle:
            header = handle.read(12)
        if header[8:12] != b"DUCK":
            raise ConfigError(f"duckdb_path {mart} exists and is not a DuckDB database; choose another file")


def check_destination(settings: SyncSettings) -> None:
    """Ask dlt whether the destination is configured (credentials etc.) without connecting to it."""
    check_places(settings)
    if settings.destination == "duckdb":
        return
    driver = EXTRAS.get(settings.destination)
    if driver is not None and importlib.util.find_spec(driver) is None:
        raise ConfigError(
            f"destination {settings.destination} needs its driver: pip install 'tiktok-ads-mart[{settings.destination}]'"
        )
    if settings.destination == "filesystem":
        check_filesystem(settings)
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.common.destination.exceptions import UnknownDestinationModule

    try:
        factory = dlt_destination(settings)
        spec: Any = factory.spec()
        spec.dataset_name = settings.dataset_name
        try:
            factory.configuration(spec)
        except ConfigFieldMissingException as exc:
            missing = ", ".join(exc.fields)
            env = f"DESTINATION__{settings.destination.upper()}__{exc.fields[0].upper()}"
            extra = "TIKTOK_ADS_MART_DESTINATION_CREDENTIALS or " if "credentials" in exc.fields else ""
            raise ConfigError(
                f"destination {settings.destination!r} is missing {missing}: set {extra}dlt's own config "
                f"(e.g. {env} or .dlt/secrets.toml)"
            ) from None
    except ConfigError:
        raise
    except UnknownDestinationModule:
        raise ConfigError(
            f"unknown destination {settings.destination!r}; dlt's destinations: {', '.join(known_destinations())}"
        ) from None
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if settings.destination_credentials:
            message = message.replace(settings.destination_credentials.reveal(), "**********")
        raise ConfigError(f"destination {settings.destination!r}: {message}") from None
