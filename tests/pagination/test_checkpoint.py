"""Checkpoints survive a JSON round trip and refuse malformed input."""

from __future__ import annotations

import json

import pytest

from tether._pagination import Checkpoint, Cursor, PageNumber, PageRequest, PaginationError


def test_round_trip_with_strategy() -> None:
    checkpoint = Checkpoint(
        PageRequest.from_url("https://h/p?_page=3&_limit=50&albumId=1&albumId=2"),
        skip=7,
        pages=2,
        items=107,
        strategy=PageNumber("_page", "_limit", pages_path="pages"),
    )
    again = Checkpoint.from_json(checkpoint.to_json())
    assert again == checkpoint
    assert not again.done


def test_finished_checkpoint() -> None:
    done = Checkpoint(None, pages=10, items=500, strategy=Cursor("meta.next", param="after"))
    assert done.done
    assert Checkpoint.from_dict(json.loads(done.to_json())) == done


def test_advanced_counts_items_within_a_page() -> None:
    start = Checkpoint(PageRequest.from_url("https://h/p"), skip=2, items=12)
    assert start.advanced(3) == Checkpoint(start.request, skip=5, items=15)


@pytest.mark.parametrize(
    "text",
    [
        "nope",
        '{"version": 99}',
        '{"version": 1, "url": "https://h/p"}',
        '{"version": 1, "url": "h", "params": [], "skip": -1, "pages": 0, "items": 0}',
        '{"version": 1, "url": "h", "params": [], "skip": 0, "pages": 0, "items": 0,'
        ' "strategy": {"type": "Telepathy"}}',
        '{"version": 1, "url": "h", "params": [], "skip": 0, "pages": 0, "items": 0,'
        ' "strategy": {"type": "Cursor", "colour": "red"}}',
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(PaginationError):
        Checkpoint.from_json(text)


def test_repr_hides_secrets() -> None:
    checkpoint = Checkpoint(PageRequest.from_url("https://h/p?token=abc&page=2"))
    assert "abc" not in repr(checkpoint)
