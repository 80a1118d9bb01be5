"""tether: talk to REST APIs reliably.

Safe client defaults (timeouts, typed errors, auth from the environment, redacted secrets),
retries with backoff that honour ``Retry-After``, client-side rate limits that adapt to the
server, pagination of every common style, and a local sandbox API to test against.

Everything public is importable from here; the modules behind it are private.
"""

from tether._client import (
    AsyncClient,
    Client,
)
from tether._errors import (
    APIError,
    BadRequest,
    ClientError,
    ConfigurationError,
    Conflict,
    Forbidden,
    MissingCredentialError,
    NotFound,
    RateLimited,
    ServerError,
    TetherError,
    TokenError,
    Unauthorized,
    UnprocessableEntity,
)
from tether._hooks import (
    Event,
    Hook,
    RateLimitAdjusted,
    RateLimitWaited,
    RequestFinished,
    RetryGivenUp,
    RetryScheduled,
)
from tether._json import (
    JSONDecodeError,
    parse_json,
)
from tether._options import CallOptions
from tether._response import Response

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "AsyncClient",
    "BadRequest",
    "CallOptions",
    "Client",
    "ClientError",
    "ConfigurationError",
    "Conflict",
    "Event",
    "Forbidden",
    "Hook",
    "JSONDecodeError",
    "MissingCredentialError",
    "NotFound",
    "RateLimitAdjusted",
    "RateLimitWaited",
    "RateLimited",
    "RequestFinished",
    "Response",
    "RetryGivenUp",
    "RetryScheduled",
    "ServerError",
    "TetherError",
    "TokenError",
    "Unauthorized",
    "UnprocessableEntity",
    "__version__",
    "parse_json",
]
