"""Fixtures for auth tests: a private home and store per test, and a loopback redirect URI.

The served OAuth emulators (``oauth_emulator``, ``expiring_oauth_emulator``) are in tests/conftest.py.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tiktok_ads_mart.auth import EncryptedFileStore
from tiktok_ads_mart.secret import Secret

PASSPHRASE = "correct horse battery staple"
_ENV_TO_CLEAR = (
    "TIKTOK_ACCESS_TOKEN",
    "TIKTOK_APP_ID",
    "TIKTOK_APP_SECRET",
    "TIKTOK_API_BASE",
    "TIKTOK_ADS_MART_PASSPHRASE",
    "TIKTOK_ADS_MART_STORE",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private TIKTOK_ADS_MART_HOME with the encrypted file store forced on."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "home"
    monkeypatch.setenv("TIKTOK_ADS_MART_HOME", str(path))
    monkeypatch.setenv("TIKTOK_ADS_MART_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("TIKTOK_ADS_MART_STORE", "file")
    return path


@pytest.fixture
def store(home: Path) -> EncryptedFileStore:
    return EncryptedFileStore(home / "credentials.enc", Secret(PASSPHRASE))


@pytest.fixture
def redirect_uri() -> str:
    """A free loopback port for the one-shot callback server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/callback"


def chromium_available() -> bool:
    from .consent_browser import chromium_path

    return chromium_path() is not None


def skip_without_browser() -> None:
    """Browser tests skip only on a developer machine without chromium; in CI they must run."""
    if not chromium_available() and not os.environ.get("CI"):
        pytest.skip("chromium is not installed (make test installs it)")
