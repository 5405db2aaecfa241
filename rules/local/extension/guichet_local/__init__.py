"""Guichet's OpenFisca-France extension: local aids that need real formulas.

Loaded by ``app.core.rules_pack.load_extension`` with ``tbs.load_extension("guichet_local")``
(openfisca-core 44 imports the package by name: its parent folder is put on ``sys.path``).
Variables live in ``variables/``, parameters in ``parameters/guichet_local/`` (merged at the
root of the parameter tree as ``guichet_local``), YAML tests in ``tests/``.
"""
