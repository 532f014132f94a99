"""Stopping a sync between pages instead of at whatever bytecode a signal lands on.

Python raises KeyboardInterrupt wherever the main thread happens to be: inside a finalizer or a weakref
callback it is printed as "Exception ignored" and swallowed, so the run goes on; inside DuckDB, pyarrow or
the interpreter's teardown it can do worse. So during a sync the first SIGINT (Ctrl-C) or SIGTERM (a
scheduler stopping the job) only asks for a stop, which the run honours at its safe points: a stream
waiting on its page queue, and between load packages. State moves only past days that loaded, so the next
run goes on from there. A second signal stops at once, as usual.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from tiktok_ads_mart.errors import SyncInterrupted

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
HINT = b"stopping at the next page or package; what was loaded stays. Ctrl-C again stops at once.\n"

_requested = 0  # the number of the signal that asked for a stop; 0 while none did


class StopRequested(KeyboardInterrupt):
    """Raised at a safe point once a stop was asked for.

    A KeyboardInterrupt, so that no ``except Exception`` on the way (dlt's or ours) takes it for a
    failure of the run.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


def raise_if_stop_requested() -> None:
    if _requested:
        raise StopRequested(_requested)


def _on_signal(signal_number: int, frame: FrameType | None) -> None:
    global _requested
    if _requested:
        raise StopRequested(signal_number)
    _requested = signal_number
    if sys.stderr is not None and sys.stderr.isatty():
        os.write(sys.stderr.fileno(), HINT)  # print() is not safe in a signal handler


@contextmanager
def stop_between_pages() -> Iterator[None]:
    """Handle SIGINT and SIGTERM as requests to stop for the duration of the block.

    Signal handlers belong to the main thread; elsewhere (a sync started from a worker thread) the block
    leaves the handlers alone.
    """
    global _requested
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    _requested = 0
    try:
        for number in STOP_SIGNALS:
            signal.signal(number, _on_signal)
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _requested = 0


# State moves only past days that loaded, so stopping is safe at any moment.
INTERRUPTED = ": what was loaded stays, and the next sync goes on from there"


def interrupted_error(exc: KeyboardInterrupt) -> SyncInterrupted:
    """A stop that was asked for (SIGINT or SIGTERM) or a second Ctrl-C, as one line and 128 + signal."""
    signal_number = exc.signal_number if isinstance(exc, StopRequested) else signal.SIGINT
    what = (
        "interrupted"
        if signal_number == signal.SIGINT
        else f"stopped by {signal.Signals(signal_number).name}"
    )
    return SyncInterrupted(f"{what}{INTERRUPTED}", signal_number)


__all__ = ["StopRequested", "raise_if_stop_requested", "stop_between_pages"]
