"""The help a person reads: every command listed with its purpose, an example on each, and
option labels such as SECONDS or FILE rather than Python types."""

from __future__ import annotations

import sys

import pytest

from tether.cli import main

COMMANDS = ("serve", "get", "post", "put", "patch", "delete", "head", "options", "pull", "demo")


def help_of(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *args: str) -> str:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(sys, "argv", ["tether", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_root_help_lists_every_command_with_a_purpose(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(monkeypatch, capsys, "--help")
    for name in COMMANDS:
        line = next(line for line in text.splitlines() if f"│ {name} " in line)
        assert len(line.split(name, 1)[1].strip(" │")) > 15, line


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_an_example_and_readable_labels(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    text = help_of(monkeypatch, capsys, name, "--help")
    assert "Example" in text
    assert f"tether {name}" in text
    for python_type in ("<str>", "<bool>", "<int>", "<float>", "<path>", "list[str]"):
        assert python_type not in text, python_type
    if name in ("get", "pull"):
        for label in ("SECONDS", "RATE", "VAR", "USER:PASS"):
            assert label in text
