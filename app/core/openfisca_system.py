"""openfisca-france's tax-benefit system with its parameter tree cached on disk.

Imported lazily by ``engine.py`` (importing openfisca-france costs 0.2 s and
48 MB). The subclass lives at module level in an importable module so that the
pickled parameter tree can be read back in a new process.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

from openfisca_france import CountryTaxBenefitSystem
from openfisca_france.france_taxbenefitsystem import FranceTaxBenefitSystem


class CachedFranceSystem(CountryTaxBenefitSystem):
    """Same system; ``load_parameters`` asks ``read_cache`` first and feeds ``write_cache`` after."""

    read_cache: Callable[[], Any | None] = staticmethod(lambda: None)
    write_cache: Callable[[Any], None] = staticmethod(lambda parameters: None)

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
