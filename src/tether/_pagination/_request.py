"""The request a paginator sends for one page, as a plain value.

A page request is a URL without its query plus the query as ordered ``(name, value)``
pairs. Keeping the query apart matters because httpx2 *replaces* a URL's query string
when ``params=`` is passed, so the shells always send ``params=request.params`` on the
bare URL and a client's own default params are merged in rather than wiping the page's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx2

from tether._redact import redact_url

__all__ = ["PageRequest", "QueryPairs"]

QueryPairs = tuple[tuple[str, str], ...]


def _pairs(params: Any) -> QueryPairs:
    if params is None:
        return ()
    return tuple(httpx2.QueryParams(params).multi_items())


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page's URL (without query) and query parameters, in order.

    ``url`` is absolute once a response has been seen; the very first request may be
    relative to the client's ``base_url``, exactly as the caller wrote it.

    >>> r = PageRequest.from_url("https://api.example/photos?albumId=3", {"_page": 1})
    >>> r.with_param("_page", 2).full_url
    'https://api.example/photos?albumId=3&_page=2'
    """

    url: str
    params: QueryPairs = ()

    @classmethod
    def from_url(cls, url: str | httpx2.URL, params: Any = None) -> PageRequest:
        """Split ``url``'s query into pairs, then let ``params`` override same-named ones.

        ``params`` takes anything httpx2 accepts (a mapping, possibly with list values,
        pairs, or a query string); booleans become ``true``/``false`` as in httpx2.
        """
        parsed = url if isinstance(url, httpx2.URL) else httpx2.URL(url)
        query = parsed.params
        if params is not None:
            query = query.merge(httpx2.QueryParams(params))
        bare = parsed.copy_with(query=None, fragment=None)
        return cls(str(bare), tuple(query.multi_items()))

    @property
    def full_url(self) -> str:
        """The URL with the query appended (for logs, comparisons and checkpoints)."""
        if not self.params:
            return self.url
        return str(httpx2.URL(self.url, params=list(self.params)))

    @property
    def key(self) -> tuple[str, QueryPairs]:
        """Identity used for loop detection: the URL plus the query pairs sorted.

        Servers and tether may order parameters differently for the same page, so the
        order is not part of the identity.
        """
        return (self.url, tuple(sorted(self.params)))

    def get_param(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or ``None`` when absent."""
        for key, value in self.params:
            if key == name:
                return value
        return None

    def has_param(self, name: str) -> bool:
        """True when the query carries ``name`` (even with an empty value)."""
        return any(key == name for key, _ in self.params)

    def with_param(self, name: str, value: object) -> PageRequest:
        """A copy with ``name`` set to ``value``: replaced in place, or appended if absent."""
        text = _pairs({name: value})[0][1]
        out: list[tuple[str, str]] = []
        replaced = False
        for key, old in self.params:
            if key != name:
                out.append((key, old))
            elif not replaced:
                out.append((key, text))
                replaced = True
        if not replaced:
            out.append((name, text))
        return PageRequest(self.url, tuple(out))

    def with_params(self, pairs: Iterable[tuple[str, object]]) -> PageRequest:
        """A copy with each ``(name, value)`` applied as by :meth:`with_param`."""
        request = self
        for name, value in pairs:
            request = request.with_param(name, value)
        return request

    def resolve(self, reference: str) -> PageRequest:
        """The request for ``reference`` (absolute or relative) as seen from this page."""
        return PageRequest.from_url(httpx2.URL(self.full_url).join(reference))

    def __repr__(self) -> str:
        return f"PageRequest({redact_url(self.full_url)!r})"
