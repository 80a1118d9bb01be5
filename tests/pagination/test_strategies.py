"""Each strategy on its own: next request, stop, total and plan, with no network."""

from __future__ import annotations

import pytest

from tether import ConfigurationError
from tether._pagination import (
    Cursor,
    LastItemID,
    LinkHeader,
    NextURL,
    OffsetLimit,
    PageNumber,
    PageRequest,
    PaginationError,
    SinglePage,
    Stop,
)
from tether._pagination._strategies import strategy_from_dict, strategy_to_dict

from ._fakes import context

ROWS = [{"id": n} for n in range(1, 11)]


def full(request: PageRequest | Stop) -> str:
    assert isinstance(request, PageRequest), request
    return request.full_url


class TestPageNumber:
    def test_prepare_adds_page_and_size_when_missing(self) -> None:
        strategy = PageNumber("_page", "_limit", size=50)
        prepared = strategy.prepare(PageRequest.from_url("https://h/p?albumId=3"))
        assert prepared.full_url == "https://h/p?albumId=3&_page=1&_limit=50"
        kept = strategy.prepare(PageRequest.from_url("https://h/p?_page=4&_limit=5"))
        assert kept.full_url == "https://h/p?_page=4&_limit=5"

    def test_next_page_keeps_other_params(self) -> None:
        page = context("https://h/p?albumId=3&page=2&per_page=10", ROWS)
        assert full(PageNumber().next_request(page)) == "https://h/p?albumId=3&page=3&per_page=10"
        first = context("https://h/p", ROWS)
        assert full(PageNumber(start=0).next_request(first)) == "https://h/p?page=1"

    def test_pages_field_stops_at_the_last_page(self) -> None:
        strategy = PageNumber("_page", "_per_page", pages_path="pages", total_path="items")
        body = {"pages": 3, "items": 25, "next": None, "data": ROWS[:5]}
        assert isinstance(strategy.next_request(context("https://h/p?_page=3", body)), Stop)
        assert full(strategy.next_request(context("https://h/p?_page=2", body))).endswith("_page=3")
        assert strategy.total(context("https://h/p", body)) == 25

    def test_total_from_header(self) -> None:
        page = context("https://h/p?page=1", ROWS, headers={"X-Total-Count": "95"})
        assert PageNumber().total(page) == 95
        assert PageNumber(total_header=None).total(page) is None

    def test_plan_from_total_when_the_size_is_honoured(self) -> None:
        page = context("https://h/p?page=1&per_page=10", ROWS, headers={"X-Total-Count": "35"})
        planned = PageNumber().plan(page)
        assert planned is not None
        assert [r.get_param("page") for r in planned] == ["2", "3", "4"]

    def test_no_plan_when_the_server_capped_the_size(self) -> None:
        page = context("https://h/p?page=1&per_page=50", ROWS, headers={"X-Total-Count": "35"})
        assert PageNumber().plan(page) is None
        assert PageNumber().plan(context("https://h/p?page=1&per_page=10", ROWS)) is None

    def test_plan_from_pages_field(self) -> None:
        body = {"pages": 4, "data": ROWS}
        planned = PageNumber("_page", "_per_page", pages_path="pages").plan(
            context("https://h/p?_page=1&_per_page=10", body)
        )
        assert planned is not None
        assert [r.get_param("_page") for r in planned] == ["2", "3", "4"]

    def test_non_numeric_page_is_a_clear_error(self) -> None:
        with pytest.raises(PaginationError, match="page='two'"):
            PageNumber().next_request(context("https://h/p?page=two", ROWS))

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"page_param": ""}, "page_param"),
            ({"size": 0}, "size"),
            ({"start": -1}, "start"),
            ({"size": 5, "size_param": None}, "size_param"),
        ],
    )
    def test_bad_configuration_is_refused_early(
        self, kwargs: dict[str, object], message: str
    ) -> None:
        with pytest.raises(ConfigurationError, match=message):
            PageNumber(**kwargs)  # type: ignore[arg-type]


