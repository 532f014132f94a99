"""`tiktok-ads-mart demo`: the main job end to end, offline, in well under a minute.

It starts the emulator in-process, logs in through the emulator's consent page exactly as a user would
(the "browser" here is a few plain HTTP requests: open the page, press Authorize, follow the redirect to
the local callback), keeps the credential in a demo-only encrypted file store with a passphrase made up
for this run, syncs every default stream into ./tiktok_ads.duckdb and queries the mart.
"""

from __future__ import annotations

import asyncio
import html.parser
import secrets
import shlex
import shutil
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpx
from dlt.common.data_writers.escape import escape_postgres_identifier
from rich.console import Console
from rich.table import Table

from tiktok_ads_mart.cli.common import shown
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.errors import TikTokAdsMartError
from tiktok_ads_mart.secret import Secret

if TYPE_CHECKING:
    from tiktok_ads_mart.auth import Credential, TokenStore
    from tiktok_ads_mart.emulator import RunningEmulator

DEMO_WORLD = {
    "seed": 7,
    "advertisers": 3,
    "days": 45,
    "campaigns_per_advertiser": 3,
    "adgroups_per_campaign": 2,
    "ads_per_adgroup": 2,
    "audiences_per_advertiser": 4,
}
SPEND_QUERY = """
SELECT a.name AS advertiser, r.stat_time_day AS day, r.spend, r.currency
FROM {dataset}.advertiser_report_daily AS r
JOIN {dataset}.advertisers AS a USING (advertiser_id)
WHERE r.stat_time_day > (SELECT max(stat_time_day) - INTERVAL 5 DAY FROM {dataset}.advertiser_report_daily)
ORDER BY advertiser, day
"""


class _ConsentForm(html.parser.HTMLParser):
    """The consent page's form: its action and hidden inputs (what a browser would submit)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action")
        elif tag == "input" and values.get("name"):
            kind = values.get("type", "text")
            if kind == "hidden" or (kind == "checkbox" and "checked" in values):
                self.fields.append((values["name"], values.get("value", "")))


def play_browser(url: str) -> None:
    """Open the consent page, press Authorize, and follow the redirect to the local callback."""
    with httpx.Client(timeout=30.0, follow_redirects=False) as browser:
        page = browser.get(url)
        page.raise_for_status()
        form = _ConsentForm()
        form.feed(page.text)
        if not form.action:
            raise TikTokAdsMartError("the consent page has no form to submit")
        data: dict[str, list[str]] = {}
        for name, value in [*form.fields, ("decision", "authorize")]:
            data.setdefault(name, []).append(value)
        answer = browser.post(urljoin(str(page.url), form.action), data=data)
        location = answer.headers.get("location")
        if answer.status_code not in (301, 302, 303, 307) or not location:
            raise TikTokAdsMartError(f"the consent page answered {answer.status_code} instead of a redirect")
        browser.get(location)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spend_table(duckdb_path: Path, dataset: str) -> Table:
    import duckdb

    table = Table(title="spend per advertiser per day (last days, each in its own currency)")
    for column in ("advertiser", "day", "spend", "currency"):
        table.add_column(column, justify="right" if column == "spend" else "left")
    with duckdb.connect(str(duckdb_path), read_only=True) as conn:
        query = SPEND_QUERY.format(dataset=escape_postgres_identifier(dataset))  # an identifier: quoted
        for advertiser, day, spend, currency in conn.execute(query).fetchall():
            table.add_row(
                shown(advertiser), shown(day), f"{spend:,.2f}" if spend is not None else "-", shown(currency)
            )
    return table


def login_through_consent(
    running: RunningEmulator, store: TokenStore, *, profile: str, timeout: float = 60.0
) -> Credential:
    """Log in to a running emulator the way a user does (consent page, local callback, code exchange),
    with plain HTTP playing the browser, and store the credential under ``profile``."""
    from tiktok_ads_mart.auth import LoginOptions, login

    options = LoginOptions(
        app_id=running.app_id,
        secret=Secret(running.secret),
        api_base=running.base_url,
        portal_url=running.portal_url,
        redirect_uri=f"http://127.0.0.1:{_free_port()}/callback",
        profile=profile,
        timeout=timeout,
    )
    return asyncio.run(login(options, store=store, open_url=play_browser))


def run_demo(
    *, directory: Path, duckdb_path: Path, quiet: bool = False, console: Console | None = None
) -> int:
    """Run the whole demo; returns the exit code (0 when every advertiser synced)."""
    from tiktok_ads_mart.auth import EncryptedFileStore, resolve_token_source
    from tiktok_ads_mart.cli.progress import choose_mode, make_reporter, render_summary
    from tiktok_ads_mart.emulator import EmulatorConfig, run_emulator
    from tiktok_ads_mart.sync.run import run_sync

    console = console or Console(highlight=False, soft_wrap=True)
    directory.mkdir(parents=True, exist_ok=True)
    store_path = directory / "credentials.enc"
    store_path.unlink(missing_ok=True)
    store = EncryptedFileStore(store_path, Secret(secrets.token_urlsafe(32)))
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    config = EmulatorConfig(**DEMO_WORLD, now=now, qps=0, qpm=0)  # type: ignore[arg-type]
    with run_emulator(config) as running:
        console.print(f"emulator serving {running.base_url} (offline TikTok Business API)")
        credential: Any = login_through_consent(running, store, profile="demo")
        console.print(
            f"authorized app {running.app_id} for {len(credential.advertiser_ids)} advertisers "
            f"(credential kept encrypted in {store_path})"
        )
        token = resolve_token_source("demo", store=store, api_base=running.base_url, env={})
        settings = SyncSettings(
            api_base=running.base_url,
            profile="demo",
            duckdb_path=duckdb_path,
            pipelines_dir=directory / "pipelines",
            qps=0,
            qpm=0,
            now=now,
        )
        reporter = make_reporter(choose_mode(quiet, console), console)
        result = run_sync(settings, token_source=token, reporter=reporter)
    render_summary(result, console)
    console.print(_spend_table(duckdb_path, settings.dataset_name))
    table = f"{escape_postgres_identifier(settings.dataset_name)}.campaign_report_daily"
    snippet = (
        f"import duckdb; duckdb.connect({str(duckdb_path)!r}).sql('select * from {table} limit 5').show()"
    )
    console.print(
        f"the mart is in {shown(duckdb_path.resolve())} (schema {shown(settings.dataset_name)}); "
        f"query it with the duckdb CLI, or:\n  {shown(shlex.quote(python_for_hint()))} -c {shown(shlex.quote(snippet))}"
    )
    return result.exit_code


def python_for_hint() -> str:
    """The interpreter that has duckdb: this one (the system's `python` may not), relative when it is
    under the working directory, as `.venv/bin/python` is after `make demo`."""
    executable = Path(sys.executable)
    try:
        return str(executable.relative_to(Path.cwd()))
    except ValueError:
        return str(executable)


def reset_demo(directory: Path) -> None:
    """Forget the demo's state (the next demo run starts from scratch)."""
    shutil.rmtree(directory, ignore_errors=True)


__all__ = ["play_browser", "reset_demo", "run_demo"]
