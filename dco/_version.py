"""The package version: hatch reads it here, and `dco.__version__` reports it."""

__version__ = "0.1.0"
