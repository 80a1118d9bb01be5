"""The tutorial and the resources guide run as a reader runs them: every Python block in
order, in one session, against a fresh sandbox, each printing exactly the output the page
shows under it (a block with no output under it must print nothing)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from tether.sandbox import SandboxServer

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ["tutorial.md", "resources.md"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
EXPORT = re.compile(r"^export (\w+)=(\S+)$", re.MULTILINE)
PAGE_URL = "http://127.0.0.1:8000"


def _examples(text: str) -> list[tuple[str, str, int]]:
    """``(code, expected output, line)`` for each Python block; the output is the ``text``
    block right after it, or nothing when none follows."""
    blocks = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    examples = []
    for index, (language, body, start, end) in enumerate(blocks):
        if language != "python":
            continue
        expected = ""
        if index + 1 < len(blocks):
            following, output, next_start, _ = blocks[index + 1]
            if following == "text" and not text[end:next_start].strip():
                expected = output
        examples.append((body, expected, text.count("\n", 0, start) + 1))
    return examples


@pytest.mark.parametrize("page", PAGES)
def test_every_output_block_belongs_to_code(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    examples = _examples(text)
    assert len(examples) >= 8
    assert text.count("```text\n") == sum(1 for _, expected, _ in examples if expected)


def test_the_tutorial_covers_the_lesson() -> None:
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    assert len(_examples(text)) >= 25
    for heading in ("Your first request", "Status codes", "Query parameters", "Headers",
                    "Timeouts", "Creating, replacing, changing and deleting",
                    "One client, many requests", "Many requests at once with asyncio",
                    "Reading JSON safely", "Authentication", "The error hierarchy",
                    "Rate limits", "Retries with backoff", "Pagination", "A typed API client",
                    "Common mistakes"):
        assert f"\n## {heading}" in text, heading
    for mistake in ("No timeout", "Unchecked status", "Keys in code",
                    "A new connection per request", "Retrying POSTs",
                    "Pagination that stops early"):
        assert f"**{mistake}.**" in text, mistake


@pytest.mark.parametrize("page", PAGES)
def test_every_block_prints_what_the_page_shows(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    doc = DOCS / page
    text = doc.read_text(encoding="utf-8")
    # The page's own `export` lines are the environment its examples read keys from.
    for name, value in EXPORT.findall(text):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WEATHER_API_KEY", raising=False)
    namespace: dict[str, object] = {"__name__": doc.stem}
    for code, expected, line in _examples(text):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(code.replace(PAGE_URL, sandbox.url), f"{doc.name}:{line}", "exec"),
                 namespace)
        printed = output.getvalue().replace(sandbox.url, PAGE_URL)
        assert printed == expected, f"the block at {doc.name} line {line} printed:\n{printed}"
