"""Page requests as values: query handling, identity, resolution."""

from __future__ import annotations

from tether._pagination import PageRequest


def test_params_merge_into_the_url_query() -> None:
    request = PageRequest.from_url("https://h/p?albumId=3&_page=9#frag", {"_page": 1, "flag": True})
    assert request.url == "https://h/p"
    assert request.params == (("albumId", "3"), ("_page", "1"), ("flag", "true"))
    assert request.full_url == "https://h/p?albumId=3&_page=1&flag=true"


def test_repeated_values_are_kept() -> None:
    request = PageRequest.from_url("/photos", {"albumId": [1, 2]})
    assert request.params == (("albumId", "1"), ("albumId", "2"))
    assert request.get_param("albumId") == "1"


def test_with_param_replaces_in_place_or_appends() -> None:
    # httpx2 groups repeated names at their first position; the order is kept from there.
    request = PageRequest.from_url("https://h/p?a=1&page=1&a=2")
    assert request.params == (("a", "1"), ("a", "2"), ("page", "1"))
    assert request.with_param("page", 2).params == (("a", "1"), ("a", "2"), ("page", "2"))
    assert request.with_param("a", 5).params == (("a", "5"), ("page", "1"))
    assert request.with_param("cursor", "x y").full_url == "https://h/p?a=1&a=2&page=1&cursor=x+y"
    assert request.with_params([("page", 3), ("size", 10)]).get_param("size") == "10"


def test_key_ignores_parameter_order() -> None:
    one = PageRequest.from_url("https://h/p?a=1&b=2")
    two = PageRequest.from_url("https://h/p?b=2&a=1")
    assert one.key == two.key
    assert one.key != PageRequest.from_url("https://h/p?a=1&b=3").key


def test_resolve_and_redacted_repr() -> None:
    request = PageRequest.from_url("https://h/v1/p?page=1&api_key=s3cret")
    assert request.resolve("/v1/p?page=2").full_url == "https://h/v1/p?page=2"
    assert request.resolve("?page=3").params == (("page", "3"),)
    assert "s3cret" not in repr(request)
