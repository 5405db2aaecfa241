"""Every place where Guichet replaces openfisca-core code, with its contract.

Contract: each speed-up returns exactly what the code it replaces returns (the same
arrays, the same values); it was checked against **openfisca-core 44.7.1** and
**openfisca-france 176.1.8** (``CHECKED_AGAINST``) by ``tests/core/test_openfisca_speedups.py``
(every amount of 300 varied households, every example case, an earnings curve and a
full trace, with and without them) and by the reference households
(``tests/core/test_reference_households.py``, against a plain ``CountryTaxBenefitSystem()``).
On any other installed version, ``install()`` leaves OpenFisca's own code in place and
logs one line (``enabled()`` is False): an upgrade can make Guichet slower, never change
an amount silently. After an upgrade: run those tests, then update ``CHECKED_AGAINST``.

What is replaced (files under ``openfisca_core/``):

=====================================  =================================================  =====================
speed-up                               replaces                                           where (Guichet)
=====================================  =================================================  =====================
1. fancy-indexed parameters            ``VectorialParameterNodeAtInstant.                 here
                                       build_from_node_name``
                                       (``parameters/vectorial_parameter_node_at_instant.py``)
2. values already computed             ``CorePopulation.__call__``                        here
                                       (``populations/_core_population.py``) and
                                       ``Simulation.calculate`` (``simulations/simulation.py``)
3. period arithmetic memoised          ``Instant.offset``, ``Period.offset``, ``Period``  here
                                       properties ``stop``, ``size_in_*``, ``last_*``,
                                       ``n_2``, ``this_year``, ``first_month`` and
                                       ``Period.get_subperiods`` (``periods/instant_.py``,
                                       ``periods/period_.py``)
4. model files scanned, not parsed     the ``ast`` module as seen by                      ``system.py``
                                       ``taxbenefitsystems/tax_benefit_system.py``
                                       (``add_variables_from_file``), only while the
                                       system loads; ``get_package_metadata`` answered once
5. housing-aid zones read once        the first ``preload_zone_apl()`` of                ``preload_zone_apl``
                                       ``openfisca_france/model/prestations/               (here), called by
                                       aides_logement.py`` (its module dict               ``compute.engine.Engine``
                                       ``zone_apl_by_depcom``)
6. parameter trees built on demand     ``ParameterNode._get_at_instant``                  here
                                       (``parameters/parameter_node.py``), which builds
                                       a ``ParameterNodeAtInstant``
                                       (``parameters/parameter_node_at_instant.py``)
=====================================  =================================================  =====================

Not speed-ups but uses of openfisca-core's inner objects, kept where they are:
``compute.engine._apply_gates`` (``Holder.put_in_cache``, a public method), the parameter
cache (``TaxBenefitSystem.load_parameters`` overridden in ``system.py``, a
documented extension point: the tree is pickled whole).

1. **Fancy-indexed parameters.**


OpenFisca-France reads some parameters per person or per household with a key array
(``params.zone[zone_apl]``: "fancy indexing"). openfisca-core 44 answers with a
``VectorialParameterNodeAtInstant`` holding one parameter node *per element*, walked
in Python lists, and checks the node's homogeneity again on every call. The keys
take a handful of distinct values (three housing-aid zones, a few family sizes), so
with many rows (101 copies of a household for an earnings curve, 1,000 households
of a screening chunk) that per-element Python work grows with the rows.

``install()`` replaces ``VectorialParameterNodeAtInstant.build_from_node_name`` so that
each *distinct* key is looked up once and the per-element result is gathered with
numpy (``unique`` / ``inverse``), and the homogeneity of a node is checked once. The
values are the same arrays. Measured: an earnings curve 15 % faster.

2. **Values already computed.** Formulas ask again and again for the same values: for
one household, about 7,000 requests reach ``Simulation.calculate`` while 2,500 formulas
run. A request for a value already in the cache still goes through about 20 framework
calls (period normalisation, entity and period checks, tracer push and pop, holder and
storage look-ups): ~14 µs each. ``install()`` replaces ``CorePopulation.__call__`` (a
formula's ``individu('salaire_net', period)``) and ``Simulation.calculate`` (also the
months of a request with the ADD option) with versions that, *inside a formula* (the
tracer's stack is not empty), under the plain ``SimpleTracer`` or the staleness module's
recorder (which is told of the request; not while a full trace is recorded), without options and for a value the holder's memory
already has for exactly this period, return that array: the very object OpenFisca's path
would return, after checks a stored value has already passed (a holder only stores values
of its own variable's period unit, ``Holder._set``). About 3,500 requests of a household
are answered so. Anything else goes through OpenFisca's own code. Measured interleaved in
one process (12 pairs, medians): one household 479 -> 399 ms, the 101-point earnings
curve 548 -> 472 ms.

3. **Period arithmetic.** ``Instant`` and ``Period`` are immutable tuples, and their
offsets, bounds and sizes are pure functions of them; a household's computation asks
for the same few hundred results tens of thousands of times (about 30 % of its time).
The caches are bounded; ``get_subperiods`` returns a fresh list each time (callers may
change it).

4. **Model files scanned** (``system._LineScanningAst``): openfisca-core parses
every model file only to record each variable class's source lines (introspection
data for the Web API, never used to compute): 1.7 s of a 3.2 s load.

5. **Housing-aid zones.** The first computation of a process reads openfisca-france's
commune -> zone CSV (36,000 rows, with ``csv.DictReader``: 0.1-0.15 s of a
``guichet simulate``) into ``aides_logement.zone_apl_by_depcom``. ``preload_zone_apl``
keeps openfisca-france's own dict, as built by its own ``preload_zone_apl()``, in a JSON
file of the cache folder (keyed on the versions; string keys, integer zones: JSON keeps
them exactly) and sets it back in a new process; France's function then finds it
loaded. A missing or unreadable file: France's own reading, and the file written again.
The dict is set in the module the ``zone_apl`` formula runs in (``housing_module``):
openfisca-core loads each model file under a name of its own, so the importable
``openfisca_france.model.prestations.aides_logement`` is another module, whose dict no
formula reads (setting it there, as this speed-up first did, changed nothing).

6. **Parameter trees at an instant.** A formula's ``parameters(period)`` is openfisca-core's
``ParameterNodeAtInstant`` of the whole tree at that date: its constructor builds every
node, scale and value of openfisca-france (about 2,500 nodes and 550 scales) for each of the
~23 dates one household's look-back windows reach, while the formulas read a few hundred
of them: 0.6 s of a 2.9 s ``guichet simulate``. ``install()`` replaces
``ParameterNode._get_at_instant`` so that it returns a subclass of ``ParameterNodeAtInstant``
whose children are built by the same ``child._get_at_instant(instant)`` call when first
read (an attribute, an item, ``_children`` or iteration: then all of them, in the node's
order, keeping those already built) and set as the same attributes; a missing name raises
OpenFisca's own ``ParameterNotFoundError``; fancy indexing goes through OpenFisca's
``__getitem__``. A node having a child named like an attribute of the class (none in
openfisca-france) gets OpenFisca's own eager node. Installing or uninstalling empties
openfisca-core's cache of trees at an instant (an ``lru_cache`` shared by every system),
so that a tree built by one code is never served to the other.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# The exact versions every speed-up below was checked against (see the module's text).
CHECKED_AGAINST: dict[str, str] = {"openfisca-core": "44.7.1", "openfisca-france": "176.1.8"}

_state: dict[str, Any] = {"installed": False, "refused_logged": False}
_originals: list[tuple[type, str, Any]] = []  # (class, attribute, its own __dict__ entry)
_checked: dict[int, Any] = {}  # id(node) -> node, kept alive so that the id stays its own
_factored: list[type] = []


def installed_version(distribution: str) -> str | None:
    """The installed version of a distribution, None when unknown."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def enabled() -> bool:
    """Whether the installed openfisca-core and openfisca-france are exactly the versions
    the speed-ups were checked against (``CHECKED_AGAINST``); else OpenFisca's own code
    runs. Logs one line (versions only) the first time it answers no."""
    found = {name: installed_version(name) for name in CHECKED_AGAINST}
    if found == CHECKED_AGAINST:
        return True
    if not _state["refused_logged"]:
        _state["refused_logged"] = True
        log.warning(
            "OpenFisca speed-ups off: installed %s, checked against %s (OpenFisca's own code runs)",
            ", ".join(f"{name} {version}" for name, version in found.items()),
            ", ".join(f"{name} {version}" for name, version in CHECKED_AGAINST.items()),
        )
    return False


