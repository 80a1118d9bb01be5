"""What tether takes from httpx2 beyond its public API (``tether._httpx2``), checked
against the installed httpx2: a release that changes one of these fails here, by name."""

from __future__ import annotations

import inspect

import httpx2
import pytest
from httpx2._urlparse import ParseResult

import tether
from tether import _httpx2


def test_use_client_default_type_is_the_public_sentinels() -> None:
    assert isinstance(httpx2.USE_CLIENT_DEFAULT, _httpx2.UseClientDefault)


def test_default_max_redirects_is_the_clients_default() -> None:
    default = inspect.signature(httpx2.Client).parameters["max_redirects"].default
    assert default == _httpx2.DEFAULT_MAX_REDIRECTS


def test_argument_types_are_those_of_httpx2_signatures() -> None:
    annotations = {
        p.annotation for p in inspect.signature(httpx2.Client.request).parameters.values()
    }
    for name in ["QueryParamTypes", "HeaderTypes", "CookieTypes", "RequestContent"]:
        assert getattr(_httpx2, name) is not None
        assert any(name in str(annotation) for annotation in annotations), name


@pytest.mark.parametrize("cls", [httpx2.Client, httpx2.AsyncClient])
def test_overridden_client_hooks_keep_their_signatures(cls: type) -> None:
    assert list(inspect.signature(cls._build_auth).parameters) == ["self", "auth"]
    assert list(inspect.signature(cls._redirect_headers).parameters) == [
        "self",
        "request",
        "url",
        "method",
    ]
    assert set(_httpx2.CLIENT_HOOKS) <= set(dir(cls))


def test_build_auth_sees_every_auth_and_redirect_headers_every_redirect() -> None:
    seen: list[str] = []

    class Watching(httpx2.Client):
        def _build_auth(self, auth: object) -> httpx2.Auth | None:
            seen.append("auth")
            return super()._build_auth(auth)  # type: ignore[arg-type]

        def _redirect_headers(
            self, request: httpx2.Request, url: httpx2.URL, method: str
        ) -> httpx2.Headers:
            seen.append("redirect")
            return super()._redirect_headers(request, url, method)

    def server(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/old":
            return httpx2.Response(301, headers={"Location": "/new"})
        return httpx2.Response(200)

    with Watching(auth=("u", "p"), transport=httpx2.MockTransport(server)) as client:
        client.auth = ("v", "q")
        client.get("http://127.0.0.1/old", auth=("w", "r"), follow_redirects=True)
    assert seen == ["auth", "auth", "auth", "redirect"]


@pytest.mark.parametrize("cls", [httpx2.Client, httpx2.AsyncClient])
def test_client_attributes_tether_reads_and_replaces(cls: type) -> None:
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200))
    client = cls(
        transport=transport,
        mounts={"http://other": transport},
        timeout=3.0,
        default_encoding="latin-1",
    )
    assert client._transport is transport
    patterns = list(client._mounts)
    assert all(isinstance(pattern, _httpx2.URLPattern) for pattern in patterns)
    assert [pattern.pattern for pattern in patterns] == ["http://other"]
    assert client._timeout == httpx2.Timeout(3.0)
    assert client._default_encoding == "latin-1"
    assert set(_httpx2.CLIENT_ATTRIBUTES) <= set(vars(client))


def test_a_replaced_transport_is_the_one_that_sends() -> None:
    with tether.Client(transport=httpx2.MockTransport(lambda r: httpx2.Response(204))) as c:
        assert c.get("http://127.0.0.1/").status_code == 204
        assert type(c._transport).__name__ == "ObservingTransport"


@pytest.mark.parametrize("cls", [httpx2.Client, httpx2.AsyncClient])
def test_client_state_and_transport_choice(cls: type) -> None:
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200))
    other = httpx2.MockTransport(lambda request: httpx2.Response(201))
    client = cls(transport=transport, mounts={"http://other": other})
    assert not _httpx2.is_open(client)
    assert _httpx2.transport_for_url(client, httpx2.URL("http://127.0.0.1/")) is transport
    assert _httpx2.transport_for_url(client, httpx2.URL("http://other/x")) is other
    if cls is httpx2.Client:
        client.get("http://127.0.0.1/")
        assert _httpx2.is_open(client)
        client.close()
        assert not _httpx2.is_open(client)


def test_a_preloaded_response_is_a_read_one() -> None:
    raw = b'{"a": 1}' * 100

    def read_one() -> httpx2.Response:
        response = httpx2.Response(200, headers={"Content-Type": "application/json"},
                                   stream=httpx2.ByteStream(raw))
        response.read()
        return response

    expected = read_one()
    preloaded = _httpx2.preload(
        httpx2.Response(200, headers={"Content-Type": "application/json"},
                        stream=httpx2.ByteStream(raw)),
        raw,
        None,
    )
    assert set(_httpx2.RESPONSE_ATTRIBUTES) <= set(vars(expected))
    for response in (expected, preloaded):
        assert response.content == raw
        assert response.num_bytes_downloaded == len(raw)
        assert response.is_closed
        assert response.is_stream_consumed
        assert b"".join(response.iter_bytes(chunk_size=7)) == raw
        with pytest.raises(httpx2.StreamConsumed):
            list(response.iter_raw())


