"""What Guichet computes and shows: the benefits, and what a computation found for each.

``benefit`` (a catalogue entry: frozen dataclasses, its YAML file read against the
schema), ``local_aids`` (aids of ``rules/local/``: loading and evaluation after
OpenFisca), ``catalogue`` (national benefits and local aids, in the fixed order),
``results`` (``Status``, ``BenefitResult``, ``SimulationResult``), ``rules_pack``
(validating, building, importing and rolling back rules packs; the ``rules`` command).

May import: ``base``, ``model``, ``rules``, ``openfisca``.
"""
