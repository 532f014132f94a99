"""The one exception tree of tiktok-ads-mart, and the only home of TikTok's numeric return codes.

TikTok answers errors as HTTP 200 with a non-zero ``code`` in the envelope, so the class of an error
decides what the caller does next, not the HTTP status::

    TikTokAdsMartError         anything this package raises on purpose; its message is safe to show (exit 1)
    ├── ConfigError            bad settings or input; refused before any request (exit code 2)
    ├── TokenStoreError        no usable encrypted store, or it cannot be read
    ├── LoginError             the browser part of a login: denied, timed out, wrong state, port taken
    ├── PipelineBusy           another sync holds the pipeline; try again later (exit 75, EX_TEMPFAIL)
    ├── SyncInterrupted        Ctrl-C or SIGTERM stopped a sync between pages (exit 128 + signal)
    ├── TransportError         the request never got a readable answer (network, timeout, 5xx, bad JSON)
    │   └── Unreachable        nothing answered for a while: the run stops, keeping what was loaded
    └── ApiError               TikTok answered with a non-zero code (carries code, message, request_id)
        ├── AuthExpired        re-authorise: 40102, 40103, 40104, 40105, 40106, 40107
        │   └── WrongApp       40000: the token belongs to another app; log in again with the right one
        ├── RateLimited        throttled, back off and retry: 40100, 40016, 40132, 40133, 61000
        │   └── DailyQuotaUsedUp  the app's requests for the day are used up: stop, resume after 00:00 UTC
        │       └── DailyShareUsedUp  this run's share of them (``--qpd``) is: stopped before TikTok refuses
        ├── TransientApiError  TikTok-side failure, retry: 50000-59999, 60001
        ├── PermissionDenied   skip this advertiser: 40001, 40300
        └── InvalidRequest     the caller's fault, never retried: every other code

``TransportError`` and ``TransientApiError`` and ``RateLimited`` are retryable; the rest are not.
"""

from __future__ import annotations

import re
from enum import IntEnum


class ApiCode(IntEnum):
    """TikTok Business API v1.3 return codes this project reacts to (names follow TikTok's SDK)."""

    OK = 0
    APP_TOKEN_MISMATCH = 40000
    PERMISSION_ERROR = 40001
    PARAM_ERROR = 40002
    REQUEST_TOO_FREQUENT_FOR_ENDPOINT = 40016
    REQUEST_TOO_FREQUENT = 40100
    INVALID_PARTNER = 40101
    ACCESS_TOKEN_EXPIRE = 40102
    REFRESH_TOKEN_EXPIRE = 40103
    EMPTY_ACCESS_TOKEN = 40104
    INVALID_ACCESS_TOKEN = 40105
    INVALID_CORE_USER = 40106
    INVALID_REFRESH_TOKEN = 40107
    INVALID_GRANT_TYPE = 40108
    AUTH_CODE_ERROR = 40110
    REQUEST_FREQUENCY_LIMITED = 40132
    ADVERTISER_QPS_LIMITED = 40133
    TASK_NOT_READY = 40201
    ADVERTISER_NOT_EXIST = 40300
    ROUTE_NOT_FOUND = 40400
    SYS_ERROR = 50000
    SYS_TIMEOUT = 50002
    MAINTENANCE = 60001
    TOO_MANY_REQUESTS_BL = 61000


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")


def printable(value: object) -> str:
    """``value`` as one line without control characters: no ANSI/OSC escape sequence from TikTok's data
    or a file reaches a terminal or a log (line breaks and tabs become one space)."""
    return _UNPRINTABLE.sub(lambda m: " " if m.group().strip("\t\n\r") == "" else "", str(value))


class TikTokAdsMartError(Exception):
    """Base of every error this package raises on purpose; its message is safe to show."""

    exit_code: int = 1


class ConfigError(TikTokAdsMartError):
    """Bad settings or input, found before any request was sent."""

    exit_code = 2


class PipelineBusy(TikTokAdsMartError):
    """Another sync holds the pipeline; running again later (the scheduler's next turn) is the fix."""

    exit_code = 75  # EX_TEMPFAIL in sysexits.h: a temporary failure, try again later


class SyncInterrupted(TikTokAdsMartError):
    """Ctrl-C (SIGINT) or SIGTERM stopped a sync: not a failure of the destination or of TikTok."""

    def __init__(self, message: str, signal_number: int = 2) -> None:
        super().__init__(message)
        self.exit_code = 128 + signal_number  # what a shell reports for a process that a signal ended


class TokenStoreError(TikTokAdsMartError):
    """The encrypted credential store is missing, locked or unreadable."""


class LoginError(TikTokAdsMartError):
    """The browser part of a login failed: denied, timed out, wrong state, or the port is taken."""


