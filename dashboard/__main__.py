"""``python -m dashboard`` (what ``make run`` calls): pages in seconds, data fetched behind them.

On a machine with no database yet, the bundled starter snapshot (Epoch AI's data, see
``pipeline/starter.py``) is published first, in well under a second, and an ingest starts in the
background (``python -m pipeline ingest --staged``: Epoch's files are published within seconds,
the Hub scopes when they are done); the server starts within seconds and the sidebar shows the
ingest's progress. With no network the background ingest fails fast and the starter snapshot keeps
serving, labelled with its date. While an ingest is under way (from ``make run``, cron or a
terminal), no second one is started: its state is printed instead.

The server then runs in this process (Streamlit's own ``streamlit run``), after
:func:`dashboard.warmup.warm_up` has imported what the pages use, so the first visitor does not
wait for the imports. The exit code is the server's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dashboard.warmup import warm_up
from pipeline.activity import read_activity
from pipeline.config import Settings, load_settings
from pipeline.errors import PipelineError
from pipeline.runs import is_starter
from pipeline.starter import seed
from pipeline.storage import open_readonly

APP = Path(__file__).resolve().parent.parent / "app.py"


def needs_fetch(settings: Settings) -> bool:
    """No database, one that holds nothing fetched yet (only the starter snapshot), or one this
    version cannot read (damaged, or of an older schema)."""
    if not settings.db_path.exists():
        return True
    try:
        with open_readonly(settings.db_path) as con:
            rows = con.execute("SELECT run_id FROM sources WHERE status = 'ok'").fetchall()
    except PipelineError:
        return True  # damaged, or written by an older version: an ingest sets it aside or rebuilds it
    return all(is_starter({"run_id": run_id}) for run_id, in rows)


def start_background_ingest(settings: Settings) -> Path:
    """``python -m pipeline ingest --staged`` in its own session (it outlives a ^C of the server);
    returns its log file."""
    log = settings.raw_dir / "background-ingest.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", "--staged"], stdout=out,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return log


def main() -> int:
    try:
        settings = load_settings()
        seeded = seed(settings)
        if seeded:
            print(f"Serving the bundled starter snapshot (Epoch AI's models as of {seeded.sources['epoch']['date']}, "
                  f"benchmarks as of {seeded.sources['benchmarks']['date']}) until current data is fetched.",
                  file=sys.stderr)
        activity = read_activity(settings)
        if activity is not None and activity.running:
            print(f"An ingest is already under way (process {activity.pid}, started {activity.started_at[:19]}): "
                  f"{activity.describe()}. Not starting another.", file=sys.stderr)
        elif needs_fetch(settings):
            log = start_background_ingest(settings)
            print(f"Fetching the sources in the background (Epoch AI first, then the Hugging Face Hub); "
                  f"progress in the sidebar and in {log}.", file=sys.stderr)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    warm_up()
    print(f"Dashboard on http://{settings.host}:{settings.port}", file=sys.stderr)
    from streamlit.web import cli

    return cli.main(["run", str(APP), "--server.address", settings.host, "--server.port", str(settings.port),
                     "--server.headless", "true", "--browser.gatherUsageStats", "false"], prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
