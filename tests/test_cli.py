"""The ``tether`` command line as a user starts it: script, ``python -m``, version, help."""

from __future__ import annotations

import subprocess
import sys

import tether


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tether", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_dash_m_runs_the_command_line() -> None:
    result = run("serve", "--help")
    assert result.returncode == 0, result.stderr
    assert "--rate-limit" in result.stdout


def test_version_is_printed() -> None:
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tether {tether.__version__}"


def test_no_arguments_shows_the_commands() -> None:
    result = run()
    assert "serve" in result.stdout + result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = run("sevre")
    assert result.returncode == 2
    assert "sevre" in result.stderr
