"""The pure paginator core: every stop condition, limits and resuming, with fake pages."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable

import httpx2
import pytest

from tether import ConfigurationError
from tether._pagination import (
    Checkpoint,
    Cursor,
    LinkHeader,
    NextURL,
    OffsetLimit,
    Page,
    PageContext,
    PageNumber,
    PageRequest,
    PaginationCore,
    PaginationError,
    SinglePage,
    Stop,
    Strategy,
)

from ._fakes import response

Server = Callable[[PageRequest], httpx2.Response]
ROWS = [{"id": n} for n in range(1, 24)]  # 23 rows: pages of 5 end with a partial page


def numbered(rows: list[dict[str, int]], *, total: bool = True) -> Server:
    """A page-number server (``page``/``per_page``) over ``rows``."""

    def serve(request: PageRequest) -> httpx2.Response:
        page = int(request.get_param("page") or 1)
        size = int(request.get_param("per_page") or 5)
        headers = {"X-Total-Count": str(len(rows))} if total else {}
        return response(request.full_url, rows[(page - 1) * size : page * size], headers=headers)

    return serve


def drive(core: PaginationCore, serve: Server, sent: list[str] | None = None) -> list[Page]:
    pages = []
    request = core.next_request()
    while request is not None:
        if sent is not None:
            sent.append(request.full_url)
        pages.append(core.feed(serve(request)))
        request = core.next_request()
    return pages


def ids(pages: list[Page]) -> list[int]:
    return [item["id"] for page in pages for item in page.items]


def start(url: str = "https://h/p?page=1&per_page=5") -> PageRequest:
    return PageRequest.from_url(url)


def test_total_reached_needs_no_extra_request() -> None:
    sent: list[str] = []
    core = PaginationCore(start())
    pages = drive(core, numbered(ROWS), sent)
    assert ids(pages) == list(range(1, 24))
    assert len(sent) == 5
    assert core.stop_reason == "all 23 items received"
    assert pages[-1].checkpoint.done
    assert pages[-1].total == 23


def test_empty_page_stops_when_no_total_is_known() -> None:
    sent: list[str] = []
    core = PaginationCore(start(), strategy=PageNumber())
    assert ids(drive(core, numbered(ROWS, total=False), sent)) == list(range(1, 24))
    assert len(sent) == 6
    assert core.stop_reason == "empty page"


def test_repeated_next_link_stops_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    def stuck(request: PageRequest) -> httpx2.Response:
        # A buggy server whose "next" always points back at page 2.
        headers = {"Link": '<https://h/p?page=2>; rel="next"'}
        return response(request.full_url, [{"id": request.get_param("page")}], headers=headers)

    core = PaginationCore(start("https://h/p?page=1"))
    with caplog.at_level(logging.WARNING, logger="tether.pagination"):
        pages = drive(core, stuck)
    assert [page.items for page in pages] == [[{"id": "1"}], [{"id": "2"}]]
    assert core.stop_reason is not None
    assert core.stop_reason.startswith("repeated request")
    assert "already fetched" in caplog.text


def test_repeated_cursor_stops() -> None:
    cursors = iter(["a", "b", "a", "c"])

    def serve(request: PageRequest) -> httpx2.Response:
        return response(request.full_url, {"data": [1], "next_cursor": next(cursors)})

    core = PaginationCore(start("https://h/p"), strategy=Cursor())
    assert len(drive(core, serve)) == 3


def test_safety_cap_raises_instead_of_truncating() -> None:
    counter = iter(range(10**6))

    def endless(request: PageRequest) -> httpx2.Response:
        return response(request.full_url, {"data": [1], "next_cursor": str(next(counter))})

    core = PaginationCore(start("https://h/p"), safety_cap=7)
    with pytest.raises(PaginationError, match="stopped after 7 pages"):
        drive(core, endless)


def test_max_pages_keeps_a_resumable_position() -> None:
    core = PaginationCore(start(), max_pages=2)
    first = drive(core, numbered(ROWS))
    assert ids(first) == list(range(1, 11))
    assert core.stop_reason == "max_pages=2 reached"
    position = core.position
    assert position.request is not None
    assert position.request.get_param("page") == "3"
    assert (position.pages, position.items, position.skip) == (2, 10, 0)

    resumed = PaginationCore(checkpoint=Checkpoint.from_json(position.to_json()))
    rest = drive(resumed, numbered(ROWS))
    assert ids(rest) == list(range(11, 24))
    assert rest[0].number == 3
    assert resumed.detection is None  # the checkpoint carried the strategy


def test_max_items_mid_page_resumes_exactly() -> None:
    core = PaginationCore(start(), max_items=7)
    first = drive(core, numbered(ROWS))
    assert ids(first) == list(range(1, 8))
    assert core.stop_reason == "max_items=7 reached"
    position = core.position
    assert (position.skip, position.items, position.pages) == (2, 7, 1)
    assert first[-1].checkpoint == position

    resumed = PaginationCore(checkpoint=position, max_items=9)
    middle = drive(resumed, numbered(ROWS))
    assert ids(middle) == list(range(8, 17))
    final = PaginationCore(checkpoint=resumed.position)
    assert ids(drive(final, numbered(ROWS))) == list(range(17, 24))
    assert final.position.done


def test_page_checkpoints_chain() -> None:
    pages = drive(PaginationCore(start()), numbered(ROWS))
    for before, after in itertools.pairwise(pages):
        assert before.checkpoint == after.before
    assert pages[1].checkpoint_at(2).items == 7
    assert pages[1].checkpoint_at(99) == pages[1].checkpoint


def test_offset_total_and_detected_items_path() -> None:
    def serve(request: PageRequest) -> httpx2.Response:
        offset = int(request.get_param("offset") or 0)
        body = {"meta": {"total": 23}, "rows": ROWS[offset : offset + 5]}
        return response(request.full_url, body)

    sent: list[str] = []
    core = PaginationCore(
        start("https://h/p?offset=0&limit=5"),
        strategy=OffsetLimit(total_path="meta.total", total_header=None),
    )
    assert ids(drive(core, serve, sent)) == list(range(1, 24))
    assert len(sent) == 5


def test_error_status_and_non_json_bodies() -> None:
    core = PaginationCore(start())
    failing = httpx2.Response(503, request=httpx2.Request("GET", "https://h/p"))
    with pytest.raises(httpx2.HTTPStatusError):
        core.feed(failing)
    html = httpx2.Response(200, text="<html>", request=httpx2.Request("GET", "https://h/p"))
    with pytest.raises(PaginationError, match="did not answer with JSON"):
        PaginationCore(start()).feed(html)


def test_plan_is_bounded_and_checked_against_the_next_request() -> None:
    core = PaginationCore(start(), max_pages=3)
    request = core.next_request()
    assert request is not None
    core.feed(numbered(ROWS)(request))
    assert [r.get_param("page") for r in core.plan()] == ["2", "3"]

    unbounded = PaginationCore(start(), max_items=12)
    request = unbounded.next_request()
    assert request is not None
    unbounded.feed(numbered(ROWS)(request))
    assert [r.get_param("page") for r in unbounded.plan()] == ["2", "3"]

    links = '<https://h/p?page=7>; rel="next", <https://h/p?page=9>; rel="last"'
    odd = PaginationCore(start("https://h/p?page=1"), strategy=LinkHeader())
    odd.feed(response("https://h/p?page=1", [1], headers={"Link": links}))
    assert odd.plan() == ()  # a step of 6 from page 1 does not reach 9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_items": 0}, "max_items"),
        ({"max_pages": -1}, "max_pages"),
        ({"strategy": "page"}, "strategy"),
        ({"strategy": NextURL}, r"the class NextURL; pass an instance: strategy=tether.NextURL\("),
        ({"items": ""}, "items"),
        ({"checkpoint": "{}"}, r"checkpoint=tether.Checkpoint.from_json\(text\)"),
        ({"checkpoint": {"pages": 1}}, "expected a tether.Checkpoint"),
    ],
)
def test_bad_arguments_are_refused_early(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        PaginationCore(start(), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="URL or a checkpoint"):
        PaginationCore()


DRF = {"count": 40, "next": "https://h/p?page=2", "previous": None, "results": ROWS[:5]}


@pytest.mark.parametrize(
    ("strategy", "suggested"),
    [
        (NextURL("nxt"), "NextURL(path='next'"),
        (LinkHeader(rel="nxt"), "NextURL(path='next'"),
        (Cursor("next_cursor"), "NextURL(path='next'"),
    ],
)
def test_a_given_strategy_looking_in_the_wrong_place_is_not_a_silent_single_page(
    strategy: Strategy, suggested: str
) -> None:
    core = PaginationCore(start("https://h/p"), strategy=strategy)
    with pytest.raises(PaginationError, match="found no page after the first") as caught:
        core.feed(response("https://h/p", DRF))
    message = str(caught.value)
    assert "body field 'next' holds the next page's URL" in message
    assert f"pass strategy={suggested}" in message
    assert "tether.SinglePage()" in message


def test_a_given_strategy_may_end_after_one_page_when_the_response_does() -> None:
    last = {"count": 5, "next": None, "results": ROWS[:5]}
    core = PaginationCore(start("https://h/p"), strategy=NextURL("nxt"))
    drive(core, lambda request: response(request.full_url, last))
    assert core.stop_reason == "no next URL at 'nxt'"
    # Reading one page on purpose, or a strategy of one's own, is never second-guessed.
    for chosen, reason in ((SinglePage(), "single page"), (_OnePage(), "one page only")):
        single = PaginationCore(start("https://h/p"), strategy=chosen)
        drive(single, lambda request: response(request.full_url, DRF))
        assert single.stop_reason == reason


class _OnePage(Strategy):
    def next_request(self, page: PageContext) -> PageRequest | Stop:
        return Stop("one page only")


def test_a_cursor_that_is_a_url_points_to_next_url() -> None:
    core = PaginationCore(start("https://h/p"), strategy=Cursor("next"))
    with pytest.raises(
        PaginationError, match=r"holds a URL there, not a cursor; .*NextURL\('next'\)"
    ):
        core.feed(response("https://h/p", DRF))


@pytest.mark.parametrize(
    ("first", "strategy"),
    [
        ("https://h/p?page=1", PageNumber()),
        ("https://h/p?pos=0", OffsetLimit("pos")),
        ("https://h/p", NextURL()),
    ],
)
def test_a_server_ignoring_the_paging_parameter_stops_after_one_repeat(
    first: str, strategy: Strategy, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[str] = []

    def same_page(request: PageRequest) -> httpx2.Response:
        # Every request differs, every answer is the same: no total, always a next link.
        body = {"data": ROWS[:5], "next": f"https://h/p?t={len(sent)}"}
        return response(request.full_url, body if isinstance(strategy, NextURL) else ROWS[:5])

    core = PaginationCore(start(first), strategy=strategy)
    with caplog.at_level(logging.WARNING, logger="tether.pagination"):
        pages = drive(core, same_page, sent)
    assert len(sent) == 2
    assert ids(pages) == [1, 2, 3, 4, 5]
    assert (
        core.stop_reason == "page repeats the page before (the server ignores the paging parameter)"
    )
    assert core.position.done
    assert core.position.items == 5
    assert "answered with the same items as the page before" in caplog.text


def test_pages_of_one_equal_scalar_are_not_mistaken_for_a_repeat() -> None:
    tags = ["a", "a", "b"]

    def one_tag(request: PageRequest) -> httpx2.Response:
        offset = int(request.get_param("offset") or 0)
        return response(request.full_url, tags[offset : offset + 1])

    core = PaginationCore(start("https://h/t?offset=0&limit=1"), strategy=OffsetLimit())
    assert [item for page in drive(core, one_tag) for item in page.items] == tags


@pytest.mark.parametrize(
    ("url", "strategy", "message"),
    [
        ("https://h/p?page=two", PageNumber(), "page='two'"),
        ("https://h/p?page=1&per_page=-5", PageNumber(), "per_page='-5'"),
        ("https://h/p?offset=x", OffsetLimit(), "offset='x'"),
        ("https://h/p?offset=0&limit=all", OffsetLimit(), "limit='all'"),
    ],
)
def test_a_position_the_strategy_cannot_count_from_fails_before_any_request(
    url: str, strategy: Strategy, message: str
) -> None:
    with pytest.raises(PaginationError, match=message):
        PaginationCore(start(url), strategy=strategy)
