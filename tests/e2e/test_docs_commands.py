"""Every command in README.md and docs/*.md works as written.

- each `tiktok-ads-mart` line parses against the CLI itself (its commands and options), so a renamed or
  removed option fails here, not for a reader;
- each `make` target exists, and each script or test path a line names is in the checkout;
- the lines that need no TikTok account run: docs/sync.md's `sync` lines against an emulator (each exit
  0), and docs/emulator.md's `emulator serve` example prints what the doc shows, advertiser IDs included
  (the README's offline block runs in test_readme.py).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from tiktok_ads_mart.cli import app
from utils import cli_env, run_cli

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(sh|bash|console)\n(.*?)```", re.S)
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
EXECUTABLES = ("tiktok-ads-mart", ".venv/bin/tiktok-ads-mart")


def _command_lines(doc: Path) -> list[str]:
    """The commands of a doc's shell blocks: continuations joined, comments dropped; in console blocks
    only the `$ ` lines (the rest is output)."""
    lines: list[str] = []
    for kind, body in BLOCK.findall(doc.read_text()):
        for raw in body.replace("\\\n", " ").splitlines():
            line = raw.strip()
            if kind == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def _words(line: str) -> list[str]:
    """The command's words without its comment, leading environment assignments and a trailing `&`."""
    words = shlex.split(line, comments=True)
    if words and words[-1] == "&":
        words.pop()
    while words and ENV_ASSIGNMENT.match(words[0]):
        words.pop(0)
    return words


ALL_LINES = [(doc.relative_to(ROOT).as_posix(), line) for doc in DOCS for line in _command_lines(doc)]


def _parse_with_the_cli(args: list[str]) -> None:
    """Parse ``args`` the way the installed command would, running nothing: an unknown command or option,
    or an option missing its value, fails (values are checked by the lines that run, below)."""
    command: Any = typer.main.get_command(app)  # Typer's own copy of click: a group has ``commands``
    name = "tiktok-ads-mart"
    while hasattr(command, "commands"):
        assert args, f"{name} needs a command"
        name, *args = args
        command = command.commands.get(name)
        assert command is not None, f"no command {name!r}"
    command.make_context(name, list(args))


@pytest.mark.parametrize(("doc", "line"), ALL_LINES, ids=[f"{d}: {line[:60]}" for d, line in ALL_LINES])
def test_each_documented_command_names_what_exists(doc: str, line: str) -> None:
    words = _words(line)
    assert words, line
    program, args = words[0], words[1:]
    if program == "eval":  # eval "$(bash scripts/x.sh)"
        program, *args = shlex.split(args[0].removeprefix("$(").removesuffix(")"))
    if program in EXECUTABLES:
        _parse_with_the_cli(args)
    elif program == "make":
        makefile = (ROOT / "Makefile").read_text()
        for target in args:
            assert re.search(rf"^{re.escape(target)}:", makefile, re.M), f"{doc}: no make target {target}"
    elif program in (".venv/bin/python", "bash"):
        if args[:2] == ["-m", "pytest"]:
            args = [a for a in args[2:] if not a.startswith("-")]
        elif args[:1] == ["-m"]:
            args = []
        for path in args:
            assert (ROOT / path).exists(), f"{doc}: {path} does not exist"
    elif program == ".venv/bin/dagster":  # its example runs in test_dagster.py
        assert (ROOT / args[args.index("-f") + 1]).exists(), f"{doc}: no Dagster file in {line}"
    else:
        assert program in ("pip", ".venv/bin/pip", "export"), (
            f"{doc}: a command this test does not know: {line}"
        )


def test_the_sync_guide_lines_run_against_the_emulator(serve: Any, tmp_path: Path) -> None:
    """docs/sync.md's `sync` lines, as a user with a token and a developer app types them (here: the
    emulator's, given the README's way)."""
    running = serve(advertisers=1, qps=0, qpm=0)
    env = cli_env(
        tmp_path / "home",
        TIKTOK_ACCESS_TOKEN=running.access_token,
        TIKTOK_APP_ID=running.app_id,
        TIKTOK_APP_SECRET=running.secret,
        TIKTOK_ADS_MART_API_BASE=running.base_url,
        TIKTOK_ADS_MART_NOW=running.emulator.now.isoformat(),
        TIKTOK_ADS_MART_QPS="0",  # this emulator does not throttle; Basic tier's pace would only slow the test
        TIKTOK_ADS_MART_QPM="0",
    )
    syncs = [_words(line) for doc, line in ALL_LINES if doc == "docs/sync.md"]
    syncs = [words for words in syncs if words[:2] == ["tiktok-ads-mart", "sync"]]
    assert len(syncs) >= 5
    for words in syncs:
        done = run_cli(*words[1:], env=env, cwd=tmp_path)
        assert done.returncode == 0, f"{shlex.join(words)}: {done.stderr[-1500:]}"
    assert (tmp_path / "tiktok_ads.duckdb").exists()


def test_the_emulator_example_prints_what_the_doc_shows(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "emulator.md").read_text()
    example = next(line for line in _command_lines(ROOT / "docs" / "emulator.md") if "emulator serve" in line)
    shown = json.loads(doc.split(f"$ {example}\n", 1)[1].splitlines()[0])
    words = _words(example)
    argv = [sys.executable, "-m", "tiktok_ads_mart", *words[1:]]
    env = cli_env(tmp_path / "home")
    with subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as server:
        try:
            assert server.stdout is not None
            printed = json.loads(server.stdout.readline())
        finally:
            server.terminate()
    assert list(printed) == list(shown)
    assert printed["advertiser_ids"] == shown["advertiser_ids"]
    assert printed["app_id"] == shown["app_id"]
