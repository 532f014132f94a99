"""The attacks and careless set-ups of the security review, each refused, through the CLI where a user
meets them: SQL through a path, a token sent where a config file says, markup and escape sequences in
TikTok's data, a login that spends its code before it can store the token, secrets on the command line,
a redirect listening beyond loopback, pipelines directories that grow and are readable by all, throttling
with no limit configured, and a full disk."""

from __future__ import annotations

import re
import stat
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from conftest import small_world
from tiktok_ads_mart.auth import Credential, EncryptedFileStore
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.emulator import run_emulator
from tiktok_ads_mart.secret import Secret
from utils import cli_env, query, run_cli

PASSPHRASE = "security tests passphrase"
HOSTILE_NAME = "Evil [/bold] Co [link=https://evil.example]x[/link] \x1b]0;pwned\x07\x1b[31mred"


def _cli(*args: str, env: dict[str, str], cwd: Path | None = None, stdin: str | None = None) -> Any:
    return run_cli(*args, env=env, cwd=cwd, stdin=stdin)


def _env(home: Path, **extra: str) -> dict[str, str]:
    """A private home whose credentials live in the encrypted file (no keyring)."""
    defaults = {
        "TIKTOK_ADS_MART_PASSPHRASE": PASSPHRASE,
        "TIKTOK_ADS_MART_STORE": "file",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    return cli_env(home, **{**defaults, **extra})


def _one_error_line(done: Any, code: int) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("error: "), done.stderr
    return str(lines[-1])


def _store_profile(home: Path, running: Any, api_base: str | None = None) -> Credential:
    credential = Credential(
        profile="default",
        app_id=running.app_id,
        app_secret=Secret(running.secret),
        api_base=api_base or running.base_url,
        access_token=Secret(running.access_token),
        advertiser_ids=tuple(running.advertiser_ids),
    )
    EncryptedFileStore(home / "credentials.enc", Secret(PASSPHRASE)).save(credential)
    return credential


def _sync_args(running: Any, where: Path, *extra: str, quiet: bool = True) -> list[str]:
    return [
        "sync",
        "--duckdb-path",
        str(where / "mart.duckdb"),
        "--qps",
        "0",
        "--qpm",
        "0",
        "--now",
        running.emulator.now.isoformat(),
        *(["--quiet"] if quiet else []),
        *extra,
    ]


class _Listener:
    """A host a config file names: it records every request's headers and answers nothing useful."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        seen = self.headers

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                seen.append(dict(self.headers))
                self.send_response(500)
                self.end_headers()

            do_GET = do_POST = _record

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/open_api/v1.3/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    spy = _Listener()
    yield spy
    spy.close()


# --- 1. SQL through a path -------------------------------------------------------------------------


def test_a_quote_in_the_pipelines_path_loads_and_cannot_run_sql(serve: Any, tmp_path: Path) -> None:
    """HOME=/home/o'neil used to break every report load; a crafted path ran its own SQL."""
    running = serve(advertisers=1)
    pwned = tmp_path / "pwned.csv"
    crafted = tmp_path / f"o'neil', union_by_name=true); COPY (SELECT 42) TO '{pwned}'; --" / "p"
    env = _env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    streams = "campaigns,campaign_report_daily,ad_report_hourly"
    args = _sync_args(running, tmp_path, "--api-base", running.base_url, "--streams", streams)
    done = _cli(
        *args,
        "--pipelines-dir",
        str(crafted),
        env={**env, "TIKTOK_ADS_MART_ADVERTISER_IDS": running.advertiser_ids[0]},
    )
    assert done.returncode == 0, done.stderr
    assert not pwned.exists()
    mart = tmp_path / "mart.duckdb"
    (rows,) = query(mart, "select count(*) from tiktok.campaign_report_daily")[0]
    assert rows > 0 and query(mart, "select count(*) from tiktok.campaigns")[0][0] > 0
    assert query(mart, "select count(*) from tiktok.ad_report_hourly")[0][0] > rows


# --- 2. a token goes only to the host that issued it -------------------------------------------------


def test_a_config_file_cannot_send_the_stored_token_elsewhere(
    serve: Any, tmp_path: Path, listener: _Listener
) -> None:
    running = serve(advertisers=1)
    home = tmp_path / "home"
    _store_profile(home, running)
    project = tmp_path / "project"
    project.mkdir()
    (project / "tiktok-ads-mart.toml").write_text(f'api_base = "{listener.url}"\n')
    env = _env(home)
    refused = _one_error_line(_cli(*_sync_args(running, tmp_path), env=env, cwd=project), 2)
    assert "goes only to the host that issued it" in refused and "config file" in refused
    via_env = _cli(*_sync_args(running, tmp_path), env={**env, "TIKTOK_ADS_MART_API_BASE": listener.url})
    assert "goes only to the host that issued it" in _one_error_line(via_env, 2)
    assert listener.headers == []  # not one request reached it
    # named on the command line for this run, the user's own choice goes through
    named = _cli(*_sync_args(running, tmp_path, "--api-base", listener.url), env=env, cwd=project)
    assert named.returncode != 0 and listener.headers
    # and without the file, the stored profile goes to its issuer and works
    listener.headers.clear()
    home_run = _cli(*_sync_args(running, tmp_path, "--streams", "campaigns"), env=env, cwd=tmp_path)
    assert home_run.returncode == 0, home_run.stderr
    assert listener.headers == []


def test_login_sends_the_app_secret_only_to_a_host_the_user_named(
    tmp_path: Path, listener: _Listener
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "tiktok-ads-mart.toml").write_text(f'api_base = "{listener.url}"\n')
    env = _env(tmp_path / "home", TIKTOK_APP_ID="123", TIKTOK_APP_SECRET="app-secret-value")
    refused = _one_error_line(
        _cli("auth", "exchange", "--auth-code", "-", env=env, cwd=project, stdin="code\n"), 2
    )
    assert "not TikTok's API" in refused and "app-secret-value" not in refused
    assert listener.headers == []


@pytest.mark.parametrize(
    "api_base",
    ["http://business-api.example.com/open_api/v1.3/", "http://10.0.0.8:9000/open_api/v1.3/", "ftp://x/"],
)
def test_plain_http_is_only_for_loopback(tmp_path: Path, api_base: str) -> None:
    env = _env(tmp_path / "home", TIKTOK_ACCESS_TOKEN="t")
    line = _one_error_line(_cli("sync", "--api-base", api_base, env=env, cwd=tmp_path), 2)
    assert "https://" in line


def test_a_config_file_that_names_another_host_is_reported(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    (tmp_path / "tiktok-ads-mart.toml").write_text(f'api_base = "{running.base_url}"\n')
    env = _env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    done = _cli(
        *_sync_args(running, tmp_path, "--streams", "campaigns", quiet=False),
        "--advertiser-ids",
        running.advertiser_ids[0],
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "not TikTok's, named by config file" in done.stderr and "127.0.0.1" in done.stderr


# --- 3. TikTok's data is text, not markup -------------------------------------------------------------


def test_names_with_markup_and_escape_sequences_print_as_plain_text(tmp_path: Path) -> None:
    with run_emulator(small_world(advertisers=2, advertiser_names=(HOSTILE_NAME,))) as running:
        home = tmp_path / "home"
        _store_profile(home, running)
        env = _env(home)
        table = _cli("advertisers", "--api-base", running.base_url, env=env)
        assert table.returncode == 0, table.stderr
        assert "Evil [/bold] Co [link=https://evil.example]x[/link]" in table.stdout
        assert "\x1b" not in table.stdout + table.stderr and "\x07" not in table.stdout
        as_json = _cli("advertisers", "--api-base", running.base_url, "--json", env=env)
        assert "\x1b" not in as_json.stdout  # JSON escapes it; the data itself stays as TikTok sent it
        named = {row["advertiser_id"]: row["name"] for row in orjson.loads(as_json.stdout)}
        assert named[running.advertiser_ids[0]] == HOSTILE_NAME
        EncryptedFileStore(home / "credentials.enc", Secret(PASSPHRASE)).save(
            Credential(
                profile="default",
                app_id=running.app_id,
                app_secret=Secret(running.secret),
                api_base=running.base_url,
                access_token=Secret(running.access_token),
                advertiser_ids=tuple(running.advertiser_ids),
                advertiser_names=((running.advertiser_ids[0], HOSTILE_NAME),),
            )
        )
        status = _cli("auth", "status", env=env)
        assert status.returncode == 0, status.stderr
        assert "Evil [/bold] Co" in status.stdout and "\x1b" not in status.stdout


# --- 4. the store is checked before the auth code is spent ---------------------------------------------


def test_a_wrong_passphrase_stops_login_before_the_code_is_spent(tmp_path: Path) -> None:
    with run_emulator(small_world(advertisers=1, token_mode="expiring")) as running:
        home = tmp_path / "home"
        _store_profile(home, running)
        env = _env(
            home,
            TIKTOK_ADS_MART_PASSPHRASE="not the passphrase",
            TIKTOK_APP_ID=running.app_id,
            TIKTOK_APP_SECRET=running.secret,
        )
        before = running.emulator.stats()
        line = _one_error_line(
            _cli("auth", "exchange", "--api-base", running.base_url, env=env, stdin="a-code\n"), 1
        )
        assert "TIKTOK_ADS_MART_PASSPHRASE" in line
        assert running.emulator.stats() == before  # no exchange, no advertiser listing


def test_a_token_that_cannot_be_stored_is_revoked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from tiktok_ads_mart.auth import LoginOptions
    from tiktok_ads_mart.auth.oauth import complete_login
    from tiktok_ads_mart.errors import AuthExpired, TokenStoreError

    with run_emulator(small_world(advertisers=1)) as running:
        store = EncryptedFileStore(tmp_path / "credentials.enc", Secret(PASSPHRASE))
        issued: list[Secret] = []
        real_save = store.save

        def full_disk(credential: Credential) -> None:
            issued.append(credential.access_token)
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(store, "save", full_disk)
        options = LoginOptions(
            app_id=running.app_id, secret=Secret(running.secret), api_base=running.base_url
        )
        code = Secret(running.emulator.tokens.issue_auth_code(running.advertiser_ids))
        with pytest.raises(TokenStoreError, match="revoked at TikTok"):
            asyncio.run(complete_login(options, code, store))
        assert issued
        monkeypatch.setattr(store, "save", real_save)

        async def advertisers_with(token: Secret) -> Any:
            async with options.client(token) as client:
                return await client.get(
                    "oauth2/advertiser/get/", {"app_id": running.app_id, "secret": Secret(running.secret)}
                )

        with pytest.raises(AuthExpired):
            asyncio.run(advertisers_with(issued[0]))


# --- 5. secrets never on the command line ---------------------------------------------------------------


def test_secrets_are_refused_on_the_command_line_and_read_from_stdin(tmp_path: Path) -> None:
    with run_emulator(small_world(advertisers=1)) as running:
        env = _env(tmp_path / "home", TIKTOK_APP_ID=running.app_id)
        refused = _one_error_line(
            _cli("auth", "exchange", "--secret", running.secret, "--api-base", running.base_url, env=env), 2
        )
        assert "/proc" in refused and running.secret not in refused
        code = running.emulator.tokens.issue_auth_code(running.advertiser_ids)
        # `--secret -` reads the first line of stdin, the auth code (`--auth-code -`, the default) the next
        done = _cli(
            "auth",
            "exchange",
            "--secret",
            "-",
            "--api-base",
            running.base_url,
            env=env,
            stdin=f"{running.secret}\n{code}\n",
        )
        assert done.returncode == 0, done.stderr
        assert "Logged in" in done.stdout
        code = running.emulator.tokens.issue_auth_code(running.advertiser_ids)
        code_refused = _one_error_line(
            _cli(
                "auth",
                "exchange",
                "--auth-code",
                code,
                "--api-base",
                running.base_url,
                env={**env, "TIKTOK_APP_SECRET": running.secret},
            ),
            2,
        )
        assert "--auth-code takes '-'" in code_refused
        help_text = _cli("auth", "login", "--help", env=env).stdout
        assert "/proc" in help_text


# --- 6. the redirect listens on loopback only -----------------------------------------------------------


@pytest.mark.parametrize("redirect", ["http://0.0.0.0:18081/callback", "http://192.168.1.5:8080/callback"])
def test_a_redirect_beyond_loopback_is_refused(tmp_path: Path, redirect: str) -> None:
    env = _env(tmp_path / "home", TIKTOK_APP_ID="1", TIKTOK_APP_SECRET="s")
    line = _one_error_line(_cli("auth", "login", "--no-browser", "--redirect-uri", redirect, env=env), 2)
    assert "must be a local http:// address" in line


# --- 7. the pipelines directory: private, and no copies of loaded data ----------------------------------


def test_the_pipelines_directory_is_private_and_keeps_no_loaded_packages(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    pipelines = tmp_path / "elsewhere" / "pipelines"
    env = _env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    args = _sync_args(running, tmp_path, "--api-base", running.base_url, "--pipelines-dir", str(pipelines))
    for _ in range(2):
        done = _cli(*args, "--advertiser-ids", running.advertiser_ids[0], env=env)
        assert done.returncode == 0, done.stderr
    for path in [pipelines, *pipelines.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))
    leftovers = [p for p in pipelines.rglob("*") if p.suffix in (".parquet", ".jsonl", ".gz")]
    assert leftovers == []
    assert not any((pipelines / "tiktok_ads_mart" / "load" / "loaded").iterdir())
    assert sum(p.stat().st_size for p in pipelines.rglob("*") if p.is_file()) < 2_000_000


# --- 8. throttling slows a run that has no limit configured ---------------------------------------------


def test_throttling_slows_an_unlimited_run_until_it_fits(tmp_path: Path) -> None:
    with run_emulator(small_world(advertisers=3, days=20, qps=10, qpm=0)) as running:
        env = _env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
        streams = "campaigns,ad_groups,ads,campaign_report_daily,ad_report_daily,adgroup_report_hourly"
        done = _cli(
            *_sync_args(running, tmp_path, "--api-base", running.base_url, "--streams", streams, quiet=False),
            "--advertiser-ids",
            ",".join(running.advertiser_ids),
            env=env,
        )
        assert done.returncode == 0, done.stderr
        stats = running.emulator.stats()
        # one burst refused (at most the requests in flight when the first 40100 came back), then none
        assert 0 < stats["throttled"] <= SyncSettings().concurrency, stats
        learned = re.search(r"going on at (\d+) requests/s", done.stderr)
        assert learned is not None, done.stderr
        assert 5 <= int(learned[1]) <= 8, learned[0]  # a share of the emulator's 10 QPS, not half a burst


# --- 9. a full disk is named as such --------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("full", ["mart", "pipelines"])
def test_a_full_disk_is_named_with_its_path(serve: Any, tmp_path: Path, tiny_disk: Path, full: str) -> None:
    running = serve(advertisers=2, days=30)
    env = _env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    mart, pipelines = (tiny_disk, tmp_path / "p") if full == "mart" else (tmp_path, tiny_disk / "p")
    args = _sync_args(running, mart, "--api-base", running.base_url, "--streams", "ad_report_hourly")
    ids = ",".join(running.advertiser_ids)
    done = _cli(*args, "--pipelines-dir", str(pipelines), "--advertiser-ids", ids, env=env)
    line = _one_error_line(done, 1)
    assert "disk full at" in line and str(tiny_disk) in line, line
