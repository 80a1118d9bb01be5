"""`make demo` runs `tether demo`: the whole client against the embedded sandbox, and it exits
by itself with status 0 only when every step worked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tether.sandbox import DEFAULT_API_KEY

TETHER = Path(sys.executable).with_name("tether")


def test_demo_shows_every_part_working_and_exits() -> None:
    assert TETHER.exists(), "the tether console script is not installed beside python"
    result = subprocess.run(
        [str(TETHER), "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "raised NotFound" in out
    assert "raised UnprocessableEntity" in out
    assert "[REDACTED]" in out
    assert DEFAULT_API_KEY not in out + result.stderr
    assert re.search(r"\b200/200 calls succeeded", out), out
    assert re.search(r"429s received: 0\b", out), out
    # Five pagination styles, each returning all 5,000 photos once and in order.
    assert len(re.findall(r"│ 5000\s+│ 5000\s+│ yes", out)) == 5, out
    # The bulk pull was killed part-way, resumed, and holds every photo once.
    assert re.search(r"killed \(SIGKILL\) after (\d+) of 100 pages", out), out
    assert "photos.db holds 5000 photos, 5000 distinct ids" in out
    assert re.search(r"items pulled\s+│ 5000", out), out
    assert re.search(r"data verified complete\s+│ yes", out), out
    assert re.search(r"steps that worked\s+│ 6/6", out), out
    assert "done: the server handled" in out
