"""A citizen tracks a dossier with its code and the last 4 digits of their ID (or phone):
the status, the timeline and the appointment, and never a piece of personal data. Wrong code
and wrong digits look exactly alike; guessing is stopped per code and, for many distinct codes,
per address (bursts: tests/core/test_ratelimit_bursts.py)."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Status

from .factories import CITIZEN_ID, applicant, at, drive_to, receive

pytestmark = pytest.mark.django_db
URL = "/tra-cuu/"
ADDRESS = "Thôn Đông, xã An Hưng"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Counters in a private in-memory cache, empty for each test (never a shared Redis)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "trk"}
    }
    cache.clear()
    yield
    cache.clear()


def lookup(client, code, digits, ip="203.0.113.7"):
    return client.post(URL, {"ma": code, "so": digits}, REMOTE_ADDR=ip)


def text(response) -> str:
    return response.content.decode()


def without_tokens(html: str) -> str:
    """The CSRF token is masked differently on every response; nothing else may differ."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_lookup_url_is_the_one_printed_under_the_receipt_qr():
    assert reverse("dossiers:tracking_lookup") == URL


def test_right_code_and_id_digits_show_status_timeline_and_appointment(client, world):
    dossier = receive(
        world,
        at(2026, 11, 2, 9),
        applicant=applicant(email="an.nguyen@example.vn", address=ADDRESS),
    )
    services.start_processing(world.officer, dossier_id=dossier.pk, at=at(2026, 11, 2, 10))
    response = lookup(client, dossier.code, CITIZEN_ID[-4:])
    assert response.status_code == 200
    html = text(response)
    assert dossier.code in html
    assert "Đăng ký khai sinh" in html and "Xã An Hưng" in html
    assert "Đang giải quyết" in html
    assert "Đã tiếp nhận hồ sơ" in html and "Chuyển bộ phận giải quyết" in html
    assert "17 giờ 00 ngày 09/11/2026" in html  # the appointment on the receipt
    assert "09 giờ 00 ngày 02/11/2026" in html  # when it was received (Vietnam time)
    assert "no-store" in response["Cache-Control"]  # a shared phone keeps no copy


def test_public_page_shows_no_personal_data(client, world):
    dossier = receive(world, applicant=applicant(email="an.nguyen@example.vn", address=ADDRESS))
    html = text(lookup(client, dossier.code, "4567"))
    for secret in ("Nguyễn Văn An", "Nguyễn", CITIZEN_ID, "0912345678", "an.nguyen", ADDRESS):
        assert secret not in html
    assert "N.V.A." in html  # initials only, so the applicant recognises the dossier
    # internal people and steps are not shown either
    assert "Trần Thị Một Cửa" not in html and "Thẩm định, trình ký" not in html


def test_last_four_digits_of_the_phone_also_open_the_dossier(client, world):
    dossier = receive(world)
    assert lookup(client, dossier.code, "5678").status_code == 200


def test_wrong_digits_and_unknown_code_give_the_same_not_found_answer(client, world):
    dossier = receive(world)
    prefix, day, number = dossier.code.rsplit("-", 2)
    unknown = f"{prefix}-{day}-{int(number) + 1:04d}"
    wrong_digits = lookup(client, dossier.code, "0000", ip="198.51.100.1")
    # the same code string, so the echoed form is the same: only existence differs
    missing = client.post(URL, {"ma": unknown, "so": "0000"}, REMOTE_ADDR="198.51.100.2")
    assert wrong_digits.status_code == missing.status_code == 404
    assert "Không tìm thấy hồ sơ" in text(wrong_digits)
    assert without_tokens(text(wrong_digits)).replace(dossier.code, unknown) == without_tokens(
        text(missing)
    )
    assert "0000" not in text(wrong_digits).split('name="so"')[1][:200]  # digits not echoed


def test_code_is_forgiving_about_case_and_spaces(client, world):
    dossier = receive(world)
    assert lookup(client, f"  {dossier.code.lower()} ", "4567").status_code == 200


def test_qr_link_with_ma_prefills_the_code(client, world):
    dossier = receive(world)
    response = client.get(URL, {"ma": dossier.code.lower()})
    assert response.status_code == 200
    assert f'value="{dossier.code}"' in text(response)
    assert "4 số cuối" in text(response)


