"""`make demo` runs the whole client against the embedded sandbox and exits by itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tether.sandbox import DEFAULT_API_KEY

ROOT = Path(__file__).resolve().parents[1]


def test_demo_shows_every_part_working_and_exits() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "raised NotFound" in out
    assert "raised UnprocessableEntity" in out
    assert "[REDACTED]" in out
    assert DEFAULT_API_KEY not in out
    assert re.search(r"\b200/200 calls succeeded", out), out
    assert re.search(r"429s received: 0\b", out), out
    # Five pagination styles, each returning all 5,000 photos once and in order.
    assert len(re.findall(r"│ 5000\s+│ 5000\s+│ yes", out)) == 5, out
    assert "done: the server handled" in out

