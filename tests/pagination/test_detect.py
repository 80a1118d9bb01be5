"""Auto-detection from a first page, and the errors when it cannot decide."""

from __future__ import annotations

import logging

import pytest

from tether._pagination import (
    AmbiguousPaginationError,
    Cursor,
    LastItemID,
    LinkHeader,
    NextURL,
    OffsetLimit,
    PageNumber,
    SinglePage,
    detect,
    extract_items,
)

from ._fakes import context

ROWS = [{"id": n} for n in range(1, 11)]


def detected(url: str, body: object, headers: dict[str, str] | None = None) -> object:
    items, path = extract_items(body)
    return detect(context(url, body, headers=headers, items=items), path).strategy


def test_link_header_wins() -> None:
    headers = {"Link": '</p?page=2>; rel="next"', "X-Total-Count": "100"}
    body = {"data": ROWS, "next": "https://h/elsewhere"}
    assert detected("https://h/p?page=1", body, headers) == LinkHeader()


def test_link_header_on_the_last_page() -> None:
    headers = {"Link": '</p?page=1>; rel="first", </p?page=1>; rel="last"'}
    assert detected("https://h/p?page=1", ROWS, headers) == LinkHeader(total_header=None)


def test_next_url_in_the_body() -> None:
    body = {"count": 95, "next": "https://h/p?page=2", "previous": None, "results": ROWS}
    assert detected("https://h/p", body) == NextURL("next")
    body = {"data": ROWS, "links": {"next": "/p?cursor=abc"}}
    assert detected("https://h/p", body) == NextURL("links.next")


def test_cursor_in_the_body() -> None:
    assert detected("https://h/p", {"data": ROWS, "next_cursor": "abc"}) == Cursor(
        "next_cursor", param="cursor"
    )
    body = {"items": ROWS, "nextPageToken": "tok"}
    assert detected("https://h/p", body) == Cursor("nextPageToken", param="pageToken")
    body = {"members": ROWS, "response_metadata": {"next_cursor": "x"}}
    assert detected("https://h/p", body) == Cursor("response_metadata.next_cursor", param="cursor")
    body = {"data": ROWS, "paging": {"cursors": {"after": "MTA"}}}
    assert detected("https://h/p", body) == Cursor("paging.cursors.after", param="after")


def test_json_server_1_envelope() -> None:
    body = {
        "first": 1,
        "prev": None,
        "next": 2,
        "last": 10,
        "pages": 10,
        "items": 100,
        "data": ROWS,
    }
    assert detected("https://h/p?_page=1&_per_page=10", body) == PageNumber(
        "_page", "_per_page", total_header=None, total_path="items", pages_path="pages"
    )


def test_json_server_1_envelope_without_a_page_parameter() -> None:
    """json-server 1.x answers ?_per_page= alone with page 1: its page partner is _page."""
    body = {"first": 1, "prev": None, "next": 2, "last": 10, "pages": 10, "items": 100}
    assert detected("https://h/p?_per_page=10", {**body, "data": ROWS}) == PageNumber(
        "_page", "_per_page", total_header=None, total_path="items", pages_path="pages"
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"pages": 4, "data": ROWS}, "'pages' says 4 pages but the request names none"),
        ({"next": 2, "data": ROWS}, "'next' says page 2 follows"),
        ({"total": 40, "data": ROWS}, "'total' says 40 items but the response has 10"),
    ],
)
def test_an_envelope_promising_more_is_never_taken_for_a_single_page(
    body: dict[str, object], says: str
) -> None:
    with pytest.raises(AmbiguousPaginationError, match=says):
        detected("https://h/p", body)


def test_body_total_with_page_or_offset_params() -> None:
    body = {"total": 95, "data": ROWS}
    assert detected("https://h/p?page=1&page_size=10", body) == PageNumber(
        "page", "page_size", total_header=None, total_path="total"
    )
    assert detected("https://h/p?skip=0&take=10", body) == OffsetLimit(
        "skip", "take", total_header=None, total_path="total"
    )


def test_bare_list_with_total() -> None:
    headers = {"X-Total-Count": "5000"}
    assert detected("https://h/p?_page=1&_limit=10", ROWS, headers) == PageNumber("_page", "_limit")
    assert detected("https://h/p?offset=0&limit=10", ROWS, headers) == OffsetLimit(
        "offset", "limit"
    )


