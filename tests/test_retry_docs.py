"""Every Python example in docs/retries.md runs against a live sandbox, in order."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import tether
from tether._retry import is_testing
from tether.sandbox import SandboxServer

DOC = Path(__file__).resolve().parent.parent / "docs" / "retries.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def test_doc_examples_run(sandbox: SandboxServer) -> None:
    blocks = BLOCK.findall(DOC.read_text())
    assert len(blocks) == 6
    namespace: dict[str, object] = {}
    output = io.StringIO()
    # The guide's waits are real; the test keeps the decisions and skips the sleeping.
    with tether.retry_testing_mode(), contextlib.redirect_stdout(output):
        for block in blocks:
            code = block.replace("http://127.0.0.1:8000", sandbox.url)
            exec(compile(code, str(DOC), "exec"), namespace)
    printed = output.getvalue()
    assert "deadline of 2s exceeded after 1 attempt(s)" in printed
    assert printed.count("status 503 after") == tether.Retry().attempts
    assert "\n200\n" in printed
    assert not is_testing()  # the guide switched the process-wide switch back off
    titles = [post["title"] for post in _posts(sandbox)]
    assert titles.count("hello") == 1


def _posts(sandbox: SandboxServer) -> list[dict[str, object]]:
    with tether.Client(base_url=sandbox.url) as client:
        posts: list[dict[str, object]] = client.get("/posts", params={"title": "hello"}).json()
        return posts
