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

The keyword arguments shared by many methods are declared once, as ``TypedDict``\\ s taken
with ``**options: Unpack[...]`` (PEP 692): type checkers and IDEs see every name and type,
and :func:`_spelled_out` gives each such method a runtime signature naming them too. The
transport stack is built in one place, :func:`compose_transport`.
"""

from __future__ import annotations

import difflib
import inspect
import ssl
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, Literal, Self, TypedDict, TypeVar, Unpack, cast

import httpx2
from httpx2._client import USE_CLIENT_DEFAULT, UseClientDefault
from httpx2._config import DEFAULT_MAX_REDIRECTS
from httpx2._types import (
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
)
from httpx2._utils import URLPattern

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
from tether._errors import ConfigurationError, error_for_response
from tether._hooks import Hook
from tether._options import CallOptions
from tether._pagination import AsyncPaginator, Paginator, paginate_method
from tether._ratelimit import RateLimiter, RateLimitLike, as_limiter
from tether._redact import is_sensitive_header, redact_url
from tether._response import Response
from tether._retry import Retry
from tether._retry_budget import RetryBudget
from tether._transports._base import CALL_OPTIONS_EXTENSION, READ_BODY_EXTENSION
from tether._transports._stack import compose_transport

if TYPE_CHECKING:
    from httpx2._client import BaseClient
else:
    BaseClient = object

__all__ = ["AsyncClient", "Client"]

EventHook = Callable[..., Any]
_Transport = TypeVar("_Transport", httpx2.BaseTransport, httpx2.AsyncBaseTransport)
_Function = TypeVar("_Function", bound=Callable[..., Any])


class _PerCall(TypedDict, total=False):
    """tether's options for one call, carried to the transports as :class:`CallOptions`."""

    raise_for_status: bool | None
    """Override the client's ``raise_for_status`` for this call."""
    retry: Retry | bool | None
    """A :class:`tether.Retry` for this call, or ``False`` to send it once."""
    deadline: float | None
    """Seconds for the whole call, retries and waits included."""


class _Sending(TypedDict, total=False):
    """What every verb takes besides the URL and the body, as in httpx2."""

    params: QueryParamTypes | None
    headers: HeaderTypes | None
    cookies: CookieTypes | None
    follow_redirects: bool | UseClientDefault
    timeout: TimeoutTypes | UseClientDefault
    extensions: RequestExtensions | None


class _Body(TypedDict, total=False):
    """A request body, in one of httpx2's forms."""

    content: RequestContent | None
    data: RequestData | None
    files: RequestFiles | None
    json: Any | None


class _NoBodyOptions(_Sending, _PerCall, total=False):
    """Keyword arguments of ``get``, ``options``, ``head`` and ``delete``."""

    auth: AuthTypes | UseClientDefault | None


class _BodyOptions(_Body, _Sending, _PerCall, total=False):
    """Keyword arguments of ``post``, ``put``, ``patch`` and ``query`` (as in httpx2, their
    ``auth`` cannot be ``None``)."""

    auth: AuthTypes | UseClientDefault


class _RequestOptions(_Body, _Sending, _PerCall, total=False):
    """Keyword arguments of ``request`` and ``stream``."""

    auth: AuthTypes | UseClientDefault | None


class _SendOptions(_PerCall, total=False):
    """Keyword arguments of ``send`` besides ``stream``."""

    auth: AuthTypes | UseClientDefault | None
    follow_redirects: bool | UseClientDefault


class _ClientOptions(TypedDict, total=False):
    """Constructor arguments shared by :class:`Client` and :class:`AsyncClient` (all but the
    transports, whose kind differs). Defaults in :data:`_CLIENT_DEFAULTS`."""

    auth: AuthTypes | None
    params: QueryParamTypes | None
    headers: HeaderTypes | None
    cookies: CookieTypes | None
    verify: ssl.SSLContext | str | bool
    cert: CertTypes | None
    trust_env: bool
    http1: bool
    http2: bool
    proxy: ProxyTypes | None
    timeout: TimeoutTypes
    """10 s by default, 5 s to connect; ``None`` is refused unless ``allow_no_timeout``."""
    follow_redirects: bool
    limits: httpx2.Limits
    max_redirects: int
    event_hooks: Mapping[str, list[EventHook]] | None
    base_url: httpx2.URL | str
    default_encoding: str | Callable[[bytes], str | None]
    raise_for_status: bool
    """Raise typed errors for 4xx/5xx responses (default ``True``)."""
    hooks: Iterable[Hook] | None
    """Callables receiving tether's events."""
    allow_no_timeout: bool
    """Permit ``timeout=None``."""
    retry: Retry | bool
    """The retry policy (default ``tether.Retry()``); ``False`` sends each request once."""
    retry_budget: RetryBudget | Literal[False] | None
    """The budget shared by all calls (a fresh one by default; ``False`` for none)."""
    rate_limit: RateLimitLike | Literal[False]
    """Client-side pacing; the default paces by the server's headers only."""


