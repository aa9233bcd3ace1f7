"""``python -m reeflow``: the reeflow command line."""

import sys

from reeflow.cli import main

if __name__ == "__main__":
    sys.exit(main())
