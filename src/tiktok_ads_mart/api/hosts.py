"""Which API host a command talks to, and which host may receive a stored token.

A token or an app secret is as good as the account it opens, so where it goes is decided here, once:

- plain ``http://`` is only for loopback (the emulator); anything else must be ``https://``;
- a stored credential's token goes only to the host that issued it; another host must be named on the
  command line (``--api-base``) for that run, so a ``tiktok-ads-mart.toml`` lying in the working
  directory, or a stray environment variable, can never redirect it;
- a host named by a config file that is not TikTok's own is reported as such.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from tiktok_ads_mart.api.client import PRODUCTION_API_BASE, SANDBOX_API_BASE
from tiktok_ads_mart.errors import ConfigError

log = logging.getLogger("tiktok_ads_mart.api")

COMMAND_LINE = "--api-base"
"""The origin of a host the user named on the command line for this run."""

CONFIG_FILE_ORIGIN = "config file"
"""The origin of a host named by a TOML file: ``config file <path>``."""

API_BASE_ENV = "TIKTOK_API_BASE"


def host_of(url: str) -> str:
    """``scheme://host:port`` with the scheme's default port: two spellings of one host compare equal."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"https": 443, "http": 80}.get(scheme)
    host = (parts.hostname or "").lower()
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


TIKTOK_HOSTS = frozenset({host_of(PRODUCTION_API_BASE), host_of(SANDBOX_API_BASE)})


def is_loopback(hostname: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1``: hosts only this machine can answer for."""
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_api_base(url: str, origin: str) -> str:
    """``url`` with a trailing slash, if it may carry a token: https, or http to a loopback host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ConfigError(f"{origin}: {url!r} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{origin}: the API base must be an https:// URL, not {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"{origin}: plain http:// is only for a loopback host (the emulator); {parts.hostname} "
            "would see the token in clear text, use https://"
        )
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class ApiBase:
    """An API root and where it was named: a flag, an environment variable, a config file, the default."""

    url: str
    origin: str

    @property
    def host(self) -> str:
        return host_of(self.url)

    @property
    def on_command_line(self) -> bool:
        return self.origin in (COMMAND_LINE, "--sandbox")

    @property
    def from_config_file(self) -> bool:
        return self.origin.startswith(CONFIG_FILE_ORIGIN)

    @property
    def is_tiktok(self) -> bool:
        return self.host in TIKTOK_HOSTS


def choose_api_base(
    flag: str | None = None,
    *,
    sandbox: bool = False,
    configured: ApiBase | None = None,
    env: Mapping[str, str] | None = None,
) -> ApiBase | None:
    """``--api-base``, ``--sandbox``, a configured one (env or file), ``TIKTOK_API_BASE``; None if none.

    None means "no one named a host": a stored credential then keeps its own, a bare token goes to
    production.
    """
    env = os.environ if env is None else env
    if flag:
        return ApiBase(checked_api_base(flag, COMMAND_LINE), COMMAND_LINE)
    if sandbox:
        return ApiBase(SANDBOX_API_BASE, "--sandbox")
    if configured is not None:
        return ApiBase(checked_api_base(configured.url, configured.origin), configured.origin)
    if env.get(API_BASE_ENV):
        return ApiBase(checked_api_base(env[API_BASE_ENV], API_BASE_ENV), API_BASE_ENV)
    return None


def report_foreign_host(chosen: ApiBase | None) -> None:
    """Say so when a config file sends the run somewhere other than TikTok."""
    if chosen is not None and chosen.from_config_file and not chosen.is_tiktok:
        log.warning("API host %s, not TikTok's, named by %s", chosen.host, chosen.origin)


def url_for_bare_token(chosen: ApiBase | None) -> str:
    """A token without a stored issuer (``TIKTOK_ACCESS_TOKEN``) goes where the run was pointed."""
    report_foreign_host(chosen)
    return chosen.url if chosen is not None else PRODUCTION_API_BASE


def url_for_stored_token(issued_by: str, chosen: ApiBase | None, profile: str) -> str:
    """The host a stored credential's token may go to: its issuer's, or one named on the command line."""
    if chosen is None or chosen.host == host_of(issued_by):
        return chosen.url if chosen is not None else issued_by
    if chosen.on_command_line:
        return chosen.url
    raise ConfigError(
        f"profile {profile!r} was issued by {host_of(issued_by)}, but {chosen.origin} names "
        f"{chosen.host}; a stored token goes only to the host that issued it "
        f"(name the other host with {COMMAND_LINE} on the command line to send it there for this run)"
    )


def url_for_app_secret(chosen: ApiBase | None) -> str:
    """Where a login may send the app secret and the auth code: TikTok, or a host the user named himself
    (flag or environment), never one a config file in the working directory names."""
    if chosen is None:
        return PRODUCTION_API_BASE
    if chosen.is_tiktok or not chosen.from_config_file:
        report_foreign_host(chosen)
        return chosen.url
    raise ConfigError(
        f"{chosen.origin} names {chosen.host}, not TikTok's API; a login sends the app secret and the "
        f"auth code only to TikTok or to a host named with {COMMAND_LINE} on the command line"
    )


__all__ = [
    "API_BASE_ENV",
    "COMMAND_LINE",
    "CONFIG_FILE_ORIGIN",
    "ApiBase",
    "checked_api_base",
    "choose_api_base",
    "host_of",
    "is_loopback",
    "report_foreign_host",
    "url_for_app_secret",
    "url_for_bare_token",
    "url_for_stored_token",
]
