"""Serving an emulator over HTTP: uvicorn in a background thread, on a socket bound up front.

What is served (``Emulator``, the state) lives in state.py and how requests are answered (``create_app``)
in app.py; this module only owns the socket and the thread. ``run_emulator`` binds the socket in the
caller's thread, so a taken port fails there, with a clear error, before any server thread exists.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tiktok_ads_mart.emulator.app import API_PREFIX, PORTAL_PATH, create_app
from tiktok_ads_mart.emulator.config import EmulatorConfig
from tiktok_ads_mart.emulator.state import Emulator

if TYPE_CHECKING:
    import uvicorn


@dataclass(frozen=True)
class RunningEmulator:
    """A served emulator: where it listens and the credentials a client starts with."""

    root_url: str
    base_url: str
    portal_url: str
    app_id: str
    secret: str
    access_token: str
    advertiser_ids: list[str]
    emulator: Emulator

    def announcement(self) -> dict[str, Any]:
        """The one JSON line ``emulator serve`` prints (the offline fake's credentials, not real ones)."""
        return {
            "base_url": self.base_url,
            "portal_url": self.portal_url,
            "app_id": self.app_id,
            "secret": self.secret,
            "access_token": self.access_token,
            "advertiser_ids": self.advertiser_ids,
        }


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before serving, so 'port in use' is an OSError in the caller, not a dead thread."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY only then
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


@contextmanager
def run_emulator(
    config_or_emulator: EmulatorConfig | Emulator | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log_level: str = "warning",
    startup_timeout: float = 10.0,
    warm_up: bool = True,
) -> Iterator[RunningEmulator]:
    """Serve an emulator with uvicorn in a background thread for the duration of the block.

    ``warm_up`` simulates the world's delivery before serving (see ``Emulator.warm_up``).
    """
    if isinstance(config_or_emulator, Emulator):
        emulator = config_or_emulator
    else:
        emulator = Emulator(config_or_emulator)
    sock = bind_socket(host, port)
    if warm_up:
        try:
            emulator.warm_up()
        except BaseException:
            sock.close()
            raise
    bound_port = sock.getsockname()[1]
    server, thread = _serve_in_thread(emulator, sock, log_level, startup_timeout)
    try:
        yield _running(emulator, host, bound_port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _serve_in_thread(
    emulator: Emulator, sock: socket.socket, log_level: str, startup_timeout: float
) -> tuple[uvicorn.Server, threading.Thread]:
    """Start uvicorn on the bound socket and return once it accepts, so no first request races startup."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(emulator),
            log_level=log_level,
            access_log=False,
            lifespan="off",
            http="h11",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the emulator server did not start")
        time.sleep(0.005)
    return server, thread


def _running(emulator: Emulator, host: str, port: int) -> RunningEmulator:
    """Where a client connects: IPv6 hosts need brackets in a URL, the bound port replaces port 0."""
    url_host = f"[{host}]" if ":" in host else host
    root = f"http://{url_host}:{port}"
    return RunningEmulator(
        root_url=root + "/",
        base_url=root + API_PREFIX,
        portal_url=root + PORTAL_PATH,
        app_id=emulator.app_id,
        secret=emulator.secret,
        access_token=emulator.access_token,
        advertiser_ids=emulator.advertiser_ids,
        emulator=emulator,
    )


__all__ = [
    "RunningEmulator",
    "bind_socket",
    "run_emulator",
]
