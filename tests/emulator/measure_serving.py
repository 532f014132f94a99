"""Measure how fast the emulator serves a 1000-row report page over a real uvicorn socket.

Not a test (pytest does not collect it): timing depends on the machine. Run it with

    .venv/bin/python tests/emulator/measure_serving.py [--requests 300] [--in-process]

By default the server is ``tiktok-ads-mart emulator serve`` in its own process (as users run it), so the
client does not share its interpreter lock; ``--in-process`` uses ``run_emulator`` in a thread instead.
It prints the median and p95 wall time, seen by an httpx client on loopback, of

* ``warm``: page 1 of a report whose rows are already computed (what paging clients mostly hit), and
* ``cold``: a report of a new date window every request (the world computes and aggregates it first).
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from tiktok_ads_mart.emulator import Emulator, EmulatorConfig, run_emulator

METRICS = '["spend","impressions","clicks","ctr","cpc","cpm","conversion","cost_per_conversion"]'


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _params(advertiser_id: str, start: date, days: int) -> dict[str, str]:
    return {
        "advertiser_id": advertiser_id,
        "report_type": "BASIC",
        "data_level": "AUCTION_AD",
        "dimensions": '["ad_id","stat_time_day"]',
        "metrics": METRICS,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=days - 1)).isoformat(),
        "page": "1",
        "page_size": "1000",
    }


NOW = datetime(2026, 3, 1, tzinfo=UTC)
SIZES = {"seed": 42, "advertisers": 1, "days": 90, "campaigns": 10, "adgroups": 5, "ads": 4}


@contextmanager
def _served(in_process: bool, log: Path) -> Iterator[tuple[str, str, str]]:
    """(base_url, access_token, advertiser_id) of a server with 200 ads and no throttling."""
    if in_process:
        config = EmulatorConfig(
            seed=SIZES["seed"],
            advertisers=SIZES["advertisers"],
            days=SIZES["days"],
            campaigns_per_advertiser=SIZES["campaigns"],
            adgroups_per_campaign=SIZES["adgroups"],
            ads_per_adgroup=SIZES["ads"],
            now=NOW,
            qps=0,
            qpm=0,
            request_log=log,
        )
        with run_emulator(Emulator(config)) as running:
            yield running.base_url, running.access_token, running.advertiser_ids[0]
        return
    options = [f"--{name}={value}" for name, value in SIZES.items()]
    command = [sys.executable, "-m", "tiktok_ads_mart", "emulator", "serve", "--port=0", "--qps=0", "--qpm=0"]
    process = subprocess.Popen(
        [*command, *options, f"--now={NOW.isoformat()}", f"--request-log={log}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        yield info["base_url"], info["access_token"], info["advertiser_ids"][0]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def measure(requests: int, in_process: bool = False) -> dict[str, tuple[float, float, float, int]]:
    """Client median and p95, server-side median (ms), and rows per page, for warm and cold report pages."""
    now = NOW
    results: dict[str, tuple[float, float, float, int]] = {}
    log = Path(tempfile.mkdtemp()) / "requests.jsonl"
    with (
        _served(in_process, log) as (base_url, token, advertiser_id),
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        headers = {"Access-Token": token}
        first_day = (now - timedelta(days=60)).date()

        def timed(params: dict[str, str]) -> tuple[float, int]:
            started = time.perf_counter()
            response = client.get("report/integrated/get/", params=params, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            body = response.json()
            assert body["code"] == 0, body
            return elapsed, len(body["data"]["list"])

        warm_params = _params(advertiser_id, first_day, 30)
        timed(warm_params)
        warm = [timed(warm_params) for _ in range(requests)]
        cold = [
            timed(_params(advertiser_id, first_day + timedelta(days=i % 29), 30))
            for i in range(min(requests, 29))
        ]
    # The server's own time per request (parameters to last body byte handed over), from its request log.
    served = [json.loads(line)["ms"] for line in log.read_text().splitlines()][1:]
    server_ms = {"warm": served[:requests], "cold": served[requests:]}
    for name, samples in (("warm", warm), ("cold", cold)):
        times = [ms for ms, _ in samples]
        results[name] = (
            statistics.median(times),
            _percentile(times, 0.95),
            statistics.median(server_ms[name]),
            min(rows for _, rows in samples),
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300, help="warm requests to time")
    parser.add_argument("--in-process", action="store_true", help="serve from a thread of this process")
    args = parser.parse_args()
    for name, (median, p95, server, rows) in measure(args.requests, args.in_process).items():
        print(
            f"{name}: {rows}-row report page: median {median:.2f} ms, p95 {p95:.2f} ms at the client; "
            f"median {server:.2f} ms inside the server"
        )


if __name__ == "__main__":
    main()
