"""The mock exam: assembling a paper, marking it, and the timed answering loop.

Layer: core. May import the foundation, ``decks``, ``problems`` and
``review`` (marking uses the same checker and events). Never the store,
services, ``render`` or ``cli``; a paper's lifecycle in the database (start,
resume, abandon) is :mod:`mli_drill.services.exam_paper`.
"""
