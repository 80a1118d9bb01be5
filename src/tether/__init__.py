"""tether: talk to REST APIs reliably.

Safe client defaults (timeouts, typed errors, auth from the environment, redacted secrets),
retries with backoff that honour ``Retry-After``, client-side rate limits that adapt to the
server, pagination of every common style, and a local sandbox API to test against.

Everything public is importable from here; the modules behind it are private.
"""

from tether._hooks import (
    Event,
    Hook,
    RateLimitAdjusted,
    RateLimitWaited,
    RequestFinished,
    RetryGivenUp,
    RetryScheduled,
)
from tether._options import CallOptions

__version__ = "0.1.0"

__all__ = [
    "CallOptions",
    "Event",
    "Hook",
    "RateLimitAdjusted",
    "RateLimitWaited",
    "RequestFinished",
    "RetryGivenUp",
    "RetryScheduled",
    "__version__",
]
