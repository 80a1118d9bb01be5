"""The ASGI layer that applies fault rules to the requests passing through it.

It sits between the rate limiter and the router. Admin routes (``/_sandbox/...``) pass
untouched. For every other request the :class:`FaultInjector` decides, then this layer
acts it out: sleep, answer instead of the handler, or run the handler with its response
captured so that it can be dropped, cut short or dripped out slowly.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from http import HTTPStatus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tether.sandbox._asgi import passes_through, send_body, send_json
from tether.sandbox._connections import drop_connection
from tether.sandbox._faults import (
    DripFault,
    Fault,
    FaultInjector,
    MalformedFault,
    ResetFault,
    StatusFault,
    TruncateFault,
)
from tether.sandbox._http import NO_BODY_STATUSES

__all__ = ["FaultMiddleware"]


@dataclass(slots=True)
class _Captured:
    start: Message | None = None
    body: bytearray = field(default_factory=bytearray)


async def _run_captured(app: ASGIApp, scope: Scope, receive: Receive) -> _Captured:
    """Run the handler to completion and keep its response instead of sending it."""
    captured = _Captured()

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured.start = message
        elif message["type"] == "http.response.body":
            captured.body += message.get("body", b"")

    await app(scope, receive, keep)
    return captured


def _headers_with_length(start: Message, length: int) -> list[tuple[bytes, bytes]]:
    # The body is re-sent in pieces by this layer, so any framing the handler chose is
    # replaced by an exact Content-Length: that is what makes a cut-off body detectable.
    kept = [
        (name, value)
        for name, value in start.get("headers", [])
        if name.lower() not in (b"content-length", b"transfer-encoding")
    ]
    kept.append((b"content-length", str(length).encode()))
    return kept


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class FaultMiddleware:
    """Applies the rules of ``injector`` to every non-admin HTTP request."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if passes_through(scope):
            await self.app(scope, receive, send)
            return
        decision = self.injector.decide(scope["method"], scope["path"])
        if decision.delay > 0:
            await asyncio.sleep(decision.delay)
        if decision.fault is None:
            await self.app(scope, receive, send)
        else:
            await self._apply(decision.fault, scope, receive, send)

    async def _apply(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        runs_handler = isinstance(fault, TruncateFault | DripFault) or getattr(
            fault, "after", False
        )
        captured = await _run_captured(self.app, scope, receive) if runs_handler else None

        if isinstance(fault, ResetFault):
            await drop_connection(scope, reset=True)
        elif isinstance(fault, StatusFault):
            extra = []
            if fault.retry_after is not None:
                extra.append((b"retry-after", fault.retry_after.encode()))
            payload = {
                "error": _reason(fault.status),
                "message": f"injected fault: status {fault.status}",
                "fault": "status",
                "processed": fault.after,
            }
            if fault.status in NO_BODY_STATUSES:
                # A body (or Content-Length) on these breaks HTTP framing for the client.
                await send({"type": "http.response.start", "status": fault.status,
                            "headers": extra})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await send_json(send, fault.status, payload, extra)
        elif isinstance(fault, MalformedFault):
            await send_body(send, 200, fault.body.encode())
        elif captured is None or captured.start is None:
            # The handler ended without answering; let the server report that as usual.
            return
        elif isinstance(fault, TruncateFault):
            await self._truncate(fault, captured.start, bytes(captured.body), scope, send)
        elif isinstance(fault, DripFault):
            await self._drip(fault, captured.start, bytes(captured.body), send)

    async def _truncate(
        self, fault: TruncateFault, start: Message, body: bytes, scope: Scope, send: Send
    ) -> None:
        # At least one byte is always withheld, or the "truncated" body would be complete.
        cut = max(0, min(len(body) - 1, int(len(body) * fault.fraction)))
        await send({**start, "headers": _headers_with_length(start, len(body))})
        if cut:
            await send({"type": "http.response.body", "body": body[:cut], "more_body": True})
        await drop_connection(scope, reset=False)

    async def _drip(self, fault: DripFault, start: Message, body: bytes, send: Send) -> None:
        pieces = max(1, min(fault.chunks, len(body)))
        size = -(-len(body) // pieces)
        pause = fault.duration / pieces
        await send({**start, "headers": _headers_with_length(start, len(body))})
        for index in range(pieces):
            await asyncio.sleep(pause)
            chunk = body[index * size : (index + 1) * size]
            last = index == pieces - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": not last})
