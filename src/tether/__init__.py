"""tether: talk to REST APIs reliably.

Safe client defaults (timeouts, typed errors, auth from the environment, redacted secrets),
retries with backoff that honour ``Retry-After``, client-side rate limits that adapt to the
server, pagination of every common style, and a local sandbox API to test against.

Everything public is importable from here; the modules behind it are private.
"""

from tether._api import (
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    request,
    stream,
)
from tether._auth import (
    APIKeyAuth,
    BasicAuth,
    BearerAuth,
    OAuth2ClientCredentials,
)
from tether._client import (
    AsyncClient,
    Client,
)
from tether._errors import (
    APIError,
    BadRequest,
    ClientError,
    ConfigurationError,
    ConfigurationTypeError,
    Conflict,
    Forbidden,
    MissingCredentialError,
    NotFound,
    RateLimited,
    ResponseValidationError,
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
from tether._logging import install_httpx2_log_redaction as _install_log_redaction
from tether._options import CallOptions
from tether._pagination import (
    AmbiguousPaginationError,
    AsyncPaginator,
    Checkpoint,
    Cursor,
    Detection,
    LastItemID,
    Link,
    LinkHeader,
    NextURL,
    OffsetLimit,
    Page,
    PageContext,
    PageNumber,
    PageRequest,
    PaginationError,
    Paginator,
    SinglePage,
    Stop,
    Strategy,
    find_link,
    parse_link_header,
)
from tether._ratelimit import (
    MemoryStore,
    Rate,
    RateLimit,
    RateLimiter,
    RedisStore,
    SQLiteStore,
    parse_rate,
)
from tether._resources import (
    AsyncListing,
    ClientT,
    ItemID,
    Listing,
    Model,
    Resource,
    ResourceOptions,
    Singleton,
)
from tether._response import Response
from tether._retry import Attempt, Retry, retry_testing_mode
from tether._retry_budget import RetryBudget
from tether._retry_errors import (
    DeadlineExceeded,
    RetryAfterTooLong,
    RetryBudgetExhausted,
    RetryError,
    attempts_of,
)
from tether._transports._ratelimit import AsyncRateLimitTransport, RateLimitTransport
from tether._transports._retry import AsyncRetryTransport, RetryTransport

# httpx2's and httpcore2's own log lines quote URLs and headers: hide their credentials.
_install_log_redaction()

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "APIKeyAuth",
    "AmbiguousPaginationError",
    "AsyncClient",
    "AsyncListing",
    "AsyncPaginator",
    "AsyncRateLimitTransport",
    "AsyncRetryTransport",
    "Attempt",
    "BadRequest",
    "BasicAuth",
    "BearerAuth",
    "CallOptions",
    "Checkpoint",
    "Client",
    "ClientError",
    "ClientT",
    "ConfigurationError",
    "ConfigurationTypeError",
    "Conflict",
    "Cursor",
    "DeadlineExceeded",
    "Detection",
    "Event",
    "Forbidden",
    "Hook",
    "ItemID",
    "JSONDecodeError",
    "LastItemID",
    "Link",
    "LinkHeader",
    "Listing",
    "MemoryStore",
    "MissingCredentialError",
    "Model",
    "NextURL",
    "NotFound",
    "OAuth2ClientCredentials",
    "OffsetLimit",
    "Page",
    "PageContext",
    "PageNumber",
    "PageRequest",
    "PaginationError",
    "Paginator",
    "Rate",
    "RateLimit",
    "RateLimitAdjusted",
    "RateLimitTransport",
    "RateLimitWaited",
    "RateLimited",
    "RateLimiter",
    "RedisStore",
    "RequestFinished",
    "Resource",
    "ResourceOptions",
    "Response",
    "ResponseValidationError",
    "Retry",
    "RetryAfterTooLong",
    "RetryBudget",
    "RetryBudgetExhausted",
    "RetryError",
    "RetryGivenUp",
    "RetryScheduled",
    "RetryTransport",
    "SQLiteStore",
    "ServerError",
    "SinglePage",
    "Singleton",
    "Stop",
    "Strategy",
    "TetherError",
    "TokenError",
    "Unauthorized",
    "UnprocessableEntity",
    "__version__",
    "attempts_of",
    "delete",
    "find_link",
    "get",
    "head",
    "options",
    "parse_json",
    "parse_link_header",
    "parse_rate",
    "patch",
    "post",
    "put",
    "request",
    "retry_testing_mode",
    "stream",
]

# Tracebacks and reprs name the public module (tether.NotFound, not tether._errors.NotFound),
# the one users import from.
for _name in __all__:
    _obj = globals()[_name]
    if (isinstance(_obj, type) or hasattr(_obj, "__code__")) and getattr(
        _obj, "__module__", ""
    ).startswith("tether._"):
        _obj.__module__ = "tether"
del _name, _obj
