"""API pages to typed pyarrow tables, one table per page.

Report pages are turned into columns with ``pyarrow.compute`` casts from string arrays (never one Python
``Decimal`` per value), because dlt's arrow path is what makes the sync fast and the per-value path is
what makes other connectors slow. Types in the mart:

- ids and attribute metrics: string; counts: int64;
- money, rates and averages: ``decimal128(38, 9)`` (what BigQuery's NUMERIC holds, so every destination
  stores it losslessly); ``"-"`` (no denominator) is NULL;
- ``stat_time_day``: DATE in the advertiser's timezone; ``stat_time_hour``: the advertiser-local
  TIMESTAMP as TikTok reports it, plus ``stat_time_hour_utc`` computed with zoneinfo (DST-correct);
- every report row carries ``advertiser_id``, ``currency`` and ``timezone``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from tiktok_ads_mart.api import Decoded, Decoder
from tiktok_ads_mart.catalog import EntitySpec, ReportSpec, metric_kind

DECIMAL = pa.decimal128(38, 9)
_WIDE_DECIMAL = pa.decimal128(38, 18)
LOCAL_TIMESTAMP = pa.timestamp("s")
UTC_TIMESTAMP = pa.timestamp("s", tz="UTC")
_NULL_STRINGS = ("-", "", "--", "N/A")
_NULL_SET = pa.array(_NULL_STRINGS)
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class AdvertiserContext:
    """What every report row of one advertiser carries, and the timezone its times are in."""

    advertiser_id: str
    currency: str | None
    timezone: str

    @property
    def zone(self) -> tzinfo:
        return zone_for(self.timezone) or UTC


_OFFSET = re.compile(r"^(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@cache
def zone_for(name: str) -> tzinfo | None:
    """An IANA name (``Etc/GMT+8`` is one too) or a bare offset like ``GMT+08:00``; ``None`` if neither."""
    match = _OFFSET.match(name.strip())
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _type_for_metric(name: str) -> pa.DataType:
    kind = metric_kind(name)
    if kind == "count":
        return pa.int64()
    if kind == "decimal":
        return DECIMAL
    return pa.string()


@cache
def report_schema(spec: ReportSpec) -> pa.Schema:
    """The one schema of a report table, so every page and every run has the same columns."""
    fields: list[pa.Field] = [pa.field("advertiser_id", pa.string(), nullable=False)]
    if spec.id_dimension != "advertiser_id":
        fields.append(pa.field(spec.id_dimension, pa.string(), nullable=False))
    if spec.time_dimension == "stat_time_day":
        fields.append(pa.field("stat_time_day", pa.date32(), nullable=False))
    elif spec.time_dimension == "stat_time_hour":
        fields.append(pa.field("stat_time_hour", LOCAL_TIMESTAMP, nullable=False))
        fields.append(pa.field("stat_time_hour_utc", UTC_TIMESTAMP))
    fields += [pa.field(dim, pa.string(), nullable=False) for dim in spec.breakdown]
    taken = {f.name for f in fields}
    for metric in spec.metrics:
        if metric not in taken:
            fields.append(pa.field(metric, _type_for_metric(metric)))
            taken.add(metric)
    if "currency" not in taken:
        fields.append(pa.field("currency", pa.string()))
    fields.append(pa.field("timezone", pa.string()))
    return pa.schema(fields)


def _string_array(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        # some fixtures show bare JSON numbers among the strings
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _null_dashes(array: pa.Array) -> pa.Array:
    """TikTok's ``"-"`` (no data) and empty strings become NULL; a trailing ``%`` is dropped."""
    is_null = pc.is_in(array, value_set=_NULL_SET)
    if pc.any(is_null).as_py():
        array = pc.if_else(is_null, pa.scalar(None, pa.string()), array)
    if pc.any(pc.ends_with(array, "%")).as_py():
        array = pc.replace_substring(array, "%", "")
    return array


