"""Benchmarks for mli-drill: ``python benchmarks/run.py [--quick] [--json FILE]``.

Every figure is a ratio against a baseline measured in the same run, so a
noisy or shared machine moves both sides together. See docs/performance.md.
"""
