"""How the sandbox writes JSON: compact, UTF-8, keys in insertion order.

:func:`dumps` is the standard library's encoder and writes every answer's JSON.
:func:`dumps_items` writes the bodies built from stored items (lists, pages, embeds) with
orjson, several times faster, to the same bytes: the two differ only on floats (``1e-05``
against ``0.00001``), NaN and infinities (``NaN`` against ``null``), and the models let no
float into an item; whatever orjson refuses (an integer beyond 64 bits, a key that is not
a string) goes to the standard library instead.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["dumps", "dumps_items"]


def dumps(value: Any) -> str:
    """Compact JSON as the sandbox sends it.

    >>> dumps({"id": 1, "title": "café"})
    '{"id":1,"title":"café"}'
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def dumps_items(value: Any) -> bytes:
    """``dumps(value)`` encoded as UTF-8, for values holding no floats (stored items).

    >>> dumps_items([{"id": 1, "title": "café"}]) == dumps([{"id": 1, "title": "café"}]).encode()
    True
    """
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        return dumps(value).encode()
