"""Faults and rate limits of one sandbox app: their state, admin routes and ASGI layers.

:class:`Disruption` bundles the :class:`FaultInjector` and the :class:`RateLimiter` of one
app so ``create_app`` wires them with a few lines: :meth:`Disruption.routes` adds

- ``GET /_sandbox/faults`` -> ``{"seed": 1, "rules": [...], "configured": [...], "hits":
  [{"matched": 12, "fired": 3}, ...]}`` (``hits[i]`` counts ``rules[i]``)
- ``PUT /_sandbox/faults`` with a list of rules or ``{"seed": N, "rules": [...]}``
- ``GET /_sandbox/limits`` -> ``{"limits": ["50/s"], "configured": [...]}``
- ``PUT /_sandbox/limits`` with ``{"limits": ["50/s", "1000/h"]}`` (or a bare list/string)

and :meth:`Disruption.middleware` gives the rate-limit and fault layers in stack order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tether.sandbox._fault_middleware import FaultMiddleware
from tether.sandbox._faults import (
    FaultConfigError,
    FaultInjector,
    FaultRule,
    FaultSet,
    parse_fault_rule,
    parse_fault_set,
    rules_from_any,
)
from tether.sandbox._http import BodyError, JSONBodyError, parse_json, read_body
from tether.sandbox._limit_middleware import RateLimitMiddleware
from tether.sandbox._limits import Rate, RateLimitConfigError, RateLimiter, parse_rates

__all__ = ["Disruption", "DisruptionControls"]


@dataclass(frozen=True, slots=True)
class Disruption:
    """The fault injector and rate limiter of one sandbox app."""

    faults: FaultInjector
    limits: RateLimiter

    @classmethod
    def create(
        cls,
        faults: Iterable[FaultRule],
        rate_limits: Iterable[Rate],
        seed: int,
        fault_seed: int | None = None,
    ) -> Disruption:
        """Fresh state for an app started with these rules and rates.

        Faults are drawn under ``fault_seed``, or under the data ``seed`` when it is ``None``.
        """
        configured = FaultSet(rules=tuple(faults), seed=fault_seed)
        return cls(
            faults=FaultInjector(configured, default_seed=seed),
            limits=RateLimiter(tuple(rate_limits)),
        )

    def restore(self) -> None:
        """Back to the configured rules and rates; counters and tallies cleared."""
        self.faults.restore()
        self.limits.restore()

    def stats(self) -> dict[str, Any]:
        """Accounting since the last restore: faults injected by kind, 429s sent, and per
        rule in force its route, kind and how often it matched and fired."""
        return {"faults": self.faults.injected(), "rate_limited": self.limits.refused(),
                "fault_rules": self._rule_hits()}

    def _rule_hits(self) -> list[dict[str, Any]]:
        return [
            {"route": rule.route.text, "kind": rule.fault.kind,
             "probability": rule.probability, "matched": matched, "fired": fired}
            for rule, matched, fired in self.faults.rule_hits()
        ]

    def describe(self) -> dict[str, Any]:
        """What ``GET /_sandbox/faults`` and ``GET /_sandbox/limits`` answer, together."""
        return {"faults": self._faults_body(), "limits": self._limits_body()}

    def middleware(self) -> list[Middleware]:
        """The rate-limit layer, then the fault layer (outermost first)."""
        return [
            Middleware(RateLimitMiddleware, limiter=self.limits),
            Middleware(FaultMiddleware, injector=self.faults),
        ]

    def routes(self) -> list[Route]:
        """The admin routes reading and replacing faults and limits at run time."""
        # One route per path, so a 405 lists every method the path has in its Allow.
        return [
            Route("/_sandbox/faults", self._faults, methods=["GET", "PUT"]),
            Route("/_sandbox/limits", self._limits, methods=["GET", "PUT"]),
        ]

    async def _faults(self, request: Request) -> Response:
        """Read (GET) or replace (PUT) the fault rules in force."""
        if request.method == "PUT":
            return await self._put_faults(request)
        return await self._get_faults(request)

    async def _limits(self, request: Request) -> Response:
        """Read (GET) or replace (PUT) the rate limits in force."""
        if request.method == "PUT":
            return await self._put_limits(request)
        return await self._get_limits(request)

    def _faults_body(self) -> dict[str, Any]:
        hits = self.faults.rule_hits()  # rules and counters read together
        return {
            "seed": self.faults.seed,
            "rules": [rule.to_dict() for rule, _, _ in hits],
            "configured": self.faults.configured.to_dict()["rules"],
            # Beside the rules, not in them, so a script can PUT the rules back as read.
            "hits": [{"matched": matched, "fired": fired} for _, matched, fired in hits],
        }

    def _limits_body(self) -> dict[str, Any]:
        return {
            "limits": [rate.name for rate in self.limits.rates],
            "configured": [rate.name for rate in self.limits.configured],
        }

    async def _get_faults(self, request: Request) -> JSONResponse:
        return JSONResponse(self._faults_body())

    async def _put_faults(self, request: Request) -> Response:
        data = await _json_body(request)
        if isinstance(data, Response):
            return data
        if data is None:
            return _error(
                422,
                "PUT /_sandbox/faults: the body is empty; send a list of rules, "
                '{"rules": [...], "seed": N}, or [] to turn faults off',
            )
        try:
            faults = parse_fault_set(data, source="PUT /_sandbox/faults")
        except FaultConfigError as exc:
            return _error(422, str(exc))
        self.faults.replace(faults)
        return JSONResponse(self._faults_body())

    async def _get_limits(self, request: Request) -> JSONResponse:
        return JSONResponse(self._limits_body())

    async def _put_limits(self, request: Request) -> Response:
        data = await _json_body(request)
        if isinstance(data, Response):
            return data
        if isinstance(data, dict) and set(data) - {"limits"}:
            unknown = sorted(set(data) - {"limits"})[0]
            return _error(
                422, f"PUT /_sandbox/limits: unknown key {unknown!r}; the only key is 'limits'"
            )
        values = data.get("limits") if isinstance(data, dict) else data
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return _error(
                422,
                'PUT /_sandbox/limits: expected {"limits": ["50/s", ...]} '
                "(an empty list removes every limit)",
            )
        try:
            rates = parse_rates(values)
        except RateLimitConfigError as exc:
            return _error(422, f"PUT /_sandbox/limits: {exc}")
        self.limits.replace(rates)
        return JSONResponse(self._limits_body())


def _error(status: int, message: str) -> JSONResponse:
    # Same shape as the sandbox's other errors: reason phrase plus an explanation.
    return JSONResponse(
        {"error": HTTPStatus(status).phrase, "message": message}, status_code=status
    )


async def _json_body(request: Request) -> Any:
    try:
        raw = await read_body(request)  # the same size limit as every other body
    except BodyError as exc:
        return exc.response
    try:
        return parse_json(raw) if raw.strip() else None
    except JSONBodyError as exc:
        return _error(400, f"{request.method} {request.url.path}: {exc}")


def _flat(rates: Sequence[str | Rate | Sequence[str | Rate]]) -> list[str | Rate]:
    """``("5/s", "1/h")`` and ``(["5/s", "1/h"],)`` alike: the rates, one level deep."""
    out: list[str | Rate] = []
    for item in rates:
        if isinstance(item, list | tuple):
            out.extend(item)
        else:
            out.append(item)  # type: ignore[arg-type]
    return out


class DisruptionControls:
    """Fault and limit helpers of a running sandbox handle (``serve_in_thread``, fixture).

    They act on the server's state directly, not over HTTP, so they work whatever faults or
    limits are in force. The handle's ``reset()`` returns to the configured ones.

    Example::

        def test_survives_outage(sandbox):
            with sandbox.faults(kind="status", status=503, route="GET /posts*"):
                assert httpx2.get(sandbox.url + "/posts").status_code == 503
            with sandbox.limits("50/s"):
                ...
    """

    def _disruption(self) -> Disruption:
        disruption = getattr(getattr(self, "state", None), "disruption", None)
        if not isinstance(disruption, Disruption):
            raise TypeError("this handle has no sandbox state with faults and limits")
        return disruption

    def set_faults(
        self, *rules: FaultRule | Mapping[str, Any], seed: int | None = None, **rule: Any
    ) -> None:
        """Replace the fault rules in force; no rules at all switches faults off.

        Rules are :class:`FaultRule` objects or dicts in the rule-file form
        (``{"route": "GET /posts*", "probability": 0.2, "kind": "status", "status": 503}``);
        keyword arguments describe one more rule (``kind="reset", after=True``). ``seed``
        overrides the server's seed for these rules. Every rule's sequence restarts.
        """
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise FaultConfigError(f"set_faults(seed=...) must be an int or None, got {seed!r}")
        parsed = list(rules_from_any(rules))
        if rule:
            parsed.append(parse_fault_rule(rule, index=len(parsed)))
        self._disruption().faults.replace(FaultSet(rules=tuple(parsed), seed=seed))

    def set_limits(self, *rates: str | Rate | Sequence[str | Rate]) -> None:
        """Replace the server's rate limits (``"50/s"``, ``"1000/h"`` ...); none: no limit.

        One list works too (``set_limits(["50/s", "1000/h"])``), as in ``SandboxConfig``.
        """
        self._disruption().limits.replace(parse_rates(_flat(rates)))

    @contextlib.contextmanager
    def faults(
        self, *rules: FaultRule | Mapping[str, Any], seed: int | None = None, **rule: Any
    ) -> Iterator[None]:
        """:meth:`set_faults` for the ``with`` block, then the previous rules again."""
        injector = self._disruption().faults
        previous = injector.current
        self.set_faults(*rules, seed=seed, **rule)
        try:
            yield
        finally:
            injector.replace(previous)

    @contextlib.contextmanager
    def limits(self, *rates: str | Rate | Sequence[str | Rate]) -> Iterator[None]:
        """:meth:`set_limits` for the ``with`` block, then the previous limits again."""
        limiter = self._disruption().limits
        previous = limiter.rates
        self.set_limits(*rates)
        try:
            yield
        finally:
            limiter.replace(previous)
