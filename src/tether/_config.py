"""Client defaults and the validation of timeouts and per-call options.

Kept apart from the client classes so the sync and async clients share every decision:
they only differ in how they wait and send.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import httpx2

from tether._errors import ConfigurationError
from tether._hooks import Hook
from tether._options import EXTENSION_KEY, CallOptions

if TYPE_CHECKING:
    from tether._retry import Retry

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "Settings",
    "attach_call_options",
    "check_timeout",
]

DEFAULT_TIMEOUT: Final = httpx2.Timeout(10.0, connect=5.0)
"""10 s for each of read, write and pool waits, 5 s to connect."""

DEFAULT_LIMITS: Final = httpx2.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0
)
"""At most 100 connections; 20 kept alive for 30 s (httpx2 keeps them 5 s, which drops
connections between the bursts typical of API clients)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What tether adds to an httpx2 client's configuration, shared by sync and async.

    The httpx2 part (base URL, headers, auth ...) lives on the client object itself, where
    users may also change it after construction; ``with_options`` reads it from there.
    """

    raise_for_status: bool = True
    hooks: tuple[Hook, ...] = ()
    allow_no_timeout: bool = False


def _is_seconds(value: object) -> bool:
    """A positive, finite number of seconds (``True`` is not one)."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value > 0
    )


def check_timeout(
    timeout: httpx2.Timeout | float | tuple[Any, ...] | None, *, allow_no_timeout: bool
) -> httpx2.Timeout:
    """Return ``timeout`` as an :class:`httpx2.Timeout`, refusing "no timeout" unless allowed.

    A request without a timeout can hang for ever on a stalled server, which is the most
    common way API clients get stuck, so disabling it has to be explicit.
    """
    try:
        value = timeout if isinstance(timeout, httpx2.Timeout) else httpx2.Timeout(timeout)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"timeout={timeout!r} is not a valid timeout ({exc}); pass seconds as a number, "
            "or an httpx2.Timeout"
        ) from None
    phases = {
        "connect": value.connect,
        "read": value.read,
        "write": value.write,
        "pool": value.pool,
    }
    for name, seconds in phases.items():
        if seconds is not None and not _is_seconds(seconds):
            raise ConfigurationError(
                f"timeout: the {name} timeout must be a positive number of seconds, got {seconds!r}"
            )
    if not allow_no_timeout:
        missing = [name for name, seconds in phases.items() if seconds is None]
        if missing:
            raise ConfigurationError(
                f"timeout={timeout!r} leaves the {', '.join(missing)} timeout unset, so a "
                "stalled server could block this call for ever; pass a number of seconds "
                "(for example timeout=30), or allow_no_timeout=True on the client if you "
                "really want no limit"
            )
    return value


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and not _is_seconds(deadline):
        raise ConfigurationError(
            f"deadline={deadline!r}: pass a positive number of seconds for the whole call, "
            "or None for no deadline"
        )


def attach_call_options(
    extensions: Mapping[str, Any] | None,
    *,
    raise_for_status: bool | None,
    retry: Retry | bool | None,
    deadline: float | None,
) -> Mapping[str, Any] | None:
    """Return request extensions carrying these per-call options.

    Returns ``extensions`` untouched when no option was given, so a plain call allocates
    nothing.
    """
    if raise_for_status is None and retry is None and deadline is None:
        return extensions
    _check_deadline(deadline)
    merged = dict(extensions) if extensions else {}
    merged[EXTENSION_KEY] = CallOptions(
        raise_for_status=raise_for_status, retry=retry, deadline=deadline
    )
    return merged


def timeout_within_deadline(timeout: httpx2.Timeout, deadline: float) -> httpx2.Timeout:
    """``timeout`` with every phase capped at ``deadline`` seconds.

    Without a retry policy a call is one attempt, so the best the client can do for a
    deadline is to bound each phase of that attempt by it.
    """

    def cap(seconds: float | None) -> float:
        return deadline if seconds is None else min(seconds, deadline)

    return httpx2.Timeout(
        connect=cap(timeout.connect),
        read=cap(timeout.read),
        write=cap(timeout.write),
        pool=cap(timeout.pool),
    )
