"""Every Python example in docs/sandbox.md runs as written against a live sandbox: each
on its own after a reset, and all of them in page order on one sandbox, as a reader who
tries them one after another runs them."""

from __future__ import annotations

import asyncio
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from tether.sandbox import SandboxServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def _run(sandbox: SandboxServer, index: int) -> None:
    code = BLOCKS[index].replace("http://127.0.0.1:8000", sandbox.url)
    namespace: dict[str, Any] = {"__name__": f"docs_example_{index}"}
    exec(compile(code, f"{DOC.name} example {index + 1}", "exec"), namespace)
    for name, value in list(namespace.items()):
        # Example tests take the fixture handle, reset as the fixture hands it over.
        if name.startswith("test_") and callable(value):
            sandbox.reset()
            result = value(sandbox)
            if inspect.iscoroutine(result):
                asyncio.run(result)


def test_the_guide_has_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(sandbox: SandboxServer, index: int) -> None:
    _run(sandbox, index)


def test_examples_run_in_page_order_on_one_sandbox(sandbox: SandboxServer) -> None:
    # The page says its examples assume a sandbox "freshly started or reset", once: what one
    # example writes must not break a later one.
    for index in range(len(BLOCKS)):
        _run(sandbox, index)
