"""What the benchmark scripts share: a server in its own process, raw load, interleaved rounds.

Benchmarks run as scripts (``python benchmarks/x.py``), which puts this folder first on
``sys.path``, so they import this module as ``_harness``.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Literal
from urllib.parse import urlsplit

TETHER = "from tether.cli import main; main()"
_URL = re.compile(r"http://127\.0\.0\.1:\d+")


def pinned(command: list[str], cpu: int | None) -> list[str]:
    """``command`` run on CPU ``cpu`` alone (``taskset``; unchanged where taskset is missing
    or ``cpu`` is ``None``)."""
    if cpu is None or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", str(cpu), *command]


@contextmanager
def server(code: str, *args: str, cpu: int | None = None) -> Iterator[str]:
    """Run ``python -c code args...`` (on CPU ``cpu`` alone, if given) until the block ends;
    yield the URL it prints first.

    The server picks a free port itself and prints its URL once it accepts connections,
    so there is neither a port race nor a readiness poll.
    """
    process = subprocess.Popen(
        pinned([sys.executable, "-c", code, *args], cpu), stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        match = _URL.search(process.stdout.readline())
        if not match:
            raise RuntimeError("the server did not print its URL")
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tether_serve(*flags: str, cpu: int | None = None) -> AbstractContextManager[str]:
    """``tether serve --port 0 flags...`` in its own process (on CPU ``cpu`` alone, if
    given); yields its URL."""
    return server(TETHER, "serve", "--port", "0", *flags, cpu=cpu)


async def _worker(host: str, port: int, request: bytes, count: int) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"unexpected answer: {head[:60]!r}")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            if length is None:
                raise RuntimeError("response without content-length")
            await reader.readexactly(int(length.group(1)))
    finally:
        writer.close()


def request_rate(url: str, path: str, total: int, concurrency: int, warm_up: int = 0) -> float:
    """Requests per second for ``total`` GETs of ``path`` over ``concurrency`` connections.

    Raw keep-alive sockets sending back to back, so the client costs as little as possible;
    ``warm_up`` requests go first on one connection, untimed.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()

    async def run() -> float:
        if warm_up:
            await _worker(host, port, request, warm_up)
        share = total // concurrency
        started = time.perf_counter()
        await asyncio.gather(*(_worker(host, port, request, share) for _ in range(concurrency)))
        return share * concurrency / (time.perf_counter() - started)

    return asyncio.run(run())


def interleave(variants: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each variant's measurements, one per round, the variants taking turns in each round.

    Load from elsewhere on the machine then hits every variant alike, so the ratios stay
    meaningful when the absolute figures drift.
    """
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, measure in variants.items():
            samples[name].append(measure())
    return samples


def print_ratios(
    samples: Mapping[str, list[float]],
    baseline: str,
    *,
    kind: Literal["rate", "seconds"],
    indent: int = 2,
) -> None:
    """One line per variant: its median and how many times as fast as ``baseline`` it is.

    ``kind="rate"`` prints requests per second (higher is faster), ``"seconds"`` prints
    milliseconds (lower is faster); either way a ratio above 1 means faster.
    """
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians[baseline]
    for name, value in medians.items():
        if kind == "rate":
            shown, ratio = f"{value:8.0f} req/s", value / base
        else:
            shown, ratio = f"{value * 1000:7.0f} ms", base / value
        print(f"{' ' * indent}{name:<34} {shown}   {ratio:5.2f}")
