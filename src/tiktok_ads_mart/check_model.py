"""What `check` finds and how it weighs it: findings, the days each advertiser is checked over, tolerances.

Kept apart from the code that asks TikTok (:mod:`tiktok_ads_mart.check`) and the code that asks the mart
(:mod:`tiktok_ads_mart.check_mart`), so both, and the page (:mod:`tiktok_ads_mart.check_html`), speak of
the same records and no module imports its caller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar

from tiktok_ads_mart.catalog import metric_kind
from tiktok_ads_mart.errors import TikTokAdsMartError

Number = Decimal | int
K = TypeVar("K")
Values = dict[str, Number]
"""One row of sums: metric name to value (a decimal for money, an int for counts)."""
Totals = dict[tuple[str, date], Values]
"""Sums per (advertiser_id, day)."""

METRICS: tuple[str, ...] = ("spend", "impressions", "clicks", "conversion")
"""What is compared everywhere: the numbers people hold against Ads Manager."""
MONEY_TOLERANCE = Decimal("0.01")
COUNT_TOLERANCE = 1

Kind = Literal["tiktok", "hourly", "breakdown", "duplicate", "orphan"]
KIND_ORDER: tuple[Kind, ...] = ("tiktok", "hourly", "breakdown", "duplicate", "orphan")
KIND_TITLE: dict[Kind, str] = {
    "tiktok": "mart against TikTok",
    "hourly": "hourly against daily",
    "breakdown": "breakdown against total",
    "duplicate": "duplicate key",
    "orphan": "missing parent",
}


@dataclass(frozen=True)
class Window:
    """The days one advertiser is checked over, in its own timezone (TikTok's report days are local)."""

    advertiser_id: str
    start: date
    end: date
    currency: str | None = None

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days(self) -> list[date]:
        return [date.fromordinal(n) for n in range(self.start.toordinal(), self.end.toordinal() + 1)]


@dataclass(frozen=True)
class Finding:
    """One thing that does not add up.

    ``mart`` is the value read from ``table``; ``expected`` the value it should equal, read from
    ``reference`` (TikTok, or the totals table of the same level). Duplicates count rows (one expected);
    a missing parent has no numbers, only ``detail``.
    """

    kind: Kind
    table: str
    reference: str
    level: str
    advertiser_id: str
    day: date | None
    metric: str
    mart: Number | None
    expected: Number | None
    key: str = ""  # the object's id, or a duplicated key's values
    detail: str = ""

    @property
    def difference(self) -> Number | None:
        if self.mart is None or self.expected is None:
            return None
        return self.mart - self.expected

    def sort_key(self) -> tuple[int, str, date, str, str, str, str]:
        return (
            KIND_ORDER.index(self.kind),
            self.advertiser_id,
            self.day or date.min,
            self.table,
            self.key,
            self.metric,
            self.detail,
        )


@dataclass
class CheckReport:
    """Everything one `check` saw: what it compared, what it skipped and why, and what did not add up."""

    windows: dict[str, Window] = field(default_factory=dict)
    tiktok: Totals = field(default_factory=dict)
    mart: dict[str, Totals] = field(default_factory=dict)  # level label -> sums, for the chart
    findings: list[Finding] = field(default_factory=list)
    checked: dict[Kind, int] = field(default_factory=dict)  # tables (or levels, or links) compared
    skipped: dict[str, str] = field(default_factory=dict)  # table -> why it was not checked
    unchecked: dict[str, str] = field(default_factory=dict)  # advertiser -> why TikTok did not answer
    requests: int = 0

    @property
    def exit_code(self) -> int:
        """1 when anything exceeded its tolerance or an advertiser could not be checked, else 0."""
        return 1 if self.findings or self.unchecked else 0

    def add(self, kind: Kind, findings: list[Finding]) -> None:
        self.checked[kind] = self.checked.get(kind, 0) + 1
        self.findings.extend(findings)

    def sorted_findings(self, kind: Kind | None = None) -> list[Finding]:
        chosen = (f for f in self.findings if kind is None or f.kind == kind)
        return sorted(chosen, key=Finding.sort_key)

    def summary(self) -> str:
        """One line: what was checked, over which days, and the verdict."""
        starts = [w.start for w in self.windows.values()]
        ends = [w.end for w in self.windows.values()]
        span = f"{min(starts)} to {max(ends)}" if starts else "no days"
        count = len(self.windows)
        parts = [
            f"{plural(self.checked.get('tiktok', 0), 'level')} against TikTok",
            f"{plural(self.checked.get('hourly', 0), 'hourly table')}",
            f"{plural(self.checked.get('breakdown', 0), 'breakdown table')}",
            f"keys of {plural(self.checked.get('duplicate', 0), 'table')}",
            f"{plural(self.checked.get('orphan', 0), 'parent link')}",
        ]
        found = len(self.findings)
        verdict = f"{plural(found, 'mismatch', 'es')} beyond one cent or one unit" if found else "no mismatch"
        if self.unchecked:
            verdict += f"; {plural(len(self.unchecked), 'advertiser')} not checked"
        requests = plural(self.requests, "request")
        return f"checked {plural(count, 'advertiser')} ({span}; {requests}): {', '.join(parts)}: {verdict}"


def plural(count: int, word: str, suffix: str = "s") -> str:
    return f"{count} {word}{suffix if count != 1 else ''}"


def number(metric: str, raw: object) -> Number:
    """A metric as TikTok or a database gives it (text, Decimal, int, float, None or ``"-"``), as the
    mart types it: Decimal for money, int for counts; nothing reported is zero."""
    if raw is None or raw in ("", "-", "--"):
        return Decimal(0) if is_money(metric) else 0
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise TikTokAdsMartError(f"{metric}: {raw!r} is not a number") from None
    return value if is_money(metric) else int(value)


def is_money(metric: str) -> bool:
    return metric_kind(metric) == "decimal"


def tolerance(metric: str) -> Decimal:
    """How far two sums may differ before it counts: one cent of money, one unit of a count (rounding)."""
    return MONEY_TOLERANCE if is_money(metric) else Decimal(COUNT_TOLERANCE)


def exceeds(metric: str, left: Number, right: Number) -> bool:
    return abs(Decimal(left) - Decimal(right)) > tolerance(metric)


def differences(
    mart: Mapping[K, Mapping[str, Number]],
    expected: Mapping[K, Mapping[str, Number]],
    metrics: tuple[str, ...],
) -> Iterator[tuple[K, str, Number, Number]]:
    """(key, metric, mart value, expected value) wherever the two differ beyond tolerance; a key missing
    on one side counts as zeros there (TikTok leaves out days without delivery)."""
    for key in sorted(set(mart) | set(expected), key=repr):
        got, want = mart.get(key, {}), expected.get(key, {})
        for metric in metrics:
            left = got.get(metric, number(metric, None))
            right = want.get(metric, number(metric, None))
            if exceeds(metric, left, right):
                yield key, metric, left, right


def shown_number(metric: str, value: Number | None) -> str:
    """A value as the table and the page show it: money with two decimals, counts whole."""
    if value is None:
        return "-"
    if is_money(metric):
        return f"{Decimal(value):,.2f}"
    return f"{int(value):,}"


def shown_values(finding: Finding) -> tuple[str, str, str]:
    """The finding's mart value, expected value and difference as text (a duplicate counts rows)."""
    if finding.kind == "duplicate":
        return str(finding.mart), str(finding.expected), f"{int(finding.difference or 0):+d}"
    diff = finding.difference
    text = shown_number(finding.metric, diff)
    if diff is not None and diff >= 0:
        text = "+" + text
    return shown_number(finding.metric, finding.mart), shown_number(finding.metric, finding.expected), text


__all__ = [
    "COUNT_TOLERANCE",
    "KIND_ORDER",
    "KIND_TITLE",
    "METRICS",
    "MONEY_TOLERANCE",
    "CheckReport",
    "Finding",
    "Kind",
    "Number",
    "Totals",
    "Values",
    "Window",
    "differences",
    "exceeds",
    "is_money",
    "number",
    "plural",
    "shown_number",
    "shown_values",
    "tolerance",
]
