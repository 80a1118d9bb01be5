"""Per-call options, carried from the client to the transports in ``request.extensions``.

Retry and rate limiting are transports, so they only see the :class:`httpx2.Request`.
Options a user passes to one call (``client.get(url, retry=False, deadline=2)``) travel
with the request under one extension key; a transport wrapped around a plain httpx2 client
sees no key and uses its own defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx2

from tether._transports._base import CALL_OPTIONS_EXTENSION

if TYPE_CHECKING:
    from tether._retry import Retry

__all__ = ["CallOptions", "call_options"]


@dataclass(frozen=True, slots=True)
class CallOptions:
    """What one call overrides of its client's configuration. ``None`` means "as configured"."""

    raise_for_status: bool | None = None
    retry: Retry | bool | None = None
    """A policy for this call only; ``False`` sends exactly once."""
    deadline: float | None = None
    """Seconds for the whole call: every attempt and every wait between attempts."""


_DEFAULT = CallOptions()


def call_options(request: httpx2.Request) -> CallOptions:
    """The options attached to ``request``, or the defaults when there are none."""
    options = request.extensions.get(CALL_OPTIONS_EXTENSION)
    return options if isinstance(options, CallOptions) else _DEFAULT
