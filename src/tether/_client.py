"""``tether.Client`` and ``tether.AsyncClient``: httpx2 clients with safe defaults.

Both subclass their httpx2 counterpart, so every httpx2 argument, method and habit works
unchanged. What tether adds, shared by the two through :class:`_Shared`:

* a timeout is always set (10 s, 5 s to connect); "no timeout" must be asked for;
* 4xx/5xx raise typed errors (:mod:`tether._errors`) unless turned off per client or call;
* ``.json()`` on responses raises :class:`tether.JSONDecodeError` that says what came back;
* per-call ``raise_for_status=``, ``retry=`` and ``deadline=`` on every verb, ``request``,
  ``stream`` and ``send``, carried to the transports as :class:`~tether.CallOptions`;
* a DEBUG log line and a :class:`~tether.RequestFinished` event per request;
* ``with_options(...)`` for a configured copy sharing the connection pool.

Every verb spells its keyword arguments out, in httpx2's order followed by tether's own,
so IDEs, ``help()`` and :func:`inspect.signature` show them as they are; a mistyped one
raises Python's own ``TypeError`` with the closest real name added (:func:`_suggesting`).
The transport stack is built in one place, :func:`tether._transports._stack.compose_transport`.
"""

# The async verbs take httpx2's ``timeout`` argument and pass it on, as httpx2's do.
# ruff: noqa: ASYNC109

from __future__ import annotations

import difflib
import functools
import inspect
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, Final, Literal, ParamSpec, Self, TypeVar, cast

import httpx2
from httpx2 import USE_CLIENT_DEFAULT

from tether._arguments import explain_bad_argument
from tether._config import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    Settings,
    attach_call_options,
    check_auth,
    check_budget,
    check_hooks,
    check_httpx2_arguments,
    check_retry,
    check_timeout,
    check_transport,
)
from tether._direct import bare_request, direct_transport, finish, started
from tether._env import settings_from_env
from tether._errors import ConfigurationError, error_for_response
from tether._hooks import Hook
from tether._httpx2 import (
    DEFAULT_MAX_REDIRECTS,
    AuthTypes,
    CertTypes,
    CookieTypes,
    HeaderTypes,
    ProxyTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestExtensions,
    RequestFiles,
    TimeoutTypes,
    URLPattern,
    UseClientDefault,
)
from tether._not_retried import note_not_retried
from tether._options import CallOptions
from tether._pagination import AsyncPaginator, Paginator, paginate_method
from tether._ratelimit import RateLimiter, RateLimitLike, as_limiter
from tether._redact import is_sensitive_header, redact_url
from tether._response import Response
from tether._retry import Retry
from tether._retry_budget import RetryBudget
from tether._transport_errors import explain_transport_error
from tether._transports._backend import Backend, backend_transport, proxied_by_environment
from tether._transports._base import CALL_OPTIONS_EXTENSION, READ_BODY_EXTENSION
from tether._transports._stack import compose_transport

if TYPE_CHECKING:
    from httpx2._client import BaseClient
else:
    BaseClient = object

__all__ = ["AsyncClient", "Client"]

EventHook = Callable[..., Any]
_Transport = TypeVar("_Transport", httpx2.BaseTransport, httpx2.AsyncBaseTransport)
_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Keep:
    """The default of :meth:`_Shared.with_options` arguments: keep the current value."""

    def __repr__(self) -> str:
        return "<as now>"


_KEEP: Final = _Keep()


