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


def test_every_commands_help_reads_as_written_by_a_person() -> None:
    # No typer type placeholders (<str>, <bool>, <list[str]>): flags stand alone, paths
    # take FILE, other options their name in capitals, unless they name their own.
    from typer.testing import CliRunner

    from tether.cli import _app

    _app._load_commands()
    runner = CliRunner()
    root = runner.invoke(_app.app, ["--help"], env={"COLUMNS": "200"})
    commands = [
        line.split()[1]
        for line in root.output.splitlines()
        if line.startswith("│ ") and not line.split()[1].startswith("-")
    ]
    assert "serve" in commands
    for args in (["--help"], *([name, "--help"] for name in commands)):
        output = runner.invoke(_app.app, args, env={"COLUMNS": "200"}).output
        assert "<" not in output.replace("<count>", ""), (args, output)
        assert "--help " in output
    serve = runner.invoke(_app.app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    assert any(line.split()[1:3] == ["--faults", "FILE"] for line in serve.splitlines()[1:]
               if len(line.split()) > 2)
    assert any(line.split()[1:3] == ["--port", "PORT"] for line in serve.splitlines()
               if len(line.split()) > 2)
