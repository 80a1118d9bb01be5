"""Configuration of the sandbox: one frozen dataclass holding every ``tether serve`` option."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from tether.sandbox._faults import FaultRule, rules_from_any
from tether.sandbox._limits import Rate, parse_rates

__all__ = [
    "ADMIN_TOKEN_ENV",
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
    "SandboxConfig",
]

DEFAULT_SEED = 1
"""Seed of the generated data; fixed so tutorials print the same output on every run."""

DEFAULT_API_KEY = "tether-sandbox-key"
"""Key accepted in the ``X-API-Key`` header by ``GET /profile``."""

DEFAULT_BEARER_TOKEN = "tether-sandbox-token"
"""Static token accepted as ``Authorization: Bearer <token>`` by ``GET /profile``."""

DEFAULT_USERNAME = "tether"
"""HTTP Basic user name accepted by ``GET /profile``."""

DEFAULT_PASSWORD = "sandbox"
"""HTTP Basic password accepted by ``GET /profile``."""

DEFAULT_CLIENT_ID = "tether-client"
"""OAuth2 client id accepted by ``POST /oauth/token`` (client-credentials grant)."""

DEFAULT_CLIENT_SECRET = "tether-secret"
"""OAuth2 client secret accepted by ``POST /oauth/token``."""

DEFAULT_TOKEN_TTL = 3600.0
"""Lifetime in seconds of the access tokens issued by ``POST /oauth/token``."""

MAX_DELAY = 30.0
"""Longest delay ``GET /delay/{seconds}`` accepts, so a typo cannot hang a test run."""

ENV_VARS: Mapping[str, str] = {
    "api_key": "TETHER_SANDBOX_API_KEY",
    "bearer_token": "TETHER_SANDBOX_TOKEN",
    "username": "TETHER_SANDBOX_USERNAME",
    "password": "TETHER_SANDBOX_PASSWORD",
    "client_id": "TETHER_SANDBOX_CLIENT_ID",
    "client_secret": "TETHER_SANDBOX_CLIENT_SECRET",
}
"""Environment variable read for each credential by :meth:`SandboxConfig.from_env`."""

ADMIN_TOKEN_ENV = "TETHER_SANDBOX_ADMIN_TOKEN"
"""Environment variable holding the admin token (``tether serve --admin-token``)."""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class SandboxConfig:
    """Every option of the sandbox server (the flags of ``tether serve``).

    >>> SandboxConfig(seed=7, db="sandbox.db").seed
    7
    """

    seed: int = DEFAULT_SEED
    """Seed of the deterministic data generator; the same seed gives the same data."""
    db: str | None = None
    """SQLite file keeping data across restarts (WAL mode); ``None`` means in memory."""
    token_ttl: float = DEFAULT_TOKEN_TTL
    """Lifetime in seconds of OAuth2 access tokens."""
    api_key: str = DEFAULT_API_KEY
    bearer_token: str = DEFAULT_BEARER_TOKEN
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    max_delay: float = MAX_DELAY
    """Upper bound of ``GET /delay/{seconds}``."""
    faults: tuple[FaultRule, ...] = ()
    """Fault rules in force at start (``--faults FILE``, ``--fail-rate`` ...); dicts in the
    rule-file form are accepted too. Drawn under ``seed``; see ``docs/outage-drill.md``."""
    fault_seed: int | None = None
    """Seed of the fault draws (a rule file's ``seed``); ``None`` uses ``seed``."""
    rate_limits: tuple[Rate, ...] = ()
    """Server-side rate limits per client key at start (``--rate-limit 100/s``); strings
    such as ``"100/s"`` are accepted too."""
    admin_token: str | None = None
    """Token the admin routes (``/_sandbox/...``) and the dashboard require, sent as
    ``Authorization: Bearer <token>``. ``None``: they answer loopback clients only."""

    def __post_init__(self) -> None:
        # Rules and rates may be given in their text/dict forms; store the parsed values.
        object.__setattr__(self, "faults", rules_from_any(self.faults))
        object.__setattr__(self, "rate_limits", parse_rates(self.rate_limits))
        if self.db is not None:
            if not isinstance(self.db, str | os.PathLike):
                raise TypeError(f"SandboxConfig.db must be a file path or None, got {self.db!r}")
            object.__setattr__(self, "db", os.fspath(self.db))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TypeError(f"SandboxConfig.seed must be an int, got {self.seed!r}")
        # Finite, or "expires_in" would go out as the invalid JSON token Infinity.
        if not (_is_number(self.token_ttl) and math.isfinite(self.token_ttl)
                and self.token_ttl > 0):
            raise ValueError(
                f"SandboxConfig.token_ttl must be a positive, finite number of seconds, "
                f"got {self.token_ttl!r}"
            )
        if not (_is_number(self.max_delay) and math.isfinite(self.max_delay)
                and self.max_delay >= 0):
            raise ValueError(
                f"SandboxConfig.max_delay must be a finite number of seconds >= 0, "
                f"got {self.max_delay!r}"
            )
        for name in ENV_VARS:
            if not getattr(self, name):
                raise ValueError(f"SandboxConfig.{name} must not be empty")
        if self.admin_token is not None and (
            not isinstance(self.admin_token, str) or not self.admin_token.strip()
        ):
            raise ValueError(
                f"SandboxConfig.admin_token must be a non-empty string or None, got "
                f"{self.admin_token!r:.40}"
            )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> SandboxConfig:
        """Build a configuration whose credentials (and admin token) come from
        ``TETHER_SANDBOX_*`` variables.

        Explicit ``overrides`` (``None`` values are ignored) win over the environment,
        which wins over the documented defaults.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {
            name: env[var] for name, var in ENV_VARS.items() if env.get(var)
        }
        if env.get(ADMIN_TOKEN_ENV):
            values["admin_token"] = env[ADMIN_TOKEN_ENV]
        known = {f.name for f in fields(cls)}
        for name, value in overrides.items():
            if name not in known:
                raise TypeError(f"SandboxConfig has no option {name!r}")
            if value is not None:
                values[name] = value
        return cls(**values)

    def replace(self, **changes: Any) -> SandboxConfig:
        """A copy with ``changes`` applied (``dataclasses.replace``)."""
        return replace(self, **changes)