class TestOffsetLimit:
    def test_advances_by_items_received(self) -> None:
        page = context("https://h/p?offset=20&limit=50", ROWS)
        assert full(OffsetLimit().next_request(page)) == "https://h/p?offset=30&limit=50"

    def test_stops_at_total_by_position(self) -> None:
        page = context("https://h/p?offset=90&limit=10", ROWS, headers={"X-Total-Count": "100"})
        decision = OffsetLimit().next_request(page)
        assert isinstance(decision, Stop)
        assert "100" in decision.reason
        assert isinstance(OffsetLimit().next_request(context("https://h/p?offset=5", [])), Stop)

    def test_prepare_and_plan(self) -> None:
        assert OffsetLimit(limit=10).prepare(PageRequest.from_url("https://h/p")).params == (
            ("limit", "10"),
        )
        page = context("https://h/p?limit=10", ROWS, headers={"X-Total-Count": "42"})
        planned = OffsetLimit().plan(page)
        assert planned is not None
        assert [r.get_param("offset") for r in planned] == ["10", "20", "30", "40"]
        capped = context("https://h/p?limit=20", ROWS, headers={"X-Total-Count": "42"})
        assert OffsetLimit().plan(capped) is None

    def test_start_and_limit_names(self) -> None:
        strategy = OffsetLimit("_start", "_limit")
        page = context("https://h/p?_start=10&_limit=10", ROWS, headers={"X-Total-Count": "30"})
        assert full(strategy.next_request(page)) == "https://h/p?_start=20&_limit=10"


class TestCursor:
    def test_cursor_from_a_nested_field(self) -> None:
        strategy = Cursor("response_metadata.next_cursor", param="cursor")
        body = {"data": ROWS, "response_metadata": {"next_cursor": "dXNlcjpVMEc5V0ZYTlo="}}
        assert full(strategy.next_request(context("https://h/p?limit=10", body))) == (
            "https://h/p?limit=10&cursor=dXNlcjpVMEc5V0ZYTlo%3D"
        )

    @pytest.mark.parametrize("value", [None, "", False])
    def test_no_cursor_stops(self, value: object) -> None:
        decision = Cursor().next_request(
            context("https://h/p", {"data": ROWS, "next_cursor": value})
        )
        assert isinstance(decision, Stop)
        assert isinstance(Cursor().next_request(context("https://h/p", {"data": ROWS})), Stop)

    def test_numeric_cursor_and_bad_cursor(self) -> None:
        page = context("https://h/p?cursor=1", {"data": ROWS, "next_cursor": 17})
        assert full(Cursor().next_request(page)) == "https://h/p?cursor=17"
        with pytest.raises(PaginationError, match="cursor_path"):
            Cursor().next_request(context("https://h/p", {"data": ROWS, "next_cursor": {"a": 1}}))


class TestLastItemID:
    ITEMS = [{"id": "cus_1"}, {"id": "cus_2"}]

    def test_sends_the_last_id_while_has_more(self) -> None:
        body = {"object": "list", "data": self.ITEMS, "has_more": True}
        page = context("https://h/v1/customers?limit=2&starting_after=cus_0", body)
        assert full(LastItemID().next_request(page)) == (
            "https://h/v1/customers?limit=2&starting_after=cus_2"
        )
        done = LastItemID().next_request(context("https://h/c", {**body, "has_more": False}))
        assert done == Stop("has_more is False")

    def test_nested_ids_without_a_flag(self) -> None:
        rows = [{"user": {"id": 7}}, {"user": {"id": 9}}]
        strategy = LastItemID("since", id_path="user.id", has_more_path=None)
        assert full(strategy.next_request(context("https://h/users", rows))) == (
            "https://h/users?since=9"
        )
        assert isinstance(strategy.next_request(context("https://h/users", [])), Stop)

    @pytest.mark.parametrize(
        ("strategy", "body", "message"),
        [
            (LastItemID(), {"data": ITEMS}, "has_more_path='has_more'.*has_more_path=None"),
            (
                LastItemID(id_path="uuid"),
                {"data": ITEMS, "has_more": True},
                "id_path='uuid'.*has nothing there",
            ),
            (
                LastItemID(),
                {"data": [{"id": None}], "has_more": True},
                "has None there, not an id",
            ),
        ],
    )
    def test_a_body_that_does_not_fit_is_explained(
        self, strategy: LastItemID, body: dict[str, object], message: str
    ) -> None:
        with pytest.raises(PaginationError, match=message):
            strategy.next_request(context("https://h/c", body))

    def test_bad_configuration_is_refused_early(self) -> None:
        with pytest.raises(ConfigurationError, match=r"LastItemID\(param=...\)"):
            LastItemID("")
        with pytest.raises(ConfigurationError, match="has_more_path"):
            LastItemID(has_more_path=3)  # type: ignore[arg-type]


