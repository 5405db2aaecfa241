"""Two speed-ups of openfisca-core 44's framework code, with identical values.

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

``tests/core/test_openfisca_speedups.py`` compares every amount of varied households and
of an earnings curve with and without them. They only install on the openfisca-core
major version they were written for; any other version keeps OpenFisca's own code.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

SUPPORTED_CORE_MAJOR = "44"

_state: dict[str, Any] = {"installed": False, "original": None, "original_call": None, "original_calculate": None}
_checked: dict[int, Any] = {}  # id(node) -> node, kept alive so that the id stays its own
_factored: list[type] = []


def installed() -> bool:
    return bool(_state["installed"])


def install() -> bool:
    """Patch ``VectorialParameterNodeAtInstant`` (idempotent); False when not applied."""
    if _state["installed"]:
        return True
    try:
        from importlib import metadata

        version = metadata.version("openfisca-core")
        from openfisca_core.parameters.vectorial_parameter_node_at_instant import VectorialParameterNodeAtInstant
    except Exception:  # noqa: BLE001 - no speed-up: OpenFisca's own code runs
        return False
    if version.split(".")[0] != SUPPORTED_CORE_MAJOR:
        log.info("openfisca-core %s: the parameter speed-up is not installed", version)
        return False
    from openfisca_core.populations import CorePopulation
    from openfisca_core.simulations import Simulation

    _state["original"] = VectorialParameterNodeAtInstant.__dict__["build_from_node_name"]
    _state["original_call"] = CorePopulation.__dict__["__call__"]
    _state["original_calculate"] = Simulation.__dict__["calculate"]
    VectorialParameterNodeAtInstant.build_from_node_name = staticmethod(_build_from_node_name)
    CorePopulation.__call__ = _population_call
    Simulation.calculate = _simulation_calculate
    _state["installed"] = True
    return True


def uninstall() -> None:
    """OpenFisca's own method back (the tests compare both)."""
    if not _state["installed"]:
        return
    from openfisca_core.parameters.vectorial_parameter_node_at_instant import VectorialParameterNodeAtInstant
    from openfisca_core.populations import CorePopulation
    from openfisca_core.simulations import Simulation

    VectorialParameterNodeAtInstant.build_from_node_name = _state["original"]
    CorePopulation.__call__ = _state["original_call"]
    Simulation.calculate = _state["original_calculate"]
    _state["installed"] = False


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
    from app.core.staleness import recorder_class

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
