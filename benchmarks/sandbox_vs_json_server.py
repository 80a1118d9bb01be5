"""The sandbox against json-server 0.17 on the same data, on three routes, in one run.

``tether serve`` runs in its own process; its posts, comments and users are written to a
``db.json`` that json-server 0.17 (from the npm registry through ``npx``) serves on another
port. Both get the same load on each route, taking turns round after round: wrk with 16
connections when wrk is installed, else the raw-socket load of ``_harness`` (16
keep-alive connections), whichever the output names. Bounded in requests and rounds;
127.0.0.1 only. Skips json-server (and says so) when npx is missing or the registry
cannot be reached.

    python benchmarks/sandbox_vs_json_server.py [--requests 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from _harness import interleave, print_ratios, request_rate, tether_serve

ROUTES = ["/posts/1", "/posts?_page=2&_limit=10", "/comments?postId=7"]
JSON_SERVER = "json-server@0.17.4"


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
            [npx, "--yes", JSON_SERVER, "--quiet", "--port", str(port), "--host", "127.0.0.1",
             "db.json"],
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


def _wrk_rate(url: str, path: str, seconds: float) -> float:
    done = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{max(1, round(seconds))}s", f"{url}{path}"],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    )
    match = re.search(r"Requests/sec:\s*([\d.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"wrk printed no rate: {done.stdout[-200:]}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="per wrk run")
    options = parser.parse_args()
    wrk = shutil.which("wrk") is not None
    print("load:", "wrk -t1 -c16" if wrk else "raw sockets, 16 connections (wrk not installed)")
    with tether_serve() as sandbox:
        data = {name: _fetch(f"{sandbox}/{name}") for name in
                ("posts", "comments", "users")}
        with json_server(data) as reference:
            for path in ROUTES:
                measure: Callable[[str], float] = (
                    partial(_wrk_rate, path=path, seconds=options.seconds) if wrk
                    else partial(request_rate, path=path, total=options.requests,
                                 concurrency=16, warm_up=50)
                )
                variants = {"tether serve": partial(measure, sandbox)}
                if reference is not None:
                    variants["json-server 0.17"] = partial(measure, reference)
                print(f"GET {path}")
                samples = interleave(variants, options.rounds)
                baseline = "json-server 0.17" if reference is not None else "tether serve"
                print_ratios(samples, baseline, kind="rate")


if __name__ == "__main__":
    main()
