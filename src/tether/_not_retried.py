"""Say why a failed POST or PATCH was sent only once.

A 503 to a GET is retried; the same 503 to a POST is not, because the POST may have
changed something before the server failed. Without a word about it, the difference looks
like a bug. The client calls :func:`note_not_retried` on the error path only.
"""

from __future__ import annotations

from tether._errors import APIError
from tether._options import call_options
from tether._retry import Retry

__all__ = ["note_not_retried"]


def note_not_retried(error: APIError, client_policy: Retry | bool) -> None:
    """Add a note to ``error`` when retrying was skipped only because its method is not
    safe to repeat: the status is one the policy retries, there was one attempt, and the
    request carries no idempotency key."""
    if len(error.attempts) != 1:
        return  # not through the retry layer, or retried: the history says what happened
    request = error.request
    policy: Retry | bool | None = call_options(request).retry
    if policy is None:
        policy = client_policy
    if policy is False:
        return  # the caller asked for one attempt
    if not isinstance(policy, Retry):
        policy = Retry()
    if (
        error.status_code in policy.statuses
        and request.method not in policy.methods
        and policy.idempotency_header not in request.headers
    ):
        error.add_note(
            f"tether: this {error.method} was sent once and not retried: a {error.method} "
            "may have changed something on the server before it failed, so tether repeats "
            f"it only with an {policy.idempotency_header} header the server de-duplicates "
            f"by; send one (headers={{'{policy.idempotency_header}': '<unique id>'}}) or let "
            "tether add one with retry=tether.Retry(idempotency_key=True)"
        )
