"""Authentication: API keys, bearer tokens, HTTP Basic and OAuth2 client credentials.

Each class is an :class:`httpx2.Auth`, so it also works on plain httpx2 clients. Each can
be built from environment variables, so keys stay out of code::

    client = tether.Client(base_url=url, auth=tether.BearerAuth.from_env("API_TOKEN"))

Reprs never show a secret, and tether's clients drop credential headers (not only
``Authorization``) when a redirect leaves the origin.
"""

from __future__ import annotations

import math
import os
import threading
import time
from base64 import b64encode
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Mapping
from typing import Any, Literal

import anyio
import httpx2

from tether._errors import (
    ConfigurationError,
    MissingCredentialError,
    TokenError,
    error_for_response,
)
from tether._headers import HEADER_NAME
from tether._json import parse_json
from tether._redact import REDACTED, add_sensitive_names, redact_url
from tether._transports._base import CALL_OPTIONS_EXTENSION

__all__ = ["APIKeyAuth", "BasicAuth", "BearerAuth", "OAuth2ClientCredentials"]


def _env(variable: str, needed_by: str) -> str:
    if not isinstance(variable, str) or not variable.strip():
        raise ConfigurationError(
            f"{needed_by}() takes the name of an environment variable, such as 'API_TOKEN', "
            f"got {variable!r}"
        )
    # Surrounding whitespace is dropped: values pasted into .env files or CI settings
    # often carry a trailing newline, which HTTP would refuse in a header.
    value = os.environ.get(variable, "").strip()
    if not value:
        raise MissingCredentialError(variable, needed_by)
    if any(ch in value for ch in "\r\n\0"):
        raise ConfigurationError(
            f"environment variable {variable}, read by {needed_by}, holds a line break or NUL "
            "inside its value, which HTTP forbids; set it to the credential alone"
        )
    return value


