"""`tiktok-ads-mart auth ...` and `tiktok-ads-mart advertisers`: thin commands over tiktok_ads_mart.auth."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import webbrowser
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Column, Table

from tiktok_ads_mart.api.hosts import (
    API_BASE_ENV,
    CONFIG_FILE_ORIGIN,
    ApiBase,
    choose_api_base,
    url_for_app_secret,
    url_for_bare_token,
)
from tiktok_ads_mart.auth import (
    DEFAULT_REDIRECT_URI,
    Credential,
    LoginOptions,
    RefreshingTokenSource,
    exchange,
    login,
    logout,
    open_store,
    resolve_token_source,
)
from tiktok_ads_mart.auth.refresh import app_from_env
from tiktok_ads_mart.cli.common import shown
from tiktok_ads_mart.config import advertiser_id_list, app_credentials
from tiktok_ads_mart.errors import ConfigError, TokenStoreError
from tiktok_ads_mart.scopes import scope_titles
from tiktok_ads_mart.secret import Secret
from tiktok_ads_mart.sync.advertisers import list_advertisers

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

auth_app = typer.Typer(
    help="Log in to TikTok, and manage the stored credentials.", no_args_is_help=True, rich_markup_mode=None
)

ProfileOpt = Annotated[str, typer.Option("--profile", "-p", metavar="NAME", help="Credential profile name.")]
AppIdOpt = Annotated[
    str | None,
    typer.Option("--app-id", metavar="ID", help="Your TikTok developer app's id (or TIKTOK_APP_ID)."),
]
SecretOpt = Annotated[
    str | None,
    typer.Option(
        "--secret",
        metavar="-",
        help="'-': read your app's secret from stdin (a hidden prompt on a terminal). A value is refused: "
        "on the command line every user of the machine can read it (/proc/<pid>/cmdline). "
        "Usually: TIKTOK_APP_SECRET or `secret` in the config file.",
        show_default=False,
    ),
]
ApiBaseOpt = Annotated[
    str | None,
    typer.Option(
        "--api-base",
        metavar="URL",
        help="API root, e.g. the emulator's; also TIKTOK_API_BASE. Default: production.",
    ),
]
SandboxOpt = Annotated[bool, typer.Option("--sandbox", help="Use TikTok's sandbox API.")]


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="PATH", help="TOML config file (default ./tiktok-ads-mart.toml if present)."
    ),
]


def _from_config_file(config_path: Path | None = None) -> dict[str, Any]:
    """app_id / secret / api_base / portal_url from the config file, read by the sync's config module."""
    return app_credentials(config_path)


def _app_credentials(
    app_id: str | None, secret: str | None, config_path: Path | None = None
) -> tuple[str, Secret]:
    """Flags, then TIKTOK_APP_ID / TIKTOK_APP_SECRET (read in one place, auth.refresh.app_from_env), then
    the config file."""
    env_app_id, env_secret = app_from_env()
    app_id = app_id or env_app_id
    secret = _from_stdin(secret, "--secret", "app secret") or (env_secret.reveal() if env_secret else None)
    from_file = _from_config_file(config_path) if not app_id or not secret or config_path else {}
    app = app_id or from_file.get("app_id")
    secret_value: Secret | str | None = secret or from_file.get("secret")
    if not app:
        raise ConfigError(
            "an app_id is needed: pass --app-id, set TIKTOK_APP_ID or put app_id in the config file"
        )
    if not secret_value:
        raise ConfigError(
            "the app secret is needed: set TIKTOK_APP_SECRET, put secret in the config file, or pass --secret - "
            "and give it on stdin"
        )
    return str(app), Secret(secret_value) if isinstance(secret_value, str) else secret_value


def _from_stdin(value: str | None, option: str, what: str) -> str | None:
    """A secret given as ``option -``: read from stdin, or a hidden prompt on a terminal, never argv."""
    if value is None:
        return None
    if value != "-":
        raise ConfigError(
            f"{option} takes '-' and reads the {what} from stdin (or a hidden prompt): a value on the "
            "command line is readable by every user of this machine in /proc/<pid>/cmdline"
        )
    read = getpass.getpass(f"{what}: ", stream=sys.stderr) if sys.stdin.isatty() else sys.stdin.readline()
    if not read.strip():
        raise ConfigError(f"no {what} given on stdin")
    return read.strip()


