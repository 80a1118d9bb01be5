"""Redaction of httpx2's and httpcore2's own log lines.

httpx2's INFO line prints the raw request URL and httpcore2's DEBUG lines quote raw header
lists; :func:`install_httpx2_log_redaction` (called once when tether is imported) adds
filters that hide the credentials in both. tether's own request log line is written by
the observing transport (``tether._transports._observe``).
"""

from __future__ import annotations

import logging
import re

import httpx2

from tether._redact import REDACTED, is_sensitive_header, redact_url

__all__ = ["install_httpx2_log_redaction"]


class _RedactURLs(logging.Filter):
    """Rewrites URL arguments of httpx2's log records to their redacted form."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(arg, httpx2.URL) for arg in args):
            record.args = tuple(
                redact_url(arg) if isinstance(arg, httpx2.URL) else arg for arg in args
            )
        return True


# httpcore2's DEBUG lines quote raw header lists: [(b'set-cookie', b'session=...'), ...].
_HEADER_PAIR = re.compile(r"\(b(['\"])([^'\"]+)\1, b(['\"])(.*?)\3\)")


class _RedactHeaderPairs(logging.Filter):
    """Hides credential-carrying header values in httpcore2's preformatted DEBUG lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "(b" in record.msg:
            record.msg = _HEADER_PAIR.sub(_redacted_pair, record.msg)
        return True


def _redacted_pair(match: re.Match[str]) -> str:
    if not is_sensitive_header(match.group(2)):
        return match.group(0)
    quote = match.group(3)
    return f"(b{match.group(1)}{match.group(2)}{match.group(1)}, b{quote}{REDACTED}{quote})"


# The transport's loggers that write header lists; a filter acts only on records created
# on its own logger, so each gets one.
_HTTPCORE2_LOGGERS = ("httpcore2.http11", "httpcore2.http2", "httpcore2.proxy")


def install_httpx2_log_redaction() -> None:
    """Redact URLs in httpx2's own log lines and credential headers in httpcore2's DEBUG
    lines (idempotent; ``import tether`` does it)."""
    httpx2_logger = logging.getLogger("httpx2")
    if not any(isinstance(f, _RedactURLs) for f in httpx2_logger.filters):
        httpx2_logger.addFilter(_RedactURLs())
    for name in _HTTPCORE2_LOGGERS:
        transport_logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactHeaderPairs) for f in transport_logger.filters):
            transport_logger.addFilter(_RedactHeaderPairs())
