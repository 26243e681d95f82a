"""The command line: thin typer commands, one module per command group.

Layer: cli, the top. May import every layer below (services, store,
``render``, the core, the families, the foundation); nothing imports it.
A command parses its arguments, calls a service or the core, and hands the
result to ``render``. Modules are imported inside the commands that use
them, so ``mli-drill --help`` stays cheap (``tests/test_startup_imports.py``).
"""
