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

The transport stack is built in one place, :func:`compose_transport`.
"""

from __future__ import annotations

import dataclasses
import ssl
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, Literal, Self, cast, overload

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

from tether._config import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    UNSET,
    Settings,
    Unset,
    attach_call_options,
    check_timeout,
    timeout_within_deadline,
)
from tether._errors import ConfigurationError, error_for_response
from tether._hooks import Hook
from tether._logging import AsyncObservingTransport, ObservingTransport
from tether._options import EXTENSION_KEY, CallOptions
from tether._pagination import AsyncPaginator, Checkpoint, Paginator, Strategy
from tether._pagination._async import DEFAULT_CONCURRENCY
from tether._ratelimit import (
    AsyncRateLimitTransport,
    RateLimiter,
    RateLimitLike,
    RateLimitTransport,
    as_limiter,
)
from tether._redact import is_sensitive_header, redact_url
from tether._response import Response
from tether._retry import Retry
from tether._retry_budget import RetryBudget
from tether._retry_transport import AsyncRetryTransport, RetryTransport

if TYPE_CHECKING:
    from httpx2._client import BaseClient
else:
    BaseClient = object

__all__ = ["AsyncClient", "Client", "compose_transport"]

EventHook = Callable[..., Any]


@overload
def compose_transport(
    base: httpx2.BaseTransport,
    settings: Settings,
    *,
    asynchronous: Literal[False],
    retry: Retry | bool = ...,
    retry_budget: RetryBudget | Literal[False] = ...,
    rate_limiter: RateLimiter | None = ...,
) -> httpx2.BaseTransport: ...
@overload
def compose_transport(
    base: httpx2.AsyncBaseTransport,
    settings: Settings,
    *,
    asynchronous: Literal[True],
    retry: Retry | bool = ...,
    retry_budget: RetryBudget | Literal[False] = ...,
    rate_limiter: RateLimiter | None = ...,
) -> httpx2.AsyncBaseTransport: ...
def compose_transport(
    base: httpx2.BaseTransport | httpx2.AsyncBaseTransport,
    settings: Settings,
    *,
    asynchronous: bool,
    retry: Retry | bool = True,
    retry_budget: RetryBudget | Literal[False] = False,
    rate_limiter: RateLimiter | None = None,
) -> httpx2.BaseTransport | httpx2.AsyncBaseTransport:
    """Wrap ``base`` in tether's transport layers; the only place the stack is assembled.

    Innermost first: the client-side rate limiter, then retry, so that every attempt a
    retry makes passes the limiter; the observing layer goes outermost and logs each call
    once with its attempt count. A retry layer reports every attempt to the hooks itself,
    so when one is present the observer must not emit ``RequestFinished`` as well.

    ``asynchronous`` is explicit because one transport object may serve both kinds of
    client (``httpx2.MockTransport`` does).
    """
    # The retry layer is there even with retry=False: a call may still ask for retries
    # (retry=tether.Retry(...)) or a deadline, and it reports each attempt to the hooks.
    if asynchronous:
        inner = cast(httpx2.AsyncBaseTransport, base)
        if rate_limiter is not None:
            inner = AsyncRateLimitTransport(inner, rate_limit=rate_limiter, hooks=settings.hooks)
        inner = AsyncRetryTransport(inner, retry=retry, budget=retry_budget, hooks=settings.hooks)
        return AsyncObservingTransport(inner, settings.hooks, emit_finished=False)
    stack = cast(httpx2.BaseTransport, base)
    if rate_limiter is not None:
        stack = RateLimitTransport(stack, rate_limit=rate_limiter, hooks=settings.hooks)
    stack = RetryTransport(stack, retry=retry, budget=retry_budget, hooks=settings.hooks)
    return ObservingTransport(stack, settings.hooks, emit_finished=False)


def _is_https_upgrade(url: httpx2.URL, location: httpx2.URL) -> bool:
    """``http://host`` to ``https://host`` on default ports: the one cross-origin
    redirect that keeps credentials, as httpx2 itself does for Authorization."""
    return (
        url.host == location.host
        and url.scheme == "http"
        and location.scheme == "https"
        and url.port in (None, 80)
        and location.port in (None, 443)
    )


class _Borrowed(httpx2.BaseTransport):
    """A parent client's transport lent to a ``with_options`` copy: closing it is a no-op."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self.inner.handle_request(request)

    def __enter__(self) -> _Borrowed:
        return self

    def close(self) -> None:
        """The pool belongs to the parent client, which closes it."""


