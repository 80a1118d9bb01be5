"""Client-side rate limiting: pure limiter algorithms, header feedback, stores, transports.

Public names are re-exported from :mod:`tether`; see ``docs/rate-limits.md``.
"""

from tether._ratelimit._config import RateLimit, Route
from tether._ratelimit._limiter import Permit, RateLimiter
from tether._ratelimit._rate import Rate, parse_rate, parse_rates
from tether._ratelimit._redis import RedisStore
from tether._ratelimit._sqlite import SQLiteStore
from tether._ratelimit._stores import MemoryStore, Store
from tether._ratelimit._transport import (
    AsyncRateLimitTransport,
    RateLimitLike,
    RateLimitTransport,
    as_limiter,
)

__all__ = [
    "AsyncRateLimitTransport",
    "MemoryStore",
    "Permit",
    "Rate",
    "RateLimit",
    "RateLimitLike",
    "RateLimitTransport",
    "RateLimiter",
    "RedisStore",
    "Route",
    "SQLiteStore",
    "Store",
    "as_limiter",
    "parse_rate",
    "parse_rates",
]
