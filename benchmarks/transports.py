"""Clients against one static server: raw httpx2, aiohttp and pyreqwest, and tether over
each backend, at several concurrencies; req/s, CPU µs per request, and ratios.

The server (nginx when installed, else the small asyncio server below, which says so) runs
in its own process, pinned to the last core when there are two or more; each measurement
runs in a fresh client process pinned to the first, so the two never share a GIL or a
core. Every cell is bounded in time (``--seconds``) and the whole run in cells. Traffic
goes to 127.0.0.1 only. Results go to stdout and ``benchmarks/RESULTS.md``.

    python benchmarks/transports.py [--seconds 1.0] [--repeat 3]
                                    [--concurrency 1,16,64,256,1024]
                                    [--sync-concurrency 1,16,64,256]
                                    [--page-concurrency 16] [--only httpx2,tether-httpx2]

A second table measures a page of 100 items (about 32 KB of JSON) at ``--page-concurrency``,
what a paginated bulk pull reads, where decoding the body weighs more than the request.

Each cell is measured ``--repeat`` times, in rounds that visit every client once in turn,
and its median is kept: a burst of load from elsewhere then moves one sample, not a
ratio. What the policies cost is measured apart, in one process per backend and level
where tether with and without them take turns (see ``run_pair``): a few per cent is below
what separates two processes. Each cell also times CPython's cyclic garbage collector,
which is most of what a request costs more with a thousand in flight (see ``_gc_clock``).
The report ends with the speed goals, each with its measured ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BODY = json.dumps(
    {"userId": 1, "id": 1, "title": "sunt aut facere repellat provident occaecati",
     "body": "quia et suscipit\nsuscipit recusandae consequuntur expedita et cum\nreprehenderit "
             "molestiae ut ut quas totam\nnostrum rerum est autem sunt rem eveniet architecto",
     "tags": ["a", "b", "c"], "views": 1234, "score": 0.5, "ok": True}
).encode()

# A page of 100 such items (about 32 KB), served at /page: what a paginated bulk pull
# reads, where decoding the body weighs more than the request around it.
PAGE = json.dumps(
    [{**json.loads(BODY), "id": number, "userId": number // 10 + 1} for number in range(1, 101)]
).encode()
PAGE_PATH = "page"

# A minimal keep-alive HTTP/1.1 server for machines without nginx: every request gets
# the same JSON, parsed only as far as the blank line ending its head.
_OWN_SERVER = r"""
import asyncio, socket, sys
def answer(body):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)
post, page = answer(sys.argv[1].encode()), answer(sys.argv[2].encode())
class P(asyncio.Protocol):
    def connection_made(self, t):
        self.t = t; self.buf = b""
    def data_received(self, data):
        buf = self.buf + data
        while (end := buf.find(b"\r\n\r\n")) >= 0:
            self.t.write(page if buf.startswith(b"GET /page ") else post)
            buf = buf[end + 4:]
        self.buf = buf
async def main():
    sock = socket.socket(); sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0)); sock.listen(4096)
    server = await asyncio.get_running_loop().create_server(P, sock=sock, backlog=4096)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}/", flush=True)
    await server.serve_forever()
try:
    import uvloop; uvloop.run(main())
except ImportError:
    asyncio.run(main())
