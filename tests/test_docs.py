"""The examples in the README and in docstrings run and print what they say."""

import doctest

import pytest

import dco
import dco.brand
import dco.context
import dco.editdistance
import dco.funnel
import dco.stats
import dco.text
from tests.conftest import REPO


def test_readme_examples():
    failures, tried = doctest.testfile(
        str(REPO / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert tried > 0
    assert failures == 0


MODULES = [dco, dco.brand, dco.text, dco.funnel, dco.editdistance, dco.stats, dco.context]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module)
    assert tried > 0
    assert failures == 0
