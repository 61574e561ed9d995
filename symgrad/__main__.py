"""`python -m symgrad` runs the CLI."""

import sys

from symgrad.cli import main

sys.exit(main())