"""

_NGINX_CONF = """
worker_processes 1;
worker_rlimit_nofile 65535;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log crit;
events {{ worker_connections 16384; multi_accept on; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};
    uwsgi_temp_path {dir}; scgi_temp_path {dir};
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{ default_type application/json; root {dir}; try_files /post.json =404; }}
        location = /page {{ default_type application/json; root {dir}; try_files /page.json =404; }}
    }}
}}
"""


def _cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


@contextlib.contextmanager
def static_server() -> Iterator[tuple[str, str]]:
    """Yield (url, which server) for a server of BODY (and PAGE at /page) in its own
    process."""
    cores = _cores()
    pin = ["taskset", "-c", str(cores[-1])] if len(cores) > 1 and shutil.which("taskset") else []
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    with tempfile.TemporaryDirectory() as folder:
        if nginx:
            import socket

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            Path(folder, "post.json").write_bytes(BODY)
            Path(folder, "page.json").write_bytes(PAGE)
            Path(folder, "nginx.conf").write_text(_NGINX_CONF.format(dir=folder, port=port))
            process = subprocess.Popen([*pin, nginx, "-c", f"{folder}/nginx.conf"], text=True)
            url, which = f"http://127.0.0.1:{port}/", "nginx (1 worker)"
            _wait_for(url)
        else:
            process = subprocess.Popen(
                [*pin, sys.executable, "-c", _OWN_SERVER, BODY.decode(), PAGE.decode()],
                stdout=subprocess.PIPE, text=True,
            )
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            which = "own asyncio server (nginx not installed)"
        try:
            yield url, which
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for(url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# --- one cell, in a fresh process -------------------------------------------------------

def _async_factory(name: str, url: str, concurrency: int) -> tuple[Callable[[], Any], Any, Any]:
    """(make_one_request coroutine function, setup, teardown) for an async client."""
    import httpx2

    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    if name == "httpx2":
        client = httpx2.AsyncClient(limits=limits, timeout=30)

        async def one() -> None:
            (await client.get(url)).json()

        return one, None, client.aclose
    if name == "aiohttp":
        import aiohttp

        box: dict[str, Any] = {}

        async def setup() -> None:
            box["s"] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=concurrency)
            )

        async def one() -> None:
            async with box["s"].get(url) as response:
                await response.json()

        async def close() -> None:
            await box["s"].close()

        return one, setup, close
    if name == "pyreqwest":
        from pyreqwest.client import ClientBuilder

        rclient = ClientBuilder().max_connections(concurrency).build()

        async def rone() -> None:
            response = await rclient.get(url).build().send()
            await response.json()

        return rone, None, rclient.close
    import tether

    backend, _, policies = name.removeprefix("tether-").partition("+")
    off = _POLICIES_OFF[policies]
    tclient = tether.AsyncClient(backend=backend, limits=limits, **off)  # type: ignore[arg-type]

    async def tone() -> None:
        (await tclient.get(url)).json()

    return tone, None, tclient.aclose


def _sync_factory(name: str, url: str, concurrency: int) -> tuple[Callable[[], Any], Any]:
    import httpx2

    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    if name == "httpx2":
        client = httpx2.Client(limits=limits, timeout=30)
        return (lambda: client.get(url).json()), client.close
    if name == "pyreqwest":
        from pyreqwest.client import SyncClientBuilder

        rclient = SyncClientBuilder().max_connections(concurrency).build()
        return (lambda: rclient.get(url).build().send().json()), rclient.close
    import tether

    backend, _, policies = name.removeprefix("tether-").partition("+")
    off = _POLICIES_OFF[policies]
    tclient = tether.Client(backend=backend, limits=limits, **off)  # type: ignore[arg-type]
    return (lambda: tclient.get(url).json()), tclient.close


WARMUP_LIMIT = 15.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _gc_clock() -> Callable[[], float]:
    """A running total of the CPU seconds CPython's cyclic garbage collector has spent in
    this process from now on. With a thousand requests in flight, their objects outlive
    the young generations and each collection scans them again: that, not the client's
    own bookkeeping, is most of what a request costs more at c=1,024 than at c=16."""
    spent = [0.0]
    began = [0.0]

    def track(phase: str, info: dict[str, int]) -> None:
        # A collection runs on one thread from start to stop, so that thread's clock
        # times it exactly, whichever thread's allocation set it off.
        if phase == "start":
            began[0] = time.thread_time()
        else:
            spent[0] += time.thread_time() - began[0]

    gc.callbacks.append(track)
    return lambda: spent[0]


def run_cell(kind: str, name: str, url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    if kind == "async":
        return asyncio.run(_run_async(name, url, concurrency, seconds))
    one, close = _sync_factory(name, url, concurrency)
    collector = _gc_clock()
    count = [0]
    warmed = [0]
    stop = threading.Event()
    measuring = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            one()
            warmed[0] += 1
            if measuring.is_set():
                count[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    # Warm up until every worker has a connection and has finished a request (bounded).
    deadline = time.monotonic() + WARMUP_LIMIT
    while warmed[0] < concurrency * 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    measuring.set()
    cpu, wall, collecting = _cpu(), time.perf_counter(), collector()
    time.sleep(seconds)
    measuring.clear()
    cpu, wall, collecting = _cpu() - cpu, time.perf_counter() - wall, collector() - collecting
    stop.set()
    for thread in threads:
        thread.join()
    close()
    return {"requests": count[0], "wall": wall, "cpu": cpu, "gc": collecting}


async def _run_async(name: str, url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    one, setup, close = _async_factory(name, url, concurrency)
    if setup is not None:
        await setup()
    collector = _gc_clock()
    count = warmed = 0
    measuring = False
    stop = False

    async def worker() -> None:
        nonlocal count, warmed
        while not stop:
            await one()
            warmed += 1
            if measuring:
                count += 1

    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    # Warm up until every worker has a connection and has finished a request (bounded).
    deadline = time.monotonic() + WARMUP_LIMIT
    while warmed < concurrency * 2 and time.monotonic() < deadline:  # noqa: ASYNC110 (a bounded poll, cheaper to read)
        await asyncio.sleep(0.05)
    measuring = True
    cpu, wall, collecting = _cpu(), time.perf_counter(), collector()
    await asyncio.sleep(seconds)
    measuring = False
    cpu, wall, collecting = _cpu() - cpu, time.perf_counter() - wall, collector() - collecting
    stop = True
    await asyncio.gather(*tasks, return_exceptions=True)
    await close()
    return {"requests": count, "wall": wall, "cpu": cpu, "gc": collecting}


# The goal cells where the policies' cost is measured in pairs (see run_pair).
PAIRS = (("async", "httpx2", 1), ("async", "reqwest", 1),
         ("async", "aiohttp", 64), ("async", "reqwest", 64), ("async", "httpx2", 64),
         ("sync", "reqwest", 16), ("sync", "httpx2", 16))
_PAIR_BATCH = 256  # requests per batch, about a tenth of a second for most clients


def run_pair(kind: str, backend: str, url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    """CPU per request of tether over ``backend`` with its policies on and off, from one
    process: the two clients take turns in batches of about ``_PAIR_BATCH`` requests for
    ``seconds`` in all, and the cost is the median of the per-round ratios. Separate
    processes a few seconds apart differ by more than the policies cost; batches a tenth
    of a second apart do not."""
    names = (f"tether-{backend}", f"tether-{backend}+nopolicies")
    per_worker = max(1, _PAIR_BATCH // concurrency)
    requests = per_worker * concurrency
    batch: Callable[[str], None]
    close: Callable[[], None]
    if kind == "async":
        loop = asyncio.new_event_loop()
        built = {name: _async_factory(name, url, concurrency) for name in names}

        async def requests_of(one: Callable[[], Any]) -> None:
            for _ in range(per_worker):
                await one()

        async def together(name: str) -> None:
            await asyncio.gather(*(requests_of(built[name][0]) for _ in range(concurrency)))

        def batch(name: str) -> None:
            loop.run_until_complete(together(name))

        def close() -> None:
            for name in names:
                loop.run_until_complete(built[name][2]())
            loop.close()

    else:
        from concurrent.futures import ThreadPoolExecutor

        threads = ThreadPoolExecutor(concurrency)
        built_sync = {name: _sync_factory(name, url, concurrency) for name in names}

        def sync_requests_of(one: Callable[[], Any]) -> None:
            for _ in range(per_worker):
                one()

        def batch(name: str) -> None:
            one = built_sync[name][0]
            for future in [threads.submit(sync_requests_of, one) for _ in range(concurrency)]:
                future.result()

        def close() -> None:
            for name in names:
                built_sync[name][1]()
            threads.shutdown()

    spent: dict[str, list[float]] = {name: [] for name in names}
    try:
        for name in names:
            batch(name)  # warm-up: connections open, slow start done
        end = time.monotonic() + seconds
        while time.monotonic() < end or len(spent[names[0]]) < 5:
            # Each round reverses the order, so neither client always goes first.
            for name in names if len(spent[names[0]]) % 2 == 0 else names[::-1]:
                cpu = _cpu()
                batch(name)
                spent[name].append((_cpu() - cpu) / requests * 1e6)
    finally:
        close()
    on, off = spent[names[0]], spent[names[1]]
    return {
        "on_us": statistics.median(on),
        "off_us": statistics.median(off),
        "ratio": statistics.median(a / b for a, b in zip(on, off, strict=True)),
        "rounds": len(on),
    }


def _in_fresh_process(mode: str, kind: str, name: str, url: str, concurrency: int,
                     seconds: float) -> dict[str, Any]:
    """``--cell`` or ``--pair`` in a fresh interpreter pinned to the client's core."""
    cores = _cores()
    pin = ["taskset", "-c", str(cores[0])] if len(cores) > 1 and shutil.which("taskset") else []
    command = [*pin, sys.executable, __file__, mode, kind, name, url, str(concurrency),
               str(seconds)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 10 + 60)
    printed = done.stdout.strip().splitlines()
    if not printed:
        return {"error": (done.stderr.strip().splitlines() or ["exit"])[-1][:120]}
    result: dict[str, Any] = json.loads(printed[-1])
    if done.returncode != 0:
        # The measurement finished; the interpreter then died on its way out.
        result["note"] = f"crashed at exit ({done.returncode})"
    return result


