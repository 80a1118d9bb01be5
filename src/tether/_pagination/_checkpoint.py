"""Resumable positions in a paginated collection.

A checkpoint is the next request to send plus how many items of that page were already
handed out, so a pull that stops anywhere (``max_items``, a crash, Ctrl-C) resumes
without gaps and, when the checkpoint is saved together with the items it covers,
without duplicates. It serialises to plain JSON for the bulk-pull command's SQLite
store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from tether._pagination._errors import PaginationError
from tether._pagination._request import PageRequest
from tether._pagination._strategies import Strategy, strategy_from_dict, strategy_to_dict
from tether._redact import redact_url

__all__ = ["Checkpoint"]

_VERSION = 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a pagination stands: the next request, or ``None`` when it is finished.

    >>> cp = Checkpoint(PageRequest.from_url("https://api.example/p?page=3"), items=100, pages=2)
    >>> Checkpoint.from_json(cp.to_json()) == cp
    True

    Pass one back with ``client.paginate(url, checkpoint=cp)`` to resume.
    """

    request: PageRequest | None
    """The request for the next page; ``None`` once the last page was handed out."""
    skip: int = 0
    """Items at the start of that page already handed out (resume mid-page)."""
    pages: int = 0
    """Pages fully handed out so far."""
    items: int = 0
    """Items handed out so far (the collection index of the next item)."""
    strategy: Strategy | None = None
    """The strategy in use (given or detected), so resuming skips detection."""

    @property
    def done(self) -> bool:
        """True when the whole collection was handed out."""
        return self.request is None

    def advanced(self, consumed: int) -> Checkpoint:
        """This checkpoint after ``consumed`` more items of the same page."""
        return replace(self, skip=self.skip + consumed, items=self.items + consumed)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {
            "version": _VERSION,
            "url": None if self.request is None else self.request.url,
            "params": [] if self.request is None else [list(p) for p in self.request.params],
            "skip": self.skip,
            "pages": self.pages,
            "items": self.items,
            "strategy": None if self.strategy is None else strategy_to_dict(self.strategy),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        """Rebuild a checkpoint from :meth:`to_dict` output; raises on a malformed one."""
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise PaginationError(
                f"not a tether checkpoint (expected a dict with version {_VERSION}): {data!r:.80}"
            )
        try:
            url = data["url"]
            params = tuple((str(k), str(v)) for k, v in data["params"])
            request = None if url is None else PageRequest(str(url), params)
            numbers = {name: int(data[name]) for name in ("skip", "pages", "items")}
        except (KeyError, TypeError, ValueError) as exc:
            raise PaginationError(f"malformed checkpoint: {exc!r}") from None
        if min(numbers.values()) < 0:
            raise PaginationError(f"malformed checkpoint: negative count in {numbers}")
        raw = data.get("strategy")
        strategy = None if raw is None else strategy_from_dict(raw)
        return cls(request, strategy=strategy, **numbers)

    def to_json(self) -> str:
        """The checkpoint as a compact JSON string."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Checkpoint:
        """Rebuild a checkpoint from :meth:`to_json` output."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise PaginationError(f"checkpoint is not valid JSON: {exc}") from None
        return cls.from_dict(data)

    def __repr__(self) -> str:
        where = "done" if self.request is None else redact_url(self.request.full_url)
        return (
            f"Checkpoint({where!r}, skip={self.skip}, pages={self.pages}, items={self.items}, "
            f"strategy={self.strategy!r})"
        )
