import copy
import datetime as dt

import pytest

from motcua.eforms.data import read_declarations
from motcua.eforms.views import sample_sources

TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def declarations() -> dict[str, dict]:
    return {r["procedure_code"]: copy.deepcopy(r) for r in read_declarations()}


@pytest.fixture
def birth(declarations) -> dict:
    return declarations["1.001193"]["definition"]


@pytest.fixture
def mother_sources() -> dict:
    """A signed-in mother: identity claims from VNeID, registry person with spouse/household."""
    return sample_sources()
