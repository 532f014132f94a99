"""`tiktok-ads-mart sync` and `tiktok-ads-mart demo`: thin commands over :mod:`tiktok_ads_mart.sync`.

`sync`'s setting options are built from the settings table, :data:`tiktok_ads_mart.config.SETTINGS`, not
listed here a second time; each is passed through as text and parsed by :mod:`tiktok_ads_mart.config`, so
a flag, its env variable ``TIKTOK_ADS_MART_<NAME>`` and the config file key are checked the same way and a
bad value is one line with exit code 2.
"""

from __future__ import annotations

import gc
import inspect
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from tiktok_ads_mart.cli.common import fail, shown
from tiktok_ads_mart.config import SETTINGS, SettingSpec, SyncSettings, load_settings
from tiktok_ads_mart.errors import ConfigError, DailyQuotaUsedUp, TikTokAdsMartError

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help="TOML config file (default ./tiktok-ads-mart.toml).",
        show_default=False,
    ),
]
DropPendingOpt = Annotated[
    bool,
    typer.Option(
        "--drop-pending",
        help="Discard rows an earlier run could not load (the destination refused them) and read their days again.",
    ),
]
ResetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--reset",
        metavar="STREAM,...",
        help="Drop these streams' tables, rows and cursors first and read them again from the start date "
        "(a custom report whose definition changed). This run only: not a setting.",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
ListStreamsOpt = Annotated[bool, typer.Option("--list-streams", help="List the streams and exit.")]

FlagValue = str | list[str] | bool | None
"""What Typer hands over for one setting's option: text, the texts of a repeated flag, a switch, or None."""

Command = TypeVar("Command", bound=Callable[..., None])


def given_flags(flags: Mapping[str, FlagValue]) -> dict[str, str | bool]:
    """The settings given on the command line, as text (a repeated flag joined by commas) or a switch's
    bool. Flags left out are left out here too, so that ``load_settings`` falls back to the environment,
    the file and the default in that order."""
    given: dict[str, str | bool] = {}
    for name, value in flags.items():
        if isinstance(value, list):
            if value:
                given[name] = ",".join(value)
        elif value is not None:
            given[name] = value
    return given


