"""History backfill benchmark: bytes read and seconds per revision, with and without column projection.

A Parquet file shaped like hub-stats' ``models.parquet`` (one row per model: id, author, counts,
dates, tags, pipeline tag, library, sha, a card excerpt; written by this script, not the real
file; about 170 bytes a model, where the real file, with more wide columns, has several hundred) is
served as the same file at several revisions by the loopback dataset-repository imitation
(``tests/loopback/datasets.py``, in a thread of this process). For each revision,
``pipeline.sources.history.read_revision`` reads it through ``HfFileSystem`` and pyarrow, keeping
the rows of ``--tracked`` models, once reading only the four columns it needs and once reading
every column. Prints one table; figures, not pass/fail::

    python benchmarks/history.py [--models 1000000] [--revisions 3] [--tracked 100000]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import load_settings  # noqa: E402
from pipeline.sources.history import Commit, read_revision  # noqa: E402
from tests.loopback.datasets import DatasetRepoServer, Revision, commit_id  # noqa: E402

REPO = "cfahlgren1/hub-stats"
TAGS = ("transformers", "safetensors", "gguf", "text-generation", "conversational", "license:apache-2.0",
        "license:mit", "endpoints_compatible", "region:us", "base_model:finetune", "en", "zh", "arxiv:2407.10671")


def models_file(n: int, seed: int = 1) -> bytes:
    """``n`` models, with hub-stats' kinds of columns; the wide ones (tags, card excerpt) dominate."""
    rng = np.random.default_rng(seed)
    ids = [f"user{i % 50_000}/model-{i}" for i in range(n)]
    tag_idx = rng.integers(0, len(TAGS), size=(n, 5))
    table = pa.table({
        "id": ids,
        "author": [i.split("/")[0] for i in ids],
        "downloads": rng.zipf(1.6, n).astype(np.int64),
        "downloadsAllTime": rng.zipf(1.4, n).astype(np.int64),
        "likes": rng.zipf(2.0, n).astype(np.int64),
        "trendingScore": rng.random(n),
        "createdAt": pa.array(rng.integers(1_600_000_000, 1_760_000_000, n) * 1_000_000, pa.timestamp("us", "UTC")),
        "lastModified": pa.array(rng.integers(1_700_000_000, 1_760_000_000, n) * 1_000_000, pa.timestamp("us", "UTC")),
        "tags": [[TAGS[j] for j in row] for row in tag_idx],
        "pipeline_tag": rng.choice(["text-generation", "image-classification", "feature-extraction", ""], n),
        "library_name": rng.choice(["transformers", "diffusers", "gguf", "sentence-transformers", ""], n),
        "sha": [rng.bytes(20).hex() for _ in range(n)],
        # the real file's widest columns (card data, configs, file lists) hold text that compresses
        # little: a card excerpt with its own hashes stands for them
        "cardData": [f"license: apache-2.0\nbase_model: user{k % 977}/base-{k % 131}\ndatasets: [ds-{k % 4099}]\n"
                     f"language: [en]\npipeline_tag: text-generation\nsiblings: [{rng.bytes(96).hex()}]"
                     for k in rng.integers(0, 10**9, n)],
    })
    out = io.BytesIO()
    pq.write_table(table, out, row_group_size=100_000, compression="zstd")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=1_000_000)
    parser.add_argument("--revisions", type=int, default=3)
    parser.add_argument("--tracked", type=int, default=100_000, help="models of our database to keep")
    args = parser.parse_args()
    started = time.perf_counter()
    data = models_file(args.models)
    print(f"{args.models:,} models: a {len(data) / 1e6:,.0f} MB file, written in {time.perf_counter() - started:.0f} s "
          f"({len(data) / args.models:,.0f} bytes a model)")
    revisions = [Revision(commit_id(n), f"2026-0{1 + n}-01T05:00:00.000Z", "Upload models.parquet",
                          {"models.parquet": data}) for n in range(args.revisions)]
    ids = pa.array([f"user{i % 50_000}/model-{i}" for i in range(0, args.models, max(1, args.models // args.tracked))])
    print(f"{'reading':<22} | {'MB read / revision':>18} | {'share of file':>13} | {'s / revision':>12} | {'rows kept':>9}")
    with DatasetRepoServer(REPO, revisions) as repo:
        settings = load_settings({"HF_ENDPOINT": repo.url, "LANDSCAPE_DB": "/tmp/unused.duckdb"})
        for projected in (True, False):
            repo.reset_log()
            seconds, rows = [], 0
            for revision in revisions:
                start = time.perf_counter()
                table = read_revision(settings, Commit(revision.commit, date.fromisoformat(revision.date[:10]), ""),
                                      ids, projected=projected)
                seconds.append(time.perf_counter() - start)
                rows = table.num_rows
            read = repo.bytes_sent() / len(revisions)
            label = "4 columns (projection)" if projected else "every column"
            print(f"{label:<22} | {read / 1e6:>18,.1f} | {read / len(data):>13.0%} | "
                  f"{sum(seconds) / len(seconds):>12.2f} | {rows:>9,}", flush=True)


if __name__ == "__main__":
    main()
