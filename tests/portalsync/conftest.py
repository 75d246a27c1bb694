"""National portal sync tests: the dossier world, and the simulated portal over real HTTP."""

import pytest

from tests.dossiers.conftest import _media_in_tmp, shipped_calendar, world  # noqa: F401
from tests.registry.conftest import communes, people, vinh_bao  # noqa: F401

TOKEN = "khoa-truy-cap-cong-dvcqg-kiem-thu"


@pytest.fixture
def portal(settings, live_server):
    """The simulated portal mounted and served by a real HTTP server (pytest-django's)."""
    settings.ROOT_URLCONF = "tests.portalsync.urls_with_receiver"
    settings.MOTCUA_DVCQG_URL = f"{live_server.url}/gia-lap/dvcqg/api"
    settings.MOTCUA_DVCQG_TOKEN = settings.MOTCUA_DVCQGSIM_TOKEN = TOKEN
    settings.MOTCUA_DVCQG_TIMEOUT = 2
    return live_server
