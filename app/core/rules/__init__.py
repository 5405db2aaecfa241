"""The rules folder on disk (the bundled ``rules/`` or an imported pack), not its meaning.

``safe_yaml`` (YAML without aliases), ``pack_signing`` (Ed25519 signatures), ``folder``
(which folder is active, its manifest and version, loading its OpenFisca extension into a
system).

May import: ``base``. What the files say is read above: ``benefits`` (catalogue, local
aids), ``openfisca`` (staleness rules), ``compute`` (explanations).
"""
