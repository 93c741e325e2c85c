"""Attribution coverage: how much of the Hub's downloads the organisation registry places.

Without arguments it reads the current database (``LANDSCAPE_DB``). With ``--listing`` (a JSON
list of ``{"id", "downloads", "likes"}``, for example the Hub's most downloaded models as some
public repository recorded them: we do not ship one, see the README) it serves the listing from
the loopback Hub imitation, runs the real pipeline over it (``ingest --sources hub``, the
registry as committed) and reads that database instead. Either way it prints, for all models
and for the most downloaded ``--top``: the share of downloads and of models per uploader kind,
how much of each has a country, and the largest namespaces nobody has classified.

A listing carries no lineage, so there origin equals uploader. Figures, not pass/fail::

    python benchmarks/coverage.py [--listing top_models.json] [--top 5000] [--unknown 15]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from landscape.queries.coverage import kind_shares, unknown_namespaces  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.ingest import IngestOptions, ingest  # noqa: E402
from pipeline.progress import Progress  # noqa: E402
from pipeline.storage import open_readonly  # noqa: E402
from tests.loopback.hub import HubServer  # noqa: E402

CLOSED = "http://127.0.0.1:9/"  # the sources this benchmark does not fetch


def hub_records(listing: list[dict]) -> list[dict]:
    """Listing items as the Hub imitation serves them (the fields a listing has; no lineage)."""
    return [{"id": item["id"], "author": item["id"].split("/")[0] if "/" in item["id"] else None,
             "downloads": int(item.get("downloads") or 0), "likes": int(item.get("likes") or 0),
             "createdAt": "2025-01-01T00:00:00.000Z", "tags": []} for item in listing]


def table(frame, title: str) -> str:
    total_downloads = frame["downloads_30d"].sum() or 1
    total_models = frame["models"].sum() or 1
    lines = [title, f"  {'kind':<12} {'models':>7} {'% models':>9} {'% downloads':>12} {'of which with a country':>24}"]
    for row in frame.itertuples():
        with_country = 100.0 * row.downloads_with_country / row.downloads_30d if row.downloads_30d else 0.0
        lines.append(f"  {row.kind:<12} {row.models:>7,} {100.0 * row.models / total_models:>8.1f}% "
                     f"{100.0 * row.downloads_30d / total_downloads:>11.1f}% {with_country:>23.1f}%")
    placed = 100.0 * frame["downloads_with_country"].sum() / total_downloads
    known = 100.0 * frame.loc[frame["kind"] != "unknown", "downloads_30d"].sum() / total_downloads
    orgs = frame[~frame["kind"].isin(["individual", "community", "unknown"])]
    org_placed = 100.0 * orgs["downloads_with_country"].sum() / (orgs["downloads_30d"].sum() or 1)
    lines.append(f"  downloads with a country: {placed:.1f}%; with a kind (classified): {known:.1f}%; "
                 f"organisations' (every kind but individual and community) with a country: {org_placed:.1f}%")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listing", type=Path, help="JSON list of {id, downloads, likes} (default: the current "
                                                     "database)")
    parser.add_argument("--top", type=int, default=5000, help="also report the N most downloaded (default 5000)")
    parser.add_argument("--unknown", type=int, default=15, help="how many unclassified namespaces to list")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        if args.listing is None:
            settings, title = load_settings(), f"database {load_settings().db_path}"
        else:
            listing = [item for item in json.loads(args.listing.read_text()) if item.get("id")]
            settings, title = load_settings({
                "LANDSCAPE_DB": f"{work}/landscape.duckdb", "LANDSCAPE_RAW_DIR": f"{work}/raw",
                "LANDSCAPE_EPOCH_MODELS_URL": CLOSED + "m.csv", "LANDSCAPE_ANCESTOR_LIMIT": "0",
                "LANDSCAPE_EXPORTS_KEEP": "0", "HF_ENDPOINT": CLOSED.rstrip("/")}), \
                f"listing {args.listing.name}, {len(listing):,} models"
            with HubServer(hub_records(listing)) as hub:
                settings = replace(settings, hub_endpoint=hub.url)
                ingest(settings, IngestOptions(sources=("hub",), hub_limit=len(listing), hub_orgs=False),
                       Progress.quiet())
        with open_readonly(settings.db_path) as con:
            print(title)
            print(table(kind_shares(con), "all models"))
            print(table(kind_shares(con, args.top), f"the {args.top:,} most downloaded"))
            missing = unknown_namespaces(con, args.unknown)
            total = con.execute("SELECT sum(downloads_30d) FROM models").fetchone()[0] or 1
    print(f"largest namespaces with no kind ({args.unknown}):")
    for row in missing.itertuples():
        print(f"  {row.namespace:<32} {row.models:>5,} models {100.0 * row.downloads_30d / total:>5.1f}% of "
              f"downloads  top: {row.top_model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
