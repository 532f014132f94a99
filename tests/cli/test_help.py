"""Every command's --help at 80 columns: nothing cut ("…" or a sentence cut by "..."), every value's
placeholder a word the user can read (not Typer's ``<str>`` / ``<bool>``), no line wider than the terminal."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from tiktok_ads_mart.cli import app

COMMANDS = [
    [],
    ["sync"],
    ["check"],
    ["demo"],
    ["advertisers"],
    ["version"],
    ["auth"],
    ["auth", "login"],
    ["auth", "exchange"],
    ["auth", "status"],
    ["auth", "refresh"],
    ["auth", "logout"],
    ["emulator"],
    ["emulator", "serve"],
]
TYPER_PLACEHOLDER = re.compile(r"--[a-z-]+ <[a-z\[\]]+>")
CUT = re.compile(r"\w\.\.\.$|…")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_help_fits_80_columns_uncut(command: list[str]) -> None:
    done = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines and lines[0].startswith("Usage: tiktok-ads-mart")
    for line in lines:
        assert len(line) <= 80, line
        assert not CUT.search(line), line
        assert not TYPER_PLACEHOLDER.search(line), line
