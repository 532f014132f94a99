"""Where credentials rest: the OS keyring, or an AES-GCM encrypted file; never plain text.

The keyring is used only when its backend really protects secrets: the ``fail`` and ``null`` backends,
and every ``keyrings.alt`` backend (its ``PlaintextKeyring`` writes tokens in the clear) are refused.
Without a usable keyring the file store needs ``TIKTOK_ADS_MART_PASSPHRASE``; its key is derived with
scrypt, each write gets a fresh nonce, and the file is replaced atomically (temp file, fsync,
``os.replace``) so a crash mid-write leaves the previous credentials readable.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from tiktok_ads_mart.auth.tokens import Credential
from tiktok_ads_mart.config import home_dir
from tiktok_ads_mart.errors import ConfigError, TokenStoreError
from tiktok_ads_mart.secret import Secret

PASSPHRASE_ENV = "TIKTOK_ADS_MART_PASSPHRASE"
STORE_ENV = "TIKTOK_ADS_MART_STORE"
CREDENTIALS_FILE = "credentials.enc"
KEYRING_SERVICE = "tiktok-ads-mart"
_PROFILE_INDEX = "__profiles__"
_MAGIC = b"TAMCRED1"
_SALT_BYTES = 16
_NONCE_BYTES = 12
_SCRYPT_N = 2**15
HOW_TO_ENABLE = (
    f"set {PASSPHRASE_ENV} to keep credentials in an encrypted file, or install a system keyring "
    "(e.g. GNOME Keyring / KWallet / macOS Keychain)"
)


class TokenStore(Protocol):
    """A place for several profiles' credentials."""

    @property
    def backend(self) -> str:
        """A human description for `auth status` (never a secret)."""
        ...

    def load(self, profile: str) -> Credential | None: ...

    def save(self, credential: Credential) -> None: ...

    def delete(self, profile: str) -> bool: ...

    def profiles(self) -> list[str]: ...


class EncryptedFileStore:
    """All profiles in one AES-GCM encrypted JSON document, key from scrypt(passphrase, salt)."""

    def __init__(self, path: Path, passphrase: Secret) -> None:
        if not passphrase:
            raise TokenStoreError(f"the encrypted file store needs a passphrase: {HOW_TO_ENABLE}")
        self.path = path
        self._passphrase = passphrase
        self._keys: dict[bytes, bytes] = {}

    @property
    def backend(self) -> str:
        return f"encrypted file {self.path}"

    def __repr__(self) -> str:
        return f"EncryptedFileStore({str(self.path)!r})"

    def _key(self, salt: bytes) -> bytes:
        key = self._keys.get(salt)
        if key is None:
            kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=8, p=1)
            key = self._keys[salt] = kdf.derive(self._passphrase.reveal().encode())
        return key

    def _read(self) -> tuple[dict[str, Any], bytes | None]:
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return {}, None
        header = len(_MAGIC) + _SALT_BYTES + _NONCE_BYTES
        if not blob.startswith(_MAGIC) or len(blob) < header + 16:
            raise TokenStoreError(f"{self.path} is not a tiktok-ads-mart credential file")
        salt = blob[len(_MAGIC) : len(_MAGIC) + _SALT_BYTES]
        nonce = blob[len(_MAGIC) + _SALT_BYTES : header]
        try:
            plain = AESGCM(self._key(salt)).decrypt(nonce, blob[header:], _MAGIC + salt)
        except InvalidTag:
            raise TokenStoreError(
                f"cannot decrypt {self.path}: wrong {PASSPHRASE_ENV} (or the file was altered)"
            ) from None
        document = orjson.loads(plain)
        profiles = document.get("profiles") if isinstance(document, dict) else None
        return (profiles if isinstance(profiles, dict) else {}), salt

    def _write(self, profiles: dict[str, Any], salt: bytes | None) -> None:
        salt = salt or secrets.token_bytes(_SALT_BYTES)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = AESGCM(self._key(salt)).encrypt(nonce, orjson.dumps({"profiles": profiles}), _MAGIC + salt)
        atomic_write(self.path, _MAGIC + salt + nonce + sealed)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise read-modify-write across processes (two syncs refreshing two profiles at once)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def load(self, profile: str) -> Credential | None:
        profiles, _ = self._read()
        raw = profiles.get(profile)
        return Credential.from_storage(raw) if isinstance(raw, dict) else None

    def save(self, credential: Credential) -> None:
        with self._locked():
            profiles, salt = self._read()
            profiles[credential.profile] = credential.to_storage()
            self._write(profiles, salt)

    def delete(self, profile: str) -> bool:
        with self._locked():
            profiles, salt = self._read()
            if profiles.pop(profile, None) is None:
                return False
            self._write(profiles, salt)
            return True

    def profiles(self) -> list[str]:
        return sorted(self._read()[0])


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class KeyringStore:
    """One keyring item per profile (JSON), plus an index item listing the profiles."""

    def __init__(self, backend: Any = None) -> None:
        import keyring

        self._keyring = backend if backend is not None else keyring.get_keyring()

    @property
    def backend(self) -> str:
        return f"keyring {type(self._keyring).__module__}.{type(self._keyring).__name__}"

    def __repr__(self) -> str:
        return f"KeyringStore({self.backend!r})"

    def _get(self, name: str) -> str | None:
        try:
            value = self._keyring.get_password(KEYRING_SERVICE, name)
        except Exception as exc:  # every backend has its own errors
            raise TokenStoreError(f"the OS keyring cannot be read ({type(exc).__name__})") from None
        return value if isinstance(value, str) else None

    def _set(self, name: str, value: str) -> None:
        try:
            self._keyring.set_password(KEYRING_SERVICE, name, value)
        except Exception as exc:
            raise TokenStoreError(f"the OS keyring refused the credential ({type(exc).__name__})") from None

    def _index(self) -> list[str]:
        raw = self._get(_PROFILE_INDEX)
        try:
            names = orjson.loads(raw) if raw else []
        except orjson.JSONDecodeError:
            names = []
        return sorted(str(n) for n in names) if isinstance(names, list) else []

    def load(self, profile: str) -> Credential | None:
        raw = self._get(profile)
        if not raw:
            return None
        try:
            return Credential.from_storage(orjson.loads(raw))
        except orjson.JSONDecodeError:
            raise TokenStoreError(f"the keyring item of profile {profile!r} is damaged") from None

    def save(self, credential: Credential) -> None:
        self._set(credential.profile, orjson.dumps(credential.to_storage()).decode())
        names = self._index()
        if credential.profile not in names:
            self._set(_PROFILE_INDEX, orjson.dumps(sorted([*names, credential.profile])).decode())

    def delete(self, profile: str) -> bool:
        existed = self._get(profile) is not None
        if existed:
            try:
                self._keyring.delete_password(KEYRING_SERVICE, profile)
            except Exception as exc:
                raise TokenStoreError(f"the OS keyring refused to delete ({type(exc).__name__})") from None
        names = self._index()
        if profile in names:
            self._set(_PROFILE_INDEX, orjson.dumps([n for n in names if n != profile]).decode())
        return existed

    def profiles(self) -> list[str]:
        return self._index()


