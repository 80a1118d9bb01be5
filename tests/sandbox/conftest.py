"""Shared by the sandbox tests: ``tether serve`` as a real subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, NamedTuple

import pytest

COMMAND = [sys.executable, "-c", "from tether.cli import main; main()", "serve"]
_URL = re.compile(r"http://127\.0\.0\.1:\d+")


class Served(NamedTuple):
    """A running ``tether serve``: its URL and what it prints after the URL line."""

    url: str
    output: IO[str]


class TetherServe:
    """``tether serve`` in a subprocess, either running for a block or run to its end."""

    url_line = ""
    """The line announcing the URL, as the last process started printed it."""

    @contextmanager
    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
        """Run ``tether serve --port 0 ...`` until the block ends; it must then exit with 0."""
        process = subprocess.Popen(
            [*COMMAND, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            self.url_line = line
            match = _URL.search(line)
            assert match, f"tether serve printed {line!r}"
            yield Served(match.group(0), process.stdout)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.returncode == 0

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``tether serve ...`` expected to end by itself (refused options), output kept."""
        return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def tether_serve() -> TetherServe:
    """Start ``tether serve`` processes: ``with tether_serve("--seed", "4") as (url, out)``."""
    return TetherServe()
