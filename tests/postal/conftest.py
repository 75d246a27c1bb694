"""Postal tests build on the dossier tests' world; the post simulator served over real HTTP."""

import pytest

from tests.dossiers.conftest import _media_in_tmp, shipped_calendar, world  # noqa: F401
from tests.filing.conftest import fw  # noqa: F401

SECRET = "bi-mat-buu-chinh-kiem-thu"
ADDRESS = "Số 12 thôn Đông, xã An Hưng, thành phố Hải Phòng"


@pytest.fixture
def post(settings, live_server):
    """The simulated post mounted and served by a real HTTP server, posting back to it."""
    settings.ROOT_URLCONF = "tests.postal.urls_with_simulator"
    settings.MOTCUA_POST_URL = f"{live_server.url}/gia-lap/buu-chinh/api"
    settings.MOTCUA_POST_SECRET = settings.MOTCUA_POSTSIM_SECRET = SECRET
    settings.MOTCUA_POST_CALLBACK_URL = f"{live_server.url}/api/buu-chinh/trang-thai"
    settings.MOTCUA_POST_TIMEOUT = 3
    return live_server


def ready_by_post(w, address: str = ADDRESS):
    """A dossier of the world's commune whose applicant asked for the result by post, ready."""
    from motcua.dossiers import services
    from tests.dossiers.factories import applicant, attach, finish_all_steps, receive

    d = receive(w, applicant=applicant(address=address), result_delivery="post")
    services.start_processing(w.officer, dossier_id=d.pk, assignee=w.specialist)
    finish_all_steps(w, d)
    services.submit_for_approval(w.specialist, dossier_id=d.pk)
    services.approve(w.leader, dossier_id=d.pk)
    attach(w, d, "result", signed=True)
    return services.mark_result_ready(w.specialist, dossier_id=d.pk)
