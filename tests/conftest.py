"""Shared fixtures: settings pointing at temporary folders and loopback servers, never the network."""

from __future__ import annotations

import os

os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"  # before huggingface_hub reads its constants

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
# Every URL a test may use points at a loopback server or at this closed port.
CLOSED_URL = "http://127.0.0.1:9/"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or a skip with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real-data test: {path} is absent (../shared/data is not beside this clone)")
    return path


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings in ``tmp_path`` whose sources default to a closed loopback port; override any of them."""

    def make(**env: str) -> Settings:
        base = {
            "LANDSCAPE_DB": str(tmp_path / "landscape.duckdb"),
            "LANDSCAPE_RAW_DIR": str(tmp_path / "raw"),
            "HF_ENDPOINT": CLOSED_URL.rstrip("/"),
            "LANDSCAPE_EPOCH_MODELS_URL": CLOSED_URL + "all_ai_models.csv",
            "LANDSCAPE_EPOCH_BENCHMARKS_URL": CLOSED_URL + "benchmark_data.zip",
            "LANDSCAPE_ARENA_URL": CLOSED_URL,
            "LANDSCAPE_HTTP_RETRIES": "2",
            "LANDSCAPE_HTTP_TIMEOUT": "10",
        }
        base.update(env)
        return load_settings(base)

    return make


@pytest.fixture
def cli_env(tmp_path: Path) -> Callable[..., dict[str, str]]:
    """An environment for running ``python -m pipeline`` in a subprocess against loopback servers."""

    def make(**env: str) -> dict[str, str]:
        out = {k: v for k, v in os.environ.items() if not k.startswith(("LANDSCAPE_", "HF_"))}
        out.update({
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "LANDSCAPE_DB": str(tmp_path / "landscape.duckdb"),
            "LANDSCAPE_RAW_DIR": str(tmp_path / "raw"),
            "HF_ENDPOINT": CLOSED_URL.rstrip("/"),
            "LANDSCAPE_EPOCH_MODELS_URL": CLOSED_URL + "all_ai_models.csv",
            "LANDSCAPE_EPOCH_BENCHMARKS_URL": CLOSED_URL + "benchmark_data.zip",
            "LANDSCAPE_ARENA_URL": CLOSED_URL,
            "LANDSCAPE_HTTP_RETRIES": "1",
            "PYTHONPATH": str(ROOT),
        })
        out.update(env)
        return out

    return make


@pytest.fixture
def python() -> str:
    return sys.executable


@pytest.fixture
def quiet_progress() -> Iterator[object]:
    from pipeline.progress import Progress

    yield Progress.quiet()
