"""Parsers for the headers in which servers say when to come back.

One module for every reader of these headers (the retry policy, and the rate limiter's
header feedback), so each format is parsed in exactly one place. All functions are pure:
the current Unix time is passed in, and bad input yields ``None``, never an exception,
because a malformed header from a server must not break the request that carried it.

Formats (see the project's reference notes for sources):

* ``Retry-After`` (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date. The obsolete
  RFC 850 and asctime date forms are accepted as RFC 9110 asks recipients to.
* ``retry-after-ms``: milliseconds, sent by some API gateways (and read by openai-python).
* ``RateLimit`` (draft-ietf-httpapi-ratelimit-headers-10, Structured Fields):
  ``"burst";r=0;t=30, "daily";r=950;t=3600``; ``r`` remaining quota, ``t`` seconds until it
  returns (a delay, not an epoch).
* ``RateLimit-Remaining`` / ``RateLimit-Reset`` (drafts up to -06): reset is a delay.
* ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (GitHub and many others): reset is
  Unix epoch seconds. Some APIs send a delay there instead; a value too small to be a
  recent epoch (below 10^9, i.e. before 2001) is read as a delay.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = [
    "HEADER_NAME",
    "QuotaFields",
    "RateLimitItem",
    "RateLimitPolicyItem",
    "parse_quota_fields",
    "parse_ratelimit",
    "parse_ratelimit_policy",
    "parse_retry_after",
    "parse_retry_after_ms",
    "ratelimit_wait",
    "server_wait",
]

HEADER_NAME: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""An HTTP field name (RFC 9110 ``token``): what a header name given by a user must match."""

# Epoch values below this are taken for delays (see the module documentation).
_EPOCH_FLOOR: Final = 1_000_000_000
_UNSIGNED = re.compile(r"\d+(?:\.\d+)?")
_SIGNED = re.compile(r"-?\d+(?:\.\d+)?")


def _number(text: str, form: re.Pattern[str] = _UNSIGNED) -> float | None:
    """A plain decimal number (unsigned unless ``form`` says otherwise), else ``None``."""
    text = text.strip()
    if not form.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def parse_retry_after(value: str, *, now: float) -> float | None:
    """Seconds to wait according to a ``Retry-After`` value, or ``None`` if unreadable.

    A date in the past means "now" (0). ``now`` is the current Unix time.

    >>> parse_retry_after("120", now=0)
    120.0
    >>> parse_retry_after("Thu, 01 Jan 1970 00:02:00 GMT", now=60)
    60.0
    """
    seconds = _number(value)
    if seconds is not None:
        return seconds
    text = value.strip()
    # Cheap rejection keeps garbage away from the lenient date parser.
    if len(text) < 20 or len(text) > 40 or not text[:1].isalpha():
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # asctime dates carry no zone; HTTP-dates are always UTC.
    try:
        if when.tzinfo is None:
            timestamp = when.replace(tzinfo=UTC).timestamp()
        else:
            timestamp = when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
    return max(0.0, timestamp - now)


def parse_retry_after_ms(value: str) -> float | None:
    """Seconds to wait according to a ``retry-after-ms`` value (milliseconds)."""
    millis = _number(value)
    return None if millis is None else millis / 1000.0


@dataclass(frozen=True, slots=True)
class RateLimitItem:
    """One policy's state from a ``RateLimit`` field."""

    policy: str
    remaining: int | None
    """``r``: quota units left in the current window."""
    reset: float | None
    """``t``: seconds until quota returns."""


def _split_members(value: str) -> list[str]:
    """Split a Structured Fields list on commas outside quoted strings."""
    members: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            members.append("".join(current))
            current = []
            continue
        current.append(char)
    members.append("".join(current))
    return [member.strip() for member in members if member.strip()]


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _param_number(text: str) -> float | None:
    """A parameter's number, which may be negative (callers clamp where it matters)."""
    return _number(text, _SIGNED)


def _param(text: str) -> tuple[str, float] | None:
    """A numeric ``key=value`` pair with a lower-case key, or ``None`` when unreadable."""
    key, _, raw = text.partition("=")
    number = _param_number(raw)
    return None if number is None else (key.strip().lower(), number)


def _member(member: str) -> tuple[str, list[tuple[str, float]]]:
    """A Structured Fields list member: its head and its readable numeric parameters, in
    order: ``'"a";r=0;t=30'`` gives ``'"a"'`` and ``[("r", 0.0), ("t", 30.0)]``."""
    head, *params = member.split(";")
    return head.strip(), [pair for pair in map(_param, params) if pair is not None]


def parse_ratelimit(value: str) -> list[RateLimitItem]:
    """Parse a ``RateLimit`` field into one item per policy; unreadable members are skipped.

    Reads the draft-10 list form (``"burst";r=0;t=30``) and the older dictionary form
    (``limit=100, remaining=0, reset=30``, drafts -03 to -08), which becomes one item.

    >>> parse_ratelimit('"burst";r=0;t=30')
    [RateLimitItem(policy='burst', remaining=0, reset=30.0)]
    """
    items: list[RateLimitItem] = []
    legacy: dict[str, float] = {}
    for member in _split_members(value):
        head, params = _member(member)
        if "=" in head and not head.startswith('"'):
            # Dictionary member of the older form: key=value.
            pair = _param(head)
            if pair is not None:
                legacy[pair[0]] = pair[1]
            continue
        remaining: int | None = None
        reset: float | None = None
        for key, number in params:
            if key == "r":
                remaining = int(number)
            elif key == "t":
                reset = max(number, 0.0)
        items.append(RateLimitItem(_unquote(head), remaining, reset))
    if legacy:
        remaining_value = legacy.get("remaining")
        reset_value = legacy.get("reset")
        items.append(
            RateLimitItem(
                "",
                None if remaining_value is None else int(remaining_value),
                None if reset_value is None else max(reset_value, 0.0),
            )
        )
    return items


