"""Allow `python -m shieldwall`."""

from shieldwall.cli import main

raise SystemExit(main())
