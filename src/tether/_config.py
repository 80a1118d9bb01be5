"""Client defaults and the validation of timeouts and per-call options.

Kept apart from the client classes so the sync and async clients share every decision:
they only differ in how they wait and send.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

import httpx2

from tether._errors import ConfigurationError, ConfigurationTypeError
from tether._hooks import Hook
from tether._options import CallOptions
from tether._retry import Retry
from tether._retry_budget import RetryBudget
from tether._transports._base import CALL_OPTIONS_EXTENSION

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "Settings",
    "attach_call_options",
    "check_auth",
    "check_budget",
    "check_flag",
    "check_hooks",
    "check_httpx2_arguments",
    "check_retry",
    "check_timeout",
    "check_transport",
    "transport_or_default",
]

DEFAULT_TIMEOUT: Final = httpx2.Timeout(10.0, connect=5.0)
"""10 s for each of read, write and pool waits, 5 s to connect."""

DEFAULT_LIMITS: Final = httpx2.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0
)
"""At most 100 connections; 20 kept alive for 30 s (httpx2 keeps them 5 s, which drops
connections between the bursts typical of API clients)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What tether adds to an httpx2 client's configuration, shared by sync and async.

    The httpx2 part (base URL, headers, auth ...) lives on the client object itself, where
    users may also change it after construction; ``with_options`` reads it from there.
    """

    raise_for_status: bool = True
    hooks: tuple[Hook, ...] = ()
    allow_no_timeout: bool = False

    def __post_init__(self) -> None:
        check_flag("raise_for_status", self.raise_for_status)
        check_flag("allow_no_timeout", self.allow_no_timeout)


def check_flag(name: str, value: object, *, none: str | None = None) -> None:
    """Refuse anything but ``True``/``False`` (and ``None`` when ``none`` says what it
    means): a string such as ``"no"`` would otherwise count as true."""
    if isinstance(value, bool) or (none is not None and value is None):
        return
    allowed = "True or False" if none is None else f"True, False or None ({none})"
    raise ConfigurationError(f"{name}={value!r}: expected {allowed}")


def check_hooks(hooks: object) -> tuple[Hook, ...]:
    """``hooks`` as a tuple of callables, refusing a lone callable or a non-callable item
    (``None`` is no hooks, as httpx2 takes ``event_hooks=None``)."""
    if hooks is None:
        return ()
    if callable(hooks):
        raise ConfigurationError(
            f"hooks={hooks!r}: pass a list of callables, for example hooks=[{_name(hooks)}]"
        )
    if isinstance(hooks, str | bytes) or not isinstance(hooks, Iterable):
        raise ConfigurationError(f"hooks={hooks!r}: pass a list of callables taking one event")
    checked = tuple(hooks)
    for hook in checked:
        if not callable(hook):
            raise ConfigurationError(
                f"hooks: {hook!r} is not callable; each hook is a function taking one event"
            )
    return checked


def _name(function: object) -> str:
    return getattr(function, "__name__", "my_hook")


_AUTH_HINT = (
    "pass a tether auth (APIKeyAuth, BearerAuth, BasicAuth, OAuth2ClientCredentials), an "
    "httpx2.Auth, a (username, password) tuple for HTTP Basic, or a function taking and "
    "returning the request"
)


def check_auth(auth: object) -> None:
    """Refuse, when the client or call is set up, an ``auth`` httpx2 would only reject at
    the first request (or fail on with an ``IndexError`` for a one-item tuple). A wrong
    type is a ``TypeError``, as in httpx2, and a :class:`tether.ConfigurationError`."""
    if auth is None or isinstance(auth, httpx2.Auth) or callable(auth):
        return
    if isinstance(auth, tuple) and len(auth) == 2:
        if all(isinstance(part, str | bytes) for part in auth):
            return
        raise ConfigurationTypeError(
            "auth=(username, password): both must be strings; " + _AUTH_HINT
        )
    # A string or a tuple may hold a secret, so those are described, not shown.
    if isinstance(auth, str | bytes | tuple | list):
        shown = f"a {type(auth).__name__} of length {len(auth)}"
    else:
        shown = repr(auth)
    hint = " (a token goes in tether.BearerAuth(token))" if isinstance(auth, str) else ""
    raise ConfigurationTypeError(f"auth: got {shown}, which is not an auth{hint}; {_AUTH_HINT}")


_EVENT_HOOK_KINDS = frozenset({"request", "response"})


def check_httpx2_arguments(kwargs: Mapping[str, Any]) -> None:
    """Check the httpx2 constructor arguments that httpx2 itself only trips over later,
    deep inside a transport or at the first request."""
    limits = kwargs.get("limits")
    if not isinstance(limits, httpx2.Limits):
        raise ConfigurationError(
            f"limits={limits!r}: pass an httpx2.Limits(max_connections=..., "
            "max_keepalive_connections=...)"
        )
    max_redirects = kwargs.get("max_redirects")
    if isinstance(max_redirects, bool) or not isinstance(max_redirects, int) or max_redirects < 0:
        raise ConfigurationError(
            f"max_redirects={max_redirects!r}: expected a whole number >= 0"
        )
    event_hooks = kwargs.get("event_hooks")
    if event_hooks is not None:
        _check_event_hooks(event_hooks)
    base_url = kwargs.get("base_url")
    if not isinstance(base_url, str | httpx2.URL):
        raise ConfigurationError(
            f"base_url={base_url!r}: expected a URL as a string, such as "
            "'https://api.example.com'"
        )
    _check_base_url(str(base_url))
    verify = kwargs.get("verify")
    if isinstance(verify, str) and not os.path.exists(verify):
        # httpx2 would raise a FileNotFoundError that does not name the file.
        raise ConfigurationError(
            f"verify={verify!r}: no such CA bundle file or directory; pass an existing path, "
            "an ssl.SSLContext, or True for the default certificates"
        )


def _check_base_url(base_url: str) -> None:
    """Refuse a base URL without scheme and host: every request would fail later with
    "missing an 'http://' or 'https://' protocol", or, for ``localhost:8000``, with the
    host read as a scheme."""
    if not base_url or httpx2.URL(base_url).host:
        return
    hint = (
        f"; did you mean 'http://{base_url}'?"
        if not base_url.startswith("/")
        else ", such as 'http://127.0.0.1:8000/api'"
    )
    raise ConfigurationError(
        f"base_url={base_url!r} has no scheme and host: give the whole URL{hint}"
    )


def check_transport(transport: object, *, asynchronous: bool, argument: str) -> None:
    """Refuse a transport of the wrong kind before the first request fails on it."""
    method = "handle_async_request" if asynchronous else "handle_request"
    if callable(getattr(transport, method, None)):
        return
    wanted, example, other = (
        ("an async", "httpx2.AsyncHTTPTransport()", "the sync counterpart (tether.Client ...)")
        if asynchronous
        else ("a sync", "httpx2.HTTPTransport()", "the async counterpart (tether.AsyncClient ...)")
    )
    raise ConfigurationError(
        f"{argument}={transport!r} is not {wanted} transport (it has no {method}()); pass "
        f"one such as {example}, or use {other} for this transport"
    )


_Transport = TypeVar("_Transport", httpx2.BaseTransport, httpx2.AsyncBaseTransport)


def transport_or_default(
    transport: _Transport | None, *, asynchronous: bool, argument: str = "transport"
) -> _Transport:
    """``transport`` checked to be of the wanted kind, or the transport a tether client
    uses by default: httpcore2's connections under tether's own pool, with the client's
    default limits."""
    if transport is not None:
        check_transport(transport, asynchronous=asynchronous, argument=argument)
        return transport
    # Imported here: the transports build on this module.
    from tether._transports._httpcore import AsyncPooledTransport, PooledTransport

    if asynchronous:
        return cast(_Transport, AsyncPooledTransport(limits=DEFAULT_LIMITS))
    return cast(_Transport, PooledTransport(limits=DEFAULT_LIMITS))


def check_retry(retry: object) -> Retry | None:
    """The policy ``retry=`` asks for: ``True`` the default one, ``False`` none (``None``)."""
    if retry is True:
        return Retry()
    if retry is False:
        return None
    if isinstance(retry, Retry):
        return retry
    raise ConfigurationTypeError(
        f"retry={retry!r}: retry= takes a tether.Retry(...), True for the default policy, "
        "or False to send every request once"
    )


def check_budget(budget: object, *, argument: str) -> RetryBudget | None:
    """The budget ``retry_budget=`` (``budget=`` on a transport) asks for: ``None`` a fresh
    one, ``False`` none (``None``)."""
    if budget is None:
        return RetryBudget()
    if budget is False:
        return None
    if isinstance(budget, RetryBudget):
        return budget
    raise ConfigurationTypeError(
        f"{argument}={budget!r}: {argument}= takes a tether.RetryBudget(...), or False for "
        "no client-wide limit on retries"
    )


def _check_event_hooks(event_hooks: object) -> None:
    if not isinstance(event_hooks, Mapping):
        raise ConfigurationError(
            f"event_hooks={event_hooks!r}: expected a dict such as "
            "{'request': [log_request], 'response': [log_response]}"
        )
    for kind, functions in event_hooks.items():
        if kind not in _EVENT_HOOK_KINDS:
            raise ConfigurationError(
                f"event_hooks: unknown event {kind!r}; httpx2 calls 'request' and 'response' "
                "hooks only (tether's own events go to hooks=[...])"
            )
        if callable(functions) or not isinstance(functions, Iterable):
            raise ConfigurationError(
                f"event_hooks[{kind!r}]: expected a list of functions, such as "
                f"{{{kind!r}: [{_name(functions)}]}}"
            )
        for function in functions:
            if not callable(function):
                raise ConfigurationError(f"event_hooks[{kind!r}]: {function!r} is not callable")


def _is_seconds(value: object) -> bool:
    """A positive, finite number of seconds (``True`` is not one)."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value > 0
    )