def ratelimit_wait(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds until quota returns when a rate-limit header says none is left, else ``None``.

    Reads, in order, ``RateLimit`` (draft-10 or older dictionary form), then
    ``RateLimit-Remaining``/``RateLimit-Reset``, then
    ``X-RateLimit-Remaining``/``X-RateLimit-Reset``. ``headers`` must look names up
    case-insensitively (``httpx2.Headers`` does) or use lower-case names.
    """
    field_value = headers.get("ratelimit")
    if field_value is not None:
        waits = [
            item.reset
            for item in parse_ratelimit(field_value)
            if item.remaining is not None and item.remaining <= 0 and item.reset is not None
        ]
        if waits:
            # Every exhausted policy must have refilled before a request can pass.
            return max(waits)
    for prefix, epoch in (("ratelimit-", False), ("x-ratelimit-", True)):
        remaining = headers.get(prefix + "remaining")
        reset = headers.get(prefix + "reset")
        if remaining is None or reset is None:
            continue
        left = _param_number(remaining)
        when = _number(reset)
        if left is None or when is None or left > 0:
            continue
        if epoch and when >= _EPOCH_FLOOR:
            return max(0.0, when - now)
        return when
    return None


def server_wait(headers: Mapping[str, str], *, now: float) -> float | None:
    """The wait a response asks for, from whichever header says so, or ``None``.

    ``retry-after-ms`` is the most precise and wins, then ``Retry-After`` (which the
    RateLimit draft says overrides its own reset), then the rate-limit reset fields.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        wait = parse_retry_after_ms(millis)
        if wait is not None:
            return wait
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        wait = parse_retry_after(retry_after, now=now)
        if wait is not None:
            return wait
    return ratelimit_wait(headers, now=now)


@dataclass(frozen=True, slots=True)
class RateLimitPolicyItem:
    """One quota policy from a ``RateLimit-Policy`` field."""

    policy: str
    """The policy's name (draft-10), or ``""`` in the older unnamed form."""
    quota: int
    """``q``: quota units per window."""
    window: float | None
    """``w``: the window in seconds, when given."""


def parse_ratelimit_policy(value: str) -> list[RateLimitPolicyItem]:
    """Parse a ``RateLimit-Policy`` field; unreadable members are skipped.

    Reads draft-10 (``"burst";q=100;w=60, "daily";q=1000;w=86400``) and the older
    drafts' form, where the member is the quota itself (``10;w=1, 50;w=60``).

    >>> parse_ratelimit_policy('"burst";q=100;w=60')
    [RateLimitPolicyItem(policy='burst', quota=100, window=60.0)]
    >>> parse_ratelimit_policy("10;w=1")
    [RateLimitPolicyItem(policy='', quota=10, window=1.0)]
    """
    items: list[RateLimitPolicyItem] = []
    for member in _split_members(value):
        head, params = _member(member)
        quota = _number(head)
        name = ""
        if quota is None:
            name = _unquote(head)
        window: float | None = None
        for key, number in params:
            if key == "q":
                quota = number
            elif key == "w" and number > 0:
                window = number
        if quota is not None and quota >= 1:
            items.append(RateLimitPolicyItem(name, int(quota), window))
    return items


@dataclass(frozen=True, slots=True)
class QuotaFields:
    """The separate-field forms: ``X-RateLimit-*`` or the older drafts' ``RateLimit-*``."""

    limit: int | None
    remaining: int | None
    reset: float | None
    """Seconds until the quota returns (epoch values already turned into a delay)."""


def parse_quota_fields(
    headers: Mapping[str, str], *, now: float, prefix: str = "x-ratelimit-"
) -> QuotaFields | None:
    """Read ``<prefix>limit``, ``-remaining`` and ``-reset``; ``None`` when none is there.

    With the ``x-ratelimit-`` prefix the reset is epoch seconds (a value below 10^9 is
    taken for a delay, as above); with ``ratelimit-`` it is a delay. The first number of
    a list value counts (``RateLimit-Limit: 10, 10;w=1``).
    """

    def first_number(name: str) -> float | None:
        raw = headers.get(prefix + name)
        if raw is None:
            return None
        return _param_number(raw.split(",")[0].split(";")[0])

    limit = first_number("limit")
    remaining = first_number("remaining")
    reset = first_number("reset")
    if limit is None and remaining is None and reset is None:
        return None
    if reset is not None:
        if prefix == "x-ratelimit-" and reset >= _EPOCH_FLOOR:
            reset = reset - now
        reset = max(0.0, reset)
    return QuotaFields(
        None if limit is None or limit < 0 else int(limit),
        None if remaining is None else max(0, int(remaining)),
        reset,
    )