class TransportError(TikTokAdsMartError):
    """No usable answer: connection failure, timeout, HTTP 5xx, or a body that is not the JSON envelope."""

    retryable = True


class Unreachable(TransportError):
    """No request got an answer for ``give_up_after`` seconds: the host is gone, and retrying every
    request for minutes would only delay the one line that says so."""

    retryable = False


class ApiError(TikTokAdsMartError):
    """TikTok answered with a non-zero ``code``."""

    retryable = False

    def __init__(self, code: int, message: str, request_id: str | None = None) -> None:
        self.code = code
        self.message = printable(message)  # goes to logs and the terminal: no escape sequences
        request_id = printable(request_id) if request_id is not None else None
        self.request_id = request_id
        message = self.message
        suffix = f" (request_id {request_id})" if request_id else ""
        super().__init__(f"TikTok error {code}: {message}{suffix}")


class AuthExpired(ApiError):
    """The token is expired, revoked or missing: refresh it or run `auth login` again."""


class RateLimited(ApiError):
    """The app went over its QPS/QPM; the limiter slows down and the call is retried."""

    retryable = True


class DailyQuotaUsedUp(RateLimited):
    """The app's requests for the day (QPD) are used up: every request fails until 00:00 UTC, so the
    run stops, keeping what it loaded (exit 75, EX_TEMPFAIL: try again later)."""

    retryable = False
    exit_code = 75


class DailyShareUsedUp(DailyQuotaUsedUp):
    """This run's share of the app's daily quota (``qpd``, divided among shards) is used up: the run stops
    before sending more, so the app's other workers keep their shares. TikTok sent no code for it."""

    def __init__(self, message: str) -> None:
        self.code, self.message, self.request_id = int(ApiCode.REQUEST_TOO_FREQUENT), message, None
        TikTokAdsMartError.__init__(self, message)


class WrongApp(AuthExpired):
    """40000 on a data call: the token was issued to another developer app than the one configured."""


class TransientApiError(ApiError):
    """A TikTok-side failure that the same request again usually fixes."""

    retryable = True


class PermissionDenied(ApiError):
    """The token may not read this advertiser; the run skips it and carries on with the others."""


class InvalidRequest(ApiError):
    """The request itself is wrong (a parameter, a limit); retrying cannot help."""


REAUTHORISE_CODES = frozenset(
    {
        ApiCode.ACCESS_TOKEN_EXPIRE,
        ApiCode.REFRESH_TOKEN_EXPIRE,
        ApiCode.EMPTY_ACCESS_TOKEN,
        ApiCode.INVALID_ACCESS_TOKEN,
        ApiCode.INVALID_CORE_USER,
        ApiCode.INVALID_REFRESH_TOKEN,
    }
)
THROTTLE_CODES = frozenset(  # return codes doc 1737172488964097; all back off and retry
    {
        ApiCode.REQUEST_TOO_FREQUENT,
        ApiCode.REQUEST_TOO_FREQUENT_FOR_ENDPOINT,
        ApiCode.REQUEST_FREQUENCY_LIMITED,
        ApiCode.ADVERTISER_QPS_LIMITED,
        ApiCode.TOO_MANY_REQUESTS_BL,
    }
)
DAILY_QUOTA_WORDS = re.compile(r"\bQPD\b|daily|per day", re.IGNORECASE)
"""TikTok answers a used-up daily quota with the same 40100 as any throttle (rate limits doc
1740029171730433) and documents no message for it: a message that names the day is taken as the QPD."""
SKIP_ADVERTISER_CODES = frozenset({ApiCode.PERMISSION_ERROR, ApiCode.ADVERTISER_NOT_EXIST})


def error_class_for(code: int, message: str = "") -> type[ApiError]:
    """Map a non-zero envelope ``code`` (and, for the daily quota, its message) to the class that says
    what to do about it."""
    if code == ApiCode.APP_TOKEN_MISMATCH:
        return WrongApp
    if code == ApiCode.REQUEST_TOO_FREQUENT and DAILY_QUOTA_WORDS.search(message):
        return DailyQuotaUsedUp
    if code in REAUTHORISE_CODES:
        return AuthExpired
    if code in THROTTLE_CODES:
        return RateLimited
    if 50000 <= code <= 59999 or code == ApiCode.MAINTENANCE:
        return TransientApiError
    if code in SKIP_ADVERTISER_CODES:
        return PermissionDenied
    return InvalidRequest


def api_error(code: int, message: str, request_id: str | None = None) -> ApiError:
    """Build the right ``ApiError`` subclass for an envelope."""
    return error_class_for(code, message)(code, message, request_id)
