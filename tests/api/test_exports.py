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


def test_the_shared_interface_is_there() -> None:
    from tiktok_ads_mart.api import (
        DEFAULT_RATE_LIMITS,
        DEFAULT_RETRY_POLICY,
        PRODUCTION_API_BASE,
        SANDBOX_API_BASE,
        TIERS,
        RateLimits,
        RetryPolicy,
    )

    assert PRODUCTION_API_BASE == "https://business-api.tiktok.com/open_api/v1.3/"
    assert SANDBOX_API_BASE == "https://sandbox-ads.tiktok.com/open_api/v1.3/"
    assert DEFAULT_RATE_LIMITS is TIERS["basic"]
    assert RetryPolicy() == DEFAULT_RETRY_POLICY
    assert RateLimits() == DEFAULT_RATE_LIMITS
