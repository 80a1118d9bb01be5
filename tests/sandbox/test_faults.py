"""Fault rules: parsing (files, dicts, flags), route matching and seeded, pure selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.sandbox._faults import (
    DripFault,
    FaultConfigError,
    FaultInjector,
    FaultRule,
    FaultSet,
    LatencyFault,
    MalformedFault,
    ResetFault,
    RoutePattern,
    StatusFault,
    TruncateFault,
    decide,
    draw,
    faults_from_flags,
    fresh_counts,
    load_fault_file,
    parse_delay,
    parse_duration,
    parse_fault_rule,
    parse_fault_set,
)

# ------------------------------------------------------------------ durations and delays


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("150ms", 0.15), ("2s", 2.0), ("2", 2.0), (".5s", 0.5), ("0", 0.0), (1, 1.0), (0.25, 0.25)],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "fast", "-1s", "2 minutes", "61s", True, None, "1..2s"])
def test_parse_duration_rejects(text: object) -> None:
    with pytest.raises(FaultConfigError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20..200ms", (0.02, 0.2)),
        ("0.5s..2s", (0.5, 2.0)),
        ("100ms..1s", (0.1, 1.0)),
        ("150ms", (0.15, 0.15)),
        (0.3, (0.3, 0.3)),
    ],
)
def test_parse_delay(text: object, expected: tuple[float, float]) -> None:
    assert parse_delay(text) == pytest.approx(expected)


def test_parse_delay_rejects_backwards_range() -> None:
    with pytest.raises(FaultConfigError, match="backwards"):
        parse_delay("200..20ms")


@given(low=st.integers(0, 30_000), span=st.integers(0, 30_000))
def test_delay_range_round_trips_in_milliseconds(low: int, span: int) -> None:
    parsed = parse_delay(f"{low}..{low + span}ms")
    assert parsed == pytest.approx((low / 1000, (low + span) / 1000))


@given(st.text(max_size=20))
def test_delay_parser_never_fails_with_anything_but_config_error(text: str) -> None:
    try:
        low, high = parse_delay(text)
    except FaultConfigError:
        return
    assert 0.0 <= low <= high <= 60.0


# ------------------------------------------------------------------------ routes


@pytest.mark.parametrize(
    ("pattern", "method", "path", "expected"),
    [
        ("*", "DELETE", "/anything/at/all", True),
        ("GET /posts*", "GET", "/posts", True),
        ("GET /posts*", "GET", "/posts/1/comments", True),
        ("GET /posts*", "POST", "/posts", False),
        ("GET /posts*", "GET", "/users/1/posts", False),
        ("get,post /posts", "POST", "/posts", True),
        ("GET|PUT /posts/*", "PUT", "/posts/7", True),
        ("GET|PUT /posts/*", "PUT", "/posts", False),
        ("/users/*", "PATCH", "/users/3", True),
        ("POST", "POST", "/todos", True),
        ("POST", "GET", "/todos", False),
        ("* /todos", "PATCH", "/todos", True),
    ],
)
def test_route_matching(pattern: str, method: str, path: str, expected: bool) -> None:
    assert RoutePattern.parse(pattern).matches(method, path) is expected


@pytest.mark.parametrize(
    "pattern", ["", "   ", "GET posts", "G3T /x", "GET /a /b", "GETT /posts", "posts"]
)
def test_route_pattern_errors_name_the_pattern(pattern: str) -> None:
    with pytest.raises(FaultConfigError, match="route"):
        RoutePattern.parse(pattern)


@pytest.mark.parametrize(("pattern", "bad"), [("GETT /posts", "GETT"), ("get,psot /x", "PSOT")])
def test_route_pattern_refuses_a_misspelt_method(pattern: str, bad: str) -> None:
    # A typo would otherwise make a rule that silently matches nothing.
    with pytest.raises(FaultConfigError, match=f"'{bad}' is not an HTTP method"):
        RoutePattern.parse(pattern)


# ------------------------------------------------------------------------- rules


def test_rule_of_each_kind_parses() -> None:
    specs = [
        {"kind": "status", "status": 429, "retry_after": 2, "probability": "20%"},
        {"kind": "latency", "delay": "20..200ms", "route": "GET /posts*"},
        {"kind": "reset", "after": True, "route": "POST /posts"},
        {"kind": "truncate", "fraction": 0.25},
        {"kind": "malformed", "body": "<html>oops</html>"},
        {"kind": "drip", "duration": "1s", "chunks": 4},
    ]
    rules = [parse_fault_rule(spec) for spec in specs]
    assert rules[0].fault == StatusFault(status=429, retry_after="2")
    assert rules[0].probability == pytest.approx(0.2)
    assert rules[1].fault == LatencyFault(low=0.02, high=0.2)
    assert rules[2].fault == ResetFault(after=True)
    assert rules[3].fault == TruncateFault(fraction=0.25)
    assert rules[4].fault == MalformedFault(body="<html>oops</html>")
    assert rules[5].fault == DripFault(duration=1.0, chunks=4)
    # The dictionary form round-trips, which is what GET /_sandbox/faults relies on.
    assert [parse_fault_rule(rule.to_dict()) for rule in rules] == rules


def test_retry_after_accepts_an_http_date() -> None:
    rule = parse_fault_rule({"kind": "status", "retry_after": "Wed, 21 Oct 2026 07:28:00 GMT"})
    assert isinstance(rule.fault, StatusFault)
    assert rule.fault.retry_after == "Wed, 21 Oct 2026 07:28:00 GMT"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "explode"}, "'kind' must be one of"),
        ({"kind": "status", "status": 99}, "status must be an integer from 200 to 599"),
        # A 1xx cannot be a final response: the server failed with no answer at all.
        ({"kind": "status", "status": 101}, "status must be an integer from 200 to 599"),
        ({"kind": "status", "retry_after": "soon"}, "retry_after must be whole seconds"),
        ({"kind": "status", "probability": 1.5}, "probability must be"),
        ({"kind": "status", "probability": "lots"}, "probability must be"),
        ({"kind": "status", "delay": "1s"}, "unknown key 'delay'"),
        ({"kind": "latency"}, "needs 'delay'"),
        ({"kind": "truncate", "fraction": 1}, "fraction"),
        ({"kind": "malformed", "body": '{"valid": true}'}, "not valid JSON"),
        ({"kind": "drip", "chunks": 0}, "chunks"),
        ({"kind": "reset", "after": "yes"}, r"\(reset\) after: expected true or false"),
        ({"kind": "malformed", "after": 1}, r"\(malformed\) after: expected true or false"),
        ({"kind": "status", "route": "GET posts"}, "must start with"),
    ],
)
def test_rule_errors_say_what_is_wrong(spec: dict[str, object], message: str) -> None:
    with pytest.raises(FaultConfigError, match=message):
        parse_fault_rule(spec)


def test_rule_set_error_names_the_rule_number() -> None:
    with pytest.raises(FaultConfigError, match=r"fault rule 2 \(status\)"):
        parse_fault_set([{"kind": "reset"}, {"kind": "status", "status": "x"}])


def test_rule_set_forms() -> None:
    bare = parse_fault_set([{"kind": "reset"}])
    wrapped = parse_fault_set({"seed": 9, "rules": [{"kind": "reset"}]})
    assert bare.rules == wrapped.rules
    assert (bare.seed, wrapped.seed) == (None, 9)
    with pytest.raises(FaultConfigError, match="unknown key 'rule'"):
        parse_fault_set({"rule": []})
    with pytest.raises(FaultConfigError, match="seed must be an integer"):
        parse_fault_set({"seed": "x", "rules": []})


def test_load_yaml_and_json_files(tmp_path: Path) -> None:
    yaml_file = tmp_path / "drill.yaml"
    yaml_file.write_text(
        "seed: 7\n"
        "rules:\n"
        "  - {route: 'GET /posts*', probability: 0.2, kind: status, status: 503}\n"
        "  - route: '*'\n"
        "    kind: latency\n"
        "    delay: 20..200ms\n"
    )
    json_file = tmp_path / "drill.json"
    json_file.write_text(json.dumps(load_fault_file(yaml_file).to_dict()))
    assert load_fault_file(json_file) == load_fault_file(yaml_file)
    assert load_fault_file(yaml_file).seed == 7
    assert len(load_fault_file(yaml_file).rules) == 2


def test_load_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(FaultConfigError, match="cannot read it"):
        load_fault_file(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n")
    with pytest.raises(FaultConfigError, match=r"broken\.yaml.*not valid JSON or YAML") as err:
        load_fault_file(broken)
    # One line pointing into the file, not PyYAML's multi-line dump naming "<unicode string>".
    message = str(err.value)
    assert "line 2, column 1: expected the node content" in message
    assert "\n" not in message
    assert "unicode string" not in message


def test_flags_become_catch_all_rules() -> None:
    rules = faults_from_flags(fail_rate=0.1, fail_status=502, latency="20..200ms", reset_rate=0.01)
    assert [rule.fault.kind for rule in rules] == ["latency", "reset", "status"]
    assert all(rule.route.text == "*" for rule in rules)
    assert rules[2].fault == StatusFault(status=502)
    assert rules[2].probability == pytest.approx(0.1)
    assert faults_from_flags(fail_rate=0.5)[0].fault == StatusFault(status=503)
    assert faults_from_flags() == ()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"fail_status": 503}, "--fail-status needs --fail-rate"),
        ({"fail_rate": 2.0}, "--fail-rate"),
        ({"reset_rate": -0.1}, "--reset-rate"),
        ({"latency": "slow"}, "--latency"),
        ({"fail_rate": 0.1, "fail_status": 42}, "--fail-status"),
    ],
)
def test_flag_errors_name_the_flag(flags: dict[str, object], message: str) -> None:
    with pytest.raises(FaultConfigError, match=message):
        faults_from_flags(**flags)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- deciding


@given(
    seed=st.integers(0, 2**32),
    rule=st.integers(0, 50),
    count=st.integers(0, 10**6),
)
def test_draw_is_a_pure_uniform_number(seed: int, rule: int, count: int) -> None:
    value = draw(seed, rule, count, "fire")
    assert 0.0 <= value < 1.0
    assert value == draw(seed, rule, count, "fire")


def _rule(route: str, probability: float, **spec: object) -> FaultRule:
    return parse_fault_rule({"route": route, "probability": probability, **spec})


def _run(
    rules: list[FaultRule], seed: int, requests: list[tuple[str, str]]
) -> list[tuple[float, str | None]]:
    counts = fresh_counts(rules)
    outcomes = []
    for method, path in requests:
        decision, counts = decide(rules, seed, counts, method, path)
        outcomes.append((decision.delay, decision.fault.kind if decision.fault else None))
    return outcomes


REQUESTS = [("GET", "/posts"), ("POST", "/posts"), ("GET", "/posts/3"), ("GET", "/users")] * 100


def test_same_seed_same_sequence_same_faults() -> None:
    rules = [
        _rule("*", 1.0, kind="latency", delay="10..50ms"),
        _rule("GET /posts*", 0.3, kind="status", status=503),
        _rule("POST", 0.2, kind="reset", after=True),
    ]
    first = _run(rules, 7, REQUESTS)
    assert first == _run(rules, 7, REQUESTS)
    assert first != _run(rules, 8, REQUESTS)
    delays = [delay for delay, _ in first]
    assert all(0.01 <= delay <= 0.05 for delay in delays)
    assert len(set(delays)) > 100


def test_probability_is_honoured_over_many_requests() -> None:
    rules = [_rule("*", 0.2, kind="status")]
    outcomes = _run(rules, 3, [("GET", "/x")] * 5000)
    fired = sum(kind == "status" for _, kind in outcomes)
    assert 900 <= fired <= 1100


def test_probability_zero_and_one() -> None:
    never = _run([_rule("*", 0.0, kind="reset")], 1, [("GET", "/x")] * 200)
    always = _run([_rule("*", 1.0, kind="reset")], 1, [("GET", "/x")] * 200)
    assert {kind for _, kind in never} == {None}
    assert {kind for _, kind in always} == {"reset"}


def test_a_rule_sequence_ignores_requests_it_does_not_match() -> None:
    # Interleaving other traffic must not change which /posts requests fail.
    rules = [_rule("GET /posts", 0.5, kind="status")]
    alone = _run(rules, 5, [("GET", "/posts")] * 50)
    mixed = _run(rules, 5, [("GET", "/posts"), ("GET", "/users")] * 50)
    assert alone == mixed[::2]
    assert {kind for _, kind in mixed[1::2]} == {None}


def test_first_firing_rule_wins_and_latency_adds_up() -> None:
    rules = [
        _rule("*", 1.0, kind="latency", delay="100ms"),
        _rule("*", 1.0, kind="latency", delay="50ms"),
        _rule("*", 1.0, kind="malformed"),
        _rule("*", 1.0, kind="reset"),
    ]
    decision, counts = decide(rules, 1, fresh_counts(rules), "GET", "/x")
    assert decision.delay == pytest.approx(0.15)
    assert isinstance(decision.fault, MalformedFault)
    assert decision.fired == ("latency", "latency", "malformed")
    assert counts == ((1, 1), (1, 1), (1, 1), (1, 0))


def test_times_caps_how_often_a_rule_fires() -> None:
    rules = [_rule("POST /posts", 1.0, kind="reset", after=True, times=2)]
    outcomes = _run(rules, 1, [("POST", "/posts")] * 5)
    assert [kind for _, kind in outcomes] == ["reset", "reset", None, None, None]
    assert parse_fault_rule(rules[0].to_dict()) == rules[0]
    with pytest.raises(FaultConfigError, match="times must be"):
        parse_fault_rule({"kind": "reset", "times": -1})


def test_injector_counts_replaces_and_restores() -> None:
    configured = FaultSet(rules=(_rule("*", 1.0, kind="status"),))
    injector = FaultInjector(configured, default_seed=1)
    assert injector.decide("GET", "/x").fault == StatusFault()
    injector.replace(FaultSet(rules=(_rule("*", 1.0, kind="reset"),), seed=42))
    assert injector.seed == 42
    assert injector.decide("GET", "/x").fault == ResetFault()
    assert injector.injected() == {"status": 1, "reset": 1}
    injector.restore()
    assert injector.current == configured
    assert injector.seed == 1
    assert injector.injected() == {}


def test_injector_restarts_sequences_on_replace() -> None:
    rules = FaultSet(rules=(_rule("*", 0.5, kind="status"),))
    injector = FaultInjector(rules, default_seed=11)
    first = [injector.decide("GET", "/x").fault for _ in range(40)]
    injector.replace(rules)
    assert [injector.decide("GET", "/x").fault for _ in range(40)] == first


@given(st.text(max_size=30))
def test_route_parser_only_raises_config_errors(text: str) -> None:
    try:
        pattern = RoutePattern.parse(text)
    except FaultConfigError:
        return
    assert pattern.path.startswith(("/", "*"))
    assert pattern.matches("GET", "/posts") in (True, False)


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 700), st.floats(-1, 2), st.text(max_size=12)
)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "kind",
                "route",
                "probability",
                "times",
                "status",
                "retry_after",
                "after",
                "delay",
                "fraction",
                "body",
                "duration",
                "chunks",
                "other",
            ]
        ),
        _VALUES,
    ),
    st.sampled_from(["status", "latency", "reset", "truncate", "malformed", "drip"]),
)
def test_rule_parser_only_raises_config_errors(spec: dict[str, object], kind: str) -> None:
    spec.setdefault("kind", kind)
    try:
        rule = parse_fault_rule(spec)
    except FaultConfigError:
        return
    assert 0.0 <= rule.probability <= 1.0
    assert parse_fault_rule(rule.to_dict()) == rule
