"""A stand-in OS keyring for CLI tests (``PYTHON_KEYRING_BACKEND=file_keyring.TestKeyring``).

It keeps items in a JSON file named by ``TEST_KEYRING_FILE`` so separate CLI processes share them, the
way they share a desktop keyring. Test use only: a real keyring encrypts, this one does not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class TestKeyring(KeyringBackend):
    priority = 10  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["TEST_KEYRING_FILE"])

    def _items(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path.read_text()))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._items()
        items[f"{service}\x00{username}"] = password
        self._path.write_text(json.dumps(items))

    def delete_password(self, service: str, username: str) -> None:
        items = self._items()
        del items[f"{service}\x00{username}"]
        self._path.write_text(json.dumps(items))
