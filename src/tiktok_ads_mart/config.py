"""Settings for `sync`: from flags, env ``TIKTOK_ADS_MART_<NAME>`` or ``tiktok-ads-mart.toml``, in that order.

Everything is parsed and checked here, before any request: an unknown stream or metric, a bad date,
start after end, a destination without credentials each become one :class:`ConfigError` line (exit 2).
Secrets (a destination DSN, the app secret) are wrapped in :class:`Secret` as they are read.

The file holds the same names at the top level, plus ``[[reports]]`` tables for custom reports::

    advertiser_ids = ["7012345678901234567"]
    lookback_days = 7
    [[reports]]
    name = "ad_report_daily_by_placement"
    report_type = "AUDIENCE"
    level = "ad"
    dimensions = ["placement"]
    metrics = ["spend", "impressions", "clicks"]
    granularity = "daily"
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tiktok_ads_mart.api.hosts import (
    COMMAND_LINE,
    CONFIG_FILE_ORIGIN,
    ApiBase,
    checked_api_base,
    choose_api_base,
)
from tiktok_ads_mart.api.ratelimit import TIERS
from tiktok_ads_mart.catalog import (
    ADVERTISER_DAILY_EXTRA,
    AUDIENCE_DIMENSIONS,
    BASIC_DIMENSIONS,
    BUILTIN_STREAMS,
    DATA_LEVEL,
    GRAINS,
    ID_DIMENSION,
    NOT_AUDIENCE_METRICS,
    REPORT_TYPES,
    TIME_DIMENSION,
    Grain,
    Level,
    ReportSpec,
    ReportType,
    StreamSpec,
    metric_catalog,
)
from tiktok_ads_mart.errors import ConfigError
from tiktok_ads_mart.secret import Secret

ENV_PREFIX = "TIKTOK_ADS_MART_"
CONFIG_FILE_NAME = "tiktok-ads-mart.toml"
MAX_LOOKBACK_DAYS = 28
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_MEMORY = re.compile(r"^\d+(\.\d+)?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


HOME_ENV = "TIKTOK_ADS_MART_HOME"


def home_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the encrypted store and dlt's state live: ``$TIKTOK_ADS_MART_HOME`` or ~/.config/tiktok-ads-mart."""
    env = os.environ if env is None else env
    value = env.get(HOME_ENV)
    return Path(value).expanduser() if value else Path.home() / ".config" / "tiktok-ads-mart"