@pytest.mark.parametrize(
    "code",
    [
        "ABC",
        "'; DROP TABLE dossiers_dossier; --",
        "000.00.12.H23-261122-0001' OR '1'='1",
        "<script>alert(1)</script>",
        "000.00.12.H23-261122-٠٠٠١",  # Arabic-Indic digits
        "9" * 5000,
        "000.00.12.H23-261122-0001\x00",
    ],
)
def test_malformed_code_gets_a_clear_message_never_a_500(client, world, code):
    response = client.post(URL, {"ma": code, "so": "4567"}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 400
    html = text(response)
    assert "<script>alert(1)</script>" not in html
    assert "không đúng định dạng" in html or "ký tự" in html or "Null" in html


@pytest.mark.parametrize("query", ["<script>x</script>", "a" * 3000, "%ff%fe"])
def test_forged_qr_link_never_breaks_the_form(client, query):
    response = client.get(f"{URL}?ma={query}")
    assert response.status_code == 200
    assert "<script>x</script>" not in text(response)


def test_a_qr_link_with_a_nul_byte_is_a_clear_400(client):
    """A NUL byte in any URL is refused before the view (core.middleware, decisions/0020)."""
    response = client.get(f"{URL}?ma=%00")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in text(response)


@pytest.mark.parametrize("digits", ["", "12", "12345", "abcd", "٤٥٦٧"])
def test_digits_must_be_exactly_four_ascii_digits(client, world, digits):
    dossier = receive(world)
    response = lookup(client, dossier.code, digits)
    assert response.status_code == 400
    assert "4 chữ số" in text(response) or "4 số cuối" in text(response)


def test_a_hall_sharing_one_address_is_not_locked_by_its_own_lookups(client, world):
    """Everyone in the commune hall is behind one Wi-Fi address: looking up one's own dossier
    again and again, and one mistyped code among them, never locks the hall out."""
    dossier = receive(world)
    typo = dossier.code[:-1] + ("1" if dossier.code[-1] != "1" else "2")
    for i in range(50):
        if i == 10:
            assert lookup(client, typo, "4567", ip="203.0.113.50").status_code == 404
        assert lookup(client, dossier.code, "4567", ip="203.0.113.50").status_code == 200


def test_an_address_failing_on_many_distinct_codes_is_refused(client, world, settings):
    settings.MOTCUA_TRACKING_IP_CODES = 3
    dossier = receive(world)
    prefix, day, number = dossier.code.rsplit("-", 2)
    codes = [f"{prefix}-{day}-{int(number) + i:04d}" for i in range(1, 5)]
    for code in codes[:3]:
        assert lookup(client, code, "0000", ip="203.0.113.60").status_code == 404
    blocked = lookup(client, codes[3], "0000", ip="203.0.113.60")
    assert blocked.status_code == 429
    assert "quá nhiều lần" in text(blocked) and "tạm khóa" not in text(blocked)
    assert blocked["Retry-After"] == "3600"  # the address's hour, from the start of its window
    # even the right digits of a fresh code: this address walks codes, it gets no more answers
    assert lookup(client, dossier.code, "4567", ip="203.0.113.60").status_code == 429
    # a code it already failed on is still judged (its own 5 tries guard it)...
    assert lookup(client, codes[0], "0000", ip="203.0.113.60").status_code == 404
    # ...and another address is not affected
    assert lookup(client, dossier.code, "4567", ip="203.0.113.61").status_code == 200


def test_a_right_answer_costs_the_code_nothing(client, world):
    dossier = receive(world)
    for _ in range(3):
        assert lookup(client, dossier.code, "4567").status_code == 200
    for i in range(4):  # four wrong tries, the right ones between them did not count
        assert lookup(client, dossier.code, f"{i:04d}", ip=f"198.51.100.{i}").status_code == 404
    assert lookup(client, dossier.code, "4567").status_code == 200


def test_the_lock_ends_after_its_fifteen_minutes(client, world, monkeypatch):
    from types import SimpleNamespace

    from motcua.core import ratelimit

    now = [ratelimit.clock() + 300]  # five minutes into a quarter-hour window
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now[0]))
    dossier = receive(world)
    for i in range(5):
        assert lookup(client, dossier.code, f"{i:04d}", ip=f"198.51.100.{i}").status_code == 404
    now[0] += 899  # the window of the five tries has ended, the lock has one second left
    locked = lookup(client, dossier.code, "4567", ip="198.51.100.77")
    assert locked.status_code == 429 and locked["Retry-After"] == "1"
    now[0] += 1
    assert lookup(client, dossier.code, "4567", ip="198.51.100.77").status_code == 200


