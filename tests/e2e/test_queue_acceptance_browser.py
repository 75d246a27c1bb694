"""The queue issue's acceptance, one villager's morning end to end in Debian chromium.

A citizen installs the commune's queue app on a 360 px phone, books an appointment, checks in
at the hall kiosk (the printed slip, its QR opens the phone's ticket page), turns on "your turn
is near" and receives it as a real web push (VAPID-signed, aes128gcm-encrypted, decrypted by a
local push service that holds the browser's keys), is called on the hall TV, is served at the
counter console by keyboard and rates the service from the phone.

Only the browser's push subscription is stubbed (headless chromium cannot reach a real push
service offline); everything after it, push.js's POST, the near-turn check, the outbox and the
encrypted request to the push service, is the production code path. Screenshots go to
test-artifacts/acceptance-*.png to be looked at.
"""

import json
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from huey.contrib.djhuey import HUEY

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.core.models import AuditEvent, Counter, Unit, Village
from motcua.feedback.models import Rating
from motcua.integrations import vapid
from motcua.integrations.models import Notification, PushSubscription
from motcua.queueing import booking, display, services
from motcua.queueing.models import BookingRule, CounterAssignment, Service, Ticket
from motcua.queueing.views import _qr_svg_data_uri
from tests.integrations.peers import PushService, SmsGateway
from tests.queueing.conftest import MODEL_BACKEND, TUESDAY_9AM, Clock
from tests.queueing.test_booking_fixtures import WEDNESDAY, at
from tests.queueing.test_queue_screens_browser import real, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUR_PHONE = "0912345678"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)

# A PushManager that hands out the local push service's subscription: the browser part a real
# push service would play. It records the applicationServerKey the page asked for (base64url).
PUSH_STUB = """
(() => {
  if (!("PushManager" in window)) { return; }
  const sub = %(subscription)s;
  const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const fake = {
    endpoint: sub.endpoint,
    expirationTime: null,
    options: {userVisibleOnly: true},
    toJSON() { return {endpoint: sub.endpoint, expirationTime: null, keys: sub.keys}; },
    unsubscribe() { current = null; localStorage.removeItem(KEPT); return Promise.resolve(true); },
  };
  // A browser keeps its subscription across page loads: so does the stub.
  const KEPT = "__stub_push_subscribed";
  let current = localStorage.getItem(KEPT) ? fake : null;
  PushManager.prototype.subscribe = function (options) {
    const key = options.applicationServerKey;
    window.__motcuaServerKey = b64url(key.buffer ? key.buffer : key);
    current = fake;
    localStorage.setItem(KEPT, "1");
    return Promise.resolve(fake);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
})();
"""


# --- the world: settings, peers, the commune ----------------------------------------------------


@pytest.fixture(autouse=True)
def _notify_for_real(settings, tmp_path):
    """The production senders, aimed at local peers; VAPID keys generated in a private dir."""
    settings.VAR_DIR = tmp_path
    settings.MOTCUA_NOTIFY_MODE = "production"
    settings.MOTCUA_PUSH_ALLOW_INSECURE = True  # the local push service speaks plain http
    settings.MOTCUA_VAPID_PRIVATE_KEY = ""
    settings.MOTCUA_VAPID_PUBLIC_KEY = ""
    settings.MOTCUA_VAPID_SUBJECT = "mailto:motcua@thachha.gov.vn"
    settings.MOTCUA_SMS_TOKEN = "sms-token-test"
    settings.MOTCUA_QUEUE_NEAR_TURN = 1  # "near" = one person or nobody left ahead
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # short display streams; the test waits for them to end before the database is emptied
    settings.MOTCUA_DISPLAY_HEARTBEAT_SECONDS = 1
    settings.MOTCUA_DISPLAY_STREAM_SECONDS = 6
    was = HUEY.immediate
    HUEY.immediate = True  # the outbox delivers inline, inside the live server's request
    yield
    HUEY.immediate = was
    deadline = time.monotonic() + 10
    while display.open_sync_streams() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert display.open_sync_streams() == 0, "a display stream outlived its test"


@pytest.fixture
def push_service():
    with PushService() as peer:
        yield peer


@pytest.fixture
def sms_gateway(settings):
    with SmsGateway() as peer:
        settings.MOTCUA_SMS_URL = f"{peer.origin}/api/sms"
        yield peer


@pytest.fixture
def clock(monkeypatch):
    """The queue's clock (services.now is the only clock the app reads), moved by the test."""
    c = Clock(TUESDAY_9AM)
    monkeypatch.setattr(services, "now", c)
    return c


