"""The OpenFisca adapter: the only place that touches openfisca-core internals.

``situation`` (household -> OpenFisca-France situation, every look-back month),
``simulation_build`` (one vectorised simulation of many situations), ``loading`` (the
system loaded once, its parameter cache), ``system`` (the cached France system class),
``speedups`` (replacements of openfisca-core code, their ``CHECKED_AGAINST`` contract and
the start-up check), ``staleness`` (parameters older than the month computed),
``input`` (a user's OpenFisca situation, read as openfisca-core reads it),
``extension_tests`` (the YAML tests of an extension, without pytest).

May import: ``base``, ``model``, ``rules``. Knows nothing of the catalogue: it computes
variables, the layers above say which ones are benefits.
"""
