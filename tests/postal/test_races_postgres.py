"""On PostgreSQL: eight clicks of "hand over to the post" at once on one dossier book one
consignment at the post and record one on the dossier; the same delivered update sent by eight
threads at once returns the result once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from motcua.dossiers.models import DossierEvent
from motcua.postal import services
from motcua.postal.models import Consignment, ConsignmentEvent
from motcua.postsim.models import SimulatedConsignment
from motcua.postsim.views import send_update

from .conftest import ADDRESS, ready_by_post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_clicks_at_once_book_one_consignment_and_one_delivery_returns_once(world, post):
    dossier = ready_by_post(world)

    def click(_n):
        try:
            return services.hand_over(world.officer, dossier_id=dossier.pk, address=ADDRESS).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(click, range(8)))
    assert len(ids) == 1 and Consignment.objects.count() == 1
    assert SimulatedConsignment.objects.count() == 1
    assert ConsignmentEvent.objects.filter(status="booked").count() == 1
    tracking = Consignment.objects.get().tracking_number

    def deliver(_n):
        try:
            return send_update(tracking, "da-phat", message_id="phat-1").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(deliver, range(8)))
    assert codes == [200] + [400] * 7
    assert DossierEvent.objects.filter(dossier=dossier, action="return_result").count() == 1