class _CopyOptions(TypedDict, total=False):
    """What :meth:`with_options` may change; a name left out keeps its current value."""

    base_url: httpx2.URL | str
    headers: HeaderTypes
    """Merged into the current headers."""
    params: QueryParamTypes
    """Merged into the current query parameters."""
    auth: AuthTypes | None
    timeout: TimeoutTypes
    follow_redirects: bool
    max_redirects: int
    event_hooks: Mapping[str, list[EventHook]]
    raise_for_status: bool
    hooks: Iterable[Hook] | None
    allow_no_timeout: bool
    retry: Retry | bool
    """The copy's retry policy; its calls still share this client's retry budget."""


_CLIENT_DEFAULTS: dict[str, Any] = {
    "auth": None,
    "params": None,
    "headers": None,
    "cookies": None,
    "verify": True,
    "cert": None,
    "trust_env": True,
    "http1": True,
    "http2": False,
    "proxy": None,
    "timeout": DEFAULT_TIMEOUT,
    "follow_redirects": False,
    "limits": DEFAULT_LIMITS,
    "max_redirects": DEFAULT_MAX_REDIRECTS,
    "event_hooks": None,
    "base_url": "",
    "default_encoding": "utf-8",
    "raise_for_status": True,
    "hooks": (),
    "allow_no_timeout": False,
    "retry": True,
    "retry_budget": None,
    "rate_limit": None,
}
_CALL_DEFAULTS: dict[str, Any] = dict.fromkeys(
    ("auth", "follow_redirects", "timeout"), USE_CLIENT_DEFAULT
)
_PER_CALL_NAMES = frozenset(_PerCall.__annotations__)
_NO_BODY_NAMES = frozenset(_NoBodyOptions.__annotations__)
_BODY_NAMES = frozenset(_BodyOptions.__annotations__)
_REQUEST_NAMES = frozenset(_RequestOptions.__annotations__)
_SEND_NAMES = frozenset(_SendOptions.__annotations__)
_CLIENT_NAMES = frozenset(_ClientOptions.__annotations__)
_COPY_NAMES = frozenset(_CopyOptions.__annotations__)


def _spelled_out(
    options: type, defaults: Mapping[str, Any] = _CALL_DEFAULTS
) -> Callable[[_Function], _Function]:
    """Give a method taking ``**options`` a runtime signature that names each option.

    Type checkers read the ``TypedDict``; this is for ``help()`` and
    :func:`inspect.signature`, with which the paginator checks request options early.
    """

    def decorate(function: _Function) -> _Function:
        signature = inspect.signature(function)
        fixed = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        named = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=defaults.get(name),
                annotation=getattr(annotation, "__forward_arg__", annotation),
            )
            for name, annotation in options.__annotations__.items()
        ]
        function.__signature__ = signature.replace(parameters=[*fixed, *named])  # type: ignore[attr-defined]
        return function

    return decorate


def _without_body(method: str, options: _NoBodyOptions) -> _NoBodyOptions:
    """``options`` of a verb that takes no body, refusing a body as its httpx2 version does."""
    if options:
        _refuse_unknown(method, options, _NO_BODY_NAMES)
    return options


def _with_body(method: str, options: _BodyOptions) -> _BodyOptions:
    if options:
        _refuse_unknown(method, options, _BODY_NAMES)
    return options


