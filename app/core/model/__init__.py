"""The household as the agent declares it, in the agent's words, and its checks.

``household`` (frozen dataclasses crossing every layer), ``periods`` (month arithmetic),
``communes`` (offline INSEE/postal lookup), ``birth`` (the household of the prime à la
naissance, with its expected child), ``sought_home`` (the household of the Visale guarantee,
in the home it is about to rent), ``validation`` (every problem at once, in
French), ``examples`` (the example cases and the warm-up household).

May import: ``base``. Knows nothing of OpenFisca nor of the catalogue.
"""