class TestNextURL:
    def test_absolute_and_relative_urls(self) -> None:
        body = {"data": ROWS, "links": {"next": "/v1/p?cursor=abc"}}
        page = context("https://h/v1/p?limit=10", body)
        assert full(NextURL("links.next").next_request(page)) == "https://h/v1/p?cursor=abc"
        body = {"data": ROWS, "next": "https://other/p?page=2"}
        assert (
            full(NextURL().next_request(context("https://h/p", body))) == "https://other/p?page=2"
        )

    def test_null_stops_and_a_number_is_explained(self) -> None:
        assert isinstance(
            NextURL().next_request(context("https://h/p", {"data": [], "next": None})), Stop
        )
        with pytest.raises(PaginationError, match="PageNumber"):
            NextURL().next_request(context("https://h/p", {"data": ROWS, "next": 2}))


class TestLinkHeader:
    LINKS = (
        '<https://h/p?albumId=3&page=1&per_page=10>; rel="first", '
        '<https://h/p?albumId=3&page=2&per_page=10>; rel="next", '
        '<https://h/p?albumId=3&page=5&per_page=10>; rel="last"'
    )

    def test_follows_rel_next(self) -> None:
        page = context(
            "https://h/p?albumId=3&page=1&per_page=10", ROWS, headers={"Link": self.LINKS}
        )
        assert full(LinkHeader().next_request(page)) == "https://h/p?albumId=3&page=2&per_page=10"
        assert LinkHeader().total(context("https://h/p", ROWS, headers={"X-Total-Count": "7"})) == 7

    def test_no_next_stops(self) -> None:
        page = context("https://h/p", ROWS, headers={"Link": '</p?page=1>; rel="first"'})
        assert isinstance(LinkHeader().next_request(page), Stop)
        assert isinstance(LinkHeader().next_request(context("https://h/p", ROWS)), Stop)

    def test_plan_from_last_link(self) -> None:
        page = context(
            "https://h/p?albumId=3&page=1&per_page=10", ROWS, headers={"Link": self.LINKS}
        )
        planned = LinkHeader().plan(page)
        assert planned is not None
        assert [r.get_param("page") for r in planned] == ["2", "3", "4", "5"]
        assert all(r.get_param("albumId") == "3" for r in planned)

    def test_plan_with_offsets_uses_the_first_link_for_the_step(self) -> None:
        links = "</p?offset=0>; rel=first, </p?offset=25>; rel=next, </p?offset=100>; rel=last"
        planned = LinkHeader().plan(context("https://h/p", ROWS, headers={"Link": links}))
        assert planned is not None
        assert [r.get_param("offset") for r in planned] == ["25", "50", "75", "100"]

    def test_plan_when_the_first_request_has_no_page_parameter(self) -> None:
        links = '</p?per_page=10&page=2>; rel="next", </p?per_page=10&page=4>; rel="last"'
        page = context("https://h/p?per_page=10", ROWS, headers={"Link": links})
        planned = LinkHeader().plan(page)
        assert planned is not None
        assert [r.get_param("page") for r in planned] == ["2", "3", "4"]

    @pytest.mark.parametrize(
        "links",
        [
            "</p?page=2>; rel=next",
            "</p?page=2&a=1>; rel=next, </p?page=5&a=2>; rel=last",
            "</p?page=2>; rel=next, </q?page=5>; rel=last",
            "</p?page=2>; rel=next, </p?page=x>; rel=last",
            "</p?cursor=b>; rel=next, </p?cursor=z>; rel=last",
        ],
    )
    def test_no_plan_when_pages_cannot_be_derived(self, links: str) -> None:
        page = context("https://h/p?page=1", ROWS, headers={"Link": links})
        assert LinkHeader().plan(page) is None


def test_single_page_always_stops() -> None:
    assert isinstance(SinglePage().next_request(context("https://h/p", ROWS)), Stop)


@pytest.mark.parametrize(
    "strategy",
    [
        PageNumber("_page", "_limit", size=20, pages_path="pages"),
        OffsetLimit("_start", "_limit", total_path="meta.total"),
        Cursor("meta.next", param="after"),
        LastItemID("since", id_path="user.id", has_more_path=None),
        NextURL("links.next", stop_on_empty=False),
        LinkHeader(total_header=None),
        SinglePage(),
    ],
)
def test_strategies_serialise_for_checkpoints(strategy: object) -> None:
    assert strategy_from_dict(strategy_to_dict(strategy)) == strategy  # type: ignore[arg-type]
