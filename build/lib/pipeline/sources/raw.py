"""Raw pages as received, on disk, written so that a killed run can resume exactly.

Each page is one file, ``<stream dir>/page-000001.raw``: a JSON header line (the URL asked
for, the next URL the server gave, when) followed by the response body byte for byte. The
file is written to a temporary name and renamed, so a page is either complete on disk or
absent; the pages themselves are the checkpoint, and there is no separate state to get out of
step with them after a ``kill -9``.

Example::

    >>> store = PageStore(Path("/tmp/raw/run-1/hub/top"))     # doctest: +SKIP
    >>> store.write(1, url="http://…", next_url=None, body=b"[]")
    >>> [p.number for p in store.pages()]
    [1]
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson


@dataclass(frozen=True)
class StoredPage:
    number: int
    url: str
    next_url: str | None
    fetched_at: str
    body: bytes


class PageStore:
    """The pages of one paginated stream (one Hub listing), in order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, number: int) -> Path:
        """Where page ``number`` is (or will be) stored."""
        return self.directory / f"page-{number:06d}.raw"

    def write(self, number: int, *, url: str, next_url: str | None, body: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        header = orjson.dumps({
            "page": number, "url": url, "next": next_url,
            "fetched_at": datetime.now(UTC).isoformat(), "bytes": len(body),
        })
        target = self.path(number)
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(header + b"\n" + body)
        # No fsync: a kill -9 cannot lose what write() handed to the kernel, and after a power
        # cut a torn file fails the length check in `read` and is simply fetched again.
        os.replace(tmp, target)

    def read(self, number: int) -> StoredPage | None:
        try:
            with open(self.path(number), "rb") as f:
                header = orjson.loads(f.readline())
                body = f.read()
        except FileNotFoundError:
            return None
        except orjson.JSONDecodeError:
            return None  # cannot happen for our own atomic writes; treat as not fetched
        if header.get("bytes") != len(body):
            return None
        return StoredPage(number, header["url"], header.get("next"), header.get("fetched_at", ""), body)

    def pages(self) -> Iterator[StoredPage]:
        """Stored pages 1, 2, … up to the first gap."""
        number = 1
        while (page := self.read(number)) is not None:
            yield page
            number += 1

    def count(self) -> int:
        return sum(1 for _ in self._numbers())

    def _numbers(self) -> Iterator[int]:
        if not self.directory.is_dir():
            return
        for entry in os.scandir(self.directory):
            if entry.name.startswith("page-") and entry.name.endswith(".raw"):
                yield int(entry.name[5:11])