@pytest.fixture
def hall(transactional_db, clock):
    """Xã Thạch Hà: two queue services, counter 1 for both, its officer, bookings for Hộ tịch."""
    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    commune = Unit.objects.create(
        code="18073",
        name="Xã Thạch Hà",
        kind=Unit.Kind.COMMUNE,
        parent=province,
        address="Số 1 đường Trần Phú, xã Thạch Hà, tỉnh Hà Tĩnh",
    )
    civil = Service.objects.create(unit=commune, code="A", name="Hộ tịch", order=1)
    copies = Service.objects.create(unit=commune, code="B", name="Chứng thực", order=2)
    counter = Counter.objects.create(unit=commune, number=1, name="Hộ tịch - Chứng thực")
    CounterAssignment.objects.create(counter=counter).services.set([civil, copies])
    BookingRule.objects.create(service=civil, slot_minutes=30, capacity=3)
    village = Village.objects.create(unit=commune, name="Thôn Trung Tiến")
    Village.objects.create(unit=commune, name="Thôn Đông Sơn")
    officer = User.objects.create_user(
        username="quay1", password="Mot-cua-2025!an-toan", full_name="Trần Thị Mai"
    )
    StaffAssignment.objects.create(user=officer, unit=commune, role=Role.COUNTER_OFFICER)
    return {
        "commune": commune,
        "civil": civil,
        "counter": counter,
        "officer": officer,
        "village": village,
    }


# --- helpers -------------------------------------------------------------------------------------


def shoot(page, artifacts_dir: Path, name: str, *, full_page: bool = True) -> None:
    """acceptance-<name>-<width>.png in test-artifacts/."""
    path = artifacts_dir / f"acceptance-{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=path, full_page=full_page)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def signed_in_context(browser, live_server, user, **context_args):
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    context = browser.new_context(**context_args)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def phone_shows(page, testid: str, text: str, seconds: float = 10) -> None:
    """The ticket page polls every 15 s; coming back to the app (visibilitychange) asks now."""
    target = page.get_by_test_id(testid).filter(has_text=text)
    deadline = time.monotonic() + seconds
    while not target.is_visible():
        assert time.monotonic() < deadline, f"the phone never showed {text!r}"
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        page.wait_for_timeout(500)