def _named_api_base(api_base: str | None, sandbox: bool, config_path: Path | None = None) -> ApiBase | None:
    """--api-base, --sandbox, TIKTOK_API_BASE, the config file: the first one set, and who named it."""
    configured = None
    if not api_base and not sandbox and not os.environ.get(API_BASE_ENV):
        found = _from_config_file(config_path)
        if found.get("api_base"):
            origin = f"{CONFIG_FILE_ORIGIN} {found.get('config_file')}"
            configured = ApiBase(found["api_base"], origin)
    return choose_api_base(api_base, sandbox=sandbox, configured=configured)


def _api_base(api_base: str | None, sandbox: bool, config_path: Path | None = None) -> str:
    """Where a login sends the app secret and the code: never a host only a config file names."""
    return url_for_app_secret(_named_api_base(api_base, sandbox, config_path))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "never"


def _report_login(credential: Credential, backend: str) -> None:
    count = len(credential.advertiser_ids)
    out.print(
        f"Logged in: profile {shown(repr(credential.profile))}, {count} advertiser(s), stored in {shown(backend)}."
    )
    for advertiser_id, name in credential.advertiser_names:
        out.print(f"  {shown(advertiser_id)}  {shown(name)}")


@auth_app.command("login", short_help="Authorize in the browser and store the credential.")
def login_command(
    app_id: AppIdOpt = None,
    secret: SecretOpt = None,
    redirect_uri: Annotated[
        str,
        typer.Option(
            "--redirect-uri", metavar="URL", help="Registered redirect URI; the login listens there once."
        ),
    ] = DEFAULT_REDIRECT_URI,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL instead of opening it.")
    ] = False,
    profile: ProfileOpt = "default",
    api_base: ApiBaseOpt = None,
    sandbox: SandboxOpt = False,
    portal_url: Annotated[
        str | None,
        typer.Option("--portal-url", metavar="URL", help="Consent page (default from the API base)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="SECONDS", help="Seconds to wait for the browser.")
    ] = 300.0,
    config_path: ConfigOpt = None,
) -> None:
    """Authorize in the browser; the redirect is caught locally and the credential stored encrypted."""
    app, app_secret = _app_credentials(app_id, secret, config_path)
    store = open_store()
    options = LoginOptions(
        app_id=app,
        secret=app_secret,
        api_base=_api_base(api_base, sandbox, config_path),
        portal_url=portal_url or _from_config_file(config_path).get("portal_url"),
        redirect_uri=redirect_uri,
        profile=profile,
        timeout=timeout,
    )

    def open_url(url: str) -> None:
        if no_browser or not webbrowser.open(url):
            err.print(f"Open this URL in a browser and authorize the app:\n{shown(url)}")
        err.print(f"Waiting for TikTok's redirect to {shown(redirect_uri)} (up to {timeout:g}s) ...")

    credential = asyncio.run(login(options, store=store, open_url=open_url))
    _report_login(credential, store.backend)


@auth_app.command("exchange", short_help="Finish a login from a code (no browser here).")
def exchange_command(
    auth_code: Annotated[
        str,
        typer.Option(
            "--auth-code",
            metavar="-",
            help="'-' (the default): read the auth_code, or the whole redirected URL, from stdin or a "
            "hidden prompt; never from the command line, where other users could read it.",
        ),
    ] = "-",
    state: Annotated[
        str | None, typer.Option("--state", metavar="TEXT", help="Expected state (checked against the URL).")
    ] = None,
    app_id: AppIdOpt = None,
    secret: SecretOpt = None,
    profile: ProfileOpt = "default",
    api_base: ApiBaseOpt = None,
    sandbox: SandboxOpt = False,
    config_path: ConfigOpt = None,
) -> None:
    """Finish a login on a machine without a browser, from the code or the redirected URL."""
    app, app_secret = _app_credentials(app_id, secret, config_path)
    store = open_store()
    options = LoginOptions(
        app_id=app, secret=app_secret, api_base=_api_base(api_base, sandbox, config_path), profile=profile
    )
    pasted = _from_stdin(auth_code, "--auth-code", "auth code or redirected URL") or ""
    credential = asyncio.run(exchange(options, pasted, store=store, expected_state=state))
    _report_login(credential, store.backend)


