"""The shipped schedules run the real commands: the GitHub Actions workflow's refresh step (run
by bash, as the runner would, against local copies of Epoch's files and the loopback Hub), the
systemd service and the README's cron line. The workflow runner itself cannot run here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.fixtures import arena_files, benchmark_zip, epoch_csv
from tests.helpers import sql
from tests.integration.test_refresh import day_one, day_two
from tests.loopback.hub import HubServer

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "refresh.yml"


def step(name: str) -> str:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return next(s["run"] for s in jobs["refresh"]["steps"] if s.get("name") == name)


def local_sources(folder: Path) -> dict[str, str]:
    """Epoch's and the Arena's files as local copies (``file://``), so only the Hub is served."""
    (folder / "arena").mkdir(parents=True)
    (folder / "all_ai_models.csv").write_bytes(epoch_csv())
    (folder / "benchmark_data.zip").write_bytes(benchmark_zip())
    for path, body in arena_files().items():
        (folder / path.lstrip("/")).write_bytes(body)
    return {"LANDSCAPE_EPOCH_MODELS_URL": (folder / "all_ai_models.csv").as_uri(),
            "LANDSCAPE_EPOCH_BENCHMARKS_URL": (folder / "benchmark_data.zip").as_uri(),
            "LANDSCAPE_ARENA_URL": (folder / "arena").as_uri() + "/"}


def test_the_workflows_refresh_step_ingests_first_then_refreshes(tmp_path):
    script = step("Refresh")
    work = tmp_path / "checkout"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANDSCAPE_", "HF_"))}
    env.update(local_sources(tmp_path / "files"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # `python` is the test's
    env["PYTHONPATH"] = str(ROOT)
    records = day_one()
    with HubServer(records) as hub:
        env["HF_ENDPOINT"] = hub.url
        first = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                               timeout=600)
        assert first.returncode == 0, first.stderr
        db = work / "data" / "landscape.duckdb"  # the setting's default, relative to the checkout
        assert db.exists()
        hub.set_records(day_two(records))
        hub.reset_log()
        second = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                                timeout=600)
        assert second.returncode == 0, second.stderr
        listings = [e for e in hub.entries() if e.path.startswith("/api/models")]
    runs = sql(db, "SELECT options, status, hub_requests FROM runs ORDER BY started_at")
    assert len(runs) == 2 and all(status == "published" for _, status, _ in runs)
    assert '"refresh":false' in runs[0][0] and '"refresh":true' in runs[1][0]
    assert runs[1][2] == len(listings) < runs[0][2]
    assert sql(db, "SELECT count(*) FROM models WHERE model_id LIKE 'Qwen/new%'") == [(5,)]


def test_the_systemd_service_and_the_readme_run_the_refresh_command():
    service = (ROOT / "deploy" / "open-model-landscape-refresh.service").read_text()
    assert re.search(r"^ExecStart=.*python -m pipeline refresh$", service, re.M)
    timer = (ROOT / "deploy" / "open-model-landscape-refresh.timer").read_text()
    assert "OnCalendar=" in timer and "Persistent=true" in timer
    readme = (ROOT / "README.md").read_text()
    cron = re.search(r"^(\S+ \S+ \S+ \S+ \S+) +cd .+ && \.venv/bin/python -m pipeline refresh", readme, re.M)
    assert cron, "the README gives a cron line"
    minute, hour, *_ = cron.group(1).split()
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 24
