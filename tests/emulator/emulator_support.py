"""Shared helpers of the emulator contract suite: plain httpx, never the project's client, so the suite
pins the emulator's contract and can be pointed at another client or server.

The suite's world and emulator fixtures are in tests/conftest.py (``CONTRACT_WORLD``, ``emulator_app``,
``asgi_client``, ``live_emulator``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx


def encode(params: dict[str, Any]) -> dict[str, str]:
    """TikTok's query encoding: lists and objects as JSON strings, the rest as text."""
    return {k: (json.dumps(v) if isinstance(v, list | dict) else str(v)) for k, v in params.items()}


async def get(client: httpx.AsyncClient, path: str, token: str | None, **params: Any) -> dict[str, Any]:
    """GET an endpoint and return the envelope (HTTP 200 is part of the contract for errors too)."""
    headers = {"Access-Token": token} if token else {}
    response = await client.get(path, params=encode(params), headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def post(
    client: httpx.AsyncClient, path: str, token: str | None, body: dict[str, Any]
) -> dict[str, Any]:
    headers = {"Access-Token": token} if token else {}
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    envelope: dict[str, Any] = response.json()
    return envelope


def ok(envelope: dict[str, Any]) -> dict[str, Any]:
    """The data of a successful envelope; a failure shows the code and message."""
    assert envelope["code"] == 0, envelope
    assert envelope["message"] == "OK"
    data: dict[str, Any] = envelope["data"]
    return data


def error(envelope: dict[str, Any], code: int, *words: str) -> str:
    """Assert an error envelope: the code, ``data: {}``, a request_id, and words in the message."""
    assert envelope["code"] == code, envelope
    assert envelope["data"] == {}
    assert envelope["request_id"]
    message: str = envelope["message"]
    for word in words:
        assert word in message, (word, message)
    return message


async def all_pages(
    client: httpx.AsyncClient, path: str, token: str, page_size: int, **params: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Walk ``page`` until ``total_page``; returns the rows and every page_info seen."""
    rows: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []
    page = 1
    while True:
        data = ok(await get(client, path, token, page=page, page_size=page_size, **params))
        rows.extend(data["list"])
        infos.append(data["page_info"])
        if page >= data["page_info"]["total_page"]:
            return rows, infos
        page += 1
