"""The officer's console: only own unit's counters, keyboard buttons, clear answers."""

import pytest
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.core.models import Counter
from motcua.queueing.models import Ticket

from .conftest import MODEL_BACKEND

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def officer_client(client, officer, counters, clock):
    client.force_login(officer, backend=MODEL_BACKEND)
    return client


def action(counter, name):
    return reverse("queueing:console_action", args=[counter.pk, name])


def test_the_counter_list_shows_only_my_units_counters(officer_client, other_commune):
    Counter.objects.create(unit=other_commune, number=1, name="Quầy Cẩm Xuyên")
    page = officer_client.get(reverse("queueing:console_index")).content.decode()
    assert "Hộ tịch - Chứng thực" in page
    assert "Quầy Cẩm Xuyên" not in page


def test_another_units_counter_is_not_found(officer_client, other_commune):
    foreign = Counter.objects.create(unit=other_commune, number=1, name="Quầy Cẩm Xuyên")
    assert officer_client.get(reverse("queueing:console", args=[foreign.pk])).status_code == 404
    response = officer_client.post(action(foreign, "mo"))
    assert response.status_code == 404


def test_staff_without_the_counter_role_are_refused(client, make_officer, commune, counters):
    specialist = make_officer(commune, role=Role.SPECIALIST)
    client.force_login(specialist, backend=MODEL_BACKEND)
    assert client.get(reverse("queueing:console", args=[counters[1].pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, counters):
    response = client.get(reverse("queueing:console", args=[counters[1].pk]))
    assert response.status_code == 302
    assert "/dang-nhap" in response["Location"] or "login" in response["Location"]


def test_open_call_serve_and_finish_from_the_console(officer_client, counters, issue):
    c1 = counters[1]
    issue("A")
    page = officer_client.post(action(c1, "mo"), **HTMX).content.decode()
    assert "Quầy đang mở" in page
    page = officer_client.post(action(c1, "goi-tiep"), **HTMX).content.decode()
    assert "Mời công dân có số A001 đến quầy số 1." in page
    ticket = Ticket.objects.get(code="A001")
    assert ticket.status == "called"
    officer_client.post(action(c1, "bat-dau"), {"ticket": ticket.pk}, **HTMX)
    page = officer_client.post(
        action(c1, "gan-ho-so"), {"ticket": ticket.pk, "dossier_code": "H23-261117-0001"}, **HTMX
    ).content.decode()
    assert "Đã gắn hồ sơ H23-261117-0001 cho số A001." in page
    page = officer_client.post(action(c1, "ket-thuc"), {"ticket": ticket.pk}, **HTMX).content
    ticket.refresh_from_db()
    assert (ticket.status, ticket.dossier_code) == ("done", "H23-261117-0001")
    assert "Hàng đợi trống" in page.decode()


def test_calling_on_an_empty_queue_says_so_plainly(officer_client, counters):
    officer_client.post(action(counters[1], "mo"))
    response = officer_client.post(action(counters[1], "goi-tiep"), **HTMX)
    assert response.status_code == 200
    assert response["X-Queue-Result"] == "ok"
    assert "Hàng đợi trống: không có ai đang chờ" in response.content.decode()


def test_a_refused_move_shows_the_reason_without_a_page_error(officer_client, counters, issue):
    c1 = counters[1]
    ticket = issue("A")
    officer_client.post(action(c1, "mo"))
    officer_client.post(action(c1, "goi-tiep"))
    response = officer_client.post(action(c1, "vang-mat"), {"ticket": ticket.pk}, **HTMX)
    assert response["X-Queue-Result"] == "error"
    assert "Cần gọi đủ 3 lần trước khi đánh vắng mặt" in response.content.decode()
    # without htmx: the same answer after a redirect
    response = officer_client.post(action(c1, "ket-thuc"), {"ticket": ticket.pk}, follow=True)
    assert "Không thể kết thúc số A001" in response.content.decode()


def test_a_ticket_of_another_unit_is_not_found_from_my_console(
    officer_client, counters, other_commune, clock
):
    from motcua.queueing import services
    from motcua.queueing.models import Service

    foreign_service = Service.objects.create(unit=other_commune, code="A", name="Hộ tịch")
    foreign = services.issue_ticket(unit=other_commune, service=foreign_service, source="kiosk")
    response = officer_client.post(action(counters[1], "bat-dau"), {"ticket": foreign.pk})
    assert response.status_code == 404


def test_the_console_carries_keyboard_shortcuts_and_no_inline_script(
    officer_client, counters, issue
):
    issue("A")
    officer_client.post(action(counters[1], "mo"))
    officer_client.post(action(counters[1], "goi-tiep"))
    page = officer_client.get(reverse("queueing:console", args=[counters[1].pk])).content.decode()
    for key in "NRSFKT":
        assert f'data-shortcut="{key}"' in page
    assert "queueing/console.js" in page
    assert "<script>" not in page and "onclick" not in page


def test_waiting_counts_refresh_as_a_fragment(officer_client, counters, issue):
    issue("A")
    issue("C", "elderly")
    response = officer_client.get(
        reverse("queueing:console", args=[counters[1].pk]) + "?part=counts", **HTMX
    )
    html = response.content.decode()
    assert html.startswith('<section id="queue-counts"')
    assert 'data-testid="waiting-total">1<' in html  # counter 1 serves A and B, not C


def test_the_console_costs_the_same_queries_with_many_waiting(
    officer_client, counters, issue, django_assert_max_num_queries
):
    url = reverse("queueing:console", args=[counters[1].pk])
    officer_client.post(action(counters[1], "mo"))
    issue("A")
    officer_client.post(action(counters[1], "goi-tiep"))
    officer_client.get(url)  # warm the session and scope caches
    with django_assert_max_num_queries(20) as few:
        officer_client.get(url)
    for code in "ABC" * 10:
        issue(code)
    with django_assert_max_num_queries(len(few.captured_queries)):
        officer_client.get(url)
