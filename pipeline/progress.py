"""Progress reporting for long runs: bars on a terminal, periodic lines in a log.

Sources report through a :class:`Progress` and never print themselves, so the CLI decides
how a run looks (tqdm bars when stderr is a terminal, one line every few seconds otherwise,
nothing at all in library use).

Example::

    >>> progress = Progress.quiet()
    >>> with progress.counter("hub top", unit="pages") as bar:
    ...     bar.advance(1, models=1000)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol

from tqdm import tqdm


class Counter(Protocol):
    def advance(self, n: int = 1, **postfix: object) -> None: ...
    def note(self, **postfix: object) -> None: ...


class _Quiet:
    def advance(self, n: int = 1, **postfix: object) -> None:
        pass

    def note(self, **postfix: object) -> None:
        pass


class _Bar:
    def __init__(self, bar: tqdm) -> None:
        self._bar = bar
        self._postfix: dict[str, object] = {}

    def advance(self, n: int = 1, **postfix: object) -> None:
        self._postfix.update(postfix)
        self._bar.set_postfix(self._postfix, refresh=False)
        self._bar.update(n)

    def note(self, **postfix: object) -> None:
        self._postfix.update(postfix)
        self._bar.set_postfix(self._postfix)


class _Lines:
    """Plain progress lines, at most one every ``every`` seconds, for logs and CI."""

    def __init__(self, label: str, unit: str, total: int | None, stream: IO[str], every: float) -> None:
        self._label, self._unit, self._total, self._stream, self._every = label, unit, total, stream, every
        self._count = 0
        self._postfix: dict[str, object] = {}
        self._last = time.monotonic()

    def _line(self) -> str:
        total = f"/{self._total}" if self._total else ""
        extra = "".join(f", {k}={v}" for k, v in self._postfix.items())
        return f"{self._label}: {self._count:,}{total} {self._unit}{extra}"

    def advance(self, n: int = 1, **postfix: object) -> None:
        self._count += n
        self._postfix.update(postfix)
        if time.monotonic() - self._last >= self._every:
            self._last = time.monotonic()
            print(self._line(), file=self._stream, flush=True)

    def note(self, **postfix: object) -> None:
        self._postfix.update(postfix)
        print(self._line(), file=self._stream, flush=True)

    def close(self) -> None:
        print(self._line() + " (done)", file=self._stream, flush=True)


class _Reported:
    """A counter that also tells the ingest's activity file where it stands (pipeline/activity.py)."""

    def __init__(self, inner: Counter, label: str, unit: str, total: int | None, report: Reporter) -> None:
        self._inner, self._label, self._unit, self._total, self._report = inner, label, unit, total, report
        self._count = 0

    def advance(self, n: int = 1, **postfix: object) -> None:
        self._inner.advance(n, **postfix)
        self._count += n
        self._report.step(self._label, self._count, self._total, self._unit)

    def note(self, **postfix: object) -> None:
        self._inner.note(**postfix)


class Reporter(Protocol):
    def step(self, label: str, count: int, total: int | None, unit: str) -> None: ...
    def note(self, text: str) -> None: ...


class Progress:
    """Where a run reports what it is doing; ``report`` (set by an ingest) also hears every step."""

    def __init__(self, mode: str, stream: IO[str] | None = None, every: float = 5.0) -> None:
        self.mode = mode  # "bars" | "lines" | "quiet"
        self.stream = stream or sys.stderr
        self.every = every
        self.report: Reporter | None = None

    @classmethod
    def for_terminal(cls) -> Progress:
        """Bars when stderr is a terminal, periodic lines otherwise."""
        return cls("bars" if sys.stderr.isatty() else "lines")

    @classmethod
    def quiet(cls) -> Progress:
        return cls("quiet")

    @contextmanager
    def counter(self, label: str, unit: str = "item", total: int | None = None) -> Iterator[Counter]:
        with self._counter(label, unit, total) as inner:
            yield inner if self.report is None else _Reported(inner, label, unit, total, self.report)

    @contextmanager
    def _counter(self, label: str, unit: str, total: int | None) -> Iterator[Counter]:
        if self.mode == "quiet":
            yield _Quiet()
        elif self.mode == "bars":
            bar = tqdm(desc=label, unit=unit, total=total, file=self.stream, dynamic_ncols=True, leave=True)
            try:
                yield _Bar(bar)
            finally:
                bar.close()
        else:
            lines = _Lines(label, unit, total, self.stream, self.every)
            try:
                yield lines
            finally:
                lines.close()

    def message(self, text: str) -> None:
        """A one-off line (a wait, a resume, a skipped step) that does not break the bars."""
        if self.report is not None:
            self.report.note(text)
        if self.mode == "quiet":
            return
        if self.mode == "bars":
            tqdm.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)
