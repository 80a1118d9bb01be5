"""Validate JSON data into a pydantic model, with an error a person can act on.

One path for every place tether hands out models: typed resources, ``response.json(model=)``
and ``paginate(..., model=)``. A mismatch raises :class:`tether.ResponseValidationError`
naming the resource (or the URL's path), the item's id, the first field that did not fit,
its value (credentials hidden) and the request the data came from.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx2
import pydantic
from pydantic import BaseModel

from tether._errors import ConfigurationError, ResponseValidationError, excerpt
from tether._redact import REDACTED, redact_data, redact_url

__all__ = ["check_model", "validate_model"]

M = TypeVar("M", bound=BaseModel)


def check_model(model: object, argument: str) -> None:
    """Refuse a ``model=`` that is not a pydantic model class, saying what to pass."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ConfigurationError(
            f"{argument}: expected a pydantic model class such as a tether.Model subclass "
            f"(class Post(tether.Model): ...), got {model!r}"
        )


def validate_model(
    model: type[M],
    data: Any,
    response: httpx2.Response,
    *,
    resource: str,
    id: int | str | None = None,
) -> M:
    """``data`` (the body of ``response``, or one item of it) as a ``model``."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        if id is None and isinstance(data, dict):
            own = data.get("id")
            id = own if isinstance(own, int | str) and not isinstance(own, bool) else None
        raise _invalid(model, error, response, resource, id) from None


def _invalid(
    model: type[BaseModel],
    error: pydantic.ValidationError,
    response: httpx2.Response,
    resource: str,
    id: int | str | None,
) -> ResponseValidationError:
    problems = error.errors(include_url=False)
    first = problems[0]
    field = ".".join(str(part) for part in first["loc"])
    value = None if first["type"] == "missing" else first["input"]
    # The field's value is hidden the way error bodies are, by its name.
    leaf = field.rsplit(".", 1)[-1]
    if field and redact_data({leaf: value})[leaf] == REDACTED:
        value = REDACTED
    # A response's own path may already end in the id (posts/1): name it once.
    named = id is None or resource.endswith(f"/{id}")
    which = resource if named else f"{resource}/{id}"
    request = response.request
    subject = f"field {field!r}" if field else "the body"
    shown = "is missing" if first["type"] == "missing" else f"is {_short(value)}"
    more = len(problems) - 1
    message = (
        f"{which}: {subject} {shown}, which does not fit {model.__name__} "
        f"({first['msg']}) in the answer to {request.method} {redact_url(request.url)}"
    )
    if more:
        message += f"; {more} more problem{'s' if more > 1 else ''} in .errors"
    if not field:
        message += f"; body: {excerpt(response.content)}"
    return ResponseValidationError(
        message,
        resource=resource,
        id=id,
        field=field,
        value=value,
        problem=first["msg"],
        errors=[dict(problem) for problem in problems],
        response=response,
    )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
