"""``python -m checker``: the same as the ``mathcheck`` command."""

from checker.cli import main

raise SystemExit(main())
