"""The short charter of the tests (imported by conftest and the importer's tests)."""

SOURCE = """# Charte des groupes d'action

## Principes

Les groupes d'action agissent localement.

Chaque groupe est ouvert à toutes et à tous.

## Fonctionnement

Un groupe se réunit au moins une fois par mois.

Les décisions sont prises au consensus.
"""
