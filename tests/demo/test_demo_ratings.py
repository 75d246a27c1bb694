"""`load_demo` leaves the demo commune's served tickets rated the way citizens rate them.

About six in ten citizens served answer the tablet or their phone; most are very satisfied, a
few are not and say why. The leader's statistics page then shows a satisfaction figure for the
demo commune. The queue's clock is pinned to a Tuesday morning, as in test_demo_queue.
"""

import datetime as dt
import io
from collections import Counter as Tally
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.core.management import call_command
from django.test import override_settings

from motcua.accounts.models import User
from motcua.core.models import AuditEvent, Counter, Unit
from motcua.demo import ratings as demo_ratings
from motcua.demo.management.commands import load_demo as load_demo_command
from motcua.feedback.models import Channel, Level, Rating, Reason
from motcua.queueing import services as queue_services
from motcua.queueing.models import Service, Ticket

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 11, 17)  # a plain Tuesday
TUESDAY_9AM = dt.datetime(2026, 11, 17, 9, 0, tzinfo=HCM)
MONDAY_9AM = dt.datetime(2026, 11, 16, 9, 0, tzinfo=HCM)
DEMO_COMMUNE = "11824"  # Xã Vĩnh Bảo
SECOND_COMMUNE = "11836"  # Xã Vĩnh Thịnh
STATISTICS = "/can-bo/hang-doi/thong-ke/"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def queue_clock(monkeypatch):
    monkeypatch.setattr(queue_services, "now", lambda: TUESDAY_9AM)
    return TUESDAY_9AM


def load_demo() -> str:
    out = io.StringIO()
    call_command(load_demo_command.Command(), stdout=out)
    return out.getvalue()


def served_history(unit_code: str = DEMO_COMMUNE):
    return Ticket.objects.filter(
        unit__code=unit_code, day__lt=TODAY, status=Ticket.Status.DONE
    ).select_related("rating")


def snapshot() -> list[tuple]:
    return list(
        Rating.objects.order_by("ticket__day", "ticket__code").values_list(
            "ticket__day", "ticket__code", "level", "reason", "comment", "channel", "created_at"
        )
    )


def test_six_in_ten_served_citizens_rated_most_very_satisfied_and_the_unhappy_say_why():
    output = load_demo()

    served = list(served_history())
    rated = [t.rating for t in served if hasattr(t, "rating")]
    share = len(rated) / len(served)
    assert 0.55 <= share <= 0.65, share
    levels = Tally(r.level for r in rated)
    assert 0.62 <= levels[Level.VERY_SATISFIED] / len(rated) <= 0.78, levels
    assert 0.18 <= levels[Level.SATISFIED] / len(rated) <= 0.32, levels
    assert 0.02 <= levels[Level.NOT_SATISFIED] / len(rated) <= 0.09, levels

    unhappy = [r for r in rated if r.level == Level.NOT_SATISFIED]
    assert all(r.reason in Reason.values for r in unhappy)
    assert all(r.comment for r in unhappy if r.reason == Reason.OTHER)
    assert not any(r.reason for r in rated if r.level != Level.NOT_SATISFIED)
    # long waits are what the unhappy complain about most
    assert Tally(r.reason for r in unhappy).most_common(1)[0][0] == Reason.LONG_WAIT
    assert {r.channel for r in rated} >= {Channel.COUNTER_TABLET, Channel.PHONE}

    # each rating counts for the counter, officer and service that served the ticket, and
    # was given after the ticket was finished
    by_ticket = {t.pk: t for t in served}
    for r in rated:
        ticket = by_ticket[r.ticket_id]
        assert (r.unit_id, r.counter_id, r.officer_id, r.service_id) == (
            ticket.unit_id,
            ticket.counter_id,
            ticket.served_by_id,
            ticket.service_id,
        )
        assert ticket.finished_at < r.created_at < ticket.finished_at + dt.timedelta(hours=4)
    assert not Rating.objects.filter(ticket__status=Ticket.Status.NO_SHOW).exists()
    assert Rating.objects.filter(unit__code=SECOND_COMMUNE).exists()
    assert f"Đánh giá hài lòng Xã Vĩnh Bảo: {len(rated)}/{len(served)} lượt đã phục vụ" in output


