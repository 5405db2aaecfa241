"""openfisca-france's tax-benefit system, loaded once per process, its parameters cached.

The parameter tree (the slow part of loading) is pickled in the user's cache folder, keyed
on the openfisca-core and openfisca-france versions, with a SHA-256 of the payload; a
missing, unreadable or mismatching cache is rebuilt, never trusted blindly. The system
class itself (``system.py``) is imported only when a system is loaded: importing
openfisca-france costs 0.2 s and 48 MB.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
import pickle
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

from app.core.base import paths
from app.core.rules.folder import load_extension

log = logging.getLogger(__name__)


CACHE_FORMAT = 1

@dataclass(frozen=True)
class Versions:
    openfisca_core: str
    openfisca_france: str

    @property
    def cache_key(self) -> str:
        return f"core-{self.openfisca_core}_france-{self.openfisca_france}_fmt-{CACHE_FORMAT}"


def installed_versions() -> Versions:
    return Versions(metadata.version("openfisca-core"), metadata.version("openfisca-france"))


def _cache_path(versions: Versions) -> Path:
    return paths.cache_dir() / f"parameters_{versions.cache_key}.pickle"


def _read_parameter_cache(path: Path, versions: Versions) -> Any | None:
    """The cached parameter tree, or None when missing, stale or corrupt."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        header, _, payload = raw.partition(b"\n")
        key, digest = header.decode("ascii").split(" ")
        if key != versions.cache_key or hashlib.sha256(payload).hexdigest() != digest:
            log.warning("parameter cache %s is stale or corrupt: rebuilding", path.name)
            return None
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any failure means: rebuild from the YAML files
        log.warning("parameter cache %s unreadable: rebuilding", path.name, exc_info=True)
        return None


def _write_parameter_cache(path: Path, versions: Versions, parameters: Any) -> None:
    try:
        payload = pickle.dumps(parameters, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.sha256(payload).hexdigest()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(f"{versions.cache_key} {digest}\n".encode("ascii") + payload)
        tmp.replace(path)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        log.warning("could not write the parameter cache", exc_info=True)


@contextlib.contextmanager
def gc_paused(freeze: bool = True) -> Iterator[None]:
    """No cyclic garbage collection inside the block; then, when ``freeze``, every object
    alive is put out of the collector's reach (``gc.freeze``: what the block loaded lives
    as long as the process). Loading the system creates millions of long-lived objects
    (parameter tree, variables) and a first computation the per-date parameter trees:
    without this, the collections they trigger walk them again and again (1.7 s of CPU
    of a 4.5 s ``guichet simulate``, measured by ``bench/startup.py``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def load_system(use_cache: bool = True, with_extension: bool = True) -> Any:
    """openfisca-france's system, its parameters from the on-disk cache when valid.

    ``with_extension``: then load the active rules folder's OpenFisca extension
    (``rules.folder.load_extension``), after the cached parameters are set: the cache
    stays openfisca-france's own, whatever the extension.
    """
    from app.core.openfisca.system import CachedFranceSystem

    versions = installed_versions()
    path = _cache_path(versions)

    class System(CachedFranceSystem):
        read_cache = staticmethod(lambda: _read_parameter_cache(path, versions) if use_cache else None)
        write_cache = staticmethod(
            lambda parameters: _write_parameter_cache(path, versions, parameters) if use_cache else None
        )

    System.__module__ = CachedFranceSystem.__module__
    with gc_paused():
        system = System()
        if with_extension:
            load_extension(system)
    return system


def last_legislation_date(tbs: Any) -> dt.date:
    """The latest date at which a parameter of the system changes (its coverage end)."""
    latest = "0000-00-00"

    def walk(node: Any) -> None:
        nonlocal latest
        children = getattr(node, "children", None)
        if children is not None:
            for child in children.values():
                walk(child)
            return
        for item in getattr(node, "values_list", None) or ():
            if item.instant_str > latest and item.instant_str <= "2100":
                latest = item.instant_str
        for bracket in getattr(node, "brackets", None) or ():
            for sub in (bracket.children or {}).values():
                walk(sub)

    walk(tbs.parameters)
    return dt.date.fromisoformat(latest)
