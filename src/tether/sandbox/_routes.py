"""Routes of the six resources: list, item, create, replace, update, delete, nested lists
and nested creates."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tether.sandbox._http import BodyError, error, json_response, read_json, url_builder
from tether.sandbox._json import dumps, dumps_items
from tether.sandbox._paging import paginate
from tether.sandbox._query import QueryError, apply_query, integer_text, parse_query
from tether.sandbox._relations import attach, parse_relations
from tether.sandbox._resources import MAX_ID, RESOURCES, Resource, field_paths
from tether.sandbox._state import SandboxState

__all__ = ["resource_routes"]

Item = dict[str, Any]
Endpoint = Callable[[Request], Awaitable[Response]]
IDEMPOTENCY_HEADER = "idempotency-key"
MAX_KEY = 255
"""Longest ``Idempotency-Key`` accepted (the shortest is 1 character)."""


def parse_id(text: str) -> int | None:
    """The id in a URL segment, or ``None`` when it cannot name an item (then: 404)."""
    text = integer_text(text)
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def _not_found(resource: str, raw_id: str) -> Response:
    shown = raw_id if raw_id.isdigit() and len(raw_id) <= 40 else repr(raw_id[:40])
    return error(404, f"{resource} {shown} does not exist", resource=resource)


def _field_name(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _invalid(exc: ValidationError) -> Response:
    errors = [
        {"field": _field_name(e["loc"]), "message": e["msg"], "type": e["type"]}
        for e in exc.errors(include_url=False, include_context=False, include_input=False)
    ]
    first = errors[0]
    return error(422, f"{first['field']}: {first['message']}", field=str(first["field"]),
                 errors=errors)


class _Handlers:
    """The endpoints of one resource, bound to the sandbox state."""

    def __init__(self, state: SandboxState, resource: Resource) -> None:
        self.state = state
        self.resource = resource
        self.fields = field_paths(resource)

    # -- helpers ---------------------------------------------------------------------------

    def _validate(self, body: Item, item_id: int | None) -> Item | Response:
        try:
            model = self.resource.model.model_validate(integral_floats_as_ints(body))
        except ValidationError as exc:
            return _invalid(exc)
        item = model.model_dump()
        given_id = item.pop("id", None)
        if item_id is not None and given_id is not None and given_id != item_id:
            return error(422, f"id: the body's id {given_id} differs from the URL's id "
                              f"{item_id}; leave it out or make them equal", field="id")
        if self.resource.parent is not None:
            key, parent = self.resource.parent
            if not self.state.store.exists(parent, item[key]):
                return error(422, f"{key}: {parent} {item[key]} does not exist", field=key)
        return item

    def _required_removed(self, patch: Item) -> Response | None:
        # In a merge patch null removes a field; pydantic would then only say "Field
        # required", which reads as if the patch itself had left something out.
        for name, info in self.resource.model.model_fields.items():
            key = info.alias or name
            if info.is_required() and key in patch and patch[key] is None:
                return error(422, f"{key}: null removes a field in a PATCH (JSON merge "
                                  f"patch), but {key} is required; send a value instead",
                             field=key)
        return None

    def _candidates(self, pairs: Sequence[tuple[str, str]]) -> Sequence[Item]:
        """The items a list request can select from: all of them, or, for a filter on the
        foreign key (``?postId=7``), those its index finds. The query still runs on them
        in full, so this only ever skips items that cannot match."""
        if self.resource.parent is not None:
            key = self.resource.parent[0]
            values = [value for name, value in pairs if name == key]
            # Only canonical integers ("7", not "07" or "7.0"): the filter compares the
            # text of the stored number, so those match exactly the integer's items.
            ids = [int(value) for value in values
                   if value.isascii() and value.isdigit() and str(int(value)) == value]
            if values and len(ids) == len(values):
                return self.state.store.having(self.resource.name, key, ids)
        return self.state.store.all(self.resource.name)

    def _list(self, request: Request, items: Sequence[Item] | None = None) -> Response:
        """The list ``request`` asks for, from ``items`` (default: :meth:`_candidates`)."""
        pairs = request.query_params.multi_items()
        if items is None:
            items = self._candidates(pairs)
        grouped: dict[str, list[str]] = {}
        for key, value in pairs:
            grouped.setdefault(key, []).append(value)
        try:
            query = parse_query(pairs, self.fields)
            embeds, expands = parse_relations(self.resource, pairs)
            selected = attach(apply_query(items, query), self.resource, embeds, expands,
                              self.state.store.all)
            page = paginate(selected, grouped, url_builder(request))
        except QueryError as exc:
            return error(400, exc.message, field=exc.param)
        return json_response(dumps_items(page.body), headers=page.headers)

    def _location(self, request: Request, item_id: int) -> str:
        return f"{str(request.base_url).rstrip('/')}/{self.resource.name}/{item_id}"

    # -- endpoints -------------------------------------------------------------------------

    async def list(self, request: Request) -> Response:
        return self._list(request)

    async def get(self, request: Request) -> Response:
        raw_id = request.path_params["id"]
        item_id = parse_id(raw_id)
        raw = None if item_id is None else self.state.store.get_raw(self.resource.name, item_id)
        if raw is None:
            return _not_found(self.resource.name, raw_id)
        # One item has nothing to filter: like json-server, other parameters are ignored.
        if "_embed" not in request.query_params and "_expand" not in request.query_params:
            return json_response(raw)
        pairs = request.query_params.multi_items()
        try:
            embeds, expands = parse_relations(self.resource, pairs)
        except QueryError as exc:
            return error(400, exc.message, field=exc.param)
        item = json.loads(raw)
        return json_response(dumps_items(attach([item], self.resource, embeds, expands,
                                                self.state.store.all)[0]))

    async def create(self, request: Request) -> Response:
        return await self._create(request)

    async def _create(self, request: Request, parent: tuple[str, int] | None = None) -> Response:
        """Create from the body; ``parent`` (key, id) comes from a nested URL such as
        ``POST /posts/1/comments`` and fills in the body's ``postId``."""
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is not None and not 0 < len(key) <= MAX_KEY:
            return error(400, f"Idempotency-Key must be 1 to {MAX_KEY} characters, got "
                              f"{len(key)}; send e.g. a UUID",
                         field="Idempotency-Key")
        try:
            body, _ = await read_json(request)
        except BodyError as exc:
            return exc.response
        if parent is not None:
            field, parent_id = parent
            if body.get(field, parent_id) != parent_id:
                return error(422, f"{field}: the body's {field} {body[field]!r} differs from "
                                  f"the URL's {parent_id}; leave it out or make them equal",
                             field=field)
            body = {**body, field: parent_id}
        store = self.state.store
        name = self.resource.name
        # Check, create and remember under one lock: two requests with the same key
        # racing each other must still create one item.
        with store.lock:
            canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
            fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
            if key is not None:
                seen = store.recall(name, key)
                if seen is not None:
                    seen_fingerprint, status, text, location = seen
                    if seen_fingerprint != fingerprint:
                        return error(422, "Idempotency-Key was already used with a different "
                                          "body; use a new key for a new request",
                                     field="Idempotency-Key")
                    headers = {"Idempotent-Replayed": "true"}
                    if location:
                        headers["Location"] = location
                    return json_response(text, status, headers)
            item = self._validate(body, None)
            if isinstance(item, Response):
                return item
            stored = store.create(name, item)
            location = self._location(request, stored["id"])
            text = dumps(stored)
            if key is not None:
                store.remember(name, key, fingerprint, 201, text, location, stored["id"])
        return json_response(text, 201, {"Location": location})

    async def replace(self, request: Request) -> Response:
        return await self._write(request, merge=False)

    async def update(self, request: Request) -> Response:
        return await self._write(request, merge=True)

    async def _write(self, request: Request, *, merge: bool) -> Response:
        raw_id = request.path_params["id"]
        item_id = parse_id(raw_id)
        store = self.state.store
        name = self.resource.name
        if item_id is None or not store.exists(name, item_id):
            return _not_found(name, raw_id)
        try:
            body, _ = await read_json(request)
        except BodyError as exc:
            return exc.response
        with store.lock:
            current = store.get(name, item_id)
            if current is None:
                return _not_found(name, raw_id)
            if merge:
                removed = self._required_removed(body)
                if removed is not None:
                    return removed
            candidate = merge_patch(current, body) if merge else body
            item = self._validate(candidate, item_id)
            if isinstance(item, Response):
                return item
            stored = store.replace(name, item_id, item)
        if stored is None:
            return _not_found(name, raw_id)
        return json_response(stored)

    async def delete(self, request: Request) -> Response:
        raw_id = request.path_params["id"]
        item_id = parse_id(raw_id)
        if item_id is None or not self.state.store.delete(self.resource.name, item_id):
            return _not_found(self.resource.name, raw_id)
        return json_response("{}")

    def nested(self, child: Resource) -> Endpoint:
        parent_name = self.resource.name
        child_handlers = _Handlers(self.state, child)
        if child.parent is None:
            raise ValueError(f"{child.name} has no parent to nest under {parent_name}")
        key = child.parent[0]

        async def endpoint(request: Request) -> Response:
            raw_id = request.path_params["id"]
            item_id = parse_id(raw_id)
            if item_id is None or not self.state.store.exists(parent_name, item_id):
                return _not_found(parent_name, raw_id)
            if request.method == "POST":
                # json-server (and so JSONPlaceholder) creates the child under its parent.
                return await child_handlers._create(request, (key, item_id))
            return child_handlers._list(request,
                                        self.state.store.having(child.name, key, [item_id]))

        endpoint.__name__ = f"{parent_name}_{child.name}"
        return endpoint


