"""What every command shares: the one place that turns exceptions into a masked line and an exit code."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from tiktok_ads_mart.errors import TikTokAdsMartError

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, exit_code: int = 1) -> None:
    """Print one error line to stderr and leave with ``exit_code``."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    raise typer.Exit(exit_code)


def handle_errors(app: typer.Typer) -> None:
    """Run the app; Typer reports usage errors itself, ours become one line on stderr, never a traceback."""
    try:
        app()
    except TikTokAdsMartError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except OSError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc.strerror or exc))}")
        sys.exit(1)
