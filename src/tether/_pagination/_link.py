"""A parser for the HTTP ``Link`` header (RFC 8288, section 3).

Grammar, from RFC 8288 section 3 (with RFC 9110's list rule ``#``)::

    Link       = #link-value
    link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
    link-param = token BWS [ "=" BWS ( token / quoted-string ) ]

The parser is a single left-to-right scan, not a split on ``", "`` or a regular
expression, because the easy approaches break on valid headers:

* a URI may contain ``,`` and ``;`` (``<https://x/?a=1,2;b>``), so links are delimited
  by the angle brackets and by commas *outside* brackets and quotes;
* a quoted-string may contain ``,``, ``;``, ``<`` and escaped quotes;
* params come in any order, ``rel`` need not be first, and values may be tokens
  (``rel=next``) or quoted (``rel="next"``);
* ``rel`` holds one or more space-separated relation types (``rel="next last"``),
  compared case-insensitively (section 3.3), and only the first ``rel`` of a link
  counts (section 3.3: "MUST NOT appear more than once"; occurrences after the first
  are ignored);
* URIs are resolved against the request URL when relative (section 3.2; the context
  here is the resource that answered).

Malformed parts are skipped up to the next top-level comma rather than raising: a
pagination helper must degrade to "no next link" on junk, never crash on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import httpx2

from tether._redact import redact_url

__all__ = ["Link", "find_link", "parse_link_header"]

_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_OWS = " \t"


@dataclass(frozen=True, slots=True)
class Link:
    """One link of a ``Link`` header.

    ``url`` is the target resolved against the request URL (or the raw target when no
    base was given or it could not be resolved); ``rels`` are the lower-cased relation
    types of the first ``rel`` param; ``params`` keeps every param in order with
    lower-cased names and unquoted values.
    """

    url: str
    rels: tuple[str, ...]
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str | None:
        """The first value of param ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        for key, value in self.params:
            if key == wanted:
                return value
        return None

    def __repr__(self) -> str:
        return f"Link({redact_url(self.url)!r}, rels={self.rels!r})"


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ows(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _OWS:
            self.pos += 1

    def read_token(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _TCHAR:
            self.pos += 1
        return self.text[start : self.pos]

    def read_quoted(self) -> str | None:
        """Read a quoted-string starting at ``"``; ``None`` when it never closes."""
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(char)
                self.pos += 1
        return None

    def read_bare_value(self) -> str:
        # Lenient: real servers send unquoted values that are not strict tokens
        # (rel=next-page/x, title=a/b); take everything up to a delimiter.
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ";, \t":
            self.pos += 1
        return self.text[start : self.pos]

    def skip_to_next_value(self) -> None:
        """Move past the next comma that is outside quotes and angle brackets."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                if self.read_quoted() is None:
                    return
                continue
            if char == "<":
                end = self.text.find(">", self.pos)
                if end < 0:
                    self.pos = len(self.text)
                    return
                self.pos = end + 1
                continue
            self.pos += 1
            if char == ",":
                return


def _resolve(target: str, base: httpx2.URL | None) -> str:
    if base is None:
        return target
    try:
        return str(base.join(target))
    except (httpx2.InvalidURL, ValueError, TypeError):
        return target


def _parse_params(scan: _Scanner) -> tuple[list[tuple[str, str]], bool]:
    """Params after ``<uri>``; the flag is False when junk forced a skip to the next link."""
    params: list[tuple[str, str]] = []
    while True:
        scan.skip_ows()
        char = scan.peek()
        if char in ("", ","):
            return params, True
        if char != ";":
            return params, False
        scan.pos += 1
        scan.skip_ows()
        name = scan.read_token().lower()
        if not name:
            # Tolerate stray or doubled semicolons (`<u>;; rel=next`, `<u>; `).
            if scan.peek() in (";", ",", ""):
                continue
            return params, False
        scan.skip_ows()
        value = ""
        if scan.peek() == "=":
            scan.pos += 1
            scan.skip_ows()
            if scan.peek() == '"':
                quoted = scan.read_quoted()
                if quoted is None:
                    return params, False
                value = quoted
            else:
                value = scan.read_bare_value()
        params.append((name, value))


def parse_link_header(
    value: str | Iterable[str], base_url: str | httpx2.URL | None = None
) -> list[Link]:
    """Parse ``Link`` header value(s) into :class:`Link` objects, in header order.

    ``value`` may be one header value or several (a response can carry several ``Link``
    fields, which mean the same as one field joined with commas). Relative targets are
    resolved against ``base_url`` (normally the URL of the request that was answered).

    >>> links = parse_link_header('</p?page=2>; rel="next", </p?page=9>; rel=last',
    ...                           "https://api.example/p?page=1")
    >>> [(link.rels, link.url) for link in links]
    [(('next',), 'https://api.example/p?page=2'), (('last',), 'https://api.example/p?page=9')]
    """
    text = value if isinstance(value, str) else ", ".join(value)
    base: httpx2.URL | None = None
    if base_url is not None:
        try:
            base = base_url if isinstance(base_url, httpx2.URL) else httpx2.URL(base_url)
        except (httpx2.InvalidURL, ValueError, TypeError):
            base = None
    scan = _Scanner(text)
    links: list[Link] = []
    while not scan.at_end():
        while scan.peek() in (",", " ", "\t"):
            scan.pos += 1
        if scan.at_end():
            break
        if scan.peek() != "<":
            scan.skip_to_next_value()
            continue
        end = text.find(">", scan.pos + 1)
        if end < 0:
            break
        target = text[scan.pos + 1 : end].strip()
        scan.pos = end + 1
        params, clean = _parse_params(scan)
        if not clean:
            scan.skip_to_next_value()
        rel = next((v for k, v in params if k == "rel"), "")
        rels = tuple(dict.fromkeys(r.lower() for r in rel.split()))
        links.append(Link(_resolve(target, base), rels, tuple(params)))
    return links


def find_link(links: Sequence[Link], rel: str) -> Link | None:
    """The first link having relation type ``rel`` (case-insensitive), or ``None``.

    The first occurrence wins when a header repeats a relation (RFC 8288 gives no
    meaning to later ones, and following the first keeps behaviour predictable).
    """
    wanted = rel.lower()
    for link in links:
        if wanted in link.rels:
            return link
    return None
