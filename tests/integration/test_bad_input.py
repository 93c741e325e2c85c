"""Bad input never replaces good data: source contracts, plausibility gates, unreadable files.

Every bad variant is generated from the fixtures; the published database's bytes must stay the
same wherever nothing may be published.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import zipfile

import pytest

from pipeline.errors import SourceError
from pipeline.gates import ImplausibleDrop
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.sources.contract import ContractError
from tests.fixtures import EPOCH_COLUMNS, EPOCH_ROWS, arena_files, benchmark_zip, epoch_csv
from tests.helpers import sql
from tests.loopback.static import StaticServer

EPOCH = IngestOptions(sources=("epoch",))
FILES = IngestOptions(sources=("epoch", "benchmarks", "arena"))


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(make_settings):
    """A good database from the fixture files, and the server to swap a file on."""
    with StaticServer({"/m.csv": epoch_csv(), "/b.zip": benchmark_zip(), **arena_files()}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"),
                                 LANDSCAPE_EPOCH_BENCHMARKS_URL=files.url_for("/b.zip"),
                                 LANDSCAPE_ARENA_URL=files.url_for("/arena/"))
        ingest(settings, FILES, Progress.quiet())
        yield settings, files


def _cut(content: bytes, share: float) -> bytes:
    return content[: int(len(content) * share)]


def _renamed(old: str, new: str) -> bytes:
    columns = [new if c == old else c for c in EPOCH_COLUMNS]
    return epoch_csv([{new if k == old else k: v for k, v in row.items()} for row in EPOCH_ROWS], columns)


BAD_EPOCH_FILES = {
    "header only": (epoch_csv([]), ImplausibleDrop, "releases 32 → 0"),
    "cut in the middle": (_cut(epoch_csv(), 0.5), ImplausibleDrop, "releases 32 → 1"),
    "cut at a tenth": (_cut(epoch_csv(), 0.1), ImplausibleDrop, "releases 32 → "),
    "accessibility column renamed": (_renamed("Model accessibility", "Accessibility"), ContractError,
                                     "lacks the required column 'Model accessibility'"),
    "country column renamed": (_renamed("Country (of organization)", "Country"), ContractError,
                               "lacks the required column 'Country (of organization)'"),
    "dates in the country column": (epoch_csv([{**r, "Country (of organization)": "2024-01-01"}
                                               for r in EPOCH_ROWS]), ContractError,
                                    "column 'Country (of organization)' holds countries in only 0 of its 32"),
}


@pytest.mark.parametrize("name", BAD_EPOCH_FILES)
def test_a_bad_epoch_file_publishes_nothing_of_it(published, name):
    settings, files = published
    content, error, message = BAD_EPOCH_FILES[name]
    before = digest(settings.db_path)
    releases = sql(settings.db_path, "SELECT count(*), count(DISTINCT organization) FROM releases")
    files.set_file("/m.csv", content)
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest(settings, EPOCH, Progress.quiet())  # the only source asked for: nothing is published
    assert digest(settings.db_path) == before
    run = ingest(settings, FILES, Progress.quiet())  # with others: they are, and the releases stay
    assert run.status == "partial" and list(run.failed_sources) == ["epoch"]
    assert message.split(" (")[0] in run.failed_sources["epoch"]
    assert sql(settings.db_path, "SELECT count(*), count(DISTINCT organization) FROM releases") == releases


def test_accept_drop_publishes_a_real_shrink(published):
    settings, files = published
    files.set_file("/m.csv", epoch_csv(EPOCH_ROWS[:10]))
    with pytest.raises(ImplausibleDrop, match="--accept-drop epoch"):
        ingest(settings, EPOCH, Progress.quiet())
    run = ingest(settings, IngestOptions(sources=("epoch",), accept_drop=("epoch",)), Progress.quiet())
    assert run.rows_written["releases"] == 10
    (detail,), = sql(settings.db_path, "SELECT detail FROM sources WHERE source = 'epoch'")
    assert "releases 32 → 10" in detail and "accepted by --accept-drop" in detail


def test_the_gates_thresholds_on_both_sides(published, make_settings):
    settings, files = published
    env = {"LANDSCAPE_EPOCH_MODELS_URL": files.url_for("/m.csv"), "LANDSCAPE_DB": str(settings.db_path),
           "LANDSCAPE_RAW_DIR": str(settings.raw_dir)}
    # 5 of 32 releases gone (15.6%), of organisations that have others: within the default 20%,
    # beyond a 10% setting
    gone = {"GPT-4o", "GPT-5", "Claude Opus 4", "Gemini 1.5 Pro", "Qwen-Max"}
    kept = [r for r in EPOCH_ROWS if r["Model"] not in gone]
    files.set_file("/m.csv", epoch_csv(kept))
    with pytest.raises(ImplausibleDrop, match="releases 32 → 27"):
        ingest(make_settings(**env, LANDSCAPE_MAX_DROP="0.1"), EPOCH, Progress.quiet())
    assert ingest(settings, EPOCH, Progress.quiet()).rows_written["releases"] == 27
    # 4 of 27 lose their accessibility (14.8 points): beyond the default 10, within a 15-point setting
    blanked = [{**r, "Model accessibility": ""} if i < 4 else r for i, r in enumerate(kept)]
    files.set_file("/m.csv", epoch_csv(blanked))
    with pytest.raises(ImplausibleDrop, match="with an accessibility group"):
        ingest(settings, EPOCH, Progress.quiet())
    run = ingest(make_settings(**env, LANDSCAPE_MAX_SHARE_DROP="15"), EPOCH, Progress.quiet())
    assert run.status == "published"
    # growth always passes
    files.set_file("/m.csv", epoch_csv())
    assert ingest(settings, EPOCH, Progress.quiet()).rows_written["releases"] == 32


def _header_only_archive() -> bytes:
    """The fixture archive with every CSV cut to its header line."""
    source = zipfile.ZipFile(io.BytesIO(benchmark_zip()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.split(b"\n", 1)[0] + b"\n" if name.endswith(".csv") else data)
    return out.getvalue()


def _corrupt_member_archive() -> bytes:
    """The fixture archive with one byte of a member's compressed data changed (a CRC error)."""
    data = bytearray(benchmark_zip())
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("gpqa_diamond.csv")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


