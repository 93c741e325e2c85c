"""What an ingest under way is doing, for the dashboard and ``status`` to show.

An ingest writes ``<database>.ingest.json`` as it goes: its process id, when it started, the
sources it fetches, the step it is at (a counter's label, count and total) and its last message;
at the end it records how it finished. Readers never touch the build lock: an ingest is *running*
when the file says so and its process is alive, so a run killed with ``kill -9`` is not mistaken
for one under way. Writes are throttled (at most one a second) and atomic (temporary file, then
rename), so a reader never sees half a file.

Example::

    >>> read_activity(settings)                                   # doctest: +SKIP
    Activity(state='running', pid=4242, sources='hub', step='hub top: 3/5 pages', …)
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from pipeline.config import Settings


def activity_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".ingest.json")


@dataclass
class Activity:
    state: str                  # running | published | partial | failed
    pid: int
    started_at: str
    sources: str
    step: str = ""              # the counter under way ("hub top"), its unit, count and total
    unit: str = ""
    count: int = 0
    total: int | None = None
    step_started_at: str = ""
    message: str = ""           # the last one-off line (a wait, a failure)
    updated_at: str = ""
    finished_at: str | None = None

    @property
    def running(self) -> bool:
        """Under way: said so, and its process is still alive."""
        return self.state == "running" and _alive(self.pid)

    def remaining_seconds(self, now: datetime | None = None) -> float | None:
        """How long the current step should still take at its pace so far (None when unknown)."""
        if not self.total or not self.count or not self.step_started_at:
            return None
        elapsed = ((now or datetime.now(UTC)) - datetime.fromisoformat(self.step_started_at)).total_seconds()
        return max(0.0, elapsed / self.count * (self.total - self.count))

    def describe(self, now: datetime | None = None) -> str:
        """One line for people: what it fetches, where it is, and about how long the step has left."""
        parts = [f"fetching {self.sources.replace(',', ', ')}"]
        if self.step:
            total = f" of {self.total:,}" if self.total else ""
            parts.append(f"{self.step}: {self.count:,}{total} {self.unit}")
            left = self.remaining_seconds(now)
            if left is not None:
                parts.append(f"about {max(1, round(left / 60))} min left in this step" if left >= 60
                             else "under a minute left in this step")
        if self.message:
            parts.append(self.message)
        return "; ".join(parts)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


class ActivityFile:
    """The writer an ingest holds while it runs."""

    def __init__(self, db_path: Path, sources: str) -> None:
        self.path = activity_path(db_path)
        now = datetime.now(UTC).isoformat()
        self.activity = Activity("running", os.getpid(), now, sources, updated_at=now)
        self._last = 0.0
        self._write()

    def step(self, label: str, count: int, total: int | None, unit: str) -> None:
        if label != self.activity.step:
            self.activity.step, self.activity.unit = label, unit
            self.activity.step_started_at = datetime.now(UTC).isoformat()
        self.activity.count, self.activity.total = count, total
        if time.monotonic() - self._last >= 1.0:
            self._write()

    def note(self, text: str) -> None:
        self.activity.message = text[:300]
        self._write()

    def finish(self, state: str) -> None:
        self.activity.state = state
        self.activity.finished_at = datetime.now(UTC).isoformat()
        self.activity.step, self.activity.count, self.activity.total = "", 0, None
        self._write()

    def _write(self) -> None:
        self._last = time.monotonic()
        self.activity.updated_at = datetime.now(UTC).isoformat()
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(orjson.dumps(asdict(self.activity)))
            os.replace(tmp, self.path)
        except OSError:
            pass  # reporting must never stop an ingest


def read_activity(settings: Settings) -> Activity | None:
    """The last ingest's activity, or None when there is none (or the file cannot be read)."""
    try:
        raw = orjson.loads(activity_path(settings.db_path).read_bytes())
        return Activity(**{k: raw[k] for k in Activity.__dataclass_fields__ if k in raw})
    except (OSError, ValueError, TypeError):
        return None
