"""Benchmarks: ``python -m benchmarks [--quick] [--json PATH]``.

Everything is measured side by side in one run on the same data and reported as
ratios, because absolute seconds only mean something on the machine that printed
them. See :mod:`benchmarks.run` for what is measured and how.
"""
