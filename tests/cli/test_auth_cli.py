"""`tiktok-ads-mart auth ...` and `advertisers` run as a user runs them (a subprocess) against the emulator.

Every run's stdout and stderr, and every file the runs leave in the home directory, are searched for the
secrets involved; failures must be one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import orjson
import pytest

from tiktok_ads_mart.auth import EncryptedFileStore
from tiktok_ads_mart.emulator import RunningEmulator
from tiktok_ads_mart.secret import Secret

PASSPHRASE = "cli passphrase for tests"
CONSENT_SCRIPT = Path(__file__).resolve().parents[1] / "auth" / "consent_browser.py"


@dataclass
class Cli:
    """Runs the CLI with a private home, and remembers every byte it printed."""

    home: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 60, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "tiktok_ads_mart", *args],
            env={**self.env, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.outputs += [result.stdout, result.stderr]
        return result

    def fails_in_one_line(
        self, *args: str, code: int = 1, env: dict[str, str] | None = None, stdin: str | None = None
    ) -> str:
        result = self.run(*args, env=env, stdin=stdin)
        assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("error: "), result.stderr
        return lines[-1]


def consent_browser() -> ModuleType:
    """The consent helper of tests/auth, loaded by path (tests/ is not a package)."""
    module = sys.modules.get("consent_browser")
    if module is None:
        spec = importlib.util.spec_from_file_location("consent_browser", CONSENT_SCRIPT)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["consent_browser"] = module
        spec.loader.exec_module(module)
    return module


def free_redirect_uri() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/callback"


@pytest.fixture
def cli(tmp_path: Path, expiring_oauth_emulator: RunningEmulator) -> Cli:
    home = tmp_path / "home"
    browser = tmp_path / "consent-browser"
    browser.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{CONSENT_SCRIPT}" "$@"\n')
    browser.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")}
    env.update(
        TIKTOK_ADS_MART_HOME=str(home),
        TIKTOK_ADS_MART_PASSPHRASE=PASSPHRASE,
        TIKTOK_ADS_MART_STORE="file",
        TIKTOK_APP_ID=expiring_oauth_emulator.app_id,
        TIKTOK_APP_SECRET=expiring_oauth_emulator.secret,
        TIKTOK_API_BASE=expiring_oauth_emulator.base_url,
        BROWSER=str(browser),
        CONSENT_DRIVER="http",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    if os.environ.get("TIKTOK_ADS_MART_CHROMIUM"):
        env["TIKTOK_ADS_MART_CHROMIUM"] = os.environ["TIKTOK_ADS_MART_CHROMIUM"]
    return Cli(home, env)


def stored_secrets(cli: Cli) -> list[str]:
    credential = EncryptedFileStore(cli.home / "credentials.enc", Secret(PASSPHRASE)).load("default")
    assert credential is not None
    values = [credential.access_token.reveal(), credential.app_secret.reveal()]
    if credential.refresh_token:
        values.append(credential.refresh_token.reveal())
    return values


def assert_nowhere(cli: Cli, secrets: set[str]) -> None:
    """No secret in any output, nor in any file of the home dir; the encrypted file holds no plaintext."""
    for text in cli.outputs:
        for value in secrets:
            assert value not in text
    for path in cli.home.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            for value in secrets:
                assert value.encode() not in blob, path.name


def test_login_status_advertisers_refresh_logout(cli: Cli, expiring_oauth_emulator: RunningEmulator) -> None:
    secrets = {expiring_oauth_emulator.secret, expiring_oauth_emulator.access_token}
    result = cli.run("auth", "login", "--redirect-uri", free_redirect_uri(), "--timeout", "20")
    assert result.returncode == 0, result.stderr
    assert "Logged in: profile 'default', 2 advertiser(s)" in result.stdout
    secrets.update(stored_secrets(cli))

    status = cli.run("auth", "status")
    assert status.returncode == 0, status.stderr
    assert expiring_oauth_emulator.app_id in status.stdout and "encrypted file" in status.stdout
    # the granted scopes by name, as the developer portal words them (the app has every scope)
    for title in ("Read Ad Account Information", "Read Campaigns", "Read Ad Groups", "Read Ads",
                  "Read Custom Audiences", "Consolidated Report"):  # fmt: skip
        assert title in status.stdout, title
    for advertiser in expiring_oauth_emulator.emulator.world.advertisers():
        assert advertiser["advertiser_id"] in status.stdout and advertiser["name"] in status.stdout

    listed = cli.run("advertisers", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = orjson.loads(listed.stdout)
    world = {a["advertiser_id"]: a for a in expiring_oauth_emulator.emulator.world.advertisers()}
    assert {r["advertiser_id"] for r in rows} == set(world)
    for row in rows:
        truth = world[row["advertiser_id"]]
        assert (row["name"], row["timezone"], row["currency"], row["status"]) == (
            truth["name"],
            truth["timezone"],
            truth["currency"],
            truth["status"],
        )
    table = cli.run("advertisers")
    assert table.returncode == 0 and all(a["advertiser_id"] in table.stdout for a in world.values())
    first, second = sorted(world)
    for flags in (
        ["--advertiser-ids", f"{second},{first}"],
        ["--advertiser-ids", second, "--advertiser-ids", first],
    ):
        only = cli.run("advertisers", "--json", *flags)
        assert only.returncode == 0, only.stderr
        assert [r["advertiser_id"] for r in orjson.loads(only.stdout)] == [second, first]

    expiring_oauth_emulator.emulator.set_now(expiring_oauth_emulator.emulator.now + timedelta(hours=25))
    refreshed = cli.run("auth", "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    secrets.update(stored_secrets(cli))
    assert cli.run("advertisers").returncode == 0
    assert expiring_oauth_emulator.emulator.stats()["requests"]["oauth2/refresh_token/"] == 1

    out = cli.run("auth", "logout")
    assert out.returncode == 0, out.stderr
    assert "revoked" in out.stdout
    assert "no credential stored" in cli.fails_in_one_line("advertisers")
    assert_nowhere(cli, secrets)
    assert (cli.home / "credentials.enc").exists()


@pytest.mark.browser
def test_cli_login_through_a_real_browser(cli: Cli, expiring_oauth_emulator: RunningEmulator) -> None:
    if consent_browser().chromium_path() is None and not os.environ.get("CI"):
        pytest.skip("chromium is not installed (make test installs it)")
    result = cli.run(
        "auth",
        "login",
        "--redirect-uri",
        free_redirect_uri(),
        "--profile",
        "work",
        env={"CONSENT_DRIVER": "chromium"},
    )
    assert result.returncode == 0, result.stderr
    assert "profile 'work'" in result.stdout
    status = cli.run("auth", "status", "--profile", "work")
    assert expiring_oauth_emulator.app_id in status.stdout


def test_advertisers_with_a_token_from_the_environment(
    cli: Cli, expiring_oauth_emulator: RunningEmulator
) -> None:
    """CI and containers: TIKTOK_ACCESS_TOKEN, no stored profile; the ids come from oauth2/advertiser/get/."""
    listed = cli.run(
        "advertisers", "--json", env={"TIKTOK_ACCESS_TOKEN": expiring_oauth_emulator.access_token}
    )
    assert listed.returncode == 0, listed.stderr
    assert sorted(r["advertiser_id"] for r in orjson.loads(listed.stdout)) == sorted(
        expiring_oauth_emulator.advertiser_ids
    )
    assert not (cli.home / "credentials.enc").exists()
    assert_nowhere(cli, {expiring_oauth_emulator.access_token, expiring_oauth_emulator.secret})


def test_login_uses_a_usable_os_keyring(
    cli: Cli, expiring_oauth_emulator: RunningEmulator, tmp_path: Path
) -> None:
    keyring_env = {
        "PYTHON_KEYRING_BACKEND": "file_keyring.TestKeyring",
        "PYTHONPATH": str(CONSENT_SCRIPT.parent),
        "TEST_KEYRING_FILE": str(tmp_path / "os-keyring.json"),
        "TIKTOK_ADS_MART_STORE": "",
        "TIKTOK_ADS_MART_PASSPHRASE": "",
    }
    result = cli.run(
        "auth", "login", "--redirect-uri", free_redirect_uri(), "--profile", "kr", env=keyring_env
    )
    assert result.returncode == 0, result.stderr
    assert "stored in keyring file_keyring.TestKeyring" in result.stdout
    status = cli.run("auth", "status", env=keyring_env)
    assert "profile kr" in status.stdout and "keyring file_keyring.TestKeyring" in status.stdout
    assert not (cli.home / "credentials.enc").exists()
    assert cli.run("auth", "logout", "--profile", "kr", env=keyring_env).returncode == 0
    assert "No credentials stored" in cli.run("auth", "status", env=keyring_env).stdout


def test_exchange_from_a_pasted_url_and_a_reused_code(
    cli: Cli, expiring_oauth_emulator: RunningEmulator
) -> None:
    redirect = "http://127.0.0.1:9/callback"  # nobody listens: the user copies the URL from the address bar
    portal = f"{expiring_oauth_emulator.portal_url}?app_id={expiring_oauth_emulator.app_id}&state=s1&redirect_uri={redirect}"
    pasted = _redirect_location(portal)
    assert "auth_code=" in pasted
    ok = cli.run("auth", "exchange", "--state", "s1", stdin=pasted + "\n")
    assert ok.returncode == 0, ok.stderr
    assert "40110" in cli.fails_in_one_line("auth", "exchange", stdin=pasted + "\n")


def _redirect_location(portal: str) -> str:
    import re

    import httpx

    with httpx.Client() as client:
        page = client.get(portal).text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
        fields["decision"] = "authorize"
        answer = client.post(portal.split("?")[0] + "/decision", data=fields)
        return answer.headers["location"]


def test_bad_input_is_one_line_and_a_non_zero_exit(
    cli: Cli, expiring_oauth_emulator: RunningEmulator
) -> None:
    assert cli.run("auth", "login", "--redirect-uri", free_redirect_uri()).returncode == 0
    unknown = cli.fails_in_one_line("advertisers", "--advertiser-ids", "1234567890123456789")
    assert "40001" in unknown and "request_id" in unknown
    typo = cli.fails_in_one_line("advertisers", "--advertiser-ids", "1234567890123456789,12x", code=2)
    assert "advertiser id '12x' must be digits only" in typo
    wrong_secret = cli.fails_in_one_line("auth", "exchange", "--secret", "-", stdin="not-the-secret\nabc\n")
    assert "40101" in wrong_secret and "not-the-secret" not in wrong_secret
    malformed = cli.fails_in_one_line(
        "auth", "exchange", stdin="http://localhost:8080/callback?state=x\n", code=2
    )
    assert "malformed redirect URL" in malformed
    state = cli.fails_in_one_line(
        "auth", "exchange", "--state", "y", stdin="http://localhost:8080/callback?auth_code=a&state=x\n"
    )
    assert "wrong state" in state
    no_store = cli.fails_in_one_line(
        "auth", "login", env={"TIKTOK_ADS_MART_STORE": "", "TIKTOK_ADS_MART_PASSPHRASE": ""}
    )
    assert "set TIKTOK_ADS_MART_PASSPHRASE" in no_store
    wrong_pass = cli.fails_in_one_line("auth", "status", env={"TIKTOK_ADS_MART_PASSPHRASE": "nope"})
    assert "wrong TIKTOK_ADS_MART_PASSPHRASE" in wrong_pass
    no_app = cli.fails_in_one_line("auth", "login", env={"TIKTOK_APP_ID": ""}, code=2)
    assert "app_id" in no_app
    long_lived = cli.fails_in_one_line("auth", "refresh", "--profile", "nobody")
    assert "nobody" in long_lived


def test_browser_failures_are_one_line(cli: Cli) -> None:
    denied = cli.fails_in_one_line(
        "auth", "login", "--redirect-uri", free_redirect_uri(), env={"CONSENT_DECISION": "deny"}
    )
    assert "access_denied" in denied
    timed_out = cli.fails_in_one_line(
        "auth", "login", "--redirect-uri", free_redirect_uri(), "--no-browser", "--timeout", "0.3"
    )
    assert "no answer from the browser" in timed_out
    redirect = free_redirect_uri()
    port = int(redirect.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        in_use = cli.fails_in_one_line("auth", "login", "--redirect-uri", redirect)
    assert f"port {port} is in use" in in_use


async def test_library_logs_carry_no_secrets(
    expiring_oauth_emulator: RunningEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The same flows in-process with every logger at DEBUG: login, refresh, paging, logout."""
    consent_http = consent_browser().consent_http

    from tiktok_ads_mart.api import RateLimits, TikTokClient
    from tiktok_ads_mart.auth import LoginOptions, login, logout, resolve_token_source

    caplog.set_level(logging.DEBUG)
    store = EncryptedFileStore(tmp_path / "credentials.enc", Secret(PASSPHRASE))
    options = LoginOptions(
        app_id=expiring_oauth_emulator.app_id,
        secret=Secret(expiring_oauth_emulator.secret),
        api_base=expiring_oauth_emulator.base_url,
        redirect_uri=free_redirect_uri(),
        timeout=10,
        limits=RateLimits(0, 0),
    )
    first = await login(options, store=store, open_url=lambda url: consent_http(url))
    expiring_oauth_emulator.emulator.set_now(expiring_oauth_emulator.emulator.now + timedelta(hours=25))
    source = resolve_token_source("default", store=store, env={}, limits=RateLimits(0, 0))
    async with TikTokClient(expiring_oauth_emulator.base_url, source, limits=RateLimits(0, 0)) as client:
        await client.get(
            "oauth2/advertiser/get/",
            {"app_id": expiring_oauth_emulator.app_id, "secret": Secret(expiring_oauth_emulator.secret)},
        )
    second = store.load("default")
    assert second is not None and second.refresh_token is not None and first.refresh_token is not None
    await logout("default", store)
    values = {
        expiring_oauth_emulator.secret,
        PASSPHRASE,
        first.access_token.reveal(),
        first.refresh_token.reveal(),
        second.access_token.reveal(),
        second.refresh_token.reveal(),
    }
    text = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert "oauth2/advertiser/get/" in text  # the request was logged, by path
    for value in values:
        assert value not in text
