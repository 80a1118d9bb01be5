"""Schemathesis checks for the sandbox: two built-in checks, each with the one exception
the sandbox's own rules require, and nothing else loosened.

- ``not_a_server_error``, except on ``/status/{code}``, which answers whatever status it is
  asked for (a 503 there is the route working).
- ``positive_data_acceptance``, except on ``/status/{code}`` (a 4xx there is asked for)
  and for the two refusals that depend on the server's
  state, which no schema can express: a body naming a parent that does not exist (422,
  ``field`` the parent key, "... does not exist"), and an ``Idempotency-Key`` that the
  fuzzer reused with another body (422, ``field`` ``Idempotency-Key``).

- ``negative_data_rejection``, except when the invalid value is one schemathesis never
  sends: the paging and sorting parameters are exploded objects (one key per property,
  the only way OpenAPI has to say which parameters go together), and a negated value
  that is not an object (``null``, say) leaves the query without them, so the request
  that goes out is valid.

Loaded by the fuzzing test through ``SCHEMATHESIS_HOOKS``.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

_PARENT_KEYS = {"userId", "postId", "albumId"}


def _state_refusal(response: Any) -> bool:
    if response.status_code != 422:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    field, message = body.get("field"), str(body.get("message", ""))
    if field in _PARENT_KEYS and message.endswith("does not exist"):
        return True
    return field == "Idempotency-Key" and "already used with a different body" in message


@schemathesis.check
def valid_data_accepted_unless_state_refuses(ctx: Any, response: Any, case: Any) -> Any:
    if _state_refusal(response) or case.operation.path == "/status/{code}":
        return None
    return positive_data_acceptance(ctx, response, case)


@schemathesis.check
def no_server_error_outside_status_route(ctx: Any, response: Any, case: Any) -> Any:
    if case.operation.path == "/status/{code}":
        return None
    return not_a_server_error(ctx, response, case)


_EXPLODED = ("paging", "sorting")


def _negation_not_sent(case: Any, response: Any) -> bool:
    query = case.query or {}
    request = getattr(response, "request", None)
    sent = str(getattr(request, "url", ""))
    return any(
        name in query and not isinstance(query[name], dict) and f"{name}=" not in sent
        for name in _EXPLODED
    )


@schemathesis.check
def invalid_data_refused_when_sent(ctx: Any, response: Any, case: Any) -> Any:
    if _negation_not_sent(case, response):
        return None
    return negative_data_rejection(ctx, response, case)
