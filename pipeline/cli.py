"""``python -m pipeline ingest|status|export``: a thin command line over the library.

Expected failures (network down, rate limited, a bad file, a bad option) end with one line on
stderr and a non-zero exit code; only bugs show a traceback.

Exit codes: 0 success, 1 failure, 2 bad setting or option, 3 a source could not be read,
4 rate limited, 5 database problem, 130 interrupted. An ingest in which some sources failed
publishes the others, says which failed, and exits with 3.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pipeline.config import load_settings
from pipeline.datasets import ALL_DATASETS, FORMATS, Filters, export_dataset
from pipeline.errors import ConfigError, PipelineError, SourceError, StorageError, one_line
from pipeline.ingest import DEFAULT_HUB_LIMIT, SOURCE_IDS, IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.runs import RunRecord
from pipeline.status import format_status, read_status
from pipeline.transform.licenses import LICENSE_FAMILIES


def _sources(text: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in names if s not in SOURCE_IDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown source {', '.join(unknown) or '(none)'}; "
                                         f"choose from {', '.join(SOURCE_IDS)}")
    return names


def _country(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 3166-1 alpha-2 code (e.g. US, CN, FR)")
    return code


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = commands.add_parser("ingest", help="fetch the sources and publish a new database")
    ing.add_argument("--sources", type=_sources, default=SOURCE_IDS, metavar="LIST",
                     help=f"comma-separated sources to fetch (default: {','.join(SOURCE_IDS)}); "
                          "the others are carried over from the current database")
    ing.add_argument("--hub-limit", type=int, default=DEFAULT_HUB_LIMIT, metavar="N",
                     help=f"the N most downloaded Hub models (default: {DEFAULT_HUB_LIMIT}; 0 to skip)")
    ing.add_argument("--no-hub-orgs", dest="hub_orgs", action="store_false",
                     help="do not list every model of each attributed organisation")
    ing.add_argument("--hub-full", action="store_true",
                     help="list the whole Hub (millions of models; resumable)")
    ing.add_argument("--accept-drop", type=_sources, default=(), metavar="LIST",
                     help="comma-separated sources to publish even though their data shrank past the plausibility "
                          "gates (LANDSCAPE_MAX_DROP, LANDSCAPE_MAX_SHARE_DROP)")

    commands.add_parser("status", help="database, rows per table, last runs, freshness per source")

    exp = commands.add_parser("export", help="write a dataset as CSV or Parquet")
    exp.add_argument("--dataset", required=True, choices=ALL_DATASETS)
    exp.add_argument("--format", required=True, choices=FORMATS)
    exp.add_argument("--out", type=Path, help="output file (default: <dataset>[_<filters>].<format> here)")
    exp.add_argument("--country", type=_country, action="append", default=[], metavar="CC",
                     help="ISO country code; repeat for several")
    exp.add_argument("--license-family", action="append", default=[], choices=LICENSE_FAMILIES, metavar="F",
                     help=f"licence family ({', '.join(LICENSE_FAMILIES)}); repeat for several")
    exp.add_argument("--organization", action="append", default=[], metavar="NAME",
                     help="organisation name; repeat for several")
    exp.add_argument("--task", action="append", default=[], metavar="TAG", help="Hub pipeline_tag; repeatable")
    exp.add_argument("--params-min", type=float, metavar="N", help="fewest parameters (e.g. 7e9)")
    exp.add_argument("--params-max", type=float, metavar="N", help="most parameters")
    exp.add_argument("--since", "--start", dest="since", type=_day, metavar="DATE",
                     help="from this date (YYYY-MM-DD); the window start of the gap datasets")
    exp.add_argument("--until", "--end", dest="until", type=_day, metavar="DATE",
                     help="up to this date (YYYY-MM-DD); the window end of the gap datasets")
    exp.add_argument("--source", metavar="NAME",
                     help="gap-summary, gap, benchmarks: eci, arena, or one benchmark (e.g. gpqa_diamond)")
    return parser


def _summary(record: RunRecord) -> str:
    rows = ", ".join(f"{table} {n:,}" for table, n in record.rows_written.items())
    pages = f"{record.pages_fetched} pages fetched, {record.pages_reused} reused from a checkpoint; " \
        if record.pages_fetched or record.pages_reused else ""
    waits = f"{record.rate_limit_waits} rate-limit waits ({record.rate_limit_wait_seconds:.0f}s); " \
        if record.rate_limit_waits else ""
    return (f"published run {record.run_id}{' (resumed)' if record.resumed else ''}: {pages}"
            f"{record.records_seen:,} records read, {record.quarantined:,} quarantined; {waits}{rows}")


def partial_exit(record: RunRecord) -> int:
    """Say on stderr which sources failed in a published run; the exit code for it (0 when none did)."""
    for source, reason in record.failed_sources.items():
        print(f"error: {source}: {reason} (its previously published data is kept; the next ingest tries "
              "again)", file=sys.stderr)
    return SourceError.exit_code if record.failed_sources else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    progress = Progress.for_terminal()
    try:
        settings = load_settings()
        if args.command == "ingest":
            options = IngestOptions(sources=args.sources, hub_limit=args.hub_limit,
                                    hub_orgs=args.hub_orgs, hub_full=args.hub_full, accept_drop=args.accept_drop)
            record = ingest(settings, options, progress)
            print(_summary(record))
            return partial_exit(record)
        elif args.command == "status":
            status = read_status(settings)
            print(format_status(status))
            if status.problem:
                return StorageError.exit_code
        elif args.command == "export":
            if args.params_min is not None and args.params_max is not None and args.params_min > args.params_max:
                raise ConfigError("--params-min is larger than --params-max")
            filters = Filters(tuple(args.country), tuple(args.license_family), tuple(args.organization),
                              tuple(args.task), args.params_min, args.params_max, args.since, args.until)
            path, rows = export_dataset(settings, args.dataset, args.format, args.out, filters, args.source)
            print(f"wrote {rows:,} rows to {path}")
    except PipelineError as exc:
        print(f"error: {one_line(exc, limit=400)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was published; pages fetched so far are kept and the next "
              "`ingest` with the same options resumes from them", file=sys.stderr)
        return 130
    return 0
