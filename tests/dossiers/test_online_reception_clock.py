"""An online dossier awaiting reception has its own clock (decisions/0029): the reception time
limit, MOTCUA_ONLINE_RECEPTION_HOURS working hours from submission, counted in office hours
of working days by the one warning rule (`deadlines.assess`). The counter's worklist shows its
age and flags it before and after the limit; managers see the counts; only the one-stop's
roles may receive or refuse it, and the refusal is Mẫu 03."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from motcua.dossiers import deadlines, selectors, services
from motcua.dossiers.models import DossierDocument, Status

from .factories import VN, applicant, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eight_hours(settings):
    settings.MOTCUA_ONLINE_RECEPTION_HOURS = 8  # the default, stated: the tests count on it


def online(world, when):
    return services.submit_online(
        None,
        procedure=world.procedure,
        receiving_unit=world.commune,
        applicant=applicant(),
        at=when,
    )


def judge(dossier, now):
    return deadlines.assess(
        now=now,
        status=dossier.status,
        due_at=dossier.due_at_current,
        received_at=None,
        unit=dossier.receiving_unit_id,
        submitted_at=dossier.submitted_at,
    )


def local(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=VN)


def test_fresh_online_dossier_is_waiting_not_flagged(world):
    d = online(world, local(2026, 11, 17, 9))  # Tuesday 09:00
    w = judge(d, local(2026, 11, 17, 12))  # 2.5 office hours later
    assert w.about == "reception" and not w.overdue and not w.due_soon
    assert w.waited_hours == Decimal("2.5")


def test_flagged_before_the_limit_when_less_than_half_is_left(world):
    d = online(world, local(2026, 11, 17, 9))
    # Tue 09:00-11:30 and 13:30-17:00 = 6 h, Wed 07:30-08:30 = 1 h: 7 h waited, 1 h left
    w = judge(d, local(2026, 11, 18, 8, 30))
    assert w.due_soon and not w.overdue
    assert w.waited_hours == Decimal("7.0")
    # 09:00-11:30 + 13:30-15:00 = 4 h waited, 4 h left: exactly half left is not "soon" yet
    assert not judge(d, local(2026, 11, 17, 15)).due_soon
    assert judge(d, local(2026, 11, 17, 15, 1)).due_soon


def test_over_the_limit_once_eight_office_hours_have_passed(world):
    d = online(world, local(2026, 11, 17, 9))
    assert not judge(d, local(2026, 11, 18, 9, 29)).overdue
    w = judge(d, local(2026, 11, 18, 9, 30))
    assert w.overdue and w.about == "reception" and w.left_days == 0


def test_the_weekend_does_not_count(world):
    d = online(world, local(2026, 11, 20, 15))  # Friday 15:00: 2 office hours that day
    saturday_night = judge(d, local(2026, 11, 21, 22))
    assert saturday_night.waited_hours == Decimal("2.0") and not saturday_night.due_soon
    # Monday: 07:30-11:30 = 4 h -> 6 h waited, 2 h left
    monday_noon = judge(d, local(2026, 11, 23, 12))
    assert monday_noon.due_soon and not monday_noon.overdue
    assert judge(d, local(2026, 11, 23, 15, 30)).overdue  # 2 + 4 + 2


def test_a_holiday_does_not_count(world):
    # Monday 23/11 15:00 (2 h); Tuesday 24/11/2026 is Ngày Văn hóa Việt Nam, a day off
    d = online(world, local(2026, 11, 23, 15))
    assert judge(d, local(2026, 11, 24, 16)).waited_hours == Decimal("2.0")
    wednesday = judge(d, local(2026, 11, 25, 11))  # + 3.5 h
    assert wednesday.waited_hours == Decimal("5.5") and wednesday.due_soon
    assert not wednesday.overdue


def test_submitted_out_of_hours_starts_counting_at_the_next_opening(world):
    d = online(world, local(2026, 12, 6, 22))  # Sunday 22:00
    assert judge(d, local(2026, 12, 7, 7, 30)).waited_hours == Decimal("0.0")
    assert judge(d, local(2026, 12, 7, 15, 30)).waited_hours == Decimal("6.0")


def test_the_limit_is_a_setting(world, settings):
    settings.MOTCUA_ONLINE_RECEPTION_HOURS = 4
    d = online(world, local(2026, 11, 17, 9))
    assert not judge(d, local(2026, 11, 17, 14, 59)).overdue
    assert judge(d, local(2026, 11, 17, 15)).overdue  # 2.5 + 1.5 = 4 h
    settings.MOTCUA_ONLINE_RECEPTION_HOURS = 16
    assert not judge(d, local(2026, 11, 17, 17)).due_soon  # 6 h of 16: 10 h left


def test_received_or_in_processing_dossiers_keep_the_other_clock(world):
    d = online(world, local(2026, 11, 17, 9))
    d = services.accept_online(world.officer, dossier_id=d.pk, at=local(2026, 11, 17, 10))
    w = judge(d, local(2026, 11, 18, 10))
    assert w.about != "reception" and w.waited_days is None


# --- the counter's worklist -------------------------------------------------------------


def test_worklist_shows_age_and_flags_with_counts_for_managers(world, client, clock):
    clock.set(local(2026, 11, 18, 8, 30))
    fresh = online(world, local(2026, 11, 18, 8))
    soon = online(world, local(2026, 11, 17, 9))  # 7 h waited
    late = online(world, local(2026, 11, 16, 9))  # long over
    client.force_login(world.manager)
    page = client.get(reverse("dossiers:worklist"), {"tab": "awaiting_reception"})
    assert page.status_code == 200
    html = page.content.decode()
    # the longest waiting first
    assert html.index(late.code) < html.index(soon.code) < html.index(fresh.code)
    assert "Quá hạn tiếp nhận" in html and "Sắp quá hạn tiếp nhận" in html
    assert 'data-testid="reception-overdue-count">1 hồ sơ quá hạn tiếp nhận' in html
    assert 'data-testid="reception-soon-count">1 hồ sơ sắp quá hạn tiếp nhận' in html
    assert "đã chờ 0,5 giờ làm việc" in html and "đã chờ 7,0 giờ làm việc" in html
    assert "trong 8 giờ làm việc" in html
    # the row opens the counter's page, where it is received or refused
    assert reverse("dossiers:counter_dossier", args=[late.pk]) in html
    counts = selectors.worklist_counts(world.manager, now=clock())
    assert counts["reception_overdue"] == 1 and counts["reception_due_soon"] == 1


def test_another_units_online_dossiers_are_not_counted(world, clock):
    clock.set(local(2026, 11, 18, 16))
    online(world, local(2026, 11, 16, 9))
    counts = selectors.worklist_counts(world.other_officer, now=clock())
    assert counts["awaiting_reception"] == 0 and counts["reception_overdue"] == 0


def test_counter_page_shows_the_reception_clock(world, client, clock):
    clock.set(local(2026, 11, 18, 8, 30))
    d = online(world, local(2026, 11, 17, 9))
    client.force_login(world.officer)
    html = client.get(reverse("dossiers:counter_dossier", args=[d.pk])).content.decode()
    assert 'data-testid="reception-clock"' in html and "Sắp quá hạn tiếp nhận" in html
    assert "Tiếp nhận hồ sơ trực tuyến" in html and "Từ chối tiếp nhận" in html


# --- who may receive or refuse --------------------------------------------------------------


def test_counter_officer_receives_and_the_clock_starts(world, client):
    d = online(world, at(2026, 11, 17, 9))
    client.force_login(world.officer)
    response = client.post(reverse("dossiers:counter_accept", args=[d.pk]))
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.due_at is not None


def test_counter_officer_refuses_with_the_refusal_slip(world, client):
    d = online(world, at(2026, 11, 17, 9))
    client.force_login(world.officer)
    response = client.post(
        reverse("dossiers:counter_refuse", args=[d.pk]),
        {"reason": "Không thuộc thẩm quyền của xã", "version": d.version},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.REFUSED
    assert d.documents.filter(kind=DossierDocument.Kind.REFUSAL_LETTER).count() == 1


@pytest.mark.parametrize("who", ["specialist", "leader", "other_officer"])
def test_others_posting_accept_or_refuse_are_refused(world, client, who):
    d = online(world, at(2026, 11, 17, 9))
    client.force_login(getattr(world, who))
    accept = client.post(reverse("dossiers:counter_accept", args=[d.pk]))
    refuse = client.post(
        reverse("dossiers:counter_refuse", args=[d.pk]), {"reason": "x", "version": d.version}
    )
    assert accept.status_code in (403, 404) and refuse.status_code in (403, 404)
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and not d.documents.exists()


def test_the_service_refuses_a_specialist_too(world):
    from django.core.exceptions import PermissionDenied

    d = online(world, at(2026, 11, 17, 9))
    with pytest.raises(PermissionDenied):
        services.accept_online(world.specialist, dossier_id=d.pk)
    with pytest.raises(PermissionDenied):
        services.refuse_with_letter(world.specialist, dossier_id=d.pk, reason="x")


def test_the_dossier_page_offers_no_accept_to_a_specialist(world, client):
    d = online(world, at(2026, 11, 17, 9))
    client.force_login(world.specialist)
    page = client.get(reverse("dossiers:dossier_detail", args=[d.pk]))
    html = page.content.decode()
    assert reverse("dossiers:counter_accept", args=[d.pk]) not in html
    assert reverse("dossiers:counter_refuse", args=[d.pk]) not in html
