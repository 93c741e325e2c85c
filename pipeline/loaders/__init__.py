"""Loaders: a source's records, through the pure transforms, into the database being built.

A loader is the only code that joins a source module (network) with the transforms (pure) and
the build (DuckDB). Which rows each source owns (put back from the previous database when the
source is not fetched, or fails) is declared in one place, :data:`pipeline.ingest.OWNED_ROWS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.loaders.buffer import RowBuffer
from pipeline.progress import Progress
from pipeline.runs import RunFolder, RunRecord
from pipeline.transform.quarantine import QUARANTINE_SCHEMA, quarantine_payload


@dataclass
class SourceResult:
    """What a loader did: for the ``sources`` table and the run summary."""

    source: str
    url: str
    rows: int
    fetched_at: datetime
    changed_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    detail: str = ""
    quarantined: int = 0


@dataclass
class RunContext:
    """Everything a loader needs during one run."""

    settings: Settings
    con: duckdb.DuckDBPyConnection
    folder: RunFolder
    record: RunRecord
    progress: Progress
    staging_dir: Path
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    _quarantine: RowBuffer | None = None

    @property
    def snapshot_date(self) -> date:
        return self.started.date()

    def quarantine(self, source: str, key: str | None, reason: str, payload: object) -> None:
        """Set a bad record aside with its reason; the run goes on."""
        if self._quarantine is None:
            self._quarantine = RowBuffer(self.con, "quarantine", QUARANTINE_SCHEMA, batch=5000)
        self._quarantine.add((self.record.run_id, source, key[:300] if key else None, reason,
                              quarantine_payload(payload), datetime.now(UTC)))
        self.record.quarantined += 1

    def flush(self) -> None:
        if self._quarantine is not None:
            self._quarantine.flush()
