"""``paginate`` methods for client classes, built from the paginator classes.

A paginator's constructor is the one place its arguments are declared: the method takes
the same arguments after the client, with the same types (for the type checker, through
``ParamSpec``) and the same run-time signature (for ``help()`` and editors), and passes
them on untouched. The clients then neither repeat the signature nor forward it name by
name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

__all__ = ["paginate_method"]

_P = ParamSpec("_P")
_C = TypeVar("_C")
_R = TypeVar("_R")


def paginate_method(
    paginator: Callable[Concatenate[_C, _P], _R], doc: str
) -> Callable[Concatenate[_C, _P], _R]:
    """A method ``paginate(self, ...)`` returning ``paginator(self, ...)``, documented by ``doc``.

    The paginator must take the client as its first, positional-only argument.

    Example::

        class Client(httpx2.Client):
            paginate = paginate_method(Paginator, "Iterate the items of an endpoint.")
    """

    def paginate(self: _C, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        return paginator(self, *args, **kwargs)

    signature = inspect.signature(paginator)
    client, *rest = signature.parameters.values()
    paginate.__doc__ = doc
    paginate.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[client.replace(name="self"), *rest], return_annotation=paginator
    )
    return paginate