def check_timeout(
    timeout: httpx2.Timeout | float | tuple[Any, ...] | None, *, allow_no_timeout: bool
) -> httpx2.Timeout:
    """Return ``timeout`` as an :class:`httpx2.Timeout`, refusing "no timeout" unless allowed.

    A request without a timeout can hang for ever on a stalled server, which is the most
    common way API clients get stuck, so disabling it has to be explicit.
    """
    try:
        value = timeout if isinstance(timeout, httpx2.Timeout) else httpx2.Timeout(timeout)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"timeout={timeout!r} is not a valid timeout ({exc}); pass seconds as a number, "
            "or an httpx2.Timeout"
        ) from None
    phases = {
        "connect": value.connect,
        "read": value.read,
        "write": value.write,
        "pool": value.pool,
    }
    for name, seconds in phases.items():
        if seconds is not None and not _is_seconds(seconds):
            raise ConfigurationError(
                f"timeout: the {name} timeout must be a positive number of seconds, got {seconds!r}"
            )
    if not allow_no_timeout:
        missing = [name for name, seconds in phases.items() if seconds is None]
        if missing:
            raise ConfigurationError(
                f"timeout={timeout!r} leaves the {', '.join(missing)} timeout unset, so a "
                "stalled server could block this call for ever; pass a number of seconds "
                "(for example timeout=30), or allow_no_timeout=True on the client if you "
                "really want no limit"
            )
    return value


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and not _is_seconds(deadline):
        raise ConfigurationError(
            f"deadline={deadline!r}: pass a positive number of seconds for the whole call, "
            "or None for no deadline"
        )


def attach_call_options(
    extensions: Mapping[str, Any] | None,
    *,
    raise_for_status: bool | None,
    retry: Retry | bool | None,
    deadline: float | None,
) -> Mapping[str, Any] | None:
    """Return request extensions carrying these per-call options.

    Returns ``extensions`` untouched when no option was given, so a plain call allocates
    nothing.
    """
    if raise_for_status is None and retry is None and deadline is None:
        return extensions
    _check_deadline(deadline)
    check_flag("raise_for_status", raise_for_status, none="as the client")
    if retry is not None and not isinstance(retry, bool | Retry):
        raise ConfigurationError(
            f"retry={retry!r}: pass a tether.Retry(...) for this call, False to send it "
            "once, or leave it out for the client's policy"
        )
    merged = dict(extensions) if extensions else {}
    merged[CALL_OPTIONS_EXTENSION] = CallOptions(
        raise_for_status=raise_for_status, retry=retry, deadline=deadline
    )
    return merged
