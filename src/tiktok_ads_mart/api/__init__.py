"""The one TikTok Business API client, its rate limiter, retry policy and pagination."""

from __future__ import annotations

from tiktok_ads_mart.api.client import (
    PRODUCTION_API_BASE,
    SANDBOX_API_BASE,
    ClientStats,
    Decoded,
    Decoder,
    Envelope,
    StaticTokenSource,
    TikTokClient,
    TokenCredential,
    TokenSource,
    read_envelope,
)
from tiktok_ads_mart.api.encoding import encode_query, encode_query_value
from tiktok_ads_mart.api.ratelimit import DEFAULT_RATE_LIMITS, TIERS, RateLimiter, RateLimits, limiter_for
from tiktok_ads_mart.api.retry import DEFAULT_RETRY_POLICY, RetryPolicy

__all__ = [
    "DEFAULT_RATE_LIMITS",
    "DEFAULT_RETRY_POLICY",
    "PRODUCTION_API_BASE",
    "SANDBOX_API_BASE",
    "TIERS",
    "ClientStats",
    "Decoded",
    "Decoder",
    "Envelope",
    "RateLimiter",
    "RateLimits",
    "RetryPolicy",
    "StaticTokenSource",
    "TikTokClient",
    "TokenCredential",
    "TokenSource",
    "encode_query",
    "encode_query_value",
    "limiter_for",
    "read_envelope",
]
