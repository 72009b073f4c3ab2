"""What every answer model shares: unknown keys kept (a newer server adds fields, an older
client still reads its answers), and the seed's pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

Item = TypeVar("Item")


class ApiModel(BaseModel):
    """An answer of the platform: the fields this client knows, typed; any other key the
    server sends is kept too (`model_extra`, and as an attribute)."""

    model_config = ConfigDict(extra="allow")


class Page(ApiModel, Generic[Item]):
    """`{"count", "next", "previous", "results"}`: one page of a list; `next` is the URL of
    the following page (null on the last)."""

    count: int
    next: str | None
    previous: str | None
    results: list[Item]


class Record(ApiModel):
    """A row of a generated app's table: its fields are the table's, as the app sends them
    (`record["price"]` or `record.price`); `id` is always there."""

    id: Any

    def __getitem__(self, name: str) -> Any:
        fields = self.model_dump()
        if name not in fields:
            raise KeyError(name)
        return fields[name]
