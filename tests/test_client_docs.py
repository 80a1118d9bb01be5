"""Every Python example in docs/client.md runs against a live sandbox, in order."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from tether.sandbox import SandboxServer

DOC = Path(__file__).resolve().parent.parent / "docs" / "client.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def test_doc_examples_run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = BLOCK.findall(DOC.read_text())
    assert len(blocks) >= 10
    monkeypatch.delenv("SANDBOX_TOKEN", raising=False)
    namespace: dict[str, object] = {}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for block in blocks:
            code = block.replace("http://127.0.0.1:8000", sandbox.url)
            code = code.replace("127.0.0.1:8000", sandbox.url.removeprefix("http://"))
            exec(compile(code, str(DOC), "exec"), namespace)
    printed = output.getvalue().splitlines()
    # Spot checks of what the guide promises in its comments.
    assert "10" in printed
    assert "too slow" in printed
    assert "posts 9999 does not exist" in printed
    assert "30.0" in printed
    assert "ServerError" in printed
    assert "api-key" in printed
    assert "bearer" in printed
    assert "NOT_SET_ANYWHERE" in printed
    assert "RequestFinished 200 1" in printed
    assert printed.count("1") >= 1
    assert not any("hunter2" in line or "t0k" in line for line in printed)


FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)


def test_when_things_go_wrong_prints_what_the_page_shows(sandbox: SandboxServer) -> None:
    # Each error block prints exactly the message shown under it.
    text = DOC.read_text()
    section = text[text.index("## When things go wrong") :]
    section = section[: section.index("\n## ", 1)]
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(section)]
    namespace: dict[str, object] = {"tether": __import__("tether")}
    checked = 0
    for index, (language, body) in enumerate(blocks):
        if language != "python":
            continue
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(body.replace("http://127.0.0.1:8000", sandbox.url), str(DOC), "exec"),
                 namespace)
        expected = blocks[index + 1][1] if blocks[index + 1][0] == "text" else ""
        assert output.getvalue().replace(sandbox.url, "http://127.0.0.1:8000") == expected
        checked += 1
    assert checked >= 8