def installed() -> bool:
    return bool(_state["installed"])


def install() -> bool:
    """Install every speed-up of this module (idempotent) when ``enabled()``; else make
    sure none is installed. True when they are installed."""
    if not enabled():
        uninstall()
        return False
    if _state["installed"]:
        return True
    from openfisca_core.parameters.vectorial_parameter_node_at_instant import VectorialParameterNodeAtInstant
    from openfisca_core.periods import Instant, Period
    from openfisca_core.populations import CorePopulation
    from openfisca_core.simulations import Simulation

    _patch(VectorialParameterNodeAtInstant, "build_from_node_name", staticmethod(_build_from_node_name))
    _state["original_call"] = _patch(CorePopulation, "__call__", _population_call)
    _state["original_calculate"] = _patch(Simulation, "calculate", _simulation_calculate)
    _memoise_period_arithmetic(Instant, Period)
    from openfisca_core.parameters import ParameterNode

    _patch(ParameterNode, "_get_at_instant", _lazy_node_at_instant)
    _forget_trees_at_instants()
    _state["installed"] = True
    return True


def uninstall() -> None:
    """OpenFisca's own code back, every method as it was (the tests compare both)."""
    if _originals:
        _forget_trees_at_instants()
    while _originals:
        cls, name, original = _originals.pop()
        setattr(cls, name, original)
    _state["installed"] = False


