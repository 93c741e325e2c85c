"""What an installed wheel needs: every package listed, the curated files and schema inside it.

(An actual wheel, installed into an empty virtual environment and run from another directory,
is the closing check of this structure; these tests keep it from regressing cheaply.)
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_is_listed_for_the_wheel():
    found = {".".join(p.parent.relative_to(ROOT).parts) for top in ("pipeline", "landscape", "dashboard")
             for p in (ROOT / top).rglob("__init__.py") if "__pycache__" not in p.parts}
    listed = set(CONFIG["packages"])
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"
    assert CONFIG["package-dir"]["pipeline.curated"] == "data/registry"


def test_the_curated_files_and_the_schema_are_package_data():
    curated = {p.name for p in resources.files("pipeline.curated").iterdir() if p.name.endswith(".csv")}
    assert curated == {p.name for p in (ROOT / "data" / "registry").glob("*.csv")} and curated
    assert resources.files("pipeline").joinpath("schema.sql").is_file()


def test_no_product_code_finds_data_through_its_own_file_path():
    offenders = []
    for top in ("pipeline", "landscape", "dashboard"):
        for path in (ROOT / top).rglob("*.py"):
            if re.search(r'__file__\)?[^\n]*(data|registry)', path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "read curated files with importlib.resources (pipeline.registry.curated_text)"
