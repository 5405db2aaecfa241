"""openfisca-france's tax-benefit system with its parameter tree cached on disk.

Imported lazily by ``loading.py`` (importing openfisca-france costs 0.2 s and
48 MB). The subclass lives at module level in an importable module so that the
pickled parameter tree can be read back in a new process.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

from openfisca_france import CountryTaxBenefitSystem
from openfisca_france.france_taxbenefitsystem import FranceTaxBenefitSystem


class _ClassLines:
    """Stands for ``ast.ClassDef``: a top-level class's name and line span."""

    def __init__(self, name: str, lineno: int, end_lineno: int) -> None:
        self.name, self.lineno, self.end_lineno = name, lineno, end_lineno


class _ClassIndex:
    """Stands for ``ast.Module``: the top-level classes of a source file."""

    def __init__(self, body: list[_ClassLines]) -> None:
        self.body = body


class _LineScanningAst:
    """What openfisca-core's variable loader asks of ``ast``, without parsing.

    ``add_variables_from_file`` parses every model file (1.7 s of a 3.2 s load) only
    to record each variable class's source lines (``introspection_data``, shown by
    the Web API, never used to compute). Scanning lines for ``class`` statements gives
    the same names and start lines, the end line being the line before the next class.
    """

    ClassDef = _ClassLines

    @staticmethod
    def parse(source: str) -> _ClassIndex:
        starts = [
            (line[6:].split("(")[0].split(":")[0].strip(), number)
            for number, line in enumerate(source.splitlines(), start=1)
            if line.startswith("class ")
        ]
        last = source.count("\n") + 1
        return _ClassIndex([
            _ClassLines(name, start, (starts[i + 1][1] - 1) if i + 1 < len(starts) else last)
            for i, (name, start) in enumerate(starts)
        ])


class CachedFranceSystem(CountryTaxBenefitSystem):
    """Same system; ``load_parameters`` asks ``read_cache`` first and feeds ``write_cache`` after,
    and the model files are loaded without re-parsing them (``_LineScanningAst``)."""

    read_cache: Callable[[], Any | None] = staticmethod(lambda: None)
    write_cache: Callable[[Any], None] = staticmethod(lambda parameters: None)

    def __init__(self) -> None:
        from openfisca_core.taxbenefitsystems import tax_benefit_system as loader

        from app.core.openfisca.speedups import enabled

        original = loader.ast
        if enabled():  # speed-up 4 of openfisca_speedups.py, on the checked versions only
            loader.ast = _LineScanningAst
        try:
            super().__init__()
        finally:
            loader.ast = original

    def load_parameters(self, path_to_yaml_dir: str | Path) -> None:
        cached = type(self).read_cache()
        if cached is not None:
            self.parameters = cached
            return
        super().load_parameters(path_to_yaml_dir)
        type(self).write_cache(self.parameters)

    def get_package_metadata(self) -> dict[str, str]:
        # The base class inspects the instance's module (ours, not a distribution) for
        # every variable file; answer as openfisca-france, once.
        return _france_metadata()


@functools.lru_cache(maxsize=1)
def _france_metadata() -> dict[str, str]:
    return dict(FranceTaxBenefitSystem.get_package_metadata(CountryTaxBenefitSystem.__new__(CountryTaxBenefitSystem)))
