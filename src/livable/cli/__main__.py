"""``python -m livable.cli``: the command line (the same as the ``livable`` command)."""

import sys

from livable.cli import main

sys.exit(main())
