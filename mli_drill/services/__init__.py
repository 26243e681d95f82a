"""Services: the core joined to files and the database.

``workspace`` opens what a study command needs (store, collection synced to
it, the clock, the scheduling policy); ``collection`` joins decks and
families to the store's items; ``queue`` picks what a session shows;
``exam_paper`` owns a mock exam's life in the database (start, resume,
abandon, hand in); ``adaptive`` reads and writes abilities, levels and fitted
FSRS parameters; ``backup`` decides when to back up and what to keep.

Layer: services. May import the store, the core (``decks``, ``problems``,
``review``, ``exam``, ``export``), the families and the foundation. Never
``render`` or ``cli``, and never ``rich``: a service returns data, and the
command draws it.
"""
