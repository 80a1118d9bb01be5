"""One-off requests: ``tether.get(url)`` and friends, with tether's defaults.

Each call opens a :class:`tether.Client`, sends one request and closes the client, as
``httpx2.get`` does: the timeouts, typed errors, retries and redaction are all there, but
no connection is reused. For more than a few requests, keep a :class:`tether.Client`.

Example::

    post = tether.get("http://127.0.0.1:8000/posts/1").json()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2

from tether._client import Client
from tether._config import DEFAULT_TIMEOUT
from tether._httpx2 import (
    AuthTypes,
    CookieTypes,
    HeaderTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestFiles,
    TimeoutTypes,
)
from tether._response import Response
from tether._retry import Retry

__all__ = ["delete", "get", "head", "options", "patch", "post", "put", "request", "stream"]


def request(
    method: str,
    url: httpx2.URL | str,
    *,
    params: QueryParamTypes | None = None,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one request with a short-lived :class:`tether.Client`; the body is read.

    Example::

        tether.request("GET", "http://127.0.0.1:8000/posts", params={"userId": 1})
    """
    with Client(timeout=timeout, follow_redirects=follow_redirects) as client:
        return client.request(
            method,
            url,
            params=params,
            content=content,
            data=data,
            files=files,
            json=json,
            headers=headers,
            cookies=cookies,
            auth=auth,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        )


@contextmanager
def stream(
    method: str,
    url: httpx2.URL | str,
    *,
    params: QueryParamTypes | None = None,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Iterator[Response]:
    """Stream one response's body with a short-lived :class:`tether.Client`.

    Example::

        with tether.stream("GET", "http://127.0.0.1:8000/posts") as response:
            for chunk in response.iter_bytes():
                ...
    """
    with (
        Client(timeout=timeout, follow_redirects=follow_redirects) as client,
        client.stream(
            method,
            url,
            params=params,
            content=content,
            data=data,
            files=files,
            json=json,
            headers=headers,
            cookies=cookies,
            auth=auth,
            raise_for_status=raise_for_status,
            retry=retry,
            deadline=deadline,
        ) as response,
    ):
        yield response


def get(
    url: httpx2.URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one ``GET`` request; arguments as in :func:`tether.request`.

    Example::

        tether.get("http://127.0.0.1:8000/posts/1").json()["id"]  # 1
    """
    return request(
        "GET",
        url,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        timeout=timeout,
        follow_redirects=follow_redirects,
        raise_for_status=raise_for_status,
        retry=retry,
        deadline=deadline,
    )


def head(
    url: httpx2.URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one ``HEAD`` request; arguments as in :func:`tether.request`.

    Example::

        tether.head("http://127.0.0.1:8000/posts").headers["content-type"]
    """
    return request(
        "HEAD",
        url,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        timeout=timeout,
        follow_redirects=follow_redirects,
        raise_for_status=raise_for_status,
        retry=retry,
        deadline=deadline,
    )


def options(
    url: httpx2.URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one ``OPTIONS`` request; arguments as in :func:`tether.request`.

    Example::

        tether.options("http://127.0.0.1:8000/posts").headers.get("allow")
    """
    return request(
        "OPTIONS",
        url,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        timeout=timeout,
        follow_redirects=follow_redirects,
        raise_for_status=raise_for_status,
        retry=retry,
        deadline=deadline,
    )


def delete(
    url: httpx2.URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one ``DELETE`` request; arguments as in :func:`tether.request`.

    Example::

        tether.delete("http://127.0.0.1:8000/posts/1").status_code  # 200
    """
    return request(
        "DELETE",
        url,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        timeout=timeout,
        follow_redirects=follow_redirects,
        raise_for_status=raise_for_status,
        retry=retry,
        deadline=deadline,
    )


def post(
    url: httpx2.URL | str,
    *,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one ``POST`` request; arguments as in :func:`tether.request`.

    Example::

        tether.post("http://127.0.0.1:8000/posts", json={"title": "hi"}).json()
    """
    return request(
        "POST",
        url,
        content=content,
        data=data,
        files=files,
        json=json,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        timeout=timeout,
        follow_redirects=follow_redirects,
        raise_for_status=raise_for_status,
        retry=retry,
        deadline=deadline,
    )


def put(
    url: httpx2.URL | str,
    *,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one ``PUT`` request; arguments as in :func:`tether.request`.

    Example::

        tether.put("http://127.0.0.1:8000/posts/1", json={"title": "hi"}).json()
    """
    return request(
        "PUT",
        url,
        content=content,
        data=data,
        files=files,
        json=json,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        timeout=timeout,
        follow_redirects=follow_redirects,
        raise_for_status=raise_for_status,
        retry=retry,
        deadline=deadline,
    )


def patch(
    url: httpx2.URL | str,
    *,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    raise_for_status: bool = True,
    retry: Retry | bool = True,
    deadline: float | None = None,
) -> Response:
    """Send one ``PATCH`` request; arguments as in :func:`tether.request`.

    Example::

        tether.patch("http://127.0.0.1:8000/posts/1", json={"title": "hi"}).json()
    """
    return request(
        "PATCH",
        url,
        content=content,
        data=data,
        files=files,
        json=json,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        timeout=timeout,
        follow_redirects=follow_redirects,
        raise_for_status=raise_for_status,
        retry=retry,
        deadline=deadline,
    )
