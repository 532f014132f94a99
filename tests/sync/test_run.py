"""Which API a sync talks to when no --api-base is given."""

from types import SimpleNamespace

import pytest

from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.sync.run import api_base_for

EMULATOR = "http://127.0.0.1:9000/open_api/v1.3/"


def test_a_stored_credential_keeps_the_api_it_was_issued_by(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKTOK_API_BASE", raising=False)
    token = SimpleNamespace(api_base=EMULATOR)
    assert api_base_for(SyncSettings(), token) == EMULATOR


def test_an_explicit_setting_wins_over_the_credential() -> None:
    token = SimpleNamespace(api_base=EMULATOR)
    settings = SyncSettings(api_base="https://sandbox-ads.tiktok.com/open_api/v1.3")
    assert api_base_for(settings, token) == "https://sandbox-ads.tiktok.com/open_api/v1.3/"


def test_a_bare_token_goes_to_the_environment_or_production(monkeypatch: pytest.MonkeyPatch) -> None:
    token = SimpleNamespace(api_base=None)
    monkeypatch.delenv("TIKTOK_API_BASE", raising=False)
    assert api_base_for(SyncSettings(), token) == "https://business-api.tiktok.com/open_api/v1.3/"
    monkeypatch.setenv("TIKTOK_API_BASE", EMULATOR)
    assert api_base_for(SyncSettings(), token) == EMULATOR
