"""The citizen's handout (A4 PDF) and the agent's copy (reportlab).

``build`` (``build_handout``, ``build_agent_copy``: the entry points), ``citizen`` (the
service point, options, the shared context and the citizen's long handout), ``short``
(the two-page handout, by default), ``agent`` (the agent's copy), ``extras`` (comparison
of scenarios, earnings curve), ``layout`` (fonts, styles, pages, QR codes),
``service_point`` (checks of the service point, light: no reportlab), ``examples``
(invented households for tests, bench and renders).

May import: every layer below (``base`` .. ``compute``); not ``batch`` nor ``store``.
"""
