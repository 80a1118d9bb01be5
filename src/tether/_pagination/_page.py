"""One fetched page, as handed to users by ``paginator.pages()``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2

from tether._pagination._checkpoint import Checkpoint
from tether._pagination._request import PageRequest
from tether._redact import redact_url

__all__ = ["Page"]


@dataclass(frozen=True, slots=True)
class Page:
    """A page's items plus the response they came from and where the pull stands.

    Save ``page.checkpoint`` in the same transaction as ``page.items`` to make a bulk
    pull resumable without gaps or duplicates.
    """

    items: list[Any]
    """The items handed out from this page (after a resume-skip or ``max_items`` trim)."""
    response: httpx2.Response
    number: int
    """1 for the first page of the pull (counting pages from a resumed checkpoint)."""
    request: PageRequest
    """The request that was sent for this page."""
    total: int | None
    """The collection's size when the server says so, else ``None``."""
    before: Checkpoint
    """The position before this page's items."""
    checkpoint: Checkpoint
    """The position after this page's items: resume here to continue with the next page."""

    def checkpoint_at(self, consumed: int) -> Checkpoint:
        """The position after the first ``consumed`` items of this page."""
        if consumed >= len(self.items):
            return self.checkpoint
        return self.before.advanced(consumed)

    def __repr__(self) -> str:
        return (
            f"Page(number={self.number}, items={len(self.items)}, "
            f"status={self.response.status_code}, url={redact_url(self.request.full_url)!r})"
        )
