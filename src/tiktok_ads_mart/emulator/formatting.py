"""How report values are shown: integer columns to TikTok's decimal strings, and pages of rows to JSON.

A report page is columns (one per dimension and metric) until it is shown. Values stay numpy object
arrays of strings, taken from a table of preformatted numbers, so a 1000-row page costs a few numpy
operations per metric rather than a Python call per value. ``encode_rows`` then writes the page's JSON
straight from those columns, byte for byte what ``orjson.dumps`` gives for the equivalent list of row
dicts, without building the 2000 dicts per page that orjson would only walk again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.catalog import MetricSpec

_TABLE_SIZE = 1 << 17


@cache
def _string_table(decimals: int) -> np.ndarray:
    """Preformatted strings of 0.._TABLE_SIZE-1 in units of 10**-decimals: a page's numbers become one
    numpy take instead of a Python format call each (10x faster; pages must stay well under 10 ms)."""
    if decimals == 0:
        return np.array([str(i) for i in range(_TABLE_SIZE)], dtype=object)
    pattern, scale = f"%.{decimals}f", 10**decimals
    return np.array([pattern % (i / scale) for i in range(_TABLE_SIZE)], dtype=object)


def prepare_tables(decimals: Sequence[int]) -> None:
    """Build the string tables a world will show numbers with (about 20 ms each), before serving."""
    for digits in decimals:
        _string_table(digits)


def fixed_strings(values: np.ndarray, decimals: int = 0) -> np.ndarray:
    """Integers in units of 10**-decimals as decimal strings ("1234" -> "12.34" for 2), an object array
    of the same shape.

    Exact: q / 10**d as a double is within far less than half a unit of the last digit shown. Values
    outside the table (rare) are formatted one by one, the same way the table was built.
    """
    table = _string_table(decimals)
    if values.size == 0 or (int(values.min()) >= 0 and int(values.max()) < _TABLE_SIZE):
        taken: np.ndarray = table[values]
        return taken
    out: np.ndarray = table[np.clip(values, 0, _TABLE_SIZE - 1)]
    pattern, scale = f"%.{decimals}f", 10**decimals
    for i in np.flatnonzero((values < 0) | (values >= _TABLE_SIZE)).tolist():
        value = int(values.flat[i])
        out.flat[i] = str(value) if decimals == 0 else pattern % (value / scale)
    return out


def format_fixed(values: np.ndarray, decimals: int = 0) -> list[str]:
    """``fixed_strings`` as a list (what API-shaped rows hold)."""
    out: list[str] = fixed_strings(values, decimals).tolist()
    return out


def format_count(values: np.ndarray) -> list[str]:
    return format_fixed(values, 0)


def ratio_units(num: np.ndarray, den: np.ndarray, mul: int) -> np.ndarray:
    """round(num * mul / den) half up, in integers; 0 where den is 0 (shown as "-")."""
    safe = np.where(den == 0, 1, den)
    units: np.ndarray = (num * (2 * mul) + safe) // (2 * safe)
    return units


def metric_strings(
    spec: MetricSpec, series: dict[Any, np.ndarray], window: slice, decimals: int
) -> np.ndarray:
    """One non-attribute metric over a window of rows, as an object array of strings.

    Every string is digits, at most one ``.`` and a leading ``-`` (or ``"-"`` alone), so it never needs
    JSON escaping; ``encode_rows`` relies on that.
    """
    assert spec.num is not None
    num = series[spec.num][window]
    if spec.kind == "count":
        return fixed_strings(num, 0)
    if spec.kind == "money":
        return fixed_strings(num, decimals)
    assert spec.den is not None
    den = series[spec.den][window]
    out = fixed_strings(ratio_units(num, den, spec.mul), decimals if spec.decimals is None else spec.decimals)
    out[den == 0] = "-"  # out is a fresh array (a take from the table), never the table itself
    return out


def format_metric(spec: MetricSpec, series: dict[Any, np.ndarray], window: slice, decimals: int) -> list[str]:
    """``metric_strings`` as a list (what API-shaped rows hold)."""
    out: list[str] = metric_strings(spec, series, window, decimals).tolist()
    return out


_ENCODED_LISTS = 256
_ENCODED_VALUES = 200_000  # a few tens of MB at most, however big the world
_encoded: OrderedDict[int, tuple[Sequence[Any], np.ndarray]] = OrderedDict()
_encoded_lock = threading.Lock()
_encoded_values = 0


def json_strings(values: Sequence[Any]) -> np.ndarray:
    """Each value as orjson encodes it (quoted and escaped), an object array to take a page's rows from.

    Label and attribute lists are shared, read-only objects (an advertiser's sorted ids, its attribute
    values at a clock value), and each report window over them would encode them again: the last few
    hundred encodings are kept by the identity of their list. The entry holds the list itself, so its id
    cannot be reused by another list while the entry lives.
    """
    global _encoded_values
    key = id(values)
    with _encoded_lock:
        found = _encoded.get(key)
        if found is not None and found[0] is values:
            _encoded.move_to_end(key)
            return found[1]
    encoded = np.empty(len(values), dtype=object)
    encoded[:] = [orjson.dumps(value).decode() for value in values]
    encoded.flags.writeable = False
    with _encoded_lock:
        if key not in _encoded:
            _encoded[key] = (values, encoded)
            _encoded_values += len(encoded)
        while len(_encoded) > 1 and (len(_encoded) > _ENCODED_LISTS or _encoded_values > _ENCODED_VALUES):
            _encoded_values -= len(_encoded.popitem(last=False)[1][1])
    return encoded


@dataclass(frozen=True)
class RowLayout:
    """The constant text of a report row around its values: ``{"dimensions":{"k":V,...},"metrics":{...}}``.

    ``leads[j]`` precedes value j (closing the previous value's quote and opening this one's if metric
    values are written bare); ``tail`` follows the last value.
    """

    leads: tuple[str, ...]
    tail: str

    @classmethod
    def of(cls, dimensions: Sequence[str], metrics: Sequence[tuple[str, bool]]) -> RowLayout:
        """``metrics`` are (name, bare): bare values are written between quotes added here, the others
        (attribute values, dimension labels) arrive already encoded by ``json_strings``."""
        leads: list[str] = []
        pending = '{"dimensions":{'
        for name in dimensions:
            leads.append(f"{pending}{orjson.dumps(name).decode()}:")
            pending = ","
        pending = '},"metrics":{' if dimensions else '{"dimensions":{},"metrics":{'
        for name, bare in metrics:
            quote = '"' if bare else ""
            leads.append(f"{pending}{orjson.dumps(name).decode()}:{quote}")
            pending = '",' if bare else ","
        closing = pending[:-1] if metrics else pending
        return cls(tuple(leads), f"{closing}}}}}")


class MetricBlock:
    """All non-attribute metrics of a report, shown together: a page's values in a few numpy operations.

    ``metric_strings`` per metric costs a dozen small numpy calls each; sixty metrics on a 1000-row page
    add up to more than the strings themselves. Here metrics showing the same number of decimals are
    stacked into one [rows, metrics] array and looked up in the string table at once; ratios are
    computed over their stacked numerators and denominators with the same integer arithmetic as
    ``ratio_units``, so every string equals what ``metric_strings`` gives for that metric.
    """

    def __init__(self, specs: Sequence[MetricSpec], currency_decimals: int) -> None:
        self.width = len(specs)
        groups: dict[tuple[bool, int], list[int]] = {}
        for position, spec in enumerate(specs):
            assert spec.kind != "attribute" and spec.num is not None
            if spec.kind == "ratio":
                digits = currency_decimals if spec.decimals is None else spec.decimals
            else:
                digits = currency_decimals if spec.kind == "money" else 0
            groups.setdefault((spec.kind == "ratio", digits), []).append(position)
        self._groups: list[_Group] = []
        for (ratio, digits), positions in groups.items():
            members = [specs[p] for p in positions]
            self._groups.append(
                _Group(
                    positions=positions,
                    digits=digits,
                    numerators=[spec.num for spec in members],
                    denominators=[spec.den for spec in members] if ratio else [],
                    doubled_multipliers=np.array([2 * spec.mul for spec in members], dtype=np.int64),
                )
            )

    def fill(
        self, out: np.ndarray, columns: Sequence[int], series: dict[Any, np.ndarray], window: slice
    ) -> None:
        """Write the window's strings into ``out[:, columns[i]]`` for metric i (straight into a page's grid,
        without an intermediate array)."""
        for group in self._groups:
            targets = [columns[position] for position in group.positions]
            num = np.stack([series[key][window] for key in group.numerators], axis=1)
            if not group.denominators:
                out[:, targets] = fixed_strings(num, group.digits)
                continue
            den = np.stack([series[key][window] for key in group.denominators], axis=1)
            safe = np.where(den == 0, 1, den)
            shown = fixed_strings((num * group.doubled_multipliers + safe) // (2 * safe), group.digits)
            shown[den == 0] = "-"
            out[:, targets] = shown


@dataclass(frozen=True)
class _Group:
    """Metrics of a ``MetricBlock`` shown alike: plain values, or ratios, with ``digits`` decimals."""

    positions: list[int]
    digits: int
    numerators: list[Any]
    denominators: list[Any]  # empty: not ratios
    doubled_multipliers: np.ndarray


Labels = tuple[np.ndarray, np.ndarray]
"""A column taken from a list: (JSON-encoded values, the row -> value index)."""


class PageWriter:
    """Writes pages of one report's rows as a JSON array, byte for byte what orjson writes for the dicts.

    A page is a grid of string pieces, row after row — lead, value, lead, value, ..., tail — joined
    once. Fewer, longer pieces join faster, so adjacent columns taken through the same index (an
    entity's attributes, all indexed by the row's entity) are pre-joined with the leads between them
    into one string per entity, and each row's tail is merged with the next row's first lead.
    """

    def __init__(self, layout: RowLayout, sources: Sequence[Labels | None]) -> None:
        """``sources[j]``: value j's labels, or None for a numeric value (filled per page, in order)."""
        if len(sources) != len(layout.leads):
            raise ValueError(f"{len(sources)} values for a layout of {len(layout.leads)}")
        leads: list[str] = []
        slots: list[Labels | None] = []
        for lead, source in zip(layout.leads, sources, strict=True):
            previous = slots[-1] if slots else None
            if source is not None and previous is not None and previous[1] is source[1]:
                slots[-1] = (previous[0] + lead + source[0], source[1])  # elementwise str concatenation
            else:
                leads.append(lead)
                slots.append(source)
        self._leads = leads
        self._slots = slots
        self._tail = layout.tail
        self._numeric = [i for i, slot in enumerate(slots) if slot is None]

    def write(
        self,
        window: slice,
        rows: int,
        numeric: Callable[[np.ndarray, Sequence[int]], None] | None = None,
    ) -> bytes:
        """The rows of ``window`` (``rows`` of them); ``numeric(values, columns)`` writes the numeric values,
        in order, into ``values[:, columns[i]]`` (see ``MetricBlock.fill``)."""
        if rows <= 0:
            return b"[]"
        count = len(self._slots)
        if count == 0:
            return ("[" + ",".join([self._tail] * rows) + "]").encode()
        grid = np.empty((rows, 2 * count), dtype=object)
        if count > 1:
            inner = np.empty(count - 1, dtype=object)
            inner[:] = self._leads[1:]
            grid[:, 1 : 2 * count - 1 : 2] = inner
        grid[:, -1] = self._tail + "," + self._leads[0]
        grid[-1, -1] = self._tail + "]"
        values = grid[:, 0 : 2 * count : 2]
        for i, slot in enumerate(self._slots):
            if slot is not None:
                values[:, i] = slot[0][slot[1][window]]
        if self._numeric:
            assert numeric is not None
            numeric(values, self._numeric)
        grid[0, 0] = "[" + self._leads[0] + str(grid[0, 0])
        return "".join(grid.ravel().tolist()).encode()


def encode_rows(layout: RowLayout, columns: Sequence[np.ndarray], rows: int) -> bytes:
    """A JSON array of ``rows`` rows from JSON-encoded columns of that length (one per lead)."""
    every_row = np.arange(rows)
    return PageWriter(layout, [(column, every_row) for column in columns]).write(slice(0, rows), rows)


__all__ = [
    "Labels",
    "MetricBlock",
    "PageWriter",
    "RowLayout",
    "encode_rows",
    "fixed_strings",
    "format_count",
    "format_fixed",
    "format_metric",
    "json_strings",
    "metric_strings",
    "prepare_tables",
    "ratio_units",
]
