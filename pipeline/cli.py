"""``python -m pipeline ingest|refresh|status|export|registry|starter``: a thin command line over the library.

Expected failures (network down, rate limited, a bad file, a bad option) end with one line on
stderr and a non-zero exit code; only bugs show a traceback.

Exit codes: 0 success, 1 failure, 2 bad setting or option, 3 a source could not be read,
4 rate limited, 5 database problem, 130 interrupted. An ingest in which some sources failed
publishes the others, says which failed, and exits with 3.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from landscape.archive import write_archive
from landscape.datasets import ALL_DATASETS, FORMATS, export_dataset
from landscape.filters import SPECS, Filters, RangeFilter, ValuesFilter
from landscape.queries.coverage import unknown_namespaces
from landscape.status import format_status, read_status
from pipeline import starter
from pipeline.config import Settings, load_settings
from pipeline.errors import ConfigError, PipelineError, SourceError, StorageError, one_line
from pipeline.ingest import DEFAULT_HUB_LIMIT, SOURCE_IDS, IngestOptions, ingest, stages
from pipeline.progress import Progress
from pipeline.registry import KINDS, check
from pipeline.runs import RunRecord
from pipeline.sources import DEFAULT_SOURCE_IDS
from pipeline.storage import open_readonly


def _sources(text: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in names if s not in SOURCE_IDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown source {', '.join(unknown) or '(none)'}; "
                                         f"choose from {', '.join(SOURCE_IDS)}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = commands.add_parser("ingest", help="fetch the sources and publish a new database")
    _run_flags(ing, "the others are carried over from the current database",
               f"the N most downloaded Hub models (default: {DEFAULT_HUB_LIMIT}; 0 to skip)")
    ing.add_argument("--no-hub-orgs", dest="hub_orgs", action="store_false",
                     help="do not list every model of each attributed organisation")
    ing.add_argument("--hub-full", action="store_true",
                     help="list the whole Hub (millions of models; resumable)")
    ing.add_argument("--history-since", type=_argument_type(date.fromisoformat), metavar="DATE",
                     help="with --sources history: backfill from this day (default: the dataset's first commit)")
    ing.add_argument("--staged", action="store_true",
                     help="publish the file sources (Epoch, the Arena) first, then the Hub in a second run, so "
                          "their data is served within seconds (what `make run` does in the background)")

    ref = commands.add_parser("refresh", help="fetch only what changed since the last run (a daily refresh)")
    _run_flags(ref, "Epoch's and the Arena's files are asked for only if they changed (conditional requests)",
               f"the N most downloaded Hub models again, for fresh 30-day counts (default: {DEFAULT_HUB_LIMIT})")

    commands.add_parser("status", help="database, rows per table, last runs, freshness per source, attribution")

    reg = commands.add_parser("registry", help="the organisation registry: validate it, or list what it misses")
    reg_commands = reg.add_subparsers(dest="registry_command", required=True, metavar="ACTION")
    reg_commands.add_parser("check", help="validate data/registry/ (kinds, ISO codes, duplicates, sources, parents)")
    una = reg_commands.add_parser("unattributed",
                                  help="the namespaces of the current database without a kind, most downloaded first")
    una.add_argument("--top", type=_positive, default=30, metavar="N", help="how many to list (default: 30)")

    sta = commands.add_parser("starter", help="the bundled starter snapshot of Epoch AI's data (for maintainers)")
    sta_commands = sta.add_subparsers(dest="starter_command", required=True, metavar="ACTION")
    stb = sta_commands.add_parser("build", help="build data/starter/ from Epoch's files with the real pipeline")
    stb.add_argument("--from", dest="source_dir", type=Path, required=True, metavar="DIR",
                     help="a folder holding epoch_ai_models_<date>.zip and epoch_benchmark_data_<date>.zip")
    stb.add_argument("--out", type=Path, default=Path("data/starter"), help="output folder (default: data/starter)")

    exp = commands.add_parser("export", help="write a dataset as CSV or Parquet")
    exp.add_argument("--dataset", required=True, choices=ALL_DATASETS)
    exp.add_argument("--format", required=True, choices=FORMATS)
    exp.add_argument("--out", type=Path, help="output file (default: <dataset>[_<filters>].<format> here)")
    for spec in SPECS:  # one flag (or two, for a range) per global filter, from its specification
        add_filter_flags(exp, spec)
    exp.add_argument("--source", metavar="NAME",
                     help="gap-summary, gap, benchmarks: eci, arena, or one benchmark (e.g. gpqa_diamond)")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text[:20]!r}")
    return value


def _run_flags(parser: argparse.ArgumentParser, sources_note: str, limit_help: str) -> None:
    """The flags ``ingest`` and ``refresh`` share."""
    parser.add_argument("--sources", type=_sources, default=DEFAULT_SOURCE_IDS, metavar="LIST",
                        help=f"comma-separated sources among {','.join(SOURCE_IDS)} (default: "
                             f"{','.join(DEFAULT_SOURCE_IDS)}); {sources_note}")
    parser.add_argument("--hub-limit", type=int, default=DEFAULT_HUB_LIMIT, metavar="N", help=limit_help)
    parser.add_argument("--accept-drop", type=_sources, default=(), metavar="LIST",
                        help="comma-separated sources to publish even though their data shrank past the plausibility "
                             "gates (LANDSCAPE_MAX_DROP, LANDSCAPE_MAX_SHARE_DROP)")


def _argument_type(read: Callable[[str], object]) -> Callable[[str], object]:
    def checked(text: str) -> object:
        try:
            return read(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    checked.__name__ = read.__name__  # argparse names the type in its messages
    return checked


def add_filter_flags(parser: argparse.ArgumentParser, spec: ValuesFilter | RangeFilter) -> None:
    """The ``export`` flags of one global filter, as its specification (landscape/filters.py) says."""
    if isinstance(spec, ValuesFilter):
        parser.add_argument(spec.flag, dest=f"filter_{spec.key}", action="append", default=[],
                            type=_argument_type(spec.cli_type), choices=spec.options, metavar=spec.metavar,
                            help=spec.cli_help)
        return
    for end, flag, aliases, text in zip(("low", "high"), spec.flags, spec.aliases, spec.cli_help, strict=True):
        parser.add_argument(flag, *aliases, dest=f"filter_{spec.key}_{end}", type=_argument_type(spec.cli_type),
                            metavar=spec.metavar, help=text)


def filters_from(args: argparse.Namespace) -> Filters:
    """The global filters the command line gave."""
    values: dict[str, tuple] = {}
    for spec in SPECS:
        if isinstance(spec, ValuesFilter):
            values[spec.key] = tuple(getattr(args, f"filter_{spec.key}"))
            continue
        low, high = getattr(args, f"filter_{spec.key}_low"), getattr(args, f"filter_{spec.key}_high")
        if low is not None and high is not None and low > high:
            raise ConfigError(f"{spec.flags[0]} is larger than {spec.flags[1]}")
        values[spec.key] = (low, high)
    return Filters(**values)


def _summary(record: RunRecord) -> str:
    rows = ", ".join(f"{table} {n:,}" for table, n in record.rows_written.items())
    requests = f"{record.hub_requests:,} Hub API requests; " if record.hub_requests else ""
    pages = f"{record.pages_fetched} pages fetched, {record.pages_reused} reused from a checkpoint; " \
        if record.pages_fetched or record.pages_reused else ""
    waits = f"{record.rate_limit_waits} rate-limit waits ({record.rate_limit_wait_seconds:.0f}s); " \
        if record.rate_limit_waits else ""
    return (f"published run {record.run_id}{' (resumed)' if record.resumed else ''}: {pages}"
            f"{requests}{record.records_seen:,} records read, {record.quarantined:,} quarantined; {waits}{rows}")


def registry_report(settings: Settings, args: argparse.Namespace) -> str:
    """``registry check``: a summary of the validated files; ``registry unattributed``: the table."""
    if args.registry_command == "check":
        registry = check()
        kinds = Counter(r.kind for r in registry.rows)
        return (f"registry OK: {len(registry.rows):,} namespaces ("
                + ", ".join(f"{kind} {kinds[kind]}" for kind in KINDS if kinds[kind])
                + f"), {sum(r.country is not None for r in registry.rows):,} with a country, "
                f"{len(registry.parents):,} organisations with a parent, {len(registry.legacy)} legacy id prefixes")
    with open_readonly(settings.db_path) as con:
        missing = unknown_namespaces(con, args.top)
        total = con.execute("SELECT coalesce(sum(downloads_30d), 0) FROM models").fetchone()[0]
    if missing.empty:
        return "every namespace of the database has a kind"
    lines = [f"{'namespace':<32} {'models':>8} {'downloads 30d':>14} {'share':>6}  top model"]
    for row in missing.itertuples():
        share = 100.0 * row.downloads_30d / total if total else 0.0
        lines.append(f"{row.namespace[:32]:<32} {row.models:>8,} {row.downloads_30d:>14,} {share:>5.1f}%  "
                     f"{row.top_model}")
    lines.append("add them to data/registry/organizations.csv (namespace,organization,kind,country,parent,source,note)")
    return "\n".join(lines)


def archive(settings: Settings) -> None:
    """Write the dated snapshot of what was just published; a failure here is reported, never
    fatal: the database itself is published already."""
    try:
        written = write_archive(settings)
    except (PipelineError, OSError) as exc:
        print(f"warning: the dated snapshot could not be written: {one_line(exc, limit=300)}", file=sys.stderr)
        return
    if written is not None:
        print(f"dated snapshot {written.day}: {len(written.files)} files, {written.bytes / 1e6:,.1f} MB in "
              f"{written.path} (newest also at {written.path.parent / 'latest'})")


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
                                    hub_orgs=args.hub_orgs, hub_full=args.hub_full, accept_drop=args.accept_drop,
                                    history_since=args.history_since)
            worst, published = 0, False
            for stage in stages(options) if args.staged else [options]:
                try:
                    record = ingest(settings, stage, progress)
                except PipelineError as exc:
                    if not args.staged:
                        raise
                    # a stage that publishes nothing does not stop the next (the Hub may answer when epoch.ai does not)
                    print(f"error: {','.join(stage.sources)}: {one_line(exc, limit=400)}", file=sys.stderr)
                    worst = worst or exc.exit_code
                    continue
                print(_summary(record))
                published = True
                worst = worst or partial_exit(record)
            if published:
                archive(settings)
            return worst
        elif args.command == "refresh":
            started = time.monotonic()
            record = ingest(settings, IngestOptions(sources=args.sources, hub_limit=args.hub_limit,
                                                    accept_drop=args.accept_drop, refresh=True), progress)
            print(_summary(record) + f" ({time.monotonic() - started:.0f} s)")
            archive(settings)
            return partial_exit(record)
        elif args.command == "status":
            status = read_status(settings)
            print(format_status(status))
            if status.problem:
                return StorageError.exit_code
        elif args.command == "starter":
            made = starter.build(args.source_dir, args.out)
            print(f"starter snapshot of {made.as_of} written to {args.out}: "
                  + ", ".join(f"{t} {f['rows']:,} rows ({f['bytes'] / 1024:,.0f} kB)" for t, f in made.files.items()))
        elif args.command == "registry":
            print(registry_report(settings, args))
        elif args.command == "export":
            path, rows = export_dataset(settings, args.dataset, args.format, args.out, filters_from(args), args.source)
            print(f"wrote {rows:,} rows to {path}")
    except PipelineError as exc:
        print(f"error: {one_line(exc, limit=400)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was published; pages fetched so far are kept and the next "
              "`ingest` with the same options resumes from them", file=sys.stderr)
        return 130
    return 0
