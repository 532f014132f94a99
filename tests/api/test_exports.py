"""The public names of tiktok_ads_mart.api and tiktok_ads_mart.auth, as other modules import them."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("module_name", ["tiktok_ads_mart.api", "tiktok_ads_mart.auth"])
def test_all_is_unique_and_resolvable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = module.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(module, name), name
