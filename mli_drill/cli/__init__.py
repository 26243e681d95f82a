"""The command line: thin typer commands, one module per command group.

The top layer: it may import every other layer. Modules are imported inside
the commands that use them, so ``mli-drill --help`` stays cheap
(``tests/test_startup_imports.py``); ``tests/test_architecture.py`` holds the layer map.
"""
