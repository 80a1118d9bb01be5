"""``GET /openapi.json``: an OpenAPI 3.1 description of the whole sandbox API.

Generated from what the server validates with, so the two cannot drift: request bodies
from the resources' pydantic models, paging parameters from ``_paging.BOUNDS``, sort, embed
and expand parameters from each resource's fields and relations, and the limits from the
constants the endpoints check (``MAX_KEY``, ``max_delay``, ``MAX_BODY`` ...). A request the
document calls valid is accepted, and one it calls invalid is refused with a 4xx; the
fuzzing suite (``tests/fuzz``) holds the server to that.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Route

from tether.sandbox._config import MAX_DELAY
from tether.sandbox._http import MAX_BODY
from tether.sandbox._paging import BOUNDS, DEFAULT_PAGE_SIZE, GITHUB_PAGE_SIZE, styles
from tether.sandbox._relations import singular
from tether.sandbox._resources import MAX_ID, RESOURCES, Resource, field_paths
from tether.sandbox._routes import MAX_KEY

__all__ = ["openapi_document"]

_REF = "#/components/schemas/{model}"
_SEED_DIGITS = 19
"""``POST /_sandbox/reset?seed=`` takes at most this many characters."""
_MAX_RETRY_AFTER = 9_999_999
"""Largest ``?retry_after=`` of ``/status/{code}`` (seven digits)."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = _json(_ref("Error"), "Error: {error, message, field?}")
_TOO_LARGE = _json(_ref("Error"), f"The body is larger than {MAX_BODY:,} bytes")


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


# -- models -------------------------------------------------------------------------------------


