"""The API is declared once (`_api.Api`): each method is a function that builds a `Call`
(or a `Poll`), wrapped in a descriptor that hands it to the client it is read from. Read
from a `NoCodeClient`, `client.get_project` returns a Project; from an
`AsyncNoCodeClient`, an awaitable of one. The descriptors' overloads give both types to
mypy and to editors, with the builder's parameters (ParamSpec)."""

from __future__ import annotations

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
        self.__doc__ = build.__doc__


class endpoint(_Bound[P, Call[T]]):
    """One request, its answer read into a model."""

    @overload
    def __get__(self, client: SyncSender, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, client: AsyncSender, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, client: Any, owner: type) -> Any:
        return lambda *args, **kwargs: client._send(self.build(*args, **kwargs))


class listing(_Bound[P, Call[Page[T]]]):
    """Every item of a list, page after page (following `next`), as an iterator."""

    @overload
    def __get__(self, client: SyncSender, owner: type) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, client: AsyncSender, owner: type) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, client: Any, owner: type) -> Any:
        return lambda *args, **kwargs: client._iterate(self.build(*args, **kwargs))


class waiting(_Bound[P, Poll[T]]):
    """A request asked again until its answer says the work is done."""

    @overload
    def __get__(self, client: SyncSender, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, client: AsyncSender, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, client: Any, owner: type) -> Any:
        return lambda *args, **kwargs: client._poll(self.build(*args, **kwargs))