def _forget_trees_at_instants() -> None:
    """Empty openfisca-core's cache of parameter trees at an instant (an ``lru_cache`` on
    ``TaxBenefitSystem.get_parameters_at_instant``, shared by every system): the trees built
    by one code (speed-up 6 or OpenFisca's) are not served to the other."""
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem

    TaxBenefitSystem.get_parameters_at_instant.cache_clear()


def preload_zone_apl(cache: Path, housing: Any) -> bool:
    """Speed-up 5: openfisca-france's commune -> housing-aid zone dict from ``cache`` (or
    read by France's own code, then written there), set in ``housing``: the module of
    ``aides_logement.py`` whose formulas compute (``housing_module``). True when set from
    the cache."""
    if not enabled():
        return False
    if housing.zone_apl_by_depcom is not None:
        return False
    try:
        zones = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(zones, dict) and zones and all(
                isinstance(k, str) and type(v) is int for k, v in zones.items()):
            housing.zone_apl_by_depcom = zones
            return True
    except (OSError, ValueError):
        pass
    housing.preload_zone_apl()
    try:
        cache.write_text(json.dumps(housing.zone_apl_by_depcom), encoding="utf-8")
    except OSError:  # only slower next time
        log.warning("could not write the housing-aid zone cache")
    return False


def housing_module(tbs: Any) -> Any:
    """The module of ``aides_logement.py`` that ``tbs``'s formulas run in: openfisca-core
    loads each model file as a module of its own name (``add_variables_from_file``), not
    as ``openfisca_france.model.prestations.aides_logement``, so the zones must be set in
    the globals of the ``zone_apl`` formula itself."""
    return sys.modules[type(tbs.variables["zone_apl"]).__module__]


def _patch(cls: type, name: str, replacement: Any) -> Any:
    """Replace ``cls.name`` (put back by ``uninstall``); the original."""
    original = cls.__dict__[name]
    _originals.append((cls, name, original))
    setattr(cls, name, replacement)
    return original


def _memoise_period_arithmetic(instant: type, period: type) -> None:
    """Speed-up 3: bounded caches on the pure arithmetic of ``Instant`` and ``Period``."""
    _patch(instant, "offset", functools.lru_cache(maxsize=65536)(instant.__dict__["offset"]))
    _patch(period, "offset", functools.lru_cache(maxsize=65536)(period.__dict__["offset"]))
    for name in ("stop", "size_in_months", "size_in_days", "size_in_years", "last_3_months", "last_month",
                 "last_year", "n_2", "this_year", "first_month"):
        _patch(period, name, property(functools.lru_cache(maxsize=65536)(period.__dict__[name].fget)))
    original_subperiods = period.__dict__["get_subperiods"]
    subperiods = functools.lru_cache(maxsize=16384)(lambda self, unit: tuple(original_subperiods(self, unit)))

    def get_subperiods(self: Any, unit: Any) -> list[Any]:
        return list(subperiods(self, unit))  # a fresh list: callers may change it

    _patch(period, "get_subperiods", get_subperiods)


