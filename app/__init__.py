"""Guichet: offline eligibility simulator for French front-desk agents."""

__version__ = "0.1.0"
