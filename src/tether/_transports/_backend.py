"""``backend=``: which library moves the bytes under a tether client.

``"httpx2"`` (the default) is httpcore2's connections under tether's own pool
(``_httpcore.py``), or httpx2's own transport where that pool does not go: HTTP/2 and
a ``proxy=`` for every request. Proxies from the environment (``HTTP_PROXY`` ...) are
mounted by httpx2 beside the pool, which serves the hosts they leave out (``NO_PROXY``,
or a scheme with no proxy); see :func:`proxied_by_environment`. ``"aiohttp"`` (async only) and
``"reqwest"`` (sync and async, via pyreqwest) come with ``pip install 'tether[fast]'``.
Everything above the transport (httpx2's client, tether's layers) is the same for all.
"""

from __future__ import annotations

import ssl
import urllib.request
from typing import Final, Literal, TypeAlias

import httpx2

from tether._httpx2 import CertTypes

__all__ = ["BACKENDS", "Backend", "backend_transport", "proxied_by_environment"]

Backend: TypeAlias = Literal["httpx2", "aiohttp", "reqwest"]
BACKENDS: Final = ("httpx2", "aiohttp", "reqwest")

_PACKAGES: Final = {"aiohttp": "aiohttp", "reqwest": "pyreqwest"}


def backend_transport(
    backend: str,
    *,
    asynchronous: bool,
    transport: object,
    verify: ssl.SSLContext | str | bool,
    cert: CertTypes | None,
    trust_env: bool,
    http1: bool,
    http2: bool,
    proxy: object,
    limits: httpx2.Limits,
    timeout: httpx2.Timeout,
) -> httpx2.BaseTransport | httpx2.AsyncBaseTransport | None:
    """The transport for ``backend``, or ``None`` for httpx2's own (httpx2 builds it)."""
    if backend not in BACKENDS:
        raise ValueError(
            f"backend={backend!r} is not one of {', '.join(map(repr, BACKENDS))}"
        )
    if backend == "httpx2":
        if transport is not None or http2 or not http1 or proxy is not None:
            # httpx2 builds its own transport for these (the pool speaks HTTP/1.1 only),
            # or has the user's.
            return None
        from tether._transports._httpcore import AsyncPooledTransport, PooledTransport

        pooled = AsyncPooledTransport if asynchronous else PooledTransport
        return pooled(verify=verify, cert=cert, trust_env=trust_env, limits=limits)
    if transport is not None:
        raise ValueError(
            f"backend={backend!r} and transport= both choose the transport: pass only one"
        )
    if http2 or not http1:
        raise ValueError(
            f"backend={backend!r} speaks HTTP/1.1 only: drop http2=True and http1=False, "
            "or use the default backend for HTTP/2"
        )
    if backend == "aiohttp" and not asynchronous:
        raise ValueError(
            "backend='aiohttp' is async only: use it with tether.AsyncClient, or "
            "backend='reqwest' for a fast sync client"
        )
    if proxy is not None and not isinstance(proxy, str | httpx2.URL):
        raise TypeError(f"backend={backend!r} takes proxy= as a URL string only")
    try:
        if backend == "aiohttp":
            from tether._transports._aiohttp import AiohttpTransport

            return AiohttpTransport(
                verify=verify, cert=cert, trust_env=trust_env, proxy=proxy, limits=limits
            )
        from tether._transports._reqwest import AsyncReqwestTransport, ReqwestTransport

        kind = AsyncReqwestTransport if asynchronous else ReqwestTransport
        return kind(
            verify=verify,
            cert=cert,
            trust_env=trust_env,
            proxy=proxy,
            limits=limits,
            timeout=timeout,
        )
    except ImportError as error:
        package = _PACKAGES[backend]
        raise ImportError(
            f"backend={backend!r} needs the {package} package: pip install 'tether[fast]'"
        ) from error


def proxied_by_environment(trust_env: bool) -> bool:
    """Whether httpx2 mounts proxies from the environment (``HTTP_PROXY`` ...). It does so
    only when it builds the client's transport itself, so the client then lets it, and
    puts the pool in the place of that transport afterwards."""
    if not trust_env:
        return False
    found = urllib.request.getproxies()
    if any(host.strip() == "*" for host in found.get("no", "").split(",")):
        return False
    return any(found.get(scheme) for scheme in ("http", "https", "all"))
