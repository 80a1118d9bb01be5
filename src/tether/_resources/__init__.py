"""Typed resource clients: :class:`Model`, :class:`Resource`, :class:`Singleton`.

Pure part: :mod:`._core` (URLs, query parameters, bodies, validation). Thin shells:
:mod:`._sync` and :mod:`._async`. The declarations in :mod:`._resource` pick the shell of
their client's kind.
"""

from tether._resources._async import AsyncListing
from tether._resources._core import ItemID
from tether._resources._model import Model
from tether._resources._resource import ClientT, Resource, ResourceOptions, Singleton
from tether._resources._sync import Listing

__all__ = [
    "AsyncListing",
    "ClientT",
    "ItemID",
    "Listing",
    "Model",
    "Resource",
    "ResourceOptions",
    "Singleton",
]