def fatal_line(error: TikTokAdsMartError, now: datetime) -> str:
    """The one line a run that had to stop ends with; a used-up daily quota says when it comes back."""
    if not isinstance(error, DailyQuotaUsedUp):
        return str(error)
    reset = (now.astimezone(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = max(1, int((reset - now).total_seconds() // 60))
    return (
        f"the app's daily request quota is used up ({error}); it resets at 00:00 UTC, in "
        f"{minutes // 60} h {minutes % 60:02d} min. What was loaded stays: run the same sync again after "
        "the reset and it goes on from there"
    )


def setting_option(spec: SettingSpec) -> inspect.Parameter:
    """One row of the settings table as a Typer option. Its default is None, never the setting's
    default, so an option not given does not hide the environment variable or the file."""
    names = (spec.option, spec.short) if spec.short else (spec.option,)
    annotation: object
    if spec.negative:
        switch = typer.Option(f"{spec.option}/{spec.negative}", help=spec.help, hidden=spec.hidden)
        annotation = Annotated[bool | None, switch]
    else:
        option = typer.Option(
            *names, help=spec.help, metavar=spec.metavar, show_default=False, hidden=spec.hidden
        )
        annotation = Annotated[list[str] | None, option] if spec.repeatable else Annotated[str | None, option]
    return inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)


def with_setting_options(command: Command) -> Command:
    """``command`` with the parameters Typer reads: its own, with one option per row of
    :data:`tiktok_ads_mart.config.SETTINGS` that is a flag after the first (``--config``). Typer calls the
    command with every one of them by name, so the settings land in its ``**flags``: the table is the only
    list of settings, and a row added there is an option here."""
    signature = inspect.signature(command, eval_str=True)
    own = [
        parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for parameter in signature.parameters.values()
        if parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    settings = [setting_option(spec) for spec in SETTINGS if spec.flag]
    generated = signature.replace(parameters=[*own[:1], *settings, *own[1:]])
    command.__signature__ = generated  # type: ignore[attr-defined]
    return command


@with_setting_options
def sync_command(
    config: ConfigOpt = None,
    drop_pending: DropPendingOpt = False,
    reset: ResetOpt = None,
    quiet: QuietOpt = False,
    list_streams: ListStreamsOpt = False,
    **flags: FlagValue,
) -> None:
    """Load everything the credential can read into the data mart, incrementally."""
    from tiktok_ads_mart.cli.progress import choose_mode, make_reporter, render_summary
    from tiktok_ads_mart.sync.run import run_sync

    settings = load_settings(given_flags(flags), config_path=config)
    console = Console(highlight=False, soft_wrap=True)
    if list_streams:
        streams = settings.all_streams()
        width = max(map(len, streams))
        for name, spec in streams.items():
            console.print(f"{shown(name):<{width}}  {' + '.join(spec.primary_key)}")
        return
    if quiet:  # retries and other warnings are for the display's readers; --quiet prints only errors
        logging.getLogger("tiktok_ads_mart").setLevel(logging.ERROR)
    reporter = make_reporter(choose_mode(quiet, console), console)
    result = run_sync(
        settings, reporter=reporter, drop_pending_packages=drop_pending, reset=stream_list(settings, reset)
    )
    # The run is over and its connections are closed: the interpreter's final collection at exit would
    # walk every object dlt, pyarrow and DuckDB created (a quarter of a second) only to free memory the OS
    # takes back anyway. Frozen objects are skipped by it.
    gc.freeze()
    if not quiet:
        render_summary(result, console)
    if result.fatal is not None:
        fail(fatal_line(result.fatal, settings.clock()), result.fatal.exit_code)
    if result.failures:
        if quiet:
            for advertiser, message in sorted(result.failures.items()):
                Console(stderr=True, highlight=False).print(
                    f"failed advertiser {shown(advertiser)}: {shown(message)}"
                )
        raise typer.Exit(1)


def demo_command(
    directory: Annotated[
        Path,
        typer.Option(
            "--dir", metavar="PATH", help="Where the demo keeps its credential store and dlt state."
        ),
    ] = Path(".tiktok-ads-mart-demo"),
    duckdb_path: Annotated[Path, typer.Option("--duckdb-path", metavar="PATH", help="The mart file.")] = Path(
        "tiktok_ads.duckdb"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary and the query.")] = False,
) -> None:
    """Start the emulator, authorize through its consent page, sync everything, query the mart."""
    from tiktok_ads_mart.cli.demo import run_demo

    code = run_demo(directory=directory, duckdb_path=duckdb_path, quiet=quiet)
    if code:
        raise typer.Exit(code)


def stream_list(settings: SyncSettings, given: list[str] | None) -> tuple[str, ...]:
    """``--reset`` as typed (comma-separated or repeated); an unknown stream is refused before any request."""
    names = tuple(
        dict.fromkeys(name.strip() for value in given or () for name in value.split(",") if name.strip())
    )
    for name in names:
        if name not in settings.all_streams():
            raise ConfigError(f"--reset: unknown stream {name!r}; see `tiktok-ads-mart sync --list-streams`")
    return names


SYNC_EPILOG = (
    "Every option can also be set as TIKTOK_ADS_MART_<NAME> (e.g. TIKTOK_ADS_MART_LOOKBACK_DAYS=3) or as "
    "a key of tiktok-ads-mart.toml (flags win over the environment, which wins over the file); "
    "TIKTOK_ACCESS_TOKEN replaces the stored credential. "
    "Exit codes: 0 all loaded; 1 an advertiser or the load failed (what was loaded stays); "
    "2 bad settings, refused before any request; 75 another sync of the pipeline is running; "
    "130/143 stopped by Ctrl-C/SIGTERM."
)
"""What `sync --help` says below the options: where settings come from, and what each exit code means."""


def register(app: typer.Typer) -> None:
    """Add `sync` and `demo` to the root app."""
    app.command("sync", epilog=SYNC_EPILOG, short_help="Load everything into the data mart, incrementally.")(
        sync_command
    )
    app.command("demo", short_help="Emulator, login, sync and a query, end to end.")(demo_command)


__all__ = [
    "demo_command",
    "given_flags",
    "register",
    "setting_option",
    "sync_command",
    "with_setting_options",
]