def to_decimal(array: pa.Array) -> pa.Array:
    """Strings to ``DECIMAL``; more than 9 fraction digits are rounded half-to-even, not refused."""
    array = _null_dashes(array)
    try:
        return pc.cast(array, DECIMAL)
    except pa.ArrowInvalid:
        wide = pc.cast(pc.cast(array, pa.float64()), _WIDE_DECIMAL) if _has_exponent(array) else None
        wide = wide if wide is not None else pc.cast(array, _WIDE_DECIMAL)
        return pc.cast(pc.round(wide, 9, round_mode="half_to_even"), DECIMAL)


def _has_exponent(array: pa.Array) -> bool:
    return bool(pc.any(pc.match_substring_regex(array, "[eE]")).as_py())


def to_int64(array: pa.Array) -> pa.Array:
    """Strings to int64; a value like ``"12.0"`` is accepted, a fraction is rounded."""
    array = _null_dashes(array)
    try:
        return pc.cast(array, pa.int64())
    except pa.ArrowInvalid:
        return pc.cast(pc.round(to_decimal(array), 0), pa.int64())


def _utc_hours(local: pa.Array, zone: tzinfo) -> pa.Array:
    """Local wall-clock hours to UTC, one zoneinfo conversion per distinct hour (a page has few)."""
    distinct = pc.unique(local)
    converted = [
        None if value is None else value.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        for value in distinct.to_pylist()
    ]
    lookup = pa.array(converted, type=LOCAL_TIMESTAMP)
    return pc.take(lookup, pc.index_in(local, value_set=distinct)).cast(UTC_TIMESTAMP)


ColumnSource = Callable[[str], "pa.Array | None"]


def report_table(spec: ReportSpec, rows: Sequence[Mapping[str, Any]], ctx: AdvertiserContext) -> pa.Table:
    """One report page (``data.list`` as parsed JSON) to a typed table in :func:`report_schema` order."""
    dims = [row.get("dimensions") or {} for row in rows]
    metrics = [row.get("metrics") or {} for row in rows]
    return _report_columns(
        spec,
        lambda name: _string_array([d.get(name) for d in dims]),
        lambda name: _string_array([m.get(name) for m in metrics]),
        len(rows),
        ctx,
    )


def report_table_from_arrow(spec: ReportSpec, rows: pa.StructArray, ctx: AdvertiserContext) -> pa.Table:
    """The same, from a page pyarrow's JSON reader parsed (see :func:`parse_report_page`): no Python strings."""
    dims = rows.field("dimensions")
    metrics = rows.field("metrics")
    dim_names = {f.name for f in dims.type}
    metric_names = {f.name for f in metrics.type}
    return _report_columns(
        spec,
        lambda name: dims.field(name) if name in dim_names else None,
        lambda name: metrics.field(name) if name in metric_names else None,
        len(rows),
        ctx,
    )


def report_table_from_columns(spec: ReportSpec, table: pa.Table, ctx: AdvertiserContext) -> pa.Table:
    """The same, from string columns named as the request's dimensions and metrics (a report task's CSV)."""
    names = set(table.column_names)

    def column(name: str) -> pa.Array | None:
        return table[name].combine_chunks() if name in names else None

    return _report_columns(spec, column, column, table.num_rows, ctx)


