"""The transport benchmark's own arithmetic and one real cell: what ``make bench`` reports
must be what it measured."""

from __future__ import annotations

import gc
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_SCRIPT = Path(__file__).parents[2] / "benchmarks" / "transports.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_transports", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell(us: float, gc_us: float, rps: float = 1000.0) -> dict[str, Any]:
    return {"rps": rps, "us": us, "gc_us": gc_us, "requests": 100, "wall": 1.0, "cpu": 0.1}


def test_the_collector_clock_counts_a_collection(bench: ModuleType) -> None:
    clock = bench._gc_clock()
    try:
        before = clock()
        for _ in range(20_000):
            # Cycles only the collector frees, so the collection has work to time.
            node: list[Any] = []
            node.append(node)
        gc.collect()
        assert clock() > before
    finally:
        gc.callbacks.pop()


def test_growth_splits_the_collector_from_the_rest(bench: ModuleType) -> None:
    table = {
        ("async", "aiohttp", 16): _cell(300, 0),
        ("async", "aiohttp", 1024): _cell(375, 75),
        ("async", "only-low", 16): _cell(100, 0),
        ("sync", "httpx2", 16): _cell(900, 0),
        ("sync", "httpx2", 1024): _cell(1800, 0),
    }
    lines = bench._growth(table)
    rows = [line for line in lines if line.startswith("| aiohttp")]
    assert rows == ["| aiohttp | 300 | 375 | 1.25x | 0 | 75 | 1.00x |"]
    # A client measured at one level only, and sync clients, get no row.
    assert not any("only-low" in line or "httpx2" in line for line in lines)


def test_growth_is_left_out_when_no_client_has_both_levels(bench: ModuleType) -> None:
    assert bench._growth({("async", "aiohttp", 16): _cell(300, 0)}) == []


def test_median_keeps_the_collectors_share(bench: ModuleType) -> None:
    samples = [_cell(300, 10, rps=900), _cell(320, 30, rps=1000), _cell(500, 90, rps=700)]
    middle = bench._median(samples)
    assert middle["rps"] == 900
    assert middle["us"] == 320
    assert middle["gc_us"] == 30


def test_the_table_shows_the_collectors_share(bench: ModuleType) -> None:
    lines = bench._table([("async", "aiohttp", 64, _cell(309.4, 12.6, rps=3240))])
    assert lines[0].startswith("| kind | client | c | req/s | CPU µs/req | of which GC |")
    assert lines[2].startswith("| async | aiohttp | 64 | 3240 | 309 | 13 |")


def test_a_real_cell_reports_requests_cpu_and_the_collector(bench: ModuleType) -> None:
    with bench.static_server() as (url, _which):
        result = bench.run_cell("async", "tether-httpx2", url, 2, 0.3)
    assert result["requests"] > 0
    assert result["cpu"] > 0
    assert 0 <= result["gc"] <= result["cpu"]
