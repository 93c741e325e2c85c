"""The database files: build a new one, publish it atomically, open the published one read-only.

Readers (the dashboard, `status`, `export`) only ever open the published file read-only and
briefly. A run builds ``<db>.building`` next to it, and :meth:`Build.publish` moves it over the
published path with ``os.replace``: a reader sees either the old file or the new one, never a
half-built one, and a run that fails leaves the old file untouched.

Example::

    >>> with Build(Path("/tmp/x.duckdb")) as build:      # doctest: +SKIP
    ...     build.con.execute("INSERT INTO meta VALUES ('k', 'v')")
    ...     build.publish()
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from pipeline.errors import DamagedDatabaseError, StorageError, one_line

SCHEMA_VERSION = "9"
# Staging tables (millions of raw rows) live in an in-memory catalog ``scratch`` so they never
# bloat the published file; DuckDB spills it to ``<db>.tmp/`` past this memory limit, which
# keeps a run's memory flat however large the Hub gets. 270 MB keeps a whole ingest (the
# interpreter and its libraries, about 200 MB, plus DuckDB) under 600 MB resident at 1M and 3M
# models (benchmarks/ingest.py) with room to spare: at 300 MB, once `models` was written in two
# parts at once, one run of 3M peaked at 603 MB. The build's statements are written to spill
# within it: one large join per statement in build_models, the search table's entries
# materialised before their sorted insert (at 1 GB the same build held 1.2 GB and ran no faster).
BUILD_MEMORY_LIMIT = "270MB"

# Tables in the order `status` lists them. Identifiers in SQL come only from constants like
# this one, never from input.
TABLES: tuple[str, ...] = (
    "models", "model_snapshots", "organizations", "releases", "benchmark_facts", "benchmark_scores",
    "ancestor_misses", "sources", "runs", "quarantine",
)


def schema_sql() -> str:
    """The text of ``schema.sql``, the one definition of every table."""
    return resources.files("pipeline").joinpath("schema.sql").read_text(encoding="utf-8")


def schema_tables() -> list[str]:
    """Every table ``schema.sql`` creates, in file order."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(schema_sql())
        return [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'memory' ORDER BY table_oid"
        ).fetchall()]
    finally:
        con.close()


def published_version(db_path: Path) -> str | None:
    """A cheap token that changes whenever a new database is published (None if there is none).

    ``os.replace`` gives the published path a new inode, so (inode, mtime, size) changes on
    every publish; readers use it as a cache key.
    """
    try:
        st = db_path.stat()
    except FileNotFoundError:
        return None
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


REBUILD_HELP = "run `python -m pipeline ingest` to rebuild it from the sources"


def damaged(db_path: Path, problem: str) -> DamagedDatabaseError:
    """The one-line error every reader gives for a database it cannot read."""
    return DamagedDatabaseError(f"the database at {db_path} is damaged ({problem}); {REBUILD_HELP}")


