"""``serve_in_thread``: a real uvicorn server on a background thread, for tests and demos."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal

import uvicorn

from tether.sandbox._app import create_app
from tether.sandbox._config import SandboxConfig
from tether.sandbox._connections import AbortableH11Protocol
from tether.sandbox._disruption import DisruptionControls
from tether.sandbox._state import SandboxState

__all__ = ["HTTP_PARSERS", "SandboxServer", "event_loop", "http_protocol", "serve_in_thread"]

HTTP_PARSERS = ("auto", "httptools", "h11")
"""What ``serve_in_thread(http=...)`` accepts: ``auto`` is httptools where installed."""

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 3


class SandboxServer(DisruptionControls):
    """A running sandbox: its base ``url`` plus direct control of its state.

    ``reset()`` and ``stats()`` act on the server's state directly (not over HTTP), so they
    work whatever faults or limits are switched on.
    """

    def __init__(self, config: SandboxConfig, state: SandboxState, host: str, port: int) -> None:
        self.config = config
        self.state = state
        self.host = host
        self.port = port
        # A wildcard address listens everywhere but is no address to connect to (Windows
        # and macOS refuse it): the URL names the loopback address of the same family.
        reachable = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        url_host = f"[{reachable}]" if ":" in reachable else reachable
        self.url = f"http://{url_host}:{port}"
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``."""
        self.dashboard_url = f"{self.url}/_sandbox/ui"
        """The live dashboard of this server (``docs/sandbox.md``)."""

    def reset(self, seed: int | None = None) -> None:
        """Reseed the data (default: ``config.seed``) and clear counters, tokens, keys."""
        self.state.reset(seed)

    def stats(self) -> dict[str, Any]:
        """Requests since the last reset: ``{"since", "total", "by_status", "routes"}``,
        with the faults and 429s sent and the dashboard's figures (what
        ``GET /_sandbox/stats`` answers)."""
        return {**self.state.stats.snapshot(), **self.state.disruption.stats(),
                **self.state.metrics.summary()}

    def __repr__(self) -> str:
        return f"<SandboxServer {self.url}>"


def http_protocol(parser: str = "auto") -> type[asyncio.Protocol]:
    """The abortable uvicorn protocol class for ``parser`` (one of :data:`HTTP_PARSERS`).

    httptools (C) parses several times faster than h11 (pure Python); ``auto`` takes it
    whenever it is installed and falls back to h11.
    """
    if parser not in HTTP_PARSERS:
        raise ValueError(f"serve_in_thread(http=...) must be one of {', '.join(HTTP_PARSERS)}, "
                         f"got {parser!r:.60}")
    if parser == "h11" or (parser == "auto" and importlib.util.find_spec("httptools") is None):
        return AbortableH11Protocol
    try:
        from tether.sandbox._httptools import AbortableHttpToolsProtocol
    except ImportError as exc:
        raise ValueError(f"serve_in_thread(http='httptools') needs the httptools package "
                         f"({exc}); pip install httptools, or pass http='auto'") from None
    return AbortableHttpToolsProtocol


def event_loop() -> Literal["uvloop", "asyncio"]:
    """``uvloop`` where it is installed (it has no Windows build), else ``asyncio``."""
    if sys.platform != "win32" and importlib.util.find_spec("uvloop") is not None:
        return "uvloop"
    return "asyncio"


class _Server(uvicorn.Server):
    # The server runs off the main thread, where signal handlers cannot be installed;
    # the owner stops it through ``should_exit``.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.contextmanager
def serve_in_thread(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0, *,
    log_level: str = "warning", http: str = "auto",
) -> Iterator[SandboxServer]:
    """Run the sandbox on ``host:port`` (``0``: a free port) until the block ends.

    ``http`` picks the request parser (:data:`HTTP_PARSERS`): ``auto`` (httptools where
    installed, else h11) suits everyone; naming one is for tests that cover both. The
    event loop is uvloop where installed.

    >>> from tether.sandbox import serve_in_thread
    >>> with serve_in_thread() as server:  # doctest: +SKIP
    ...     httpx2.get(server.url + "/todos/1").json()["id"]
    1
    """
    config = config or SandboxConfig()
    if not isinstance(config, SandboxConfig):
        raise TypeError(f"serve_in_thread() takes a SandboxConfig, got {config!r:.60}")
    if not isinstance(host, str) or not host.strip():
        # An empty host binds every interface: too easy to do by accident with "$HOST".
        raise ValueError(f"serve_in_thread(host=...) must name an address such as "
                         f"127.0.0.1 (or 0.0.0.0 for every interface), got {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"serve_in_thread(port=...) must be from 0 to 65535 (0: a free "
                         f"port), got {port!r}")
    protocol = http_protocol(http)
    state = SandboxState(config)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP (not 0) lets asyncio switch Nagle off on accepted connections.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        state.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    app = create_app(config, state=state)
    # The reset and truncate faults need connections they can drop without any response.
    # Shutdown waits a bounded time for requests in flight (a /delay/30, say).
    uv_config = uvicorn.Config(
        app, log_level=log_level, lifespan="off", access_log=False, http=protocol,
        loop=event_loop(), timeout_graceful_shutdown=_STOP_TIMEOUT,
    )
    server = _Server(uv_config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the starting thread
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"tether-sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if failure or not thread.is_alive():
            sock.close()
            state.close()
            raise RuntimeError(f"the sandbox server failed to start: {failure[:1]}")
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            sock.close()
            state.close()
            raise RuntimeError(f"the sandbox server did not start within {_START_TIMEOUT:g} s")
        time.sleep(0.005)
    bound_port = sock.getsockname()[1]
    try:
        yield SandboxServer(state.config, state, host, int(bound_port))
    finally:
        state.closing.set()  # ends the dashboard's event streams, or shutdown waits on them
        server.should_exit = True
        thread.join(10)
        sock.close()
        state.close()
