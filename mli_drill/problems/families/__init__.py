"""One pure solver module per problem family, and the helpers they share (``base``, ``common``).

Layer: families, the lowest above the foundation. A solver module imports
only ``base`` and ``common`` (and numpy or the standard library), never
another family, so adding a family touches nothing that exists. The
registry that finds them is :mod:`mli_drill.problems.registry`.
"""
