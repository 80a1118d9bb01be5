"""The ``tether`` command line as a user starts it: script, ``python -m``, version, help."""

from __future__ import annotations

import os
import re
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
    # take FILE, other options a word saying what to write. Each help is asked of the
    # real command line, all at once.
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    root = subprocess.run([sys.executable, "-m", "tether", "--help"], env=env,
                          capture_output=True, text=True, timeout=60, check=False).stdout
    commands = [
        line.split()[1]
        for line in root.splitlines()
        if line.startswith("│ ") and not line.split()[1].startswith("-")
    ]
    assert "serve" in commands
    helps = [
        subprocess.Popen([sys.executable, "-m", "tether", *args, "--help"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in ([], *([name] for name in commands))
    ]
    outputs = {" ".join(p.args[3:]): p.communicate(timeout=60)[0] for p in helps}
    for args, output in outputs.items():
        placeholder = re.search(r"<[a-z][\w\[\], |]*>", output.replace("<count>", ""))
        assert placeholder is None, (args, placeholder, output)
        assert "--help " in output, (args, output)
    serve = outputs["serve --help"]
    assert any(line.split()[1:3] == ["--faults", "FILE"] for line in serve.splitlines()[1:]
               if len(line.split()) > 2)
    assert any(line.split()[1:3] == ["--port", "PORT"] for line in serve.splitlines()
               if len(line.split()) > 2)
