"""Narrow exceptions raised deep in the pipeline, translated to one-line messages at the edges.

The CLI prints ``str(error)`` of any :class:`PipelineError` on stderr and exits non-zero;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class PipelineError(Exception):
    """An expected failure: the message is complete and fit for a user."""

    exit_code = 1


class ConfigError(PipelineError):
    """A setting or a command-line value is invalid."""

    exit_code = 2


class SourceError(PipelineError):
    """A source could not be read: network down, HTTP error, or a body that makes no sense."""

    exit_code = 3


class RateLimitedError(SourceError):
    """The source kept refusing with 429 after the retries it allowed."""

    exit_code = 4


class StorageError(PipelineError):
    """The database is missing, locked, or not one of ours."""

    exit_code = 5


class DamagedDatabaseError(StorageError):
    """The published database cannot be read (cut short, not DuckDB, an older schema): rebuild it."""


# Longest reason a one-line error carries: enough for a server's sentence, never a file's contents.
REASON_LIMIT = 240


def one_line(text: object, limit: int = REASON_LIMIT, secrets: tuple[str | None, ...] = ()) -> str:
    """``text`` as one short line: whitespace runs and control characters become single spaces,
    anything in ``secrets`` (a token) is masked, and the result is cut to ``limit`` characters.

    >>> one_line("Invalid expand\\n  parameter: baseModels")
    'Invalid expand parameter: baseModels'
    >>> one_line("x" * 500, limit=10)
    'xxxxxxxxx…'
    >>> one_line("token hf_abc in text", secrets=("hf_abc",))
    'token *** in text'
    """
    line = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    for secret in secrets:
        if secret:
            line = line.replace(secret, "***")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
