"""Shared foundations: errors, units, element data and provenance.

Every other package may import from ``reeflow.core``; ``reeflow.core`` imports no sibling.
"""
