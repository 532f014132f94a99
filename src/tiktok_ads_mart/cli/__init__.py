"""The `tiktok-ads-mart` command line: thin Typer commands over library functions.

Each command group lives in its own module and registers itself on the root app here; errors from the
library reach the user as one masked line and an exit code through ``handle_errors``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tiktok_ads_mart.cli import auth as auth_commands
from tiktok_ads_mart.cli import check as check_commands
from tiktok_ads_mart.cli import emulator as emulator_commands
from tiktok_ads_mart.cli import sync as sync_commands
from tiktok_ads_mart.cli.common import handle_errors

app = typer.Typer(
    name="tiktok-ads-mart",
    help="Load TikTok Ads into your own data mart: authenticate, sync, and try it offline on the emulator.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's help wraps at any width; Rich's table cut defaults at 80 columns
)


def _print_version(asked: bool) -> None:
    if asked:
        from tiktok_ads_mart import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Load TikTok Ads into your own data mart."""


@app.command()
def version() -> None:
    """Print the installed version."""
    from tiktok_ads_mart import __version__

    typer.echo(__version__)


emulator_commands.register(app)
auth_commands.register(app)
sync_commands.register(app)
check_commands.register(app)


def main() -> None:
    """Console-script entry point."""
    handle_errors(app)


__all__ = ["app", "main"]
