"""Measure how fast the emulator serves a 1000-row report page over a real uvicorn socket.

Not a test (pytest does not collect it): timing depends on the machine. Run it with

    .venv/bin/python tests/emulator/measure_serving.py [--requests 300]

It prints the median and p95 wall time, seen by an httpx client on loopback, of

* ``warm``: page 1 of a report whose rows are already computed (what paging clients mostly hit), and
* ``cold``: a report of a new date window every request (the world computes and aggregates it first).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime, timedelta

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


def measure(requests: int) -> dict[str, tuple[float, float, int]]:
    """Median and p95 milliseconds and rows per page, for warm and cold report pages."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    config = EmulatorConfig(
        seed=42,
        advertisers=1,
        days=90,
        campaigns_per_advertiser=10,
        adgroups_per_campaign=5,
        ads_per_adgroup=4,
        now=now,
        qps=0,
        qpm=0,
    )
    results: dict[str, tuple[float, float, int]] = {}
    with (
        run_emulator(Emulator(config)) as running,
        httpx.Client(base_url=running.base_url, timeout=30) as client,
    ):
        headers = {"Access-Token": running.access_token}
        advertiser_id = running.advertiser_ids[0]
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
        for name, samples in (("warm", warm), ("cold", cold)):
            times = [ms for ms, _ in samples]
            results[name] = (
                statistics.median(times),
                _percentile(times, 0.95),
                min(rows for _, rows in samples),
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300, help="warm requests to time")
    args = parser.parse_args()
    for name, (median, p95, rows) in measure(args.requests).items():
        print(f"{name}: {rows}-row report page: median {median:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
