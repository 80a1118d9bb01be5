"""Builders of answered pages for the pure tests: real httpx2 objects, no network."""

from __future__ import annotations

from typing import Any

import httpx2

from tether._pagination import PageContext, PageRequest


def response(
    url: str, body: Any, *, headers: dict[str, str] | None = None, status: int = 200
) -> httpx2.Response:
    """A response to ``GET url`` carrying ``body`` as JSON."""
    return httpx2.Response(
        status, json=body, headers=headers or {}, request=httpx2.Request("GET", url)
    )


def context(
    url: str,
    body: Any,
    *,
    headers: dict[str, str] | None = None,
    items: list[Any] | None = None,
    position: int = 0,
) -> PageContext:
    """What a strategy sees for ``GET url`` answered with ``body``."""
    if items is None:
        items = body if isinstance(body, list) else body.get("data", [])
    return PageContext(
        request=PageRequest.from_url(url),
        status=200,
        headers=httpx2.Headers(headers or {}),
        body=body,
        items=items,
        position=position,
    )
