"""Every command in docs/cli.md runs, in order, against a live sandbox, exits as the guide
says and prints the lines the guide shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tether.sandbox import SandboxServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
SKIPPED = ("tether demo", "tether --help")  # run by tests/test_demo.py and test_help.py


def examples() -> list[tuple[str, list[str]]]:
    """``(command, lines shown after it)`` for every ``$ `` line of the guide."""
    found: list[tuple[str, list[str]]] = []
    for block in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            elif found and line.strip():
                found[-1][1].append(line)
    return found


def test_every_command_in_the_guide_works(sandbox: SandboxServer, tmp_path: Path) -> None:
    port = sandbox.url.rsplit(":", 1)[1]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "200"}
    ran = 0
    for command, shown in examples():
        if command in SKIPPED or (command.startswith("sqlite3") and not shutil.which("sqlite3")):
            continue
        if command.startswith("export "):
            name, _, value = command.removeprefix("export ").partition("=")
            env[name] = value
            continue
        exits = re.search(r"# exits (\d+)$", command)
        result = subprocess.run(
            ["bash", "-c", command.replace(":8000", f":{port}")], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=60, check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == (int(exits[1]) if exits else 0), (command, output)
        for line in shown:
            assert line.replace(":8000", f":{port}") in output, (command, line, output)
        ran += 1
    assert ran >= 12