def wait_for_pushes(peer: PushService, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(peer.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(peer.received) >= count, f"{len(peer.received)} push(es) received"


# --- the acceptance -----------------------------------------------------------------------------


def test_a_villager_books_checks_in_is_told_near_is_called_and_rates(
    browser, live_server, hall, clock, push_service, sms_gateway, settings, artifacts_dir
):
    commune, counter, officer = hall["commune"], hall["counter"], hall["officer"]
    code = commune.code
    # the slip's QR and the push's link point at this server, as they would at the commune's
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url

    # 1. Two neighbours booked Wednesday 09:00 yesterday by phone call; they will be ahead.
    neighbours = [
        booking.confirm(
            booking=booking.hold_slot(
                service=hall["civil"],
                slot_start=at(WEDNESDAY, 9),
                citizen_name=name,
                phone=phone,
            ),
            proof=booking.Proof(phone_last4=phone[-4:]),  # read out on the phone call
        )
        for name, phone in (("Lê Văn Hùng", "0987000111"), ("Phạm Thị Lan", "0987000222"))
    ]

    # 2. Tuesday: the villager opens the commune's queue app on a cheap Android phone.
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=ANDROID_CHROME,
        service_workers="allow",
        permissions=["notifications"],
    )
    phone.add_init_script(
        PUSH_STUB % {"subscription": json.dumps(push_service.subscription_json())}
    )
    page = phone.new_page()
    page.set_default_timeout(15_000)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/hang-doi/{code}/")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href == f"/hang-doi/{code}/manifest.webmanifest"
    manifest = page.evaluate("href => fetch(href).then(r => r.json())", href)
    assert manifest["name"] == "Một cửa Xã Thạch Hà"
    assert manifest["start_url"] == f"/hang-doi/{code}/"
    assert manifest["display"] == "standalone"
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    icon = page.evaluate(
        "src => fetch(src).then(r => [r.status, r.headers.get('content-type')])",
        manifest["icons"][0]["src"],
    )
    assert icon == [200, "image/png"]
    # installable: the service worker is registered and active for the app's scope
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)").endswith("/hang-doi/")
    assert fits_the_screen(page)
    shoot(page, artifacts_dir, "01-app-home")

    # 3. She books Hộ tịch for Wednesday 09:00 through the booking pages.
    page.get_by_test_id("go-booking").tap()
    page.get_by_test_id("book-service-A").tap()
    page.get_by_test_id(f"day-{WEDNESDAY.isoformat()}").tap()
    page.get_by_test_id("slot-09:00").tap()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Thôn/tổ dân phố nơi bạn ở, không bắt buộc").select_option(
        label="Thôn Trung Tiến"
    )
    page.get_by_test_id("hold").tap()
    assert "Giữ chỗ trong 10 phút" in page.get_by_test_id("hold-notice").inner_text()
    page.get_by_test_id("confirm").tap()
    booking_code = page.get_by_test_id("booking-code").inner_text()
    assert "09:00" in page.get_by_test_id("booking-when").inner_text()
    assert fits_the_screen(page)
    shoot(page, artifacts_dir, "02-booked")
    mine = booking.find_by_code(commune, booking_code)
    assert (mine.status, mine.phone, mine.village) == ("confirmed", OUR_PHONE, hall["village"])

    # 4. Wednesday 08:45: the neighbours check in first, then she types her code at the kiosk.
    clock.set(at(WEDNESDAY, 8, 45))
    services.open_counter(counter=counter, officer=officer)
    for neighbour in neighbours:
        clock.advance(minutes=1)
        booking.check_in(booking=neighbour)
    clock.advance(minutes=1)
    kiosk_context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    kiosk = kiosk_context.new_page()
    kiosk.set_default_timeout(15_000)
    kiosk_errors = watch_errors(kiosk)
    kiosk.goto(f"{live_server.url}/hang-doi/kiosk/{code}/")
    kiosk.get_by_test_id("i-have-booked").tap()
    kiosk.get_by_label("Mã đặt hẹn").fill(booking_code.lower())
    with kiosk.expect_navigation():
        kiosk.get_by_test_id("checkin").tap()
    # the printed slip: her number, the appointment priority, two people ahead, the QR
    assert kiosk.get_by_test_id("ticket-code").inner_text() == "A003"
    assert "Ưu tiên: Đặt hẹn đúng giờ" in kiosk.get_by_test_id("ticket-slip").inner_text()
    assert kiosk.get_by_test_id("people-ahead").inner_text() == "2"
    ours = Ticket.objects.get(code="A003")
    ticket_url = f"{live_server.url}/hang-doi/ve/{ours.access_token}/"
    # the QR encodes exactly the ticket page's public address
    assert kiosk.get_by_test_id("ticket-qr").get_attribute("src") == _qr_svg_data_uri(ticket_url)
    shoot(kiosk, artifacts_dir, "03-kiosk-slip", full_page=False)
    assert not real(kiosk_errors), kiosk_errors
    kiosk_context.close()
    assert (ours.priority_reason, ours.phone) == ("appointment", OUR_PHONE)

    # She scans the QR with the phone: the ticket page.
    page.goto(ticket_url)
    assert page.get_by_test_id("ticket-code").inner_text() == "A003"
    assert page.get_by_test_id("people-ahead").inner_text() == "Còn 2 người trước bạn"

    # 5. "Bật thông báo khi sắp đến lượt": push.js subscribes and registers with the server.
    page.get_by_test_id("push-enable").tap()
    page.get_by_text("Đã bật thông báo trên thiết bị này.").wait_for()
    assert page.evaluate("window.__motcuaServerKey") == vapid.public_key()
    assert page.get_by_test_id("push-enable").is_hidden()  # nothing left to tap twice
    assert fits_the_screen(page)
    shoot(page, artifacts_dir, "04-ticket-notify-on")
    [device] = PushSubscription.objects.filter(is_active=True)
    assert (device.ticket_ref, device.endpoint) == (
        ours.access_token,
        push_service.subscription_json()["endpoint"],
    )
    assert push_service.received == []  # two ahead is not "near" yet
    page.reload()  # back on the page later: it still knows, and offers no second subscription
    page.get_by_text("Đã bật thông báo trên thiết bị này.").wait_for()
    assert page.get_by_test_id("push-enable").is_hidden()

    # 6. The hall TV is on; the officer opens the console and calls with the keyboard.
    tv_context = browser.new_context(viewport={"width": 1920, "height": 1080})
    tv = tv_context.new_page()
    tv_errors = watch_errors(tv)
    tv.goto(f"{live_server.url}/hang-doi/man-hinh/{code}/")
    tv.get_by_test_id("connection").filter(has_text="Trực tuyến").wait_for(timeout=5000)
    tv.get_by_test_id("sound-on").click()  # the operator's one press in the morning

    desk_context = signed_in_context(
        browser, live_server, officer, viewport={"width": 1280, "height": 800}
    )
    desk = desk_context.new_page()
    desk.set_default_timeout(15_000)
    desk_errors = watch_errors(desk)
    desk.goto(f"{live_server.url}/can-bo/quay/{counter.pk}/")
    desk.get_by_text("Quầy đang mở").wait_for()

    clock.set(at(WEDNESDAY, 9))  # the appointments' hour
    desk.keyboard.press("n")  # A001 called: she has one person ahead now
    desk.get_by_test_id("current-code").filter(has_text="A001").wait_for()
    wait_for_pushes(push_service, 1)
    [push] = push_service.received
    assert push.problems == []  # VAPID verified and the body decrypted with the phone's keys
    assert push.path == "/push/abc123"
    assert push.vapid_key == vapid.public_key()
    assert push.plaintext == {
        "title": "Sắp đến lượt bạn - số A003",
        "body": "Số A003: còn 1 người nữa là đến lượt bạn. "
        "Mời bạn đến Xã Thạch Hà, chờ trước quầy 1.",
        "url": ticket_url,
    }
    phone_shows(page, "people-ahead", "Còn 1 người trước bạn")
    shoot(desk, artifacts_dir, "05-console-called")

    clock.advance(minutes=1)
    desk.keyboard.press("s")
    desk.get_by_text("Bắt đầu phục vụ số A001.").wait_for()
    clock.advance(minutes=7)
    desk.keyboard.press("f")
    desk.get_by_text("Đã phục vụ xong số A001.").wait_for()
    desk.keyboard.press("n")
    desk.get_by_test_id("current-code").filter(has_text="A002").wait_for()
    clock.advance(minutes=1)
    desk.keyboard.press("s")
    desk.get_by_text("Bắt đầu phục vụ số A002.").wait_for()
    clock.advance(minutes=6)
    desk.keyboard.press("f")
    desk.get_by_text("Đã phục vụ xong số A002.").wait_for()

    # 7. Her turn: the TV shows A003 at counter 1 and announces it.
    desk.keyboard.press("n")
    desk.get_by_test_id("current-code").filter(has_text="A003").wait_for()
    tv.get_by_test_id("counter-1-code").filter(has_text="A003").wait_for(timeout=3000)
    tv.get_by_test_id("announcement").filter(has_text="A003").wait_for(timeout=3000)
    assert tv.get_by_test_id("announcement").inner_text() == "Mời công dân có số A003 đến quầy số 1"
    assert "A003" in tv.get_by_test_id("recent-calls").inner_text()
    assert tv.evaluate("document.documentElement.scrollHeight") <= 1080  # a TV never scrolls
    shoot(tv, artifacts_dir, "06-tv-called", full_page=False)
    assert len(push_service.received) == 1  # told once, not again at "next"

    # 8. The phone says where to go; she is served, rates the service, and is thanked.
    phone_shows(page, "ticket-status", "Mời bạn đến quầy số 1")
    assert page.locator(".ticket.status-called").count() == 1
    shoot(page, artifacts_dir, "07-ticket-called")
    clock.advance(minutes=1)
    desk.keyboard.press("s")
    desk.get_by_text("Bắt đầu phục vụ số A003.").wait_for()
    clock.advance(minutes=8)
    desk.keyboard.press("f")
    desk.get_by_text("Đã phục vụ xong số A003.").wait_for()
    shoot(desk, artifacts_dir, "08-console-done")
    phone_shows(page, "ticket-status", "Đã phục vụ xong. Cảm ơn bạn!")
    page.get_by_test_id("rate-link").wait_for()
    shoot(page, artifacts_dir, "09-ticket-done")
    with page.expect_navigation():
        page.get_by_test_id("rate-link").tap()
    assert page.get_by_role("button", name="Rất hài lòng").is_visible()
    shoot(page, artifacts_dir, "10-rate")
    with page.expect_navigation():
        page.get_by_role("button", name="Rất hài lòng").tap()
    assert page.get_by_role("heading", name="Cảm ơn bạn đã đánh giá!").is_visible()
    assert fits_the_screen(page)
    shoot(page, artifacts_dir, "11-thanks")

    rating = Rating.objects.get()
    assert (rating.ticket_id, rating.level, rating.channel) == (ours.pk, "very_satisfied", "phone")
    assert (rating.officer, rating.counter, rating.service) == (officer, counter, hall["civil"])
    # she was reached by push only; the neighbour without the app got the SMS instead
    near = Notification.objects.filter(purpose=Notification.Purpose.TURN_NEAR)
    assert list(near.filter(object_id=str(ours.pk)).values_list("channel", "status")) == [
        ("push", "sent")
    ]
    assert [m.body["to"] for m in sms_gateway.received] == ["+84987000222"]
    assert AuditEvent.objects.filter(action="queue.ticket_turn_near").count() == 2

    for name, errs in (("phone", errors), ("console", desk_errors), ("tv", tv_errors)):
        assert not real(errs), (name, errs)
    tv_context.close()
    desk_context.close()
    phone.close()
