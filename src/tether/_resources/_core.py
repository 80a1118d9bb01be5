"""The pure part of resources: URLs, query parameters, bodies and validation, no I/O.

Both shells (:mod:`._sync`, :mod:`._async`) ask this module what to send and what the
answer means; they only send and await.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args
from urllib.parse import quote

import httpx2
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from tether._errors import ConfigurationError
from tether._validation import validate_model

__all__ = ["Core", "ItemID", "is_model_class"]

ItemID = int | str
"""An item's id: what goes after the collection's path in its URL."""

M = TypeVar("M", bound=BaseModel)

_OPERATORS = ("_gte", "_lte", "_ne", "_like")
"""json-server's comparison suffixes: ``user_id_gte`` is ``userId_gte`` on the wire."""

_MORE_VALUES = (list, tuple, set, frozenset)


def is_model_class(value: object) -> bool:
    """True for a pydantic model class (``tether.Model`` or any ``BaseModel``)."""
    return isinstance(value, type) and issubclass(value, BaseModel)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class of a field typed ``Address`` or ``Address | None``."""
    if is_model_class(annotation):
        return annotation  # type: ignore[no-any-return]
    models = [arg for arg in get_args(annotation) if is_model_class(arg)]
    return models[0] if len(models) == 1 else None


def _wire_name(model: type[BaseModel], name: str) -> str | None:
    """The JSON key of field ``name`` (Python name or alias), or ``None`` if not a field.

    Dotted names go into nested models: ``address.zip_code`` is ``address.zipcode``.
    """
    head, dot, rest = name.partition(".")
    for field_name, info in model.model_fields.items():
        alias = info.alias or field_name
        if head in (field_name, alias):
            if not dot:
                return alias
            inner = _model_of(info.annotation)
            if inner is not None:
                nested = _wire_name(inner, rest)
                return None if nested is None else f"{alias}.{nested}"
            return f"{alias}.{rest}"
    return None


def _wire_keys(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with the model's Python names replaced by the API's, nested models too
    (``{"catch_phrase": ...}`` under ``company`` is ``{"catchPhrase": ...}``)."""
    wired: dict[str, Any] = {}
    for key, value in data.items():
        info = model.model_fields.get(key) or next(
            (i for i in model.model_fields.values() if i.alias == key), None
        )
        if info is None:
            wired[key] = value
            continue
        inner = _model_of(info.annotation)
        if isinstance(value, Mapping) and inner is not None:
            value = _wire_keys(inner, value)
        wired[info.alias or key] = value
    return wired


def _query_value(value: object) -> str | int | float:
    # json-server reads booleans as lower case words.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return value
    return str(to_jsonable_python(value))


@dataclass(frozen=True)
class Core(Generic[M]):
    """What one resource (or one nested route of it) sends and how it reads answers."""

    model: type[M]
    path: str
    """The collection's path, such as ``/users/1/posts``, relative to the base URL."""
    label: str
    """How messages name the resource: ``"Posts"``."""

    @property
    def name(self) -> str:
        """The collection as errors name it: ``posts``, ``users/1/posts``."""
        return self.path.strip("/")

    def item_path(self, verb: str, id: object) -> str:
        """``/posts/7`` for id 7; a bad id is refused here, before anything is sent."""
        where = f"{self.label}.{verb}(id)"
        if isinstance(id, bool) or not isinstance(id, int | str):
            raise ConfigurationError(
                f"{where}: expected the item's id as an int or a str, got "
                f"{type(id).__name__} {id!r}"
            )
        if isinstance(id, str) and not id.strip():
            raise ConfigurationError(f"{where}: the id is an empty string; pass the item's id")
        if id in (".", ".."):
            # URLs treat these as "this" and "the parent" path segment, quoted or not.
            raise ConfigurationError(f"{where}: {id!r} cannot be an id in a URL path")
        # Quoted whole, so an id such as "../users" names one item, never another path.
        return f"{self.path}/{quote(str(id), safe='')}"

    def child_path(self, parent_id: object, child: str) -> str:
        """``/posts/3/comments``: the nested collection ``child`` of item ``parent_id``."""
        return f"{self.item_path('nested', parent_id)}/{child.strip('/')}"

    def params(self, verb: str, filters: Mapping[str, object]) -> list[tuple[str, Any]]:
        """Query parameters for ``filters``: field names become the API's names
        (``user_id=1`` is ``userId=1``, ``user_id_gte`` is ``userId_gte``), a list or set is
        the parameter repeated (``id=[1, 2]``), other names (``q``, ``_sort``) go as given."""
        pairs: list[tuple[str, Any]] = []
        for name, value in filters.items():
            key = self._filter_key(name)
            values = value if isinstance(value, _MORE_VALUES) else (value,)
            for one in values:
                if one is None:
                    raise ConfigurationError(
                        f"{self.label}.{verb}({name}=None): a filter needs a value; leave "
                        "the argument out to not filter on it"
                    )
                pairs.append((key, _query_value(one)))
        return pairs

    def _filter_key(self, name: str) -> str:
        wire = _wire_name(self.model, name)
        if wire is not None:
            return wire
        for suffix in _OPERATORS:
            if name.endswith(suffix):
                wire = _wire_name(self.model, name.removesuffix(suffix))
                if wire is not None:
                    return wire + suffix
        return name

    def body(
        self, verb: str, data: object, fields: Mapping[str, object], *, partial: bool
    ) -> dict[str, Any]:
        """The JSON body for ``create``/``replace`` (``partial=False``) or ``update``.

        A model instance is sent as its fields that were set, by the API's names. Keyword
        fields must name fields of the model (a typo is an error here, not a 422 later);
        a mapping's keys are sent as given, Python names translated, for keys the model
        does not know.
        """
        where = f"{self.label}.{verb}()"
        if isinstance(data, BaseModel):
            if partial:
                raise ConfigurationError(
                    f"{where} takes the fields to change as keyword arguments "
                    f"(update(id, title=...)); to send a whole {type(data).__name__}, use "
                    "replace(id, model)"
                )
            if fields:
                raise ConfigurationError(
                    f"{where}: pass either a {self.model.__name__} or keyword fields, not both"
                )
            if not isinstance(data, self.model):
                raise ConfigurationError(
                    f"{where}: expected a {self.model.__name__}, got {type(data).__name__}"
                )
            return dict(data.model_dump(mode="json", by_alias=True, exclude_unset=True))
        if data is not None and not isinstance(data, Mapping):
            raise ConfigurationError(
                f"{where}: expected a {self.model.__name__}, a dict or keyword fields, got "
                f"{type(data).__name__}"
            )
        for key in fields:
            if _wire_name(self.model, key) is None or "." in key:
                raise ConfigurationError(f"{where}: {self._unknown_field(key)}")
        body = _wire_keys(self.model, {**(data or {}), **fields})
        if not body and partial:
            raise ConfigurationError(f"{where}: name at least one field to change")
        return dict(to_jsonable_python(body, by_alias=True))

    def _unknown_field(self, name: str) -> str:
        known = list(self.model.model_fields)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"its fields are {', '.join(known)}"
        return (
            f"{self.model.__name__} has no field {name!r}; {hint} (to send a key the model "
            "does not declare, pass a dict)"
        )

    def parse(self, response: httpx2.Response, id: ItemID | None) -> M:
        """The response's body as a model; raises :class:`ResponseValidationError`."""
        return self.validate(response.json(), response, id)

    def validate(self, data: Any, response: httpx2.Response, id: ItemID | None) -> M:
        """``data`` (one item of ``response``) as a model, or the error saying what is off."""
        return validate_model(self.model, data, response, resource=self.name, id=id)
