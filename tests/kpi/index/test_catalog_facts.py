"""The catalog records the facts the index's publicity and payment groups count, where they
happen, audited like every other change of a procedure."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.catalog import services
from motcua.core.models import AuditEvent

from . import factories as f

pytestmark = pytest.mark.django_db


def test_publishing_a_procedure_records_the_day_and_every_fact_change_is_audited(monkeypatch):
    place = f.make_place()
    procedure = f.make_procedure(place, "1.004873", published=False)
    assert procedure.published_on is None
    procedure.is_published = True
    procedure.announced_on = dt.date(2026, 11, 2)
    procedure.announce_by = dt.date(2026, 11, 5)
    monkeypatch.setattr(timezone, "now", lambda: f.at(2026, 11, 3, 9))
    services.save_procedure(procedure=procedure, actor=None)
    procedure.refresh_from_db()
    assert procedure.published_on == dt.date(2026, 11, 3)
    event = AuditEvent.objects.filter(action="catalog.procedure.updated").latest("id")
    changed = str(event.changes)
    assert "announced_on" in changed and "2026-11-02" in changed
    assert "published_on" in changed

    procedure.published_on = dt.date(2026, 11, 4)
    monkeypatch.setattr(timezone, "now", lambda: f.at(2026, 11, 20, 9))
    services.save_procedure(procedure=procedure, actor=None)
    procedure.refresh_from_db()
    assert procedure.published_on == dt.date(2026, 11, 4)  # an explicit date is kept
