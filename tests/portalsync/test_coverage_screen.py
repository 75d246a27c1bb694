"""Sync coverage, "synced on time" for the service index, lag p95, and the dead-letter list with
its retry button: what a leader and a manager see of their own unit, and what they may not do."""

import datetime as dt
from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.core.models import AuditEvent
from motcua.portalsync import selectors
from motcua.portalsync.models import PortalMessage
from tests.dossiers.factories import make_staff, receive

pytestmark = pytest.mark.django_db
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
URL = reverse("portalsync:coverage")


def four_dossiers(world, base):
    """In the commune: A accepted after 1 min, B accepted 30 h after its change (late), C still
    pending 25 h after its change (late, not synced), D dead. In the other commune: one more."""
    a, b, c, d = (receive(world, base + dt.timedelta(minutes=i)) for i in range(4))
    for dossier, minutes, state in ((a, 1, "sent"), (b, 30 * 60, "sent"), (d, None, "dead")):
        m = PortalMessage.objects.get(dossier=dossier)
        m.state = state
        if minutes is not None:
            m.accepted_at = m.changed_at + dt.timedelta(minutes=minutes)
            m.lag = dt.timedelta(minutes=minutes)
        else:
            m.last_error = "refused: E05: Mã hồ sơ không đúng định dạng mã định danh cơ quan"
        m.save()
    receive(replace(world, officer=world.other_officer), base, receiving_unit=world.other)
    return a, b, c, d


def test_synced_on_time_counts_for_the_index(world):
    base = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    four_dossiers(world, base)
    now = base + dt.timedelta(hours=40)
    # 4 dossiers of the commune; on time: A only (B accepted after 24 h, C still out after
    # 24 h, D dead): 1 / 4 = 25 %
    total, on_time = selectors.synced_on_time(
        [world.commune.pk], start=base, end=base + dt.timedelta(days=1), now=now
    )
    assert (total, on_time) == (4, 1)
    # the same morning, before any 24 h ran out, C is not yet late but not yet synced either
    assert selectors.synced_on_time(
        [world.commune.pk], start=base, end=base + dt.timedelta(days=1), now=base
    ) == (4, 1)


def test_coverage_and_lag_per_unit(world):
    base = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    four_dossiers(world, base)
    rows = selectors.coverage(
        world.manager, start=base, end=base + dt.timedelta(days=3), now=base + dt.timedelta(days=2)
    )
    [row] = rows  # the other commune is not the manager's
    assert (row.dossiers, row.synced, row.on_time, row.pending, row.dead) == (4, 2, 1, 1, 1)
    assert row.coverage == 50.0  # A and B synced of 4
    # lags 1 min and 30 h: the p95 (nearest rank of 2 values) is the larger
    assert row.lag_p95_ms == 30 * 3_600_000
    assert selectors.p95(list(range(1, 101))) == 95


def test_the_manager_sees_the_unit_and_retries_a_dead_letter(world, client):
    base = timezone.now() - dt.timedelta(hours=30)
    _a, _b, _c, d = four_dossiers(world, base)
    client.force_login(world.manager, backend=MODEL_BACKEND)
    page = client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert "50,0%" in text or "50.0%" in text
    assert d.code in text and "Mã hồ sơ không đúng định dạng" in text
    dead = PortalMessage.objects.get(dossier=d)
    answer = client.post(reverse("portalsync:retry", args=[dead.pk]))
    assert answer.status_code == 302
    dead.refresh_from_db()
    assert dead.state == "pending" and dead.attempts == 0
    assert AuditEvent.objects.filter(action="portal_message.retry").count() == 1
    again = client.post(reverse("portalsync:retry", args=[dead.pk]), follow=True)
    assert "không ở danh sách lỗi" in again.content.decode()


def test_a_leader_sees_but_has_no_retry_button_and_a_post_is_refused(world, client):
    base = timezone.now() - dt.timedelta(hours=30)
    d = four_dossiers(world, base)[3]
    client.force_login(world.leader, backend=MODEL_BACKEND)
    text = client.get(URL).content.decode()
    assert d.code in text and "Gửi lại" not in text
    dead = PortalMessage.objects.get(dossier=d)
    assert client.post(reverse("portalsync:retry", args=[dead.pk])).status_code == 403
    dead.refresh_from_db()
    assert dead.state == "dead"


def test_another_units_manager_sees_none_of_it_and_cannot_retry_it(world, client):
    base = timezone.now() - dt.timedelta(hours=30)
    d = four_dossiers(world, base)[3]
    stranger = make_staff((Role.MANAGER, world.other), name="Quản Lý Khác")
    client.force_login(stranger, backend=MODEL_BACKEND)
    text = client.get(URL).content.decode()
    assert d.code not in text and world.commune.name not in text.split("<h1>")[1]
    dead = PortalMessage.objects.get(dossier=d)
    assert client.post(reverse("portalsync:retry", args=[dead.pk])).status_code == 404
    dead.refresh_from_db()
    assert dead.state == "dead"


def test_a_specialist_is_refused_the_screen(world, client):
    client.force_login(world.specialist, backend=MODEL_BACKEND)
    assert client.get(URL).status_code == 403


def test_an_empty_unit_says_so(world, client):
    client.force_login(world.manager, backend=MODEL_BACKEND)
    text = client.get(URL + "?ky=abc").content.decode()
    assert "Chưa có hồ sơ nào" in text and "Không có tin nhắn nào bị lỗi" in text
