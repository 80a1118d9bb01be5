"""orjson writes the bodies built from items to the bytes the standard library writes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tether.sandbox import generate
from tether.sandbox._json import dumps, dumps_items

# What an item can hold: the models admit no float.
_LEAVES = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text()
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_dumps_is_compact_utf8_json() -> None:
    assert dumps({"a": [1, "é\u2028\x00"]}) == '{"a":[1,"é\u2028\\u0000"]}'


def test_generated_data_encodes_identically() -> None:
    for items in generate(4).values():
        assert dumps_items(items) == dumps(items).encode()


@given(_VALUES)
def test_any_float_free_value_encodes_identically(value: object) -> None:
    assert dumps_items(value) == dumps(value).encode()
    assert json.loads(dumps_items(value)) == value


def test_keys_orjson_refuses_fall_back_to_the_standard_library() -> None:
    assert dumps_items({1: "a", "b": 2**65}) == dumps({1: "a", "b": 2**65}).encode()
