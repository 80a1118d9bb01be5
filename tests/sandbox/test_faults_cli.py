"""``tether serve`` fault and rate-limit flags, on a real subprocess."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx2
import pytest
from typer.testing import CliRunner

import tether.cli._serve  # noqa: F401  (importing it registers the command on the app)
from tether.cli._app import app

if TYPE_CHECKING:
    from conftest import TetherServe

def test_rule_file_latency_and_rate_limits(tmp_path: Path, tether_serve: TetherServe) -> None:
    drill = tmp_path / "drill.yaml"
    drill.write_text(
        "seed: 7\nrules:\n"
        "  - {route: 'GET /todos*', kind: status, status: 502, retry_after: 2}\n"
    )
    flags = ["--faults", str(drill), "--latency", "150ms"]
    with tether_serve(*flags, "--rate-limit", "3/min", "--rate-limit", "100/h") as (url, out):
        line = out.readline()
        expected = "faults: 2 rule(s) under seed 7; rate limits per client: 3/min, 100/h"
        assert line.strip() == expected
        with httpx2.Client(base_url=url, timeout=10) as client:
            faults = client.get("/_sandbox/faults").json()
            assert faults["seed"] == 7
            assert [rule["kind"] for rule in faults["rules"]] == ["status", "latency"]
            assert client.get("/_sandbox/limits").json()["limits"] == ["3/min", "100/h"]
            left = 60 - time.time() % 60
            if left < 4:
                time.sleep(left + 0.02)
            started = time.perf_counter()
            failed = client.get("/todos/1")
            assert time.perf_counter() - started >= 0.15
            assert failed.status_code == 502
            assert failed.headers["retry-after"] == "2"
            assert failed.headers["ratelimit-policy"] == '"3/min";q=3;w=60, "100/h";q=100;w=3600'
            assert client.get("/users/1").status_code == 200
            assert client.get("/users/2").status_code == 200
            assert client.get("/users/3").status_code == 429


def _outcomes(url: str) -> list[int | str]:
    outcomes: list[int | str] = []
    with httpx2.Client(base_url=url, timeout=10) as client:
        for i in range(40):
            try:
                outcomes.append(client.get(f"/comments/{i + 1}").status_code)
            except httpx2.TransportError as exc:
                outcomes.append(type(exc).__name__)
    return outcomes


def test_seed_makes_fault_runs_repeatable_across_restarts(tether_serve: TetherServe) -> None:
    flags = ["--fail-rate", "0.3", "--fail-status", "503", "--reset-rate", "0.1", "--seed", "4"]
    with tether_serve(*flags) as (url, _):
        first = _outcomes(url)
    with tether_serve(*flags) as (url, _):
        second = _outcomes(url)
    assert first == second
    assert 503 in first
    assert {"ReadError", "RemoteProtocolError"} & set(map(str, first))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # Every fault flag's error is reported under that flag, like the other options'.
        (["--fail-status", "503"], "Invalid value for --fail-status: needs --fail-rate"),
        (["--fail-rate", "1.5"], "Invalid value for --fail-rate: probability must be"),
        (["--fail-rate", "0.5", "--fail-status", "99"],
         "Invalid value for --fail-status: status must be"),
        (["--reset-rate", "2"], "Invalid value for --reset-rate: probability must be"),
        (["--latency", "soon"], "Invalid value for --latency: expected a duration"),
        (["--rate-limit", "5/fortnight"], "Invalid value for --rate-limit: cannot read rate"),
        (["--rate-limit", "5/s,"], "Invalid value for --rate-limit: cannot read rates '5/s,'"),
        (["--latency", "20-200ms"], "Invalid value for --latency: '20-200ms' looks like a"),
        (["--rate-limit", "5/500ms"], "whole number of seconds"),
        (["--faults", "no-such-file.yaml"],
         "Invalid value for --faults: fault file 'no-such-file.yaml': cannot read it"),
        # "inf" once started a server whose token answers carried the invalid JSON Infinity.
        (["--token-ttl", "inf"], "Invalid value for --token-ttl: must be a positive number"),
        (["--token-ttl", "-1"], "Invalid value for --token-ttl: must be a positive number"),
        # A host that does not resolve is a typo (exit 2), unlike a busy port (exit 1).
        (["--host", "no-such-host.invalid"], "Invalid value for --host: cannot listen"),
        (["--host", ""], "Invalid value for --host: must name an address"),
        # An unset shell variable ("--api-key=$KEY") must not leave the default in force.
        (["--api-key="], "Invalid value for --api-key: must not be empty"),
        (["--token", " "], "Invalid value for --token: must not be empty"),
    ],
)
def test_bad_flags_are_refused_before_starting(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "0", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--latency", "20-200ms"],
            "Invalid value for --latency: '20-200ms' looks like a range; write ranges with two "
            "dots, such as '20..200ms' (or one delay, such as '150ms')",
        ),
        (
            ["--rate-limit", "5/fortnight"],
            "Invalid value for --rate-limit: cannot read rate '5/fortnight': 'fortnight' is not "
            "a unit; write '<count>/<unit>' such as '5/s', '100/min', '500/h', '1000/day' or "
            "'10/2s' (units: ms, s, min, h, d;",
        ),
    ],
)
def test_a_refused_flag_says_what_to_write(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "0", *args], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules: [", "not valid JSON or YAML (line"),
        ("- {kind: explode}", "rule 1: 'kind' must be one of"),
    ],
)
def test_bad_fault_files_are_reported_under_faults(
    tmp_path: Path, content: str, message: str
) -> None:
    drill = tmp_path / "drill.yaml"
    drill.write_text(content)
    result = CliRunner().invoke(app, ["serve", "--port", "0", "--faults", str(drill)])
    assert result.exit_code == 2
    # The error panel may wrap a long path; its borders are no part of the message.
    output = " ".join(result.output.replace("\u2502", " ").split())
    assert "Invalid value for --faults: fault file" in output
    assert message in output
