"""`check --html FILE`: one self-contained page with a chart per advertiser and the mismatch tables.

The page loads nothing (its Content-Security-Policy forbids it): the charts are inline SVG drawn here,
the style is inline. Every value that came from TikTok, the mart or the user goes through
:func:`html.escape`, so an advertiser named ``<script>`` is text on the page, not code.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from tiktok_ads_mart.check_model import KIND_TITLE, CheckReport, Finding, Window, shown_values

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 80, 16, 16, 36
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
TIKTOK_COLOUR = "#c8ccd4"
MISMATCH_COLOUR = "#fde2e2"

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.summary { color: #444; } .ok { color: #1a7f37; } .bad { color: #b42318; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: 1em; height: .7em; margin-right: .3em; }
table { border-collapse: collapse; margin-top: .5em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg text { font: 11px system-ui, sans-serif; fill: #555; }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def e(value: object) -> str:
    """Text for the page: escaped, quotes included (it may land in an attribute)."""
    return html.escape(str(value), quote=True)


def series_of(report: CheckReport, window: Window) -> dict[str, list[Decimal]]:
    """Spend per day of the window: TikTok's, then each mart level's (zero where there is no row)."""
    days = window.days()
    key = window.advertiser_id
    series = {"TikTok": [Decimal(report.tiktok.get((key, d), {}).get("spend", 0)) for d in days]}
    for label, totals in report.mart.items():
        series[label] = [Decimal(totals.get((key, d), {}).get("spend", 0)) for d in days]
    return series


def nice_top(value: Decimal) -> Decimal:
    """The y axis's top: the next 1, 2 or 5 times a power of ten above ``value``."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(float(value)))
    for step in (1, 2, 5, 10):
        if value <= power * step:
            return power * step
    return power * 10


def chart(report: CheckReport, window: Window, mismatch_days: set[date]) -> str:
    """One advertiser's spend per day: TikTok as bars, each level of the mart as a line over them."""
    days = window.days()
    series = series_of(report, window)
    top = nice_top(max((v for values in series.values() for v in values), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(days))

    def x(i: int) -> float:
        return LEFT + step * (i + 0.5)

    def y(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    parts = [
        f'<svg class="chart" data-advertiser="{e(window.advertiser_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="spend per day, mart against TikTok, advertiser {e(window.advertiser_id)}">'
    ]
    for i, day in enumerate(days):
        if day in mismatch_days:
            parts.append(
                f'<rect class="mismatch" x="{LEFT + step * i:.1f}" y="{TOP}" width="{step:.1f}" '
                f'height="{plot_h}" fill="{MISMATCH_COLOUR}"><title>{e(day)}: mismatch</title></rect>'
            )
    for tick in range(5):
        value = top * tick / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#eee"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{e(f"{value:,.2f}")}</text>'
        )
    bar = step * 0.7
    for i, (day, value) in enumerate(zip(days, series["TikTok"], strict=True)):
        parts.append(
            f'<rect class="tiktok" x="{x(i) - bar / 2:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
            f'height="{TOP + plot_h - y(value):.1f}" fill="{TIKTOK_COLOUR}">'
            f"<title>{e(day)} TikTok {e(f'{value:,.2f}')}</title></rect>"
        )
    levels = [label for label in series if label != "TikTok"]
    for n, label in enumerate(levels):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series[label]))
        parts.append(
            f'<polyline class="mart" data-level="{e(label)}" points="{points}" fill="none" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
        for i, (day, value) in enumerate(zip(days, series[label], strict=True)):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}">'
                f"<title>{e(day)} {e(label)} {e(f'{value:,.2f}')}</title></circle>"
            )
    every = max(1, math.ceil(len(days) / 10))
    for i, day in enumerate(days):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{e(day.strftime("%m-%d"))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def legend(levels: Sequence[str]) -> str:
    items = [f'<span><i style="background:{TIKTOK_COLOUR}"></i>TikTok</span>']
    items += [
        f'<span><i style="background:{PALETTE[n % len(PALETTE)]}"></i>mart: {e(label)}</span>'
        for n, label in enumerate(levels)
    ]
    return f'<p class="legend">{"".join(items)}</p>'


def cell(value: str, numeric: bool = False) -> str:
    return f'<td class="n">{e(value)}</td>' if numeric else f"<td>{e(value)}</td>"


def value_cells(finding: Finding) -> list[str]:
    return [cell(text, numeric=True) for text in shown_values(finding)]


def tiktok_table(findings: list[Finding]) -> str:
    head = "".join(
        f"<th>{h}</th>" for h in ("day", "advertiser", "level", "metric", "mart", "TikTok", "difference")
    )
    rows = [
        "<tr>"
        + "".join(
            [cell(str(f.day or "")), cell(f.advertiser_id), cell(f.level), cell(f.metric), *value_cells(f)]
        )
        + "</tr>"
        for f in findings
    ]
    return (
        f'<table id="tiktok-mismatches"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def within_table(findings: list[Finding]) -> str:
    columns = (
        "check",
        "table",
        "against",
        "day",
        "advertiser",
        "id",
        "metric",
        "mart",
        "expected",
        "difference",
    )
    head = "".join(f"<th>{h}</th>" for h in columns)
    rows = [
        "<tr>"
        + "".join(
            [
                cell(KIND_TITLE[f.kind]),
                cell(f.table),
                cell(f.reference),
                cell(str(f.day or "")),
                cell(f.advertiser_id),
                cell(f.key),
                cell(f.detail or f.metric),
                *value_cells(f),
            ]
        )
        + "</tr>"
        for f in findings
    ]
    return f'<table id="mart-mismatches"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def page(report: CheckReport) -> str:
    """The whole page as text."""
    tiktok = report.sorted_findings("tiktok")
    within = [f for f in report.sorted_findings() if f.kind != "tiktok"]
    verdict = "bad" if report.exit_code else "ok"
    body = [
        "<h1>tiktok-ads-mart check</h1>",
        f'<p class="summary {verdict}">{e(report.summary())}</p>',
        "<h2>Spend per day: mart against TikTok</h2>",
        legend(list(report.mart)),
    ]
    for advertiser_id, window in sorted(report.windows.items()):
        days = {f.day for f in tiktok if f.advertiser_id == advertiser_id and f.day is not None}
        currency = f" ({window.currency})" if window.currency else ""
        body.append(
            f'<section class="advertiser"><h3>advertiser {e(advertiser_id)}{e(currency)}</h3>'
            f"{chart(report, window, days)}</section>"
        )
    body += [f"<h2>Mart against TikTok: {len(tiktok)} mismatches</h2>", tiktok_table(tiktok)]
    body += [f"<h2>Within the mart: {len(within)} mismatches</h2>", within_table(within)]
    if report.unchecked:
        items = "".join(f"<li>{e(a)}: {e(why)}</li>" for a, why in sorted(report.unchecked.items()))
        body.append(f'<h2>Not checked</h2><ul id="unchecked">{items}</ul>')
    if report.skipped:
        items = "".join(f"<li>{e(t)}: {e(why)}</li>" for t, why in sorted(report.skipped.items()))
        body.append(f'<h2>Skipped tables</h2><ul id="skipped">{items}</ul>')
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>tiktok-ads-mart check</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write_page(report: CheckReport, path: Path) -> None:
    """Write the page (UTF-8), replacing the file."""
    path.write_text(page(report), encoding="utf-8")


__all__ = ["page", "write_page"]
