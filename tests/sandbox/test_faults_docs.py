"""The examples in docs/outage-drill.md run as written."""

from __future__ import annotations

import ast
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tether.sandbox import load_fault_file

GUIDE = Path(__file__).parents[2] / "docs" / "outage-drill.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


def _block_starting(language: str, first_line: str) -> str:
    found = [block for block in _blocks(language) if block.startswith(first_line)]
    assert len(found) == 1, f"expected one {language} block starting {first_line!r}"
    return found[0]


def _pytest(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=target if target.is_dir() else target.parent,
    )


def test_rule_file_example_parses(tmp_path: Path) -> None:
    drill = tmp_path / "drill.yaml"
    drill.write_text(_block_starting("yaml", "# drill.yaml"))
    rules = load_fault_file(drill)
    assert rules.seed == 7
    kinds = [rule.fault.kind for rule in rules.rules]
    assert kinds == ["status", "latency", "reset", "truncate", "malformed", "drip", "status"]


def test_pytest_examples_pass(tmp_path: Path) -> None:
    (tmp_path / "test_outage_drill.py").write_text(
        _block_starting("python", "# test_outage_drill.py")
    )
    session = tmp_path / "session"
    session.mkdir()
    (session / "conftest.py").write_text(_block_starting("python", "# conftest.py"))
    (session / "test_configured.py").write_text(
        "import httpx2\n\n"
        "def test_configured(sandbox):\n"
        "    limits = httpx2.get(sandbox.url + '/_sandbox/limits').json()\n"
        "    assert limits['limits'] == ['100/s']\n"
    )
    # Each alone, then together: the conftest's configuration must not reach the other
    # tests, nor theirs the conftest's, in one run either.
    for directory, passed in [
        (tmp_path / "test_outage_drill.py", "3 passed"),
        (session, "1 passed"),
        (tmp_path, "4 passed"),
    ]:
        result = _pytest(directory)
        assert passed in result.stdout, result.stdout + result.stderr


def test_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    exec(_block_starting("python", "import httpx2\nfrom tether.sandbox"), {})
    printed = capsys.readouterr().out.splitlines()
    statuses = ast.literal_eval(printed[0])
    assert set(statuses) == {200, 502}
    assert ast.literal_eval(printed[1]) == {"status": statuses.count(502)}


@pytest.mark.skipif(shutil.which("curl") is None, reason="the shell drill uses curl")
def test_shell_drill_runs(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    script = _block_starting("bash", "#!/usr/bin/env bash").replace("8765", str(port))
    (tmp_path / "drill.sh").write_text(script)
    bin_dir = str(Path(sys.executable).parent)
    result = subprocess.run(
        ["bash", str(tmp_path / "drill.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
    )
    assert result.returncode == 0, result.stderr
    codes, stats = result.stdout.splitlines()[:2]
    assert set(codes.split()) == {"200", "503"}
    assert '"faults":{"status":' in stats.replace(" ", "")
