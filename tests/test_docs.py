"""The examples in the README and in docstrings run and print what they say."""

import doctest

import pytest

import dco
import dco.brand
import dco.funnel.classifier
import dco.i18n
import dco.serving.context
import dco.text.distance
import dco.text.units
import dco.tuning.stats
from tests.conftest import REPO


def test_readme_examples():
    failures, tried = doctest.testfile(
        str(REPO / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert tried > 0
    assert failures == 0


MODULES = [
    dco,
    dco.brand,
    dco.text.units,
    dco.funnel.classifier,
    dco.i18n,
    dco.text.distance,
    dco.tuning.stats,
    dco.serving.context,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module)
    assert tried > 0
    assert failures == 0
