"""Concept decks: the deck file format, its parse cache, lint, search, coverage of the course notes, Logseq import.

Layer: core. May import the foundation (``model``, ``names``, ``paths``,
``exceptions``, ``settings``, ``clock``) and the standard library; yaml only
inside the functions that parse. Never the store, services, ``render`` or
``cli``: a deck is read and checked the same way whoever asks.
"""