def test_single_pages() -> None:
    assert detected("https://h/p", ROWS) == SinglePage()
    assert detected("https://h/p", ROWS, {"X-Total-Count": "10"}) == SinglePage()
    assert detected("https://h/p", {"data": ROWS, "next": None}) == SinglePage()
    assert detected("https://h/p", {"data": ROWS}) == SinglePage()
    assert detected("https://h/p?page=1&per_page=10", []) == SinglePage()
    assert detected("https://h/p?page=1", {"data": []}) == SinglePage()


@pytest.mark.parametrize(
    ("url", "body", "headers", "says"),
    [
        ("https://h/p?page=1&per_page=10", ROWS, None, "honours ?page="),
        ("https://h/p?page=1&offset=0", ROWS, {"X-Total-Count": "50"}, "both ?page= and ?offset="),
        ("https://h/p", ROWS, {"X-Total-Count": "50"}, "says 50 items but the response has 10"),
        ("https://h/p?page=1", {"data": ROWS}, None, "no next URL, cursor, page count or total"),
        (
            "https://h/v1/customers",
            {"data": ROWS, "has_more": True},
            None,
            "'has_more' says there are more items but the body has no next URL or cursor to "
            "reach them; if the API pages by the last item's id, pass "
            "strategy=tether.LastItemID('<param>', has_more_path='has_more')",
        ),
    ],
)
def test_ambiguous_responses_say_how_to_choose(
    url: str, body: object, headers: dict[str, str] | None, says: str
) -> None:
    with pytest.raises(AmbiguousPaginationError) as caught:
        detected(url, body, headers)
    message = str(caught.value)
    assert says in message
    assert "strategy=" in message
    assert "tether.PageNumber(" in message


def test_stripe_list_objects_page_by_the_last_id() -> None:
    stripe = {"object": "list", "url": "/v1/customers", "has_more": True, "data": ROWS}
    assert detected("https://h/v1/customers?limit=10", stripe) == LastItemID()
    assert detected("https://h/v1/customers", {**stripe, "has_more": False}) == LastItemID()
    # Backwards paging, or items without ids, are not guessed.
    with pytest.raises(AmbiguousPaginationError, match="LastItemID"):
        detected("https://h/v1/customers?ending_before=cus_9", stripe)
    with pytest.raises(AmbiguousPaginationError, match="'has_more' says"):
        detected("https://h/v1/customers", {**stripe, "data": [{"name": "a"}]})


def test_the_suggestion_starts_with_the_style_the_request_uses() -> None:
    with pytest.raises(AmbiguousPaginationError) as offsets:
        detected("https://h/p?offset=0&limit=10", ROWS)
    assert "e.g. tether.OffsetLimit('offset', 'limit'), tether.PageNumber(" in str(offsets.value)
    with pytest.raises(AmbiguousPaginationError) as pages:
        detected("https://h/p?page=1&per_page=10", ROWS)
    assert "e.g. tether.PageNumber('page', 'per_page'), tether.OffsetLimit(" in str(pages.value)


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("_limit=10", "PageNumber('_page', '_limit'), tether.OffsetLimit('_start', '_limit')"),
        ("limit=10", "OffsetLimit('offset', 'limit'), tether.PageNumber('page', 'limit')"),
        ("per_page=10", "PageNumber('page', 'per_page'), tether.OffsetLimit('offset', 'limit')"),
        ("", "PageNumber('page', 'per_page'), tether.OffsetLimit('offset', 'limit')"),
    ],
)
def test_a_size_parameter_alone_suggests_its_usual_partners(query: str, suggestion: str) -> None:
    """json-server's _limit pairs with _page or _start: a suggestion that mixes styles
    would be refused by the very API it was made for."""
    with pytest.raises(AmbiguousPaginationError) as caught:
        detected(f"https://h/p?{query}", ROWS, {"X-Total-Count": "99"})
    assert f"e.g. tether.{suggestion}," in str(caught.value)


def test_detection_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="tether.pagination"):
        detected("https://h/p?offset=0&limit=10&api_key=s3cret", ROWS, {"X-Total-Count": "99"})
    assert "OffsetLimit" in caplog.text
    assert "X-Total-Count: 99" in caplog.text
    assert "s3cret" not in caplog.text
