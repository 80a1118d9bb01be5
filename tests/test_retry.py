"""The pure retry policy: classification, backoff, server waits, caps, deadline (no network)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tether
from tether._retry import (
    IDEMPOTENT_METHODS,
    Decision,
    Retry,
    backoff,
    classify_error,
    decide,
    is_testing,
    retry_testing_mode,
)

REQUEST = httpx2.Request("GET", "http://127.0.0.1/")
NOW = 1000.0
WALL = 1_800_000_000.0


def fixed(value: float) -> Callable[[], float]:
    return lambda: value


def run(
    policy: Retry | None = None,
    *,
    method: str = "GET",
    keyed: bool = False,
    attempt: int = 1,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    error: BaseException | None = None,
    replayable: bool = True,
    deadline_at: float | None = None,
    rand: float = 0.5,
) -> Decision:
    return decide(
        policy or Retry(),
        method=method,
        keyed=keyed,
        attempt=attempt,
        status=status,
        headers=httpx2.Headers(headers or {}),
        error=error,
        replayable=replayable,
        now=NOW,
        wall=WALL,
        deadline_at=deadline_at,
        rand=fixed(rand),
    )


# -- configuration -----------------------------------------------------------------------


def test_defaults_follow_current_practice() -> None:
    policy = Retry()
    assert policy.attempts == 4  # three retries
    assert (policy.initial_wait, policy.factor, policy.max_wait) == (0.5, 2.0, 8.0)
    assert policy.statuses == {408, 429, 500, 502, 503, 504}
    assert policy.methods == {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}


def test_policy_is_frozen_and_replace_returns_a_copy() -> None:
    policy = Retry()
    with pytest.raises(AttributeError):
        policy.attempts = 9  # type: ignore[misc]
    changed = policy.replace(attempts=9)
    assert (policy.attempts, changed.attempts) == (4, 9)


def test_collections_are_normalised() -> None:
    policy = Retry(statuses=[503], methods=["get", "Put"])
    assert policy.statuses == frozenset({503})
    assert policy.methods == frozenset({"GET", "PUT"})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attempts": 0}, "attempts"),
        ({"attempts": 2.5}, "attempts"),
        ({"attempts": True}, "attempts"),
        ({"initial_wait": -1}, "initial_wait"),
        ({"factor": 0.5}, "factor"),
        ({"max_wait": float("nan")}, "max_wait"),
        ({"max_retry_after": "5"}, "max_retry_after"),
        ({"deadline": 0}, "deadline"),
        ({"statuses": [700]}, "statuses"),
        ({"methods": "GET"}, "methods"),
        ({"idempotency_header": ""}, "idempotency_header"),
        ({"idempotency_header": "bad header"}, r"idempotency_header.*no spaces"),
        ({"initial_wait": float("inf")}, r"initial_wait=\.\.\.\) must be finite"),
        ({"factor": float("inf")}, r"factor=\.\.\.\) must be finite"),
        ({"deadline": float("inf")}, r"deadline=\.\.\.\) must be > 0 seconds and finite"),
        ({"statuses": 503}, r"statuses=\.\.\.\) wants a collection such as \{503\}"),
        ({"statuses": [200]}, r"holds 200: only error statuses"),
        ({"methods": None}, r"methods=\.\.\.\) wants a collection"),
        ({"methods": ["GET", 1]}, r"holds 1, not a method name"),
        ({"jitter": "no"}, r"jitter=\.\.\.\) must be True or False, got 'no'"),
        ({"idempotency_key": 1}, r"idempotency_key=\.\.\.\) must be True or False"),
    ],
)
def test_bad_configuration_is_refused_early(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(tether.ConfigurationError, match=message):
        Retry(**kwargs)


def test_no_cap_and_a_late_retry_do_not_overflow() -> None:
    policy = Retry(attempts=2000, max_wait=float("inf"), jitter=False)
    assert policy.backoff(3, random.random) == 2.0
    assert policy.backoff(1500, random.random) == float("inf")


def test_testing_switches_take_only_booleans() -> None:
    with pytest.raises(tether.ConfigurationError, match="set_testing"):
        Retry.set_testing("no")  # type: ignore[arg-type]
    with (
        pytest.raises(tether.ConfigurationError, match="retry_testing_mode"),
        tether.retry_testing_mode(5),  # type: ignore[arg-type]
    ):
        pass


# -- backoff -----------------------------------------------------------------------------


def test_backoff_without_jitter_doubles_up_to_the_cap() -> None:
    waits = [backoff(n, initial=0.5, factor=2, cap=8, rand=None) for n in range(1, 8)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_backoff_survives_huge_retry_numbers() -> None:
    assert backoff(10_000, initial=0.5, factor=3, cap=8, rand=None) == 8.0


def test_full_jitter_scales_the_ceiling() -> None:
    assert backoff(3, initial=0.5, factor=2, cap=8, rand=fixed(0.25)) == 0.5
    assert backoff(3, initial=0.5, factor=2, cap=8, rand=fixed(0.0)) == 0.0


@given(
    retry_number=st.integers(1, 200),
    initial=st.floats(0, 10),
    factor=st.floats(1, 10),
    cap=st.floats(0, 100),
    draw=st.floats(0, 1, exclude_max=True),
)
def test_property_jitter_stays_within_zero_and_the_capped_ceiling(
    retry_number: int, initial: float, factor: float, cap: float, draw: float
) -> None:
    ceiling = backoff(retry_number, initial=initial, factor=factor, cap=cap, rand=None)
    jittered = backoff(retry_number, initial=initial, factor=factor, cap=cap, rand=fixed(draw))
    assert 0.0 <= jittered <= ceiling <= cap


def test_jitter_can_be_switched_off() -> None:
    assert Retry(jitter=False).backoff(2, fixed(0.1)) == 1.0
    assert Retry().backoff(2, fixed(0.1)) == pytest.approx(0.1)


# -- what is retried ---------------------------------------------------------------------


def connect_error() -> httpx2.ConnectError:
    return httpx2.ConnectError("refused", request=REQUEST)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx2.ConnectError("x", request=REQUEST), "not_sent"),
        (httpx2.ConnectTimeout("x", request=REQUEST), "not_sent"),
        (httpx2.PoolTimeout("x", request=REQUEST), "not_sent"),
        (httpx2.ReadError("x", request=REQUEST), "maybe_sent"),
        (httpx2.ReadTimeout("x", request=REQUEST), "maybe_sent"),
        (httpx2.WriteError("x", request=REQUEST), "maybe_sent"),
        (httpx2.RemoteProtocolError("x", request=REQUEST), "maybe_sent"),
        (httpx2.DecodingError("x", request=REQUEST), "other"),
        (ValueError("bug"), "other"),
    ],
)
def test_errors_are_classified_by_phase(error: BaseException, kind: str) -> None:
    assert classify_error(error) == kind


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_connect_errors_are_retried_for_every_method(method: str) -> None:
    decision = run(method=method, error=connect_error())
    assert decision.retry
    assert decision.reason == "ConnectError"


@pytest.mark.parametrize("method", sorted(IDEMPOTENT_METHODS))
def test_read_errors_are_retried_for_idempotent_methods(method: str) -> None:
    assert run(method=method, error=httpx2.ReadTimeout("slow", request=REQUEST)).retry


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_read_errors_are_not_retried_for_other_methods(method: str) -> None:
    decision = run(method=method, error=httpx2.RemoteProtocolError("gone", request=REQUEST))
    assert not decision.retry
    assert decision.stop == "not_retryable"


def test_read_errors_are_retried_for_keyed_post() -> None:
    assert run(method="POST", keyed=True, error=httpx2.ReadError("x", request=REQUEST)).retry


def test_unknown_errors_are_never_retried() -> None:
    assert run(error=RuntimeError("bug")).stop == "not_retryable"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retry_statuses_are_retried_for_idempotent_methods(status: int) -> None:
    decision = run(status=status)
    assert decision.retry
    assert decision.reason == f"status {status}"


@pytest.mark.parametrize("status", [503, 429])
def test_retry_statuses_are_not_retried_for_post_without_key(status: int) -> None:
    assert run(method="POST", status=status).stop == "not_retryable"
    assert run(method="POST", keyed=True, status=status).retry


@pytest.mark.parametrize("status", [200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 501])
def test_other_statuses_are_final(status: int) -> None:
    decision = run(status=status)
    assert not decision.retry
    assert decision.stop == "done"


def test_a_streamed_body_is_only_resent_when_it_never_left() -> None:
    assert run(replayable=False, status=503).stop == "not_retryable"
    assert run(replayable=False, error=httpx2.ReadError("x", request=REQUEST)).stop == (
        "not_retryable"
    )
    assert run(method="POST", replayable=False, error=connect_error()).retry


def test_attempts_run_out() -> None:
    policy = Retry(attempts=3)
    assert run(policy, status=503, attempt=2).retry
    decision = run(policy, status=503, attempt=3)
    assert not decision.retry
    assert decision.stop == "attempts"


def test_one_attempt_means_no_retry() -> None:
    assert run(Retry(attempts=1), error=connect_error()).stop == "attempts"


# -- the wait ----------------------------------------------------------------------------


def test_backoff_wait_grows_with_the_attempt() -> None:
    policy = Retry(jitter=False)
    assert [run(policy, status=503, attempt=n).wait for n in (1, 2, 3)] == [0.5, 1.0, 2.0]


def test_retry_after_replaces_the_backoff() -> None:
    decision = run(status=429, headers={"Retry-After": "3"})
    assert (decision.wait, decision.retry_after) == (3.0, 3.0)


def test_retry_after_http_date() -> None:
    from email.utils import formatdate

    decision = run(status=503, headers={"Retry-After": formatdate(WALL + 20, usegmt=True)})
    assert decision.wait == pytest.approx(20.0)


def test_ratelimit_reset_replaces_the_backoff() -> None:
    assert run(status=429, headers={"RateLimit": '"api";r=0;t=4'}).wait == 4.0


def test_retry_after_longer_than_allowed_ends_retrying() -> None:
    decision = run(Retry(max_retry_after=10), status=429, headers={"Retry-After": "11"})
    assert not decision.retry
    assert (decision.stop, decision.retry_after) == ("retry_after", 11.0)


def test_retry_after_is_ignored_for_non_retried_statuses() -> None:
    assert run(status=404, headers={"Retry-After": "1"}).stop == "done"


def test_wait_past_the_deadline_ends_retrying() -> None:
    decision = run(status=503, headers={"Retry-After": "5"}, deadline_at=NOW + 4)
    assert (decision.stop, decision.retry_after) == ("deadline", 5.0)
    assert run(status=503, headers={"Retry-After": "3"}, deadline_at=NOW + 4).retry


def test_backoff_past_the_deadline_ends_retrying() -> None:
    policy = Retry(jitter=False, initial_wait=2)
    assert run(policy, status=503, deadline_at=NOW + 1.5).stop == "deadline"
    assert run(policy, status=503, deadline_at=NOW + 2.5).retry


@given(
    status=st.sampled_from(sorted(Retry().statuses)),
    attempt=st.integers(1, 10),
    retry_after=st.none() | st.integers(0, 200),
    deadline=st.none() | st.floats(0.01, 100),
    draw=st.floats(0, 1, exclude_max=True),
)
def test_property_decisions_respect_attempts_caps_and_deadline(
    status: int, attempt: int, retry_after: int | None, deadline: float | None, draw: float
) -> None:
    policy = Retry(attempts=6)
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    deadline_at = None if deadline is None else NOW + deadline
    decision = run(
        policy, status=status, attempt=attempt, headers=headers, deadline_at=deadline_at,
        rand=draw,
    )
    if decision.retry:
        assert attempt < policy.attempts
        limit = policy.max_wait if retry_after is None else retry_after
        assert 0.0 <= decision.wait <= limit <= max(policy.max_wait, policy.max_retry_after)
        assert deadline_at is None or NOW + decision.wait < deadline_at
    else:
        assert decision.stop in {"attempts", "retry_after", "deadline"}
        assert decision.retry_after == (None if retry_after is None else float(retry_after))


# -- testing switch ------------------------------------------------------------------------


def test_testing_mode_is_scoped_and_restored() -> None:
    assert not is_testing()
    with retry_testing_mode():
        assert is_testing()
        with retry_testing_mode(False):
            assert not is_testing()
        assert is_testing()
    assert not is_testing()


def test_set_testing_switches_process_wide() -> None:
    try:
        Retry.set_testing(True)
        assert is_testing()
    finally:
        Retry.set_testing(False)
    assert not is_testing()


def test_public_names() -> None:
    assert tether.Retry is Retry
    assert tether.retry_testing_mode is retry_testing_mode
