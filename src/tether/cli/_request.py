"""``tether get|post|put|patch|delete|head|options URL [ITEM ...]``: one request, HTTPie style,
with tether's timeouts, retries, rate limits and typed errors underneath; ``--paginate``
streams every item of a paginated collection as JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import httpx2
import typer

import tether
from tether.cli._app import app
from tether.cli._common import (
    STYLE_HELP,
    ApiKeyHeaderOpt,
    ApiKeyOpt,
    AuthEnvOpt,
    AuthOpt,
    AuthType,
    AuthTypeOpt,
    BearerOpt,
    Counter,
    DeadlineOpt,
    ExitCode,
    NetworkOptions,
    NoRetryOpt,
    RateLimitOpt,
    RetriesOpt,
    TimeoutOpt,
    build_auth,
    describe_error,
    exit_code_for,
    fail,
    make_client_options,
    paginate_strategy,
)
from tether.cli._items import ItemError, RequestItems, normalize_url, parse_items
from tether.cli._output import Pretty, Printer, print_letters
from tether.cli._progress import ProgressLine

__all__ = ["METHODS"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_OUTPUT = "Output"
_BODY = "Request body"
_PAGING = "Pagination"
JSON_ACCEPT = "application/json, */*;q=0.5"

_ITEMS_HELP = (
    "Request items: Header:value, Header: (drop it), param==value, field=value (string), "
    "field:=json (raw JSON), field=@file, field:=@file, field@file (upload)."
)


def _body_arguments(
    parsed: RequestItems, *, form: bool, raw: str | None
) -> tuple[dict[str, Any], str | None]:
    """httpx2 body arguments and the Content-Type to default to."""
    if raw is not None:
        if parsed.has_body:
            raise typer.BadParameter(
                "--raw gives the whole body; it cannot be combined with field items",
                param_hint="--raw",
            )
        content = _raw_content(raw)
        return {"content": content}, (
            "application/x-www-form-urlencoded" if form else "application/json"
        )
    if parsed.files or form:
        if parsed.raw_json_fields:
            raise typer.BadParameter(
                f"{parsed.raw_json_fields[0]}:= is raw JSON, which a form cannot carry; "
                "use field=value, or drop --form to send JSON",
                param_hint="ITEM",
            )
        data = {name: str(value) for name, value in parsed.fields}
        if not parsed.files:
            return ({"data": data} if data else {}), None
        files = {name: (path.name, path.read_bytes()) for name, path in parsed.files}
        return {"data": data, "files": files}, None
    if parsed.data:
        return {"json": parsed.data}, None
    return {}, None


def _raw_content(raw: str) -> bytes:
    if raw == "@-":
        return sys.stdin.buffer.read()
    if raw.startswith("@"):
        try:
            return Path(raw[1:]).expanduser().read_bytes()
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot read {raw[1:]!r}: {exc.strerror or exc}", param_hint="--raw"
            ) from None
    return raw.encode("utf-8")


def _apply_auth(request: httpx2.Request, auth: httpx2.Auth | None) -> None:
    """Put the credentials on ``request`` now, so ``-v`` shows (redacted) what is sent."""
    if auth is None:
        return
    flow = auth.sync_auth_flow(request)
    try:
        next(flow)
    finally:
        flow.close()


def _write_lines(items: list[Any]) -> None:
    out = sys.stdout.buffer
    out.write(
        b"".join(
            json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
            for item in items
        )
    )
    out.flush()


def _paginate(
    client: tether.Client,
    method: str,
    url: str,
    parsed: RequestItems,
    body: dict[str, Any],
    *,
    style: str,
    items_path: str | None,
    max_items: int | None,
    max_pages: int | None,
    deadline: float | None,
    counter: Counter,
) -> None:
    strategy = paginate_strategy(style)
    options: dict[str, Any] = dict(body)
    if deadline is not None:
        options["deadline"] = deadline
    pager = client.paginate(
        url, method=method, params=tuple(parsed.params), strategy=strategy, items=items_path,
        max_items=max_items, max_pages=max_pages, **options,
    )
    progress = ProgressLine(counter) if sys.stderr.isatty() else None
    try:
        for page in pager.pages():
            _write_lines(page.items)
            if progress is not None:
                progress.update(page.checkpoint.pages, page.checkpoint.items, page.total)
    finally:
        if progress is not None:
            progress.close()


def run_request(
    method: str,
    url: str,
    items: list[str],
    *,
    json_body: bool,
    form: bool,
    raw: str | None,
    offline: bool,
    print_: str | None,
    verbose: bool,
    headers_only: bool,
    body_only: bool,
    pretty: Pretty | None,
    check_status: bool,
    auth: httpx2.Auth | None,
    network: NetworkOptions,
    paginate: str | None,
    items_path: str | None,
    max_items: int | None,
    max_pages: int | None,
) -> None:
    """Send one request (or page through a collection) and print the result."""
    try:
        full_url = normalize_url(url)
        httpx2.URL(full_url)
    except (ItemError, httpx2.InvalidURL) as exc:
        raise typer.BadParameter(str(exc), param_hint="URL") from None
    try:
        parsed = parse_items(items)
    except ItemError as exc:
        raise typer.BadParameter(str(exc), param_hint="ITEM") from None
    body, content_type = _body_arguments(parsed, form=form, raw=raw)
    tty = sys.stdout.isatty()
    letters = print_letters(
        print_, verbose=verbose, headers=headers_only, body=body_only, tty=tty, offline=offline
    )
    style = pretty if pretty is not None else (Pretty.ALL if tty else Pretty.NONE)
    printer = Printer(letters, style)
    headers = list(parsed.headers)
    given = {name.lower() for name, _ in headers}
    wants_json = json_body or "json" in body or content_type == "application/json"
    if wants_json and "accept" not in given:
        headers.append(("Accept", JSON_ACCEPT))
    if content_type and "content-type" not in given:
        headers.append(("Content-Type", content_type))
    counter = Counter()
    try:
        client = tether.Client(**make_client_options(network, auth, headers, [counter]))
    except tether.ConfigurationError as exc:
        raise fail(str(exc)) from None
    with client:
        for name in parsed.dropped_headers:
            client.headers.pop(name, None)
        if paginate is not None and not offline:
            try:
                _paginate(
                    client, method, full_url, parsed, body, style=paginate,
                    items_path=items_path, max_items=max_items, max_pages=max_pages,
                    deadline=network.deadline, counter=counter,
                )
            except (httpx2.HTTPError, tether.TetherError) as exc:
                raise fail(describe_error(exc), exit_code_for(exc)) from None
            return
        request = client.build_request(method, full_url, params=tuple(parsed.params), **body)
        # A multipart body is a stream; read it once so it can be shown and resent.
        request.read()
        _apply_auth(request, auth)
        if offline:
            printer.request(request)
            return
        printer.request(request)
        error: tether.APIError | None = None
        response: httpx2.Response
        try:
            options: dict[str, Any] = {"raise_for_status": check_status}
            if network.deadline is not None:
                options["deadline"] = network.deadline
            response = client.send(request, **options)
        except tether.APIError as exc:
            error, response = exc, exc.response
        except (httpx2.HTTPError, tether.TetherError) as exc:
            raise fail(describe_error(exc), exit_code_for(exc)) from None
        printer.response(response)
    if error is not None:
        raise fail(describe_error(error), exit_code_for(error))
    if check_status and 300 <= response.status_code < 400 and not network.follow:
        location = response.headers.get("location", "")
        where = f" to {location}" if location else ""
        raise fail(
            f"{response.status_code} {response.reason_phrase}: redirect{where} not followed; "
            "add --follow to follow it",
            ExitCode.REDIRECT,
        )


def _make_command(method: str) -> Callable[..., None]:
    lower = method.lower()
    example = {
        "GET": "tether get :8000/todos/1\n\n            tether get :8000/photos _page==1 "
        "_limit==100 --paginate > photos.jsonl",
        "POST": "tether post :8000/posts title=hello userId:=1 body=@post.txt",
        "PUT": "tether put :8000/posts/1 userId:=1 title=new body=text",
        "PATCH": "tether patch :8000/posts/1 title=changed",
        "DELETE": "tether delete :8000/posts/1",
        "HEAD": "tether head :8000/photos _limit==5",
        "OPTIONS": "tether options :8000/posts Origin:http://example.org",
    }[method]
    purpose = {
        "GET": "Fetch a resource (or, with --paginate, a whole collection).",
        "POST": "Create: send a JSON (or --form) body to a URL.",
        "PUT": "Replace a resource with the body given.",
        "PATCH": "Change some fields of a resource.",
        "DELETE": "Delete a resource.",
        "HEAD": "Fetch a resource's headers only.",
        "OPTIONS": "Ask which methods and headers a URL allows.",
    }[method]

    def command(
        url: Annotated[
            str,
            typer.Argument(
                metavar="URL",
                help="The URL; :8000/path is short for http://localhost:8000/path, and "
                "http:// is added when no scheme is given.",
                show_default=False,
            ),
        ],
        items: Annotated[
            list[str] | None,
            typer.Argument(metavar="ITEM", help=_ITEMS_HELP, show_default=False),
        ] = None,
        json_body: Annotated[
            bool,
            typer.Option("--json", "-j", help="Send fields as JSON (the default) and ask for "
                         "JSON even without a body.", rich_help_panel=_BODY),
        ] = False,
        form: Annotated[
            bool,
            typer.Option("--form", "-f", help="Send fields as a form (urlencoded, or "
                         "multipart with field@file) instead of JSON.", rich_help_panel=_BODY),
        ] = False,
        raw: Annotated[
            str | None,
            typer.Option("--raw", metavar="TEXT|@FILE", help="The whole body as given, read "
                         "from FILE with @FILE, or from standard input with @-.",
                         rich_help_panel=_BODY),
        ] = None,
        offline: Annotated[
            bool,
            typer.Option("--offline", help="Print the request that would be sent, and send "
                         "nothing.", rich_help_panel=_BODY),
        ] = False,
        print_: Annotated[
            str | None,
            typer.Option("--print", "-p", metavar="WHAT", help="Parts to print: H request "
                         "headers, B request body, h response headers, b response body, m "
                         "elapsed time "
                         "[default: hb on a terminal, b when piped].", rich_help_panel=_OUTPUT),
        ] = None,
        verbose: Annotated[
            bool,
            typer.Option("--verbose", "-v", help="Print the request and the response "
                         "(--print HBhb); credentials show as [REDACTED].",
                         rich_help_panel=_OUTPUT),
        ] = False,
        headers_only: Annotated[
            bool,
            typer.Option("--headers", "-h", help="Print the response headers only.",
                         rich_help_panel=_OUTPUT),
        ] = False,
        body_only: Annotated[
            bool,
            typer.Option("--body", "-b", help="Print the response body only.",
                         rich_help_panel=_OUTPUT),
        ] = False,
        pretty: Annotated[
            Pretty | None,
            typer.Option("--pretty", case_sensitive=False, help="all: colours and indented "
                         "JSON; colors; format; none: the bytes as received [default: all on "
                         "a terminal, none when piped].", rich_help_panel=_OUTPUT,
                         show_default=False),
        ] = None,
        check_status: Annotated[
            bool,
            typer.Option("--check-status/--no-check-status", help="Exit 3, 4 or 5 on a 3xx "
                         "not followed, a 4xx or a 5xx response; --no-check-status exits 0 "
                         "for any response.", rich_help_panel=_OUTPUT),
        ] = True,
        auth: AuthOpt = None,
        auth_type: AuthTypeOpt = AuthType.basic,
        auth_env: AuthEnvOpt = None,
        bearer: BearerOpt = None,
        api_key: ApiKeyOpt = None,
        api_key_header: ApiKeyHeaderOpt = "X-API-Key",
        timeout: TimeoutOpt = None,
        retries: RetriesOpt = None,
        no_retry: NoRetryOpt = False,
        rate_limit: RateLimitOpt = None,
        deadline: DeadlineOpt = None,
        follow: Annotated[
            bool,
            typer.Option("--follow", "-F", help="Follow redirects.",
                         rich_help_panel="Timeouts, retries and rate limits"),
        ] = False,
        max_redirects: Annotated[
            int,
            typer.Option("--max-redirects", metavar="N", min=0, help="Redirects followed "
                         "at most, with --follow.",
                         rich_help_panel="Timeouts, retries and rate limits"),
        ] = 30,
        paginate: Annotated[
            str | None,
            typer.Option("--paginate", metavar="[=STYLE]", help="Follow pagination and print "
                         "every item as one JSON line. STYLE: " + STYLE_HELP + ".",
                         rich_help_panel=_PAGING, show_default=False),
        ] = None,
        items_path: Annotated[
            str | None,
            typer.Option("--items", metavar="PATH", help="Dotted path of the item list in "
                         "each page (data, result.rows); found by itself for common shapes.",
                         rich_help_panel=_PAGING),
        ] = None,
        max_items: Annotated[
            int | None,
            typer.Option("--max-items", metavar="N", min=1, help="Stop after N items.",
                         rich_help_panel=_PAGING),
        ] = None,
        max_pages: Annotated[
            int | None,
            typer.Option("--max-pages", metavar="N", min=1, help="Stop after N pages.",
                         rich_help_panel=_PAGING),
        ] = None,
    ) -> None:
        network = NetworkOptions(
            timeout=timeout, retries=retries, no_retry=no_retry, rate_limit=rate_limit,
            deadline=deadline, follow=follow, max_redirects=max_redirects,
        )
        network.check()
        if json_body and form:
            raise typer.BadParameter("--json and --form contradict each other; give one",
                                     param_hint="--json")
        if paginate is None and (items_path or max_items or max_pages):
            raise typer.BadParameter(
                "only applies with --paginate", param_hint="--items/--max-items/--max-pages"
            )
        credentials = build_auth(
            auth=auth, auth_type=auth_type, auth_env=auth_env, bearer=bearer,
            api_key=api_key, api_key_header=api_key_header,
        )
        try:
            run_request(
                method, url, items or [], json_body=json_body, form=form, raw=raw,
                offline=offline,
                print_=print_, verbose=verbose, headers_only=headers_only,
                body_only=body_only, pretty=pretty, check_status=check_status,
                auth=credentials, network=network, paginate=paginate,
                items_path=items_path, max_items=max_items, max_pages=max_pages,
            )
        except BrokenPipeError:
            # A reader such as `head` stopped reading: done, not an error.
            _silence_stdout()
        except KeyboardInterrupt:
            raise fail("interrupted", ExitCode.INTERRUPTED) from None

    command.__doc__ = f"""{purpose}

        Example:

            {example}
        """
    command.__name__ = lower
    return command


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


for _method in METHODS:
    app.command(name=_method.lower(), rich_help_panel="Requests")(_make_command(_method))
