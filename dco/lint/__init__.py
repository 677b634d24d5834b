"""Check: `dco lint`, copy files held to a brand's guidelines, reported for people and machines."""

from dco.lint.files import LintResult, Located, lint

__all__ = ["LintResult", "Located", "lint"]