def connect_readonly(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published database, checked before use; the caller closes it.

    Raises :class:`StorageError` when there is no database yet, and
    :class:`DamagedDatabaseError` (one line, with how to rebuild) when it cannot be read: a file
    cut short, bytes that are no DuckDB database, or a schema this version does not read.
    """
    if not db_path.exists():
        raise StorageError(f"no database at {db_path}: run `python -m pipeline ingest` first")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise damaged(db_path, _first_line(exc)) from None
    try:
        check_database(con, db_path)
    except BaseException:
        con.close()
        raise
    return con


def is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error means the file is damaged (a read that failed, a block whose checksum
    does not match), rather than a mistake in a query."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) or (
        isinstance(exc, duckdb.Error) and ("corrupt" in text or "checksum" in text))


def check_database(con: duckdb.DuckDBPyConnection, db_path: Path, current_schema: bool = True,
                   thorough: bool = False) -> None:
    """Checks that the file is whole and ours.

    A file shorter than its blocks in use times the block size was cut short. Every table of the
    schema must be listed, and with ``current_schema`` the schema version must be this version's
    (a build reads older files by column name). These are a few metadata reads. ``thorough``
    also reads every column of every table (DuckDB checks each block's checksum as it reads it):
    seconds at millions of models, for an ingest, not a page.
    """
    try:
        # Every block in use has its own place in the file. Not every block counted: DuckDB cuts
        # free blocks off the end of the file at a checkpoint and still counts them in
        # total_blocks (a sound 14.9 MB file counted 58 blocks of 256 KB, 15 of them free).
        # fetchall, not fetchone: an unfinished result would block the caller's next query
        (_, _, block_size, _, used_blocks, *_), = con.execute("PRAGMA database_size").fetchall()
        size = db_path.stat().st_size
        if size < int(block_size) * int(used_blocks):
            raise damaged(db_path, f"the file holds {size:,} bytes, its blocks in use "
                                   f"{int(block_size) * int(used_blocks):,}")
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        missing = [t for t in TABLES if t not in present and (current_schema or t in ("meta", "runs"))]
        if missing:
            raise DamagedDatabaseError(f"the database at {db_path} lacks the table {missing[0]} (not one of ours, or "
                                       f"damaged); {REBUILD_HELP}")
        row = next(iter(con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()), None)
        if thorough:
            for table in sorted(present):
                con.execute(f"SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {table}").fetchall()  # noqa: S608
    except duckdb.Error as exc:
        raise damaged(db_path, _first_line(exc)) from None
    if current_schema and (row is None or row[0] != SCHEMA_VERSION):
        raise DamagedDatabaseError(f"the database at {db_path} has schema version {row[0] if row else 'none'}, this "
                                   f"version reads {SCHEMA_VERSION}; {REBUILD_HELP}")


@contextlib.contextmanager
def open_readonly(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived, checked read-only connection to the published database (see :func:`connect_readonly`).

    A read error inside the block (a damaged block met mid-query) becomes :class:`DamagedDatabaseError`.
    """
    con = connect_readonly(db_path)
    try:
        yield con
    except duckdb.Error as exc:
        if not is_damage(exc):
            raise
        raise damaged(db_path, _first_line(exc)) from None
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, limit=160)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Build:
    """A new database file under construction, published by atomic replace or discarded.

    Holds an exclusive lock (``<db>.lock``) for its whole life so two ingests cannot build at
    once. Use as a context manager: leaving the block without :meth:`publish` discards the
    file, so a failed run publishes nothing.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = db_path.with_name(db_path.name + ".building")
        self.temp_dir = db_path.with_name(db_path.name + ".tmp")
        self.staging_dir = db_path.with_name(db_path.name + ".staging")
        self._lock_path = db_path.with_name(db_path.name + ".lock")
        self._lock_fd: int | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self.published = False
        self.salvage: Path | None = None  # a damaged previous database, set aside: history is read from it
        self.notes: list[str] = []        # what the build had to do that a run should report

    def __enter__(self) -> Build:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self._lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise StorageError(f"another ingest is already building {self.db_path}") from None
        self._remove_build_files()  # leftovers of a run that was killed
        self._set_aside_if_damaged()
        self.staging_dir.mkdir()
        self.con = build_connection(self.path, self.temp_dir)
        self.con.execute("ATTACH ':memory:' AS scratch")
        self.con.execute(schema_sql())
        self.con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('build_started_at', ?)",
            [SCHEMA_VERSION, datetime.now(UTC).isoformat()],
        )
        return self

    def _set_aside_if_damaged(self) -> None:
        """A published database that cannot be read is moved aside (kept for inspection), and the
        build starts as a first run would; its history is read from it table by table where it can be."""
        if not self.db_path.exists():
            return
        try:
            con = duckdb.connect(str(self.db_path), read_only=True)
        except duckdb.Error as exc:
            problem = _first_line(exc)
        else:
            try:
                check_database(con, self.db_path, current_schema=False, thorough=True)
                return
            except DamagedDatabaseError as exc:
                problem = str(exc)
            finally:
                con.close()
        aside = self.db_path.with_name(f"{self.db_path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        os.replace(self.db_path, aside)
        self.salvage = aside
        self.notes.append(f"the published database could not be read ({one_line(problem, limit=160)}): it was "
                          f"set aside as {aside.name} and a new one is built from the sources")

    def previous(self) -> Path | None:
        """The currently published database, if any (to carry history over from)."""
        return self.db_path if self.db_path.exists() else None

    @contextlib.contextmanager
    def attached_previous(self, salvage: bool = False) -> Iterator[bool]:
        """Attach the published database read-only as ``prev`` for the duration of the block.

        Yields False (and attaches nothing) when there is no readable previous database. With
        ``salvage``, a damaged database set aside by this build is attached instead, for
        :meth:`carry_over` to read what it still can.
        """
        assert self.con is not None
        prev = self.previous() or (self.salvage if salvage else None)
        if prev is None:
            yield False
            return
        try:
            self.con.execute("ATTACH ? AS prev (READ_ONLY)", [str(prev)])
        except duckdb.Error as exc:
            if prev == self.salvage and not any("none of its" in n for n in self.notes):
                self.notes.append(f"none of its history could be read ({_first_line(exc)}): model_snapshots, runs, "
                                  "quarantine, sources and ancestor_misses start again from this run")
            yield False
            return
        try:
            yield True
        finally:
            self.con.execute("DETACH prev")

    def carry_over(self, tables: Sequence[str], where: str | None = None) -> dict[str, int]:
        """Replace ``tables`` in this build by the published database's, by column name.

        With ``where`` (a constant SQL condition from our own code), only the rows it selects
        are replaced, on both sides: a source that failed gets back exactly its own rows. With
        no previous database the rows are simply removed. Columns added to the schema since the
        old file was written come out NULL; columns the schema no longer has are dropped.
        Returns rows copied per table.
        """
        assert self.con is not None
        condition = where or "true"
        copied: dict[str, int] = {}
        with self.attached_previous(salvage=True) as attached:
            old_tables = {r[0] for r in self.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'prev'").fetchall()} if attached else set()
            for table in tables:
                if table not in TABLES_SET:
                    raise ValueError(f"not a table of ours: {table!r}")
                self.con.execute(f"DELETE FROM main.{table} WHERE {condition}")  # noqa: S608 - constants only
                if table not in old_tables:
                    copied[table] = 0
                    continue
                try:
                    copied[table] = self._copy(table, condition)
                except duckdb.Error as exc:
                    if self.salvage is None:
                        raise
                    # a table the damaged file cannot give back: reported, never dropped in silence
                    self.con.execute(f"DELETE FROM main.{table} WHERE {condition}")  # noqa: S608
                    copied[table] = 0
                    self.notes.append(f"{table} could not be read from the damaged database "
                                      f"({_first_line(exc)}): its history before this run is lost")
        return copied

    def _copy(self, table: str, condition: str) -> int:
        new_cols = [r[0] for r in self.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND table_name = ? ORDER BY column_index", [table]).fetchall()]
        old_cols = {r[0] for r in self.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'prev' "
            "AND table_name = ?", [table]).fetchall()}
        cols = ", ".join(f'"{c}"' for c in new_cols if c in old_cols)
        # in the old file's order: model_snapshots is written sorted by id within each date, so a
        # model's history reads one row group per date (see pipeline.ingest)
        with insertion_order_kept(self.con):
            return self.con.execute(
                f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM prev.{table} WHERE {condition}"  # noqa: S608
            ).fetchone()[0]

    def publish(self) -> None:
        """Make this build the published database, atomically."""
        assert self.con is not None
        self.con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('published_at', ?)", [datetime.now(UTC).isoformat()])
        self.con.execute("DETACH scratch")
        self.con.execute("CHECKPOINT")
        self.con.close()
        self.con = None
        _fsync(self.path)
        os.replace(self.path, self.db_path)
        _fsync(self.db_path.parent)
        self.published = True

    def _remove_build_files(self) -> None:
        shutil.rmtree(self.staging_dir, ignore_errors=True)
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        for suffix in ("", ".wal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(self.path) + suffix)

    def __exit__(self, *exc_info: object) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        if self.published:
            shutil.rmtree(self.staging_dir, ignore_errors=True)
            shutil.rmtree(self.temp_dir, ignore_errors=True)
        else:
            self._remove_build_files()
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None


TABLES_SET = frozenset(TABLES)


def build_connection(path: Path, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """A connection as a build has it: DuckDB within :data:`BUILD_MEMORY_LIMIT`, spilling to
    ``temp_dir``, and days and months in UTC whoever runs it."""
    con = duckdb.connect(str(path), config={"memory_limit": BUILD_MEMORY_LIMIT, "preserve_insertion_order": False,
                                            "temp_directory": str(temp_dir)})
    con.execute("SET TimeZone = 'UTC'")
    return con


@contextlib.contextmanager
def insertion_order_kept(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Statements run inside write their rows in their ``ORDER BY``'s order: a build connection
    otherwise lets parallel threads write their parts in any order (it is faster)."""
    preserve = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {bool(preserve)}")


def table_counts(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = TABLES) -> dict[str, int]:
    """Rows per table of ``tables`` (our own names: :data:`TABLES` by default) that exist in ``con``."""
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - constant names
            for t in tables if t in present}
