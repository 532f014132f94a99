"""Ctrl-C while the console script is still importing its commands."""

from __future__ import annotations

import sys
import types

import pytest

from tiktok_ads_mart import entry


class _InterruptedImport(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        raise KeyboardInterrupt


def test_ctrl_c_while_the_commands_import_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tiktok_ads_mart.cli", _InterruptedImport("tiktok_ads_mart.cli"))
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code == 130
