"""Who may use the admin routes (``/_sandbox/...``) and the dashboard's data.

Without an admin token they answer loopback clients only: a sandbox on the default
``127.0.0.1`` is reachable from this machine alone anyway, and one bound to every interface
(``--host 0.0.0.0``, a container) does not hand its controls to the whole network. With
an admin token every admin request must carry it as ``Authorization: Bearer <token>``,
whatever its origin. Without a token, a browser request is also refused when its
``Origin`` is a page from anywhere but this machine: the loopback address is then the only
credential, and a web page the user happens to have open rides on it (a local front-end
dev server on ``localhost`` keeps working). Two paths stay open: the dashboard's static
files (they hold no data; the page asks for the token) and ``/_sandbox/health`` (liveness
probes come from outside).
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from tether.sandbox._asgi import ADMIN_PREFIX, is_admin_path, send_json

__all__ = ["AdminGuard", "admin_refusal", "is_loopback"]

UI_PATH = ADMIN_PREFIX + "/ui"
_OPEN = frozenset({ADMIN_PREFIX + "/health"})
_CHALLENGE = (b"www-authenticate", b'Bearer realm="tether-sandbox-admin"')


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` is a loopback address (``127.0.0.0/8``, ``::1``, mapped ones too)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _foreign_origin(origin: str) -> bool:
    """Whether a request's ``Origin`` header names a page served from another machine
    (``null``, from sandboxed frames and files, counts as foreign)."""
    if not origin:
        return False
    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return True
    return not is_loopback(host)


def admin_refusal(
    token: str | None, client_host: str | None, authorization: str, origin: str = ""
) -> tuple[int, str] | None:
    """``None`` when an admin request may proceed, else the status and message refusing it.

    >>> admin_refusal(None, "127.0.0.1", "") is None
    True
    >>> admin_refusal("s3cret", "10.0.0.7", "Bearer s3cret") is None
    True
    """
    if token is None:
        if is_loopback(client_host) and not _foreign_origin(origin):
            return None
        if is_loopback(client_host):
            return 403, (
                f"the sandbox's admin routes refuse requests from web pages of other sites "
                f"(Origin: {origin}), so a page you visit cannot change your sandbox; start "
                "the sandbox with --admin-token (or TETHER_SANDBOX_ADMIN_TOKEN) and send "
                "Authorization: Bearer <token> to allow it"
            )
        return 403, (
            "the sandbox's admin routes answer this machine only (loopback clients); to "
            "use them from elsewhere, start the sandbox with --admin-token (or "
            "TETHER_SANDBOX_ADMIN_TOKEN) and send Authorization: Bearer <token>"
        )
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                          token.encode()):
        return None
    if not authorization:
        return 401, ("the sandbox's admin routes need its admin token: send "
                     "Authorization: Bearer <token>")
    return 401, "the admin token is not valid"


class AdminGuard:
    """ASGI layer refusing admin requests that :func:`admin_refusal` refuses."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not is_admin_path(path)
            or path in _OPEN
            or path == UI_PATH
            or path.startswith(UI_PATH + "/")
            # CORS preflights carry no credentials; the request that follows does.
            or scope["method"] == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        authorization = origin = ""
        for name, value in scope.get("headers", []):
            lowered = name.lower()
            if lowered == b"authorization":
                authorization = value.decode("latin-1")
            elif lowered == b"origin":
                origin = value.decode("latin-1")
        client = scope.get("client")
        host = client[0] if client else None
        refusal = admin_refusal(self.token, host, authorization, origin)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, message = refusal
        reason = "Unauthorized" if status == 401 else "Forbidden"
        extra = [_CHALLENGE] if status == 401 else []
        await send_json(send, status, {"error": reason, "message": message}, extra)
