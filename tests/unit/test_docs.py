"""The README documents every setting and every command (a test fails when one is added silently)."""

from __future__ import annotations

from pathlib import Path

from pipeline.cli import build_parser
from pipeline.config import SETTINGS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_with_its_default():
    for setting in SETTINGS:
        row = next((line for line in README.splitlines() if line.startswith(f"| `{setting.env}` |")), None)
        assert row is not None, f"{setting.env} is not in the README's settings table"
        if setting.default:
            assert f"`{setting.default}`" in row, f"{setting.env}'s default in the README is not {setting.default}"


def test_every_command_and_option_is_in_the_readme():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    for name, sub in commands.items():
        assert f"python -m pipeline {name}" in README
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"`{name} {flag}` is not documented in the README"


def test_the_two_commands_are_in_the_readme_and_ci_runs_the_test_one():
    assert "make run" in README and "make test" in README
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "make test" in ci