def test_a_benchmark_archive_of_headers_only_is_held_back(published):
    settings, files = published
    before = sql(settings.db_path, "SELECT count(*) FROM benchmark_scores WHERE source <> 'arena'")
    files.set_file("/b.zip", _header_only_archive())
    run = ingest(settings, FILES, Progress.quiet())
    assert run.status == "partial" and "scores" in run.failed_sources["benchmarks"]
    assert sql(settings.db_path, "SELECT count(*) FROM benchmark_scores WHERE source <> 'arena'") == before


def test_a_corrupt_archive_member_is_one_line_and_exit_3(published, python, cli_env):
    settings, files = published
    files.set_file("/b.zip", _corrupt_member_archive())
    with pytest.raises(SourceError, match="gpqa_diamond.csv cannot be read"):
        ingest(settings, IngestOptions(sources=("benchmarks",)), Progress.quiet())
    env = cli_env(LANDSCAPE_DB=str(settings.db_path), LANDSCAPE_RAW_DIR=str(settings.raw_dir),
                  LANDSCAPE_EPOCH_BENCHMARKS_URL=files.url_for("/b.zip"))
    done = subprocess.run([python, "-m", "pipeline", "ingest", "--sources", "benchmarks"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: Epoch benchmarks: gpqa_diamond.csv cannot be read")


@pytest.mark.parametrize(("content", "message"), [
    (os.urandom(200_000), "is not a readable CSV|lacks the required column"),
    (b"", "is empty"),
    (b"\n\n", "is empty"),
])
def test_unreadable_files_give_one_short_line(published, python, cli_env, content, message):
    settings, files = published
    files.set_file("/m.csv", content)
    env = cli_env(LANDSCAPE_DB=str(settings.db_path), LANDSCAPE_RAW_DIR=str(settings.raw_dir),
                  LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
    done = subprocess.run([python, "-m", "pipeline", "ingest", "--sources", "epoch"], env=env,
                          capture_output=True, text=True)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 3 and len(errors) == 1 and len(errors[0]) < 400, done.stderr[-500:]
    assert __import__("re").search(message, errors[0])
    status = subprocess.run([python, "-m", "pipeline", "status"], env=env, capture_output=True, text=True)
    assert max(len(line) for line in status.stdout.splitlines()) < 500


def test_markup_in_any_stored_text_field_is_quarantined(published):
    settings, files = published
    rows = [*EPOCH_ROWS, {**EPOCH_ROWS[0], "Model": "Fine Model", "Organization": "<b>Evil</b> Org"},
            {**EPOCH_ROWS[1], "Model": "Another", "Task": "<script>x</script>"}]
    files.set_file("/m.csv", epoch_csv(rows))
    ingest(settings, EPOCH, Progress.quiet())
    reasons = {r[0] for r in sql(settings.db_path, "SELECT reason FROM quarantine WHERE source = 'epoch'")}
    assert {"Organization contains markup", "Task contains markup"} <= reasons
    assert sql(settings.db_path, "SELECT count(*) FROM releases WHERE model IN ('Fine Model', 'Another')") == [(0,)]
