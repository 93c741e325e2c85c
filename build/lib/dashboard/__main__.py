"""``python -m dashboard`` (what ``make run`` calls): ingest if there is no database yet, then serve.

With no network the first ingest fails; the dashboard still starts, and its first page says
that no data could be fetched and how to ingest. The exit code is the server's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.cli import partial_exit
from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress

APP = Path(__file__).resolve().parent.parent / "app.py"


def main() -> int:
    try:
        settings = load_settings()
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if not settings.db_path.exists():
        print(f"No database at {settings.db_path} yet: running a first ingest (Epoch AI and the Hugging Face Hub).",
              file=sys.stderr)
        try:
            record = ingest(settings, IngestOptions(), Progress.for_terminal())
            print(f"Ingest published run {record.run_id}.", file=sys.stderr)
            partial_exit(record)  # says which sources failed, if any; the dashboard shows it too
        except PipelineError as exc:
            print(f"No data could be fetched: {exc}\n"
                  "The dashboard starts empty. Once the sources are reachable, run `make ingest` "
                  "(or `python -m pipeline ingest`) and reload the page.", file=sys.stderr)
    print(f"Dashboard on http://{settings.host}:{settings.port}", file=sys.stderr)
    args = [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", settings.host, "--server.port", str(settings.port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    os.execv(sys.executable, args)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
