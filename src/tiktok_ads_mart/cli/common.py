"""What every command shares: the one place that turns exceptions into a masked line and an exit code."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from tiktok_ads_mart.errors import TikTokAdsMartError, printable

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def shown(value: object) -> str:
    """``value`` (from TikTok, a file or the user) ready for a Rich string: one line, no control
    characters, its brackets escaped, so a name like ``Evil [/bold] Co`` prints as written."""
    return escape(printable(value))


def fail(message: str, exit_code: int = 1) -> NoReturn:
    """Print one error line to stderr and leave with ``exit_code``."""
    err_console.print(f"[bold red]error:[/] {shown(message)}", markup=True)
    raise typer.Exit(exit_code)


def handle_errors(app: typer.Typer) -> None:
    """Run the app; Typer reports usage errors itself, ours become one line on stderr, never a traceback."""
    try:
        app()
    except TikTokAdsMartError as exc:
        err_console.print(f"[bold red]error:[/] {shown(exc)}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except OSError as exc:
        err_console.print(f"[bold red]error:[/] {shown(exc.strerror or exc)}")
        sys.exit(1)