def _refuse_unknown(method: str, options: Mapping[str, Any], known: frozenset[str]) -> None:
    """The ``TypeError`` an explicit signature raises for an argument it does not take,
    with the closest name it does take (a typo is the usual cause)."""
    if known.issuperset(options):
        return
    unknown = sorted(options.keys() - known)
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, known, n=1)
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else f"; it takes {', '.join(sorted(known))}"
        )
        raise TypeError(f"{method}() got an unexpected keyword argument {name!r}{hint}")


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

    def _configure(self, options: _ClientOptions) -> dict[str, Any]:
        """Check and keep tether's constructor arguments; return httpx2's.

        Runs before httpx2's ``__init__``, which assigns the timeout through the checking
        property below and so needs the settings already in place.
        """
        _refuse_unknown(type(self).__name__, options, _CLIENT_NAMES)
        kwargs = {**_CLIENT_DEFAULTS, **options}
        self._init_retry(kwargs.pop("retry"), kwargs.pop("retry_budget"))
        self._init_rate_limit(kwargs.pop("rate_limit"))
        self._tether = Settings(
            raise_for_status=kwargs.pop("raise_for_status"),
            hooks=check_hooks(kwargs.pop("hooks")),
            allow_no_timeout=kwargs.pop("allow_no_timeout"),
        )
        check_httpx2_arguments(kwargs)
        kwargs["timeout"] = check_timeout(
            kwargs["timeout"], allow_no_timeout=self._tether.allow_no_timeout
        )
        return kwargs

    def _compose(
        self, transport: _Transport, mounts: Mapping[URLPattern, _Transport | None]
    ) -> tuple[_Transport, dict[URLPattern, _Transport | None]]:
        """The client's transport and mounts wrapped in tether's stack.

        httpx2 picks the transport or a mounted one per URL; wrapping both puts every route
        through the same stack. The bare ones are kept for :meth:`with_options`.
        """
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

    def _init_retry(
        self, retry: Retry | bool, retry_budget: RetryBudget | Literal[False] | None
    ) -> None:
        self._retry = check_retry(retry) or False
        self._retry_budget = check_budget(retry_budget, argument="retry_budget") or False

    @property
    def timeout(self) -> httpx2.Timeout:
        """The default timeout; assigning ``None`` is refused unless ``allow_no_timeout``."""
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: TimeoutTypes) -> None:
        self._timeout = check_timeout(timeout, allow_no_timeout=self._tether.allow_no_timeout)

    def _httpx2_options(
        self, options: _RequestOptions, caller: str = "request"
    ) -> dict[str, Any]:
        """httpx2's keyword arguments for a call given some: tether's options move into the
        request's extensions, and a per-call timeout is checked like the client's."""
        _refuse_unknown(caller, options, _REQUEST_NAMES)
        kwargs: dict[str, Any] = dict(options)
        raise_for_status = kwargs.pop("raise_for_status", None)
        retry = kwargs.pop("retry", None)
        deadline = kwargs.pop("deadline", None)
        timeout = kwargs.get("timeout", USE_CLIENT_DEFAULT)
        if not isinstance(timeout, UseClientDefault):
            timeout = kwargs["timeout"] = check_timeout(
                timeout, allow_no_timeout=self._tether.allow_no_timeout
            )
        if raise_for_status is not None or retry is not None or deadline is not None:
            kwargs["extensions"] = attach_call_options(
                kwargs.get("extensions"),
                raise_for_status=raise_for_status,
                retry=retry,
                deadline=deadline,
            )
        return kwargs

    def _send_options(self, request: httpx2.Request, options: _SendOptions) -> Mapping[str, Any]:
        """httpx2's ``send()`` arguments; tether's per-call options go onto ``request``."""
        if options:
            _refuse_unknown("send", options, _SEND_NAMES)
        if _PER_CALL_NAMES.isdisjoint(options):
            return options
        kwargs: dict[str, Any] = dict(options)
        raise_for_status = kwargs.pop("raise_for_status", None)
        retry = kwargs.pop("retry", None)
        deadline = kwargs.pop("deadline", None)
        if raise_for_status is None and retry is None and deadline is None:
            return kwargs
        current = request.extensions.get(CALL_OPTIONS_EXTENSION)
        if isinstance(current, CallOptions):
            # send() arguments win over what build_request()/request() already attached.
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
        return kwargs

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

    def with_options(self, **changes: Unpack[_CopyOptions]) -> Self:
        """A copy of this client with some settings changed; the rest is kept.

        Takes ``base_url``, ``headers``, ``params``, ``auth``, ``timeout``,
        ``follow_redirects``, ``max_redirects``, ``event_hooks``, ``raise_for_status``,
        ``hooks``, ``allow_no_timeout`` and ``retry`` (the budget stays shared).
        ``headers`` and ``params`` are merged into the current ones; ``auth=None`` and
        ``timeout=None`` mean "none", leaving an argument out means "as now". The copy
        shares this client's connection pool (closing it leaves the pool open), so it must
        not outlive this client.

        Example::

            admin = client.with_options(auth=tether.BearerAuth(token), timeout=30)
            lenient = client.with_options(raise_for_status=False)
            once = client.with_options(retry=False)
        """
        _refuse_unknown("with_options", changes, _COPY_NAMES)
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

    The default ``timeout`` is 10 s (5 s to connect) and the pool keeps at most 100
    connections, 20 of them alive for 30 s.

    Example::

        with tether.Client(base_url="http://127.0.0.1:8000") as client:
            post = client.get("/posts/1").json()
            client.get("/posts/999", raise_for_status=False).status_code  # 404
    """

    @_spelled_out(_ClientOptions, _CLIENT_DEFAULTS)
    def __init__(
        self,
        *,
        transport: httpx2.BaseTransport | None = None,
        mounts: Mapping[str, httpx2.BaseTransport | None] | None = None,
        **options: Unpack[_ClientOptions],
    ) -> None:
        super().__init__(transport=transport, mounts=mounts, **self._configure(options))
        self._transport, self._mounts = self._compose(self._transport, self._mounts)

    @_spelled_out(_SendOptions)
    def send(
        self, request: httpx2.Request, *, stream: bool = False, **options: Unpack[_SendOptions]
    ) -> Response:
        """Send ``request``; per-call options as in :meth:`request`, winning over those
        already attached to ``request``."""
        kwargs = self._send_options(request, options)
        if not stream:
            _reads_body(request)
        elif READ_BODY_EXTENSION in request.extensions:
            # The same request sent again, streamed this time.
            request.extensions = {
                k: v for k, v in request.extensions.items() if k != READ_BODY_EXTENSION
            }
        # Every transport of the client is wrapped by the observing layer, which already
        # made the response a tether Response.
        try:
            response = super().send(request, stream=stream, **kwargs)
        except httpx2.TransportError as error:
            _name_other_request(error, request)
            raise
        if response.status_code >= 400 and self._raises_for(request):
            if stream:
                # An error body is small and the error quotes it; reading also releases
                # the connection, since the caller never gets this response to close.
                response.read()
            raise error_for_response(response)
        return response  # type: ignore[return-value]

    @_spelled_out(_RequestOptions)
    def request(
        self, method: str, url: httpx2.URL | str, **options: Unpack[_RequestOptions]
    ) -> Response:
        """Build and send a request, as :meth:`httpx2.Client.request`, plus per-call options.

        * ``raise_for_status``: override the client's setting for this call.
        * ``retry``: a :class:`tether.Retry` for this call, or ``False`` to send once.
        * ``deadline``: seconds for the whole call, retries and waits included.
        """
        if options:
            return super().request(method, url, **self._httpx2_options(options))  # type: ignore[return-value]
        return super().request(method, url)  # type: ignore[return-value]

    @_spelled_out(_RequestOptions)
    @contextmanager
    def stream(
        self, method: str, url: httpx2.URL | str, **options: Unpack[_RequestOptions]
    ) -> Iterator[Response]:
        """Stream the response body, as :meth:`httpx2.Client.stream`, plus per-call options.

        With ``raise_for_status`` in force an error status raises before the block runs.
        """
        with super().stream(method, url, **self._httpx2_options(options, "stream")) as response:
            yield cast(Response, response)

    @_spelled_out(_NoBodyOptions)
    def get(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send a ``GET`` request; arguments as in :meth:`request`."""
        return self.request("GET", url, **_without_body("get", options))

    @_spelled_out(_NoBodyOptions)
    def options(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send an ``OPTIONS`` request; arguments as in :meth:`request`."""
        return self.request("OPTIONS", url, **_without_body("options", options))

    @_spelled_out(_NoBodyOptions)
    def head(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send a ``HEAD`` request; arguments as in :meth:`request`."""
        return self.request("HEAD", url, **_without_body("head", options))

    @_spelled_out(_NoBodyOptions)
    def delete(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send a ``DELETE`` request; arguments as in :meth:`request`."""
        return self.request("DELETE", url, **_without_body("delete", options))

    @_spelled_out(_BodyOptions)
    def post(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``POST`` request; arguments as in :meth:`request`."""
        return self.request("POST", url, **_with_body("post", options))

    @_spelled_out(_BodyOptions)
    def put(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``PUT`` request; arguments as in :meth:`request`."""
        return self.request("PUT", url, **_with_body("put", options))

    @_spelled_out(_BodyOptions)
    def patch(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``PATCH`` request; arguments as in :meth:`request`."""
        return self.request("PATCH", url, **_with_body("patch", options))

    @_spelled_out(_BodyOptions)
    def query(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``QUERY`` request; arguments as in :meth:`request`."""
        return self.request("QUERY", url, **_with_body("query", options))

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
    ``retry_budget`` and ``rate_limit``, with the same meaning and defaults.

    Example::

        async with tether.AsyncClient(base_url="http://127.0.0.1:8000") as client:
            post = (await client.get("/posts/1")).json()
            (await client.get("/posts/999", raise_for_status=False)).status_code  # 404
    """

    @_spelled_out(_ClientOptions, _CLIENT_DEFAULTS)
    def __init__(
        self,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        mounts: Mapping[str, httpx2.AsyncBaseTransport | None] | None = None,
        **options: Unpack[_ClientOptions],
    ) -> None:
        super().__init__(transport=transport, mounts=mounts, **self._configure(options))
        self._transport, self._mounts = self._compose(self._transport, self._mounts)

    @_spelled_out(_SendOptions)
    async def send(
        self, request: httpx2.Request, *, stream: bool = False, **options: Unpack[_SendOptions]
    ) -> Response:
        """Send ``request``; per-call options as in :meth:`request`, winning over those
        already attached to ``request``."""
        kwargs = self._send_options(request, options)
        if not stream:
            _reads_body(request)
        elif READ_BODY_EXTENSION in request.extensions:
            # The same request sent again, streamed this time.
            request.extensions = {
                k: v for k, v in request.extensions.items() if k != READ_BODY_EXTENSION
            }
        # Every transport of the client is wrapped by the observing layer, which already
        # made the response a tether Response.
        try:
            response = await super().send(request, stream=stream, **kwargs)
        except httpx2.TransportError as error:
            _name_other_request(error, request)
            raise
        if response.status_code >= 400 and self._raises_for(request):
            if stream:
                # An error body is small and the error quotes it; reading also releases
                # the connection, since the caller never gets this response to close.
                await response.aread()
            raise error_for_response(response)
        return response  # type: ignore[return-value]

    @_spelled_out(_RequestOptions)
    async def request(
        self, method: str, url: httpx2.URL | str, **options: Unpack[_RequestOptions]
    ) -> Response:
        """Build and send a request, as :meth:`httpx2.AsyncClient.request`, plus per-call options.

        * ``raise_for_status``: override the client's setting for this call.
        * ``retry``: a :class:`tether.Retry` for this call, or ``False`` to send once.
        * ``deadline``: seconds for the whole call, retries and waits included.
        """
        if options:
            return await super().request(method, url, **self._httpx2_options(options))  # type: ignore[return-value]
        return await super().request(method, url)  # type: ignore[return-value]

    @_spelled_out(_RequestOptions)
    @asynccontextmanager
    async def stream(
        self, method: str, url: httpx2.URL | str, **options: Unpack[_RequestOptions]
    ) -> AsyncIterator[Response]:
        """Stream the response body, as :meth:`httpx2.AsyncClient.stream`, plus per-call options.

        With ``raise_for_status`` in force an error status raises before the block runs.
        """
        kwargs = self._httpx2_options(options, "stream")
        async with super().stream(method, url, **kwargs) as response:
            yield cast(Response, response)

    @_spelled_out(_NoBodyOptions)
    async def get(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send a ``GET`` request; arguments as in :meth:`request`."""
        return await self.request("GET", url, **_without_body("get", options))

    @_spelled_out(_NoBodyOptions)
    async def options(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send an ``OPTIONS`` request; arguments as in :meth:`request`."""
        return await self.request("OPTIONS", url, **_without_body("options", options))

    @_spelled_out(_NoBodyOptions)
    async def head(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send a ``HEAD`` request; arguments as in :meth:`request`."""
        return await self.request("HEAD", url, **_without_body("head", options))

    @_spelled_out(_NoBodyOptions)
    async def delete(self, url: httpx2.URL | str, **options: Unpack[_NoBodyOptions]) -> Response:
        """Send a ``DELETE`` request; arguments as in :meth:`request`."""
        return await self.request("DELETE", url, **_without_body("delete", options))

    @_spelled_out(_BodyOptions)
    async def post(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``POST`` request; arguments as in :meth:`request`."""
        return await self.request("POST", url, **_with_body("post", options))

    @_spelled_out(_BodyOptions)
    async def put(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``PUT`` request; arguments as in :meth:`request`."""
        return await self.request("PUT", url, **_with_body("put", options))

    @_spelled_out(_BodyOptions)
    async def patch(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``PATCH`` request; arguments as in :meth:`request`."""
        return await self.request("PATCH", url, **_with_body("patch", options))

    @_spelled_out(_BodyOptions)
    async def query(self, url: httpx2.URL | str, **options: Unpack[_BodyOptions]) -> Response:
        """Send a ``QUERY`` request; arguments as in :meth:`request`."""
        return await self.request("QUERY", url, **_with_body("query", options))

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
