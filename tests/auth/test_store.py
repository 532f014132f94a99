"""Credential storage: encrypted at rest, atomic, several profiles, and the refusal of unsafe backends."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from tiktok_ads_mart.auth import Credential, EncryptedFileStore, KeyringStore, open_store, usable_keyring
from tiktok_ads_mart.auth import store as store_module
from tiktok_ads_mart.errors import ConfigError, TokenStoreError
from tiktok_ads_mart.secret import Secret

from .conftest import PASSPHRASE

ACCESS = "access-token-0123456789"
REFRESH = "refresh-token-9876543210"
APP_SECRET = "app-secret-abcdefabcdef"


def credential(profile: str = "default", access: str = ACCESS) -> Credential:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return Credential(
        profile=profile,
        app_id="7000000000000000001",
        app_secret=Secret(APP_SECRET),
        api_base="http://127.0.0.1:9000/open_api/v1.3/",
        access_token=Secret(access),
        advertiser_ids=("1", "2"),
        advertiser_names=(("1", "Acme"), ("2", "Nord")),
        scope=(1, 4),
        obtained_at=now,
        refresh_token=Secret(REFRESH),
        access_expires_at=now + timedelta(days=1),
        refresh_expires_at=now + timedelta(days=365),
    )


def test_round_trip_of_several_profiles(store: EncryptedFileStore) -> None:
    store.save(credential("a"))
    store.save(credential("b", access="other-access-token"))
    assert store.profiles() == ["a", "b"]
    assert store.load("a") == credential("a")
    reopened = EncryptedFileStore(store.path, Secret(PASSPHRASE))
    assert reopened.load("b") == credential("b", access="other-access-token")
    assert reopened.load("missing") is None
    assert reopened.delete("a") is True and reopened.delete("a") is False
    assert reopened.profiles() == ["b"]


def test_file_is_encrypted_and_private(store: EncryptedFileStore) -> None:
    store.save(credential())
    blob = store.path.read_bytes()
    for plain in (ACCESS, REFRESH, APP_SECRET, "Acme", "7000000000000000001"):
        assert plain.encode() not in blob
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_wrong_passphrase_is_one_clear_line(store: EncryptedFileStore) -> None:
    store.save(credential())
    with pytest.raises(TokenStoreError) as caught:
        EncryptedFileStore(store.path, Secret("not the passphrase")).load("default")
    message = str(caught.value)
    assert "wrong TIKTOK_ADS_MART_PASSPHRASE" in message and "\n" not in message


def test_a_crash_mid_write_leaves_the_previous_credentials(
    store: EncryptedFileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(credential(access="before-crash"))

    def crash(src: Any, dst: Any) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save(credential(access="after-crash"))
    monkeypatch.undo()
    loaded = EncryptedFileStore(store.path, Secret(PASSPHRASE)).load("default")
    assert loaded is not None and loaded.access_token.reveal() == "before-crash"
    assert [p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_repr_of_a_credential_masks_every_secret() -> None:
    text = repr(credential()) + str(credential())
    assert ACCESS not in text and REFRESH not in text and APP_SECRET not in text


class MemoryKeyring(KeyringBackend):
    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.items[(service, username)]


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (same module path, which is what is refused)."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


def test_keyring_store_keeps_several_profiles() -> None:
    backend = MemoryKeyring()
    keyring_store = KeyringStore(backend)
    keyring_store.save(credential("a"))
    keyring_store.save(credential("b"))
    assert keyring_store.profiles() == ["a", "b"]
    assert keyring_store.load("a") == credential("a")
    assert keyring_store.delete("a") and keyring_store.profiles() == ["b"]
    assert "keyring" in keyring_store.backend


def test_unsafe_keyring_backends_are_refused() -> None:
    assert usable_keyring(MemoryKeyring())
    assert not usable_keyring(fail.Keyring())
    assert not usable_keyring(null.Keyring())
    assert not usable_keyring(PlaintextKeyring())


def test_open_store_chooses_safely(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    env = {"TIKTOK_ADS_MART_HOME": str(home)}
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(TokenStoreError, match="set TIKTOK_ADS_MART_PASSPHRASE"):
        open_store(env)
    assert isinstance(open_store({**env, "TIKTOK_ADS_MART_PASSPHRASE": "p"}), EncryptedFileStore)
    with pytest.raises(TokenStoreError, match="no usable OS keyring"):
        open_store({**env, "TIKTOK_ADS_MART_STORE": "keyring"})
    with pytest.raises(TokenStoreError, match="needs TIKTOK_ADS_MART_PASSPHRASE"):
        open_store({**env, "TIKTOK_ADS_MART_STORE": "file"})
    with pytest.raises(ConfigError):
        open_store({**env, "TIKTOK_ADS_MART_STORE": "plaintext"})
    monkeypatch.setattr(keyring, "get_keyring", lambda: PlaintextKeyring())
    with pytest.raises(TokenStoreError):
        open_store(env)
    monkeypatch.setattr(keyring, "get_keyring", lambda: MemoryKeyring())
    assert isinstance(open_store(env), KeyringStore)
    assert isinstance(
        open_store({**env, "TIKTOK_ADS_MART_STORE": "file", "TIKTOK_ADS_MART_PASSPHRASE": "p"}),
        EncryptedFileStore,
    )


def test_home_defaults_under_the_users_config_dir() -> None:
    assert store_module.home_dir({}).parts[-2:] == (".config", "tiktok-ads-mart")
    assert store_module.home_dir({"TIKTOK_ADS_MART_HOME": "/srv/x"}) == Path("/srv/x")


def test_a_run_without_any_store_says_how_to_get_a_token(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    from tiktok_ads_mart.auth import resolve_token_source

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(TokenStoreError) as caught:
        resolve_token_source("default", env={"TIKTOK_ADS_MART_HOME": str(home)})
    message = str(caught.value)
    assert (
        "TIKTOK_ADS_MART_PASSPHRASE" in message
        and "auth login" in message
        and "TIKTOK_ACCESS_TOKEN" in message
    )
