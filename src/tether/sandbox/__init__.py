"""A local JSONPlaceholder-compatible REST API on SQLite, to learn and test HTTP clients against.

>>> from tether.sandbox import SandboxConfig, serve_in_thread
>>> with serve_in_thread(SandboxConfig(seed=1)) as server:  # doctest: +SKIP
...     httpx2.get(f"{server.url}/posts", params={"userId": 1}).json()

Run it from a shell with ``tether serve``; see ``docs/sandbox.md``.
"""

from tether.sandbox._app import create_app, sandbox_state
from tether.sandbox._config import (
    DEFAULT_API_KEY,
    DEFAULT_BEARER_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    DEFAULT_TOKEN_TTL,
    DEFAULT_USERNAME,
    ENV_VARS,
    MAX_DELAY,
    SandboxConfig,
)
from tether.sandbox._connections import AbortableH11Protocol, ConnectionDropError
from tether.sandbox._data import COUNTS, generate
from tether.sandbox._faults import (
    FaultConfigError,
    FaultRule,
    FaultSet,
    load_fault_file,
    parse_fault_rule,
)
from tether.sandbox._limits import Rate, RateLimitConfigError
from tether.sandbox._server import SandboxServer, serve_in_thread
from tether.sandbox._state import SandboxState

__all__ = [
    "COUNTS",
    "DEFAULT_API_KEY",
    "DEFAULT_BEARER_TOKEN",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_PASSWORD",
    "DEFAULT_SEED",
    "DEFAULT_TOKEN_TTL",
    "DEFAULT_USERNAME",
    "ENV_VARS",
    "MAX_DELAY",
    "AbortableH11Protocol",
    "ConnectionDropError",
    "FaultConfigError",
    "FaultRule",
    "FaultSet",
    "Rate",
    "RateLimitConfigError",
    "SandboxConfig",
    "SandboxServer",
    "SandboxState",
    "create_app",
    "generate",
    "load_fault_file",
    "parse_fault_rule",
    "sandbox_state",
    "serve_in_thread",
]

# Tracebacks and reprs name the module users import from (tether.sandbox.FaultConfigError).
for _name in __all__:
    _obj = globals()[_name]
    if (isinstance(_obj, type) or hasattr(_obj, "__code__")) and getattr(
        _obj, "__module__", ""
    ).startswith("tether.sandbox._"):
        _obj.__module__ = "tether.sandbox"
del _name, _obj
