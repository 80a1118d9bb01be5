"""What the fault and rate-limit layers cost the sandbox, as a ratio to the same sandbox without.

Three `tether serve` processes, each measured in the same run:

- baseline: no faults, no limits (both layers pass requests straight through);
- limited: `--rate-limit 1000000/s`, so every request is counted and gets both header sets;
- limited + faults: the same plus a rule file whose rules all match but never fire
  (probability 0), so every request is also drawn for.

The load is N keep-alive connections sending `GET /posts/1` back to back over raw asyncio
sockets, so the client costs little. Bounded: a fixed number of requests per measurement.

    python benchmarks/sandbox_faults.py [--requests 2000] [--concurrency 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

_URL = re.compile(r"http://127\.0\.0\.1:\d+")
_RULES = """rules:
  - {route: "*", probability: 0, kind: latency, delay: 10ms}
  - {route: "GET /posts*", probability: 0, kind: status, status: 503}
  - {route: "*", probability: 0, kind: reset}
"""


@contextmanager
def tether_serve(*args: str) -> Iterator[str]:
    command = [sys.executable, "-c", "from tether.cli import main; main()", "serve"]
    process = subprocess.Popen(
        [*command, "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        match = _URL.search(process.stdout.readline())
        if not match:
            raise RuntimeError("tether serve did not print its URL")
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _worker(host: str, port: int, count: int) -> None:
    request = f"GET /posts/1 HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
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


async def _measure(url: str, requests: int, concurrency: int) -> float:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    per_worker = requests // concurrency
    started = time.perf_counter()
    await asyncio.gather(*(_worker(host, port, per_worker) for _ in range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        rules = Path(directory) / "never.yaml"
        rules.write_text(_RULES)
        setups = {
            "baseline (no faults, no limits)": (),
            "rate limit 1000000/s": ("--rate-limit", "1000000/s"),
            "rate limit + 3 matching rules": ("--rate-limit", "1000000/s", "--faults", str(rules)),
        }
        rates: dict[str, list[float]] = {name: [] for name in setups}
        with (
            tether_serve(*setups["baseline (no faults, no limits)"]) as base,
            tether_serve(*setups["rate limit 1000000/s"]) as limited,
            tether_serve(*setups["rate limit + 3 matching rules"]) as both,
        ):
            urls = dict(zip(setups, (base, limited, both), strict=True))
            for url in urls.values():  # warm up caches and connections
                asyncio.run(_measure(url, 200, 4))
            for _ in range(options.rounds):
                # Interleaved rounds, so a burst of load elsewhere hits every setup alike.
                for name, url in urls.items():
                    rates[name].append(
                        asyncio.run(_measure(url, options.requests, options.concurrency))
                    )
    baseline = statistics.median(rates["baseline (no faults, no limits)"])
    print(f"GET /posts/1, {options.concurrency} connections, median of {options.rounds} rounds")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"  {name:34s} {median:8.0f} req/s   ratio {median / baseline:5.2f}")


if __name__ == "__main__":
    main()