def _population_call(self: Any, variable_name: str, period: Any, options: Any = None) -> Any:
    """``CorePopulation.__call__``, answering at once a request, made inside a formula,
    for a value already in memory for exactly this period (see the module's text)."""
    if options is None and type(period) is _period_class() and self.simulation is not None:
        value = _known(self.simulation, self._holders.get(variable_name), period)
        if value is not None:
            return value
    return _state["original_call"](self, variable_name, period, options)


def _simulation_calculate(self: Any, variable_name: str, period: Any) -> Any:
    """``Simulation.calculate``, the same way (it also serves the months of a request
    with the ADD option)."""
    if type(period) is _period_class():
        variable = self.tax_benefit_system.variables.get(variable_name)
        if variable is not None:
            value = _known(self, self.populations[variable.entity.key]._holders.get(variable_name), period)
            if value is not None:
                return value
    return _state["original_calculate"](self, variable_name, period)


def _known(simulation: Any, holder: Any, period: Any) -> Any:
    """The holder's stored array for exactly ``period`` when the request comes from inside
    a formula under the plain tracer; else None (OpenFisca's own path answers)."""
    if holder is None or holder._eternal or holder.variable.is_neutralized:
        return None
    tracer: Any = simulation.tracer
    kind = type(tracer)
    if kind is not _simple_tracer_class() and kind is not _recorder_class():  # a full trace records every request
        return None
    if not tracer.stack:  # a request of Guichet's own code: OpenFisca's path (it purges)
        return None
    value = holder._memory_storage._arrays.get(period)
    if value is not None and kind is not _simple_tracer_class():  # the staleness recorder: who asked for what
        tracer.children[tracer.stack[-1]["name"]].add(holder.variable.name)
    return value


@functools.cache
def _period_class() -> Any:
    from openfisca_core.periods import Period

    return Period


@functools.cache
def _simple_tracer_class() -> Any:
    from openfisca_core.tracers import SimpleTracer

    return SimpleTracer


@functools.cache
def _recorder_class() -> Any:
    from app.core.openfisca.staleness import recorder_class

    return recorder_class()


def _vectorial() -> Any:
    from openfisca_core.parameters.vectorial_parameter_node_at_instant import VectorialParameterNodeAtInstant

    return VectorialParameterNodeAtInstant


def _build_from_node_name(node: Any, key: Any) -> Any:
    """``VectorialParameterNodeAtInstant.build_from_node_name``, one lookup per distinct key."""
    vectorial = _vectorial()
    if _checked.get(id(node)) is not node:
        vectorial.check_node_vectorisable(node)  # raises as OpenFisca does
        _checked[id(node)] = node
    keys = np.asarray(vectorial._get_appropriate_keys(key))
    if keys.dtype == object or keys.ndim != 1 or len(keys) == 0:  # Enum members, other shapes: OpenFisca's way
        get_subnode_key = vectorial._get_appropriate_subnode_function(keys[0])
        return vectorial.build_from_nodes(node, [node[get_subnode_key(node, k)] for k in keys])
    distinct, inverse = np.unique(keys, return_inverse=True)
    get_subnode_key = vectorial._get_appropriate_subnode_function(distinct[0])
    return _gathered(node, [node[get_subnode_key(node, k)] for k in distinct], inverse.reshape(-1))


def _gathered(node: Any, nodes: list[Any], inverse: np.ndarray) -> Any:
    """What ``build_from_nodes(node, [nodes[i] for i in inverse])`` returns."""
    from openfisca_core.parameters import ParameterNodeAtInstant

    if isinstance(nodes[0], ParameterNodeAtInstant):
        return _factored_class()(nodes, inverse, node._name, node._instant_str)
    return np.array(nodes)[inverse]


