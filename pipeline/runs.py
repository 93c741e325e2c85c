"""Run folders under the raw directory, and the journal of every run.

``<raw>/<batch>/`` holds what one ingest fetched (``run.json`` says with which options and how
it ended). A run that fails or is killed leaves its folder as ``running`` or ``failed``; the
next ``ingest`` with the same options picks it up and continues from the pages already there.
Once a run publishes, older folders are removed: the database now holds what they held.

``<raw>/runs.jsonl`` is an append-only journal of every attempt, failed ones included. A failed
run publishes nothing, so this is where its row waits until the next run that publishes copies
it into the ``runs`` table.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

_BATCH = re.compile(r"^\d{8}T\d{6}(?:\d{6})?Z$")


@dataclass
class RunRecord:
    """One attempt of ``ingest``: what it was asked, what it did, how it ended."""

    run_id: str
    started_at: str
    sources: str
    options: dict
    status: str = "running"
    finished_at: str | None = None
    resumed: bool = False
    pages_fetched: int = 0
    pages_reused: int = 0
    records_seen: int = 0
    rows_written: dict = field(default_factory=dict)
    quarantined: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    error: str | None = None
    failed_sources: dict = field(default_factory=dict)  # source → one-line reason
    notes: list = field(default_factory=list)           # what else the run had to report
    hub_requests: int = 0                                # HTTP requests to the Hub's API (its rate limit counts them)

    def as_row(self) -> tuple:
        return (self.run_id, self.started_at, self.finished_at, self.status, self.sources,
                orjson.dumps(self.options).decode(), self.resumed, self.pages_fetched, self.pages_reused,
                self.records_seen, orjson.dumps(self.rows_written).decode(), self.quarantined,
                self.rate_limit_waits, self.rate_limit_wait_seconds, self.error,
                orjson.dumps(self.failed_sources).decode() if self.failed_sources else None,
                orjson.dumps(self.notes).decode() if self.notes else None, self.hub_requests)


RUN_COLUMNS = ("run_id", "started_at", "finished_at", "status", "sources", "options", "resumed",
               "pages_fetched", "pages_reused", "records_seen", "rows_written", "quarantined",
               "rate_limit_waits", "rate_limit_wait_seconds", "error", "failed_sources", "notes", "hub_requests")


# The `run_id` of the `sources` rows the bundled starter snapshot published (pipeline/starter.py):
# no fetch made them.
STARTER_RUN = "starter"


def is_starter(source_row: dict | None) -> bool:
    """Whether a ``sources`` row is the bundled snapshot's rather than a fetch's."""
    return bool(source_row) and source_row.get("run_id") == STARTER_RUN


def new_run_id(now: datetime | None = None) -> str:
    """A sortable id, unique per attempt (microseconds: two runs can start in the same second)."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


class RunFolder:
    """``<raw>/<batch>/``: the pages and files one ingest (and its resumptions) fetched."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def forget(self, source: str) -> None:
        """Remove what ``source`` stored here (it was published: a resumed run must fetch it afresh)."""
        shutil.rmtree(self.path / source, ignore_errors=True)

    def _state_path(self) -> Path:
        return self.path / "run.json"

    def state(self) -> dict:
        try:
            return orjson.loads(self._state_path().read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return {}

    def set_state(self, **values: object) -> None:
        state = {**self.state(), **values}
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self._state_path().with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(state, option=orjson.OPT_INDENT_2))
        os.replace(tmp, self._state_path())


def open_run_folder(raw_dir: Path, options: dict, run_id: str) -> tuple[RunFolder, bool]:
    """The folder to fetch into: an unfinished one with the same options (resumed), or a new one."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    candidates = sorted((p for p in raw_dir.iterdir() if p.is_dir() and _BATCH.match(p.name)), reverse=True)
    for path in candidates:
        folder = RunFolder(path)
        state = folder.state()
        # a partial run's folder holds the pages of the sources that failed: the next run resumes them
        if state.get("status") in ("running", "failed", "partial") and state.get("options") == options:
            folder.set_state(status="running", resumed_by=run_id)
            return folder, True
    folder = RunFolder(raw_dir / run_id)
    if folder.path.exists():  # never reuse another run's pages by accident
        raise FileExistsError(folder.path)
    folder.set_state(batch=run_id, options=options, status="running", started_at=datetime.now(UTC).isoformat())
    return folder, False


def prune_run_folders(raw_dir: Path, keep: RunFolder) -> None:
    """Remove every run folder but ``keep`` (its data is in the database now)."""
    for path in raw_dir.iterdir():
        if path.is_dir() and _BATCH.match(path.name) and path != keep.path:
            shutil.rmtree(path, ignore_errors=True)


def journal_path(raw_dir: Path) -> Path:
    return raw_dir / "runs.jsonl"


def append_journal(raw_dir: Path, record: RunRecord) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    with open(journal_path(raw_dir), "ab") as f:
        f.write(orjson.dumps(asdict(record)) + b"\n")


def read_journal(raw_dir: Path) -> list[RunRecord]:
    """Every attempt recorded in the journal (lines that do not parse are skipped)."""
    records: list[RunRecord] = []
    try:
        with open(journal_path(raw_dir), "rb") as f:
            for line in f:
                try:
                    records.append(RunRecord(**orjson.loads(line)))
                except (orjson.JSONDecodeError, TypeError):
                    continue  # a line cut short by a crash
    except FileNotFoundError:
        pass
    return records
