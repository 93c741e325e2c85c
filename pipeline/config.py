"""Every setting of the project, read from the environment in one place.

Nothing else in the code base reads ``os.environ`` for a project setting: the command line and
the dashboard call :func:`load_settings` and hand the :class:`Settings` on to what they run
(sources, builds, exports). Each setting is declared once in :data:`SETTINGS`
with its default and meaning; the README's settings table is checked against that list by a
test, so a setting cannot go undocumented.

Example::

    >>> from pipeline.config import load_settings
    >>> settings = load_settings({"LANDSCAPE_DB": "/tmp/x.duckdb"})
    >>> settings.db_path.name
    'x.duckdb'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError

DEFAULT_HUB_ENDPOINT = "https://huggingface.co"
DEFAULT_EPOCH_MODELS_URL = "https://epoch.ai/data/all_ai_models.csv"
DEFAULT_EPOCH_BENCHMARKS_URL = "https://epoch.ai/data/benchmark_data.zip"
DEFAULT_ARENA_URL = "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (as text) and meaning."""

    env: str
    default: str | None
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("LANDSCAPE_DB", "data/landscape.duckdb", "the published database"),
    Setting("LANDSCAPE_RAW_DIR", "data/raw", "raw pages and files as received, and the resume checkpoints"),
    Setting("HF_ENDPOINT", DEFAULT_HUB_ENDPOINT, "Hub base URL (huggingface_hub's own variable)"),
    Setting("HF_TOKEN", None, "optional Hub token; never logged, never stored"),
    Setting("LANDSCAPE_EPOCH_MODELS_URL", DEFAULT_EPOCH_MODELS_URL,
            "Epoch models source (`all_ai_models.csv`, or a `.zip` holding it); `file://` reads a local copy"),
    Setting("LANDSCAPE_EPOCH_BENCHMARKS_URL", DEFAULT_EPOCH_BENCHMARKS_URL,
            "Epoch benchmarks source (`benchmark_data.zip`); `file://` reads a local copy"),
    Setting("LANDSCAPE_ARENA_URL", DEFAULT_ARENA_URL,
            "LMArena's data folder (`leaderboard-text.json`, `scatterplot-data.json`)"),
    Setting("LANDSCAPE_HTTP_TIMEOUT", "30", "seconds before a request to any source times out"),
    Setting("LANDSCAPE_HTTP_RETRIES", "5", "retries of a failed request (5xx, 429, network) before a run stops"),
    Setting("LANDSCAPE_ANCESTOR_LIMIT", "500",
            "most base models fetched one by one per run to resolve roots outside the ingested scope"),
    Setting("LANDSCAPE_MAX_DROP", "0.2",
            "largest fall of a source's row or organisation count against the published data before the "
            "source is held back (a fraction; `--accept-drop SOURCE` publishes anyway)"),
    Setting("LANDSCAPE_MAX_SHARE_DROP", "10",
            "largest fall, in percentage points, of a source's share of rows with an accessibility group, "
            "a country or a licence before the source is held back"),
    Setting("LANDSCAPE_HISTORY_REPO", "cfahlgren1/hub-stats",
            "the Hub dataset whose git history gives download history (`ingest --sources history`)"),
    Setting("LANDSCAPE_HISTORY_FILE", "models.parquet", "its file of model snapshots"),
    Setting("LANDSCAPE_EXPORTS_DIR", None,
            "dated snapshots of the published data (CSV and Parquet); unset: `exports/` beside the database"),
    Setting("LANDSCAPE_EXPORTS_KEEP", "7", "how many dated snapshots to keep (0: write none)"),
    Setting("LANDSCAPE_HOST", "127.0.0.1", "address the dashboard binds to"),
    Setting("LANDSCAPE_PORT", "8501", "port the dashboard listens on"),
)


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`, never by reading the environment."""

    db_path: Path
    raw_dir: Path
    hub_endpoint: str
    hf_token: str | None
    epoch_models_url: str
    epoch_benchmarks_url: str
    arena_url: str
    http_timeout: float
    http_retries: int
    ancestor_limit: int
    max_drop: float
    max_share_drop: float
    exports_dir: Path
    exports_keep: int
    history_repo: str
    history_file: str
    host: str
    port: int

    def __repr__(self) -> str:  # the token must never reach a log line or a traceback
        token = "set" if self.hf_token else "unset"
        return f"Settings(db_path={self.db_path!s}, hub_endpoint={self.hub_endpoint}, hf_token={token})"


def _number(env: Mapping[str, str], name: str, kind: type, minimum: float,
            maximum: float | None = None) -> float | int:
    raw = _text(env, name)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw[:40]!r}") from None
    if not value >= minimum:  # also refuses NaN
        raise ConfigError(f"{name} must be at least {minimum}, got {raw[:40]!r}")
    if maximum is not None and not value <= maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {raw[:40]!r}")
    return value


def _text(env: Mapping[str, str], name: str) -> str:
    default = next(s.default for s in SETTINGS if s.env == name)
    value = env.get(name, "").strip()
    return value or (default or "")


def _url(env: Mapping[str, str], name: str, local: bool = False) -> str:
    """An http(s) URL; with ``local``, a ``file://`` URL too (a file source read from disk)."""
    value = _text(env, name)
    schemes = ("http://", "https://", "file://") if local else ("http://", "https://")
    if not value.startswith(schemes):
        raise ConfigError(f"{name} must be an {'http(s) or file' if local else 'http(s)'} URL, got {value[:200]!r}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``env`` (the process environment by default).

    Relative paths are resolved against the current directory, which is the project root
    when the README's commands are used.
    """
    env = os.environ if env is None else env
    token = env.get("HF_TOKEN", "").strip() or None
    return Settings(
        db_path=Path(_text(env, "LANDSCAPE_DB")).expanduser().absolute(),
        raw_dir=Path(_text(env, "LANDSCAPE_RAW_DIR")).expanduser().absolute(),
        hub_endpoint=_url(env, "HF_ENDPOINT").rstrip("/"),
        hf_token=token,
        epoch_models_url=_url(env, "LANDSCAPE_EPOCH_MODELS_URL", local=True),
        epoch_benchmarks_url=_url(env, "LANDSCAPE_EPOCH_BENCHMARKS_URL", local=True),
        arena_url=_url(env, "LANDSCAPE_ARENA_URL", local=True),
        http_timeout=float(_number(env, "LANDSCAPE_HTTP_TIMEOUT", float, 0.1)),
        http_retries=int(_number(env, "LANDSCAPE_HTTP_RETRIES", int, 0)),
        ancestor_limit=int(_number(env, "LANDSCAPE_ANCESTOR_LIMIT", int, 0)),
        max_drop=float(_number(env, "LANDSCAPE_MAX_DROP", float, 0.0, 1.0)),
        max_share_drop=float(_number(env, "LANDSCAPE_MAX_SHARE_DROP", float, 0.0, 100.0)),
        exports_dir=Path(_text(env, "LANDSCAPE_EXPORTS_DIR") or Path(_text(env, "LANDSCAPE_DB")).parent / "exports")
        .expanduser().absolute(),
        exports_keep=int(_number(env, "LANDSCAPE_EXPORTS_KEEP", int, 0)),
        history_repo=_text(env, "LANDSCAPE_HISTORY_REPO"),
        history_file=_text(env, "LANDSCAPE_HISTORY_FILE"),
        host=_text(env, "LANDSCAPE_HOST"),
        port=int(_number(env, "LANDSCAPE_PORT", int, 1)),
    )