def measure_pair(kind: str, backend: str, url: str, concurrency: int,
                 seconds: float) -> dict[str, Any]:
    """:func:`run_pair` in a fresh process."""
    return _in_fresh_process("--pair", kind, backend, url, concurrency, seconds)


def measure(kind: str, name: str, url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    result = _in_fresh_process("--cell", kind, name, url, concurrency, seconds)
    if "error" in result:
        return result
    result["rps"] = result["requests"] / result["wall"]
    result["us"] = result["cpu"] / max(result["requests"], 1) * 1e6
    result["gc_us"] = result["gc"] / max(result["requests"], 1) * 1e6
    return result


# What a "+suffix" on a tether client's name switches off; the split ones are not in the
# default lists (see --only), for telling retry's cost from rate limiting's.
_POLICIES_OFF: dict[str, dict[str, bool]] = {
    "": {},
    "nopolicies": {"retry": False, "rate_limit": False, "retry_budget": False},
    "noretry": {"retry": False, "retry_budget": False},
    "noratelimit": {"rate_limit": False},
}

ASYNC = ["httpx2", "aiohttp", "pyreqwest", "tether-httpx2", "tether-aiohttp",
         "tether-reqwest", "tether-aiohttp+nopolicies", "tether-httpx2+nopolicies"]
SYNC = ["httpx2", "pyreqwest", "tether-httpx2", "tether-reqwest", "tether-reqwest+nopolicies",
        "tether-httpx2+nopolicies"]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--cell", "--pair"):
        kind, name, url, concurrency, seconds = sys.argv[2:7]
        run = run_cell if sys.argv[1] == "--cell" else run_pair
        print(json.dumps(run(kind, name, url, int(concurrency), float(seconds))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per cell (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="samples per cell (default 3)")
    parser.add_argument("--concurrency", default="1,16,64,256,1024")
    parser.add_argument("--sync-concurrency", default="1,16,64,256")
    parser.add_argument("--page-concurrency", default="16",
                        help="levels for the 100-item page, sync and async ('' to skip)")
    parser.add_argument("--output", default=str(Path(__file__).with_name("RESULTS.md")))
    parser.add_argument(
        "--only", default="",
        help="comma-separated client names to measure (default all), e.g. httpx2,tether-httpx2;"
             " also tether-<backend>+noretry and +noratelimit, which split what policies cost",
    )
    options = parser.parse_args()
    if options.repeat < 1 or options.seconds <= 0:
        parser.error("--repeat must be at least 1 and --seconds above 0")
    levels = _levels(parser, "--concurrency", options.concurrency)
    sync_levels = _levels(parser, "--sync-concurrency", options.sync_concurrency)
    only = {name.strip() for name in options.only.split(",") if name.strip()}
    variants = [f"tether-{backend}+{suffix}" for backend in ("httpx2", "aiohttp", "reqwest")
                for suffix in _POLICIES_OFF if suffix]
    every_async = ASYNC + [name for name in variants if name not in ASYNC]
    every_sync = SYNC + [name for name in variants if name not in SYNC and "aiohttp" not in name]
    unknown = only - set(every_async) - set(every_sync)
    if unknown:
        parser.error(f"--only: unknown client {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(sorted(set(every_async) | set(every_sync)))}")
    page_levels = _levels(parser, "--page-concurrency", options.page_concurrency)
    rows: list[tuple[str, str, int, dict[str, Any]]] = []
    page_rows: list[tuple[str, str, int, dict[str, Any]]] = []
    with static_server() as (url, which):
        print(f"static server: {which} at {url}", flush=True)
        for body, target, table, plan in (
            ("post", url, rows,
             (("async", every_async if only else ASYNC, levels),
              ("sync", every_sync if only else SYNC, sync_levels))),
            ("page", url + PAGE_PATH, page_rows,
             (("async", every_async if only else ASYNC, page_levels),
              ("sync", every_sync if only else SYNC, page_levels))),
        ):
            for kind, every, conc in plan:
                names = [name for name in every if not only or name in only]
                for level in conc if names else ():
                    for name, result in _sampled(kind, names, target, level, options):
                        table.append((kind, name, level, result))
                        shown = (f"{result['rps']:9.0f} req/s {result['us']:7.0f} µs CPU/req"
                                 f" {result.get('note', '')}"
                                 if "rps" in result else result["error"])
                        print(f"{body:4} {kind:5} c={level:<5} {name:28} {shown}", flush=True)
        pairs: dict[tuple[str, str, int], dict[str, Any]] = {}
        for kind, backend, level in PAIRS:
            if level not in (levels if kind == "async" else sync_levels) or (
                only and f"tether-{backend}+nopolicies" not in only
            ):
                continue
            pair = pairs[(kind, backend, level)] = measure_pair(
                kind, backend, url, level, 2 * options.seconds * options.repeat
            )
            shown = (f"{pair['on_us']:7.0f} µs on, {pair['off_us']:7.0f} off: "
                     f"{pair['ratio']:.3f}x ({pair['rounds']} rounds)"
                     if "ratio" in pair else pair["error"])
            print(f"policies {kind:5} c={level:<5} tether-{backend:14} {shown}", flush=True)
    report = _report(rows, page_rows, pairs, which, options.seconds, options.repeat)
    print(report)
    Path(options.output).write_text(report)


def _levels(parser: argparse.ArgumentParser, flag: str, text: str) -> list[int]:
    """Comma-separated concurrency levels; '' means none (that part is skipped)."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        parser.error(f"{flag}: expected positive whole numbers separated by commas, "
                     f"e.g. 1,16,64 (or '' to skip), got {text!r}")
    return [int(part) for part in parts]


def _sampled(
    kind: str, names: list[str], url: str, level: int, options: argparse.Namespace
) -> list[tuple[str, dict[str, Any]]]:
    """Each client's median over ``options.repeat`` samples taken in interleaved rounds."""
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_number in range(options.repeat):
        # Each round visits the clients in another order, so none always runs first (or
        # last) after a pause.
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(measure(kind, name, url, level, options.seconds))
    return [(name, _median(samples[name])) for name in names]


def _median(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The sample of median rate, with the median CPU cost; an error if none ran."""
    ran = [sample for sample in samples if "rps" in sample]
    if not ran:
        return samples[-1]
    ran.sort(key=lambda sample: sample["rps"])
    middle = dict(ran[len(ran) // 2])
    middle["us"] = statistics.median(sample["us"] for sample in ran)
    middle["gc_us"] = statistics.median(sample["gc_us"] for sample in ran)
    notes = {sample["note"] for sample in samples if "note" in sample}
    if len(ran) < len(samples):
        notes.add(f"{len(samples) - len(ran)} of {len(samples)} samples failed")
    if notes:
        middle["note"] = "; ".join(sorted(notes))
    return middle


def _report(
    rows: list[tuple[str, str, int, dict[str, Any]]],
    page_rows: list[tuple[str, str, int, dict[str, Any]]],
    pairs: dict[tuple[str, str, int], dict[str, Any]],
    which: str,
    seconds: float,
    repeat: int,
) -> str:
    table = {(k, n, c): r for k, n, c, r in rows}
    lines = [
        "# Transport benchmark results",
        "",
        "Written by `make bench` (`benchmarks/transports.py`); one run, ratios within it.",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {_cpu_model()}",
        f"- Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- versions: {_versions()}",
        f"- static server: {which}, {len(BODY)}-byte JSON body, decoded by the client",
        f"- client pinned to core {_cores()[0]}, server to core {_cores()[-1]}; "
        f"{seconds:g} s per cell after a short warm-up, each cell in a fresh process; "
        f"median of {repeat} samples taken in interleaved rounds",
        "",
        *_table(rows),
        "",
        "`+nopolicies`: the same tether client with retry, retry budget and rate",
        "limiting off, to show what tether's policies cost.",
        "",
    ]
    if pairs:
        lines += [
            "## What the policies cost",
            "",
            "Each line comes from one process holding both tether clients, policies on and",
            f"off, which take turns in batches of about {_PAIR_BATCH} requests; the ratio is",
            "the median of the per-round ratios. Cells measured in separate processes",
            "differ by more than the policies cost, so the table above cannot tell it.",
            "",
            "| kind | backend | c | CPU µs/req, policies on | off | ratio | rounds |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        lines += [_pair_row(*cell, pair) for cell, pair in pairs.items()]
        lines.append("")
    if page_rows:
        lines += [
            f"## A page of 100 items ({len(PAGE):,} bytes of JSON, decoded by the client)",
            "",
            *_table(page_rows),
            "",
        ]
    lines += _growth(table)
    lines += _goals(table, pairs)
    return "\n".join(lines)


def _growth(table: dict[tuple[str, str, int], dict[str, Any]]) -> list[str]:
    """Where CPU per request goes between async c=16 and c=1,024: the collector's share
    apart from the rest, for every client measured at both."""
    low, high = 16, 1024
    rows = []
    for kind, name, level in table:
        if kind != "async" or level != low:
            continue
        a, b = table[(kind, name, low)], table.get((kind, name, high), {})
        if "us" not in a or "us" not in b:
            continue
        rest = (b["us"] - b["gc_us"]) / (a["us"] - a["gc_us"])
        rows.append(f"| {name} | {a['us']:.0f} | {b['us']:.0f} | {b['us'] / a['us']:.2f}x "
                    f"| {a['gc_us']:.0f} | {b['gc_us']:.0f} | {rest:.2f}x |")
    if not rows:
        return []
    return [
        f"## Growth with concurrency (async, c={low} to c={high:,})",
        "",
        "CPU per request, and the part of it spent in CPython's cyclic garbage collector:",
        "with a thousand requests in flight their objects outlive the young generations,",
        "so each collection scans them again. The collector's work grows with the objects",
        "a client keeps per request in flight, raw aiohttp's included.",
        "",
        f"| client | CPU µs/req c={low} | c={high} | growth | GC µs/req c={low} "
        f"| c={high} | growth without GC |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]


def _pair_row(kind: str, backend: str, level: int, pair: dict[str, Any]) -> str:
    measured = (f"{pair['on_us']:.0f} | {pair['off_us']:.0f} | {pair['ratio']:.3f} "
                f"| {pair['rounds']}" if "ratio" in pair else f"error: {pair['error']} | | |")
    return f"| {kind} | {backend} | {level} | {measured} |"


def _table(rows: list[tuple[str, str, int, dict[str, Any]]]) -> list[str]:
    table = {(k, n, c): r for k, n, c, r in rows}
    lines = [
        "| kind | client | c | req/s | CPU µs/req | of which GC | x raw httpx2 | x raw aiohttp |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (kind, name, level), result in table.items():
        if "rps" not in result:
            lines.append(f"| {kind} | {name} | {level} | error: {result['error']} | | | | |")
            continue
        base = table.get((kind, "httpx2", level), {}).get("rps")
        aio = table.get(("async", "aiohttp", level), {}).get("rps")
        vs_httpx2 = f"{result['rps'] / base:.2f}" if base else ""
        vs_aiohttp = f"{result['rps'] / aio:.2f}" if aio else ""
        lines.append(
            f"| {kind} | {name} | {level} | {result['rps']:.0f} | {result['us']:.0f} "
            f"| {result['gc_us']:.0f} | {vs_httpx2} | {vs_aiohttp} |"
            f"{' ' + result['note'] if 'note' in result else ''}"
        )
    return lines


def _goals(
    table: dict[tuple[str, str, int], dict[str, Any]],
    pairs: dict[tuple[str, str, int], dict[str, Any]],
) -> list[str]:
    """The speed goals, each with the ratio this run measured (missing cells skipped)."""

    def rate(kind: str, name: str, level: int) -> float | None:
        value = table.get((kind, name, level), {}).get("rps")
        return float(value) if value else None

    def cost(kind: str, name: str, level: int) -> float | None:
        value = table.get((kind, name, level), {}).get("us")
        return float(value) if value else None


    checks: list[tuple[str, float | None, float | None, float, str]] = []

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a / b

    fast = max(
        ("tether-reqwest", "tether-aiohttp"),
        key=lambda name: rate("async", name, 64) or 0.0,
    )
    checks.append((f"async c=64, {fast} (all policies) vs raw aiohttp",
                   ratio(rate("async", fast, 64), rate("async", "aiohttp", 64)), None, 1.0,
                   ">= 1.0x (done above 0.6x)"))
    checks.append((f"async c=64, {fast} (all policies) vs raw httpx2",
                   ratio(rate("async", fast, 64), rate("async", "httpx2", 64)), None, 3.0,
                   ">= 3x"))
    for level in (1, 16, 64):
        checks.append((f"sync c={level}, tether-reqwest vs raw httpx2.Client",
                       ratio(rate("sync", "tether-reqwest", level), rate("sync", "httpx2", level)),
                       None, 1.5, ">= 1.5x"))
    for kind, levels in (("async", (1, 16, 64)), ("sync", (1, 16, 64))):
        for level in levels:
            checks.append((f"default install: {kind} c={level}, tether-httpx2 vs raw httpx2",
                           ratio(rate(kind, "tether-httpx2", level), rate(kind, "httpx2", level)),
                           None, 1.0, ">= 1.0x"))
    for (kind, name, level), pair in pairs.items():
        # CPU per request with policies over without: at most 10% more.
        checks.append((f"policies' CPU cost: {kind} c={level} over {name}", None,
                       pair.get("ratio"), 1.10, "<= 1.10x"))
    for name in ("tether-reqwest", "tether-aiohttp", "aiohttp", "tether-httpx2"):
        flat = ratio(cost("async", name, 1024), cost("async", name, 16))
        checks.append((f"flat cost: {name} CPU/req at c=1024 over c=16", None, flat, 1.2,
                       "<= 1.2x"))
    lines = ["## Goals", "", "| goal | measured | wanted | met |", "|---|---:|---|---|"]
    for label, higher, lower, bound, wanted in checks:
        value = higher if higher is not None else lower
        if value is None:
            continue
        met = value >= bound if higher is not None else value <= bound
        lines.append(f"| {label} | {value:.2f}x | {wanted} | {'yes' if met else 'no'} |")
    return [*lines, ""]


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return re.sub(r"\s+", " ", line.split(":", 1)[1]).strip()
    return platform.processor() or "unknown CPU"


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("httpx2", "httpcore2", "aiohttp", "pyreqwest", "tether"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} missing")
    return ", ".join(found)


if __name__ == "__main__":
    main()
