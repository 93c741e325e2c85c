"""A process's own peak resident memory, as the benchmarks print it.

Linux keeps each address space's high-water mark of resident memory (``VmHWM`` in
``/proc/<pid>/status``); a new program (``exec``) starts a new address space and a new mark, so
a child's ``VmHWM`` is its own. The ``ru_maxrss`` that ``wait4`` returns for a child is not: it
also counts the address space the child left at its ``exec``, which was the parent's (Python's
``subprocess`` starts a child with ``vfork``: the parent's peak; after a ``fork``, a copy holding
the parent's resident pages), so a 20 MB child of a 600 MB parent reports 600 MB
(``tests/integration/test_benchmark_memory.py``).
A benchmark whose parent has done heavy work itself (``benchmarks/dashboard.py`` times the
lookup queries in its own process) must therefore let the child report its peak.
"""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb(pid: int | str = "self") -> float:
    """The peak resident memory of process ``pid`` (default: this one) so far, MB (10^6 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmHWM for process {pid}")
