"""``GET /openapi.json``: an OpenAPI 3.1 description of the whole sandbox API."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Route

from tether.sandbox._paging import DEFAULT_PAGE_SIZE, GITHUB_PAGE_SIZE, MAX_PAGE_SIZE
from tether.sandbox._resources import RESOURCES

__all__ = ["openapi_document"]

_REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = _json(_ref("Error"), "Error: {error, message, field?}")


def _query(name: str, description: str, kind: str = "integer") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": kind}}


_LIST_PARAMS = [
    _query("page", f"Page number, GitHub style (with per_page, default {GITHUB_PAGE_SIZE}); "
                   "response has Link and X-Total-Count."),
    _query("per_page", f"Page size, 1..{MAX_PAGE_SIZE}."),
    _query("_page", "Page number, json-server style: with _limit (Link + X-Total-Count) or "
                    "with _per_page (envelope {first, prev, next, last, pages, items, data})."),
    _query("_limit", f"Page size with _page (default {DEFAULT_PAGE_SIZE}), or slice length."),
    _query("_per_page", "Page size of the json-server 1.x envelope style."),
    _query("offset", "Items to skip (with limit); response has X-Total-Count."),
    _query("limit", f"Page size for offset or cursor paging (default {DEFAULT_PAGE_SIZE})."),
    _query("cursor", "Opaque cursor (empty to start); response is {data, next_cursor, next}.",
           "string"),
    _query("_start", "Slice start index (X-Total-Count)."),
    _query("_end", "Slice end index (exclusive)."),
    _query("_sort", "Comma-separated fields to sort by; a leading '-' sorts descending.",
           "string"),
    _query("_order", "Comma-separated asc|desc matching _sort.", "string"),
    _query("q", "Full-text search in every string field.", "string"),
    _query("_embed", "Children to include in each item (comma separated).", "string"),
    _query("_expand", "Parent to include in each item (user, post, album).", "string"),
]
_FILTER_NOTE = (
    "Any field (nested ones dotted: address.city) filters by equality; repeat it to OR "
    "values. Suffixes _gte, _lte, _ne, _like (regex) and json-server 1.x operators "
    "field:lt|lte|gt|gte|ne|in|contains|startsWith|endsWith compare. Unknown fields are 400."
)
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer",
                                                                   "minimum": 1}}
_IDEMPOTENCY = {
    "name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "Repeating a POST with the same key and body returns the first response "
                   "(Idempotent-Replayed: true) and creates nothing new.",
}


def _resource_paths(name: str, model: str) -> dict[str, Any]:
    item_schema = _ref(model)
    body = {"required": True, "content": {"application/json": {"schema": item_schema}}}
    invalid = {"400": _ERROR, "422": _ERROR}
    paths: dict[str, Any] = {
        f"/{name}": {
            "get": {"summary": f"List {name}", "description": _FILTER_NOTE,
                    "parameters": _LIST_PARAMS,
                    "responses": {"200": _json({"type": "array", "items": item_schema},
                                               f"{name} (or a paging envelope)"),
                                  "400": _ERROR}},
            "post": {"summary": f"Create one of {name}", "parameters": [_IDEMPOTENCY],
                     "requestBody": body,
                     "responses": {"201": _json(item_schema, "Created; Location header"),
                                   **invalid}},
        },
        f"/{name}/{{id}}": {
            "parameters": [_ID],
            "get": {"summary": f"Get one of {name}",
                    "responses": {"200": _json(item_schema, "Found"), "404": _ERROR}},
            "put": {"summary": "Replace (all fields)", "requestBody": body,
                    "responses": {"200": _json(item_schema, "Replaced"), "404": _ERROR,
                                  **invalid}},
            "patch": {"summary": "Update (JSON merge patch)",
                      "requestBody": {"required": True,
                                      "content": {"application/json": {"schema": {
                                          "type": "object"}}}},
                      "responses": {"200": _json(item_schema, "Updated"), "404": _ERROR,
                                    **invalid}},
            "delete": {"summary": "Delete",
                       "responses": {"200": _json({"type": "object"}, "Deleted: {}"),
                                     "404": _ERROR}},
        },
    }
    for child in RESOURCES[name].children:
        child_model = RESOURCES[child].model.__name__
        paths[f"/{name}/{{id}}/{child}"] = {
            "parameters": [_ID],
            "get": {"summary": f"{child} of one of {name}", "description": _FILTER_NOTE,
                    "parameters": _LIST_PARAMS,
                    "responses": {"200": _json({"type": "array", "items": _ref(child_model)},
                                               child),
                                  "400": _ERROR, "404": _ERROR}},
            "post": {"summary": f"Create one of {child} under one of {name}",
                     "description": f"As POST /{child}, with the parent's id filled in "
                                    "from the URL (a different one in the body is 422).",
                     "parameters": [_IDEMPOTENCY],
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"type": "object"}}}},
                     "responses": {"201": _json(_ref(child_model), "Created; Location header"),
                                   "400": _ERROR, "404": _ERROR, "422": _ERROR}},
        }
    return paths


def _other_paths() -> dict[str, Any]:
    anything = _json({"type": "object"}, "JSON object")
    return {
        "/profile": {"get": {
            "summary": "The authenticated user",
            "security": [
                {"bearer": []},
                {"apiKey": []},
                {"apiKeyQuery": []},
                {"basic": []},
                {"oauth2": []},
            ],
            "responses": {"200": _json(_ref("User"), "The user"), "401": _ERROR}}},
        "/oauth/token": {"post": {
            "summary": "OAuth2 client-credentials grant",
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {"grant_type": {"const": "client_credentials"},
                                   "client_id": {"type": "string"},
                                   "client_secret": {"type": "string"}}}}}},
            "responses": {
                "200": _json({"type": "object", "properties": {
                    "access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                    "expires_in": {"type": "number"}}}, "A token"),
                "400": anything, "401": anything}}},
        "/": {"get": {
            "summary": "Where everything is: resource URLs, this document, health",
            "responses": {"200": anything}}},
        # Any method answers with the status, so every method is described.
        "/status/{code}": {
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 200, "maximum": 599}},
                           _query("retry_after", "Seconds for a Retry-After header")],
            **{method: {
                "summary": "Answer with this status (200..599); ?retry_after=N adds "
                           "Retry-After",
                "responses": {"default": anything}}
               for method in ("get", "post", "put", "patch", "delete", "options")}},
        "/delay/{seconds}": {"get": {
            "summary": "Answer after a delay (bounded)",
            "parameters": [{"name": "seconds", "in": "path", "required": True,
                            "schema": {"type": "number", "minimum": 0}}],
            "responses": {"200": anything, "400": _ERROR}}},
        "/_sandbox/health": {"get": {"summary": "Liveness", "responses": {"200": anything}}},
        "/_sandbox/reset": {"post": {
            "summary": "Reseed data; clear stats, tokens and idempotency keys",
            "parameters": [_query("seed", "Seed to use instead of the configured one")],
            "responses": {"200": anything}}},
        "/_sandbox/stats": {"get": {
            "summary": "Requests by route and status since reset; faults, 429s, hits per "
                       "fault rule, latency percentiles and requests per client key",
            "responses": {"200": anything}}},
        "/_sandbox/ui": {"get": {
            "summary": "The live dashboard (an HTML page)",
            "responses": {"200": {"description": "HTML page",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}}}},
        "/_sandbox/ui/{name}": {"get": {
            "summary": "A static file of the dashboard (script, style sheet)",
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The file"}, "404": _ERROR}}},
        "/_sandbox/routes": {"get": {
            "summary": "Every route with a summary and, for GETs, an example path",
            "responses": {"200": _json({"type": "array", "items": {"type": "object"}},
                                       "[{method, path, summary, example}]")}}},
        "/_sandbox/events": {"get": {
            "summary": "Server-sent events: a JSON snapshot of the figures twice a second",
            "parameters": [_query("once", "1: send one event and end the stream", "string")],
            "responses": {"200": {"description": "text/event-stream of snapshot events",
                                  "content": {"text/event-stream": {
                                      "schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": anything}}},
    }


def _undocumented(routes: Sequence[BaseRoute], paths: dict[str, Any]) -> dict[str, Any]:
    # Routes added by other layers (fault and limit admin) are described from their
    # endpoints, so the document always covers the whole app.
    extra: dict[str, Any] = {}
    for route in routes:
        if not isinstance(route, Route) or route.path in paths:
            continue
        doc = inspect.getdoc(route.endpoint) or route.name.replace("_", " ")
        operations = extra.setdefault(route.path, {})
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                operations[method.lower()] = {
                    "summary": doc.splitlines()[0],
                    "responses": {"default": _json({"type": "object"}, "JSON")},
                }
    return extra


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _name_operations(paths: dict[str, Any]) -> None:
    """Give every operation an ``operationId`` (``get_posts_id_comments``): client
    generators name their functions after it."""
    for path, item in paths.items():
        words = re.findall(r"[A-Za-z0-9]+", path.replace(".json", ""))
        for method, operation in item.items():
            if method in _METHODS:
                operation.setdefault("operationId", "_".join([method, *words]) or method)


def openapi_document(base_url: str, routes: Sequence[BaseRoute] = ()) -> dict[str, Any]:
    """The OpenAPI 3.1 document for a sandbox served at ``base_url`` with ``routes``."""
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (resource.model, "validation") for resource in RESOURCES.values()
    ]
    _, schemas = models_json_schema(models, ref_template=_REF)
    components = dict(schemas.get("$defs", {}))
    components["Error"] = {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": "string"}},
    }
    paths: dict[str, Any] = {}
    for name, resource in RESOURCES.items():
        paths.update(_resource_paths(name, resource.model.__name__))
    paths.update(_other_paths())
    paths.update(_undocumented(routes, paths))
    _name_operations(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "tether sandbox", "version": "1",
                 "description": "A JSONPlaceholder-compatible REST API on SQLite."},
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
                "oauth2": {"type": "oauth2", "flows": {"clientCredentials": {
                    "tokenUrl": f"{base_url}/oauth/token", "scopes": {}}}},
            },
        },
    }