def _factored_class() -> type:
    if _factored:
        return _factored[0]
    from openfisca_core.indexed_enums import Enum, EnumArray

    class FactoredNode(_vectorial()):  # type: ignore[misc]
        """A ``VectorialParameterNodeAtInstant`` keeping each distinct node once and the
        element -> node index (``vector`` is still there, built on demand)."""

        def __init__(self, unique: list[Any], inverse: np.ndarray, name: str, instant_str: str) -> None:
            self._unique = unique
            self._inverse = inverse
            self._name = name
            self._instant_str = instant_str

        @property
        def vector(self) -> list[Any]:
            return [self._unique[i] for i in self._inverse]

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                return _gathered(self, [node[key] for node in self._unique], self._inverse)
            if isinstance(key[0], Enum):
                names = np.asarray([k.name for k in key])
            elif isinstance(key, EnumArray):
                names = np.asarray(key.possible_values.names)[np.asarray(key)]  # type: ignore[union-attr]
            else:
                names = np.asarray(key)
            distinct, key_inverse = np.unique(names, return_inverse=True)
            width = len(distinct)
            pairs, inverse = np.unique(self._inverse.astype(np.int64) * width + key_inverse.reshape(-1),
                                       return_inverse=True)
            nodes = [self._unique[int(c) // width][distinct[int(c) % width]] for c in pairs]
            return _gathered(self, nodes, inverse.reshape(-1))

    _factored.append(FactoredNode)
    return FactoredNode


# --------------------------------------------------------------------------- 6. parameter trees at an instant


def _lazy_node_at_instant(self: Any, instant: str) -> Any:
    """``ParameterNode._get_at_instant``: a ``ParameterNodeAtInstant`` whose children are
    built when first read (speed-up 6); OpenFisca's own node for a node with a child
    named like one of the class's own attributes (none in openfisca-france)."""
    if _has_clashing_child(self):
        from openfisca_core.parameters import ParameterNodeAtInstant

        return ParameterNodeAtInstant(self.name, self, instant)
    return _lazy_class()(self.name, self, instant)


@functools.cache
def _lazy_class() -> type:
    from openfisca_core.parameters import ParameterNodeAtInstant

    class LazyParameterNodeAtInstant(ParameterNodeAtInstant):
        """``ParameterNodeAtInstant(name, node, instant_str)``: the same children, each one
        built by the same ``child._get_at_instant(instant_str)`` call and set as the same
        attribute, but when first read (as an attribute, an item, or through ``_children``:
        then every child, in the node's order, those already read kept)."""

        def __init__(self, name: str, node: Any, instant_str: str) -> None:
            self._name = name
            self._instant_str = instant_str
            self._node = node
            self._all: dict[str, Any] | None = None

        @property
        def _children(self) -> dict[str, Any]:
            children = self._all
            if children is None:
                children = {}
                for child_name in self._node.children:
                    child = self._read(child_name)
                    if child is not None:
                        children[child_name] = child
                self._all = children
            return children

        def _read(self, key: str) -> Any:
            """The child ``key`` at this instant (built once), None when it has none."""
            own = self.__dict__
            child = own["_node"].children.get(key)
            if child is None:
                return None
            value = own.get(key)
            if value is None:
                value = child._get_at_instant(own["_instant_str"])
                if value is not None:
                    own[key] = value  # as ``add_child``'s setattr
            return value

        def __getattr__(self, key: str) -> Any:
            if "_node" in self.__dict__:
                value = self._read(key)
                if value is not None:
                    return value
            return super().__getattr__(key)  # ParameterNotFoundError, as OpenFisca raises

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                value = self._read(key)
                if value is not None:
                    return value
            return super().__getitem__(key)  # fancy indexing, or OpenFisca's own error

    return LazyParameterNodeAtInstant


_clashes: dict[int, tuple[Any, bool]] = {}  # id(node) -> (node, clashes), the node kept alive


def _has_clashing_child(node: Any) -> bool:
    known = _clashes.get(id(node))
    if known is None or known[0] is not node:
        lazy = _lazy_class()
        reserved = set(dir(lazy)) | {"_name", "_instant_str", "_node", "_all"}
        known = (node, any(not isinstance(name, str) or name in reserved for name in node.children))
        _clashes[id(node)] = known
    return known[1]
