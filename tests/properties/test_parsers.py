"""Every parser of outside input, under generated input: it never crashes, and where the
format allows, what one side writes the other reads back exactly."""

from __future__ import annotations

import contextlib
import json
import math
import time
from email.utils import formatdate

import httpx2
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import tether
from tether._headers import (
    parse_quota_fields,
    parse_ratelimit,
    parse_ratelimit_policy,
    parse_retry_after,
    parse_retry_after_ms,
    ratelimit_wait,
    server_wait,
)
from tether._ratelimit._rate import parse_rate
from tether.sandbox import FaultConfigError, FaultSet, RateLimitConfigError, parse_fault_rule
from tether.sandbox._faults import parse_delay, parse_fault_set
from tether.sandbox._limits import LimitDecision, Quota, Rate, rate_limit_headers

FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# Header values as a server may send them: printable text with the delimiters that matter
# to these formats overrepresented.
_DELIMS = st.sampled_from(list(',;="<> \t/:.-0123456789abcdefqrtwAZ'))
header_text = st.one_of(
    st.text(max_size=80),
    st.lists(_DELIMS, max_size=60).map("".join),
)


def _finite_or_none(value: float | None) -> bool:
    return value is None or (math.isfinite(value) and value >= 0)


# -- Retry-After -----------------------------------------------------------------------------


@FUZZ
@given(header_text, st.floats(min_value=0, max_value=4e9))
@example("Thu, 01 Jan 1970 00:02:00 GMT", 60.0)
@example("9" * 400, 0.0)
@example("Fri, 31 Dec 9999 23:59:59 GMT", 0.0)
def test_retry_after_never_crashes_and_is_never_negative(value: str, now: float) -> None:
    assert _finite_or_none(parse_retry_after(value, now=now))
    assert _finite_or_none(parse_retry_after_ms(value))


@FUZZ
@given(st.integers(min_value=0, max_value=10**9))
def test_retry_after_seconds_round_trip(seconds: int) -> None:
    assert parse_retry_after(str(seconds), now=0) == seconds


@FUZZ
@given(st.integers(min_value=0, max_value=2**31), st.integers(min_value=0, max_value=10**6))
def test_retry_after_http_date_round_trips(now: int, ahead: int) -> None:
    header = formatdate(now + ahead, usegmt=True)
    assert parse_retry_after(header, now=now) == ahead


# -- Link ------------------------------------------------------------------------------------

_url_part = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]),
                    min_size=1, max_size=12)
_rel = st.sampled_from(["next", "prev", "first", "last", "self", "alternate"])


@FUZZ
@given(header_text, st.sampled_from([None, "https://api.example/p?page=1", "::bad::"]))
def test_link_header_never_crashes(value: str, base: str | None) -> None:
    for link in tether.parse_link_header(value, base):
        assert isinstance(link.url, str)
        assert all(rel == rel.lower() for rel in link.rels)
        repr(link)


@FUZZ
@given(st.lists(st.tuples(_url_part, _url_part, _rel, st.booleans()), max_size=6))
def test_link_header_round_trips(links: list[tuple[str, str, str, bool]]) -> None:
    written = ", ".join(
        f'<https://api.example/{path}?page={page}>; rel={f"{rel!s}" if bare else f"{rel!r}"}'
        .replace("'", '"')
        for path, page, rel, bare in links
    )
    parsed = tether.parse_link_header(written)
    assert [(link.url, link.rels) for link in parsed] == [
        (f"https://api.example/{path}?page={page}", (rel,)) for path, page, rel, _ in links
    ]


# -- RateLimit, RateLimit-Policy, X-RateLimit-* ------------------------------------------------


@FUZZ
@given(header_text)
def test_ratelimit_fields_never_crash(value: str) -> None:
    for item in parse_ratelimit(value):
        assert item.reset is None or item.reset >= 0
    for policy in parse_ratelimit_policy(value):
        assert policy.quota >= 1
        assert policy.window is None or policy.window > 0


