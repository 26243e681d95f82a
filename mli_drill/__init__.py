"""mli-drill: spaced-repetition flashcards and exam drills for Machine Learning for Imaging.

The package is layered so data flows one way, command -> core -> store:

* ``cli/``      thin typer commands (one module per command group);
* core          pure modules with no I/O: ``model``, ``deckfile`` parsing,
                ``answers``, ``scheduling``, ``session``, ``families/``;
* ``store/``    the only code that talks to SQLite;
* ``render``    the only code that draws with rich.

Heavy libraries (numpy, sqlite-utils, fsrs, yaml) are imported inside the
functions that need them so that ``mli-drill --help`` starts fast.
"""

__version__ = "0.1.0"
