"""tiktok-ads-mart: TikTok Ads (Business API v1.3) into your own data mart."""

from __future__ import annotations

from tiktok_ads_mart.errors import (
    ApiError,
    AuthExpired,
    ConfigError,
    InvalidRequest,
    PermissionDenied,
    PipelineBusy,
    RateLimited,
    SyncInterrupted,
    TikTokAdsMartError,
    TokenStoreError,
    TransientApiError,
    TransportError,
)
from tiktok_ads_mart.secret import Secret

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``tiktok_ads``, the dlt source, imported on first use: the CLI starts without importing dlt."""
    if name == "tiktok_ads":
        from tiktok_ads_mart.sync.public_source import tiktok_ads

        return tiktok_ads
    raise AttributeError(f"module 'tiktok_ads_mart' has no attribute {name!r}")


__all__ = [
    "ApiError",
    "AuthExpired",
    "ConfigError",
    "InvalidRequest",
    "PermissionDenied",
    "PipelineBusy",
    "RateLimited",
    "Secret",
    "SyncInterrupted",
    "TikTokAdsMartError",
    "TokenStoreError",
    "TransientApiError",
    "TransportError",
    "__version__",
    "tiktok_ads",
]
