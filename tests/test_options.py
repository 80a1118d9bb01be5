"""Per-call options travel with the request and default to "as configured"."""

from __future__ import annotations

import httpx2

from tether._options import CallOptions, call_options
from tether._transports._base import CALL_OPTIONS_EXTENSION


def test_request_without_options_gets_defaults() -> None:
    request = httpx2.Request("GET", "http://127.0.0.1/")
    assert call_options(request) == CallOptions()


def test_options_are_read_back_from_extensions() -> None:
    options = CallOptions(raise_for_status=False, retry=False, deadline=2.0)
    request = httpx2.Request(
        "GET", "http://127.0.0.1/", extensions={CALL_OPTIONS_EXTENSION: options}
    )
    assert call_options(request) is options


def test_foreign_value_under_the_key_is_ignored() -> None:
    request = httpx2.Request(
        "GET", "http://127.0.0.1/", extensions={CALL_OPTIONS_EXTENSION: {"x": 1}}
    )
    assert call_options(request) == CallOptions()
