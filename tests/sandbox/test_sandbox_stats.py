"""The stats layer counts every request by method, route template and final status."""

from __future__ import annotations

from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tether.sandbox._stats import NO_RESPONSE, Stats, StatsMiddleware


async def _endpoint(request: object) -> None:
    raise AssertionError("never routed")


ROUTES = [Route("/posts/{id}", _endpoint, methods=["GET"])]


def scope(path: str, method: str = "GET") -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": "",
            "query_string": b"", "headers": []}


async def call(app: StatsMiddleware, path: str, method: str = "GET") -> None:
    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: object) -> None:
        return None

    await app(scope(path, method), receive, send)


async def test_counts_answers_of_inner_layers_and_silent_closes() -> None:
    statuses = iter([429, None, 200])

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        status = next(statuses)
        if status is not None:  # None: the layer closes the connection without answering
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    stats = Stats()
    app = StatsMiddleware(inner, stats, ROUTES)
    for _ in range(3):
        await call(app, "/posts/7")
    assert stats.snapshot()["routes"] == {
        "GET /posts/{id}": {str(NO_RESPONSE): 1, "200": 1, "429": 1}}


async def test_exception_counts_as_500_and_propagates() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    stats = Stats()
    app = StatsMiddleware(broken, stats, ROUTES)
    try:
        await call(app, "/posts/1", "DELETE")
    except RuntimeError:
        pass
    else:
        raise AssertionError("the exception was swallowed")
    assert stats.snapshot()["routes"] == {"DELETE /posts/{id}": {"500": 1}}


async def test_admin_paths_are_not_counted() -> None:
    async def ok(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    stats = Stats()
    app = StatsMiddleware(ok, stats, ROUTES)
    await call(app, "/_sandbox/stats")
    await call(app, "/_sandbox")  # the admin prefix itself, as the other layers see it
    await call(app, "/_sandboxes")  # ... but not a path that merely starts like it
    await call(app, "/elsewhere")
    snapshot = stats.snapshot()
    assert snapshot["routes"] == {"GET (unmatched)": {"200": 2}}
    assert snapshot["total"] == 2
    stats.clear()
    assert stats.snapshot()["total"] == 0


async def test_a_request_running_across_a_clear_is_not_counted_after_it() -> None:
    stats = Stats()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        stats.clear()  # a reset while this request is still being answered
        await send({"type": "http.response.start", "status": 200, "headers": []})

    await call(StatsMiddleware(slow, stats, ROUTES), "/posts/1")
    assert stats.snapshot()["total"] == 0
    stats.record("GET", "/posts/{id}", 200, stats.generation)
    assert stats.snapshot()["total"] == 1
