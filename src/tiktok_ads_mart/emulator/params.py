"""Reading request parameters the way TikTok does, and the emulator's own answer codes.

TikTok's GET endpoints take lists and objects as JSON strings inside the query string; real clients also
send Python reprs (``['a', 'b']``, ``True``), and JSON bodies sometimes carry a list as a JSON string too.
An optional string that is blank counts as not sent: TikTok's official Python SDK fills some optional
fields with a blank (``ReportTaskCreateBody(file_name=' ')`` on every task it creates), and TikTok
answers those calls. Every value goes through this module, so one parameter error anywhere becomes a
40002 that names the parameter, the same way on every endpoint.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.state import Emulator
    from tiktok_ads_mart.emulator.tokens import AccessGrant


class Code(IntEnum):
    """Return codes the emulator answers with (its own copy: it imports nothing from the client)."""

    OK = 0
    PERMISSION_ERROR = 40001
    PARAM_ERROR = 40002
    REQUEST_TOO_FREQUENT = 40100
    INVALID_PARTNER = 40101
    ACCESS_TOKEN_EXPIRE = 40102
    REFRESH_TOKEN_EXPIRE = 40103
    EMPTY_ACCESS_TOKEN = 40104
    INVALID_ACCESS_TOKEN = 40105
    INVALID_REFRESH_TOKEN = 40107
    INVALID_GRANT_TYPE = 40108
    AUTH_CODE_ERROR = 40110
    TASK_NOT_READY = 40201
    ROUTE_NOT_FOUND = 40400
    SYS_ERROR = 50000
    SYS_TIMEOUT = 50002


class ApiFailure(Exception):
    """An answer with a non-zero code; the app turns it into TikTok's HTTP-200 error envelope."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ParamError(ApiFailure):
    """A 40002 that names the parameter at fault."""

    def __init__(self, message: str) -> None:
        super().__init__(Code.PARAM_ERROR, message)


_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def is_blank(value: Any) -> bool:
    """An empty or whitespace-only string: what an optional parameter left unset looks like on the wire."""
    return isinstance(value, str) and not value.strip()