@auth_app.command("status", short_help="What is stored, per profile; never a token.")
def status_command(
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", metavar="NAME", help="One profile (default: all).")
    ] = None,
) -> None:
    """What is stored, per profile: app, advertisers, scope, times, backend; never a token."""
    if os.environ.get("TIKTOK_ACCESS_TOKEN"):
        out.print("TIKTOK_ACCESS_TOKEN is set: runs use that token, not a stored profile.")
    store = open_store()
    names = [profile] if profile else store.profiles()
    if not names:
        out.print(f"No credentials stored ({shown(store.backend)}). Run `tiktok-ads-mart auth login`.")
        return
    for name in names:
        credential = store.load(name)
        if credential is None:
            raise TokenStoreError(f"no credential stored for profile {name!r}")
        out.print(f"[bold]profile[/] {shown(credential.profile)}")
        out.print(f"  app_id        {shown(credential.app_id)}")
        out.print(f"  api_base      {shown(credential.api_base)}")
        advertisers = ", ".join(
            f"{i} ({credential.advertiser_name(i)})" if credential.advertiser_name(i) else i
            for i in credential.advertiser_ids
        )
        out.print(f"  advertisers   {shown(advertisers or 'none')}")
        out.print(f"  scope         {shown('; '.join(scope_titles(credential.scope)) or '-')}")
        out.print(f"  obtained      {_when(credential.obtained_at)}")
        expiry = (
            _when(credential.access_expires_at) if credential.access_expires_at else "long-lived (no expiry)"
        )
        out.print(f"  token expires {expiry}")
        if credential.refreshable:
            out.print(f"  refresh until {_when(credential.refresh_expires_at)}")
        out.print(f"  storage       {shown(store.backend)}")


@auth_app.command("refresh", short_help="Refresh the profile's access token now.")
def refresh_command(profile: ProfileOpt = "default", api_base: ApiBaseOpt = None) -> None:
    """Refresh the profile's access token now (tokens with a refresh token only)."""
    store = open_store()
    source = resolve_token_source(profile, store=store, api_base=api_base, env={})
    assert isinstance(source, RefreshingTokenSource)
    if not source.credential.refreshable:
        raise ConfigError(
            f"profile {profile!r} holds a long-lived token without refresh token; nothing to refresh"
        )
    credential = asyncio.run(source.refresh())
    out.print(
        f"Refreshed profile {shown(repr(profile))}; the token now expires {_when(credential.access_expires_at)}."
    )


@auth_app.command("logout", short_help="Revoke the token, then delete the credential.")
def logout_command(profile: ProfileOpt = "default", api_base: ApiBaseOpt = None) -> None:
    """Revoke the token at TikTok, then delete the stored credential."""
    store = open_store()
    asyncio.run(logout(profile, store, api_base=api_base))
    out.print(
        f"Logged out: profile {shown(repr(profile))} revoked at TikTok and deleted from {shown(store.backend)}."
    )


def advertisers_command(
    profile: ProfileOpt = "default",
    api_base: ApiBaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    advertiser_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--advertiser-ids",
            metavar="ID,...",
            help="Only these advertisers: comma-separated, or the option repeated.",
        ),
    ] = None,
) -> None:
    """The advertisers the credential reads: name, timezone, currency, status."""
    rows = asyncio.run(_advertisers(profile, api_base, advertiser_id_list(advertiser_ids or ())))
    if as_json:
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(
        Column("advertiser_id", no_wrap=True),
        Column("name", overflow="fold"),
        *(Column(name, no_wrap=True) for name in ("timezone", "currency", "status")),
        box=None,
        padding=(0, 2, 0, 0),
        pad_edge=False,
    )
    for row in rows:
        table.add_row(
            *(shown(row.get(k) or "") for k in ("advertiser_id", "name", "timezone", "currency", "status"))
        )
    out.print(table)


async def _advertisers(profile: str, api_base: str | None, only: tuple[str, ...]) -> list[dict[str, Any]]:
    source = resolve_token_source(profile, api_base=api_base)
    if isinstance(source, RefreshingTokenSource):  # its issuer's host, or the one --api-base named
        return await list_advertisers(source, source.api_base, only, source.credential.app_secret)
    base = url_for_bare_token(_named_api_base(api_base, False))
    return await list_advertisers(source, base, only, app_from_env()[1])


def register(app: typer.Typer) -> None:
    """Add `auth` and `advertisers` to the root app."""
    app.add_typer(auth_app, name="auth", short_help="Log in, and manage the stored credentials.")
    app.command("advertisers", short_help="List the advertisers the credential reads.")(advertisers_command)
