"""The live display at 80 and 120 columns: what is moving now, names that can be told apart, every
counter of the status lines, a rate of served answers; and plain lines that do not repeat a phase."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tiktok_ads_mart.api import ClientStats
from tiktok_ads_mart.cli.progress import LiveReporter, PlainReporter
from tiktok_ads_mart.sync.stats import RunStats

LONG = ("ad_audience_report_daily_by_gender_age", "ad_audience_report_daily_by_country")


def _stats() -> RunStats:
    stats = RunStats()
    for n in range(30):  # many finished streams, alphabetically before the moving ones
        entry = stats.entry(f"a_finished_{n:02d}", "7000000000000000001")
        entry.windows_total = entry.windows_done = 1
        entry.rows = 10
    for stream in LONG:
        entry = stats.entry(stream, "7000000000000000001")
        entry.windows_total, entry.windows_done, entry.pages, entry.rows = 4, 1, 3, 2500
    stats.entry("campaigns", "7000000000000000001").windows_total = 1  # waiting: nothing yet
    return stats


@pytest.mark.parametrize("width", [80, 120])
def test_the_live_table_shows_what_moves_in_full_at(width: int) -> None:
    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)
    reporter = LiveReporter(console)
    served = ClientStats(requests=120, throttled=20, retries=3)
    reporter.stats, reporter.client_stats, reporter.qps = _stats(), lambda: served, 10
    console.print(reporter._render())
    out = console.file.getvalue()  # type: ignore[attr-defined]
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines)
    for stream in LONG:  # folded over two lines when narrow, never cut to the prefix they share
        head, tail = stream[:27], stream[27:]
        assert stream in out if width >= 120 else (head in out and f"\n{tail}" in out), stream
    assert "…" not in out and "..." not in out
    assert out.index("ad_audience") < out.index("30 done")  # the moving ones first, the finished counted
    assert "a_finished_00" not in out and "30 done (300 rows)" in out and "1 waiting" in out
    assert "3 retries" in out and "20 throttled" in out and "120 requests" in out
    assert "0.0/s served" in out  # no rate before a second of answers, then served ones only


def test_plain_lines_do_not_repeat_a_phase() -> None:
    console = Console(file=io.StringIO(), width=120)
    reporter = PlainReporter(console, every=3600)
    reporter.phase("discovering advertisers")
    reporter.phase("reading the destination's state")
    reporter.phase("discovering advertisers")
    reporter.phase("discovering advertisers")
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert out.count("discovering advertisers") == 2
