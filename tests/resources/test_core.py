"""The pure part of resources: paths, query parameters, bodies, validation errors."""

from __future__ import annotations

import httpx2
import pytest

import tether
from tether._resources._core import Core


class Geo(tether.Model):
    lat: str


class Place(tether.Model):
    zip_code: str
    geo: Geo


class Person(tether.Model):
    id: int | None = None
    user_id: int
    full_name: str
    place: Place | None = None
    api_token: str | None = None


CORE = Core(Person, "/people", "People")


def _response(body: bytes, path: str = "/people/7") -> httpx2.Response:
    request = httpx2.Request("GET", f"http://127.0.0.1:9/{path.lstrip('/')}")
    return httpx2.Response(200, content=body, request=request,
                           headers={"content-type": "application/json"})


def test_model_reads_camel_case_and_python_names_and_keeps_unknown_fields() -> None:
    person = Person.model_validate({"userId": 1, "fullName": "Ann", "mood": "good"})
    assert (person.user_id, person.full_name) == (1, "Ann")
    assert Person(user_id=2, full_name="Bo").user_id == 2
    assert person.model_extra == {"mood": "good"}
    assert person.model_dump(by_alias=True, exclude_none=True) == {
        "userId": 1, "fullName": "Ann", "mood": "good"}


def test_item_paths_quote_the_id_and_refuse_bad_ones() -> None:
    assert CORE.item_path("get", 7) == "/people/7"
    assert CORE.item_path("get", "a b/../c") == "/people/a%20b%2F..%2Fc"
    assert CORE.child_path(3, "/posts") == "/people/3/posts"
    for bad in (None, True, 1.5, "", "  ", [1], ".", ".."):
        with pytest.raises(tether.ConfigurationError, match=r"People\.get\(id\)"):
            CORE.item_path("get", bad)


def test_filters_use_the_api_names() -> None:
    assert CORE.params("list", {
        "user_id": 1, "user_id_gte": 2, "full_name_like": "^A", "q": "x", "_sort": "id",
        "id": [1, 2], "place.zip_code": "123", "flag": True,
    }) == [
        ("userId", 1), ("userId_gte", 2), ("fullName_like", "^A"), ("q", "x"),
        ("_sort", "id"), ("id", 1), ("id", 2), ("place.zipCode", "123"), ("flag", "true"),
    ]
    with pytest.raises(tether.ConfigurationError, match=r"user_id=None"):
        CORE.params("list", {"user_id": None})


def test_bodies() -> None:
    person = Person(user_id=1, full_name="Ann", place=Place(zip_code="1", geo=Geo(lat="2")))
    assert CORE.body("create", person, {}, partial=False) == {
        "userId": 1, "fullName": "Ann", "place": {"zipCode": "1", "geo": {"lat": "2"}}}
    assert CORE.body("create", None, {"user_id": 1, "place": {"zip_code": "9"}},
                     partial=False) == {"userId": 1, "place": {"zipCode": "9"}}
    assert CORE.body("update", {"userId": 2, "extra": 1}, {}, partial=True) == {
        "userId": 2, "extra": 1}


@pytest.mark.parametrize(
    ("data", "fields", "partial", "message"),
    [
        (None, {"ful_name": "x"}, False,
         r"Person has no field 'ful_name'; did you mean 'full_name'"),
        (None, {}, True, r"name at least one field"),
        (Person(user_id=1, full_name="A"), {"user_id": 2}, False, r"either a Person or keyword"),
        (Person(user_id=1, full_name="A"), {}, True, r"replace\(id, model\)"),
        (Geo(lat="1"), {}, False, r"expected a Person, got Geo"),
        ([1, 2], {}, False, r"expected a Person, a dict or keyword fields, got list"),
    ],
)
def test_bad_bodies_are_refused_before_sending(
    data: object, fields: dict[str, object], partial: bool, message: str
) -> None:
    with pytest.raises(tether.ConfigurationError, match=message):
        CORE.body("update" if partial else "create", data, fields, partial=partial)


def test_validation_error_names_resource_id_field_and_value() -> None:
    response = _response(b'{"userId": "one", "fullName": "Ann"}')
    with pytest.raises(tether.ResponseValidationError) as caught:
        CORE.parse(response, 7)
    error = caught.value
    assert (error.resource, error.id, error.field, error.value) == ("people", 7, "userId", "one")
    assert error.response is response
    assert str(error).startswith("people/7: field 'userId' is 'one', which does not fit Person")
    assert "GET http://127.0.0.1:9/people/7" in str(error)
    assert isinstance(error, tether.TetherError)


def test_validation_error_for_nested_missing_and_many_problems() -> None:
    response = _response(b'{"id": 3, "fullName": 5, "place": {"zipCode": "1", "geo": {}}}')
    with pytest.raises(tether.ResponseValidationError) as caught:
        CORE.parse(response, None)
    error = caught.value
    assert error.id == 3  # the item's own id when the caller did not give one
    assert (error.field, error.value, error.problem) == ("userId", None, "Field required")
    assert len(error.errors) == 3
    assert "2 more problems in .errors" in str(error)
    assert "field 'userId' is missing" in str(error)


def test_validation_error_hides_credential_values_and_wrong_bodies() -> None:
    with pytest.raises(tether.ResponseValidationError) as caught:
        CORE.parse(_response(b'{"userId": 1, "fullName": "A", "apiToken": 12345}'), 1)
    assert caught.value.field == "apiToken"
    assert caught.value.value == "[REDACTED]"
    assert "12345" not in str(caught.value)
    with pytest.raises(tether.ResponseValidationError, match=r"the body is \[\]") as caught:
        CORE.parse(_response(b"[]"), 1)
    assert caught.value.field == ""