def test_five_wrong_digits_lock_that_code_for_fifteen_minutes(client, world):
    dossier = receive(world)
    other = receive(world, applicant=applicant(id_number="001203009999"))
    for i in range(5):  # from different addresses: the lock follows the code, not the IP
        assert lookup(client, dossier.code, f"{i:04d}", ip=f"198.51.100.{i}").status_code == 404
    locked = lookup(client, dossier.code, "4567", ip="198.51.100.77")  # even the right digits
    assert locked.status_code == 429
    assert "tạm khóa" in text(locked) and locked["Retry-After"] == "900"
    assert lookup(client, other.code, "9999", ip="198.51.100.77").status_code == 200


def test_an_unknown_code_locks_exactly_like_an_existing_one(client, world):
    dossier = receive(world)
    prefix, day, number = dossier.code.rsplit("-", 2)
    unknown = f"{prefix}-{day}-{int(number) + 7:04d}"
    answers = {}
    for code in (dossier.code, unknown):
        statuses = [lookup(client, code, "0000", ip=f"192.0.2.{i}").status_code for i in range(6)]
        answers[code] = statuses
    assert answers[dossier.code] == answers[unknown] == [404] * 5 + [429]


def test_supplement_request_tells_what_to_bring_and_that_the_clock_stopped(client, world):
    dossier = drive_to(world, Status.AWAITING_SUPPLEMENT)
    html = text(lookup(client, dossier.code, "4567"))
    assert "Cần bổ sung giấy tờ" in html
    assert "Bản sao giấy chứng sinh" in html
    assert "tạm dừng" in html
    assert "Thiếu" not in html.split("Quá trình giải quyết")[1]  # the officer's note stays inside


def test_apology_shows_the_new_appointment_next_to_the_old_one(client, world):
    dossier = receive(world, at(2026, 11, 2, 9))  # due Mon 9/11 17:00
    services.start_processing(world.officer, dossier_id=dossier.pk, at=at(2026, 11, 2, 10))
    services.extend_with_apology(
        world.specialist,
        dossier_id=dossier.pk,
        reason="Cần xác minh thêm tại địa phương nơi sinh",
        new_due_at=at(2026, 11, 12, 17),
        at=at(2026, 11, 5, 9),
    )
    response = lookup(client, dossier.code, "4567")
    html = text(response)
    assert "Xin lỗi và hẹn lại ngày trả kết quả" in html
    assert "17 giờ 00 ngày 12/11/2026" in html and "17 giờ 00 ngày 09/11/2026" in html
    assert "văn bản xin lỗi" in html
    assert "xác minh thêm" not in html  # the internal reason is in the letter, not on the web


def test_result_ready_says_where_to_collect_it(client, world):
    world.commune.address = "Số 1 đường Trung tâm, xã An Hưng"
    world.commune.phone = "0225 3871 234"
    world.commune.save()
    dossier = drive_to(world, Status.RESULT_READY)
    html = text(lookup(client, dossier.code, "4567"))
    assert "Đã có kết quả" in html
    assert "Bộ phận Một cửa Xã An Hưng, Số 1 đường Trung tâm, xã An Hưng" in html
    assert "0225 3871 234" in html
    # internal steps and approvals are not listed
    assert "Lãnh đạo phê duyệt" not in html and "Trình lãnh đạo" not in html


def test_returned_by_post_shows_the_tracking_number(client, world):
    dossier = drive_to(world, Status.RESULT_READY)
    services.return_result(
        world.officer, dossier_id=dossier.pk, delivery="post", tracking_number="EV123456789VN"
    )
    html = text(lookup(client, dossier.code, "4567"))
    assert "Đã trả kết quả" in html and "EV123456789VN" in html
    assert "Qua bưu chính công ích" in html


def test_online_dossier_waiting_for_reception_has_no_appointment_yet(client, world):
    dossier = drive_to(world, Status.SUBMITTED)
    html = text(lookup(client, dossier.code, "4567"))
    assert "Đã nộp trực tuyến, chờ tiếp nhận" in html
    assert "Chưa có ngày hẹn" in html


def test_only_get_and_post_are_answered(client):
    assert client.put(URL).status_code == 405
