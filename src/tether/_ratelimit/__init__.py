"""Client-side rate limiting: pure limiter algorithms, header feedback and stores.

The transports that use a limiter are in :mod:`tether._transports._ratelimit`.

Public names are re-exported from :mod:`tether`; see ``docs/rate-limits.md``.
"""

from tether._ratelimit._config import RateLimit, Route
from tether._ratelimit._limiter import Permit, Plan, RateLimiter, RateLimitLike, as_limiter
from tether._ratelimit._rate import Rate, parse_rate, parse_rates
from tether._ratelimit._redis import RedisStore
from tether._ratelimit._sqlite import SQLiteStore
from tether._ratelimit._stores import MemoryStore, Store

__all__ = [
    "MemoryStore",
    "Permit",
    "Plan",
    "Rate",
    "RateLimit",
    "RateLimitLike",
    "RateLimiter",
    "RedisStore",
    "Route",
    "SQLiteStore",
    "Store",
    "as_limiter",
    "parse_rate",
    "parse_rates",
]