def _suggesting(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function``, whose ``TypeError`` for an unknown keyword also names the closest
    real one (a typo is the usual cause), or all of them when none is close.

    Only the error Python raises when binding the call is rewritten: its message starts
    with the function's own name, which no error from deeper inside does.
    """
    names = [
        parameter.name
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        and parameter.name != "self"
    ]
    prefix = f"{function.__qualname__}() got an unexpected keyword argument "

    @functools.wraps(function)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except (TypeError, ValueError, AttributeError) as error:
            message = str(error)
            if not message.startswith(prefix):
                better = explain_bad_argument(kwargs)
                if better is not None and not isinstance(error, ConfigurationError):
                    raise better from None
                raise
            name = message[len(prefix) :].strip("'")
            close = difflib.get_close_matches(name, names, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(sorted(names))}"
            )
            caller = function.__qualname__
            if function.__name__ == "__init__":
                caller = type(args[0]).__name__
            raise TypeError(
                f"{caller}() got an unexpected keyword argument {name!r}; {hint}"
            ) from None

    return checked


def _asuggesting(
    function: Callable[_P, Coroutine[Any, Any, _R]],
) -> Callable[_P, Coroutine[Any, Any, _R]]:
    """:func:`_suggesting` for a coroutine function, which stays one."""
    bind = _suggesting(function)

    @functools.wraps(function)
    async def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return await bind(*args, **kwargs)
        except (TypeError, ValueError, AttributeError) as error:
            better = None if isinstance(error, ConfigurationError) else explain_bad_argument(kwargs)
            if better is None:
                raise
            raise better from None

    return checked


def _reads_body(request: httpx2.Request) -> None:
    """Tell the retry layer the body will be read whole, so it reads it within the attempt
    and a body cut off mid-way is retried like any read error."""
    try:
        request.extensions[READ_BODY_EXTENSION] = True
    except TypeError:
        # A read-only mapping from the caller: keep its contents, add the mark.
        request.extensions = {**request.extensions, READ_BODY_EXTENSION: True}


def _name_other_request(error: httpx2.TransportError, request: httpx2.Request) -> None:
    """Say so when a transport error came from another request than the caller's: the auth
    flow's token request or a redirect's next hop. The message alone names neither."""
    try:
        failed = error.request
    except RuntimeError:
        return
    if failed is not request and failed.url != request.url:
        error.add_note(
            f"tether: this error came from {failed.method} {redact_url(failed.url)}, sent for "
            f"{request.method} {redact_url(request.url)} (by its auth, such as a token "
            "request, or by following a redirect)"
        )


def _is_https_upgrade(url: httpx2.URL, location: httpx2.URL) -> bool:
    """``http://host`` to ``https://host`` on default ports: the one cross-origin redirect
    that keeps credentials, as httpx2 itself does for Authorization. Origins are compared
    normalised, so ``[::1]`` and ``[0:0:0:0:0:0:0:1]`` are one host."""
    origin, target = url.origin, location.origin
    return (
        origin.host == target.host
        and origin.scheme == "http"
        and origin.port == 80
        and target.scheme == "https"
        and target.port == 443
    )


class _Borrowed(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """A parent client's transport lent to a ``with_options`` copy: closing it is a no-op.

    One class serves both kinds, as ``httpx2.MockTransport`` does: a copy only calls the
    methods of its own kind, which is the kind of the transport it borrows.
    """

    def __init__(self, inner: httpx2.BaseTransport | httpx2.AsyncBaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return cast(httpx2.BaseTransport, self.inner).handle_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await cast(httpx2.AsyncBaseTransport, self.inner).handle_async_request(request)

    def __enter__(self) -> Self:
        return self

    async def __aenter__(self) -> Self:
        return self

    def close(self) -> None:
        """The pool belongs to the parent client, which closes it."""

    async def aclose(self) -> None:
        """The pool belongs to the parent client, which closes it."""


class _Shared(BaseClient):
    """Everything the sync and async clients do alike; neither sends nor waits here."""

    _tether: Settings
    _retry: Retry | Literal[False]
    _retry_budget: RetryBudget | Literal[False]
    _rate_limiter: RateLimiter | None
    _base_transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport
    _base_mounts: dict[URLPattern, httpx2.BaseTransport | httpx2.AsyncBaseTransport | None]
    _pool_after_init: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None

    @property
    def raise_for_status(self) -> bool:
        """Whether 4xx/5xx responses raise typed errors by default (per call: override)."""
        return self._tether.raise_for_status

    @property
    def hooks(self) -> tuple[Hook, ...]:
        """The hooks receiving tether's events for this client."""
        return self._tether.hooks

    @property
    def retry(self) -> Retry | None:
        """The retry policy of this client's calls (``None``: one attempt unless a call
        asks for more)."""
        return self._retry or None

    @property
    def retry_budget(self) -> RetryBudget | None:
        """The retry budget shared by every call of this client and its copies."""
        return self._retry_budget or None

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The client-side rate limiter shared by every call of this client and its copies
        (``None`` only when built with ``rate_limit=False``)."""
        return self._rate_limiter

    def _configure(
        self,
        *,
        raise_for_status: bool,
        hooks: Iterable[Hook] | None,
        allow_no_timeout: bool,
        retry: Retry | bool,
        retry_budget: RetryBudget | Literal[False] | None,
        rate_limit: RateLimitLike | Literal[False],
        backend: Backend,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Check and keep tether's constructor arguments; return httpx2's.

        Runs before httpx2's ``__init__``, which assigns the timeout through the checking
        property below and so needs the settings already in place.
        """
        self._retry = check_retry(retry) or False
        self._retry_budget = check_budget(retry_budget, argument="retry_budget") or False
        self._init_rate_limit(rate_limit)
        self._tether = Settings(
            raise_for_status=raise_for_status,
            hooks=check_hooks(hooks),
            allow_no_timeout=allow_no_timeout,
        )
        check_httpx2_arguments(kwargs)
        kwargs["timeout"] = check_timeout(
            kwargs["timeout"], allow_no_timeout=self._tether.allow_no_timeout
        )
        chosen = backend_transport(
            backend,
            asynchronous=isinstance(self, httpx2.AsyncClient),
            transport=kwargs["transport"],
            verify=kwargs["verify"],
            cert=kwargs["cert"],
            trust_env=kwargs["trust_env"],
            http1=kwargs["http1"],
            http2=kwargs["http2"],
            proxy=kwargs["proxy"],
            limits=kwargs["limits"],
            timeout=httpx2.Timeout(kwargs["timeout"]),
        )
        self._pool_after_init = None
        if chosen is not None:
            if backend == "httpx2" and proxied_by_environment(kwargs["trust_env"]):
                # Passing a transport would stop httpx2 from mounting the environment's
                # proxies; it builds its own instead, and _compose swaps the pool in.
                self._pool_after_init = chosen
            else:
                kwargs["transport"] = chosen
        return kwargs

    def _compose(
        self, transport: _Transport, mounts: Mapping[URLPattern, _Transport | None]
    ) -> tuple[_Transport, dict[URLPattern, _Transport | None]]:
        """The client's transport and mounts wrapped in tether's stack.

        httpx2 picks the transport or a mounted one per URL; wrapping both puts every route
        through the same stack. The bare ones are kept for :meth:`with_options`.
        """
        if self._pool_after_init is not None:
            # httpx2's transport was built only to have the environment's proxies mounted
            # beside it, and has opened no connection: the pool serves the hosts they skip.
            transport = cast(_Transport, self._pool_after_init)
        self._base_transport = transport
        self._base_mounts = dict(mounts)
        asynchronous = isinstance(self, httpx2.AsyncClient)
        check_transport(transport, asynchronous=asynchronous, argument="transport")
        for pattern, mounted in mounts.items():
            if mounted is not None:
                check_transport(
                    mounted, asynchronous=asynchronous, argument=f"mounts[{pattern.pattern!r}]"
                )

        def stack(base: _Transport) -> _Transport:
            return compose_transport(
                base,
                self._tether,
                asynchronous=asynchronous,
                retry=self._retry,
                retry_budget=self._retry_budget,
                rate_limiter=self._rate_limiter,
            )

        wrapped = {p: None if mounted is None else stack(mounted) for p, mounted in mounts.items()}
        return stack(transport), wrapped

    def _init_rate_limit(self, rate_limit: RateLimitLike | Literal[False]) -> None:
        if rate_limit is False:
            self._rate_limiter = None
            return
        try:
            self._rate_limiter = as_limiter(rate_limit)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{exc}; or rate_limit=False to switch rate limiting off entirely"
            ) from None

    @property
    def timeout(self) -> httpx2.Timeout:
        """The default timeout; assigning ``None`` is refused unless ``allow_no_timeout``."""
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: TimeoutTypes) -> None:
        self._timeout = check_timeout(timeout, allow_no_timeout=self._tether.allow_no_timeout)

    def build_request(
        self,
        method: str,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
    ) -> httpx2.Request:
        """Build a request as :meth:`httpx2.Client.build_request` does (the same request).

        A call with no body, query parameters, headers or cookies of its own, the usual
        read, is built without httpx2's merging steps, in less than half the time.
        """
        if (
            content is None
            and data is None
            and files is None
            and json is None
            and params is None
            and headers is None
            and cookies is None
        ):
            request = bare_request(self, method, url, timeout, extensions)
            if request is not None:
                return request
        return super().build_request(
            method,
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            timeout=timeout,
            extensions=extensions,
        )

    def _timeout_for(self, timeout: TimeoutTypes | UseClientDefault) -> httpx2.Timeout:
        """A per-call timeout, checked like the client's."""
        return check_timeout(
            cast(TimeoutTypes, timeout), allow_no_timeout=self._tether.allow_no_timeout
        )

    def _attach_to(
        self,
        request: httpx2.Request,
        raise_for_status: bool | None,
        retry: Retry | bool | None,
        deadline: float | None,
    ) -> None:
        """Put ``send()``'s per-call options on ``request``, winning over those that
        ``build_request()`` or ``request()`` already attached."""
        current = request.extensions.get(CALL_OPTIONS_EXTENSION)
        if isinstance(current, CallOptions):
            if raise_for_status is None:
                raise_for_status = current.raise_for_status
            retry = current.retry if retry is None else retry
            deadline = current.deadline if deadline is None else deadline
        request.extensions = dict(
            attach_call_options(
                request.extensions,
                raise_for_status=raise_for_status,
                retry=retry,
                deadline=deadline,
            )
            or {}
        )

    def _build_auth(self, auth: AuthTypes | None) -> httpx2.Auth | None:
        # Every auth passes here (constructor, ``client.auth = ...``, per call); httpx2's
        # own refusal would quote the value, which may be a secret.
        check_auth(auth)
        return super()._build_auth(auth)

    def _redirect_headers(
        self, request: httpx2.Request, url: httpx2.URL, method: str
    ) -> httpx2.Headers:
        # httpx2 drops only Authorization when a redirect leaves the origin; an API key in
        # X-API-Key (or any header that looks like a credential) must not follow either.
        headers = super()._redirect_headers(request, url, method)
        if url.origin != request.url.origin and not _is_https_upgrade(request.url, url):
            for name in [name for name in headers if is_sensitive_header(name)]:
                del headers[name]
        return headers

    def _raises_for(self, request: httpx2.Request) -> bool:
        options = request.extensions.get(CALL_OPTIONS_EXTENSION)
        if isinstance(options, CallOptions) and options.raise_for_status is not None:
            return options.raise_for_status
        return self._tether.raise_for_status

    @_suggesting
    def with_options(
        self,
        *,
        base_url: httpx2.URL | str | _Keep = _KEEP,
        headers: HeaderTypes | _Keep = _KEEP,
        params: QueryParamTypes | _Keep = _KEEP,
        auth: AuthTypes | _Keep | None = _KEEP,
        timeout: TimeoutTypes | _Keep = _KEEP,
        follow_redirects: bool | _Keep = _KEEP,
        max_redirects: int | _Keep = _KEEP,
        event_hooks: Mapping[str, list[EventHook]] | _Keep = _KEEP,
        raise_for_status: bool | _Keep = _KEEP,
        hooks: Iterable[Hook] | _Keep | None = _KEEP,
        allow_no_timeout: bool | _Keep = _KEEP,
        retry: Retry | bool | _Keep = _KEEP,
    ) -> Self:
        """A copy of this client with some settings changed; an argument left out keeps
        its current value.

        ``headers`` and ``params`` are merged into the current ones; ``auth=None`` and
        ``timeout=None`` mean "none". ``retry`` changes the copy's policy, but its calls
        share this client's retry budget and rate limiter. The copy shares this client's
        connection pool (closing it leaves the pool open), so it must not outlive this
        client.

        Example::

            admin = client.with_options(auth=tether.BearerAuth(token), timeout=30)
            lenient = client.with_options(raise_for_status=False)
            once = client.with_options(retry=False)
        """
        given = {
            "base_url": base_url,
            "headers": headers,
            "params": params,
            "auth": auth,
            "timeout": timeout,
            "follow_redirects": follow_redirects,
            "max_redirects": max_redirects,
            "event_hooks": event_hooks,
            "raise_for_status": raise_for_status,
            "hooks": hooks,
            "allow_no_timeout": allow_no_timeout,
            "retry": retry,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not _KEEP}
        settings = self._tether
        kwargs: dict[str, Any] = {
            "base_url": self.base_url,
            "cookies": self.cookies,
            "auth": self.auth,
            "timeout": self._timeout,
            "follow_redirects": self.follow_redirects,
            "max_redirects": self.max_redirects,
            "event_hooks": self.event_hooks,
            "trust_env": self.trust_env,
            "default_encoding": self._default_encoding,
            "raise_for_status": settings.raise_for_status,
            "hooks": settings.hooks,
            "allow_no_timeout": settings.allow_no_timeout,
            # Copies keep the policy and share the budget: it is client-wide.
            "retry": self._retry,
            "retry_budget": self._retry_budget,
            # Copies share the limiter: one quota, one view of the server's headers.
            "rate_limit": self._rate_limiter if self._rate_limiter is not None else False,
            **changes,
        }
        headers = httpx2.Headers(self.headers)
        if "headers" in changes:
            headers.update(changes["headers"])
        kwargs["headers"] = headers
        kwargs["params"] = (
            self.params.merge(changes["params"]) if "params" in changes else self.params
        )
        kwargs["mounts"] = {
            pattern.pattern: None if mounted is None else _Borrowed(mounted)
            for pattern, mounted in self._base_mounts.items()
        }
        kwargs["transport"] = _Borrowed(self._base_transport)
        copy: Callable[..., Self] = type(self)
        return copy(**kwargs)

    @classmethod
    def from_env(cls, prefix: str, **kwargs: Any) -> Self:
        """A client whose base URL and credentials come from ``{prefix}_*`` variables:
        ``{prefix}_BASE_URL`` (required) and one of ``{prefix}_TOKEN`` (bearer),
        ``{prefix}_API_KEY`` (``X-API-Key`` header) or ``{prefix}_USERNAME`` with
        ``{prefix}_PASSWORD`` (basic). Other arguments as for the constructor, and win.

        Example::

            client = tether.Client.from_env(prefix="MYAPI")  # MYAPI_BASE_URL, MYAPI_TOKEN
        """
        return cls(**settings_from_env(prefix, cls.__name__, kwargs))

    def __repr__(self) -> str:
        auth = "" if self.auth is None else f" auth={self.auth!r}"
        return (
            f"<{type(self).__module__.split('.')[0]}.{type(self).__name__} "
            f"base_url={redact_url(self.base_url)!r} timeout={self._timeout!r}"
            f" raise_for_status={self._tether.raise_for_status}{auth}>"
        )


