"""Entry point: ``python -m workbench`` and the ``workbench`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    from workbench.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
