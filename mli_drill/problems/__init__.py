"""Problem families: the registry, specs, instances, the answer checker, the slip catalogue, and ``families/``.

Layer: core. May import the foundation, ``decks.cache`` (the one parse
cache, shared by decks and specs) and the solver modules in ``families/``.
Never the store, services, ``render`` or ``cli``: an instance is drawn,
solved and checked without a database or a screen.
"""
