"""What retrying costs and buys at 10, 30 and 50% server errors: the success rate and the
load amplification (requests the server saw per call), with and without the retry budget.

The sandbox answers a share of ``GET /posts/{id}`` with 503; the default ``tether.Retry``
policy runs with its waits skipped (``retry_testing_mode``: the same decisions, no
sleeping), so the figures are the policy's, not the clock's. Bounded: ``--calls`` calls
per setting, sequential.

    python benchmarks/retry_cost.py [--calls 300]
"""

from __future__ import annotations

import argparse

import tether
from tether.sandbox import SandboxConfig, serve_in_thread

RATES = (0.1, 0.3, 0.5)


def success_rate(url: str, calls: int, budget: bool) -> float:
    """The share of ``calls`` GETs that returned their item."""
    ok = 0
    client = tether.Client(base_url=url) if budget else tether.Client(
        base_url=url, retry_budget=False)
    with client:
        for number in range(calls):
            try:
                client.get(f"/posts/{number % 100 + 1}")
                ok += 1
            except tether.TetherError:
                pass
    return ok / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    options = parser.parse_args()
    calls = max(1, min(options.calls, 10_000))
    print(f"default tether.Retry (4 attempts), {calls} calls per row, waits skipped")
    print(f"{'errors':>7} {'budget':>7} {'success':>8} {'requests/call':>14}")
    with serve_in_thread(SandboxConfig()) as server, tether.retry_testing_mode():
        for rate in RATES:
            for budget in (True, False):
                server.reset()
                server.set_faults(route="GET /posts/*", probability=rate, kind="status",
                                  status=503, seed=11)
                success = success_rate(server.url, calls, budget)
                requests = server.stats()["total"]
                print(f"{rate:>7.0%} {'on' if budget else 'off':>7} {success:>8.1%} "
                      f"{requests / calls:>14.2f}")


if __name__ == "__main__":
    main()
