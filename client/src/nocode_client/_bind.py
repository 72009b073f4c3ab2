"""The API is declared once (`_api.Api`): each method is a function that builds a `Call`
(or a `Poll`), wrapped in a descriptor that hands it to the client it is read from. Read
from a `NoCodeClient`, `client.get_project` returns a Project; from an
`AsyncNoCodeClient`, an awaitable of one. The descriptors' overloads give both types to
mypy and to editors, with the builder's parameters (ParamSpec)."""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, ParamSpec, TypeVar, overload

from nocode_client._call import Call, Poll
from nocode_client.models import Page

P = ParamSpec("P")
T = TypeVar("T")


class SyncSender(ABC):
    @abstractmethod
    def _send(self, call: Call[T]) -> T: ...

    @abstractmethod
    def _iterate(self, call: Call[Page[T]]) -> Iterator[T]: ...

    @abstractmethod
    def _poll(self, poll: Poll[T]) -> T: ...


class AsyncSender(ABC):
    @abstractmethod
    async def _send(self, call: Call[T]) -> T: ...

    @abstractmethod
    def _iterate(self, call: Call[Page[T]]) -> AsyncIterator[T]: ...

    @abstractmethod
    async def _poll(self, poll: Poll[T]) -> T: ...


class _Bound(Generic[P, T]):
    def __init__(self, build: Callable[P, T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name  # iter_projects, though built by list_projects

    def _bound(self, client: Any, handler: str) -> Any:
        """`client`'s method: the builder's call handed to the client's `handler`; `help()`
        and `inspect.signature()` show the builder's parameters and docstring."""
        if client is None:  # read from the class
            return self
        handle = getattr(client, handler)

        @functools.wraps(self.build)
        def method(*args: Any, **kwargs: Any) -> Any:
            return handle(self.build(*args, **kwargs))

        method.__name__ = method.__qualname__ = self.name
        built = inspect.signature(self.build)
        method.__signature__ = built.replace(return_annotation=inspect.Signature.empty)  # type: ignore[attr-defined]
        return method


class endpoint(_Bound[P, Call[T]]):
    """One request, its answer read into a model."""

    @overload
    def __get__(self, client: SyncSender, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, client: AsyncSender, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, client: Any, owner: type) -> Any:
        return self._bound(client, "_send")


class listing(_Bound[P, Call[Page[T]]]):
    """Every item of a list, page after page (following `next`), as an iterator."""

    @overload
    def __get__(self, client: SyncSender, owner: type) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, client: AsyncSender, owner: type) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, client: Any, owner: type) -> Any:
        return self._bound(client, "_iterate")


class waiting(_Bound[P, Poll[T]]):
    """A request asked again until its answer says the work is done."""

    @overload
    def __get__(self, client: SyncSender, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, client: AsyncSender, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, client: Any, owner: type) -> Any:
        return self._bound(client, "_poll")