def usable_keyring(backend: Any) -> bool:
    """Whether ``backend`` keeps secrets safe: not ``fail``/``null``, not from ``keyrings.alt``."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        return bool(members) and usable_keyring(members[0])
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if type(backend).__module__.startswith("keyrings.alt"):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:
        return False


def open_store(env: Mapping[str, str] | None = None) -> TokenStore:
    """The store to use: keyring if usable, else the encrypted file; ``TIKTOK_ADS_MART_STORE`` forces one.

    An existing encrypted file with its passphrase set wins over a keyring, so credentials do not
    seem to vanish when a keyring appears later.
    """
    env = os.environ if env is None else env
    forced = (env.get(STORE_ENV) or "").strip().lower()
    if forced not in ("", "file", "keyring"):
        raise ConfigError(f"{STORE_ENV} must be 'file' or 'keyring', not {forced!r}")
    path = home_dir(env) / CREDENTIALS_FILE
    passphrase = env.get(PASSPHRASE_ENV) or ""
    if forced == "file" or (forced == "" and passphrase and path.exists()):
        if not passphrase:
            raise TokenStoreError(f"{STORE_ENV}=file needs {PASSPHRASE_ENV} to be set")
        return EncryptedFileStore(path, Secret(passphrase))
    import keyring

    backend = keyring.get_keyring()
    if usable_keyring(backend):
        return KeyringStore(backend)
    if forced == "keyring":
        raise TokenStoreError(f"{STORE_ENV}=keyring but no usable OS keyring backend is available")
    if passphrase:
        return EncryptedFileStore(path, Secret(passphrase))
    if path.exists():  # saved before: what is missing is its passphrase, not a place to keep it
        raise TokenStoreError(
            f"the credentials in {path} are encrypted: set {PASSPHRASE_ENV} to the passphrase they were "
            "saved with"
        )
    raise TokenStoreError(f"no safe place to store credentials (no usable OS keyring): {HOW_TO_ENABLE}")
