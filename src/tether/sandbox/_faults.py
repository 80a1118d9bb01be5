"""Fault rules for the sandbox: what they are, how they are written, which request meets one.

A rule has a route pattern (``"GET /posts*"``, ``"*"``), a probability and a fault:

``status``
    answer with a status (503, 429 ...) and optionally ``Retry-After``, without running the
    handler (or after it, with ``after: true``: the write happened, the answer says it failed);
``latency``
    wait a fixed time or a uniformly drawn time from a range before the handler runs;
``reset``
    drop the connection with a TCP reset and no response; ``after: true`` runs the handler
    first, so the request is processed but its response is lost;
``truncate``
    send the headers with the full ``Content-Length``, part of the body, then close;
``malformed``
    answer 200 with a body that is not valid JSON;
``drip``
    send the real response slowly, in chunks spread over a duration.

This module is pure: no sleeping, no sockets. Which request meets which fault is decided by
:func:`decide` from the seed, the rule's position and how many requests that rule has
matched so far, so the same request sequence meets the same faults on every run with the
same seed. :class:`FaultInjector` is the small stateful holder the middleware uses.

Example rule file (JSON or YAML)::

    seed: 7
    rules:
      - {route: "GET /posts*", probability: 0.2, kind: status, status: 503, retry_after: 2}
      - {route: "*", probability: 1, kind: latency, delay: "20..200ms"}
      - {route: "POST /posts", probability: 0.1, kind: reset, after: true}
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias, TypeGuard

import yaml

from tether._errors import ConfigurationError

__all__ = [
    "DripFault",
    "Fault",
    "FaultConfigError",
    "FaultDecision",
    "FaultInjector",
    "FaultKind",
    "FaultRule",
    "FaultSet",
    "LatencyFault",
    "MalformedFault",
    "ResetFault",
    "RoutePattern",
    "StatusFault",
    "TruncateFault",
    "decide",
    "draw",
    "faults_from_flags",
    "fresh_counts",
    "load_fault_file",
    "parse_delay",
    "parse_duration",
    "parse_fault_rule",
    "parse_fault_set",
    "rules_from_any",
]

FaultKind: TypeAlias = Literal["status", "latency", "reset", "truncate", "malformed", "drip"]

# What a ``malformed`` fault sends unless told otherwise: JSON cut off mid-string.
DEFAULT_MALFORMED_BODY = '{"error": "upstream sent half a docum'

# Faults hold a request up for at most this long, so a typo ("200s" for "200ms") cannot
# hang a test run for hours.
MAX_DELAY = 60.0


class FaultConfigError(ConfigurationError):
    """A fault rule, rule file or fault flag could not be understood.

    The message names the rule or flag, what was wrong and what is accepted.
    """


# --------------------------------------------------------------------------- durations

_DURATION = re.compile(r"^\s*((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(ms|s)?\s*$")


def parse_duration(value: object, *, what: str = "duration") -> float:
    """Seconds from ``"150ms"``, ``"1.5s"``, ``"2"`` or a number (seconds).

    >>> parse_duration("150ms")
    0.15
    """
    if isinstance(value, bool):
        raise FaultConfigError(f"{what}: expected a duration like '150ms' or '2s', got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        number, unit = match.groups()
        seconds = float(number) / (1000.0 if unit == "ms" else 1.0)
    else:
        raise FaultConfigError(
            f"{what}: expected a duration like '150ms', '2s' or a number of seconds, got {value!r}"
        )
    if not 0.0 <= seconds <= MAX_DELAY:
        raise FaultConfigError(
            f"{what}: {value!r} is outside 0..{MAX_DELAY:g} seconds; faults may delay a "
            "request by at most a minute"
        )
    return seconds


def parse_delay(value: object, *, what: str = "delay") -> tuple[float, float]:
    """A fixed delay or a uniform range, as ``(low, high)`` seconds.

    ``"20..200ms"`` gives ``(0.02, 0.2)``: a bare lower bound takes the upper bound's unit.
    ``"0.5s..2s"`` and ``"150ms"`` (fixed, low == high) work too.

    >>> parse_delay("20..200ms")
    (0.02, 0.2)
    """
    if isinstance(value, str) and ".." in value:
        low_text, _, high_text = value.partition("..")
        high_match = _DURATION.match(high_text)
        low_match = _DURATION.match(low_text)
        if high_match is None or low_match is None:
            raise FaultConfigError(
                f"{what}: expected a range like '20..200ms' or '0.5s..2s', got {value!r}"
            )
        if low_match.group(2) is None and high_match.group(2) is not None:
            low_text = low_match.group(1) + high_match.group(2)
        low = parse_duration(low_text, what=what)
        high = parse_duration(high_text, what=what)
        if low > high:
            raise FaultConfigError(f"{what}: the range {value!r} runs backwards; write low..high")
        return low, high
    try:
        seconds = parse_duration(value, what=what)
    except FaultConfigError:
        if isinstance(value, str) and _DASHED_RANGE.match(value):
            first, last = re.split("[-\u2013]", value.strip(), maxsplit=1)
            raise FaultConfigError(
                f"{what}: {value!r} looks like a range; write ranges with two dots, such as "
                f"'{first.strip()}..{last.strip()}' (or one delay, such as '150ms')"
            ) from None
        raise
    return seconds, seconds


# "20-200ms", "0.5s - 2s": a range written with a dash instead of "..".
_DASHED_RANGE = re.compile(r"^\s*\d+(\.\d+)?\s*(ms|s)?\s*[-\u2013]\s*\d+(\.\d+)?\s*(ms|s)?\s*$")


# ---------------------------------------------------------------------------- routes

# The methods a request to the sandbox can carry; anything else in a pattern is a typo
# ("GETT") that would otherwise match nothing, silently.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@dataclass(frozen=True, slots=True)
class RoutePattern:
    """Which requests a rule applies to: methods (``None`` for any) and a path glob.

    Written as ``"GET /posts*"``, ``"GET,POST /posts/*"``, ``"/users/*"`` (any method),
    ``"POST"`` (any path) or ``"*"`` (everything). The glob is matched against the path
    without the query string; ``*`` also matches ``/``.
    """

    text: str
    methods: frozenset[str] | None
    path: str

    @classmethod
    def parse(cls, text: str) -> RoutePattern:
        """Parse a route pattern; raises :class:`FaultConfigError` with the reason."""
        if not isinstance(text, str) or not text.strip():
            raise FaultConfigError(
                f"route: expected a pattern like 'GET /posts*' or '*', got {text!r}"
            )
        parts = text.split()
        if len(parts) > 2:
            raise FaultConfigError(
                f"route {text!r}: expected '[METHODS] PATH', e.g. 'GET,POST /posts*'"
            )
        if len(parts) == 1:
            only = parts[0]
            if only.startswith(("/", "*")):
                return cls(text=text.strip(), methods=None, path=only)
            method_text, path = only, "*"
        else:
            method_text, path = parts
            if not path.startswith(("/", "*")):
                raise FaultConfigError(
                    f"route {text!r}: the path {path!r} must start with '/' or '*'"
                )
        if method_text == "*":
            return cls(text=" ".join(parts), methods=None, path=path)
        methods = frozenset(m.strip().upper() for m in re.split(r"[,|]", method_text))
        bad = sorted(methods - set(_METHODS))
        if bad:
            raise FaultConfigError(
                f"route {text!r}: {bad[0]!r} is not an HTTP method (use "
                f"{', '.join(_METHODS)}); write e.g. 'GET,POST /posts*'"
            )
        return cls(text=" ".join(parts), methods=methods, path=path)

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with ``method`` and ``path`` (no query string) is covered."""
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return fnmatch.fnmatchcase(path, self.path)


