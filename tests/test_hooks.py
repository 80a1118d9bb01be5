"""The hook protocol: every hook sees every event; a failing hook breaks nothing."""

from __future__ import annotations

import logging

import pytest

from tether._hooks import Event, RequestFinished, RetryScheduled, emit


def _finished() -> RequestFinished:
    return RequestFinished(
        method="GET", url="http://127.0.0.1/x", status=200, error=None, elapsed=0.01, attempt=1
    )


def test_emit_delivers_to_every_hook_in_order() -> None:
    seen: list[tuple[str, Event]] = []
    event = _finished()
    emit([lambda e: seen.append(("a", e)), lambda e: seen.append(("b", e))], event)
    assert seen == [("a", event), ("b", event)]


def test_failing_hook_is_logged_and_later_hooks_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("hook bug")

    event = RetryScheduled(method="GET", url="u", attempt=1, reason="status 503", wait=0.5)
    with caplog.at_level(logging.ERROR, logger="tether.hooks"):
        emit([broken, seen.append], event)
    assert seen == [event]
    assert "RetryScheduled" in caplog.text
    assert "hook bug" in caplog.text


def test_events_are_frozen() -> None:
    event = _finished()
    with pytest.raises(AttributeError):
        event.status = 500  # type: ignore[misc]
