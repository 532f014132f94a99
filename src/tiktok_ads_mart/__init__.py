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
]
