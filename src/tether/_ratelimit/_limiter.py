"""``RateLimiter``: blocking and non-blocking acquisition over a store, plus header feedback.

The decisions are made elsewhere and are pure (``_core``, ``_gcra``, ``_window``,
``_adaptive``); this module only picks the limits that apply to a request, asks the store
for a reservation, and waits. Waiting is the last step and is undone on cancellation:
if a sleeping caller is interrupted (``KeyboardInterrupt``, task cancellation, a
timeout around it) its reservation is handed back when nobody has reserved after it, and
otherwise simply left unused, which can only make the pace slower, never faster.
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import anyio
import anyio.to_thread

from tether._errors import ConfigurationError, ConfigurationTypeError, TetherError
from tether._ratelimit._adaptive import AdaptiveState, Adjustment, read_feedback
from tether._ratelimit._config import RateLimit, Route, check_store
from tether._ratelimit._core import Limit, Slot, slot_id
from tether._ratelimit._gcra import GcraLimit
from tether._ratelimit._rate import Rate, RatesLike, parse_rates_argument
from tether._ratelimit._slowstart import Gate, Ticket, Turn
from tether._ratelimit._stores import Grant, MemoryStore, Store, check_callable
from tether._ratelimit._window import WindowLimit

__all__ = ["HeldBack", "Permit", "Plan", "RateLimitLike", "RateLimiter", "Ticket", "as_limiter"]

_POLL = 0.1
"""Longest an async waiter sleeps between looks at its turn: a wake-up from another
thread (a sync client sharing the limiter) cannot reach its event loop directly."""


class HeldBack(TetherError):  # noqa: N818 (a signal, not a failure of its own)
    """Slow start could not let a request go within its ``max_wait``.

    ``wait`` is the time the server's announced quota needs to come back, when known
    (``None``: the wait depends on answers still to come)."""

    def __init__(self, wait: float | None) -> None:
        super().__init__(wait)
        self.wait = wait


@dataclass(frozen=True, slots=True)
class Permit:
    """A granted request: how long to wait before sending it, and why."""

    key: str
    wait: float
    reason: str
    """What held the request back (``"20/s"``, ``"server pace 19/s"`` ...); ``""`` if nothing."""
    seq: int | None
    slots: tuple[Slot, ...]
    grant: Grant | None


@dataclass(frozen=True, slots=True)
class Plan:
    """The limits one request spends from (cached per host and route)."""

    key: str
    """The key adaptive feedback is kept under (the route's key, else the host's)."""
    slots: tuple[Slot, ...]
    labels: tuple[str, ...]


class RateLimiter:
    """Paces requests; share one instance (or one store) among everything that spends a quota.

    Example::

        limiter = tether.RateLimiter("10/s")
        with tether.Client(rate_limit=limiter) as a, tether.Client(rate_limit=limiter) as b:
            ...  # a and b together send at most 10 requests a second per host

        limiter.acquire("reports")       # outside HTTP: blocks until a slot is free
        if limiter.try_acquire("reports"):
            ...

    ``clock``, ``wall_clock`` and ``sleep`` exist for tests (a fake clock, no sleeping).
    Invalid arguments raise :class:`tether.ConfigurationError`.
    """

    def __init__(
        self,
        config: RateLimit | RatesLike | None = None,
        *,
        store: Store | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(config, RateLimit):
            self.config = config
        else:
            rates = None
            if config is not None:
                rates = parse_rates_argument("config", config, owner="RateLimiter")
            self.config = RateLimit(rates)
        check_store(store, owner="RateLimiter")
        check_callable("RateLimiter", "clock", clock, default="time.monotonic")
        check_callable("RateLimiter", "wall_clock", wall_clock, default="time.time")
        check_callable("RateLimiter", "sleep", sleep, default="time.sleep")
        self.store: Store = store or self.config.store or MemoryStore(clock=clock)
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._adaptive: dict[str, AdaptiveState] = {}
        self._plans: dict[tuple[str, Route | None], Plan] = {}
        self._slow_start = self.config.adaptive and self.config.slow_start
        self._gates: dict[str, Gate] = {}
        self._open: set[bytes] = set()
        self._quiet = not (self.config.rates or self.config.routes)

    @property
    def quiet(self) -> bool:
        """True while nothing can hold a request back: no configured rates and no server
        feedback yet. The transports then skip planning and reserving altogether; the
        first feedback ends it for good."""
        return self._quiet

    def settled(self, netloc: bytes) -> bool:
        """True when slow start has nothing to do for requests to ``netloc`` (a URL's raw
        ``host:port``): it is off, or the host has shown it announces no limits."""
        return not self._slow_start or netloc in self._open

    # -- choosing the limits ---------------------------------------------------------

    def _limits(self, rates: Sequence[Rate]) -> list[Limit]:
        if self.config.algorithm == "sliding_window":
            return [WindowLimit(rate.limit, rate.period) for rate in rates]
        # The shortest-period rate paces (with the configured burst); longer ones are
        # quotas that may be spent at that pace. parse_rates sorts shortest first.
        return [
            GcraLimit(rate.interval, (self.config.burst or 1) if i == 0 else rate.limit)
            for i, rate in enumerate(rates)
        ]

    def _plan(self, base: str, route: Route | None) -> Plan:
        cached = self._plans.get((base, route))
        if cached is not None:
            return cached
        slots: list[Slot] = []
        labels: list[str] = []
        for rate, limit in zip(self.config.rates, self._limits(self.config.rates), strict=True):
            slots.append(Slot(slot_id(base, limit), limit))
            labels.append(str(rate))
        key = base
        if route is not None:
            key = f"{base} {route}"
            for rate, limit in zip(route.rates, self._limits(route.rates), strict=True):
                slots.append(Slot(slot_id(key, limit), limit))
                labels.append(f"{route}: {rate}")
        plan = Plan(key, tuple(slots), tuple(labels))
        with self._lock:
            if len(self._plans) > 1024:
                self._plans.clear()
            self._plans[(base, route)] = plan
        return plan

    def plan_request(self, method: str, host: str, port: int | None, path: str) -> Plan:
        """The limits for one HTTP request (used by the transports)."""
        base = "*" if self.config.scope == "global" else f"{host}:{port}" if port else host
        route = next((r for r in self.config.routes if r.matches(method, path)), None)
        return self._plan(base, route)

    # -- reserving ---------------------------------------------------------------------

    def reserve(
        self, plan: Plan, *, cost: int = 1, max_wait: float | None = None
    ) -> Permit | None:
        """Reserve a slot without waiting; ``None`` if it would mean waiting over ``max_wait``."""
        slots, delay, reason = self._prepare(plan)
        grant = (
            self.store.reserve(slots, delay=delay, cost=cost, max_wait=max_wait) if slots else None
        )
        return self._granted(plan, slots, grant, delay, reason, max_wait)

    async def areserve(
        self, plan: Plan, *, cost: int = 1, max_wait: float | None = None
    ) -> Permit | None:
        """:meth:`reserve` for async callers: a store doing I/O runs in a worker thread."""
        slots, delay, reason = self._prepare(plan)
        grant: Grant | None = None
        if slots:
            reserve = functools.partial(
                self.store.reserve, slots, delay=delay, cost=cost, max_wait=max_wait
            )
            grant = await anyio.to_thread.run_sync(reserve) if self.store.blocking else reserve()
        return self._granted(plan, slots, grant, delay, reason, max_wait)

    def _prepare(self, plan: Plan) -> tuple[tuple[Slot, ...], float, str]:
        state = self._adaptive.get(plan.key) if self._adaptive else None
        if state is None or state.idle:
            return plan.slots, 0.0, ""
        with self._lock:
            now = self._clock()
            not_before, reason = state.not_before(now)
            learned = state.limit
        slots = plan.slots
        if learned is not None:
            slots = (*slots, Slot(slot_id(plan.key, learned, tag="server"), learned))
        return slots, max(0.0, not_before - now), reason

    def _granted(
        self,
        plan: Plan,
        slots: tuple[Slot, ...],
        grant: Grant | None,
        delay: float,
        reason: str,
        max_wait: float | None,
    ) -> Permit | None:
        """The permit for a store's answer (``None``: refused as over ``max_wait``)."""
        if slots and grant is None:
            return None
        if not slots and max_wait is not None and delay > max_wait:
            return None
        seq: int | None = None
        state = self._adaptive.get(plan.key) if self._adaptive else None
        if state is not None:
            wait = delay if grant is None else max(0.0, grant.wait)
            with self._lock:
                seq = state.sent(self._clock() + wait)
        if grant is None:
            return Permit(plan.key, delay, reason if delay > 0 else "", seq, slots, None)
        if grant.cause >= 0:
            if grant.cause < len(plan.labels):
                reason = plan.labels[grant.cause]
            else:
                reason = f"server pace {_pace(slots[grant.cause].limit):.3g}/s"
        elif grant.wait <= 0:
            reason = ""
        return Permit(plan.key, max(0.0, grant.wait), reason, seq, slots, grant)

    # -- slow start: take a turn before reserving ----------------------------------------

    def _join(self, plan: Plan) -> tuple[Ticket | None, Turn]:
        if not self._slow_start:
            return None, Turn(True)
        with self._lock:
            gate = self._gates.get(plan.key)
            if gate is None:
                if len(self._gates) > 1024:
                    self._gates = {k: g for k, g in self._gates.items() if g.queue}
                gate = self._gates[plan.key] = Gate()
            elif gate.open and not gate.queue:
                return None, Turn(True)
            ticket = Ticket(gate, plan.key)
            gate.queue.append(ticket)
            return ticket, self._turn(ticket)

    def _turn(self, ticket: Ticket) -> Turn:
        """Under the lock: whether ``ticket`` may go now."""
        state = self._adaptive.get(ticket.key)
        informed, hold_until = (False, None) if state is None else state.admission(self._clock())
        return ticket.gate.turn(ticket, informed, hold_until)

    def _look(self, ticket: Ticket, until: float | None) -> tuple[bool, float | None]:
        """One look at ``ticket``'s turn: whether it may go, and else the longest to wait
        for a wake-up before looking again (``None``: no limit). Raises :class:`HeldBack`
        when the turn cannot come by ``until``."""
        with self._lock:
            turn = self._turn(ticket)
        if turn.go:
            return True, None
        now = self._clock()
        if until is not None:
            if turn.recheck_at is not None and turn.recheck_at > until:
                raise HeldBack(turn.recheck_at - now)
            if now >= until:
                raise HeldBack(None)
        ends = [t for t in (turn.recheck_at, until) if t is not None]
        return False, (max(0.0, min(ends) - now) if ends else None)

    def take_turn(self, plan: Plan, *, max_wait: float | None = None) -> Ticket | None:
        """Wait (blocking) until slow start lets a request of ``plan`` go, in arrival
        order. Returns the ticket to pass to :meth:`reserved` right after reserving
        (``None``: slow start does not apply). Raises :class:`HeldBack` rather than wait
        over ``max_wait``."""
        ticket, turn = self._join(plan)
        if ticket is None or turn.go:
            return ticket
        until = None if max_wait is None else self._clock() + max_wait
        event = threading.Event()
        ticket.wake = event.set
        try:
            while True:
                go, timeout = self._look(ticket, until)
                if go:
                    return ticket
                event.wait(timeout)
                event.clear()
        except BaseException:
            self._leave(ticket, admitted=False)
            raise

    async def atake_turn(self, plan: Plan, *, max_wait: float | None = None) -> Ticket | None:
        """Async :meth:`take_turn`: awaits its turn; cancellation-safe."""
        ticket, turn = self._join(plan)
        if ticket is None or turn.go:
            return ticket
        until = None if max_wait is None else self._clock() + max_wait
        thread = threading.get_ident()
        events = [anyio.Event()]

        def wake() -> None:
            # From another thread the waiter finds out at its next look (_POLL).
            if threading.get_ident() == thread:
                events[0].set()

        ticket.wake = wake
        try:
            while True:
                go, timeout = self._look(ticket, until)
                if go:
                    return ticket
                with anyio.move_on_after(_POLL if timeout is None else min(timeout, _POLL)):
                    await events[0].wait()
                events[0] = anyio.Event()
        except BaseException:
            self._leave(ticket, admitted=False)
            raise

    def reserved(self, ticket: Ticket | None) -> None:
        """The request holding ``ticket`` has reserved its slot and is going: the next in
        line gets its turn."""
        if ticket is not None:
            self._leave(ticket, admitted=True)

    def _leave(self, ticket: Ticket, *, admitted: bool) -> None:
        with self._lock:
            queue = ticket.gate.queue
            was_head = bool(queue) and queue[0] is ticket
            with contextlib.suppress(ValueError):
                queue.remove(ticket)
            if admitted:
                ticket.gate.in_flight += 1
            head = queue[0] if was_head and queue else None
        if head is not None and head.wake is not None:
            head.wake()

    def answered(
        self, ticket: Ticket | None, netloc: bytes, *, clean: bool, refused: bool
    ) -> None:
        """The request that went with ``ticket`` ended: ``clean`` (an answer with nothing
        about limits), ``refused`` (a 429), or neither (an error, or limit headers)."""
        if ticket is None:
            return
        with self._lock:
            gate = ticket.gate
            state = self._adaptive.get(ticket.key)
            informed = state is not None and state.admission(self._clock()) != (False, None)
            gate.answered(clean=clean, informed=informed, refused=refused)
            if gate.open and state is None:
                if len(self._open) > 4096:
                    self._open.clear()
                self._open.add(netloc)
            head = gate.queue[0] if gate.queue else None
        if head is not None and head.wake is not None:
            head.wake()

    def server_wait(self, plan: Plan) -> float:
        """Seconds the server's own word (a pause after a 429, a used-up quota) holds
        requests of ``plan`` back; 0 when it does not."""
        state = self._adaptive.get(plan.key) if self._adaptive else None
        if state is None:
            return 0.0
        with self._lock:
            now = self._clock()
            at, _ = state.not_before(now)
        return max(0.0, at - now)

    def refused_wait(self, plan: Plan) -> tuple[float, bool]:
        """For a request :meth:`reserve` refused over its ``max_wait``: the wait it would
        have needed, and whether the server's word (its pace, a pause, a used-up quota)
        rather than a configured rate set it. Reserves and hands the slot straight back."""
        permit = self.reserve(plan)
        assert permit is not None  # no max_wait: never refused
        self.refund(permit)
        if permit.seq is not None:
            with self._lock:
                state = self._adaptive.get(plan.key)
                if state is not None:
                    state.unsent(permit.seq)
        return permit.wait, bool(permit.reason) and permit.reason not in plan.labels

    def seconds_until(self, monotonic_time: float) -> float:
        """Seconds from now until a ``time.monotonic()`` reading (on the limiter's clock)."""
        return monotonic_time - self._clock()

    def unpaced(self, plan: Plan) -> Permit:
        """The permit of a request sent while the limiter was quiet, to observe its answer."""
        return Permit(plan.key, 0.0, "", None, (), None)

    def refund(self, permit: Permit) -> None:
        """Hand back an unused permit (it is kept if someone has reserved after it)."""
        if permit.grant is not None:
            self.store.refund(permit.slots, permit.grant)

    # -- feedback ----------------------------------------------------------------------

    def observe(self, permit: Permit, status: int, headers: Mapping[str, str]) -> Adjustment | None:
        """Feed a response back; returns a change of pace worth reporting, if any."""
        if not self.config.adaptive:
            return None
        feedback = read_feedback(status, headers, wall_now=self._wall_clock())
        if feedback is None:
            return None
        with self._lock:
            state = self._adaptive.get(permit.key)
            if state is None:
                state = self._adaptive[permit.key] = AdaptiveState(self.config.margin)
                self._quiet = False
            if feedback.refused:
                # Probe again after a refusal (slow start's rule 4), whoever was refused.
                self._open.clear()
                gate = self._gates.get(permit.key)
                if gate is not None and gate.open:
                    gate.open = False
                    gate.window = 1
            return state.observe(feedback, self._clock(), permit.seq)

    # -- blocking use outside HTTP -----------------------------------------------------

    def acquire(
        self, key: str = "default", *, cost: int = 1, max_wait: float | None = None
    ) -> float:
        """Block until ``key`` may spend ``cost``; returns the seconds waited.

        Raises :class:`TimeoutError` at once (without waiting) when the wait would be
        longer than ``max_wait`` seconds.
        """
        _check_acquire("acquire", key, cost, max_wait)
        plan = self._plan(key, None)
        permit = _acquired(key, max_wait, self.reserve(plan, cost=cost, max_wait=max_wait))
        self.sleep(permit)
        return permit.wait

    async def aacquire(
        self, key: str = "default", *, cost: int = 1, max_wait: float | None = None
    ) -> float:
        """Async :meth:`acquire`: awaits instead of sleeping; cancellation-safe."""
        _check_acquire("aacquire", key, cost, max_wait)
        plan = self._plan(key, None)
        permit = _acquired(key, max_wait, await self.areserve(plan, cost=cost, max_wait=max_wait))
        await self.asleep(permit)
        return permit.wait

    def try_acquire(self, key: str = "default", *, cost: int = 1) -> bool:
        """Spend ``cost`` now if that needs no wait at all; never blocks."""
        _check_acquire("try_acquire", key, cost, None)
        return self.reserve(self._plan(key, None), cost=cost, max_wait=0.0) is not None

    def sleep(self, permit: Permit) -> None:
        """Sleep until the permit's time; an interrupted sleep gives the slot back."""
        if permit.wait <= 0:
            return
        try:
            self._sleep(permit.wait)
        except BaseException:
            self.refund(permit)
            raise

    async def asleep(self, permit: Permit) -> None:
        """Async :meth:`sleep`: await the permit's time; a cancelled wait gives the slot
        back."""
        if permit.wait <= 0:
            return
        try:
            await anyio.sleep(permit.wait)
        except BaseException:
            with anyio.CancelScope(shield=True):
                if self.store.blocking:
                    await anyio.to_thread.run_sync(self.refund, permit)
                else:
                    self.refund(permit)
            raise

    def close(self) -> None:
        """Close the store (only needed for SQLite and Redis stores the limiter owns)."""
        self.store.close()

    def __repr__(self) -> str:
        return f"RateLimiter({self.config}, store={self.store!r})"