@FUZZ
@given(st.dictionaries(
    st.sampled_from(["retry-after", "retry-after-ms", "ratelimit", "ratelimit-policy",
                     "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                     "ratelimit-reset", "ratelimit-remaining", "x-rate-limit-reset"]),
    header_text, max_size=5),
    st.floats(min_value=0, max_value=4e9))
def test_header_sets_never_crash(headers: dict[str, str], now: float) -> None:
    assert _finite_or_none(server_wait(headers, now=now))
    assert _finite_or_none(ratelimit_wait(headers, now=now))
    for prefix in ("x-ratelimit-", "ratelimit-"):
        fields = parse_quota_fields(headers, now=now, prefix=prefix)
        if fields is not None:
            assert fields.remaining is None or fields.remaining >= 0
            assert fields.reset is None or fields.reset >= 0


_sandbox_rates = st.builds(Rate, st.integers(1, 10**6), st.sampled_from([1, 2, 5, 60, 3600,
                                                                          86400, 7, 120]))


@FUZZ
@given(st.lists(st.tuples(_sandbox_rates, st.integers(0, 10**6), st.integers(1, 86400)),
                min_size=1, max_size=3, unique_by=lambda q: q[0].name),
       st.booleans(), st.integers(10**9, 2 * 10**9))
def test_what_the_sandbox_writes_the_client_reads_back(
    quotas: list[tuple[Rate, int, int]], allowed: bool, now: int
) -> None:
    decision = LimitDecision(
        allowed=allowed or not any(used >= rate.limit for rate, used, _ in quotas),
        quotas=tuple(Quota(rate, used, now + reset_in, reset_in)
                     for rate, used, reset_in in quotas),
    )
    headers = dict(rate_limit_headers(decision))
    policies = parse_ratelimit_policy(headers["RateLimit-Policy"])
    assert [(p.policy, p.quota, p.window) for p in policies] == [
        (rate.name, rate.limit, float(rate.period)) for rate, _, _ in quotas]
    states = parse_ratelimit(headers["RateLimit"])
    assert [(s.policy, s.remaining, s.reset) for s in states] == [
        (q.rate.name, q.remaining, float(q.reset_in)) for q in decision.quotas]
    fields = parse_quota_fields(headers | {k.lower(): v for k, v in headers.items()}, now=now)
    binding = decision.binding
    assert fields is not None
    assert binding is not None
    assert (fields.limit, fields.remaining, fields.reset) == (
        binding.rate.limit, binding.remaining, float(binding.reset_in))


# -- rate strings ------------------------------------------------------------------------------


@FUZZ
@given(header_text)
@example("1/0s")
@example("1e400/s")
@example("9" * 500 + "/s")
def test_rate_strings_never_crash(text: str) -> None:
    try:
        rate = parse_rate(text)
    except tether.ConfigurationError:
        pass
    else:
        assert rate.limit >= 1
        assert rate.period > 0
    with contextlib.suppress(RateLimitConfigError):
        Rate.parse(text)


@FUZZ
@given(st.integers(1, 10**9), st.sampled_from([1.0, 60.0, 3600.0, 86400.0, 2.0, 0.5, 10.0]))
def test_client_rates_round_trip(limit: int, period: float) -> None:
    rate = tether.Rate(limit, period)
    assert parse_rate(str(rate)) == rate


@FUZZ
@given(_sandbox_rates)
def test_sandbox_rates_round_trip(rate: Rate) -> None:
    assert Rate.parse(rate.name) == rate


# -- fault rules -------------------------------------------------------------------------------

_routes = st.sampled_from(["*", "GET /posts*", "POST /todos", "/users/*", "GET *"])
_delay = st.floats(min_value=0, max_value=60, allow_nan=False)
_kinds = st.one_of(
    st.fixed_dictionaries({"kind": st.just("status"),
                           "status": st.sampled_from([429, 500, 502, 503, 504]),
                           "after": st.booleans()},
                          optional={"retry_after": st.integers(0, 3600).map(str)}),
    st.tuples(_delay, _delay).map(lambda pair: {"kind": "latency",
                                                "delay": f"{min(pair)!r}..{max(pair)!r}s"}),
    st.fixed_dictionaries({"kind": st.just("reset"), "after": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("truncate"),
                           "fraction": st.floats(0, 1, exclude_max=True)}),
    st.fixed_dictionaries({"kind": st.just("malformed"), "body": st.text(max_size=20),
                           "after": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("drip"), "duration": _delay.map(lambda d: f"{d!r}s"),
                           "chunks": st.integers(1, 100)}),
)
rule_specs = st.tuples(_routes, st.floats(0, 1), _kinds,
                       st.one_of(st.none(), st.integers(1, 100))).map(
    lambda t: {"route": t[0], "probability": t[1], **t[2],
               **({} if t[3] is None else {"times": t[3]})})


@FUZZ
@given(rule_specs)
def test_fault_rules_round_trip_through_their_dict_form(spec: dict[str, object]) -> None:
    rule = parse_fault_rule(spec)
    assert parse_fault_rule(rule.to_dict()) == rule
    # ... and through the file format, JSON and YAML alike.
    text = json.dumps(FaultSet(rules=(rule,), seed=3).to_dict())
    assert parse_fault_set(json.loads(text)).rules == (rule,)
    assert parse_fault_set(yaml.safe_load(yaml.safe_dump(json.loads(text)))).rules == (rule,)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)


@FUZZ
@given(st.one_of(
    _json_values,
    st.dictionaries(st.sampled_from(["route", "probability", "kind", "times", "status",
                                     "delay", "after", "fraction", "body", "duration",
                                     "chunks", "retry_after"]),
                    _json_values | st.sampled_from(["status", "latency", "reset", "drip",
                                                    "truncate", "malformed", "5%", "1s"]),
                    max_size=6),
))
def test_any_decoded_rule_file_is_parsed_or_refused_with_a_clear_error(data: object) -> None:
    try:
        parse_fault_set(data, source="rules.yaml")
    except FaultConfigError as exc:
        message = str(exc)
    else:
        return
    assert message.startswith(("rules.yaml", "fault rule")), message


@FUZZ
@given(header_text)
def test_rule_file_text_never_crashes_the_loader(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.getbasetemp() / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        tether.sandbox.load_fault_file(path)
    except FaultConfigError as exc:
        message = str(exc)
    else:
        return
    assert "rules.yaml" in message


@FUZZ
@given(header_text)
def test_delays_never_crash(text: str) -> None:
    try:
        low, high = parse_delay(text)
    except FaultConfigError:
        return
    assert 0 <= low <= high <= 60


# -- redaction ---------------------------------------------------------------------------------

# Secrets made of URL-safe characters that do not occur in the surrounding text, so a
# leftover anywhere is a real leak and not a coincidence.
secrets = st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ23456789", min_size=12, max_size=40)
_sensitive_params = st.sampled_from(["api_key", "token", "access_token", "client_secret",
                                     "password", "sig", "X-Goog-Api-Key", "private_token"])
_sensitive_headers = st.sampled_from(["Authorization", "X-API-Key", "Cookie", "X-Auth-Token",
                                      "Proxy-Authorization", "X-Session-Id"])
_plain = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


@FUZZ
@given(secrets, _sensitive_params, st.lists(st.tuples(_plain, _plain), max_size=3),
       st.booleans(), st.booleans())
def test_url_redaction_never_leaves_a_credential(
    secret: str, name: str, others: list[tuple[str, str]], userinfo: bool, fragment: bool
) -> None:
    params = [*others, (name, secret)]
    url = httpx2.URL("https://api.example/v1/items", params=params)
    if userinfo:
        url = url.copy_with(username="me", password=secret)
    if fragment:
        url = url.copy_with(fragment=f"access_token={secret}&state=x")
    shown = tether._redact.redact_url(url)  # type: ignore[attr-defined]
    assert secret not in shown
    assert secret not in tether._redact.redact_url(str(url))  # type: ignore[attr-defined]
    for key, value in others:
        assert f"{key}={value}" in shown


@FUZZ
@given(header_text)
def test_url_redaction_never_crashes(text: str) -> None:
    assert isinstance(tether._redact.redact_url(text), str)  # type: ignore[attr-defined]


@FUZZ
@given(secrets, _sensitive_headers, st.sampled_from(["Bearer ", "Basic ", "", "token="]))
def test_header_redaction_never_leaves_a_credential(secret: str, name: str,
                                                    scheme: str) -> None:
    from tether._redact import mask_request, redact_headers, redact_text

    headers = {name: scheme + secret, "Accept": "application/json"}
    assert secret not in repr(redact_headers(headers))
    request = httpx2.Request("GET", "https://api.example/", headers=headers)
    mask_request(request)
    assert secret not in repr(request.headers)
    assert secret not in repr(request)
    if name != "X-Session-Id":  # free text: the standard credential headers are known
        assert secret not in redact_text(f"sent {name}: {scheme}{secret} and failed")


@FUZZ
@given(secrets, _plain)
def test_registered_names_are_redacted_everywhere(secret: str, name: str) -> None:
    from tether._redact import redact_data, redact_headers, redact_url

    registered = f"appid{name}"
    tether.APIKeyAuth(secret, name=registered, location="query")
    tether.APIKeyAuth(secret, name=registered, location="header")
    assert secret not in redact_url(f"https://api.example/?{registered}={secret}&page=2")
    assert secret not in repr(redact_headers({registered: secret}))
    assert secret not in repr(redact_data({registered: secret, "list": [{registered: secret}]}))


@FUZZ
@given(_json_values)
def test_data_redaction_never_crashes_and_keeps_the_shape(value: object) -> None:
    from tether._redact import redact_data

    redacted = redact_data(value)
    assert type(redacted) is type(value)


@pytest.mark.parametrize("now", [0.0, time.time()])
def test_parsers_accept_what_they_document(now: float) -> None:
    # Anchors the properties: the fuzzed parsers do read real values.
    assert parse_retry_after("120", now=now) == 120
    assert parse_ratelimit_policy('"burst";q=100;w=60')[0].quota == 100
    assert tether.parse_link_header('<https://a.example/?p=2>; rel="next"')[0].rels == ("next",)
