"""One pure solver module per problem family, and the helpers they share (``base``, ``common``).

Layer: families, the lowest above the foundation. May import the
foundation; a solver module imports only ``base`` and ``common`` from here
(and numpy or the standard library), never another family, so adding a
family touches nothing that exists. The
registry that finds them is :mod:`mli_drill.problems.registry`.
"""
