"""Check: `dco lint`, copy files held to a brand's guidelines, reported for people and machines."""

from dco.lint.files import lint
from dco.lint.results import LintResult, Located

__all__ = ["LintResult", "Located", "lint"]
