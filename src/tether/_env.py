"""A client's base URL and credentials from environment variables with one prefix.

``tether.Client.from_env(prefix="MYAPI")`` reads:

* ``MYAPI_BASE_URL`` (required): the API's base URL;
* ``MYAPI_TOKEN``: a bearer token (``Authorization: Bearer ...``), or
* ``MYAPI_API_KEY``: an API key sent in the ``X-API-Key`` header, or
* ``MYAPI_USERNAME`` and ``MYAPI_PASSWORD``: HTTP basic auth.

At most one kind of credential may be set, so a stale variable never silently wins.
Reading goes through the same checks as ``BearerAuth.from_env`` and friends.
"""

from __future__ import annotations

import os
import re
from typing import Any

from tether._auth import APIKeyAuth, BasicAuth, BearerAuth
from tether._errors import ConfigurationError, MissingCredentialError

__all__ = ["settings_from_env"]

_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def settings_from_env(prefix: str, owner: str, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` plus ``base_url`` and ``auth`` read from the ``{prefix}_*`` variables.

    Arguments given explicitly win over the environment.
    """
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix.rstrip("_")):
        raise ConfigurationError(
            f"{owner}.from_env(prefix={prefix!r}): the prefix is the start of the variables' "
            "names, letters, digits and '_', such as prefix='MYAPI' for MYAPI_BASE_URL"
        )
    stem = prefix.rstrip("_") + "_"
    needed_by = f"{owner}.from_env(prefix={prefix!r})"
    settings = dict(given)
    if "base_url" not in settings:
        base_url = os.environ.get(stem + "BASE_URL", "").strip()
        if not base_url:
            raise MissingCredentialError(stem + "BASE_URL", needed_by)
        settings["base_url"] = base_url
    if "auth" not in settings:
        settings["auth"] = _auth(stem, needed_by)
    return settings


def _auth(stem: str, needed_by: str) -> BearerAuth | APIKeyAuth | BasicAuth | None:
    def present(name: str) -> bool:
        return bool(os.environ.get(stem + name, "").strip())

    kinds = {
        "TOKEN": present("TOKEN"),
        "API_KEY": present("API_KEY"),
        "USERNAME": present("USERNAME") or present("PASSWORD"),
    }
    chosen = [name for name, set_ in kinds.items() if set_]
    if len(chosen) > 1:
        names = " and ".join(stem + name for name in chosen)
        raise ConfigurationError(
            f"{needed_by}: both {names} are set; set only the credential this API takes "
            "(unset the other), or pass auth= explicitly"
        )
    if not chosen:
        return None
    if chosen[0] == "TOKEN":
        return BearerAuth.from_env(stem + "TOKEN")
    if chosen[0] == "API_KEY":
        return APIKeyAuth.from_env(stem + "API_KEY")
    # One of the pair is set: the other must be too (from_env names the missing one).
    return BasicAuth.from_env(stem + "USERNAME", stem + "PASSWORD")
