"""What the request commands and ``tether pull`` share: their options, the client they
build from them, the counts they report, and how an outcome becomes an exit status."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import httpx2
import typer

import tether
from tether._redact import add_sensitive_names, redact_text, redact_url

__all__ = [
    "AUTH_PANEL",
    "NETWORK_PANEL",
    "AuthType",
    "Counter",
    "ExitCode",
    "NetworkOptions",
    "build_auth",
    "describe_error",
    "exit_code_for",
    "fail",
    "make_client_options",
    "paginate_strategy",
]

AUTH_PANEL = "Authentication"
NETWORK_PANEL = "Timeouts, retries and rate limits"
USER_AGENT = f"tether/{tether.__version__}"


class ExitCode:
    """Exit statuses, as HTTPie and xh give them with ``--check-status``."""

    OK = 0
    ERROR = 1
    TIMEOUT = 2
    REDIRECT = 3
    CLIENT_ERROR = 4
    SERVER_ERROR = 5
    INTERRUPTED = 130


class AuthType(StrEnum):
    """How ``--auth`` / ``--auth-env`` values are sent."""

    basic = "basic"
    bearer = "bearer"
    api_key = "api-key"


def fail(message: str, code: int = ExitCode.ERROR) -> typer.Exit:
    """Print ``tether: message`` on stderr and return the exit to raise."""
    typer.echo(f"tether: {redact_text(message)}", err=True)
    return typer.Exit(code)


def _positive(value: float | None, flag: str, example: str) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(
            f"must be a positive number of seconds such as {example}, got {value:g}",
            param_hint=flag,
        )


# Options shared by every command that sends requests; typer reads them off the signature.
AuthOpt = Annotated[
    str | None,
    typer.Option(
        "--auth", "-a", metavar="USER:PASS",
        help="Credentials: USER:PASS for HTTP Basic (USER alone prompts for the password), "
        "or the token/key with --auth-type. Visible to other users in the process list; "
        "prefer --auth-env.",
        rich_help_panel=AUTH_PANEL,
    ),
]
AuthTypeOpt = Annotated[
    AuthType,
    typer.Option(
        "--auth-type", "-A", case_sensitive=False,
        help="How --auth and --auth-env are sent: basic (USER:PASS), bearer (a token in "
        "Authorization) or api-key (a key in --api-key-header).",
        rich_help_panel=AUTH_PANEL,
    ),
]
AuthEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--auth-env", metavar="VAR",
        help="Read the --auth value from the environment variable VAR, so the secret is "
        "never typed, echoed or logged.",
        rich_help_panel=AUTH_PANEL,
    ),
]
BearerOpt = Annotated[
    str | None,
    typer.Option("--bearer", metavar="TOKEN", help="Send Authorization: Bearer TOKEN.",
                 rich_help_panel=AUTH_PANEL),
]
ApiKeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", metavar="KEY", help="Send KEY in the --api-key-header header.",
                 rich_help_panel=AUTH_PANEL),
]
ApiKeyHeaderOpt = Annotated[
    str,
    typer.Option("--api-key-header", metavar="NAME",
                 help="Header that carries an API key.", rich_help_panel=AUTH_PANEL),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", metavar="SECONDS",
                 help="Give up on a request attempt after SECONDS without progress "
                 "[default: 10, 5 to connect].", rich_help_panel=NETWORK_PANEL),
]
RetriesOpt = Annotated[
    int | None,
    typer.Option("--retries", metavar="N", min=0,
                 help="Retry a failed idempotent request up to N times, with backoff that "
                 "honours Retry-After [default: 3].", rich_help_panel=NETWORK_PANEL),
]
NoRetryOpt = Annotated[
    bool,
    typer.Option("--no-retry", help="Send each request once (same as --retries 0).",
                 rich_help_panel=NETWORK_PANEL),
]
RateLimitOpt = Annotated[
    str | None,
    typer.Option("--rate-limit", metavar="RATE",
                 help="Pace requests client-side, e.g. 5/s, 100/min, 10/2s; the server's "
                 "rate-limit headers are always honoured.", rich_help_panel=NETWORK_PANEL),
]
DeadlineOpt = Annotated[
    float | None,
    typer.Option("--deadline", metavar="SECONDS",
                 help="Time allowed for each whole call, retries and waits included.",
                 rich_help_panel=NETWORK_PANEL),
]


@dataclass(frozen=True)
class NetworkOptions:
    """The options that shape the client, validated."""

    timeout: float | None = None
    retries: int | None = None
    no_retry: bool = False
    rate_limit: str | None = None
    deadline: float | None = None
    follow: bool = False
    max_redirects: int = 30

    def check(self) -> None:
        _positive(self.timeout, "--timeout", "30")
        _positive(self.deadline, "--deadline", "60")
        if self.no_retry and self.retries:
            raise typer.BadParameter(
                f"--no-retry contradicts --retries {self.retries}; give one of them",
                param_hint="--no-retry",
            )
        if self.rate_limit is not None:
            try:
                tether.RateLimit(self.rate_limit)
            except tether.ConfigurationError as exc:
                reason = str(exc).split(": ", 1)[-1]
                raise typer.BadParameter(reason, param_hint="--rate-limit") from None

    @property
    def retry(self) -> tether.Retry | bool:
        if self.no_retry or self.retries == 0:
            return False
        if self.retries is None:
            return True
        return tether.Retry(attempts=self.retries + 1)


def build_auth(
    *,
    auth: str | None,
    auth_type: AuthType,
    auth_env: str | None,
    bearer: str | None,
    api_key: str | None,
    api_key_header: str,
) -> httpx2.Auth | None:
    """The one auth object the options ask for; refuses two at once or an unset variable."""
    given = [
        flag for flag, value in
        (("--auth", auth), ("--auth-env", auth_env), ("--bearer", bearer), ("--api-key", api_key))
        if value is not None
    ]
    if len(given) > 1:
        raise typer.BadParameter(
            f"{' and '.join(given)} both give credentials; choose one", param_hint=given[1]
        )
    if bearer is not None:
        return _auth_from(bearer, AuthType.bearer, api_key_header, "--bearer")
    if api_key is not None:
        return _auth_from(api_key, AuthType.api_key, api_key_header, "--api-key")
    if auth_env is not None:
        value = os.environ.get(auth_env, "")
        if not value:
            raise fail(
                f"--auth-env: the environment variable {auth_env} is not set or is empty; "
                f"set it first (export {auth_env}=...)"
            )
        return _auth_from(value, auth_type, api_key_header, f"--auth-env {auth_env}")
    if auth is not None:
        return _auth_from(auth, auth_type, api_key_header, "--auth")
    return None


def _auth_from(value: str, kind: AuthType, header: str, flag: str) -> httpx2.Auth:
    try:
        if kind is AuthType.bearer:
            return tether.BearerAuth(value)
        if kind is AuthType.api_key:
            add_sensitive_names(headers=[header])
            return tether.APIKeyAuth(value, name=header)
        user, colon, password = value.partition(":")
        if not colon and flag == "--auth" and sys.stdin.isatty():
            # As HTTPie does: a user name alone asks for the password, unechoed.
            password = typer.prompt(f"password for {user}", hide_input=True)
            colon = ":"
        if not colon:
            # Never quote the value: it may be a token given without --auth-type bearer.
            raise fail(
                f"{flag}: Basic credentials are USER:PASSWORD, and the value has no colon; "
                "for a token add --auth-type bearer (or api-key)",
                ExitCode.ERROR,
            )
        return tether.BasicAuth(user, password)
    except tether.ConfigurationError as exc:
        raise fail(f"{flag}: {exc}") from None


class Counter:
    """A hook counting what the client did: attempts sent, retries, 429s."""

    def __init__(self) -> None:
        self.requests = 0
        self.retries = 0
        self.rate_limited = 0

    def __call__(self, event: tether.Event) -> None:
        if isinstance(event, tether.RequestFinished):
            self.requests += 1
            if event.status == 429:
                self.rate_limited += 1
        elif isinstance(event, tether.RetryScheduled):
            self.retries += 1


def make_client_options(
    network: NetworkOptions,
    auth: httpx2.Auth | None,
    headers: list[tuple[str, str]],
    hooks: list[Callable[[tether.Event], None]],
) -> dict[str, Any]:
    """Keyword arguments for ``tether.Client`` / ``tether.AsyncClient``."""
    options: dict[str, Any] = {
        "auth": auth,
        "headers": [("User-Agent", USER_AGENT), *headers],
        "retry": network.retry,
        "follow_redirects": network.follow,
        "max_redirects": network.max_redirects,
        "hooks": hooks,
    }
    if network.timeout is not None:
        options["timeout"] = httpx2.Timeout(network.timeout)
    if network.rate_limit is not None:
        options["rate_limit"] = network.rate_limit
    return options


# Each style with the strategy it builds from the names after its colon, if any.
_STRATEGIES: dict[str, tuple[str, Callable[..., tether.Strategy]]] = {
    "link": ("[:REL]", lambda rel="next": tether.LinkHeader(rel=rel)),
    "next": ("[:PATH]", lambda path="next": tether.NextURL(path)),
    "cursor": ("[:PATH[,PARAM]]", lambda path="next_cursor", param="cursor": tether.Cursor(
        path, param=param)),
    "page": ("[:PAGE,SIZE]", lambda page="page", size="per_page": tether.PageNumber(
        page, size)),
    "offset": ("[:OFFSET,LIMIT]", lambda offset="offset", limit="limit": tether.OffsetLimit(
        offset, limit)),
    "last-id": ("[:PARAM[,ID]]", lambda param="starting_after", id_path="id": tether.LastItemID(
        param, id_path)),
    "single": ("", tether.SinglePage),
}
STYLE_NAMES = ("auto", *_STRATEGIES)
STYLE_HELP = (
    "auto (detect it; the default), "
    + ", ".join(f"{name}{args}" for name, (args, _) in _STRATEGIES.items())
    + "; e.g. page:_page,_limit or offset:_start,_limit"
)


def paginate_strategy(style: str, flag: str = "--paginate") -> tether.Strategy | None:
    """The strategy a style stands for (``None``: detect it): ``page:_page,_limit`` is
    ``tether.PageNumber("_page", "_limit")``."""
    name, _, names = style.partition(":")
    if name == "auto" and not names:
        return None
    if name not in _STRATEGIES:
        raise typer.BadParameter(
            f"unknown style {style!r}; choose one of {STYLE_HELP}", param_hint=flag
        )
    args, build = _STRATEGIES[name]
    given = [part.strip() for part in names.split(",")] if names else []
    if any(not part for part in given) or len(given) > args.count(",") + (1 if args else 0):
        raise typer.BadParameter(
            f"{style!r}: {name} takes {name}{args or ' alone'}", param_hint=flag
        )
    try:
        return build(*given)
    except (TypeError, ValueError) as exc:
        raise typer.BadParameter(f"{style!r}: {exc}", param_hint=flag) from None


def exit_code_for(error: BaseException) -> int:
    """The exit status for an error a request raised."""
    if isinstance(error, tether.ServerError):
        return ExitCode.SERVER_ERROR
    if isinstance(error, tether.APIError):
        return ExitCode.CLIENT_ERROR
    if isinstance(error, httpx2.TimeoutException):
        return ExitCode.TIMEOUT
    return ExitCode.ERROR


def describe_error(error: BaseException) -> str:
    """One line naming the typed error and what it means, credentials hidden."""
    name = type(error).__name__
    if isinstance(error, tether.AmbiguousPaginationError):
        # The library's advice names Python arguments; say it in options.
        what = str(error).split("; pass strategy=", 1)[0]
        return (
            f"{name}: {what}; add the first page's parameter (_page==1, offset==0) or name "
            "the style, e.g. --paginate=page:_page,_limit (see --help)"
        )
    if isinstance(error, tether.APIError):
        phrase = error.response.reason_phrase
        return f"{name}: {error.status_code} {phrase} for {error.method} {error.url}"
    request = _request_of(error)
    text = str(error).splitlines()[0] if str(error) else "no details"
    where = ""
    if request is not None and redact_url(request.url) not in text:
        where = f" ({request.method} {redact_url(request.url)})"
    if isinstance(error, httpx2.ConnectError):
        text += "; is the server running, and is the URL right?"
    elif isinstance(error, httpx2.TimeoutException) and not isinstance(
        error, tether.DeadlineExceeded
    ):
        text += "; raise --timeout, or check the server"
    return f"{name}: {text}{where}"


def _request_of(error: BaseException) -> httpx2.Request | None:
    try:
        return getattr(error, "request", None)
    except RuntimeError:  # httpx2 raises when the error carries no request
        return None
