"""Allow ``python -m mli_drill``."""

from mli_drill.cli.app import main

if __name__ == "__main__":
    main()
