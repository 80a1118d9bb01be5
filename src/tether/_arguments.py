"""Say which request argument was malformed when httpx2 fails deep inside on it.

``headers=[1, 2]`` makes httpx2 raise ``TypeError: cannot unpack non-iterable int object``
from inside its header parsing. The client's methods call :func:`explain_bad_argument`
only after such an error, so a well-formed call pays nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookiejar import CookieJar
from typing import Any

import httpx2

from tether._errors import ConfigurationTypeError

__all__ = ["explain_bad_argument"]

_EXAMPLES = {
    "headers": "{'Accept': 'application/json'} or [('Accept', 'application/json')]",
    "params": "{'userId': 1} or [('tag', 'a'), ('tag', 'b')]",
    "cookies": "{'session': 'abc'} or an httpx2.Cookies",
}
_SCALARS = (str, bytes, int, float, bool, type(None))


def explain_bad_argument(kwargs: Mapping[str, Any]) -> ConfigurationTypeError | None:
    """The error to raise for the first malformed ``headers``/``params``/``cookies`` in
    ``kwargs``, or ``None`` when all of them look well-formed."""
    for name in ("headers", "params", "cookies"):
        value = kwargs.get(name)
        if value is None:
            continue
        problem = _problem(name, value)
        if problem:
            return ConfigurationTypeError(
                f"{name}={_short(value)}: {problem}; write {name} as {_EXAMPLES[name]}"
            )
    return None


def _problem(name: str, value: Any) -> str:
    if name == "cookies" and isinstance(value, httpx2.Cookies | CookieJar):
        return ""
    if name == "params" and isinstance(value, str | bytes | httpx2.QueryParams):
        return ""
    if isinstance(value, Mapping):
        if name == "params":
            for key, item in value.items():
                items = item if isinstance(item, list | tuple) else [item]
                if not all(isinstance(one, _SCALARS) for one in items):
                    return f"the value of {key!r} is {_kind(item)}, not text or a number"
        return ""
    if isinstance(value, str | bytes):
        return f"{_kind(value)} is not a list of pairs"
    try:
        items = list(value)
    except TypeError:
        return f"{_kind(value)} is neither a mapping nor a list of pairs"
    for index, item in enumerate(items):
        if not isinstance(item, list | tuple) or len(item) != 2:
            return f"item {index} is {_kind(item)}, not a (name, value) pair"
    return ""


def _kind(value: Any) -> str:
    kind = type(value).__name__
    return f"{_short(value)} ({'an' if kind[0] in 'aeiou' else 'a'} {kind})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
