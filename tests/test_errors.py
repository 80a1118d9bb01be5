"""Typed status errors: which class, what they carry, what they say; live and pure."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tether
from tether._errors import EXCERPT_CHARS, error_for_response
from tether.sandbox import SandboxServer

EXPECTED = [
    (400, tether.BadRequest),
    (401, tether.Unauthorized),
    (403, tether.Forbidden),
    (404, tether.NotFound),
    (409, tether.Conflict),
    (422, tether.UnprocessableEntity),
    (429, tether.RateLimited),
    (405, tether.ClientError),
    (418, tether.ClientError),
    (500, tether.ServerError),
    (502, tether.ServerError),
    (503, tether.ServerError),
]


def _response(
    status: int,
    *,
    url: str = "http://api.test/items/7",
    method: str = "GET",
    headers: dict[str, str] | None = None,
    content: bytes = b"",
) -> httpx2.Response:
    return httpx2.Response(
        status,
        headers=headers,
        content=content,
        request=httpx2.Request(method, url),
    )


@pytest.mark.parametrize(("status", "cls"), EXPECTED)
def test_each_status_maps_to_its_class(status: int, cls: type[tether.APIError]) -> None:
    error = error_for_response(_response(status))
    assert type(error) is cls
    assert isinstance(error, httpx2.HTTPStatusError)
    assert isinstance(error, tether.TetherError)
    assert (status >= 500) == isinstance(error, tether.ServerError)
    assert (status < 500) == isinstance(error, tether.ClientError)


@pytest.mark.parametrize("status", [200, 204, 301, 304])
def test_non_error_status_is_refused(status: int) -> None:
    with pytest.raises(ValueError, match="not an error status"):
        error_for_response(_response(status))


def test_error_carries_method_url_status_body_and_request_id() -> None:
    error = error_for_response(
        _response(
            409,
            method="PUT",
            url="http://api.test/items/7?api_key=sekrit&page=2",
            headers={"x-request-id": "req-42", "content-type": "application/json"},
            content=b'{"error": "version mismatch", "expected": 3}',
        )
    )
    assert error.method == "PUT"
    assert error.url == "http://api.test/items/7?api_key=[REDACTED]&page=2"
    assert error.status_code == 409
    assert error.request_id == "req-42"
    assert error.body == {"error": "version mismatch", "expected": 3}
    assert error.body_excerpt == '{"error": "version mismatch", "expected": 3}'
    text = str(error)
    assert text.startswith("409 Conflict for PUT http://api.test/items/7?api_key=[REDACTED]")
    assert "(request id req-42)" in text
    assert "version mismatch" in text
    assert "sekrit" not in text
    assert "sekrit" not in repr(error)


def test_request_id_also_read_from_request_id_header() -> None:
    error = error_for_response(_response(500, headers={"request-id": "abc"}))
    assert error.request_id == "abc"
    assert error_for_response(_response(500)).request_id is None


def test_non_json_body_gives_excerpt_and_no_parsed_body() -> None:
    page = b"<html>" + b"x" * 1000 + b"</html>"
    error = error_for_response(_response(502, content=page))
    assert error.body is None
    assert error.body_excerpt.startswith("<html>xxx")
    assert error.body_excerpt.endswith("...")
    assert len(error.body_excerpt) == EXCERPT_CHARS + 3


def test_body_excerpt_hides_tokens() -> None:
    body = b'{"error": "invalid_grant", "access_token": "tok-123", "hint": "Bearer abc.def"}'
    error = error_for_response(_response(400, content=body))
    assert "tok-123" not in str(error)
    assert "abc.def" not in str(error)


def test_parsed_body_hides_credential_fields_and_the_response_keeps_them() -> None:
    body = (
        b'{"error": "invalid_request", "client_secret": "cs-9", '
        b'"details": [{"field": "password", "password": "pw-1"}], "auth": {"user": "u"}}'
    )
    error = error_for_response(_response(400, content=body))
    assert error.body == {
        "error": "invalid_request",
        "client_secret": "[REDACTED]",
        "details": [{"field": "password", "password": "[REDACTED]"}],
        "auth": "[REDACTED]",
    }
    assert error.response.json()["client_secret"] == "cs-9"


def test_rate_limited_reads_retry_after_seconds() -> None:
    error = error_for_response(_response(429, headers={"retry-after": "17"}))
    assert isinstance(error, tether.RateLimited)
    assert error.retry_after == 17.0
    assert "retry after 17s" in str(error)


def test_rate_limited_reads_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    error = error_for_response(_response(429, headers={"retry-after": when}))
    assert isinstance(error, tether.RateLimited)
    assert error.retry_after is not None
    assert 100 <= error.retry_after <= 121


@pytest.mark.parametrize("value", [None, "soon", ""])
def test_rate_limited_without_usable_retry_after(value: str | None) -> None:
    headers = {} if value is None else {"retry-after": value}
    error = error_for_response(_response(429, headers=headers))
    assert isinstance(error, tether.RateLimited)
    assert error.retry_after is None


@given(st.integers(min_value=0, max_value=10**9))
def test_retry_after_seconds_round_trip(seconds: int) -> None:
    error = error_for_response(_response(429, headers={"retry-after": str(seconds)}))
    assert isinstance(error, tether.RateLimited)
    assert error.retry_after == float(seconds)


@given(st.binary(max_size=600))
def test_any_body_gives_a_bounded_message(body: bytes) -> None:
    error = error_for_response(_response(500, content=body))
    assert len(error.body_excerpt) <= EXCERPT_CHARS + 3
    assert str(error).startswith("500 Internal Server Error for GET http://api.test/items/7")


# -- live, against the sandbox ------------------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), EXPECTED)
def test_sandbox_status_raises_typed_error_sync(
    sandbox: SandboxServer, status: int, cls: type[tether.APIError]
) -> None:
    with tether.Client(base_url=sandbox.url, retry=False) as client, pytest.raises(cls) as info:
        client.get(f"/status/{status}")
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.url == f"{sandbox.url}/status/{status}"
    assert info.value.body == {"status": status, "message": info.value.response.reason_phrase}


@pytest.mark.parametrize(("status", "cls"), EXPECTED)
async def test_sandbox_status_raises_typed_error_async(
    sandbox: SandboxServer, status: int, cls: type[tether.APIError]
) -> None:
    async with tether.AsyncClient(base_url=sandbox.url, retry=False) as client:
        with pytest.raises(cls) as info:
            await client.get(f"/status/{status}")
    assert type(info.value) is cls
    assert info.value.status_code == status


def test_sandbox_retry_after_reaches_rate_limited(sandbox: SandboxServer) -> None:
    with (
        tether.Client(base_url=sandbox.url, retry=False) as client,
        pytest.raises(tether.RateLimited) as info,
    ):
        client.get("/status/429", params={"retry_after": 7})
    assert info.value.retry_after == 7.0


def test_real_404_of_a_missing_post(sandbox: SandboxServer) -> None:
    with (
        tether.Client(base_url=sandbox.url, retry=False) as client,
        pytest.raises(tether.NotFound) as info,
    ):
        client.get("/posts/9999")
    body: Any = info.value.body
    assert body["message"] == "posts 9999 does not exist"
    assert "GET " + sandbox.url + "/posts/9999" in str(info.value)


async def test_real_422_of_an_invalid_post(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url, retry=False) as client:
        with pytest.raises(tether.UnprocessableEntity) as info:
            await client.post("/posts", json={"userId": 999, "title": "t", "body": "b"})
    assert info.value.method == "POST"
    assert info.value.body["field"] == "userId"
    assert "users 999 does not exist" in str(info.value)


async def test_status_error_after_several_attempts_notes_them() -> None:
    transport = httpx2.MockTransport(lambda request: httpx2.Response(503))
    policy = tether.Retry(attempts=3, initial_wait=0)
    with tether.Client(transport=transport, retry=policy) as client:
        with pytest.raises(tether.ServerError) as caught:
            client.get("https://api.example/x")
        assert caught.value.__notes__ == [
            "tether attempts: " + "; ".join(a.describe() for a in tether.attempts_of(caught.value))
        ]
        assert caught.value.__notes__[0].count("status 503") == 3
        with pytest.raises(tether.ServerError) as once:
            client.get("https://api.example/x", retry=False)
        assert not hasattr(once.value, "__notes__")
    async with tether.AsyncClient(transport=transport, retry=policy) as aclient:
        response = await aclient.get("https://api.example/x", raise_for_status=False)
        with pytest.raises(tether.ServerError) as later:
            response.raise_for_status()
        assert later.value.__notes__[0].count("status 503") == 3


_POST_NOTE = (
    "tether: this POST was sent once and not retried: a POST may have changed something on "
    "the server before it failed, so tether repeats it only with an Idempotency-Key header "
    "the server de-duplicates by; send one (headers={'Idempotency-Key': '<unique id>'}) or "
    "let tether add one with retry=tether.Retry(idempotency_key=True)"
)
_NEW_POST = {"title": "t", "body": "b", "userId": 1}


def test_a_post_that_got_503_says_why_it_was_not_retried(sandbox: SandboxServer) -> None:
    with (
        sandbox.faults(route="POST /posts", kind="status", status=503),
        tether.Client(base_url=sandbox.url) as client,
        pytest.raises(tether.ServerError) as caught,
    ):
        client.post("/posts", json=_NEW_POST)
    assert caught.value.__notes__ == [_POST_NOTE]
    assert len(caught.value.attempts) == 1


def test_the_post_note_is_left_out_when_it_would_not_be_true(sandbox: SandboxServer) -> None:
    with (
        tether.retry_testing_mode(),
        sandbox.faults(route="POST /posts", kind="status", status=503),
        tether.Client(base_url=sandbox.url) as client,
    ):
        # Retries switched off by the caller: nothing to explain.
        with pytest.raises(tether.ServerError) as once:
            client.post("/posts", json=_NEW_POST, retry=False)
        assert not hasattr(once.value, "__notes__")
        # With a key the POST is retried; the note lists the attempts instead.
        with pytest.raises(tether.ServerError) as keyed:
            client.post("/posts", json=_NEW_POST, headers={"Idempotency-Key": "k-1"})
        assert len(keyed.value.attempts) == 4
        assert _POST_NOTE not in keyed.value.__notes__
    with (
        sandbox.faults(route="POST /posts", kind="status", status=503),
        tether.Client(base_url=sandbox.url, retry=False) as client,
        pytest.raises(tether.ServerError) as off,
    ):
        client.post("/posts", json=_NEW_POST)
    assert not hasattr(off.value, "__notes__")


def _html_error(body: bytes, content_type: str = "text/html; charset=utf-8") -> tether.APIError:
    request = httpx2.Request("GET", "http://127.0.0.1:8000/posts/1")
    response = httpx2.Response(
        404, content=body, headers={"content-type": content_type}, request=request
    )
    return error_for_response(response)


def test_an_html_error_page_is_shown_by_its_title() -> None:
    page = b"<!DOCTYPE html><html><head><title>404 &ndash; Not Found</title></head><body>"
    page += b"<p>" + b"lorem ipsum " * 500 + b"</p></body></html>"
    error = _html_error(page)
    assert str(error) == (
        "404 Not Found for GET http://127.0.0.1:8000/posts/1; body: an HTML page titled "
        f"'404 \u2013 Not Found' ({len(page)} bytes; the whole page is in .response.text)"
    )
    assert error.response.content == page


def test_an_html_page_without_a_title_shows_its_first_words() -> None:
    error = _html_error(b"<html><body>\n\n<h1>Gateway says no</h1><p>try later</p></body></html>")
    assert "; body: an HTML page starting 'Gateway says no try later' (" in str(error)
