"""The citizen app (PWA): the commune's queue home, remote tickets, the ticket page and its JSON,
the manifest and the service worker, as a villager's phone sees them."""

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.core.audit import AuditEvent
from motcua.core.models import Village
from motcua.queueing import services
from motcua.queueing.models import Ticket

from .conftest import HCM


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    """Rate-limit counters live in the cache, which outlives each test's transaction."""
    cache.clear()
    yield
    cache.clear()


def home_url(unit):
    return reverse("queueing:citizen_home", args=[unit.code])


def fresh_key(client, unit):
    page = client.get(home_url(unit)).content.decode()
    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def take(client, unit, service, **extra):
    data = {"service": service.pk, "key": extra.pop("key", None) or fresh_key(client, unit)}
    data.update(extra)
    return client.post(home_url(unit), data)


def ticket_url(ticket):
    return reverse("queueing:citizen_ticket", args=[ticket.access_token])


def state_of(client, ticket):
    response = client.get(reverse("queueing:citizen_ticket_state", args=[ticket.access_token]))
    assert response.status_code == 200
    return response.json()


# --- home -------------------------------------------------------------------------------------


def test_the_home_lists_services_with_people_waiting_and_the_remote_form(
    client, commune, svc, open_counters, issue
):
    issue("A")
    issue("A")
    page = client.get(home_url(commune)).content.decode()
    assert "Xã Thạch Hà" in page and "Lấy số thứ tự" in page
    assert "Đang nhận số" in page and "Lấy số từ xa" in page
    for code, service in svc.items():
        assert f'data-testid="svc-{code}"' in page and service.name in page
    assert "2 người đang chờ" in page
    # no finished tickets yet: no history to estimate from, said in plain words
    assert "Chưa đủ số liệu hôm nay để ước tính thời gian chờ." in page
    assert reverse("queueing:booking_start", args=[commune.code]) in page
    assert "Vé của tôi" in page
    assert reverse("queueing:citizen_manifest", args=[commune.code]) in page
    assert "<script>" not in page  # CSP: no inline script
    assert len(page.encode()) < 12_000  # one small page on 3G: no framework, no inline data


def test_the_home_offers_the_villages_of_this_commune_only(
    client, commune, other_commune, svc, clock
):
    # the villages are asked on the remote-ticket form, shown in office hours only
    Village.objects.create(unit=commune, name="Thôn Đông")
    Village.objects.create(unit=other_commune, name="Thôn Tây")
    page = client.get(home_url(commune)).content.decode()
    assert "Thôn Đông" in page and "Thôn Tây" not in page
    assert "giúp xã biết mỗi thôn đã có bao nhiêu người dùng ứng dụng" in page


def test_outside_opening_hours_the_home_says_when_numbers_are_given(client, commune, svc, clock):
    clock.set(dt.datetime(2026, 11, 17, 18, 30, tzinfo=HCM))
    response = client.get(home_url(commune))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hiện ngoài giờ nhận số." in page
    assert "07:30–11:30 và 13:30–17:00, thứ Hai đến thứ Sáu" in page
    assert 'data-testid="take-ticket"' not in page  # no button that cannot work


def test_an_unknown_unit_has_no_app(client, db):
    assert client.get(reverse("queueing:citizen_home", args=["99999"])).status_code == 404
    url = reverse("queueing:citizen_manifest", args=["99999"])
    assert client.get(url).status_code == 404


# --- remote ticket ------------------------------------------------------------------------------


