"""Exports: Anki packages (genanki, imported inside) and printable worksheets.

Layer: core. May import the foundation, ``decks`` and ``problems``. Never
the store, services, ``render`` or ``cli``: an export is a pure function of
cards and instances to bytes or text, which the command writes to a file.
"""
