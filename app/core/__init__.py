"""Pure-Python core of Guichet. Nothing in this package may import Qt or ``app.gui``.

The core is cut into sub-packages named for the domain, in layers (docs/architecture.md).
A module imports modules of its own sub-package and of the layers *below* its own, never
above; no import circle, not even through an import inside a function; no module imports
another module's private (``_underscored``) names. ``tests/test_import_layers.py`` reads
every import (ast) and enforces it against ``LAYERS``.
"""

# Lowest first. Sub-packages on the same line are one layer: they may not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("base",),  # files, folders, texts (i18n), French formats, logs, CSV
    ("model",),  # the household as declared, months, communes, validation
    ("rules",),  # the rules folder on disk: safe YAML, signatures, active folder, extension
    ("openfisca",),  # the OpenFisca adapter: the only code touching openfisca-core internals
    ("benefits",),  # catalogue, local aids, results per benefit, rules packs
    ("io",),  # JSON formats: case files, results
    ("compute",),  # the engine (one entry point) and what is computed from it
    ("handout", "batch", "store"),  # what the GUI, the CLI and the screener build on top
)
