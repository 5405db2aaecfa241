"""Computing a household: the one entry point, and what is computed from it.

``engine`` (``Engine.compute`` / ``compute_many``: the GUI's engine process, the CLI and
the screener all call it; gates, every catalogue benefit in order, local aids after),
``explain`` (why / why not, from the household's own simulation), ``scenarios`` (what if,
earnings curves), ``trace_export`` (the full OpenFisca trace of one benefit).

May import: every layer below (``base`` .. ``io``).
"""
