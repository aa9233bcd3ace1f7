"""reeflow: rare-earth projects from drillholes to separated oxides to an investment case."""

__version__ = "0.1.0"
