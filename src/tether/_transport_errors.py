"""Transport errors that say where they happened and what to check.

httpx2's own messages (``[Errno 111] Connection refused``) name neither the request nor the
host. tether keeps the error's class and adds, to its message, the method and the URL with
credentials hidden, and for the common first-hour mistakes (nothing listening, a host name
that does not resolve, a path sent without ``base_url``) what to do about them.

Only the error path runs this; a request that succeeds never does.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx2

from tether._redact import redact_url

__all__ = ["explain_transport_error"]

_NOT_RESOLVED = (
    "Name or service not known",
    "nodename nor servname",
    "Temporary failure in name resolution",
    "No address associated with hostname",
    "getaddrinfo failed",
    "[Errno -2]",
    "[Errno -3]",
    "[Errno -5]",
    "[Errno 11001]",
)
_REFUSED = ("Connection refused", "[Errno 111]", "[Errno 61]", "[WinError 10061]")


def explain_transport_error(error: httpx2.TransportError, request: httpx2.Request) -> None:
    """Rewrite ``error``'s message in place: ``<httpx2's message> (GET http://...): hint``."""
    message = str(error)
    try:
        failed = error.request
    except RuntimeError:
        failed = request
    where = f"({failed.method} {redact_url(failed.url)})"
    if where in message:
        return  # already explained, by an inner client (a token request's, say)
    text = f"{message} {where}"
    hint = _hint(error, message, failed)
    if hint:
        text += f"; {hint}"
    error.args = (text, *error.args[1:])


def _hint(error: httpx2.TransportError, message: str, request: httpx2.Request) -> str:
    url = request.url
    if isinstance(error, httpx2.UnsupportedProtocol):
        if url.scheme in ("http", "https") and not url.host:
            return (
                f"the URL {str(url)!r} has no host; write a full URL such as "
                "'https://api.example.com/posts', or give the client base_url= and pass a path"
            )
        if not url.scheme:
            return (
                f"{str(url)!r} is a path, not a full URL; set base_url on the client, such "
                "as tether.Client(base_url='https://api.example.com'), or pass a full URL "
                "starting with http:// or https://"
            )
        return f"tether speaks http:// and https:// only, not {url.scheme}://"
    if isinstance(error, httpx2.ConnectError):
        host = f"{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"
        causes = list(_causes(error))
        if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
            message += " [Errno 111]"
        if any(isinstance(cause, socket.gaierror) for cause in causes):
            message += " [Errno -2]"
        if any(sign in message for sign in _REFUSED):
            return (
                f"nothing is listening on {host}; check the host and port, and that the "
                "server is running"
            )
        if any(sign in message for sign in _NOT_RESOLVED):
            return (
                f"the host name {url.host!r} could not be resolved; check its spelling (and "
                "the base_url), your network and your DNS or proxy settings"
            )
    return ""


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The exceptions ``error`` was raised from or while handling, nearest first."""
    seen: set[int] = set()
    cause = error.__cause__ or error.__context__
    while cause is not None and id(cause) not in seen and len(seen) < 10:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__
