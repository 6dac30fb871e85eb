"""Pnyx: run a participatory convention end to end."""

__version__ = "0.1.0"
