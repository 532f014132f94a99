"""`tiktok-ads-mart check`: a thin command over :func:`tiktok_ads_mart.check.run_check`.

It takes every setting `sync` takes (the same table, :data:`tiktok_ads_mart.config.SETTINGS`), so
``check`` with a sync's flags checks what that sync loaded; it prints the mismatches as tables, every
value escaped for Rich, and leaves with 1 when anything is off.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tiktok_ads_mart.check_model import CheckReport, Finding, Kind, shown_values
from tiktok_ads_mart.cli.common import shown
from tiktok_ads_mart.cli.sync import ConfigOpt, FlagValue, given_flags, with_setting_options
from tiktok_ads_mart.config import load_settings
from tiktok_ads_mart.errors import ConfigError

HtmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--html",
        metavar="FILE",
        help="Also write one self-contained page: a chart of spend per day, mart against TikTok, "
        "per advertiser, and the mismatch tables.",
        show_default=False,
    ),
]
MaxRowsOpt = Annotated[
    int,
    typer.Option(
        "--max-rows", metavar="N", min=0, help="Mismatches printed per table (0: all; the page has all)."
    ),
]


def html_target(path: Path | None) -> Path | None:
    """Where the page goes, checked before any request, so a wrong path costs no API call."""
    if path is None:
        return None
    path = path.expanduser()
    if path.is_dir():
        raise ConfigError(f"--html {path} is a folder; name a file, e.g. {path / 'check.html'}")
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(f"--html {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"--html {path}: the folder {folder} is not writable")
    return path


GROUP_TITLE: dict[Kind, str] = {
    "hourly": "{table}: hourly sums against {reference}",
    "breakdown": "{table}: sums against {reference}",
    "duplicate": "{table}: keys held by more than one row",
    "orphan": "{table}: parents missing from {reference}",
}
"""The line above each table of the checks within the mart: what its rows were compared with."""


def findings_table(findings: list[Finding], level: bool, expected: str) -> Table:
    """Findings as rows, numbers right-aligned; ids fold rather than being cut when the terminal is narrow."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("day", no_wrap=True)
    table.add_column("advertiser", overflow="fold")
    table.add_column("level" if level else "id", overflow="fold")
    table.add_column("metric", overflow="fold")
    for column in ("mart", expected, "difference"):
        table.add_column(column, justify="right", no_wrap=True)
    for f in findings:
        cells = (f.day or "", f.advertiser_id, f.level if level else f.key, f.detail or f.metric)
        table.add_row(*(shown(v) for v in (*cells, *shown_values(f))))
    return table


def print_limited(
    console: Console, findings: list[Finding], max_rows: int, level: bool, expected: str
) -> None:
    rows = findings if max_rows == 0 else findings[:max_rows]
    console.print(findings_table(rows, level, expected))
    if len(rows) < len(findings):
        console.print(f"… and {len(findings) - len(rows)} more (--max-rows 0 prints all)")


def render(report: CheckReport, console: Console, max_rows: int) -> None:
    """The mismatches (at most ``max_rows`` rows a table), what was skipped, and the summary line."""
    tiktok = report.sorted_findings("tiktok")
    if tiktok:
        console.print("[bold]mart against TikTok[/]")
        print_limited(console, tiktok, max_rows, level=True, expected="TikTok")
        console.print()
    groups: dict[tuple[Kind, str, str], list[Finding]] = defaultdict(list)
    for finding in report.sorted_findings():
        if finding.kind != "tiktok":
            groups[(finding.kind, finding.table, finding.reference)].append(finding)
    if groups:
        console.print("[bold]within the mart[/]")
    for (kind, table, reference), findings in groups.items():
        console.print(shown(GROUP_TITLE[kind].format(table=table, reference=reference)))
        print_limited(console, findings, max_rows, level=False, expected="expected")
        console.print()
    for advertiser, why in sorted(report.unchecked.items()):
        console.print(f"not checked: advertiser {shown(advertiser)}: {shown(why)}")
    reasons: dict[str, list[str]] = defaultdict(list)
    for table_name, why in report.skipped.items():
        reasons[why].append(table_name)
    for why, tables in sorted(reasons.items()):
        console.print(f"skipped ({shown(why)}): {shown(', '.join(sorted(tables)))}")
    console.print(shown(report.summary()))


@with_setting_options
def check_command(
    config: ConfigOpt = None,
    html: HtmlOpt = None,
    max_rows: MaxRowsOpt = 100,
    **flags: FlagValue,
) -> None:
    """Prove the mart: compare it with TikTok's daily totals, and check that it adds up."""
    from tiktok_ads_mart.check import run_check
    from tiktok_ads_mart.check_html import write_page

    settings = load_settings(given_flags(flags), config_path=config)
    page = html_target(html)
    report = run_check(settings)
    console = Console(highlight=False, soft_wrap=True)
    render(report, console, max_rows)
    if page is not None:
        write_page(report, page)
        console.print(f"wrote {shown(page)}")
    raise typer.Exit(report.exit_code)


CHECK_EPILOG = (
    "Days: start_date to end_date if given, else the lookback_days before today up to today, in each "
    "advertiser's timezone (today's numbers keep moving until the day ends: an --end-date of yesterday checks closed days only). "
    "Settings come from the same flags, TIKTOK_ADS_MART_<NAME> variables and tiktok-ads-mart.toml as "
    "sync's; --streams limits the tables checked. "
    "Exit codes: 0 everything adds up; 1 a difference beyond one cent or one unit, a duplicate key, an "
    "ad without its parents, or an advertiser TikTok would not answer for; 2 bad settings or no mart, "
    "refused before any request."
)


def register(app: typer.Typer) -> None:
    """Add `check` to the root app."""
    app.command(
        "check", epilog=CHECK_EPILOG, short_help="Prove the mart: compare it with TikTok, check it adds up."
    )(check_command)


__all__ = ["check_command", "html_target", "register", "render"]
