"""Answers to repeated reads of the resources, kept until the data changes.

A client polling ``GET /posts?_page=2`` gets the same bytes until something writes, so
:class:`ResponseCacheMiddleware` keeps the 200 answers of ``GET``/``HEAD`` on the resource
routes (``/posts``, ``/posts/1``, ``/posts/1/comments``) under everything the answer
depends on: method, scheme, ``Host`` header, root path, path and raw query string (the
``Link`` header holds absolute URLs) and the store's data version, which every write,
delete and reseed changes. It is the innermost layer: rate limits, faults, the stats and
the dashboard's metrics still see and act on every request; a hit only skips the routing,
the query and the encoding.

Bounded: at most :data:`MAX_ENTRIES` answers and :data:`MAX_BYTES` bytes of bodies, the
oldest forgotten first; a body over :data:`MAX_BODY` bytes is never kept.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tether.sandbox._store import Store

__all__ = ["MAX_BODY", "MAX_BYTES", "MAX_ENTRIES", "ResponseCache", "ResponseCacheMiddleware"]

MAX_ENTRIES = 2048
MAX_BYTES = 64 * 1024 * 1024
MAX_BODY = 2 * 1024 * 1024

_Key = tuple[str, str, bytes, str, str, bytes]


@dataclass(frozen=True, slots=True)
class _Answer:
    version: int
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class ResponseCache:
    """The answers kept, bounded by :data:`MAX_ENTRIES` and :data:`MAX_BYTES`; used from the
    server's event loop only."""

    def __init__(self) -> None:
        self._answers: dict[_Key, _Answer] = {}
        self._bytes = 0
        self.hits = 0
        """Answers sent from the cache since the server started."""

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: _Key, version: int) -> _Answer | None:
        """The answer kept for ``key`` if it was computed from data ``version``."""
        answer = self._answers.get(key)
        if answer is None or answer.version != version:
            return None
        self.hits += 1
        return answer

    def put(self, key: _Key, answer: _Answer) -> None:
        """Keep ``answer``, forgetting the oldest ones to stay within bounds."""
        size = len(answer.body)
        if size > MAX_BODY:
            return
        if self._answers and self._answers[next(iter(self._answers))].version != answer.version:
            # Everything older than the data is dead weight: drop it at once.
            self._answers.clear()
            self._bytes = 0
        old = self._answers.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        while self._answers and (len(self._answers) >= MAX_ENTRIES
                                 or self._bytes + size > MAX_BYTES):
            oldest = next(iter(self._answers))
            self._bytes -= len(self._answers.pop(oldest).body)
        self._answers[key] = answer
        self._bytes += size


class ResponseCacheMiddleware:
    """Serves repeated ``GET``/``HEAD`` reads of ``resources`` from ``cache`` while the data
    of ``store`` is unchanged."""

    def __init__(
        self, app: ASGIApp, cache: ResponseCache, store: Store, resources: Collection[str]
    ) -> None:
        self.app = app
        self.cache = cache
        self.store = store
        self._names = frozenset(resources)

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        path: str = scope["path"]
        return path[1:].partition("/")[0] in self._names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        host = b""
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
                break
        key: _Key = (scope["method"], scope.get("scheme", "http"), host,
                     scope.get("root_path", ""), scope["path"], scope.get("query_string", b""))
        version = self.store.version  # read first: an answer is never newer than its version
        answer = self.cache.get(key, version)
        if answer is not None:
            # Fresh messages each time: the layers outside add headers to them in place.
            await send({"type": "http.response.start", "status": answer.status,
                        "headers": list(answer.headers)})
            await send({"type": "http.response.body", "body": answer.body})
            return
        status = 0
        headers: tuple[tuple[bytes, bytes], ...] = ()
        chunks: list[bytes] = []
        complete = False

        async def keep(message: Message) -> None:
            nonlocal status, headers, complete
            if message["type"] == "http.response.start":
                # Copied now: the layers outside change the message's headers in place.
                status, headers = int(message["status"]), tuple(message.get("headers", ()))
            elif message["type"] == "http.response.body" and status:
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, keep)
        if status == 200 and complete:
            self.cache.put(key, _Answer(version, status, headers, b"".join(chunks)))
