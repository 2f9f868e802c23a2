"""``python -m monitor …``: the ``monitor`` command, from a clone that is not installed."""

from monitor.cli import main

raise SystemExit(main())