class _AsyncBorrowed(httpx2.AsyncBaseTransport):
    """The async twin of :class:`_Borrowed`."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self.inner.handle_async_request(request)

    async def __aenter__(self) -> _AsyncBorrowed:
        return self

    async def aclose(self) -> None:
        """The pool belongs to the parent client, which closes it."""


class _Shared(BaseClient):
    """Everything the sync and async clients do alike; neither sends nor waits here."""

    _tether: Settings

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

    def _init_rate_limit(self, rate_limit: RateLimitLike | Literal[False]) -> None:
        if rate_limit is False:
            self._rate_limiter: RateLimiter | None = None
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
        if retry is True:
            retry = Retry()
        elif retry is not False and not isinstance(retry, Retry):
            raise ConfigurationError(
                f"retry={retry!r}: pass a tether.Retry(...), True for the default policy, "
                "or False to send every request once"
            )
        if retry_budget is None:
            retry_budget = RetryBudget()
        elif retry_budget is not False and not isinstance(retry_budget, RetryBudget):
            raise ConfigurationError(
                f"retry_budget={retry_budget!r}: pass a tether.RetryBudget(...), or False "
                "for no client-wide limit on retries"
            )
        self._retry: Retry | Literal[False] = retry
        self._retry_budget: RetryBudget | Literal[False] = retry_budget

    @property
    def timeout(self) -> httpx2.Timeout:
        """The default timeout; assigning ``None`` is refused unless ``allow_no_timeout``."""
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: TimeoutTypes) -> None:
        self._timeout = check_timeout(timeout, allow_no_timeout=self._tether.allow_no_timeout)

    def _per_call(
        self,
        timeout: TimeoutTypes | UseClientDefault,
        extensions: RequestExtensions | None,
        raise_for_status: bool | None,
        retry: Retry | bool | None,
        deadline: float | None,
    ) -> tuple[TimeoutTypes | UseClientDefault, RequestExtensions | None]:
        if not isinstance(timeout, UseClientDefault):
            timeout = check_timeout(timeout, allow_no_timeout=self._tether.allow_no_timeout)
        extensions = attach_call_options(
            extensions, raise_for_status=raise_for_status, retry=retry, deadline=deadline
        )
        if deadline is not None:
            base = self._timeout if isinstance(timeout, UseClientDefault) else timeout
            timeout = timeout_within_deadline(httpx2.Timeout(base), deadline)
        return timeout, extensions

    def _attach_to_request(
        self,
        request: httpx2.Request,
        raise_for_status: bool | None,
        retry: Retry | bool | None,
        deadline: float | None,
    ) -> None:
        if raise_for_status is None and retry is None and deadline is None:
            return
        current = request.extensions.get(EXTENSION_KEY)
        if isinstance(current, CallOptions):
            # send() arguments win over what build_request()/request() already attached.
            raise_for_status = (
                current.raise_for_status if raise_for_status is None else (raise_for_status)
            )
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
        options = request.extensions.get(EXTENSION_KEY)
        if isinstance(options, CallOptions) and options.raise_for_status is not None:
            return options.raise_for_status
        return self._tether.raise_for_status

    def _copy_kwargs(
        self,
        *,
        base_url: httpx2.URL | str | Unset,
        headers: HeaderTypes | Unset,
        params: QueryParamTypes | Unset,
        auth: AuthTypes | Unset | None,
        timeout: TimeoutTypes | Unset,
        follow_redirects: bool | Unset,
        max_redirects: int | Unset,
        event_hooks: Mapping[str, list[EventHook]] | Unset,
        raise_for_status: bool | Unset,
        hooks: Iterable[Hook] | Unset,
        allow_no_timeout: bool | Unset,
    ) -> dict[str, Any]:
        merged_headers = httpx2.Headers(self.headers)
        if not isinstance(headers, Unset):
            merged_headers.update(headers)
        merged_params = self.params if isinstance(params, Unset) else self.params.merge(params)
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("raise_for_status", raise_for_status),
                ("hooks", hooks if isinstance(hooks, Unset) else tuple(hooks)),
                ("allow_no_timeout", allow_no_timeout),
            )
            if not isinstance(value, Unset)
        }
        settings = dataclasses.replace(self._tether, **changes)
        return {
            "base_url": self.base_url if isinstance(base_url, Unset) else base_url,
            "headers": merged_headers,
            "params": merged_params,
            "cookies": self.cookies,
            "auth": self.auth if isinstance(auth, Unset) else auth,
            "timeout": self._timeout if isinstance(timeout, Unset) else timeout,
            "follow_redirects": (
                self.follow_redirects if isinstance(follow_redirects, Unset) else follow_redirects
            ),
            "max_redirects": (
                self.max_redirects if isinstance(max_redirects, Unset) else max_redirects
            ),
            "event_hooks": self.event_hooks if isinstance(event_hooks, Unset) else event_hooks,
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
        }

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

    Example::

        with tether.Client(base_url="http://127.0.0.1:8000") as client:
            post = client.get("/posts/1").json()
            client.get("/posts/999", raise_for_status=False).status_code  # 404
    """

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
        hooks: Iterable[Hook] = (),
        allow_no_timeout: bool = False,
        retry: Retry | bool = True,
        retry_budget: RetryBudget | Literal[False] | None = None,
        rate_limit: RateLimitLike | Literal[False] = None,
    ) -> None:
        self._init_retry(retry, retry_budget)
        self._init_rate_limit(rate_limit)
        settings = Settings(
            raise_for_status=raise_for_status,
            hooks=tuple(hooks),
            allow_no_timeout=allow_no_timeout,
        )
        super().__init__(
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
            timeout=check_timeout(timeout, allow_no_timeout=allow_no_timeout),
            follow_redirects=follow_redirects,
            limits=limits,
            max_redirects=max_redirects,
            event_hooks=event_hooks,
            base_url=base_url,
            transport=transport,
            default_encoding=default_encoding,
        )
        # httpx2 picks self._transport or a mounted transport per URL; wrapping both puts
        # every route through the same stack. The bare ones are kept for with_options().
        self._tether = settings
        self._base_transport = self._transport
        self._base_mounts = dict(self._mounts)
        policy, budget = self._retry, self._retry_budget
        self._transport = compose_transport(
            self._transport,
            settings,
            asynchronous=False,
            retry=policy,
            retry_budget=budget,
            rate_limiter=self._rate_limiter,
        )
        self._mounts = {
            pattern: None
            if mounted is None
            else compose_transport(
                mounted,
                settings,
                asynchronous=False,
                retry=policy,
                retry_budget=budget,
                rate_limiter=self._rate_limiter,
            )
            for pattern, mounted in self._mounts.items()
        }

    def with_options(
        self,
        *,
        base_url: httpx2.URL | str | Unset = UNSET,
        headers: HeaderTypes | Unset = UNSET,
        params: QueryParamTypes | Unset = UNSET,
        auth: AuthTypes | Unset | None = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
        follow_redirects: bool | Unset = UNSET,
        max_redirects: int | Unset = UNSET,
        event_hooks: Mapping[str, list[EventHook]] | Unset = UNSET,
        raise_for_status: bool | Unset = UNSET,
        hooks: Iterable[Hook] | Unset = UNSET,
        allow_no_timeout: bool | Unset = UNSET,
    ) -> Self:
        """A copy of this client with some settings changed; the rest is kept.

        ``headers`` and ``params`` are merged into the current ones; ``auth=None`` and
        ``timeout=None`` mean "none", leaving an argument out means "as now". The copy
        shares this client's connection pool (closing it leaves the pool open), so it must
        not outlive this client.

        Example::

            admin = client.with_options(auth=tether.BearerAuth(token), timeout=30)
            lenient = client.with_options(raise_for_status=False)
        """
        kwargs = self._copy_kwargs(
            base_url=base_url,
            headers=headers,
            params=params,
            auth=auth,
            timeout=timeout,
            follow_redirects=follow_redirects,
            max_redirects=max_redirects,
            event_hooks=event_hooks,
            raise_for_status=raise_for_status,
            hooks=hooks,
            allow_no_timeout=allow_no_timeout,
        )
        mounts = {
            pattern.pattern: None if mounted is None else _Borrowed(mounted)
            for pattern, mounted in self._base_mounts.items()
        }
        return type(self)(transport=_Borrowed(self._base_transport), mounts=mounts, **kwargs)

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
        """Send ``request``; per-call options as in :meth:`request`."""
        if raise_for_status is not None or retry is not None or deadline is not None:
            self._attach_to_request(request, raise_for_status, retry, deadline)
        # Every transport of the client is wrapped by the observing layer, which already
        # made the response a tether Response.
        response = cast(
            Response,
            super().send(request, stream=stream, auth=auth, follow_redirects=follow_redirects),
        )
        if response.status_code >= 400 and self._raises_for(request):
            if stream:
                # An error body is small and the error quotes it; reading also releases
                # the connection, since the caller never gets this response to close.
                response.read()
            raise error_for_response(response)
        return response

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
        if not (
            raise_for_status is None
            and retry is None
            and deadline is None
            and timeout is USE_CLIENT_DEFAULT
        ):
            timeout, extensions = self._per_call(
                timeout, extensions, raise_for_status, retry, deadline
            )
        return cast(
            Response,
            super().request(
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
                timeout=timeout,
                extensions=extensions,
            ),
        )

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
        if not (
            raise_for_status is None
            and retry is None
            and deadline is None
            and timeout is USE_CLIENT_DEFAULT
        ):
            timeout, extensions = self._per_call(
                timeout, extensions, raise_for_status, retry, deadline
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
            timeout=timeout,
            extensions=extensions,
        ) as response:
            yield cast(Response, response)

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
        return self.request(
            "GET",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        """Send an ``OPTIONS`` request; arguments as in :meth:`request`."""
        return self.request(
            "OPTIONS",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        return self.request(
            "HEAD",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        return self.request(
            "DELETE",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        return self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        return self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        return self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        return self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

    def paginate(
        self,
        url: httpx2.URL | str | None = None,
        *,
        params: QueryParamTypes | None = None,
        method: str = "GET",
        strategy: Strategy | None = None,
        items: str | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        checkpoint: Checkpoint | None = None,
        **request_options: Any,
    ) -> Paginator:
        """Iterate the items of a paginated endpoint, page after page.

        The style (``Link`` header, next URL or cursor in the body, page numbers, offsets)
        is detected from the first response unless ``strategy`` is given; ``items`` is the
        dotted path of the list in the body when it is not found by itself. Other keyword
        arguments (``headers``, ``timeout``, ``retry`` ...) apply to every page request.
        ``checkpoint`` resumes a pull where :attr:`Paginator.checkpoint` left it.

        Example::

            for photo in client.paginate("/photos", params={"_page": 1, "_limit": 100}):
                print(photo["id"])
        """
        return Paginator(
            self,
            url,
            method=method,
            params=params,
            strategy=strategy,
            items=items,
            max_items=max_items,
            max_pages=max_pages,
            checkpoint=checkpoint,
            **request_options,
        )


class AsyncClient(_Shared, httpx2.AsyncClient):
    """An :class:`httpx2.AsyncClient` with safe defaults, typed errors and tether's hooks.

    Takes every argument of :class:`httpx2.AsyncClient`, plus:

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

    Example::

        async with tether.AsyncClient(base_url="http://127.0.0.1:8000") as client:
            post = (await client.get("/posts/1")).json()
            (await client.get("/posts/999", raise_for_status=False)).status_code  # 404
    """

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
        mounts: Mapping[str, httpx2.AsyncBaseTransport | None] | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        follow_redirects: bool = False,
        limits: httpx2.Limits = DEFAULT_LIMITS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        event_hooks: Mapping[str, list[EventHook]] | None = None,
        base_url: httpx2.URL | str = "",
        transport: httpx2.AsyncBaseTransport | None = None,
        default_encoding: str | Callable[[bytes], str | None] = "utf-8",
        raise_for_status: bool = True,
        hooks: Iterable[Hook] = (),
        allow_no_timeout: bool = False,
        retry: Retry | bool = True,
        retry_budget: RetryBudget | Literal[False] | None = None,
        rate_limit: RateLimitLike | Literal[False] = None,
    ) -> None:
        self._init_retry(retry, retry_budget)
        self._init_rate_limit(rate_limit)
        settings = Settings(
            raise_for_status=raise_for_status,
            hooks=tuple(hooks),
            allow_no_timeout=allow_no_timeout,
        )
        super().__init__(
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
            timeout=check_timeout(timeout, allow_no_timeout=allow_no_timeout),
            follow_redirects=follow_redirects,
            limits=limits,
            max_redirects=max_redirects,
            event_hooks=event_hooks,
            base_url=base_url,
            transport=transport,
            default_encoding=default_encoding,
        )
        # httpx2 picks self._transport or a mounted transport per URL; wrapping both puts
        # every route through the same stack. The bare ones are kept for with_options().
        self._tether = settings
        self._base_transport = self._transport
        self._base_mounts = dict(self._mounts)
        policy, budget = self._retry, self._retry_budget
        self._transport = compose_transport(
            self._transport,
            settings,
            asynchronous=True,
            retry=policy,
            retry_budget=budget,
            rate_limiter=self._rate_limiter,
        )
        self._mounts = {
            pattern: None
            if mounted is None
            else compose_transport(
                mounted,
                settings,
                asynchronous=True,
                retry=policy,
                retry_budget=budget,
                rate_limiter=self._rate_limiter,
            )
            for pattern, mounted in self._mounts.items()
        }

    def with_options(
        self,
        *,
        base_url: httpx2.URL | str | Unset = UNSET,
        headers: HeaderTypes | Unset = UNSET,
        params: QueryParamTypes | Unset = UNSET,
        auth: AuthTypes | Unset | None = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
        follow_redirects: bool | Unset = UNSET,
        max_redirects: int | Unset = UNSET,
        event_hooks: Mapping[str, list[EventHook]] | Unset = UNSET,
        raise_for_status: bool | Unset = UNSET,
        hooks: Iterable[Hook] | Unset = UNSET,
        allow_no_timeout: bool | Unset = UNSET,
    ) -> Self:
        """A copy of this client with some settings changed; the rest is kept.

        ``headers`` and ``params`` are merged into the current ones; ``auth=None`` and
        ``timeout=None`` mean "none", leaving an argument out means "as now". The copy
        shares this client's connection pool (closing it leaves the pool open), so it must
        not outlive this client.

        Example::

            admin = client.with_options(auth=tether.BearerAuth(token), timeout=30)
            lenient = client.with_options(raise_for_status=False)
        """
        kwargs = self._copy_kwargs(
            base_url=base_url,
            headers=headers,
            params=params,
            auth=auth,
            timeout=timeout,
            follow_redirects=follow_redirects,
            max_redirects=max_redirects,
            event_hooks=event_hooks,
            raise_for_status=raise_for_status,
            hooks=hooks,
            allow_no_timeout=allow_no_timeout,
        )
        mounts = {
            pattern.pattern: None if mounted is None else _AsyncBorrowed(mounted)
            for pattern, mounted in self._base_mounts.items()
        }
        return type(self)(transport=_AsyncBorrowed(self._base_transport), mounts=mounts, **kwargs)

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
        """Send ``request``; per-call options as in :meth:`request`."""
        if raise_for_status is not None or retry is not None or deadline is not None:
            self._attach_to_request(request, raise_for_status, retry, deadline)
        # Every transport of the client is wrapped by the observing layer, which already
        # made the response a tether Response.
        response = cast(
            Response,
            await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            ),
        )
        if response.status_code >= 400 and self._raises_for(request):
            if stream:
                # An error body is small and the error quotes it; reading also releases
                # the connection, since the caller never gets this response to close.
                await response.aread()
            raise error_for_response(response)
        return response

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
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
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
        if not (
            raise_for_status is None
            and retry is None
            and deadline is None
            and timeout is USE_CLIENT_DEFAULT
        ):
            timeout, extensions = self._per_call(
                timeout, extensions, raise_for_status, retry, deadline
            )
        return cast(
            Response,
            await super().request(
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
                timeout=timeout,
                extensions=extensions,
            ),
        )

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
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> AsyncIterator[Response]:
        """Stream the response body, as :meth:`httpx2.AsyncClient.stream`, plus per-call options.

        With ``raise_for_status`` in force an error status raises before the block runs.
        """
        if not (
            raise_for_status is None
            and retry is None
            and deadline is None
            and timeout is USE_CLIENT_DEFAULT
        ):
            timeout, extensions = self._per_call(
                timeout, extensions, raise_for_status, retry, deadline
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
            timeout=timeout,
            extensions=extensions,
        ) as response:
            yield cast(Response, response)

    async def get(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``GET`` request; arguments as in :meth:`request`."""
        return await self.request(
            "GET",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

    async def options(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send an ``OPTIONS`` request; arguments as in :meth:`request`."""
        return await self.request(
            "OPTIONS",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

    async def head(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``HEAD`` request; arguments as in :meth:`request`."""
        return await self.request(
            "HEAD",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

    async def delete(
        self,
        url: httpx2.URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``DELETE`` request; arguments as in :meth:`request`."""
        return await self.request(
            "DELETE",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``POST`` request; arguments as in :meth:`request`."""
        return await self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``PUT`` request; arguments as in :meth:`request`."""
        return await self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``PATCH`` request; arguments as in :meth:`request`."""
        return await self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

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
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,  # noqa: ASYNC109
        extensions: RequestExtensions | None = None,
        raise_for_status: bool | None = None,
        retry: Retry | bool | None = None,
        deadline: float | None = None,
    ) -> Response:
        """Send a ``QUERY`` request; arguments as in :meth:`request`."""
        return await self.request(
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
            timeout=timeout,
            extensions=extensions,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )

    def paginate(
        self,
        url: httpx2.URL | str | None = None,
        *,
        params: QueryParamTypes | None = None,
        method: str = "GET",
        strategy: Strategy | None = None,
        items: str | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        checkpoint: Checkpoint | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        **request_options: Any,
    ) -> AsyncPaginator:
        """Iterate the items of a paginated endpoint asynchronously (``async for``).

        As :meth:`Client.paginate`, plus ``concurrency``: when the first page tells how
        many pages there are, up to that many are fetched at once, still handed out in
        order (``1`` fetches one page at a time).

        Example::

            async for photo in client.paginate("/photos", params={"page": 1, "per_page": 50}):
                print(photo["id"])
        """
        return AsyncPaginator(
            self,
            url,
            method=method,
            params=params,
            strategy=strategy,
            items=items,
            max_items=max_items,
            max_pages=max_pages,
            checkpoint=checkpoint,
            concurrency=concurrency,
            **request_options,
        )
