"""Real data: bad variants of Epoch's own files (../shared/data/epoch) never replace the good data.

The variants are made here at run time from the real files (header only, cut in the middle, cut
at a tenth, a required column renamed; a benchmark archive whose files hold only headers); the
published database's bytes must not change.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from pipeline.errors import SourceError
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.conftest import shared_file
from tests.helpers import sql
from tests.loopback.static import StaticServer

pytestmark = pytest.mark.realdata


def real_models_csv() -> bytes:
    with zipfile.ZipFile(shared_file("epoch", "epoch_ai_models_2026-03-30.zip")) as archive:
        return archive.read("all_ai_models.csv")


def header_only(content: bytes) -> bytes:
    return content.split(b"\n", 1)[0] + b"\n"


def renamed(content: bytes, old: bytes, new: bytes) -> bytes:
    head, rest = content.split(b"\n", 1)
    return head.replace(old, new) + b"\n" + rest


def headers_only_archive() -> bytes:
    source = zipfile.ZipFile(shared_file("epoch", "epoch_benchmark_data_2026-04-14.zip"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, header_only(data) if name.endswith(".csv") else data)
    return out.getvalue()


VARIANTS = {
    "header only": (header_only, "releases 3,2"),
    "cut in the middle": (lambda c: c[: len(c) // 2], "releases 3,2"),
    "cut at a tenth": (lambda c: c[: len(c) // 10], "releases 3,2"),
    "accessibility renamed": (lambda c: renamed(c, b"Model accessibility", b"Accessibility"),
                              "lacks the required column 'Model accessibility'"),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real-bad")
    content = real_models_csv()
    archive = shared_file("epoch", "epoch_benchmark_data_2026-04-14.zip").read_bytes()
    with StaticServer({"/m.csv": content, "/b.zip": archive}) as files:
        yield folder, files


def settings_for(make_settings, files, folder):
    return make_settings(LANDSCAPE_DB=str(folder / "landscape.duckdb"), LANDSCAPE_RAW_DIR=str(folder / "raw"),
                         LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"),
                         LANDSCAPE_EPOCH_BENCHMARKS_URL=files.url_for("/b.zip"))


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_bad_variant_of_the_real_file_publishes_nothing(good, make_settings, variant):
    folder, files = good
    settings = settings_for(make_settings, files, folder)
    files.set_file("/m.csv", real_models_csv())
    files.set_file("/b.zip", shared_file("epoch", "epoch_benchmark_data_2026-04-14.zip").read_bytes())
    if not settings.db_path.exists():
        ingest(settings, IngestOptions(sources=("epoch", "benchmarks")), Progress.quiet())
    before = hashlib.sha256(settings.db_path.read_bytes()).hexdigest()
    (releases, with_country), = sql(settings.db_path, "SELECT count(*), count(*) FILTER (WHERE len(countries) > 0) "
                                                      "FROM releases")
    assert releases > 3000
    make, message = VARIANTS[variant]
    files.set_file("/m.csv", make(real_models_csv()))
    with pytest.raises(SourceError) as failure:
        ingest(settings, IngestOptions(sources=("epoch",)), Progress.quiet())
    assert message in str(failure.value) and "\n" not in str(failure.value) and len(str(failure.value)) < 600
    assert hashlib.sha256(settings.db_path.read_bytes()).hexdigest() == before
    assert sql(settings.db_path, "SELECT count(*), count(*) FILTER (WHERE len(countries) > 0) FROM releases") == \
        [(releases, with_country)]


def test_a_real_benchmark_archive_of_headers_only_is_held_back(good, make_settings):
    folder, files = good
    settings = settings_for(make_settings, files, folder)
    files.set_file("/m.csv", real_models_csv())
    files.set_file("/b.zip", shared_file("epoch", "epoch_benchmark_data_2026-04-14.zip").read_bytes())
    if not settings.db_path.exists():
        ingest(settings, IngestOptions(sources=("epoch", "benchmarks")), Progress.quiet())
    scores = sql(settings.db_path, "SELECT count(*) FROM benchmark_scores")
    files.set_file("/b.zip", headers_only_archive())
    run = ingest(settings, IngestOptions(sources=("epoch", "benchmarks")), Progress.quiet())
    assert run.status == "partial" and "scores" in run.failed_sources["benchmarks"]
    assert sql(settings.db_path, "SELECT count(*) FROM benchmark_scores") == scores