def integral_floats_as_ints(value: Any) -> Any:
    """``value`` with every float that is a whole number (``1.0``) made an ``int``.

    JSON Schema counts ``1.0`` as an integer and some encoders write whole numbers that
    way; the models are strict (``"1"`` is not an id), and no field is a float, so this
    is the one leniency they get."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integral_floats_as_ints(item) for item in value]
    return value


def merge_patch(target: Item, patch: Item) -> Item:
    """RFC 7396 JSON merge patch: nested objects merge, ``null`` removes a field."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = value
    return result


def _dispatch(endpoints: Mapping[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return endpoint


def resource_routes(state: SandboxState) -> list[Route]:
    """One route per path template of every resource (so stats name ``/posts/{id}``)."""
    routes: list[Route] = []
    for resource in RESOURCES.values():
        h = _Handlers(state, resource)
        base = f"/{resource.name}"
        item = f"{base}/{{id}}"
        collection = {"GET": h.list, "POST": h.create}
        single = {"GET": h.get, "PUT": h.replace, "PATCH": h.update, "DELETE": h.delete}
        routes.append(Route(base, _dispatch(collection), methods=list(collection),
                            name=resource.name))
        routes.append(Route(item, _dispatch(single), methods=list(single),
                            name=f"{resource.name}_item"))
        for child in resource.children:
            routes.append(Route(f"{item}/{child}", h.nested(RESOURCES[child]),
                                methods=["GET", "POST"], name=f"{resource.name}_{child}"))
    return routes