def _secret(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{what} must be a non-empty string, got {type(value).__name__}")
    if any(ch in value for ch in "\r\n\0"):
        raise ConfigurationError(f"{what} contains a line break or NUL, which HTTP forbids")
    return value




class APIKeyAuth(httpx2.Auth):
    """Send an API key in a header (default ``X-API-Key``) or a query parameter (default
    ``api_key``).

    Example::

        tether.APIKeyAuth("k-123")                                  # X-API-Key: k-123
        tether.APIKeyAuth("k-123", name="Api-Key")                  # another header
        tether.APIKeyAuth("k-123", location="query")                # ?api_key=k-123
        tether.APIKeyAuth("k-123", name="appid", location="query")  # ?appid=k-123

    The name is registered as sensitive, so tether redacts it in logs and errors even
    when it does not look like a credential (``appid``).
    """

    def __init__(
        self,
        key: str,
        *,
        name: str | None = None,
        location: Literal["header", "query"] = "header",
    ) -> None:
        self._key = _secret(key, "APIKeyAuth key")
        if location not in ("header", "query"):
            raise ConfigurationError(
                f"APIKeyAuth location must be 'header' or 'query', got {location!r}"
            )
        if name is None:
            name = "X-API-Key" if location == "header" else "api_key"
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError(
                f"APIKeyAuth name must name a header or query parameter, got {name!r}"
            )
        if location == "header" and not HEADER_NAME.fullmatch(name):
            raise ConfigurationError(
                f"APIKeyAuth name {name!r} is not a valid header name (letters, digits and "
                "-_. only, no spaces or ':'), such as 'X-API-Key'"
            )
        self.name = name
        self.location = location
        if location == "header":
            add_sensitive_names(headers=[name])
        else:
            add_sensitive_names(params=[name])

    @classmethod
    def from_env(
        cls,
        variable: str,
        *,
        name: str | None = None,
        location: Literal["header", "query"] = "header",
    ) -> APIKeyAuth:
        """The key from environment variable ``variable``; a clear error if it is unset."""
        return cls(_env(variable, "APIKeyAuth.from_env"), name=name, location=location)

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        if self.location == "header":
            request.headers[self.name] = self._key
        else:
            request.url = request.url.copy_set_param(self.name, self._key)
        yield request

    def __repr__(self) -> str:
        return f"APIKeyAuth({REDACTED!r}, name={self.name!r}, location={self.location!r})"


class BearerAuth(httpx2.Auth):
    """Send ``Authorization: Bearer <token>``.

    Example::

        auth = tether.BearerAuth.from_env("API_TOKEN")
    """

    def __init__(self, token: str) -> None:
        token = _secret(token, "BearerAuth token")
        if token[:7].lower() == "bearer ":
            raise ConfigurationError(
                "BearerAuth token starts with 'Bearer ': pass the token alone, BearerAuth "
                "adds the 'Bearer ' prefix itself"
            )
        self._header = f"Bearer {token}"

    @classmethod
    def from_env(cls, variable: str) -> BearerAuth:
        """The token from environment variable ``variable``; a clear error if it is unset."""
        return cls(_env(variable, "BearerAuth.from_env"))

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return f"BearerAuth({REDACTED!r})"


def _basic_header(username: str, password: str) -> str:
    return "Basic " + b64encode(f"{username}:{password}".encode()).decode("ascii")


class BasicAuth(httpx2.Auth):
    """HTTP Basic authentication (RFC 7617), with the password hidden in ``repr``.

    Example::

        auth = tether.BasicAuth.from_env("API_USER", "API_PASSWORD")
    """

    def __init__(self, username: str, password: str) -> None:
        if not isinstance(username, str) or ":" in username:
            raise ConfigurationError(
                f"BasicAuth username must be a string without ':', got "
                f"{type(username).__name__ if not isinstance(username, str) else 'one with :'}"
            )
        if password == "":
            # Some APIs take a key as the user name and no password (Stripe's "sk_...:").
            if not username:
                raise ConfigurationError(
                    "BasicAuth needs a username or a password; both are empty"
                )
        else:
            _secret(password, "BasicAuth password")
        self.username = username
        self._key_as_username = password == ""
        self._header = _basic_header(username, password)

    @classmethod
    def from_env(cls, username_variable: str, password_variable: str) -> BasicAuth:
        """Username and password from two environment variables; a clear error if unset."""
        return cls(
            _env(username_variable, "BasicAuth.from_env"),
            _env(password_variable, "BasicAuth.from_env"),
        )

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        # Without a password the user name is the credential.
        shown = REDACTED if self._key_as_username else self.username
        return f"BasicAuth(username={shown!r}, password={REDACTED!r})"


class OAuth2ClientCredentials(httpx2.Auth):
    """OAuth2 client-credentials grant (RFC 6749 section 4.4) as an httpx2 auth flow.

    Fetches an access token from ``token_url`` on first use, caches it, fetches a new one
    shortly before it expires (``refresh_margin`` seconds early, at most half its lifetime)
    and once more when the API answers 401 to a cached token. Concurrent requests share
    one fetch: threads through a lock, tasks through an async lock.

    ``token_url`` may be relative (``"/oauth/token"``): it is resolved against each
    request's URL, so it follows the client's ``base_url``. ``auth_method`` chooses how
    the client authenticates to the token endpoint: HTTP Basic (the RFC's default) or
    ``client_id``/``client_secret`` form fields.

    Example::

        auth = tether.OAuth2ClientCredentials(
            "/oauth/token", client_id="my-app", client_secret=os.environ["SECRET"]
        )
        client = tether.Client(base_url=url, auth=auth)
    """

    def __init__(
        self,
        token_url: str | httpx2.URL,
        client_id: str,
        client_secret: str,
        scope: str | Iterable[str] | None = None,
        *,
        extra_params: Mapping[str, str] | None = None,
        auth_method: Literal["client_secret_basic", "client_secret_post"] = ("client_secret_basic"),
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(token_url, str | httpx2.URL) or not str(token_url).strip():
            raise ConfigurationError(
                "OAuth2ClientCredentials token_url must be the token endpoint's URL, such as "
                f"'https://auth.example.com/oauth/token' or '/oauth/token', got {token_url!r}"
            )
        self.token_url = httpx2.URL(token_url)
        self.client_id = _secret(client_id, "OAuth2ClientCredentials client_id")
        self._client_secret = _secret(client_secret, "OAuth2ClientCredentials client_secret")
        self.scope = _scope(scope)
        self.extra_params = dict(extra_params or {})
        if auth_method not in ("client_secret_basic", "client_secret_post"):
            raise ConfigurationError(
                "OAuth2ClientCredentials auth_method must be 'client_secret_basic' or "
                f"'client_secret_post', got {auth_method!r}"
            )
        self.auth_method = auth_method
        if (
            isinstance(refresh_margin, bool)
            or not isinstance(refresh_margin, int | float)
            or not math.isfinite(refresh_margin)
            or refresh_margin < 0
        ):
            raise ConfigurationError(
                "OAuth2ClientCredentials refresh_margin must be zero or more seconds, got "
                f"{refresh_margin!r}"
            )
        self.refresh_margin = float(refresh_margin)
        self._clock = clock
        self._token: str | None = None
        self._refresh_at: float | None = None
        self._thread_lock = threading.Lock()
        self._async_lock: anyio.Lock | None = None
        self.fetches = 0
        """How many tokens this object has fetched (useful in tests and metrics)."""

    @classmethod
    def from_env(
        cls,
        token_url: str | httpx2.URL,
        client_id_variable: str,
        client_secret_variable: str,
        scope: str | Iterable[str] | None = None,
        **options: Any,
    ) -> OAuth2ClientCredentials:
        """Client id and secret from environment variables; a clear error if unset."""
        return cls(
            token_url,
            _env(client_id_variable, "OAuth2ClientCredentials.from_env"),
            _env(client_secret_variable, "OAuth2ClientCredentials.from_env"),
            scope,
            **options,
        )

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(token_url={redact_url(self.token_url)!r}, "
            f"client_id={self.client_id!r}, client_secret={REDACTED!r}, scope={self.scope!r})"
        )

    # -- pure decisions, shared by both flows ----------------------------------------------

    def invalidate(self) -> None:
        """Forget the cached token; the next request fetches a new one."""
        self._token = None
        self._refresh_at = None

    def _usable_token(self, now: float) -> str | None:
        if self._token is None:
            return None
        if self._refresh_at is not None and now >= self._refresh_at:
            return None
        return self._token

    def _token_request(self, request: httpx2.Request) -> httpx2.Request:
        form = {"grant_type": "client_credentials", **self.extra_params}
        if self.scope:
            form["scope"] = self.scope
        headers = {"Accept": "application/json"}
        if self.auth_method == "client_secret_basic":
            headers["Authorization"] = _basic_header(self.client_id, self._client_secret)
        else:
            form["client_id"] = self.client_id
            form["client_secret"] = self._client_secret
        # The token request inherits the API request's timeouts: a request built here
        # carries none, and would otherwise wait for ever on a stalled token endpoint. It
        # inherits the call's tether options too, so retry=False or a deadline holds for it.
        extensions = {"timeout": request.extensions.get("timeout", {})}
        if CALL_OPTIONS_EXTENSION in request.extensions:
            extensions[CALL_OPTIONS_EXTENSION] = request.extensions[CALL_OPTIONS_EXTENSION]
        return httpx2.Request(
            "POST",
            request.url.join(self.token_url),
            data=form,
            headers=headers,
            extensions=extensions,
        )

    def _accept(self, response: httpx2.Response, asked_at: float) -> str:
        if response.status_code != 200:
            raise (
                error_for_response(response)
                if response.status_code >= 400
                else TokenError(
                    f"token endpoint {redact_url(response.request.url)} answered "
                    f"{response.status_code}, expected 200 with an access token"
                )
            )
        body = parse_json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            keys = sorted(body) if isinstance(body, dict) else type(body).__name__
            raise TokenError(
                f"token endpoint {redact_url(response.request.url)} answered 200 without an "
                f"access_token (got {keys})"
            )
        token_type = body.get("token_type", "bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise TokenError(f"token type {token_type!r} is not supported, only Bearer")
        expires_in = body.get("expires_in")
        self._token = token
        self.fetches += 1
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            lifetime = max(float(expires_in), 0.0)
            # Counted from when the token was asked for, so network time only shortens it.
            self._refresh_at = asked_at + lifetime - min(self.refresh_margin, lifetime / 2)
        else:
            self._refresh_at = None
        return token

    def _token_flow(
        self, request: httpx2.Request, stale: str | None
    ) -> Generator[httpx2.Request, httpx2.Response, str]:
        """Yield token requests until a usable token is cached, and return it.

        ``stale`` is a token the API just refused; it is dropped unless another request
        already replaced it, in which case the replacement is used without a new fetch.
        """
        if stale is not None and self._token == stale:
            self.invalidate()
        now = self._clock()
        token = self._usable_token(now)
        if token is None:
            response = yield self._token_request(request)
            token = self._accept(response, now)
        return token

    @staticmethod
    def _authorized(request: httpx2.Request, token: str) -> httpx2.Request:
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    @staticmethod
    def _retry_on(response: httpx2.Response, request: httpx2.Request) -> bool:
        # A streamed upload cannot be sent twice; its 401 goes to the caller.
        return response.status_code == 401 and isinstance(request.stream, httpx2.ByteStream)

    # -- the flows -----------------------------------------------------------------------

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        """The flow without locking, as httpx2 runs it for custom clients."""
        stale: str | None = None
        for _ in range(2):
            token = yield from self._token_flow(request, stale)
            response = yield self._authorized(request, token)
            if not self._retry_on(response, request):
                return
            stale = token

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        stale: str | None = None
        for _ in range(2):
            with self._thread_lock:
                token = yield from _reading(self._token_flow(request, stale))
            response = yield self._authorized(request, token)
            if not self._retry_on(response, request):
                return
            stale = token

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        if self._async_lock is None:
            self._async_lock = anyio.Lock()
        stale: str | None = None
        for _ in range(2):
            async with self._async_lock:
                flow = self._token_flow(request, stale)
                try:
                    step = next(flow)
                    while True:
                        token_response = yield step
                        await token_response.aread()
                        step = flow.send(token_response)
                except StopIteration as done:
                    token: str = done.value
            response = yield self._authorized(request, token)
            if not self._retry_on(response, request):
                return
            stale = token


def _scope(scope: str | Iterable[str] | None) -> str | None:
    """The ``scope`` form field: one string, or several scopes joined by spaces (RFC 6749
    section 3.3)."""
    if scope is None or isinstance(scope, str):
        return scope
    if isinstance(scope, Iterable) and not isinstance(scope, bytes | Mapping):
        scopes = list(scope)
        if all(isinstance(item, str) and item and " " not in item for item in scopes):
            return " ".join(scopes)
    raise ConfigurationError(
        "OAuth2ClientCredentials scope must be a string such as 'read write' or a list of "
        f"scope names, got {scope!r}"
    )


def _reading(
    flow: Generator[httpx2.Request, httpx2.Response, str],
) -> Generator[httpx2.Request, httpx2.Response, str]:
    """Run ``flow``, reading each response's body before handing it over (sync clients)."""
    try:
        step = next(flow)
        while True:
            response = yield step
            response.read()
            step = flow.send(response)
    except StopIteration as done:
        token: str = done.value
        return token
