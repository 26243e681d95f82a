"""mli-drill: spaced-repetition flashcards and exam drills for Machine Learning for Imaging.

The tree shows the layers; data flows one way, command -> services -> core -> store:

* ``cli/``       thin typer commands (one module per command group);
* ``render/``    the only code that draws with rich;
* ``services/``  the core joined to files and the database (workspace, exam papers, queue, backups);
* ``store/``     the only code that talks to SQLite;
* core:          ``decks/``, ``problems/`` (with ``problems/families/``, one pure
                 solver per family), ``review/``, ``exam/``, ``export/``;
* foundation:    the leaf modules here (``model``, ``clock``, ``paths``,
                 ``settings``, ``names``, ``exceptions``), which import nothing above them.

Each package's ``__init__`` says what it may import; ``tests/test_architecture.py``
checks it. Heavy libraries (numpy, sqlite-utils, fsrs, yaml) are imported
inside the functions that need them so that ``mli-drill --help`` starts fast.
"""

__version__ = "0.1.0"