def _report_columns(
    spec: ReportSpec, dim: ColumnSource, metric: ColumnSource, count: int, ctx: AdvertiserContext
) -> pa.Table:
    schema = report_schema(spec)
    columns: dict[str, pa.Array] = {}
    numeric: dict[pa.DataType, list[str]] = {pa.int64(): [], DECIMAL: [], pa.string(): []}

    def present(values: pa.Array | None) -> pa.Array:
        return values if values is not None else pa.nulls(count, pa.string())

    for schema_field in schema:
        name = schema_field.name
        if name == "advertiser_id":
            columns[name] = pa.repeat(pa.scalar(ctx.advertiser_id, pa.string()), count)
        elif name == "stat_time_day":
            columns[name] = pc.cast(pc.utf8_slice_codeunits(present(dim(name)), 0, 10), pa.date32())
        elif name == "stat_time_hour":
            local = pc.strptime(present(dim(name)), format=_TIME_FORMAT, unit="s")
            columns[name] = local
            columns["stat_time_hour_utc"] = _utc_hours(local, ctx.zone)
        elif name == "stat_time_hour_utc":
            continue
        elif name == "timezone":
            columns[name] = pa.repeat(pa.scalar(ctx.timezone, pa.string()), count)
        elif name == spec.id_dimension or name in spec.breakdown:
            columns[name] = present(dim(name))
        else:
            values = present(metric(name))
            if name == "currency" and ctx.currency is not None and values.null_count == count:
                values = pa.repeat(pa.scalar(ctx.currency, pa.string()), count)
            numeric[schema_field.type].append(name)
            columns[name] = values
    # One cast per type over all of a page's metric columns end to end, then zero-copy slices: a
    # compute call costs far more than the values it converts, so 60 columns must not mean 300 calls.
    for target, names in numeric.items():
        if not names:
            continue
        joined = pa.concat_arrays([_as_string(columns[name]) for name in names])
        if target == pa.int64():
            converted = to_int64(joined)
        elif target == DECIMAL:
            converted = to_decimal(joined)
        else:
            converted = _null_dashes(joined)
        for index, name in enumerate(names):
            columns[name] = converted.slice(index * count, count)
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def _as_string(array: pa.Array) -> pa.Array:
    return array if array.type == pa.string() else pc.cast(array, pa.string())


@cache
def page_schema(dimensions: tuple[str, ...], metrics: tuple[str, ...]) -> pa.Schema:
    """The envelope of one report page as pyarrow's JSON reader should read it: every value a string."""
    row = pa.struct(
        [
            pa.field("dimensions", pa.struct([pa.field(d, pa.string()) for d in dimensions])),
            pa.field("metrics", pa.struct([pa.field(m, pa.string()) for m in metrics])),
        ]
    )
    page_info = pa.struct(
        [pa.field(n, pa.int64()) for n in ("page", "page_size", "total_number", "total_page")]
    )
    data = pa.struct([pa.field("list", pa.list_(row)), pa.field("page_info", page_info)])
    envelope = [("code", pa.int64()), ("message", pa.string()), ("request_id", pa.string()), ("data", data)]
    return pa.schema([pa.field(name, kind) for name, kind in envelope])


@dataclass(frozen=True)
class ParsedPage:
    """A report page already in arrow: its rows and ``page_info``."""

    rows: pa.StructArray
    page_info: dict[str, int]


