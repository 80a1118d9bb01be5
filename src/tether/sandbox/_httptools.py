"""The sandbox's fast HTTP/1.1 protocol: uvicorn's httptools protocol, made abortable.

httptools parses requests in C (llhttp), several times faster than the pure-Python h11
that :class:`~tether.sandbox._connections.AbortableH11Protocol` builds on; this module
imports it unconditionally, so ``_server`` imports it only when httptools is installed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tether.sandbox._connections import AbortableConnection

__all__ = ["AbortableHttpToolsProtocol"]


class AbortableHttpToolsProtocol(AbortableConnection, HttpToolsProtocol):
    """uvicorn's httptools protocol, with each open connection findable by its address pair
    (the same registry, reset and disconnect watching as ``AbortableH11Protocol``)."""

    _unanswered: list[Any] | None = None
    _current: Any = None

    # httptools parses pipelined requests ahead of their turn and ``cycle`` names the newest
    # one, so the request running when a fault drops the connection may be named nowhere
    # else: every cycle is remembered here until its response is complete.
    @property
    def cycle(self) -> Any:
        return self._current

    @cycle.setter
    def cycle(self, value: Any) -> None:
        self._current = value
        if value is not None:
            kept = [c for c in self._unanswered or () if not c.response_complete]
            self._unanswered = [*kept, value]

    def _cycles(self) -> Iterable[Any]:
        return [c for c in self._unanswered or () if not c.response_complete]