def test_the_leader_of_the_demo_commune_sees_a_satisfaction_figure_on_the_statistics_page(
    client,
):
    load_demo()
    commune = Unit.objects.get(code=DEMO_COMMUNE)
    leader = User.objects.get(username="vb.lanhdao")
    client.force_login(leader, backend=MODEL_BACKEND)

    answer = client.get(STATISTICS)

    assert answer.status_code == 200
    page = lxml.html.fromstring(answer.content.decode())
    figure = page.xpath('//*[@data-testid="total-satisfied"]')[0]
    rated = Rating.objects.filter(unit=commune)
    satisfied = rated.exclude(level=Level.NOT_SATISFIED).count() / rated.count()
    percent = f"{round(satisfied * 100, 1):.1f}".replace(".", ",")  # 94,8 in Vietnamese
    assert figure.text_content().strip() == f"{percent}%"
    assert f"{rated.count()} lượt đánh giá" in figure.getparent().text_content()
    assert 90 <= satisfied * 100 < 99
    # the counters with an officer show their own satisfaction
    by_counter = page.xpath('//table[@data-testid="by-counter"]/tbody/tr')
    first = " ".join(by_counter[0].text_content().split())
    counter_1 = Counter.objects.get(unit=commune, number=1)
    assert first.startswith(f"Quầy 1: {counter_1.name}")
    assert "%" in first


def test_loading_the_demo_again_adds_no_rating_and_the_audit_log_still_verifies():
    load_demo()
    first = snapshot()
    assert AuditEvent.objects.filter(action="demo.ratings_loaded").count() == 2
    assert not AuditEvent.objects.filter(action="feedback.rate").exists()

    output = load_demo()

    assert snapshot() == first
    assert AuditEvent.objects.filter(action="demo.ratings_loaded").count() == 2
    assert "(0 mới)" in output
    call_command("audit_verify", stdout=io.StringIO())  # raises if the chain is broken


def test_the_answers_are_the_same_on_every_load():
    load_demo()
    first = snapshot()
    Rating.objects.all().delete()

    demo_ratings.load_ratings(unit_codes=[DEMO_COMMUNE, SECOND_COMMUNE])

    assert snapshot() == first


def test_a_ticket_a_citizen_really_took_is_never_given_an_invented_rating(monkeypatch):
    load_demo()
    commune = Unit.objects.get(code=DEMO_COMMUNE)
    counter = Counter.objects.get(unit=commune, number=1)
    officer = User.objects.get(username="vb.motcua1")
    service = Service.objects.get(unit=commune, code="A")
    # yesterday (Monday) a citizen took a number and was served at counter 1
    monkeypatch.setattr(queue_services, "now", lambda: MONDAY_9AM)
    ticket = queue_services.issue_ticket(unit=commune, service=service, source="kiosk")
    queue_services.open_counter(counter=counter, officer=officer)
    assert queue_services.call_next(counter=counter, officer=officer).pk == ticket.pk
    queue_services.start_service(ticket=ticket, counter=counter, officer=officer)
    queue_services.finish_service(ticket=ticket, counter=counter, officer=officer)
    monkeypatch.setattr(queue_services, "now", lambda: TUESDAY_9AM)
    before = Rating.objects.count()

    load_demo()

    assert not Rating.objects.filter(ticket=ticket).exists()
    assert Rating.objects.count() == before


@override_settings(SECURE=True)
def test_no_invented_rating_is_written_on_a_secure_install():
    output = load_demo()

    assert not Rating.objects.exists()
    assert "Đánh giá hài lòng Xã Vĩnh Bảo: không tạo đánh giá mẫu khi DJANGO_SECURE=1." in output
