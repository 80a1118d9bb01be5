"""The error for a rate-limit argument of the wrong type."""

from __future__ import annotations

from tether._errors import ConfigurationError

__all__ = ["ConfigurationTypeError"]


class ConfigurationTypeError(ConfigurationError, TypeError):
    """A :class:`tether.ConfigurationError` for an argument of the wrong type (a number
    where a rate goes, a path where a store goes ...).

    These arguments raised :class:`TypeError` before they raised
    :class:`tether.ConfigurationError`, so this is a ``TypeError`` too: ``except
    TypeError`` written for them still works. Catch ``tether.ConfigurationError``.
    """
