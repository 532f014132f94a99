"""How TikTok wants request parameters on the wire, and how requests are named in logs.

TikTok's GET endpoints take every parameter in the query string, with lists and objects as JSON text
(``fields=["campaign_id","campaign_name"]``) and booleans in lower case. Doing this in one place keeps
every caller from hand-rolling ``json.dumps`` and getting the separators or the booleans subtly wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from tiktok_ads_mart.secret import Secret


def _plain(value: Any) -> Any:
    """Unwrap secrets (the only place a secret leaves its box is the request itself)."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def encode_query_value(value: Any) -> str:
    """One query parameter value in TikTok's form: JSON for lists/objects, ``true``/``false``, else ``str``."""
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list):
        return orjson.dumps(value).decode()
    return str(value)


def encode_query(params: Mapping[str, Any] | None) -> dict[str, str]:
    """All query parameters encoded; ``None`` values are dropped rather than sent as the text ``None``."""
    if not params:
        return {}
    return {key: encode_query_value(value) for key, value in params.items() if value is not None}


def encode_body(body: Mapping[str, Any] | None) -> bytes:
    """A POST body: plain JSON, secrets unwrapped, ``None`` values dropped."""
    if not body:
        return b"{}"
    return orjson.dumps({key: _plain(value) for key, value in body.items() if value is not None})


def join_url(base_url: str, path: str) -> str:
    """``base_url`` + ``path`` with exactly one slash between them; TikTok's paths keep their trailing slash."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def log_path(path: str) -> str:
    """The name of a request for logs and messages: the endpoint path only.

    Never the full URL: ``oauth2/advertiser/get/`` carries the app secret in its query string.
    """
    return "/" + path.split("?", 1)[0].lstrip("/")
