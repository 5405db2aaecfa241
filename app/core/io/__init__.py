"""The JSON formats Guichet reads and writes: case files and results.

``casefile`` (``docs/case-format.md``: JSON <-> ``Household``, every problem named),
``results_json`` (``SimulationResult`` <-> JSON, exactly; differences between results).

May import: ``base``, ``model``, ``rules``, ``openfisca``, ``benefits``.
"""