def _check_acquire(method: str, key: object, cost: object, max_wait: object) -> None:
    """Refuse arguments that would corrupt the state (a negative cost gives slots away)."""
    if not isinstance(key, str):
        raise ConfigurationTypeError(
            f"{method}(key={key!r}): the key must be a string naming the quota, such as "
            "'reports' (calls with the same key share one quota)"
        )
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
        raise ConfigurationError(
            f"{method}(cost={cost!r}): cost must be a whole number >= 1 (requests spent)"
        )
    if max_wait is not None and (
        isinstance(max_wait, bool)
        or not isinstance(max_wait, int | float)
        or math.isnan(max_wait)
        or max_wait < 0
    ):
        raise ConfigurationError(
            f"{method}(max_wait={max_wait!r}): max_wait must be a number of seconds >= 0, "
            "or None to wait as long as needed"
        )


def _acquired(key: str, max_wait: float | None, permit: Permit | None) -> Permit:
    """The permit :meth:`RateLimiter.acquire` waits for, or the error when there is none."""
    if permit is None:
        raise TimeoutError(f"rate limit for {key!r} would need a wait over {max_wait}s")
    return permit


def _pace(limit: Limit) -> float:
    if isinstance(limit, GcraLimit):
        return 1.0 / limit.interval
    return limit.limit / limit.period


RateLimitLike = RateLimiter | RateLimit | str | Rate | Sequence[str | Rate] | None
"""Anything ``rate_limit=`` takes."""


def as_limiter(rate_limit: RateLimitLike) -> RateLimiter:
    """Turn anything ``rate_limit=`` accepts into a limiter (``None``: adaptive only).

    Raises :class:`tether.ConfigurationError` naming ``rate_limit`` when it is none of these.
    """
    if isinstance(rate_limit, RateLimiter):
        return rate_limit
    if isinstance(rate_limit, bool):
        raise ConfigurationTypeError(
            f"rate_limit={rate_limit!r}: pass a rate such as '5/s', a list of rates, a "
            "tether.RateLimit or a tether.RateLimiter, or None for adaptive pacing only"
        )
    if isinstance(rate_limit, RateLimit):
        return RateLimiter(rate_limit)
    if rate_limit is None:
        return RateLimiter(RateLimit())
    return RateLimiter(RateLimit(parse_rates_argument("rate_limit", rate_limit)))
