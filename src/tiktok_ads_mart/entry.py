"""The console script's entry point, kept apart from the CLI so that importing the CLI can be interrupted.

Importing the commands (httpx, rich, typer and the rest) takes a few tenths of a second; a Ctrl-C in that
time would print Python's traceback, since no command is running yet to turn it into a line.
"""

from __future__ import annotations

import sys

INTERRUPTED_EXIT = 130  # what a shell reports for a process that SIGINT ended


def main() -> None:
    try:
        from tiktok_ads_mart.cli import main as run_cli
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED_EXIT)
    run_cli()


__all__ = ["main"]
