"""The response class of tether clients: httpx2's, with safe JSON and typed errors."""

from __future__ import annotations

from typing import Any, TypeVar, overload

import httpx2
from pydantic import BaseModel

from tether._errors import error_for_response
from tether._json import decode, parse_json

__all__ = ["Response", "adopt"]

M = TypeVar("M", bound=BaseModel)


class Response(httpx2.Response):
    """An :class:`httpx2.Response` whose ``json()`` and ``raise_for_status()`` are tether's.

    Every response a tether client returns is one of these; it adds no state, so it behaves
    exactly like its base class except for the two methods below.
    """

    @overload
    def json(self, *, model: type[M], **kwargs: Any) -> M: ...
    @overload
    def json(self, *, model: None = None, **kwargs: Any) -> Any: ...

    def json(self, *, model: type[M] | None = None, **kwargs: Any) -> Any:
        """The body decoded as JSON; raises :class:`tether.JSONDecodeError` if it is not.

        With ``model`` (a pydantic model class such as a :class:`tether.Model` subclass)
        the body is validated into it, and a body that does not fit raises
        :class:`tether.ResponseValidationError` naming the field. ``kwargs`` go to
        :func:`json.loads`, as with httpx2.

        Example::

            post = client.get("/posts/1").json(model=Post)   # a Post
        """
        if model is not None:
            return parse_json(self, model=model, **kwargs)
        try:
            return decode(self.content, **kwargs)
        except ValueError:
            # The slow path builds the explanation (and raises it).
            return parse_json(self, **kwargs)

    def raise_for_status(self) -> Response:
        """Raise the typed :class:`tether.APIError` subclass for a 4xx/5xx status.

        Other non-2xx statuses (1xx, 3xx) raise :class:`httpx2.HTTPStatusError` as in httpx2.
        """
        if self.status_code >= 400 and _has_request(self):
            raise error_for_response(self)
        super().raise_for_status()
        return self


def _has_request(response: httpx2.Response) -> bool:
    """Whether ``response`` knows its request (httpx2 raises when asked otherwise)."""
    try:
        response.request  # noqa: B018 (the property raises when there is none)
    except RuntimeError:
        return False
    return True


def adopt(response: httpx2.Response) -> Response:
    """Make ``response`` a tether :class:`Response` in place (no copy) and return it.

    The class adds no attributes, so switching the class of the object the transport built
    costs nothing and keeps every reference to it valid.
    """
    if type(response) is httpx2.Response:
        response.__class__ = Response
    # A transport's own subclass of httpx2.Response is left as it is.
    return response  # type: ignore[return-value]