@dataclass(frozen=True)
class SyncSettings:
    """One resolved `sync` run. ``None`` dates mean: from state / start_date default, up to today."""

    api_base: str | None = None  # None: the stored credential's API, else TIKTOK_API_BASE, else production
    profile: str = "default"
    advertiser_ids: tuple[str, ...] = ()  # empty = every advertiser the credential reads
    streams: tuple[str, ...] = ()  # empty = every stream (built-in and custom)
    start_date: date | None = None
    end_date: date | None = None
    lookback_days: int = 7
    default_history_days: int = 30
    include_deleted: bool = True
    destination: str = "duckdb"
    destination_credentials: Secret | None = None
    duckdb_path: Path = Path("tiktok_ads.duckdb")
    # DuckDB spills beyond it, except at a commit, which holds up to a row group (122,880 rows) of the
    # rows a transaction appended: 60MB fits that for the widest built-in report table since the value
    # metrics joined the defaults (56MB did not: the 100k scenario loaded twice); a wider custom report
    # gets the load again with twice the cap. Keeps a 1M-row run under 300 MB RSS (295 MB).
    duckdb_memory_limit: str = "60MB"
    duckdb_threads: int = 1  # 2 loads ~40% faster for ~35 MB more peak RSS (with a 96MB limit)
    dataset_name: str = "tiktok"
    table_format: str | None = None  # delta or iceberg (filesystem, lakehouse destinations); None = native
    pipeline_name: str = "tiktok_ads_mart"
    pipelines_dir: Path | None = None
    rate_tier: str = "basic"
    qps: int | None = None
    qpm: int | None = None
    qpd: int = 0  # the app's requests per UTC day; 0 = not counted (TikTok's 40100 still stops the run)
    concurrency: int = 16
    give_up_after: int = 60  # seconds without any answer from TikTok before the run stops
    # sync: report pages (tasks only where pages would be cut); async: a report task per window; auto:
    # sync, and a stream's later windows as tasks once one of its windows took 4 pages or more; None (not
    # set): sync, and auto for a backfill over 31 days
    report_mode: str | None = None
    shard: tuple[int, int] | None = None  # (i, n): this worker's share of the advertisers, 1 <= i <= n
    concurrent_runs: int = 1  # runs sharing the app's rate limits at once (an orchestrator's partitions)
    now: datetime | None = None  # the clock, for replays and tests; default the real UTC time
    custom_reports: tuple[ReportSpec, ...] = ()
    config_file: Path | None = field(default=None, compare=False)
    # who named api_base: "--api-base", the environment variable, or "config file <path>"; None: the caller
    api_base_origin: str | None = field(default=None, compare=False)

    @property
    def rate_limits(self) -> tuple[int, int]:
        """(qps, qpm): explicit numbers win over the tier; a shard (or one of n concurrent runs) takes its 1/n
        of the app's budget, so n workers together stay under it (at least one request a second or minute
        each)."""
        tier = TIERS[self.rate_tier]
        qps = tier.qps if self.qps is None else self.qps
        qpm = tier.qpm if self.qpm is None else self.qpm
        return self._share(qps), self._share(qpm)

    @property
    def daily_share(self) -> int:
        """This run's requests per UTC day: the app's QPD, a shard's 1/N of it; 0 = not counted."""
        return self._share(self.qpd)

    def _share(self, app_limit: int) -> int:
        """One worker's part of an app-wide limit (at least 1); 0, no limit, stays 0."""
        return max(1, app_limit // self.workers) if app_limit else 0

    @property
    def workers(self) -> int:
        """How many runs share the app's limits at once: a shard's N, else ``concurrent_runs``."""
        return self.shard[1] if self.shard is not None else self.concurrent_runs

    @property
    def state_name(self) -> str:
        """The dlt pipeline whose state this run keeps: a shard's own, so shards never share cursors."""
        if self.shard is None:
            return self.pipeline_name
        return f"{self.pipeline_name}_shard_{self.shard[0]}_of_{self.shard[1]}"

    def named_api_base(self) -> ApiBase | None:
        """The API host this run was pointed at, and by whom; None if no one named one."""
        configured = ApiBase(self.api_base, self.api_base_origin or COMMAND_LINE) if self.api_base else None
        return choose_api_base(configured=configured)

    def clock(self) -> datetime:
        return self.now if self.now is not None else datetime.now(UTC)

    def all_streams(self) -> dict[str, StreamSpec]:
        streams: dict[str, StreamSpec] = dict(BUILTIN_STREAMS)
        streams.update({spec.name: spec for spec in self.custom_reports})
        return streams

    def selected_streams(self) -> list[StreamSpec]:
        """The streams this run loads, in table order (entities first)."""
        available = self.all_streams()
        if not self.streams:
            return list(available.values())
        wanted = set(self.streams)
        return [spec for name, spec in available.items() if name in wanted]

    def resolved_pipelines_dir(self) -> Path:
        return self.pipelines_dir or home_dir() / "pipelines"


# --- parsing -------------------------------------------------------------------------------------


def _as_list(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, list | tuple):
        items = [str(part).strip() for part in value]
    else:
        raise ConfigError(f"{name}: expected a list or a comma-separated string, got {value!r}")
    return tuple(item for item in items if item)


def advertiser_id_list(values: Iterable[str]) -> tuple[str, ...]:
    """Ids as a person types them, repeated or comma-separated; a typo fails here, not as TikTok's 40002."""
    ids = _as_list("advertiser_ids", [part for value in values for part in value.split(",")])
    for advertiser_id in ids:
        if not advertiser_id.isdigit():
            raise ConfigError(f"advertiser id {advertiser_id!r} must be digits only")
    return ids


def _as_date(name: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a date (use YYYY-MM-DD)") from None


def _as_datetime(name: str, value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a timestamp (use YYYY-MM-DDTHH:MM:SS+00:00)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _as_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a whole number") from None
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{name} must be {bounds}, got {number}")
    return number


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: {value!r} is not true or false")


def _as_str(name: str, value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise ConfigError(f"{name} must not be empty")
    return text


def _as_tier(name: str, value: Any) -> str:
    tier = str(value).strip().lower()
    if tier not in TIERS:
        raise ConfigError(f"{name}: unknown rate tier {value!r}; choose one of {', '.join(TIERS)}")
    return tier


def _as_memory(name: str, value: Any) -> str:
    text = _as_str(name, value).replace(" ", "")
    if not _MEMORY.match(text):
        raise ConfigError(f"{name}: {value!r} is not a size like 64MB or 1GB")
    return text


def _as_table_format(name: str, value: Any) -> str | None:
    text = _as_str(name, value).lower()
    if text in ("native", "none"):
        return None
    if text not in ("delta", "iceberg"):
        raise ConfigError(f"{name}: {value!r} must be delta, iceberg or native")
    return text


def _as_report_mode(name: str, value: Any) -> str:
    text = _as_str(name, value).lower()
    if text not in REPORT_MODES:
        raise ConfigError(f"{name}: {value!r} must be {', '.join(REPORT_MODES[:-1])} or {REPORT_MODES[-1]}")
    return text


REPORT_MODES = ("sync", "async", "auto")


def _as_shard(name: str, value: Any) -> tuple[int, int]:
    text = _as_str(name, value)
    index, _, count = text.partition("/")
    if not (index.strip().isdigit() and count.strip().isdigit()) or not 1 <= int(index) <= int(count) <= 1000:
        raise ConfigError(f"{name}: {text!r} must be I/N with 1 <= I <= N <= 1000, e.g. 2/3")
    return int(index), int(count)


def _as_identifier(name: str, value: Any) -> str:
    text = _as_str(name, value)
    if not _NAME.match(text):
        raise ConfigError(f"{name}: {text!r} must be lower-case letters, digits and underscores")
    return text


Parser = Callable[[str, Any], Any]
"""Checks one setting's raw value (text from a flag or env, or a TOML value) given the setting's name."""


@dataclass(frozen=True)
class SettingSpec:
    """One row of the settings table: the setting's name, how its value is checked, and how `sync --help`
    shows it. The command line builds its options from these rows, so a setting added here is a flag, an
    env variable ``TIKTOK_ADS_MART_<NAME>`` and a file key at once, with no second list to forget."""

    name: str
    parse: Parser
    help: str
    metavar: str = "TEXT"
    flag: bool = True  # False: env and file only (a secret on argv is readable by every user)
    short: str | None = None  # e.g. "-p"
    hidden: bool = False  # a flag that --help leaves out (tests and replays)
    repeatable: bool = False  # the flag may be given again; its values are joined with commas
    negative: str | None = None  # a switch: the flag that turns it off (its own name turns it on)

    @property
    def option(self) -> str:
        """The flag as typed, ``--duckdb-path`` for ``duckdb_path``; also the origin named in errors."""
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("api_base", _as_str, "API root (production, sandbox or the emulator's).", "URL"),
    SettingSpec("profile", _as_str, "Stored credential profile.", "NAME", short="-p"),
    SettingSpec(
        "advertiser_ids",
        _as_list,
        "Comma-separated advertiser ids (default: all the credential reads).",
        "ID,...",
        repeatable=True,
    ),
    SettingSpec("streams", _as_list, "Comma-separated streams (default: all).", "STREAM,..."),
    SettingSpec(
        "start_date", _as_date, "Backfill from this day (YYYY-MM-DD); leaves the state alone.", "DATE"
    ),
    SettingSpec("end_date", _as_date, "Backfill up to this day (YYYY-MM-DD).", "DATE"),
    SettingSpec(
        "lookback_days",
        lambda n, v: _as_int(n, v, 0, MAX_LOOKBACK_DAYS),
        f"Days re-read before the last loaded day (0-{MAX_LOOKBACK_DAYS}, default 7).",
        "INT",
    ),
    SettingSpec(
        "default_history_days",
        lambda n, v: _as_int(n, v, 1, 3650),
        "Days a first run reads when no start_date is given (1-3650, default 30).",
        "INT",
        flag=False,
    ),
    SettingSpec(
        "include_deleted",
        _as_bool,
        "Deleted objects and their stats (default on).",
        "BOOL",
        negative="--exclude-deleted",
    ),
    SettingSpec("destination", _as_str, "dlt destination: duckdb (default), postgres, bigquery, ...", "NAME"),
    SettingSpec(
        "destination_credentials",
        lambda n, v: Secret(_as_str(n, v)),
        "The destination's credentials, e.g. a PostgreSQL DSN (env or file only: argv is public).",
        "SECRET",
        flag=False,
    ),
    SettingSpec(
        "duckdb_path",
        lambda n, v: Path(_as_str(n, v)).expanduser(),
        "DuckDB file (default ./tiktok_ads.duckdb).",
        "PATH",
    ),
    SettingSpec(
        "duckdb_memory_limit",
        _as_memory,
        "DuckDB's memory cap while loading (default 60MB; it spills beyond).",
        "SIZE",
    ),
    SettingSpec(
        "duckdb_threads",
        lambda n, v: _as_int(n, v, 1, 64),
        "DuckDB threads while loading (default 1: least memory).",
        "INT",
    ),
    SettingSpec("dataset_name", _as_identifier, "Dataset/schema name (default tiktok).", "NAME"),
    SettingSpec(
        "table_format", _as_table_format, "delta or iceberg for filesystem/lakehouse destinations.", "FORMAT"
    ),
    SettingSpec(
        "pipeline_name", _as_identifier, "dlt pipeline name (default tiktok_ads_mart).", "NAME", flag=False
    ),
    SettingSpec(
        "pipelines_dir", lambda n, v: Path(_as_str(n, v)).expanduser(), "dlt's working directory.", "PATH"
    ),
    SettingSpec("rate_tier", _as_tier, "basic, advanced, premium or ultimate.", "TIER"),
    SettingSpec(
        "qps", lambda n, v: _as_int(n, v, 0), "Requests per second (overrides the tier; 0 = none).", "INT"
    ),
    SettingSpec(
        "qpm", lambda n, v: _as_int(n, v, 0), "Requests per minute (overrides the tier; 0 = none).", "INT"
    ),
    SettingSpec(
        "qpd",
        lambda n, v: _as_int(n, v, 0),
        "The app's requests per UTC day (its QPD): the run stops before sending more, counted across "
        "the day's runs; a shard keeps to 1/N of it (default 0: not counted).",
        "INT",
    ),
    SettingSpec(
        "concurrency", lambda n, v: _as_int(n, v, 1, 256), "Requests in flight at once (default 16).", "INT"
    ),
    SettingSpec(
        "give_up_after",
        lambda n, v: _as_int(n, v, 0, 86400),
        "Seconds without any answer from TikTok before the run stops (default 60; 0: never).",
        "INT",
    ),
    SettingSpec(
        "report_mode",
        _as_report_mode,
        "sync (report pages), async (a report task per window) or auto (pages, and tasks for a stream "
        "whose windows take 4 pages or more). Default: sync, and auto for a backfill over 31 days. "
        "Reach beside an audience breakdown stays on pages: tasks refuse it.",
        "MODE",
    ),
    SettingSpec(
        "shard",
        _as_shard,
        "Run worker I of N: the advertisers whose stable hash falls to it, at 1/N of the app's QPS, "
        "QPM and QPD, with state of its own, so N workers on one app and one dataset never collide.",
        "I/N",
    ),
    SettingSpec(
        "now", _as_datetime, "Pretend the clock says this (replays, tests).", "TIMESTAMP", hidden=True
    ),
)
"""Every setting, in the order they are resolved and listed; each can be a flag (unless ``flag=False``),
``TIKTOK_ADS_MART_<NAME>`` or a key in the file."""

PARSERS: dict[str, Parser] = {spec.name: spec.parse for spec in SETTINGS}
"""Every setting name and its check, from :data:`SETTINGS`."""


def read_config_file(path: Path | None) -> tuple[dict[str, Any], Path | None]:
    """The TOML file's table: ``path`` if given (it must exist), else ./tiktok-ads-mart.toml if present."""
    if path is None:
        candidate = Path.cwd() / CONFIG_FILE_NAME
        if not candidate.is_file():
            return {}, None
        path = candidate
    elif not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle), path
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror or exc}") from None


def app_credentials(config_path: Path | None = None) -> dict[str, Any]:
    """app_id / secret / api_base from the file, for the auth commands (secret wrapped)."""
    table, path = read_config_file(config_path)
    found: dict[str, Any] = {"config_file": str(path)} if path else {}
    for key in ("app_id", "api_base", "portal_url", "profile"):
        if key in table:
            found[key] = str(table[key])
    if "secret" in table:
        found["secret"] = Secret(str(table["secret"]))
    return found


# A level written as TikTok's API spells it (data_level) means the same report.
LEVEL_BY_DATA_LEVEL: dict[str, Level] = {api: level for level, api in DATA_LEVEL.items()}


def parse_custom_report(entry: Mapping[str, Any], index: int) -> ReportSpec:
    """One ``[[reports]]`` table to a :class:`ReportSpec`; every name checked against the catalog."""
    where = f"reports[{index}]"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a table")
    allowed = {"name", "report_type", "level", "dimensions", "metrics", "granularity"}
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    name = _as_identifier(f"{where}.name", entry.get("name", ""))
    where = f"report {name!r}"
    if name in BUILTIN_STREAMS:
        raise ConfigError(f"{where}: the name is taken by a built-in stream")
    report_type = str(entry.get("report_type", "BASIC")).upper()
    if report_type not in REPORT_TYPES:
        raise ConfigError(f"{where}: report_type {report_type!r} must be one of {', '.join(REPORT_TYPES)}")
    level = str(entry.get("level", ""))
    level = LEVEL_BY_DATA_LEVEL.get(level.upper(), level.lower())
    if level not in DATA_LEVEL:
        raise ConfigError(
            f"{where}: level {entry.get('level', '')!r} must be one of {', '.join(DATA_LEVEL)} "
            f"(or TikTok's data_level: {', '.join(DATA_LEVEL.values())})"
        )
    granularity = str(entry.get("granularity", "daily")).lower()
    if granularity not in GRAINS:
        raise ConfigError(f"{where}: granularity {granularity!r} must be one of {', '.join(GRAINS)}")
    if report_type == "AUDIENCE" and granularity == "lifetime":
        raise ConfigError(f"{where}: AUDIENCE reports have no lifetime granularity")
    rtype: ReportType = "AUDIENCE" if report_type == "AUDIENCE" else "BASIC"
    lvl: Level = level
    grain: Grain = granularity
    dimensions = _as_list(f"{where}.dimensions", entry.get("dimensions", []))
    breakdown = _custom_breakdown(where, rtype, lvl, grain, dimensions)
    metrics = _as_list(f"{where}.metrics", entry.get("metrics", []))
    if not metrics:
        raise ConfigError(f"{where}: metrics must name at least one metric")
    known = set(metric_catalog())
    for metric in metrics:
        if metric not in known:
            raise ConfigError(f"{where}: unknown metric {metric!r} (not in TikTok's metric catalog)")
        _check_metric_fits(where, metric, rtype, lvl, grain)
    metrics = tuple(dict.fromkeys(("currency", *metrics)))
    return ReportSpec(name, rtype, lvl, grain, breakdown, metrics, custom=True)


def _custom_breakdown(
    where: str, report_type: ReportType, level: Level, grain: Grain, dimensions: tuple[str, ...]
) -> tuple[str, ...]:
    """The breakdowns of a custom report, refused here as TikTok would refuse them (40002), for every
    advertiser, once the run has started."""
    breakdown: list[str] = []
    for dim in dimensions:
        if dim in ID_DIMENSION.values():
            if dim != ID_DIMENSION[level]:
                raise ConfigError(
                    f"{where}: dimension {dim!r} does not fit level {level!r}, whose id is {ID_DIMENSION[level]!r}"
                )
        elif dim in ("stat_time_day", "stat_time_hour"):
            if dim != TIME_DIMENSION[grain]:
                wanted = "daily" if dim == "stat_time_day" else "hourly"
                raise ConfigError(f"{where}: dimension {dim!r} means granularity = {wanted!r}, not {grain!r}")
        elif dim in AUDIENCE_DIMENSIONS:
            if report_type != "AUDIENCE":
                raise ConfigError(f"{where}: dimension {dim!r} needs report_type = 'AUDIENCE'")
            breakdown.append(dim)
        elif dim in BASIC_DIMENSIONS:
            if report_type == "AUDIENCE" and dim != "country_code":
                raise ConfigError(f"{where}: dimension {dim!r} is for BASIC reports, not AUDIENCE")
            breakdown.append(dim)
        else:
            raise ConfigError(f"{where}: unknown dimension {dim!r}")
    if breakdown and grain == "lifetime":
        raise ConfigError(f"{where}: lifetime reports take no breakdown dimension ({breakdown[0]!r})")
    if report_type == "AUDIENCE" and not breakdown:
        raise ConfigError(
            f"{where}: an AUDIENCE report needs an audience dimension (gender, age, country_code, platform, ...)"
        )
    return tuple(dict.fromkeys(breakdown))


def _check_metric_fits(where: str, metric: str, report_type: ReportType, level: Level, grain: Grain) -> None:
    if report_type == "AUDIENCE" and metric in NOT_AUDIENCE_METRICS:
        raise ConfigError(f"{where}: metric {metric!r} is not reported by audience")
    if metric in ADVERTISER_DAILY_EXTRA and (level != "advertiser" or grain != "daily"):
        raise ConfigError(f"{where}: metric {metric!r} exists only at level 'advertiser', daily")


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> SyncSettings:
    """Resolve every setting (flags > env > file > default) and check the whole run before it starts."""
    environ = os.environ if environ is None else environ
    table, found_path = read_config_file(config_path)
    unknown = sorted(set(table) - set(PARSERS) - {"reports", "app_id", "secret", "portal_url"})
    if unknown:
        raise ConfigError(f"config file {found_path}: unknown setting {unknown[0]!r}")
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name, parse in PARSERS.items():
        raw: Any = None
        if flags is not None and flags.get(name) is not None:
            raw, origins[name] = flags[name], "--" + name.replace("_", "-")
        elif environ.get(ENV_PREFIX + name.upper()) not in (None, ""):
            raw, origins[name] = environ[ENV_PREFIX + name.upper()], ENV_PREFIX + name.upper()
        elif name in table:
            raw, origins[name] = table[name], f"{CONFIG_FILE_ORIGIN} {found_path}"
        if raw is not None:
            values[name] = parse(name, raw)
    if "api_base" in values:
        values["api_base"] = checked_api_base(values["api_base"], origins["api_base"])
        values["api_base_origin"] = origins["api_base"]
    reports = table.get("reports", [])
    if not isinstance(reports, list):
        raise ConfigError("config file: `reports` must be an array of tables ([[reports]])")
    customs = tuple(parse_custom_report(entry, i) for i, entry in enumerate(reports))
    if len({spec.name for spec in customs}) != len(customs):
        raise ConfigError("config file: two custom reports share a name")
    settings = replace(SyncSettings(), **values, custom_reports=customs, config_file=found_path)
    validate_settings(settings)
    return settings


def validate_settings(settings: SyncSettings) -> None:
    """The checks that need several settings at once; all before any request."""
    available = settings.all_streams()
    for name in settings.streams:
        if name not in available:
            raise ConfigError(f"unknown stream {name!r}; see `tiktok-ads-mart sync --list-streams`")
    advertiser_id_list(settings.advertiser_ids)
    if settings.start_date and settings.end_date and settings.start_date > settings.end_date:
        raise ConfigError(f"start_date {settings.start_date} is after end_date {settings.end_date}")
    # the latest clock on earth (UTC+14): a day after its today is in every advertiser's future
    latest_today = (settings.clock() + timedelta(hours=14)).date()
    if settings.start_date is not None and settings.start_date > latest_today:
        raise ConfigError(
            f"start_date {settings.start_date} is in the future: TikTok has no numbers for it yet"
        )
    if settings.report_mode == "async" and not settings.include_deleted:  # auto keeps them on pages
        raise ConfigError(
            "report_mode async cannot leave deleted objects out: TikTok's report tasks take no status "
            "filter (doc 1740302766489602); use report_mode sync with exclude_deleted"
        )
    if settings.table_format is not None and settings.destination != "filesystem":
        raise ConfigError(
            f"table_format {settings.table_format} is for the filesystem destination (delta or iceberg "
            f"tables in files); {settings.destination} keeps its own tables: leave table_format out"
        )
    if settings.destination == "duckdb" and settings.dataset_name == settings.duckdb_path.stem:
        raise ConfigError(
            f"dataset_name {settings.dataset_name!r} equals the DuckDB file's name, which DuckDB cannot tell "
            "apart from the schema; choose another dataset_name"
        )


def setting_names() -> list[str]:
    return [f.name for f in fields(SyncSettings) if f.name in PARSERS]


__all__ = [
    "CONFIG_FILE_NAME",
    "ENV_PREFIX",
    "HOME_ENV",
    "PARSERS",
    "SETTINGS",
    "SettingSpec",
    "SyncSettings",
    "app_credentials",
    "home_dir",
    "load_settings",
    "parse_custom_report",
    "read_config_file",
    "setting_names",
    "validate_settings",
]