def _model_schemas() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The components (as pydantic writes them) and each model's schema with its
    references inlined, for the request variants below."""
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (resource.model, "validation") for resource in RESOURCES.values()
    ]
    _, schemas = models_json_schema(models, ref_template=_REF)
    components = dict(schemas.get("$defs", {}))

    def inline(schema: Any) -> Any:
        if isinstance(schema, dict):
            ref = schema.get("$ref")
            if isinstance(ref, str):
                return inline(components[ref.rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in schema.items()}
        if isinstance(schema, list):
            return [inline(value) for value in schema]
        return schema

    bodies = {name: inline(components[name]) for name in components}
    for resource in RESOURCES.values():
        # As a response, an item may carry more than its model's fields: _embed and
        # _expand add its children and its parent. Request bodies keep the strict form.
        components[resource.model.__name__] = {
            key: value for key, value in components[resource.model.__name__].items()
            if key != "additionalProperties"
        }
    return components, bodies


def _request_body(schema: dict[str, Any], *, partial: bool = False,
                  read_only: Sequence[str] = ("id",)) -> dict[str, Any]:
    """A model's schema as a request body: ``read_only`` fields are the server's to set
    (``readOnly``: a client leaves them out); ``partial`` (a merge patch) makes every
    field optional, nested objects included, and still never ``null``."""
    body = copy.deepcopy(schema)
    for name in read_only:
        if name in body["properties"]:
            body["properties"][name] = {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                                        "readOnly": True}
            if name in body.get("required", []):
                body["required"] = [r for r in body["required"] if r != name]

    def loosen(node: dict[str, Any]) -> None:
        node.pop("required", None)
        for value in node.get("properties", {}).values():
            if value.get("type") == "object":
                loosen(value)

    if partial:
        loosen(body)
    for node in _objects(body):
        node.pop("title", None)
    return body


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema]
    for value in schema.get("properties", {}).values():
        if isinstance(value, dict) and value.get("type") == "object":
            found += _objects(value)
    return found


def _item_response(name: str) -> dict[str, Any]:
    return _ref(name)


# -- query parameters ------------------------------------------------------------------------------


def _pieces(alternatives: Sequence[str], *, required: bool) -> str:
    """A pattern for comma-separated names from ``alternatives``, as the server reads
    them: each piece stripped, empty pieces skipped; ``required``: at least one name."""
    name = "(?:" + "|".join(re.escape(a) for a in sorted(alternatives, key=len,
                                                            reverse=True)) + ")"
    piece = rf"\s*(?:{name}\s*)?"
    if not required:
        return rf"^{piece}(?:,{piece})*$"
    return rf"^(?:\s*,)*\s*{name}\s*(?:,{piece})*$"


_ORDER = "(?:[Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])"
_BLANK = r"^[\s,]*$"


def _paging_parameter() -> dict[str, Any]:
    """One exploded object parameter whose branches are the paging styles: OpenAPI has
    no other way to say that parameters of two styles cannot be mixed."""
    branches = []
    for style, accepted in styles():
        properties: dict[str, Any] = {}
        for param in sorted(accepted):
            if param == "cursor":
                # Opaque: empty to start, then next_cursor from the page before, unchanged.
                properties[param] = {"type": "string", "enum": [""]}
            else:
                low, high = BOUNDS[style][param]
                properties[param] = {"type": "integer", "minimum": low, "maximum": high}
        branches.append({"type": "object", "title": style, "properties": properties,
                         "additionalProperties": False})
    return {
        "name": "paging", "in": "query", "style": "form", "explode": True, "required": False,
        "description": (
            "Pagination, in one style at a time: page+per_page (GitHub style, default "
            f"{GITHUB_PAGE_SIZE} per page; Link and X-Total-Count), _page+_limit "
            f"(json-server 0.17, default {DEFAULT_PAGE_SIZE}; Link and X-Total-Count), "
            "_page+_per_page (json-server 1.x envelope {first, prev, next, last, pages, "
            "items, data}), cursor+limit ({data, next_cursor, next}), offset+limit "
            "(X-Total-Count), _start/_end/_limit (a slice; X-Total-Count). Parameters of "
            "two styles together are 400."),
        "schema": {"anyOf": branches},
    }


def _sorting_parameter(fields: frozenset[str]) -> dict[str, Any]:
    sortable = [f"-*{re.escape(name)}" for name in fields]
    name = "(?:" + "|".join(sorted(sortable, key=len, reverse=True)) + ")"
    piece = rf"\s*(?:{name}\s*)?"
    any_sort = rf"^{piece}(?:,{piece})*$"
    some_sort = rf"^(?:\s*,)*\s*{name}\s*(?:,{piece})*$"
    order_piece = rf"\s*(?:{_ORDER}\s*)?"
    order = rf"^{order_piece}(?:,{order_piece})*$"
    return {
        "name": "sorting", "in": "query", "style": "form", "explode": True, "required": False,
        "description": ("_sort: comma-separated fields (nested ones dotted), a leading '-' "
                        "sorts that one descending; _order: asc|desc for each, and needs "
                        "_sort."),
        "schema": {"anyOf": [
            {"type": "object", "additionalProperties": False, "properties": {
                "_sort": {"type": "string", "pattern": any_sort},
                "_order": {"type": "string", "pattern": _BLANK}}},
            {"type": "object", "additionalProperties": False, "required": ["_sort", "_order"],
             "properties": {"_sort": {"type": "string", "pattern": some_sort},
                            "_order": {"type": "string", "pattern": order}}},
        ]},
    }


_FILTER_NOTE = (
    "Any field (nested ones dotted: address.city) filters by equality; repeat it to OR "
    "values. Suffixes _gte, _lte, _ne, _like (regex) and json-server 1.x operators "
    "field:lt|lte|gt|gte|ne|in|contains|startsWith|endsWith compare. Unknown fields are 400."
)


def _list_parameters(resource: Resource) -> list[dict[str, Any]]:
    fields = field_paths(resource)
    parent = resource.parent
    expandable = [singular(parent[1])] if parent else []
    params = [
        _paging_parameter(),
        _sorting_parameter(fields),
        _query("q", "Full-text search in every string field.", {"type": "string"}),
        _query("_embed", "Children to include in each item: "
                         f"{', '.join(resource.children) or 'none'} (comma separated).",
               {"type": "string", "pattern": _pieces(resource.children, required=False)
                if resource.children else _BLANK}),
        _query("_expand", f"Parent to include in each item: {', '.join(expandable) or 'none'}.",
               {"type": "string", "pattern": _pieces(expandable, required=False)
                if expandable else _BLANK}),
    ]
    params += [_query(name, f"Items whose {name} equals this (repeat to OR values).",
                      {"type": "string"}) for name in sorted(fields)]
    return params


# -- paths -----------------------------------------------------------------------------------------

_ID = {"name": "id", "in": "path", "required": True,
       "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
_IDEMPOTENCY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
    "description": "Repeating a POST with the same key and body returns the first response "
                   "(Idempotent-Replayed: true) and creates nothing new; a key is forgotten "
                   "when the item it created is deleted.",
}
_ENVELOPES: list[dict[str, Any]] = [
    {"type": "object", "title": "cursor page",
     "required": ["data", "next_cursor", "next"],
     "properties": {"next_cursor": {"type": ["string", "null"]},
                    "next": {"type": ["string", "null"]}}},
    {"type": "object", "title": "json-server 1.x page",
     "required": ["first", "prev", "next", "last", "pages", "items", "data"],
     "properties": {name: {"type": ["integer", "null"]}
                    for name in ("first", "prev", "next", "last", "pages", "items")}},
]


def _list_response(model: str) -> dict[str, Any]:
    items = {"type": "array", "items": _item_response(model)}
    envelopes = [{**envelope, "properties": {**dict(envelope["properties"]), "data": items}}
                 for envelope in _ENVELOPES]
    return _json({"anyOf": [items, *envelopes]},
                 "The items, or with cursor or _per_page paging a page envelope")


def _resource_paths(resource: Resource, bodies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    name, model = resource.name, resource.model.__name__
    item_schema = _item_response(model)

    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    invalid = {"400": _ERROR, "413": _TOO_LARGE, "422": _ERROR}
    full = _request_body(bodies[model])
    paths: dict[str, Any] = {
        f"/{name}": {
            "get": {"summary": f"List {name}", "description": _FILTER_NOTE,
                    "parameters": _list_parameters(resource),
                    "responses": {"200": _list_response(model), "400": _ERROR}},
            "post": {"summary": f"Create one of {name}", "parameters": [_IDEMPOTENCY],
                     "requestBody": body(full),
                     "responses": {"201": _json(item_schema, "Created; Location header"),
                                   **invalid}},
        },
        f"/{name}/{{id}}": {
            "parameters": [_ID],
            "get": {"summary": f"Get one of {name}",
                    "responses": {"200": _json(item_schema, "Found"), "400": _ERROR,
                                  "404": _ERROR}},
            "put": {"summary": "Replace (all fields)", "requestBody": body(full),
                    "responses": {"200": _json(item_schema, "Replaced"), "404": _ERROR,
                                  **invalid}},
            "patch": {"summary": "Update (JSON merge patch: null removes an optional field)",
                      "requestBody": body(_request_body(bodies[model], partial=True)),
                      "responses": {"200": _json(item_schema, "Updated"), "404": _ERROR,
                                    **invalid}},
            "delete": {"summary": "Delete (and the items that belong to it)",
                       "responses": {"200": _json({"type": "object", "maxProperties": 0},
                                                  "Deleted: {}"),
                                     "404": _ERROR}},
        },
    }
    for child_name in resource.children:
        child = RESOURCES[child_name]
        child_model = child.model.__name__
        key = child.parent[0] if child.parent else ""
        paths[f"/{name}/{{id}}/{child_name}"] = {
            "parameters": [_ID],
            "get": {"summary": f"{child_name} of one of {name}", "description": _FILTER_NOTE,
                    "parameters": _list_parameters(child),
                    "responses": {"200": _list_response(child_model), "400": _ERROR,
                                  "404": _ERROR}},
            "post": {"summary": f"Create one of {child_name} under one of {name}",
                     "description": f"As POST /{child_name}, with {key} filled in from the "
                                    "URL (a different one in the body is 422).",
                     "parameters": [_IDEMPOTENCY],
                     "requestBody": body(_request_body(bodies[child_model],
                                                       read_only=("id", key))),
                     "responses": {"201": _json(_item_response(child_model),
                                                "Created; Location header"),
                                   "404": _ERROR, **invalid}},
        }
    return paths


_RULE = {
    "type": "object", "required": ["kind"],
    "properties": {
        "kind": {"enum": ["status", "latency", "reset", "truncate", "malformed", "drip"]},
        "route": {"type": "string", "description": "'METHOD /path*' glob, or '*'"},
        "probability": {"description": "0..1, or a percentage such as '20%'"},
        "times": {"type": "integer", "minimum": 1},
    },
    "description": "A fault rule, as in rule files (docs/outage-drill.md); each kind takes "
                   "its own keys: status (status, retry_after, after), latency (delay), reset "
                   "(after), truncate (fraction), malformed (body, after), drip (duration, "
                   "chunks).",
}


def _other_paths(max_delay: float) -> dict[str, Any]:
    anything = _json({"type": "object"}, "JSON object")
    rates = {"type": "array", "items": {"type": "string"}}
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
            "responses": {"200": _json(_ref("User"), "The user"), "401": _ERROR,
                          "404": _ERROR}}},
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
                "400": anything, "401": anything, "413": _TOO_LARGE}}},
        "/": {"get": {
            "summary": "Where everything is: resource URLs, this document, health",
            "responses": {"200": anything}}},
        # Any method answers with the status, so every method is described.
        "/status/{code}": {
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 200, "maximum": 599}},
                           _query("retry_after", "Seconds for a Retry-After header",
                                  {"type": "integer", "minimum": 0,
                                   "maximum": _MAX_RETRY_AFTER})],
            **{method: {
                "summary": "Answer with this status (200..599); ?retry_after=N adds "
                           "Retry-After",
                "responses": {"default": anything}}
               for method in ("get", "post", "put", "patch", "delete", "options")}},
        "/delay/{seconds}": {"get": {
            "summary": f"Answer after a delay of at most {max_delay:g} s",
            "parameters": [{"name": "seconds", "in": "path", "required": True,
                            "schema": {"type": "number", "minimum": 0,
                                       "maximum": max_delay}}],
            "responses": {"200": anything, "400": _ERROR}}},
        "/_sandbox/health": {"get": {"summary": "Liveness", "responses": {"200": anything}}},
        "/_sandbox/reset": {"post": {
            "summary": "Reseed data; clear stats, tokens and idempotency keys",
            "parameters": [_query("seed", "Seed to use instead of the configured one",
                                  {"type": "integer", "minimum": -(10 ** (_SEED_DIGITS - 1) - 1),
                                   "maximum": 10**_SEED_DIGITS - 1})],
            "responses": {"200": anything, "400": _ERROR}}},
        "/_sandbox/stats": {"get": {
            "summary": "Requests by route and status since reset (0: dropped by the "
                       "sandbox, 499: the client went away first); faults, 429s, hits per "
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
            "parameters": [_query("once", "1: send one event and end the stream",
                                  {"type": "string"})],
            "responses": {"200": {"description": "text/event-stream of snapshot events",
                                  "content": {"text/event-stream": {
                                      "schema": {"type": "string"}}}}}}},
        "/_sandbox/faults": {
            "get": {"summary": "The fault rules in force", "responses": {"200": anything}},
            "put": {"summary": "Replace the fault rules ([] turns faults off)",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"anyOf": [
                            {"type": "array", "items": _RULE},
                            {"type": "object", "required": ["rules"],
                             "additionalProperties": False,
                             "properties": {"rules": {"type": "array", "items": _RULE},
                                            "seed": {"type": ["integer", "null"]}}}]}}}},
                    "responses": {"200": anything, "400": _ERROR, "413": _TOO_LARGE,
                                  "422": _ERROR}}},
        "/_sandbox/limits": {
            "get": {"summary": "The rate limits in force", "responses": {"200": anything}},
            "put": {"summary": "Replace the rate limits ([] removes every limit)",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"anyOf": [
                            rates, {"type": "string"},
                            {"type": "object", "additionalProperties": False,
                             "properties": {"limits": {"anyOf": [rates,
                                                                 {"type": "string"}]}}}]}}}},
                    "responses": {"200": anything, "400": _ERROR, "413": _TOO_LARGE,
                                  "422": _ERROR}}},
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": anything}}},
    }


def _undocumented(routes: Sequence[BaseRoute], paths: dict[str, Any]) -> dict[str, Any]:
    # Routes added by other layers are described from their endpoints, so the document
    # always covers the whole app.
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


def openapi_document(
    base_url: str, routes: Sequence[BaseRoute] = (), *, max_delay: float = MAX_DELAY
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for a sandbox served at ``base_url`` with ``routes``."""
    components, bodies = _model_schemas()
    components["Error"] = {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": "string"}},
    }
    paths: dict[str, Any] = {}
    for resource in RESOURCES.values():
        paths.update(_resource_paths(resource, bodies))
    paths.update(_other_paths(max_delay))
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