# ---------------------------------------------------------------------------- faults


@dataclass(frozen=True, slots=True)
class StatusFault:
    """Answer with ``status`` (and ``Retry-After`` when given) instead of the real response."""

    kind: ClassVar[FaultKind] = "status"
    status: int = 503
    retry_after: str | None = None
    """Delay-seconds (``"2"``) or an HTTP-date, sent verbatim as ``Retry-After``."""
    after: bool = False
    """Run the handler first (the write happens), then answer with ``status``."""


@dataclass(frozen=True, slots=True)
class LatencyFault:
    """Delay the request by a time drawn uniformly from ``low..high`` seconds."""

    kind: ClassVar[FaultKind] = "latency"
    low: float = 0.1
    high: float = 0.1


@dataclass(frozen=True, slots=True)
class ResetFault:
    """Close the connection with a TCP reset and send no response."""

    kind: ClassVar[FaultKind] = "reset"
    after: bool = False
    """Run the handler first: the request is processed, its response is lost."""


@dataclass(frozen=True, slots=True)
class TruncateFault:
    """Send the real headers (full ``Content-Length``), ``fraction`` of the body, then close."""

    kind: ClassVar[FaultKind] = "truncate"
    fraction: float = 0.5


@dataclass(frozen=True, slots=True)
class MalformedFault:
    """Answer 200 with ``Content-Type: application/json`` and a body that is not JSON."""

    kind: ClassVar[FaultKind] = "malformed"
    body: str = DEFAULT_MALFORMED_BODY
    after: bool = False
    """Run the handler first, then replace its response."""