def test_a_villager_takes_a_number_from_the_phone(client, commune, svc, open_counters, clock):
    village = Village.objects.create(unit=commune, name="Thôn Đông")
    response = take(
        client, commune, svc["B"], phone="0912 345 678", village=village.pk, age_group="60_plus"
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket_url(ticket)
    assert (ticket.code, ticket.source) == ("B001", "remote")
    assert (ticket.phone, ticket.village, ticket.age_group) == ("0912345678", village, "60_plus")
    assert AuditEvent.objects.filter(action="queue.ticket_issued").count() == 1


def test_a_double_tap_gives_the_same_ticket(client, commune, svc, clock):
    key = fresh_key(client, commune)
    first = take(client, commune, svc["A"], key=key, phone="0912345678")
    second = take(client, commune, svc["A"], key=key, phone="0912345678")
    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1


def test_each_rendered_form_carries_its_own_key(client, commune, svc, clock):
    assert fresh_key(client, commune) != fresh_key(client, commune)


def test_outside_opening_hours_no_remote_number_is_given(client, commune, svc, clock):
    key = fresh_key(client, commune)
    clock.set(dt.datetime(2026, 11, 17, 18, 30, tzinfo=HCM))
    response = take(client, commune, svc["A"], key=key)
    assert response.status_code == 400
    assert "Ngoài giờ tiếp nhận" in response.content.decode()
    assert not Ticket.objects.exists()


def test_without_a_service_or_with_a_bad_phone_the_form_asks_again(client, commune, svc, clock):
    response = client.post(home_url(commune), {"key": fresh_key(client, commune)})
    assert response.status_code == 400 and "Xin chọn dịch vụ." in response.content.decode()
    response = take(client, commune, svc["A"], phone="12345")
    assert response.status_code == 400
    assert "Số điện thoại không hợp lệ" in response.content.decode()
    response = client.post(home_url(commune), {"service": svc["A"].pk})
    assert "Phiên lấy số đã hết hạn" in response.content.decode()
    assert not Ticket.objects.exists()


def test_another_units_service_or_village_is_refused(client, commune, other_commune, svc, clock):
    response = take(client, other_commune, svc["A"])
    assert response.status_code == 400
    assert "Dịch vụ này không nhận số tại đơn vị" in response.content.decode()
    elsewhere = Village.objects.create(unit=other_commune, name="Thôn Tây")
    response = take(client, commune, svc["A"], village=elsewhere.pk)
    assert response.status_code == 400
    assert "Thôn/tổ dân phố không thuộc đơn vị." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_service_not_taking_numbers_says_so(client, commune, svc, clock):
    svc["C"].is_active = False
    svc["C"].save()
    response = take(client, commune, svc["C"])
    assert response.status_code == 400
    assert "hiện không nhận số" in response.content.decode()


def test_one_phone_holds_at_most_three_waiting_remote_tickets_a_day(
    client, commune, svc, clock, settings
):
    for _ in range(3):
        assert take(client, commune, svc["A"], phone="0912345678").status_code == 302
    response = take(client, commune, svc["B"], phone="0912345678")
    assert response.status_code == 429
    assert "Số điện thoại này đã có 3 số đang chờ hôm nay" in response.content.decode()
    assert Ticket.objects.count() == 3
    # another phone is not affected; cancelling one frees a place
    assert take(client, commune, svc["B"], phone="0987654321").status_code == 302
    services.cancel_ticket(ticket=Ticket.objects.filter(phone="0912345678").first())
    assert take(client, commune, svc["B"], phone="0912345678").status_code == 302


def test_one_phone_cannot_take_and_cancel_numbers_all_hour(client, commune, svc, clock, settings):
    settings.MOTCUA_REMOTE_TRIES_PER_PHONE_HOUR = 2
    for _ in range(2):
        take(client, commune, svc["A"], phone="0912345678")
        services.cancel_ticket(ticket=Ticket.objects.filter(status="waiting").get())
    response = take(client, commune, svc["A"], phone="0912345678")
    assert response.status_code == 429
    assert "quá nhiều lần trong một giờ" in response.content.decode()


def test_one_network_address_is_limited_with_a_clear_message(client, commune, svc, clock, settings):
    settings.MOTCUA_REMOTE_TICKETS_PER_IP = 2
    assert take(client, commune, svc["A"]).status_code == 302
    assert take(client, commune, svc["A"]).status_code == 302
    response = take(client, commune, svc["A"])
    assert response.status_code == 429 and response["Retry-After"]
    assert "Có quá nhiều lượt lấy số từ mạng của bạn" in response.content.decode()
    assert Ticket.objects.count() == 2


# --- the ticket page and its JSON ---------------------------------------------------------------


def test_the_ticket_page_shows_the_number_people_ahead_and_the_wait(
    client, commune, svc, open_counters, issue
):
    issue("A")
    issue("A")
    ticket = issue("A", source="remote", phone="0912345678")
    response = client.get(ticket_url(ticket))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="ticket-code" data-field="code">A003<' in page
    assert "Hộ tịch" in page and "Đang chờ đến lượt" in page
    assert "Còn 2 người trước bạn" in page
    assert "Bật thông báo khi sắp đến lượt" in page
    assert "tin nhắn SMS đến số 091• ••• •••" in page and "0912345678" not in page
    assert "Huỷ số" in page
    assert response["Cache-Control"] == "no-cache, private"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_ticket_estimates_the_wait_from_todays_service(
    client, commune, svc, open_counters, officer, issue, clock
):
    counter = open_counters[1]
    for _ in range(5):  # five citizens served in 6 minutes each: enough history
        done = issue("A")
        services.call_next(counter=counter, officer=officer)
        clock.advance(minutes=1)
        services.start_service(ticket=done, counter=counter, officer=officer)
        clock.advance(minutes=5)
        services.finish_service(ticket=done, counter=counter, officer=officer)
    issue("A")
    mine = issue("A", source="remote")
    state = state_of(client, mine)
    assert state["ahead"] == 1 and state["ahead_text"] == "Còn 1 người trước bạn"
    assert state["minutes"] is not None
    assert state["wait_text"].startswith(("Dự kiến khoảng", "Dự kiến dưới"))
    assert state["wait_text"].endswith("phút")


def test_without_an_open_counter_the_page_says_why_there_is_no_estimate(client, issue):
    ticket = issue("A", source="remote")
    state = state_of(client, ticket)
    assert state["minutes"] is None
    assert state["wait_text"] == (
        "Chưa có quầy nào đang mở cho dịch vụ này nên chưa ước tính được thời gian chờ."
    )


def test_the_state_json_has_everything_the_page_updates(client, issue):
    ticket = issue("B", source="remote")
    state = state_of(client, ticket)
    assert set(state) >= {
        "code",
        "service",
        "status",
        "status_text",
        "active",
        "finished",
        "called",
        "counter",
        "ahead",
        "ahead_text",
        "minutes",
        "low_minutes",
        "high_minutes",
        "wait_text",
        "can_cancel",
        "rate_url",
        "as_of",
        "as_of_text",
    }
    assert (state["code"], state["status"], state["ahead"]) == ("B001", "waiting", 0)
    assert state["ahead_text"] == "Bạn là người tiếp theo"
    assert state["as_of_text"] == "09:01" and state["active"] and state["can_cancel"]


def test_the_polled_state_changes_with_the_queue_not_later(
    client, open_counters, officer, issue, clock
):
    """The state is answered from the cache between two changes to the unit's queue: a call,
    a cancellation ahead or a language switch shows at the next poll, within the same minute."""
    first = issue("A", source="remote")
    mine = issue("A", source="remote")
    assert state_of(client, mine)["ahead"] == 1
    assert state_of(client, mine)["ahead"] == 1  # the same answer, from the cache
    services.cancel_ticket(ticket=first)
    assert state_of(client, mine)["ahead"] == 0
    client.cookies["django_language"] = "en"
    assert state_of(client, mine)["ahead_text"] != "Bạn là người tiếp theo"
    del client.cookies["django_language"]
    services.call_next(counter=open_counters[1], officer=officer)
    state = state_of(client, mine)
    assert state["called"] and state["counter"] == 1
    assert state["status_text"] == "Mời bạn đến quầy số 1"


def test_when_called_the_page_says_which_counter(client, open_counters, officer, issue):
    ticket = issue("A", source="remote")
    services.call_next(counter=open_counters[2], officer=officer)
    state = state_of(client, ticket)
    assert state["called"] and state["counter"] == 2
    assert state["status_text"] == "Mời bạn đến quầy số 2"
    assert not state["can_cancel"]
    page = client.get(ticket_url(ticket)).content.decode()
    assert "Mời bạn đến quầy số 2" in page and "status-called" in page


def test_a_served_ticket_offers_the_rating(client, open_counters, officer, issue):
    ticket = issue("A", source="remote")
    counter = open_counters[1]
    services.call_next(counter=counter, officer=officer)
    services.start_service(ticket=ticket, counter=counter, officer=officer)
    services.finish_service(ticket=ticket, counter=counter, officer=officer)
    state = state_of(client, ticket)
    rate = reverse("feedback:rate_ticket", args=[ticket.access_token])
    assert state["finished"] and state["rate_url"] == rate
    page = client.get(ticket_url(ticket)).content.decode()
    assert "Đánh giá sự phục vụ" in page and rate in page


def test_a_ticket_of_a_past_day_shows_as_finished(client, issue, clock):
    ticket = issue("A", source="remote")
    clock.advance(days=1)
    state = state_of(client, ticket)
    assert state["status"] == "expired" and state["finished"] and not state["can_cancel"]
    assert state["status_text"] == "Số của ngày 17/11/2026 đã hết hiệu lực."
    page = client.get(ticket_url(ticket)).content.decode()
    assert "đã hết hiệu lực" in page


def test_an_unknown_token_is_not_found(client, issue):
    issue("A")
    for name in ("citizen_ticket", "citizen_ticket_state", "ticket_print"):
        assert client.get(reverse(f"queueing:{name}", args=["khong-co-ve-nay"])).status_code == 404
    assert client.get("/hang-doi/ve/1/in/").status_code == 404  # no walking by sequential id
    assert client.get(f"/hang-doi/ve/{'x' * 40}/").status_code == 404


# --- cancelling ---------------------------------------------------------------------------------


def cancel_url(ticket):
    return reverse("queueing:citizen_cancel", args=[ticket.access_token])


def test_the_citizen_cancels_a_waiting_number(client, issue):
    ticket = issue("A", source="remote")
    response = client.post(cancel_url(ticket))
    assert response.status_code == 302 and response["Location"] == ticket_url(ticket)
    ticket.refresh_from_db()
    assert ticket.status == "cancelled"
    assert AuditEvent.objects.filter(action="queue.ticket_cancel").count() == 1
    again = client.post(cancel_url(ticket))  # a second tap changes nothing
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="queue.ticket_cancel").count() == 1
    assert "Bạn đã huỷ số này." in client.get(ticket_url(ticket)).content.decode()