def parse_report_page(
    dimensions: tuple[str, ...], metrics: tuple[str, ...], body: bytes
) -> Decoded[ParsedPage] | None:
    """Parse a report page straight into arrow (C++, outside the GIL), or ``None``.

    ``None`` means "not a page pyarrow reads": a truncated body, bare numbers where strings were
    expected, an envelope of another shape... The client then reads it the ordinary way. The envelope's
    code is handed back, not judged: the client's boundary does that.
    """
    if not body:
        return None
    try:
        # pyarrow reads one JSON document per line; raw newlines only occur between tokens. The check
        # (memchr) spares a copy of the whole body when, as usual, there are none.
        one_line = body.replace(b"\n", b" ") if b"\n" in body else body
        table = pajson.read_json(
            pa.BufferReader(one_line),
            read_options=pajson.ReadOptions(block_size=len(body) + 64, use_threads=False),
            parse_options=pajson.ParseOptions(
                explicit_schema=page_schema(dimensions, metrics), unexpected_field_behavior="ignore"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError):
        return None
    code = table["code"][0].as_py() if table.num_rows == 1 else None
    if code is None:
        return None
    message, request_id = table["message"][0].as_py(), table["request_id"][0].as_py()
    if code != 0:  # the client raises its error class; no rows to read
        return Decoded(int(code), message, request_id, ParsedPage(pa.array([], pa.struct([])), {}))
    data = table["data"].combine_chunks()
    rows = pc.list_flatten(data.field("list"))
    info = data.field("page_info")[0].as_py() or {}
    page = ParsedPage(rows, {key: int(value or 0) for key, value in info.items()})
    return Decoded(int(code), message, request_id, page)


def report_decoder(spec: ReportSpec) -> Decoder[ParsedPage]:
    """The decoder the extractor hands ``client.get`` for ``spec``'s pages: parsed in a worker thread."""
    dimensions, metrics = tuple(spec.dimensions), tuple(spec.metrics)

    async def decode(body: bytes) -> Decoded[ParsedPage] | None:
        return await asyncio.to_thread(parse_report_page, dimensions, metrics, body)

    return decode


# --- entities ------------------------------------------------------------------------------------


def _parse_utc(value: Any) -> datetime | None:
    if value in (None, "", "-"):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(int(value), UTC)
    try:
        return datetime.strptime(str(value), _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        pass
    try:  # the asset endpoints' form, 2020-06-10T07:39:14Z
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _entity_column(values: list[Any]) -> pa.Array | None:
    """Infer one column; lists and objects are kept as JSON text so every destination can hold them."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, bool) for v in present):
        return pa.array(values, type=pa.bool_())
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.array(values, type=pa.int64())
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if all(isinstance(v, str) for v in present):
        return pa.array(values, type=pa.string())
    return pa.array(
        [None if v is None else v if isinstance(v, str) else orjson.dumps(v).decode() for v in values],
        type=pa.string(),
    )


def is_deleted(spec: EntitySpec, row: Mapping[str, Any]) -> bool:
    """Deleted objects and the ones deleted with their parent (``*_CAMPAIGN_DELETE`` etc.)."""
    if spec.deleted_suffix is None:
        return False
    status = str(row.get("secondary_status") or "")
    operation = str(row.get("operation_status") or "")
    return status.endswith(spec.deleted_suffix) or operation == "DELETE"


def entity_table(spec: EntitySpec, rows: Iterable[Mapping[str, Any]], advertiser_id: str | None) -> pa.Table:
    """One page of objects; TikTok's field names verbatim plus ``is_deleted``."""
    records = [dict(row) for row in rows]
    for record in records:
        if advertiser_id is not None and not record.get("advertiser_id"):
            record["advertiser_id"] = advertiser_id
        record["is_deleted"] = is_deleted(spec, record)
    # keys first, then the rest by name: pages arrive in any order and may leave fields out, and dlt
    # makes a table's columns in the order it first sees them, so two identical syncs must agree
    fields = {name for record in records for name in record}
    if spec.columns:  # what the table is for, not the whole object TikTok sends
        fields &= {*spec.columns, "is_deleted"}
    names = dict.fromkeys([*spec.primary_key, *sorted(fields - set(spec.primary_key))])
    columns: dict[str, pa.Array] = {}
    for name in names:
        values = [record.get(name) for record in records]
        if name in spec.primary_key or name.endswith("_id") or name.endswith("_ids"):
            column = _entity_column(values)
            if column is not None and column.type != pa.string():
                column = _string_array(
                    [None if v is None else v if isinstance(v, str) else _json_text(v) for v in values]
                )
            if column is None and name in spec.primary_key:
                column = pa.array(values, type=pa.string())
        elif name in spec.timestamp_fields:
            column = pa.array([_parse_utc(v) for v in values], type=UTC_TIMESTAMP)
        elif name in spec.decimal_fields:
            column = to_decimal(_string_array([None if v is None else str(v) for v in values]))
        else:
            column = _entity_column(values)
        if column is not None:
            columns[name] = column
    return pa.table(columns)


def _json_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return orjson.dumps(value).decode()


__all__ = [
    "DECIMAL",
    "LOCAL_TIMESTAMP",
    "UTC_TIMESTAMP",
    "AdvertiserContext",
    "ParsedPage",
    "entity_table",
    "is_deleted",
    "page_schema",
    "parse_report_page",
    "report_decoder",
    "report_schema",
    "report_table",
    "report_table_from_arrow",
    "to_decimal",
    "to_int64",
    "zone_for",
]
