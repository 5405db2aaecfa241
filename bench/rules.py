"""Costs of the local aids and the rules packs (issue 9).

Prints: loading the catalogue with its local aids (median of 10), evaluating the criteria
aids on one household (median of 1 000), the extra time of the local aids in a full engine
computation (median of 10 households, with and without the local aids), building and signing
a pack of the bundled rules, importing it (signature, checksums, schemas, the extension loaded
in a fresh system and its YAML tests run, in a child process), and verifying the installed
pack again (what every read of the active rules does when a file changed).

    GUICHET_DATA_DIR=/tmp/guichet-bench /work/venv/bin/python bench/rules.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GUICHET_DATA_DIR", tempfile.mkdtemp(prefix="guichet-bench-"))

from app.core.benefits.catalogue import load_catalogue  # noqa: E402
from app.core.compute.engine import Engine  # noqa: E402
from app.core.model.household import (  # noqa: E402
    Activity, Household, Housing, HousingStatus, Person, Resource, ResourceKind, Role,
)
from app.core.benefits.local_aids import evaluate, load_local_aids, territory_matches  # noqa: E402
from app.core.base.paths import bundled_rules_dir  # noqa: E402
from app.core.benefits import rules_pack  # noqa: E402
from app.core.rules import folder as rules_folder
from app.core.rules.pack_signing import generate_key  # noqa: E402
from app.core.rules.folder import active_rules_dir  # noqa: E402
from app.core.benefits.rules_pack import build_pack, import_pack  # noqa: E402

MONTH = "2026-11"


def median_seconds(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def paris_family() -> Household:
    return Household(
        (
            Person("p1", Role.DEMANDEUR, dt.date(1985, 1, 1), activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=2500.0),)),
            *(Person(f"c{i}", Role.ENFANT, dt.date(2012 + 2 * i, 1, 1)) for i in range(4)),
        ),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=1200.0, commune_insee="75056"),
    )


def main() -> None:
    catalogue = load_catalogue()
    local_folder = bundled_rules_dir() / "local"
    print(f"catalogue with {len(catalogue.local_aids)} local aids: "
          f"{median_seconds(load_catalogue, 10) * 1000:.0f} ms to load, of which the local aids "
          f"{median_seconds(lambda: load_local_aids(local_folder, catalogue.ids()), 10) * 1000:.0f} ms (median of 10)")

    household = paris_family()
    criteria_aids = [a for a in catalogue.local_aids if getattr(a, "rule", None) is not None]

    def evaluate_all() -> None:
        known: dict = {}
        for aid in criteria_aids:
            if territory_matches(aid.territory, household):  # type: ignore[attr-defined]
                evaluate(aid, household, MONTH, known)  # type: ignore[arg-type]

    evaluate_all()
    print(f"criteria aids on one household: {median_seconds(evaluate_all, 1000) * 1e6:.0f} µs (median of 1 000)")

    engine = Engine(warm_up=True)
    full, national_only = engine.catalogue, dataclasses.replace(engine.catalogue, local_aids=())
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(10):  # interleaved: the machine's load drifts
        for name, catalogue_used in (("with", full), ("without", national_only)):
            engine.catalogue = catalogue_used
            times[name].append(median_seconds(lambda: engine.compute(household, MONTH), 1))
    engine.catalogue = full
    print(f"engine, one Paris household: {statistics.median(times['with']) * 1000:.0f} ms with the local aids, "
          f"{statistics.median(times['without']) * 1000:.0f} ms without (median of 10, interleaved)")

    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "rules.zip"
        # a throw-away publisher key, trusted like an administrator's local key
        key = Path(tmp) / "bench.pem"
        generate_key(key, Path(tmp) / "trusted_keys" / "bench.pub", "Banc d'essai")
        started = time.perf_counter()
        build_pack(bundled_rules_dir(), pack, run_tests=False, key=key)
        print(f"build and sign a pack of the bundled rules (no tests): {time.perf_counter() - started:.1f} s, "
              f"{pack.stat().st_size / 1024:.0f} KiB")
        os.environ["GUICHET_DATA_DIR"] = tmp  # import into a throw-away data folder (cache reused below)
        cache = Path(tmp) / "cache"
        cache.symlink_to(Path(engine_cache_dir()), target_is_directory=True)
        started = time.perf_counter()
        info = import_pack(pack)
        print(f"import it (signature, checksums, schemas, extension loaded and YAML tests run in a child "
              f"process): {time.perf_counter() - started:.1f} s -> version {info.version}")
        started = time.perf_counter()
        runs = 20
        for _ in range(runs):
            rules_folder._VERIFIED.clear()
            active_rules_dir()
        print(f"verify the installed pack again (signature and every file's SHA-256): "
              f"{(time.perf_counter() - started) / runs * 1000:.1f} ms (mean of {runs})")


_CACHE = Path(os.environ["GUICHET_DATA_DIR"]) / "cache"


def engine_cache_dir() -> Path:
    return _CACHE


if __name__ == "__main__":
    main()
