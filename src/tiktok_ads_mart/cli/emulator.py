"""`tiktok-ads-mart emulator serve`: run the local TikTok API emulator until stopped.

Stdout carries exactly one JSON line (where to connect and with which offline credentials) so scripts
can read it; everything else goes to stderr. Options are parsed here rather than by Typer so that every
bad value is one line and exit code 2, never a usage box or a traceback.
"""

from __future__ import annotations

import signal
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn

import orjson
import typer

from tiktok_ads_mart.cli import common

emulator_app = typer.Typer(
    name="emulator",
    help="Run a local TikTok Business API emulator (seeded fake accounts, OAuth, limits and faults).",
    no_args_is_help=True,
    rich_markup_mode=None,  # click's help wraps at any width; Rich's table cut defaults at 80 columns
)

USAGE_EXIT = 2


def fail(message: str, exit_code: int = USAGE_EXIT) -> NoReturn:
    """``common.fail`` with a bad option's exit code. The message is plain text, option values and all:
    ``common.fail`` escapes it for Rich, so it is not escaped here too (``[x]`` would show as ``\\[x]``)."""
    common.fail(message, exit_code)


def _int(name: str, text: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        fail(f"{name} must be an integer, got {text!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        fail(f"{name} must be at least {minimum}{upper}, got {value}")
    return value


def _float(name: str, text: str, *, minimum: float, maximum: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        fail(f"{name} must be a number, got {text!r}")
    if not value >= minimum or (maximum is not None and not value <= maximum):
        upper = f" and at most {maximum:g}" if maximum is not None else ""
        fail(f"{name} must be at least {minimum:g}{upper}, got {text}")
    return value


def parse_now(text: str | None) -> datetime | None:
    """An ISO date (midnight UTC) or datetime (naive = UTC); None keeps the current hour."""
    if text is None or text.strip().lower() in ("", "now"):
        return None
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--now must be an ISO date or datetime (e.g. 2026-03-01 or 2026-03-01T12:00:00Z), got {text!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _fault_kinds(text: str | None) -> tuple[str, ...]:
    from tiktok_ads_mart.emulator.config import FAULT_KINDS

    if not text:
        return ()
    kinds = tuple(kind.strip() for kind in text.split(",") if kind.strip())
    for kind in kinds:
        if kind not in FAULT_KINDS:
            fail(f"unknown fault kind {kind!r} in --faults; choose from {','.join(FAULT_KINDS)}")
    return kinds


def _wait_for_stop() -> None:
    """Block the main thread until SIGINT or SIGTERM; the server runs in its own thread."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop.wait(0.5):
        pass


def _scopes(text: str) -> tuple[str, ...]:
    from tiktok_ads_mart.emulator.scopes import parse_scopes

    try:
        return parse_scopes(text)
    except ValueError as exc:
        fail(f"--scopes: {exc}")


@emulator_app.command("serve", short_help="Serve the emulator until Ctrl-C.")
def serve(
    host: Annotated[str, typer.Option(metavar="HOST", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[str, typer.Option(metavar="INT", help="Port; 0 picks a free one.")] = "9000",
    seed: Annotated[str, typer.Option(metavar="INT", help="Seed of the fake world.")] = "42",
    advertisers: Annotated[str, typer.Option(metavar="INT", help="Number of advertisers.")] = "3",
    days: Annotated[str, typer.Option(metavar="INT", help="History length in days ending at --now.")] = "60",
    campaigns: Annotated[str, typer.Option(metavar="INT", help="Campaigns per advertiser.")] = "4",
    adgroups: Annotated[str, typer.Option(metavar="INT", help="Ad groups per campaign.")] = "3",
    ads: Annotated[str, typer.Option(metavar="INT", help="Ads per ad group.")] = "3",
    audiences: Annotated[str, typer.Option(metavar="INT", help="Custom audiences per advertiser.")] = "6",
    now: Annotated[
        str | None,
        typer.Option(metavar="ISO", help="Emulator clock: ISO date or datetime (default: this hour)."),
    ] = None,
    token_mode: Annotated[
        str, typer.Option(metavar="MODE", help="long-lived (TikTok's default) or expiring (24 h + refresh).")
    ] = "long-lived",
    qps: Annotated[
        str, typer.Option(metavar="INT", help="Requests per second per app; 0 = unlimited.")
    ] = "10",
    qpm: Annotated[
        str, typer.Option(metavar="INT", help="Requests per minute per app; 0 = unlimited.")
    ] = "600",
    qpd: Annotated[
        str, typer.Option(metavar="INT", help="Requests per app per UTC day; 0 = unlimited.")
    ] = "0",
    scopes: Annotated[
        str,
        typer.Option(
            metavar="SCOPE,...",
            help="The app's permission scopes: ad_account, campaign, adgroup, ad, audience, reporting "
            "(or all); an endpoint outside them answers 40001.",
        ),
    ] = "all",
    latency_ms: Annotated[str, typer.Option(metavar="INT", help="Delay added to every API answer.")] = "0",
    fault_rate: Annotated[
        str, typer.Option(metavar="P", help="Share of data requests that fail, 0..1.")
    ] = "0",
    faults: Annotated[
        str | None, typer.Option(metavar="KIND,...", help="Fault kinds to draw from (default: all).")
    ] = None,
    stall_seconds: Annotated[
        str, typer.Option(metavar="S", help="How long a 'stall' fault holds the answer.")
    ] = "35",
    request_log: Annotated[
        Path | None, typer.Option(metavar="PATH", help="Append one JSON line per request (secrets masked).")
    ] = None,
) -> None:
    """Serve the emulator; print one JSON line with base_url, portal_url, app_id, secret, access_token and
    advertiser_ids, then log to stderr until Ctrl-C or SIGTERM."""
    from tiktok_ads_mart.emulator.config import EmulatorConfig, EmulatorConfigError
    from tiktok_ads_mart.emulator.server import run_emulator
    from tiktok_ads_mart.emulator.state import Emulator

    if token_mode not in ("long-lived", "expiring"):
        fail(f"--token-mode must be long-lived or expiring, got {token_mode!r}")
    try:
        config = EmulatorConfig(
            seed=_int("--seed", seed, minimum=-(2**63)),
            advertisers=_int("--advertisers", advertisers, minimum=1),
            days=_int("--days", days, minimum=1),
            campaigns_per_advertiser=_int("--campaigns", campaigns),
            adgroups_per_campaign=_int("--adgroups", adgroups),
            ads_per_adgroup=_int("--ads", ads),
            audiences_per_advertiser=_int("--audiences", audiences),
            now=parse_now(now),
            token_mode="expiring" if token_mode == "expiring" else "long-lived",
            qps=_int("--qps", qps),
            qpm=_int("--qpm", qpm),
            qpd=_int("--qpd", qpd),
            scopes=_scopes(scopes),
            latency_ms=_int("--latency-ms", latency_ms),
            fault_rate=_float("--fault-rate", fault_rate, minimum=0.0, maximum=1.0),
            faults=_fault_kinds(faults),
            request_log=request_log,
        )
    except EmulatorConfigError as exc:
        fail(str(exc))
    port_number = _int("--port", port, maximum=65535)
    stall = _float("--stall-seconds", stall_seconds, minimum=0.0)
    try:
        emulator = Emulator(config, stall_seconds=stall)
    except OSError as exc:
        fail(f"cannot open --request-log {request_log}: {exc.strerror or exc}")
    try:
        with run_emulator(emulator, host=host, port=port_number, log_level="warning") as running:
            sys.stdout.write(orjson.dumps(running.announcement()).decode() + "\n")
            sys.stdout.flush()
            typer.echo(
                f"emulator: {len(running.advertiser_ids)} advertisers, clock {emulator.now.isoformat()}, "
                f"serving {running.base_url} (Ctrl-C to stop)",
                err=True,
            )
            _wait_for_stop()
            typer.echo("emulator: stopping", err=True)
    except OSError as exc:
        reason = "address already in use" if exc.errno in (98, 48) else (exc.strerror or str(exc))
        fail(f"cannot listen on {host}:{port_number}: {reason}")
    finally:
        emulator.close()


def register(app: typer.Typer) -> None:
    """Add the ``emulator`` command group to the root app."""
    app.add_typer(emulator_app, name="emulator", short_help="Run a local TikTok Business API emulator.")
