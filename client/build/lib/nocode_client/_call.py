"""A request described as data (method, path, query, body, how to read the answer), built
by the functions of `endpoints/` and sent by either client: the one layer that the sync
and the async client share."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_jsonable_python

from nocode_client.models import Export, Page

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Body = Mapping[str, Any] | BaseModel
Id = Any  # a UUID, or its text


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str  # from the server's root: /api/v1/...
    read: Callable[[httpx.Response], T]
    params: Mapping[str, Any] = field(default_factory=dict)
    body: Body | None = None
    authenticated: bool = True

    def query(self) -> dict[str, Any]:
        """The query parameters that have a value (None means "not given"), as text; a
        list repeats its parameter."""
        return {
            name: [_text(item) for item in value] if isinstance(value, list) else _text(value)
            for name, value in self.params.items()
            if value is not None
        }

    def json(self) -> Any:
        """The body as JSON values: ids, dates and decimals as text, models as objects."""
        if isinstance(self.body, BaseModel):
            return self.body.model_dump(mode="json", exclude_unset=True)
        return to_jsonable_python(self.body)

    def following(self, url: str) -> Call[T]:
        """The same call on another page: `url`'s path and query on our own base URL, so
        that a token is never sent to a host the page link names."""
        return replace(self, path=httpx.URL(url).raw_path.decode("ascii"), params={})


def _text(value: Any) -> str | int | float | bool:
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # a UUID


@dataclass(frozen=True)
class Poll(Generic[T]):
    """Ask `call` again every `interval` seconds until `done` says so; `seen` is told of
    every answer (a progress callback)."""

    call: Call[T]
    done: Callable[[T], bool]
    seen: Callable[[T], None]
    timeout: float
    interval: float
    what: str  # for the timeout's message: "deployment <id>"


def path(template: str, *parts: Id) -> str:
    """`template` with each `{}` replaced by a part, escaped: a table name or an id can
    never reach another path."""
    return template.format(*(quote(str(part), safe="") for part in parts))


def model(kind: type[M]) -> Callable[[httpx.Response], M]:
    def read(response: httpx.Response) -> M:
        return kind.model_validate_json(response.content)

    return read


def many(kind: type[M]) -> Callable[[httpx.Response], list[M]]:
    adapter = TypeAdapter(list[kind])  # type: ignore[valid-type]

    def read(response: httpx.Response) -> list[M]:
        items: list[M] = adapter.validate_json(response.content)
        return items

    return read


def page_of(kind: type[M]) -> Callable[[httpx.Response], Page[M]]:
    return model(Page[kind])  # type: ignore[valid-type]


def nothing(response: httpx.Response) -> None:
    """A 204's answer: no body."""


_FILENAME = re.compile(r'filename="?([^";]+)"?')


def export(response: httpx.Response) -> Export:
    found = _FILENAME.search(response.headers.get("Content-Disposition", ""))
    return Export(
        filename=found.group(1) if found else None,
        content_type=response.headers.get("Content-Type", "application/octet-stream"),
        content=response.content,
    )


def as_json(response: httpx.Response) -> Any:
    """An answer whose shape belongs to someone else (a generated app's schema): as JSON."""
    return response.json()


def get(template: str, *parts: Id, read: Callable[[httpx.Response], T], **params: Any) -> Call[T]:
    return Call("GET", path(template, *parts), read, params)


def post(
    template: str,
    *parts: Id,
    read: Callable[[httpx.Response], T],
    body: Body | None = None,
    **params: Any,
) -> Call[T]:
    return Call("POST", path(template, *parts), read, params, {} if body is None else body)


def patch(
    template: str, *parts: Id, read: Callable[[httpx.Response], T], body: Body, **params: Any
) -> Call[T]:
    return Call("PATCH", path(template, *parts), read, params, body)


def put(
    template: str, *parts: Id, read: Callable[[httpx.Response], T], body: Body, **params: Any
) -> Call[T]:
    return Call("PUT", path(template, *parts), read, params, body)


def delete(template: str, *parts: Id, **params: Any) -> Call[None]:
    return Call("DELETE", path(template, *parts), nothing, params)
