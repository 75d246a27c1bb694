"""Under real concurrency on PostgreSQL: the phone and the tablet rating at once count once."""

import pytest

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEvent
from motcua.feedback import services
from motcua.feedback.models import Channel, Level, Rating
from tests.queueing.test_queue_concurrency_postgres import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_simultaneous_ratings_of_one_ticket_store_one_and_answer_it_to_all(serve):
    ticket = serve("A")
    levels = [Level.VERY_SATISFIED, Level.SATISFIED] * 4

    def job(i):
        channel = Channel.PHONE if i % 2 else Channel.COUNTER_TABLET
        rated = services.rate_ticket(ticket=ticket, level=levels[i], channel=channel)
        return rated.rating.pk, rated.created

    results = run_together(8, job)

    assert len({pk for pk, _created in results}) == 1
    assert sum(created for _pk, created in results) == 1
    assert Rating.objects.count() == 1
    assert AuditEvent.objects.filter(action="feedback.rate").count() == 1
    assert verify_chain().ok
