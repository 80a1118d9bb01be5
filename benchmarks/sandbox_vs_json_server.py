"""The sandbox against json-server 0.17 on the same data, on three routes, in one run.

``tether serve`` runs in its own process; its posts, comments and users are written to a
``db.json`` that json-server 0.17 (from the npm registry through ``npx``) serves on another
port. Both get the same load on each route, taking turns round after round: wrk with 16
connections when wrk is installed, else the raw-socket load of ``_harness`` (16
keep-alive connections), whichever the output names. On a machine with two or more CPUs
the servers run on CPU 0 and the load on CPU 1 (taskset), so neither steals the other's
time. Each route is checked to get the same JSON from both before it is measured. With
wrk, the sandbox is also measured with a new URL on every request (an ``api_key``
parameter, which no answer depends on), so that its cache of repeated reads serves
nothing: the cost of computing every answer. Bounded in requests, seconds and rounds;
127.0.0.1 only. Skips json-server (and says so) when npx
is missing or the registry cannot be reached.

    python benchmarks/sandbox_vs_json_server.py [--seconds 3] [--rounds 3] [--requests 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from _harness import interleave, pinned, print_ratios, request_rate, tether_serve

ROUTES = ["/posts/1", "/posts?_page=2&_limit=10", "/comments?postId=7"]
JSON_SERVER = "json-server@0.17.4"
GOAL = 3.0
"""How many times json-server's rate the sandbox must reach on every route."""
SERVER_CPU, LOAD_CPU = 0, 1
UNCACHED = "tether serve, no cache hits"
# wrk script: every request a URL not asked before.
_FRESH_URLS = """
counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "api_key=bench" .. counter)
end
"""


def _fetch(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


@contextmanager
def json_server(data: dict[str, object]) -> Iterator[str | None]:
    npx = shutil.which("npx")
    if npx is None:
        print("json-server skipped: npx (Node.js) is not installed")
        yield None
        return
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "db.json").write_text(json.dumps(data))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            pinned([npx, "--yes", JSON_SERVER, "--quiet", "--port", str(port),
                    "--host", "127.0.0.1", "db.json"], _cpu(SERVER_CPU)),
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    _fetch(f"{url}/posts/1")
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        print("json-server skipped: it did not start (registry unreachable?)")
                        yield None
                        return
                    time.sleep(0.5)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


def _cpu(cpu: int) -> int | None:
    """``cpu`` when the machine has CPUs to spare for pinning, else ``None`` (no pinning)."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    return cpu if {SERVER_CPU, LOAD_CPU} <= usable and shutil.which("taskset") else None


def _wrk_rate(url: str, path: str, seconds: int, script: str | None = None) -> float:
    extra = ["-s", script] if script else []
    done = subprocess.run(
        pinned(["wrk", "-t1", "-c16", f"-d{seconds}s", *extra, f"{url}{path}"],
               _cpu(LOAD_CPU)),
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    )
    match = re.search(r"Requests/sec:\s*([\d.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"wrk printed no rate: {done.stdout[-200:]}")
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", done.stdout)
    if errors is not None:
        raise RuntimeError(f"{url}{path} answered {errors.group(1)} requests with errors")
    return float(match.group(1))


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    return parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=_bounded(160, 1_000_000), default=3000,
                        help="per measurement without wrk")
    parser.add_argument("--rounds", type=_bounded(1, 20), default=3)
    parser.add_argument("--seconds", type=_bounded(1, 60), default=3, help="per wrk run")
    options = parser.parse_args()
    wrk = shutil.which("wrk") is not None
    print("load:", "wrk -t1 -c16" if wrk else "raw sockets, 16 connections (wrk not installed)")
    if _cpu(SERVER_CPU) is None:
        print("CPUs: not pinned (needs taskset and two CPUs); servers and load share the CPUs")
    else:
        print(f"CPUs: servers pinned to CPU {SERVER_CPU}, load to CPU {LOAD_CPU} (taskset)")
        if not wrk:
            os.sched_setaffinity(0, {LOAD_CPU})
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder, tether_serve(cpu=_cpu(SERVER_CPU)) as sandbox:
        fresh = Path(folder, "fresh.lua")
        fresh.write_text(_FRESH_URLS)
        data = {name: _fetch(f"{sandbox}/{name}") for name in
                ("posts", "comments", "users")}
        with json_server(data) as reference:
            for path in ROUTES:
                if reference is not None and _fetch(sandbox + path) != _fetch(reference + path):
                    raise RuntimeError(f"GET {path}: the two servers answer different JSON")
                measure: Callable[[str], float] = (
                    partial(_wrk_rate, path=path, seconds=options.seconds) if wrk
                    else partial(request_rate, path=path, total=options.requests,
                                 concurrency=16, warm_up=50)
                )
                variants = {"tether serve": partial(measure, sandbox)}
                if reference is not None:
                    variants["json-server 0.17"] = partial(measure, reference)
                if wrk:
                    variants[UNCACHED] = partial(_wrk_rate, sandbox, path, options.seconds,
                                                 str(fresh))
                print(f"GET {path}")
                samples = interleave(variants, options.rounds)
                baseline = "json-server 0.17" if reference is not None else "tether serve"
                print_ratios(samples, baseline, kind="rate")
                results[path] = {name: statistics.median(values)
                                 for name, values in samples.items()}
    if any("json-server 0.17" in rates for rates in results.values()):
        _summary(results)


def _summary(results: dict[str, dict[str, float]]) -> None:
    print(f"\n{'route':<30} {'tether serve':>13} {'json-server':>12} {'ratio':>6}  "
          f"goal {GOAL:g}x   {'no cache hits':>13} {'ratio':>6}")
    for path, rates in results.items():
        ours, theirs = rates["tether serve"], rates["json-server 0.17"]
        ratio = ours / theirs
        verdict = "met   " if ratio >= GOAL else "MISSED"
        line = f"GET {path:<26} {ours:>9.0f} r/s {theirs:>8.0f} r/s {ratio:>6.2f}  {verdict}"
        if UNCACHED in rates:
            cold = rates[UNCACHED]
            line += f"   {cold:>9.0f} r/s {cold / theirs:>6.2f}"
        print(line)


if __name__ == "__main__":
    main()
