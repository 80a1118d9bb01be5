"""Limiter state in Redis, so processes on several machines share one quota.

A reservation is one ``EVALSHA`` of a Lua script that reads every slot's state, applies
the same rules as :mod:`tether._ratelimit._core` (GCRA and sliding-window log), and
writes the new states with an expiry. Redis runs a script atomically, so one round trip
is both the read and the write. Times come from the Redis server's clock (``TIME``), so
machines whose clocks disagree still share one timeline; tests may pass their own clock.

Slot names are prefixed (``tether:ratelimit:`` by default). All keys of one request go to
one script call, so on Redis Cluster give the prefix a hash tag (``"{quota}:"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tether._errors import ConfigurationError
from tether._ratelimit._core import Slot
from tether._ratelimit._gcra import GcraLimit
from tether._ratelimit._stores import Grant, check_callable

__all__ = ["RedisStore"]

# ARGV: now ('' = server clock), delay, cost, max_wait (negative = none), then per key:
# kind ('g' GCRA: interval, burst | 'w' window: limit, period).
# Returns {granted 0|1, wait, cause, then per key: new state, old state}.
# Numbers travel as strings: Redis would truncate Lua numbers to integers.
_RESERVE = """
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[1])
end
local delay, cost, max_wait = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local function fmt(x) return string.format('%.17g', x) end
local at, cause = now + delay, -1
local raw = redis.call('MGET', unpack(KEYS))
local states = {}
for i = 1, #KEYS do
  local s = {}
  if raw[i] then
    for v in string.gmatch(raw[i], '[^,]+') do s[#s + 1] = tonumber(v) end
  end
  states[i] = s
  local kind, a, b = ARGV[3 * i + 2], tonumber(ARGV[3 * i + 3]), tonumber(ARGV[3 * i + 4])
  if #s > 0 then
    local e
    if kind == 'g' then
      e = s[1] - (b - cost) * a
    else
      e = s[#s]
      local idx = #s - (a - cost)
      if idx >= 1 and s[idx] + b > e then e = s[idx] + b end
    end
    if e > at + 1e-9 then at, cause = e, i - 1 end
  end
end
if max_wait >= 0 and at - now > max_wait then
  return {0, fmt(at - now), cause}
end
local out = {1, fmt(at - now), cause}
for i = 1, #KEYS do
  local s = states[i]
  local kind, a, b = ARGV[3 * i + 2], tonumber(ARGV[3 * i + 3]), tonumber(ARGV[3 * i + 4])
  local new, ttl
  if kind == 'g' then
    local tat = s[1] or at
    if at > tat then tat = at end
    tat = tat + cost * a
    new = fmt(tat)
    ttl = tat - now + a * b
  else
    local kept = {}
    for _, v in ipairs(s) do
      if v > now - b then kept[#kept + 1] = v end
    end
    for _ = 1, cost do kept[#kept + 1] = at end
    local first = math.max(1, #kept - a + 1)
    local parts = {}
    for j = first, #kept do parts[#parts + 1] = fmt(kept[j]) end
    new = table.concat(parts, ',')
    ttl = at - now + b
  end
  redis.call('SET', KEYS[i], new, 'PX', math.ceil(ttl * 1000) + 1000)
  out[#out + 1] = new
  out[#out + 1] = raw[i] or ''
end
return out
"""

# ARGV: per key: state stored by the grant, state before it.
_REFUND = """
for i = 1, #KEYS do
  local new, old = ARGV[2 * i - 1], ARGV[2 * i]
  if redis.call('GET', KEYS[i]) == new then
    if old == '' then redis.call('DEL', KEYS[i]) else redis.call('SET', KEYS[i], old, 'KEEPTTL') end
  end
end
return 1
"""


def _limit_args(slot: Slot) -> list[str]:
    limit = slot.limit
    if isinstance(limit, GcraLimit):
        return ["g", repr(limit.interval), str(limit.burst)]
    return ["w", str(limit.limit), repr(limit.period)]


class RedisStore:
    """Share limiter state through Redis.

    Example::

        store = tether.RedisStore("redis://quota.internal:6379/0")
        client = tether.Client(rate_limit=tether.RateLimit("40/s", store=store))

    ``client`` may be an existing ``redis.Redis`` instead of a URL. Needs the ``redis``
    package (``pip install 'tether[redis]'``).
    """

    blocking = True

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "tether:ratelimit:",
        clock: Callable[[], float] | None = None,
    ) -> None:
        if isinstance(client, str):
            try:
                import redis
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "RedisStore needs the redis package: pip install 'tether[redis]'"
                ) from exc
            try:
                client = redis.Redis.from_url(client)
            except ValueError as exc:
                raise ConfigurationError(f"RedisStore(client={client!r}): {exc}") from None
        elif not callable(getattr(client, "register_script", None)):
            raise ConfigurationError(
                f"RedisStore(client={client!r}): expected a Redis URL such as "
                "'redis://localhost:6379/0' or a redis.Redis client"
            )
        if not isinstance(prefix, str):
            raise ConfigurationError(
                f"RedisStore(prefix={prefix!r}): expected a string such as 'tether:ratelimit:'"
            )
        if clock is not None:
            check_callable("RedisStore", "clock", clock, default="the Redis server's clock")
        self._redis = client
        self.prefix = prefix
        self.clock = clock
        self._reserve = client.register_script(_RESERVE)
        self._refund = client.register_script(_REFUND)

    def reserve(
        self, slots: Sequence[Slot], *, delay: float, cost: int, max_wait: float | None
    ) -> Grant | None:
        for slot in slots:
            slot.limit.check_cost(cost)
        args: list[str] = [
            "" if self.clock is None else repr(self.clock()),
            repr(max(0.0, delay)),
            str(cost),
            "-1" if max_wait is None else repr(max_wait),
        ]
        for slot in slots:
            args.extend(_limit_args(slot))
        reply = self._reserve(keys=[self.prefix + slot.name for slot in slots], args=args)
        if int(reply[0]) == 0:
            return None
        rest = [part.decode() if isinstance(part, bytes) else str(part) for part in reply[3:]]
        token = tuple((rest[i], rest[i + 1]) for i in range(0, len(rest), 2))
        return Grant(float(reply[1]), int(reply[2]), token)

    def refund(self, slots: Sequence[Slot], grant: Grant) -> None:
        args = [str(part) for pair in grant.token for part in pair]
        self._refund(keys=[self.prefix + slot.name for slot in slots], args=args)

    def close(self) -> None:
        self._redis.close()

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.prefix!r})"
