"""The README's examples run, in order, against a live sandbox, and print what they say."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import re
from pathlib import Path

import pytest

from tether.sandbox import SandboxServer

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def test_readme_examples_run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANDBOX_API_KEY", raising=False)
    blocks = BLOCK.findall(README.read_text())
    assert len(blocks) >= 6
    namespace: dict[str, object] = {}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for block in blocks:
            exec(compile(block.replace("http://127.0.0.1:8000", sandbox.url), "README", "exec"),
                 namespace)
        # The fixture example defines a test: run it against the same server.
        test = namespace["test_my_client_survives_an_outage"]
        assert callable(test)
        test(sandbox)
        async_test = namespace["test_my_async_client"]
        assert inspect.iscoroutinefunction(async_test)
        asyncio.run(async_test(sandbox))
    printed = output.getvalue().splitlines()
    assert printed[:3] == ["1 False", f"404 {sandbox.url}/todos/9999", "201 101"]
    assert printed[3].startswith("APIKeyAuth('[REDACTED]'")
    assert printed[4].strip()  # the profile's username
    assert "tether-sandbox-key" not in output.getvalue()
    assert printed[5:] == ["1", "5000"]
