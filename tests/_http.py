"""A small threaded HTTP server on 127.0.0.1 for tests that need answers the sandbox does
not give (a cookie, a redirect, a connection closed after its answer, TLS)."""

from __future__ import annotations

import contextlib
import http.server
import ssl
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def serve(
    handler: type[http.server.BaseHTTPRequestHandler],
    *,
    context: ssl.SSLContext | None = None,
    host: str = "127.0.0.1",
) -> Iterator[str]:
    """Serve ``handler`` on an ephemeral port for the block; yields the base URL (https
    when ``context`` is given, named by ``host``)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if context is not None else "http"
    try:
        yield f"{scheme}://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