class Client(_Shared, httpx2.Client):
    """An :class:`httpx2.Client` with safe defaults, typed errors and tether's hooks.

    Takes every argument of :class:`httpx2.Client`, plus:

    * ``raise_for_status`` (default ``True``): raise :class:`tether.APIError` subclasses
      for 4xx/5xx responses; each call may override it.
    * ``hooks``: callables receiving :data:`tether.Event` objects.
    * ``allow_no_timeout``: permit ``timeout=None`` (refused otherwise).
    * ``retry`` (default ``tether.Retry()``): the retry policy; ``False`` sends each
      request once unless a call passes its own ``retry=``.
    * ``retry_budget``: the :class:`tether.RetryBudget` shared by all calls (a fresh one
      by default; pass one object to several clients to share it, ``False`` for none).
    * ``rate_limit``: client-side pacing: ``"5/s"``, ``["10/s", "500/h"]``, a
      :class:`tether.RateLimit` or a :class:`tether.RateLimiter` shared with other
      clients. The default (``None``) paces only by the server's rate-limit headers, at no
      cost while it sends none; ``False`` switches rate limiting off.
    * ``backend`` (default ``"httpx2"``): the library that moves the bytes:
      ``"reqwest"`` (pyreqwest) or, for :class:`AsyncClient`, ``"aiohttp"``; both come
      with ``pip install 'tether[fast]'`` and are several times faster under load.

    The default ``timeout`` is 10 s (5 s to connect) and the pool keeps at most 100
    connections, 20 of them alive for 30 s.

    Example::

        with tether.Client(base_url="http://127.0.0.1:8000") as client:
            post = client.get("/posts/1").json()
            client.get("/posts/999", raise_for_status=False).status_code  # 404
    """

    @_suggesting
    def __init__(
        self,
        *,
        auth: AuthTypes | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        proxy: ProxyTypes | None = None,
        mounts: Mapping[str, httpx2.BaseTransport | None] | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        follow_redirects: bool = False,
        limits: httpx2.Limits = DEFAULT_LIMITS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        event_hooks: Mapping[str, list[EventHook]] | None = None,
        base_url: httpx2.URL | str = "",
        transport: httpx2.BaseTransport | None = None,
        default_encoding: str | Callable[[bytes], str | None] = "utf-8",
        raise_for_status: bool = True,
        hooks: Iterable[Hook] | None = (),
        allow_no_timeout: bool = False,
        retry: Retry | bool = True,
        retry_budget: RetryBudget | Literal[False] | None = None,
        rate_limit: RateLimitLike | Literal[False] = None,
        backend: Backend = "httpx2",
    ) -> None:
        kwargs = self._configure(
            auth=auth,
            params=params,
            headers=headers,
            cookies=cookies,
            verify=verify,
            cert=cert,
            trust_env=trust_env,
            http1=http1,
            http2=http2,
            proxy=proxy,
            mounts=mounts,
            timeout=timeout,
            follow_redirects=follow_redirects,
            limits=limits,
            max_redirects=max_redirects,
            event_hooks=event_hooks,
            base_url=base_url,
            transport=transport,
            default_encoding=default_encoding,
            raise_for_status=raise_for_status,
            hooks=hooks,
            allow_no_timeout=allow_no_timeout,
            retry=retry,
            retry_budget=retry_budget,
            rate_limit=rate_limit,
            backend=backend,
        )
        super().__init__(**kwargs)
        self._transport, self._mounts = self._compose(self._transport, self._mounts)

    @_suggesting
    def send(
        self,
        request: httpx2.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send ``request``; per-call options as in :meth:`request`, winning over those
        already attached to ``request``."""
        if raise_for_status is not None or retry is not None or deadline is not None:
            self._attach_to(request, raise_for_status, retry, deadline)
        if not stream:
            _reads_body(request)
        elif READ_BODY_EXTENSION in request.extensions:
            # The same request sent again, streamed this time.
            request.extensions = {
                k: v for k, v in request.extensions.items() if k != READ_BODY_EXTENSION
            }
        # Every transport of the client is wrapped by the observing layer, which already
        # made the response a tether Response.
        direct = direct_transport(
            self, request, stream=stream, auth=auth, follow_redirects=follow_redirects
        )
        try:
            if direct is None:
                response = super().send(
                    request, stream=stream, auth=auth, follow_redirects=follow_redirects
                )
            else:
                since = started()
                response = cast(httpx2.BaseTransport, direct).handle_request(request)
                try:
                    response.read()
                finally:
                    response.close()
                finish(self, request, response, since)
        except httpx2.TransportError as error:
            _name_other_request(error, request)
            explain_transport_error(error, request)
            raise
        if response.status_code >= 400 and self._raises_for(request):
            if stream:
                # An error body is small and the error quotes it; reading also releases
                # the connection, since the caller never gets this response to close.
                response.read()
            status_error = error_for_response(response)
            note_not_retried(status_error, self._retry)
            raise status_error
        return cast(Response, response)

    @_suggesting
    def request(
        self,
        method: str,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Build and send a request, as :meth:`httpx2.Client.request`, plus per-call options.

        * ``raise_for_status``: override the client's setting for this call.
        * ``retry``: a :class:`tether.Retry` for this call, or ``False`` to send once.
        * ``deadline``: seconds for the whole call, retries and waits included.
        """
        extensions = attach_call_options(
            extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
        )
        response = super().request(
            method,
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=extensions,
        )
        return cast(Response, response)

    @_suggesting
    @contextmanager
    def stream(
        self,
        method: str,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Iterator[Response]:
        """Stream the response body, as :meth:`httpx2.Client.stream`, plus per-call options.

        With ``raise_for_status`` in force an error status raises before the block runs.
        """
        extensions = attach_call_options(
            extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
        )
        with super().stream(
            method,
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=extensions,
        ) as response:
            yield cast(Response, response)

    @_suggesting
    def get(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``GET`` request; arguments as in :meth:`request`."""
        response = super().request(
            "GET",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_suggesting
    def options(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``OPTIONS`` request; arguments as in :meth:`request`."""
        response = super().request(
            "OPTIONS",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_suggesting
    def head(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``HEAD`` request; arguments as in :meth:`request`."""
        response = super().request(
            "HEAD",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_suggesting
    def delete(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``DELETE`` request; arguments as in :meth:`request`."""
        response = super().request(
            "DELETE",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_suggesting
    def post(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``POST`` request; arguments as in :meth:`request`."""
        response = super().request(
            "POST",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_suggesting
    def put(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``PUT`` request; arguments as in :meth:`request`."""
        response = super().request(
            "PUT",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_suggesting
    def patch(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``PATCH`` request; arguments as in :meth:`request`."""
        response = super().request(
            "PATCH",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_suggesting
    def query(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``QUERY`` request; arguments as in :meth:`request`."""
        response = super().request(
            "QUERY",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    paginate = paginate_method(
        Paginator,
        """Iterate the items of a paginated endpoint, page after page.

        The style (``Link`` header, next URL or cursor in the body, page numbers, offsets)
        is detected from the first response unless ``strategy`` is given; ``items`` is the
        dotted path of the list in the body when it is not found by itself. Other keyword
        arguments (``headers``, ``timeout``, ``retry`` ...) apply to every page request.
        ``checkpoint`` resumes a pull where :attr:`Paginator.checkpoint` left it.

        Example::

            for photo in client.paginate("/photos", params={"_page": 1, "_limit": 100}):
                print(photo["id"])
        """,
    )


class AsyncClient(_Shared, httpx2.AsyncClient):
    """An :class:`httpx2.AsyncClient` with safe defaults, typed errors and tether's hooks.

    The async twin of :class:`Client`: every argument of :class:`httpx2.AsyncClient`, plus
    tether's ``raise_for_status``, ``hooks``, ``allow_no_timeout``, ``retry``,
    ``retry_budget``, ``rate_limit`` and ``backend``, with the same meaning and defaults
    (``backend="aiohttp"`` is for this async client only).

    Example::

        async with tether.AsyncClient(base_url="http://127.0.0.1:8000") as client:
            post = (await client.get("/posts/1")).json()
            (await client.get("/posts/999", raise_for_status=False)).status_code  # 404
    """

    @_suggesting
    def __init__(
        self,
        *,
        auth: AuthTypes | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        http1: bool = True,
        http2: bool = False,
        proxy: ProxyTypes | None = None,
        mounts: Mapping[str, httpx2.AsyncBaseTransport | None] | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        follow_redirects: bool = False,
        limits: httpx2.Limits = DEFAULT_LIMITS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        event_hooks: Mapping[str, list[EventHook]] | None = None,
        base_url: httpx2.URL | str = "",
        transport: httpx2.AsyncBaseTransport | None = None,
        trust_env: bool = True,
        default_encoding: str | Callable[[bytes], str | None] = "utf-8",
        raise_for_status: bool = True,
        hooks: Iterable[Hook] | None = (),
        allow_no_timeout: bool = False,
        retry: Retry | bool = True,
        retry_budget: RetryBudget | Literal[False] | None = None,
        rate_limit: RateLimitLike | Literal[False] = None,
        backend: Backend = "httpx2",
    ) -> None:
        kwargs = self._configure(
            auth=auth,
            params=params,
            headers=headers,
            cookies=cookies,
            verify=verify,
            cert=cert,
            http1=http1,
            http2=http2,
            proxy=proxy,
            mounts=mounts,
            timeout=timeout,
            follow_redirects=follow_redirects,
            limits=limits,
            max_redirects=max_redirects,
            event_hooks=event_hooks,
            base_url=base_url,
            transport=transport,
            trust_env=trust_env,
            default_encoding=default_encoding,
            raise_for_status=raise_for_status,
            hooks=hooks,
            allow_no_timeout=allow_no_timeout,
            retry=retry,
            retry_budget=retry_budget,
            rate_limit=rate_limit,
            backend=backend,
        )
        super().__init__(**kwargs)
        self._transport, self._mounts = self._compose(self._transport, self._mounts)

    @_asuggesting
    async def send(
        self,
        request: httpx2.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send ``request``; per-call options as in :meth:`request`, winning over those
        already attached to ``request``."""
        if raise_for_status is not None or retry is not None or deadline is not None:
            self._attach_to(request, raise_for_status, retry, deadline)
        if not stream:
            _reads_body(request)
        elif READ_BODY_EXTENSION in request.extensions:
            # The same request sent again, streamed this time.
            request.extensions = {
                k: v for k, v in request.extensions.items() if k != READ_BODY_EXTENSION
            }
        # Every transport of the client is wrapped by the observing layer, which already
        # made the response a tether Response.
        direct = direct_transport(
            self, request, stream=stream, auth=auth, follow_redirects=follow_redirects
        )
        try:
            if direct is None:
                response = await super().send(
                    request, stream=stream, auth=auth, follow_redirects=follow_redirects
                )
            else:
                since = started()
                response = await cast(httpx2.AsyncBaseTransport, direct).handle_async_request(
                    request
                )
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                finish(self, request, response, since)
        except httpx2.TransportError as error:
            _name_other_request(error, request)
            explain_transport_error(error, request)
            raise
        if response.status_code >= 400 and self._raises_for(request):
            if stream:
                # An error body is small and the error quotes it; reading also releases
                # the connection, since the caller never gets this response to close.
                await response.aread()
            status_error = error_for_response(response)
            note_not_retried(status_error, self._retry)
            raise status_error
        return cast(Response, response)

    @_asuggesting
    async def request(
        self,
        method: str,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Build and send a request, as :meth:`httpx2.AsyncClient.request`, plus per-call options.

        * ``raise_for_status``: override the client's setting for this call.
        * ``retry``: a :class:`tether.Retry` for this call, or ``False`` to send once.
        * ``deadline``: seconds for the whole call, retries and waits included.
        """
        extensions = attach_call_options(
            extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
        )
        response = await super().request(
            method,
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=extensions,
        )
        return cast(Response, response)

    @_suggesting
    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> AsyncIterator[Response]:
        """Stream the response body, as :meth:`httpx2.AsyncClient.stream`, plus per-call options.

        With ``raise_for_status`` in force an error status raises before the block runs.
        """
        extensions = attach_call_options(
            extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
        )
        async with super().stream(
            method,
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=extensions,
        ) as response:
            yield cast(Response, response)

    @_asuggesting
    async def get(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``GET`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "GET",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_asuggesting
    async def options(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``OPTIONS`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "OPTIONS",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_asuggesting
    async def head(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``HEAD`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "HEAD",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_asuggesting
    async def delete(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``DELETE`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "DELETE",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_asuggesting
    async def post(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``POST`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "POST",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_asuggesting
    async def put(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``PUT`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "PUT",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_asuggesting
    async def patch(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``PATCH`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "PATCH",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    @_asuggesting
    async def query(
        self,
        url: httpx2.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``QUERY`` request; arguments as in :meth:`request`."""
        response = await super().request(
            "QUERY",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout if timeout is USE_CLIENT_DEFAULT else self._timeout_for(timeout),
            extensions=attach_call_options(
                extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
            ),
        )
        return cast(Response, response)

    paginate = paginate_method(
        AsyncPaginator,
        """Iterate the items of a paginated endpoint asynchronously (``async for``).

        As :meth:`Client.paginate`, plus ``concurrency``: when the first page tells how
        many pages there are, up to that many are fetched at once, still handed out in
        order (``1`` fetches one page at a time).

        Example::

            async for photo in client.paginate("/photos", params={"page": 1, "per_page": 50}):
                print(photo["id"])
        """,
    )