def test_a_preloaded_coded_body_is_decoded_when_read() -> None:
    import gzip

    raw = gzip.compress(b"hello")
    response = _httpx2.preload(
        httpx2.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx2.ByteStream(raw)),
        raw,
        "gzip",
    )
    assert not response.is_stream_consumed
    assert response.read() == b"hello"


def test_lower_names_are_the_headers_names() -> None:
    headers = httpx2.Headers([(b"Set-Cookie", b"a=1"), (b"X-RateLimit-Remaining", b"\xff")])
    assert _httpx2.lower_names(headers) == [b"set-cookie", b"x-ratelimit-remaining"]
    assert _httpx2._HEADER_TRIPLES, "httpx2.Headers no longer keeps (raw, lower, value) triples"


def _public(headers: httpx2.Headers) -> tuple[object, ...]:
    return (headers.raw, headers.multi_items(), headers.encoding, list(headers.items()))


@pytest.mark.parametrize(
    "raw",
    [
        [(b"Host", b"example.org"), (b"Accept", b"*/*"), (b"X-Multi", b"1"), (b"x-multi", b"2")],
        [(b"X-Name", b"caf\xc3\xa9"), (b"Accept", b"*/*")],  # UTF-8
        [(b"X-Name", b"caf\xe9")],  # Latin-1
        [],
    ],
)
def test_header_pairs_are_multi_items(raw: list[tuple[bytes, bytes]]) -> None:
    headers = httpx2.Headers(raw)
    assert _httpx2.header_pairs(headers) == httpx2.Headers(raw).multi_items()
    assert headers.encoding == httpx2.Headers(raw).encoding


def test_header_pairs_follow_an_encoding_set_by_hand() -> None:
    headers = httpx2.Headers([(b"ab", b"\x00a")])
    headers.encoding = "utf-16-le"
    assert _httpx2.header_pairs(headers) == headers.multi_items() == [("\u6261", "\u6100")]
    headers.encoding = "iso-8859-1"
    assert _httpx2.header_pairs(headers) == [("ab", "\x00a")]


def test_headers_from_lower_equal_httpx2s_own() -> None:
    pairs = [("content-type", "text/plain"), ("set-cookie", "a=1"), ("set-cookie", "b=2")]
    built = _httpx2.headers_from_lower(pairs)
    assert _public(built) == _public(httpx2.Headers(pairs))
    assert built.get_list("set-cookie") == ["a=1", "b=2"]
    assert _public(httpx2.Headers(built)) == _public(built)
    response = httpx2.Response(200, headers=built)
    assert _public(response.headers) == _public(httpx2.Headers(pairs))


def test_headers_from_lower_refuse_non_ascii_as_httpx2_does() -> None:
    with pytest.raises(UnicodeEncodeError) as expected:
        httpx2.Headers([("x-name", "café")])
    with pytest.raises(UnicodeEncodeError) as refused:
        _httpx2.headers_from_lower([("x-name", "café")])
    assert str(refused.value) == str(expected.value)


def test_headers_from_raw_equal_httpx2s_own() -> None:
    raw = [(b"Content-Type", b"text/plain"), (b"Set-Cookie", b"a=1"), (b"X-Name", b"caf\xe9")]
    built = _httpx2.headers_from_raw(raw)
    assert _public(built) == _public(httpx2.Headers(raw))
    assert built["content-type"] == "text/plain"
    assert built.encoding == "iso-8859-1"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/posts/1",
        "https://example.org",
        "https://example.org/a%20b/?q=%C3%A9&r=1#part",
        "http://user:secret@example.org:8080/x?",
        "http://[::1]:8000/x#",
        "http://[fe80::1%25eth0]/x",
        "http://münchen.example/straße",
        "/relative/path?x=1",
        "",
    ],
)
def test_url_text_is_str_of_url(url: str) -> None:
    parsed = httpx2.URL(url)
    assert type(parsed._uri_reference) is ParseResult
    assert _httpx2.url_text(parsed) == str(parsed)
    assert _httpx2.url_text(parsed) == str(parsed)  # the second time from the cache


def test_url_text_keeps_no_credentials() -> None:
    url = httpx2.URL("http://user:secret@127.0.0.1:9/x")
    assert _httpx2.url_text(url) == str(url)
    assert not any("secret" in prefix for prefix in _httpx2._URL_PREFIXES.values())


def test_url_text_of_many_hosts_stays_right_and_bounded() -> None:
    for port in range(1000, 1700):
        url = httpx2.URL(f"http://127.0.0.1:{port}/p?n={port}")
        assert _httpx2.url_text(url) == str(url)
    assert len(_httpx2._URL_PREFIXES) <= 512