@dataclass(frozen=True, slots=True)
class DripFault:
    """Send the real response's body in ``chunks`` pieces spread over ``duration`` seconds."""

    kind: ClassVar[FaultKind] = "drip"
    duration: float = 2.0
    chunks: int = 10


Fault: TypeAlias = (
    StatusFault | LatencyFault | ResetFault | TruncateFault | MalformedFault | DripFault
)
_KINDS: dict[str, type[Fault]] = {
    cls.kind: cls
    for cls in (StatusFault, LatencyFault, ResetFault, TruncateFault, MalformedFault, DripFault)
}


@dataclass(frozen=True, slots=True)
class FaultRule:
    """One rule: requests matching ``route`` meet ``fault`` with ``probability``.

    >>> rule = parse_fault_rule({"route": "GET /posts*", "probability": 0.2, "kind": "status"})
    >>> rule.fault
    StatusFault(status=503, retry_after=None, after=False)
    """

    route: RoutePattern
    probability: float
    fault: Fault
    times: int | None = None
    """Fire at most this many times (then never again until reset); ``None``: no cap.
    With probability 1, ``times=2`` fails exactly the first two matching requests."""

    def to_dict(self) -> dict[str, Any]:
        """The rule in the form the rule files and ``PUT /_sandbox/faults`` accept."""
        out: dict[str, Any] = {
            "route": self.route.text,
            "probability": self.probability,
            "kind": self.fault.kind,
        }
        if self.times is not None:
            out["times"] = self.times
        fault = self.fault
        if isinstance(fault, StatusFault):
            out["status"] = fault.status
            if fault.retry_after is not None:
                out["retry_after"] = fault.retry_after
            out["after"] = fault.after
        elif isinstance(fault, LatencyFault):
            out["delay"] = _format_delay(fault.low, fault.high)
        elif isinstance(fault, ResetFault):
            out["after"] = fault.after
        elif isinstance(fault, TruncateFault):
            out["fraction"] = fault.fraction
        elif isinstance(fault, MalformedFault):
            out["body"] = fault.body
            out["after"] = fault.after
        else:
            out["duration"] = f"{fault.duration!r}s"
            out["chunks"] = fault.chunks
        return out


def _format_delay(low: float, high: float) -> str:
    # repr() round-trips floats exactly, so a rule read back from GET /_sandbox/faults is
    # the same rule.
    return f"{low!r}s" if low == high else f"{low!r}..{high!r}s"


