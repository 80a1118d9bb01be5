"""Credential checks for ``GET /profile`` and tokens of the OAuth2 client-credentials grant.

Pure decisions: the current time is passed in, nothing here does I/O.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from tether.sandbox._config import SandboxConfig

__all__ = ["CHALLENGE", "AuthResult", "TokenBook", "authenticate", "basic_credentials"]

REALM = "tether-sandbox"
CHALLENGE = f'Bearer realm="{REALM}", Basic realm="{REALM}", ApiKey header="X-API-Key"'
"""``WWW-Authenticate`` value of a 401: every scheme ``/profile`` accepts."""
_MAX_TOKENS = 10_000


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class TokenBook:
    """Access tokens issued by ``POST /oauth/token`` and when each expires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def issue(self, now: float, ttl: float) -> str:
        """A new random token valid until ``now + ttl``."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            if len(self._expiry) >= _MAX_TOKENS:
                self._expiry = {t: e for t, e in self._expiry.items() if e > now}
            self._expiry[token] = now + ttl
        return token

    def status(self, token: str, now: float) -> str:
        """``"valid"``, ``"expired"`` or ``"unknown"``."""
        with self._lock:
            expiry = self._expiry.get(token)
        if expiry is None:
            return "unknown"
        return "valid" if now < expiry else "expired"

    def clear(self) -> None:
        """Forget every token (called by reset)."""
        with self._lock:
            self._expiry.clear()


@dataclass(frozen=True)
class AuthResult:
    """Outcome of checking a request's credentials."""

    scheme: str | None
    """``"bearer"``, ``"oauth"``, ``"api-key"`` or ``"basic"`` when accepted, else ``None``."""
    error: str = ""
    """Why the credentials were refused (empty when accepted)."""
    bearer_error: str = ""
    """RFC 6750 ``error`` code for the challenge (``invalid_token``), when relevant."""


def basic_credentials(header: str) -> tuple[str, str] | None:
    """``(user, password)`` from an ``Authorization: Basic`` value, or ``None``."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def authenticate(
    headers: Mapping[str, str],
    config: SandboxConfig,
    tokens: TokenBook,
    now: float,
    query_key: str | None = None,
) -> AuthResult:
    """Check ``Authorization`` (Bearer or Basic), ``X-API-Key`` or the ``api_key`` query
    parameter (``query_key``, as APIs such as OpenWeather take keys) against ``config``."""
    api_key = headers.get("x-api-key")
    authorization = headers.get("authorization")
    if api_key is not None:
        if _same(api_key, config.api_key):
            return AuthResult("api-key")
        return AuthResult(None, "the X-API-Key value is not valid")
    if query_key is not None and authorization is None:
        if _same(query_key, config.api_key):
            return AuthResult("api-key")
        return AuthResult(None, "the api_key query parameter is not valid")
    if authorization is None:
        return AuthResult(None, "credentials are required: send a Bearer token, an X-API-Key "
                                "header, an api_key query parameter or HTTP Basic "
                                "credentials")
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        if _same(value, config.bearer_token):
            return AuthResult("bearer")
        state = tokens.status(value, now)
        if state == "valid":
            return AuthResult("oauth")
        if state == "expired":
            return AuthResult(None, "the access token expired; request a new one",
                              "invalid_token")
        return AuthResult(None, "the bearer token is not valid", "invalid_token")
    if scheme.lower() == "basic":
        pair = basic_credentials(authorization)
        if pair is not None and _same(pair[0], config.username) and _same(
            pair[1], config.password
        ):
            return AuthResult("basic")
        return AuthResult(None, "the Basic credentials are not valid")
    return AuthResult(None, f"unsupported authorization scheme {scheme[:20]!r}; "
                            "use Bearer or Basic, or send a key in X-API-Key")
