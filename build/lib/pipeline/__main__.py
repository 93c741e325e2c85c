"""``python -m pipeline``: see :mod:`pipeline.cli`."""

import sys

from pipeline.cli import main

# The guard matters: transform workers are spawned processes, which import the main module.
if __name__ == "__main__":
    sys.exit(main())
