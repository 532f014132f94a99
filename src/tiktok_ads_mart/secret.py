"""A string type for secrets (app secret, access and refresh tokens) that never shows its value.

Secrets are wrapped at the config layer and stay wrapped until the one place that must send them,
so a stray ``repr``, f-string, log record or exception message prints a mask instead.
"""

from __future__ import annotations

from typing import Any

MASK = "**********"


class Secret:
    """Holds a secret value; ``str`` and ``repr`` are masked, ``reveal()`` is the explicit way out."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = str(value)

    def reveal(self) -> str:
        """The real value, for the request or the encrypted store only."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is not picklable; store it through the encrypted token store")


def reveal(value: Secret | str | None) -> str | None:
    """Accept either form at API edges (tests pass plain strings)."""
    if value is None:
        return None
    return value.reveal() if isinstance(value, Secret) else value
