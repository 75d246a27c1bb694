"""On PostgreSQL, a phone that sends the same form four times at once (a double tap on 3G, a
retry) answers a supplement once and rates a dossier once: the dossier's row lock and version
refuse the others, and the rating's one-per-dossier rule returns the first rating."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.citizens import services
from motcua.core import calendar
from motcua.documents.uploads import Upload
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, Status
from motcua.dossiers.workflow import IllegalTransition
from motcua.feedback.models import Rating
from tests.dossiers.factories import make_world

from .myspace import LAN_ID, citizen, drive, photo

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TAPS = 4


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield make_world()
    calendar.clear_cache()


def at_once(fn) -> list:
    barrier = threading.Barrier(TAPS)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(fn())
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(TAPS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_four_identical_supplement_answers_at_once_count_once(world, settings):
    lan = citizen(LAN_ID)
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    picture = photo(size=(300, 400))

    def answer():
        services.answer_supplement(
            lan,
            dossier_id=d.pk,
            files=[Upload("giay.jpg", picture)],
            expected_version=d.version,
        )
        return "ok"

    outcomes = at_once(answer)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (TAPS - 1)
    assert DossierEvent.objects.filter(dossier=d, action="resubmit_supplement").count() == 1
    assert DossierComponent.objects.filter(dossier=d, digitized=True).count() == 1
    assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSING
    # the refused ones were refused under the lock before their file was written: no orphans
    from pathlib import Path

    assert len(list(Path(settings.MEDIA_ROOT).rglob("bo-sung-*.pdf"))) == 1


def test_four_ratings_at_once_make_one(world):
    lan = citizen(LAN_ID)
    d = drive(world, Status.RETURNED)
    outcomes = at_once(lambda: services.rate(lan, dossier_id=d.pk, level="very_satisfied").created)
    assert sorted(outcomes) == [False] * (TAPS - 1) + [True]
    assert Rating.objects.filter(dossier=d).count() == 1