def decode_structured(name: str, value: Any) -> Any:
    """Decode a JSON-string parameter; fall back to a Python literal as sent by ``str(list)`` clients."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ParamError(f"{name}: not a valid JSON value") from None


def parse_bool(name: str, value: Any) -> bool:
    """Accept JSON booleans and the strings true/false in any case (the official SDK sends ``True``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise ParamError(f"{name}: must be a boolean (true or false)")


def parse_int(name: str, value: Any) -> int:
    """Accept ints and decimal strings; booleans and floats with a fraction are refused."""
    if isinstance(value, bool):
        raise ParamError(f"{name}: must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ParamError(f"{name}: must be an integer")


def as_id_list(
    name: str, value: Any, *, max_items: int | None = None, allow_empty: bool = False
) -> list[str]:
    """A list of IDs; numbers are accepted and turned into strings as TikTok's IDs are strings."""
    decoded = decode_structured(name, value)
    if not isinstance(decoded, list | tuple):
        raise ParamError(f"{name}: must be a JSON array")
    items: list[str] = []
    for item in decoded:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ParamError(f"{name}: every item must be a string")
        items.append(str(item))
    if not items and not allow_empty:
        raise ParamError(f"{name}: must not be empty")
    if max_items is not None and len(items) > max_items:
        raise ParamError(f"{name}: at most {max_items} items are allowed, got {len(items)}")
    return items


def as_string_list(name: str, value: Any) -> list[str]:
    """A list of names (fields, dimensions, metrics); items must be strings."""
    decoded = decode_structured(name, value)
    if not isinstance(decoded, list | tuple):
        raise ParamError(f"{name}: must be a JSON array")
    if not all(isinstance(item, str) for item in decoded):
        raise ParamError(f"{name}: every item must be a string")
    return list(decoded)


class Params:
    """One request's parameters, from the query string (GET) or the JSON body (POST)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    @classmethod
    def from_body(cls, body: bytes) -> Params:
        """Parse a POST body; an empty body is no parameters, anything but a JSON object is a 40002."""
        if not body.strip():
            return cls({})
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise ParamError("request body: not valid JSON") from None
        if not isinstance(decoded, dict):
            raise ParamError("request body: must be a JSON object")
        return cls(decoded)

    def as_dict(self) -> dict[str, Any]:
        """A copy, for logging (secrets are masked by the caller)."""
        return dict(self._values)

    def __contains__(self, name: str) -> bool:
        return self.raw(name) is not None

    def raw(self, name: str) -> Any:
        """The value as sent, or None when absent, empty or blank (see the module's docstring)."""
        value = self._values.get(name)
        return None if is_blank(value) else value

    def required(self, name: str) -> Any:
        """The value as sent; a missing one is a 40002 naming it."""
        value = self.raw(name)
        if value is None:
            raise ParamError(f"{name}: required parameter is missing")
        return value

    def string(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        """A scalar string; numbers are accepted (IDs sometimes arrive unquoted in JSON bodies)."""
        value = self.required(name) if required else self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ParamError(f"{name}: must be a string")
        return str(value)

    def required_string(self, name: str) -> str:
        """A scalar string that must be present."""
        value = self.string(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
        """An integer in range, with the range in the error message."""
        value = self.raw(name)
        if value is None:
            return default
        number = parse_int(name, value)
        if number < minimum or (maximum is not None and number > maximum):
            upper = f" and {maximum}" if maximum is not None else ""
            bound = f"between {minimum}{upper}" if maximum is not None else f"at least {minimum}"
            raise ParamError(f"{name}: must be {bound}, got {number}")
        return number

    def boolean(self, name: str, *, default: bool = False) -> bool:
        """A boolean from JSON or from ``True``/``false`` text."""
        value = self.raw(name)
        return default if value is None else parse_bool(name, value)

    def structured(self, name: str) -> Any:
        """A JSON (or Python-literal) decoded value, None when absent."""
        value = self.raw(name)
        return None if value is None else decode_structured(name, value)

    def obj(self, name: str) -> dict[str, Any]:
        """A JSON object parameter such as ``filtering`` on entity endpoints; absent means empty."""
        value = self.structured(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ParamError(f"{name}: must be a JSON object")
        return value

    def string_list(self, name: str) -> list[str] | None:
        """A JSON array of names, None when absent."""
        value = self.raw(name)
        return None if value is None else as_string_list(name, value)

    def id_list(self, name: str, *, max_items: int, required: bool = False) -> list[str] | None:
        """A JSON array of IDs within TikTok's per-call cap."""
        value = self.required(name) if required else self.raw(name)
        return None if value is None else as_id_list(name, value, max_items=max_items)

    def page(self, *, max_page_size: int) -> tuple[int, int]:
        """``page`` (default 1) and ``page_size`` (default 10, capped per endpoint)."""
        page = self.integer("page", default=1, minimum=1)
        page_size = self.integer("page_size", default=10, minimum=1, maximum=max_page_size)
        return page, page_size


def page_info(page: int, page_size: int, total: int) -> dict[str, int]:
    """TikTok's ``page_info``; an empty result has ``total_page`` 0."""
    total_page = (total + page_size - 1) // page_size
    return {"page": page, "page_size": page_size, "total_number": total, "total_page": total_page}


@dataclass
class Call:
    """One API request as a handler sees it: the emulator, the parameters and the presented token."""

    emulator: Emulator
    params: Params
    access_token: str | None
    root_url: str
    headers: dict[str, str] = field(default_factory=dict)  # response headers the handler adds
    raw_body: bytes | None = None
    """An answer that is not the JSON envelope, for the pipeline to send as is with ``raw_media_type``:
    ``report/task/download/`` of a ``CSV_STRING`` task answers with the CSV itself (doc 1740302808815618).
    The handler still returns the ``data`` an envelope would carry, for a pipeline that only sends those."""
    raw_media_type: str = "text/csv"

    def grant(self) -> AccessGrant:
        """The token check of every data call (40104, 40105, 40102)."""
        return self.emulator.tokens.authenticate(self.access_token)

    def advertiser(self) -> tuple[AccessGrant, str]:
        """Token check, then the required ``advertiser_id``, then the grant check (40001)."""
        from tiktok_ads_mart.emulator.tokens import require_advertiser

        grant = self.grant()
        advertiser_id = self.params.required_string("advertiser_id")
        require_advertiser(grant, advertiser_id)
        return grant, advertiser_id


__all__ = [
    "ApiFailure",
    "Call",
    "Code",
    "ParamError",
    "Params",
    "as_id_list",
    "as_string_list",
    "decode_structured",
    "is_blank",
    "page_info",
    "parse_bool",
    "parse_int",
]
