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
