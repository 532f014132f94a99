"""A run's share of the app's daily quota: counted on file across runs, new each UTC day."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tiktok_ads_mart.api.quota import DailyShare
from tiktok_ads_mart.errors import DailyQuotaUsedUp, DailyShareUsedUp


def test_the_share_is_spent_across_runs_and_comes_back_at_midnight_utc(tmp_path: Path) -> None:
    now = [datetime(2026, 6, 1, 23, 0, tzinfo=UTC)]
    ledger = tmp_path / "share.json"
    first = DailyShare(3, ledger, clock=lambda: now[0])
    first.take()
    first.take()
    second = DailyShare(3, ledger, clock=lambda: now[0])  # a later run the same day
    assert second.used == 2
    second.take()
    with pytest.raises(DailyShareUsedUp) as refused:
        second.take()
    assert isinstance(refused.value, DailyQuotaUsedUp) and "3 requests a UTC day" in str(refused.value)
    assert json.loads(ledger.read_text()) == {"day": "2026-06-01", "used": 3}
    now[0] += timedelta(hours=1, minutes=1)  # 00:01 UTC
    assert second.used == 0
    second.take()
    assert json.loads(ledger.read_text()) == {"day": "2026-06-02", "used": 1}


@pytest.mark.parametrize("content", ["", "{", '{"day": "2026-06-01"}', "[1, 2]"])
def test_an_unreadable_ledger_counts_from_zero(tmp_path: Path, content: str) -> None:
    ledger = tmp_path / "share.json"
    ledger.write_text(content)
    share = DailyShare(1, ledger, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    share.take()
    with pytest.raises(DailyShareUsedUp):
        share.take()