@dataclass(frozen=True, slots=True)
class FaultSet:
    """Rules in order plus an optional seed (``None``: use the server's seed)."""

    rules: tuple[FaultRule, ...] = ()
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"seed": ..., "rules": [...]}``, the rule file format."""
        return {"seed": self.seed, "rules": [rule.to_dict() for rule in self.rules]}


# --------------------------------------------------------------------------- parsing

_RULE_KEYS: dict[str, frozenset[str]] = {
    "status": frozenset({"status", "retry_after", "after"}),
    "latency": frozenset({"delay"}),
    "reset": frozenset({"after"}),
    "truncate": frozenset({"fraction"}),
    "malformed": frozenset({"body", "after"}),
    "drip": frozenset({"duration", "chunks"}),
}
_COMMON_KEYS = frozenset({"route", "probability", "kind", "times"})


def _probability(value: object, what: str) -> float:
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1]) / 100.0
        except ValueError:
            number = -1.0
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise FaultConfigError(
            f"{what}: probability must be a number from 0 to 1 or a percentage like '20%', "
            f"got {value!r}"
        )
    return number


def _is_integer(value: object) -> TypeGuard[int]:
    # bool is an int subclass, but `times: true` in a rule file is a mistake, not 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _boolean(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise FaultConfigError(f"{what}: expected true or false, got {value!r}")
    return value


def _status(value: object, what: str) -> int:
    # 1xx are interim responses: a server cannot send one as the final answer.
    if not _is_integer(value) or not 200 <= value <= 599:
        raise FaultConfigError(f"{what}: status must be an integer from 200 to 599, got {value!r}")
    return value


def _retry_after(value: object, what: str) -> str:
    if _is_integer(value) and value >= 0:
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return text
        try:
            parsedate_to_datetime(text)
        except (TypeError, ValueError):
            pass
        else:
            return text
    raise FaultConfigError(
        f"{what}: retry_after must be whole seconds (e.g. 2) or an HTTP-date "
        f"(e.g. 'Wed, 21 Oct 2026 07:28:00 GMT'), got {value!r}"
    )


def parse_fault_rule(spec: Mapping[str, Any], *, index: int | None = None) -> FaultRule:
    """Build a :class:`FaultRule` from its dictionary form (as in rule files).

    Keys: ``route`` (default ``"*"``), ``probability`` (default 1, also ``"20%"``), ``kind``,
    ``times`` (fire at most that often) and the kind's own keys:
    ``status`` (``status``, ``retry_after``, ``after``),
    ``latency`` (``delay``), ``reset`` (``after``), ``truncate`` (``fraction``),
    ``malformed`` (``body``, ``after``), ``drip`` (``duration``, ``chunks``).
    """
    where = "fault rule" if index is None else f"fault rule {index + 1}"
    if not isinstance(spec, Mapping):
        raise FaultConfigError(f"{where}: expected a mapping with 'kind', got {spec!r}")
    kind = spec.get("kind")
    if kind not in _KINDS:
        raise FaultConfigError(f"{where}: 'kind' must be one of {', '.join(_KINDS)}, got {kind!r}")
    where = f"{where} ({kind})"
    unknown = sorted(set(spec) - _COMMON_KEYS - _RULE_KEYS[kind])
    if unknown:
        allowed = ", ".join(sorted(_COMMON_KEYS | _RULE_KEYS[kind]))
        raise FaultConfigError(f"{where}: unknown key {unknown[0]!r}; allowed keys: {allowed}")
    try:
        route = RoutePattern.parse(spec.get("route", "*"))
    except FaultConfigError as exc:
        raise FaultConfigError(f"{where}: {exc}") from None
    probability = _probability(spec.get("probability", 1.0), where)
    times = spec.get("times")
    if times is not None and (not _is_integer(times) or times < 0):
        raise FaultConfigError(f"{where}: times must be a whole number >= 0, got {times!r}")
    fault: Fault
    if kind == "status":
        retry_after = spec.get("retry_after")
        fault = StatusFault(
            status=_status(spec.get("status", 503), where),
            retry_after=None if retry_after is None else _retry_after(retry_after, where),
            after=_boolean(spec.get("after", False), f"{where} after"),
        )
    elif kind == "latency":
        if "delay" not in spec:
            raise FaultConfigError(f"{where}: needs 'delay', e.g. '150ms' or '20..200ms'")
        low, high = parse_delay(spec["delay"], what=f"{where} delay")
        fault = LatencyFault(low=low, high=high)
    elif kind == "reset":
        fault = ResetFault(after=_boolean(spec.get("after", False), f"{where} after"))
    elif kind == "truncate":
        fraction = spec.get("fraction", 0.5)
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, int | float)
            or not 0.0 <= fraction < 1.0
        ):
            raise FaultConfigError(
                f"{where}: fraction (share of the body sent) must be in [0, 1), got {fraction!r}"
            )
        fault = TruncateFault(fraction=float(fraction))
    elif kind == "malformed":
        body = spec.get("body", DEFAULT_MALFORMED_BODY)
        if not isinstance(body, str) or _is_json(body):
            raise FaultConfigError(f"{where}: body must be a string that is not valid JSON")
        after = _boolean(spec.get("after", False), f"{where} after")
        fault = MalformedFault(body=body, after=after)
    else:
        chunks = spec.get("chunks", 10)
        if not _is_integer(chunks) or not 1 <= chunks <= 1000:
            raise FaultConfigError(f"{where}: chunks must be an integer 1..1000, got {chunks!r}")
        duration = parse_duration(spec.get("duration", "2s"), what=f"{where} duration")
        fault = DripFault(duration=duration, chunks=chunks)
    return FaultRule(route=route, probability=probability, fault=fault, times=times)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def parse_fault_set(data: object, *, source: str = "faults") -> FaultSet:
    """Rules from decoded JSON/YAML: a list of rules or ``{"seed": N, "rules": [...]}``."""
    seed: int | None = None
    rules_data: object
    if isinstance(data, Mapping):
        unknown = sorted(set(data) - {"seed", "rules"})
        if unknown:
            raise FaultConfigError(
                f"{source}: unknown key {unknown[0]!r}; expected 'rules' and optionally 'seed'"
            )
        raw_seed = data.get("seed")
        if raw_seed is not None and not _is_integer(raw_seed):
            raise FaultConfigError(f"{source}: seed must be an integer, got {raw_seed!r}")
        seed = raw_seed
        rules_data = data.get("rules", [])
    else:
        rules_data = data
    if not isinstance(rules_data, list):
        raise FaultConfigError(
            f"{source}: expected a list of rules or a mapping with 'rules', got "
            f"{type(rules_data).__name__}"
        )
    try:
        rules = tuple(parse_fault_rule(spec, index=i) for i, spec in enumerate(rules_data))
    except FaultConfigError as exc:
        raise FaultConfigError(f"{source}: {exc}") from None
    return FaultSet(rules=rules, seed=seed)


def load_fault_file(path: str | Path) -> FaultSet:
    """Read a JSON or YAML rule file (YAML is a superset of JSON, so both parse as YAML)."""
    source = f"fault file {str(path)!r}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FaultConfigError(f"{source}: cannot read it ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FaultConfigError(
            f"{source}: not valid JSON or YAML ({_yaml_problem(exc)})"
        ) from None
    return parse_fault_set([] if data is None else data, source=source)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's error in one line that points into the file ("line 2, column 1: ...")."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return " ".join(str(exc).split())


def faults_from_flags(
    *,
    fail_rate: float | None = None,
    fail_status: int | None = None,
    latency: str | None = None,
    reset_rate: float | None = None,
) -> tuple[FaultRule, ...]:
    """Rules for the ``tether serve`` shortcuts; every rule applies to all routes (``*``).

    Order: latency first (it only delays), then resets, then status failures.
    """
    rules: list[FaultRule] = []
    everything = RoutePattern.parse("*")
    if fail_status is not None and fail_rate is None:
        raise FaultConfigError("--fail-status needs --fail-rate (e.g. --fail-rate 0.1)")
    if latency is not None:
        low, high = parse_delay(latency, what="--latency")
        rules.append(FaultRule(everything, 1.0, LatencyFault(low=low, high=high)))
    if reset_rate is not None:
        rules.append(FaultRule(everything, _probability(reset_rate, "--reset-rate"), ResetFault()))
    if fail_rate is not None:
        status = _status(503 if fail_status is None else fail_status, "--fail-status")
        probability = _probability(fail_rate, "--fail-rate")
        rules.append(FaultRule(everything, probability, StatusFault(status=status)))
    return tuple(rules)


# -------------------------------------------------------------------------- deciding


def draw(seed: int, rule_index: int, count: int, purpose: str) -> float:
    """A uniform number in [0, 1) determined by its arguments alone.

    A counter-based generator: hashing (seed, rule, n-th match, purpose) instead of
    advancing a shared ``random.Random`` keeps each rule's sequence independent of how
    requests to other routes interleave with it.
    """
    digest = hashlib.blake2b(
        f"{seed}:{rule_index}:{count}:{purpose}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") / 2.0**64


@dataclass(frozen=True, slots=True)
class FaultDecision:
    """What happens to one request: a delay before it, then at most one other fault."""

    delay: float = 0.0
    fault: Fault | None = None
    """The first non-latency fault that fired, or ``None`` to serve the request normally."""
    fired: tuple[FaultKind, ...] = ()
    """Kinds of every rule that fired, for accounting (latency included)."""


NO_FAULT = FaultDecision()


RuleCount: TypeAlias = tuple[int, int]
"""Per rule: (requests it matched, times it fired)."""


def fresh_counts(rules: Sequence[FaultRule]) -> tuple[RuleCount, ...]:
    """The counters of rules that have not seen a request yet."""
    return ((0, 0),) * len(rules)


def decide(
    rules: Sequence[FaultRule],
    seed: int,
    counts: Sequence[RuleCount],
    method: str,
    path: str,
) -> tuple[FaultDecision, tuple[RuleCount, ...]]:
    """Decide the faults one request meets; return the decision and the updated counts.

    ``counts[i]`` holds how many requests rule ``i`` has matched and how often it fired.
    Every matching rule advances its match count whether it fires or not, so a rule's n-th
    match always draws the same number. Latency rules that fire add up; the first other
    rule that fires decides the request's fate, and later ones are counted but do not fire.
    """
    new_counts = list(counts)
    delay = 0.0
    fault: Fault | None = None
    fired: list[FaultKind] = []
    for index, rule in enumerate(rules):
        if not rule.route.matches(method, path):
            continue
        matched, times = new_counts[index]
        new_counts[index] = (matched + 1, times)
        if rule.times is not None and times >= rule.times:
            continue
        if draw(seed, index, matched, "fire") >= rule.probability:
            continue
        action = rule.fault
        if isinstance(action, LatencyFault):
            span = action.high - action.low
            delay += action.low + span * draw(seed, index, matched, "delay")
        elif fault is None:
            fault = action
        else:
            continue
        fired.append(action.kind)
        new_counts[index] = (matched + 1, times + 1)
    decision = FaultDecision(delay=min(delay, MAX_DELAY), fault=fault, fired=tuple(fired))
    return decision, tuple(new_counts)


@dataclass(slots=True)
class FaultInjector:
    """The rules in force, their match counters and how many faults of each kind fired.

    Thread-safe: the server's event loop decides, the admin endpoints replace rules.
    ``configured`` is what the server started with; :meth:`restore` returns to it.
    """

    configured: FaultSet
    default_seed: int
    _current: FaultSet = field(init=False)
    _counts: tuple[RuleCount, ...] = field(init=False)
    _injected: dict[str, int] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._put(self.configured)

    @property
    def current(self) -> FaultSet:
        """The rule set in force."""
        return self._current

    @property
    def seed(self) -> int:
        """The seed in force: the rule set's own, else the server's."""
        seed = self._current.seed
        return self.default_seed if seed is None else seed

    def replace(self, faults: FaultSet) -> None:
        """Put ``faults`` in force and restart every rule's sequence from its first match."""
        with self._lock:
            self._put(faults)

    def restore(self) -> None:
        """Back to the configured rules, with counters and fault tallies cleared."""
        with self._lock:
            self._put(self.configured)
            self._injected.clear()

    def _put(self, faults: FaultSet) -> None:
        self._current = faults
        self._counts = fresh_counts(faults.rules)

    def decide(self, method: str, path: str) -> FaultDecision:
        """The faults this request meets; counts them as injected."""
        with self._lock:
            if not self._current.rules:
                return NO_FAULT
            decision, self._counts = decide(
                self._current.rules, self.seed, self._counts, method, path
            )
            for kind in decision.fired:
                self._injected[kind] = self._injected.get(kind, 0) + 1
            return decision

    def rule_hits(self) -> list[tuple[FaultRule, int, int]]:
        """Each rule in force with the requests it matched and the times it fired, counted
        from when it was put in force."""
        with self._lock:
            return [
                (rule, matched, fired)
                for rule, (matched, fired) in zip(self._current.rules, self._counts, strict=True)
            ]

    def injected(self) -> dict[str, int]:
        """Faults injected since the last restore, by kind."""
        with self._lock:
            return dict(self._injected)


def rules_from_any(rules: Iterable[FaultRule | Mapping[str, Any]]) -> tuple[FaultRule, ...]:
    """Accept ready rules and dictionary specs alike (the fixture helpers use this)."""
    if isinstance(rules, str | bytes | Mapping | FaultRule):
        # Iterating these would walk characters or keys: say what is expected instead.
        raise FaultConfigError(
            f"faults: expected a list of rules (dicts such as {{'kind': 'status'}} or "
            f"FaultRule objects), got {type(rules).__name__} {rules!r:.60}"
        )
    out: list[FaultRule] = []
    for index, rule in enumerate(rules):
        out.append(rule if isinstance(rule, FaultRule) else parse_fault_rule(rule, index=index))
    return tuple(out)
