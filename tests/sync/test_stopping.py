"""The first SIGINT/SIGTERM asks a sync to stop at its next safe point; a second one stops at once."""

from __future__ import annotations

import os
import signal

import pytest

from tiktok_ads_mart.sync.stopping import StopRequested, raise_if_stop_requested, stop_between_pages


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_the_first_signal_only_asks_and_the_second_stops_at_once(number: int) -> None:
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    with stop_between_pages():
        raise_if_stop_requested()  # nothing asked yet
        os.kill(os.getpid(), number)  # handled before the next bytecode: it must not raise here
        with pytest.raises(StopRequested) as asked:
            raise_if_stop_requested()
        assert asked.value.signal_number == number
        with pytest.raises(StopRequested):
            os.kill(os.getpid(), number)
            for _ in range(1000):  # the handler runs between bytecodes, within this loop
                pass
    assert {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)} == before
    raise_if_stop_requested()  # the request ended with the block
