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
import tempfile
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from _harness import interleave, print_ratios, request_rate, tether_serve

_RULES = """rules:
  - {route: "*", probability: 0, kind: latency, delay: 10ms}
  - {route: "GET /posts*", probability: 0, kind: status, status: 503}
  - {route: "*", probability: 0, kind: reset}
"""


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
        with ExitStack() as servers:
            urls = {name: servers.enter_context(tether_serve(*flags))
                    for name, flags in setups.items()}
            for url in urls.values():  # warm up caches and connections
                request_rate(url, "/posts/1", 200, 4)
            variants = {
                name: partial(
                    request_rate, url, "/posts/1", options.requests, options.concurrency
                )
                for name, url in urls.items()
            }
            rates = interleave(variants, options.rounds)
    print(f"GET /posts/1, {options.concurrency} connections, median of {options.rounds} rounds")
    print_ratios(rates, "baseline (no faults, no limits)", kind="rate")


if __name__ == "__main__":
    main()
