"""Review: FSRS scheduling, the review and practice loop and its events, progress, stats, and adaptivity.

Layer: core. May import the foundation, ``decks`` and ``problems``. Never
the store, services, ``render`` or ``cli``: the session is a state machine
over an injected input source, clock and store protocol, so it runs the same
under a terminal, a pipe or a test.
"""
