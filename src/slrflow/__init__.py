"""slrflow: a reproducible workflow for systematic literature reviews."""

__version__ = "0.1.0"
