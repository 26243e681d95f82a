"""Everything drawn with rich (this package is the only place that imports ``rich``): cards, problems, verdicts, tables.

Layer: render. May import the core (``decks``, ``problems``, ``review``,
``exam``, ``export``), the families and the foundation; never ``cli``,
services or the store (``tests/test_architecture.py``): it draws what it is
given and opens neither files nor the database. Its modules, each imported by name (nothing is
re-exported here):

- :mod:`~mli_drill.render.console`: the console (text from files shown inert), echo, error, warning, JSON, plural;
- :mod:`~mli_drill.render.layout`: text at any width, panel titles, pictures;
- :mod:`~mli_drill.render.latex`: LaTeX math as Unicode (no rich: plain text only);
- :mod:`~mli_drill.render.session`: the review, practice and exam loops (questions, reveals, verdicts);
- :mod:`~mli_drill.render.reports`: summaries, nothing due, status, exam reports and history, tables;
- :mod:`~mli_drill.render.stats`, :mod:`~mli_drill.render.adaptive`, :mod:`~mli_drill.render.browse`,
  :mod:`~mli_drill.render.pictures`: ``stats``, the adaptive features, the card browser, grids in colour.
"""
