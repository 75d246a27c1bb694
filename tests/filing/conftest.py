import pytest

from tests.citizens.conftest import devidp, rp  # noqa: F401 (the identity provider fixtures)

from .factories import make_filing_world


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fw(db):
    return make_filing_world()