def test_a_called_number_cannot_be_cancelled_from_the_phone(client, open_counters, officer, issue):
    ticket = issue("A", source="remote")
    services.call_next(counter=open_counters[1], officer=officer)
    response = client.post(cancel_url(ticket))
    assert response.status_code == 409  # a refused move is a conflict (decisions/0018), was 400
    assert "Không thể huỷ số A001" in response.content.decode()


def test_cancelling_needs_a_post_with_the_csrf_token(issue):
    from django.test import Client

    ticket = issue("A", source="remote")
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(cancel_url(ticket)).status_code == 405
    assert strict.post(cancel_url(ticket)).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


# --- PWA: manifest and service worker ----------------------------------------------------------


def test_the_manifest_makes_the_unit_app_installable(client, commune):
    response = client.get(reverse("queueing:citizen_manifest", args=[commune.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    home = home_url(commune)
    assert data["name"] == "Một cửa Xã Thạch Hà" and data["short_name"]
    assert (data["lang"], data["start_url"], data["scope"]) == ("vi", home, "/hang-doi/")
    assert data["display"] == "standalone"
    assert data["theme_color"] and data["background_color"]
    sizes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_from_the_app_scope(client, db):
    response = client.get("/hang-doi/sw.js")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert "importScripts(CONFIG.pushSw)" in text
    config = json.loads(re.match(r"self\.MOTCUA_SW = (\{.*\});\n", text).group(1))
    assert config["pushSw"] == "/static/integrations/push-sw.js"
    assert "/static/queueing/app.css" in config["precache"]
    assert "/static/queueing/app.js" in config["precache"]
    assert reverse("queueing:citizen_offline") in config["precache"]
    for url in config["precache"]:
        assert client.get(url).status_code == 200, url


def test_the_offline_page_lists_my_tickets(client, db):
    page = client.get(reverse("queueing:citizen_offline")).content.decode()
    assert "Đang mất mạng" in page and "Vé của tôi" in page


# --- cost: the pages phones poll must not grow with the queue -----------------------------------


def test_home_and_ticket_state_cost_a_fixed_number_of_queries(
    client, commune, svc, open_counters, issue, clock
):
    """Every phone polls its ticket every 15 s: the cost must not grow with the queue."""

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    mine = issue("A", source="remote")
    urls = (
        home_url(commune),
        ticket_url(mine),
        reverse("queueing:citizen_ticket_state", args=[mine.access_token]),
    )
    for url in urls:  # from the first poll on, the ticket's unit is known without a query
        queries(url)
    issue("B")  # a change to the queue: the next answers are built anew
    few = [queries(u) for u in urls]
    for code in "ABCABCABCABC":
        issue(code)
    assert [queries(u) for u in urls] == few
    # Until the next change (or the next minute) every poll is the same answer, from the cache:
    # three cache reads, which are queries only with the database cache the tests use.
    assert queries(urls[2]) <= 3
    assert few[2] <= 12
