"""What the admin's assets weigh as the app serves them (with `Accept-Encoding: gzip`),
beside a `gzip -9` of each for reference."""

from __future__ import annotations

import gzip
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# The budget for the admin's assets, compressed: 200 KB, read as 200,000 bytes.
BUDGET_BYTES = 200_000


@dataclass(frozen=True)
class Asset:
    url: str
    content_type: str
    content_encoding: str  # as served; "" when not compressed
    served_bytes: int  # the body as it crosses the network
    raw_bytes: int
    gzip9_bytes: int


def shipped(base_url: str, app_dir: Path) -> set[str]:
    """The URLs of every asset in a generated app's app/admin/static/ (its licences aside),
    whichever pages load them."""
    folder = app_dir / "app" / "admin" / "static"
    return {
        f"{base_url}/admin/static/{path.name}"
        for path in folder.iterdir()
        if path.is_file() and path.suffix != ".md"
    }


def weigh(urls: Iterable[str]) -> list[Asset]:
    weighed = []
    for url in sorted(urls):
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:  # never decompresses
            body = response.read()
            content_type = response.headers.get("Content-Type", "")
            encoding = response.headers.get("Content-Encoding", "")
        raw = gzip.decompress(body) if encoding == "gzip" else body
        weighed.append(
            Asset(
                url=url,
                content_type=content_type.split(";")[0],
                content_encoding=encoding,
                served_bytes=len(body),
                raw_bytes=len(raw),
                gzip9_bytes=len(gzip.compress(raw, compresslevel=9)),
            )
        )
    return weighed
