"""Errors raised while paginating."""

from __future__ import annotations

from tether._errors import TetherError

__all__ = ["AmbiguousPaginationError", "PaginationError"]


class PaginationError(TetherError):
    """Pagination cannot continue: a body without items, a safety cap reached, bad data."""


class AmbiguousPaginationError(PaginationError):
    """Auto-detection could not tell how the endpoint paginates.

    The message says what the first response looked like and which strategy to pass,
    e.g. ``client.paginate(url, strategy=tether.PageNumber("page", "per_page"))``.
    """
