"""Hồ sơ của tôi: the signed-in citizen's dossiers, the dossier page and what they do there
(answer a supplement, download the signed result, withdraw, rate), on a frozen clock."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.core.models import AuditEvent
from motcua.dossiers import deadlines
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierComponent, DossierDocument, Status
from motcua.feedback.models import Rating
from tests.clock import Clock

from .myspace import BACKEND, HUNG_ID, LAN_ID, citizen, drive, photo, returned_with_signed_result

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def _pki(settings, tmp_path_factory):
    settings.MOTCUA_PKI_DIR = str(tmp_path_factory.mktemp("pki"))
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.vn"
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        setattr(settings, name, "")


@pytest.fixture
def clock(monkeypatch):
    """The app's clock frozen at Tuesday 17/11/2026 09:00 in the commune; tests move it."""
    c = Clock(dt.datetime(2026, 11, 17, 9, 0, tzinfo=VN))
    monkeypatch.setattr(timezone, "now", lambda: c().astimezone(dt.UTC))
    monkeypatch.setattr(deadlines, "current_time", lambda: c().astimezone(dt.UTC))
    return c


@pytest.fixture
def world(shipped_calendar, clock):
    from tests.dossiers.factories import make_world

    return make_world()


@pytest.fixture
def shipped_calendar(db):
    from io import StringIO

    from django.core.management import call_command

    from motcua.core import calendar

    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield
    calendar.clear_cache()


@pytest.fixture
def lan():
    return citizen(LAN_ID, "Nguyễn Thị Lan")


@pytest.fixture
def hung():
    return citizen(HUNG_ID, "Trần Văn Hùng")


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def page(code: str, suffix: str = "") -> str:
    return f"/cong-dan/ho-so/{code}/{suffix}"


# --- the list ------------------------------------------------------------------------------------


def test_the_list_holds_only_my_dossiers_newest_first_with_what_i_must_do(client, world, lan, hung):
    older = drive(world, Status.AWAITING_SUPPLEMENT, LAN_ID, world_at(2026, 11, 2))
    newer = drive(world, Status.RECEIVED, LAN_ID, world_at(2026, 11, 10))
    theirs = drive(world, Status.RECEIVED, HUNG_ID, world_at(2026, 11, 12))
    html = signed_in(client, lan).get("/cong-dan/ho-so/").content.decode()
    assert html.index(newer.code) < html.index(older.code)
    assert theirs.code not in html
    assert "Cần bổ sung giấy tờ" in html and "Đã tiếp nhận" in html  # the tracking words
    assert "Cần bạn làm: Bổ sung giấy tờ" in html
    assert html.count('data-testid="to-do"') == 1
    assert "Hẹn trả kết quả" in html


def world_at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, 0, tzinfo=VN)


def test_an_empty_list_says_so_and_points_to_the_procedures(client, world, lan):
    r = signed_in(client, lan).get("/cong-dan/ho-so/")
    assert r.status_code == 200
    assert "Bạn chưa có hồ sơ nào." in r.content.decode()


def test_the_list_pages_by_twenty_and_survives_hostile_pages(client, world, lan):
    for day in range(21):
        drive(world, Status.RECEIVED, LAN_ID, world_at(2026, 10, 1) + dt.timedelta(hours=day))
    signed_in(client, lan)
    first = client.get("/cong-dan/ho-so/").content.decode()
    assert first.count('data-testid="my-dossier"') == 20 and "Trang 1/2" in first
    second = client.get("/cong-dan/ho-so/", {"trang": "2"}).content.decode()
    assert second.count('data-testid="my-dossier"') == 1
    for junk in ("-1", "0", "99999999999999999999", "abc", "Đ" * 3000):
        assert client.get("/cong-dan/ho-so/", {"trang": junk}).status_code == 200


def test_rating_pending_and_result_ready_are_flagged(client, world, lan, _pki):
    returned = returned_with_signed_result(world)
    ready = drive(world, Status.RESULT_READY)
    html = signed_in(client, lan).get("/cong-dan/ho-so/").content.decode()
    assert "Cần bạn làm: Đánh giá mức độ hài lòng" in html
    assert "Cần bạn làm: Nhận kết quả" in html
    assert returned.code in html and ready.code in html


def test_the_account_page_and_the_header_link_to_my_dossiers(client, world, lan):
    drive(world, Status.AWAITING_SUPPLEMENT)
    html = signed_in(client, lan).get("/cong-dan/").content.decode()
    assert 'href="/cong-dan/ho-so/"' in html
    assert 'data-testid="citizen-my-dossiers"' in html  # the header
    assert "1 việc cần làm" in html


# --- the dossier page ------------------------------------------------------------------------


def test_the_page_tells_the_history_in_plain_words_with_dates_and_agencies(client, world, lan):
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    html = signed_in(client, lan).get(page(d.code)).content.decode()
    assert "Quá trình giải quyết" in html
    assert "Đã tiếp nhận hồ sơ" in html and "Yêu cầu bổ sung giấy tờ" in html
    assert "Phân công xử lý" not in html  # internal hand-overs stay internal
    assert world.commune.name in html
    assert "09 giờ 00 ngày 02/11/2026" in html
    assert "Bản sao giấy chứng sinh" in html  # what is asked
    assert "Nếu bạn gửi ngay bây giờ, ngày hẹn trả kết quả mới là" in html


def test_a_term_to_answer_is_shown_when_the_province_sets_one(client, world, lan, settings):
    settings.MOTCUA_SUPPLEMENT_ANSWER_WORKING_DAYS = 5
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    html = signed_in(client, lan).get(page(d.code)).content.decode()
    assert 'data-testid="answer-by"' in html and "Hạn bổ sung" in html


def test_another_citizens_code_and_an_unknown_code_are_the_same_404(client, world, lan, hung):
    theirs = drive(world, Status.AWAITING_SUPPLEMENT, HUNG_ID)
    signed_in(client, lan)
    assert client.get(page(theirs.code)).status_code == 404
    assert client.get(page("000.00.12.H23-261117-9999")).status_code == 404


# --- the supplement answered online -----------------------------------------------------------


def answer(client, d, *files, note="Gửi bản sao giấy chứng sinh", version=None):
    data = {
        "version": d.version if version is None else version,
        "ghi_chu": note,
        "giay": list(files) or [SimpleUploadedFile("giay.jpg", photo(), "image/jpeg")],
    }
    return client.post(page(d.code, "bo-sung/"), data)


def test_answering_a_supplement_with_a_photo_resumes_the_clock(client, world, lan, clock):
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    request = d.supplements.get()
    clock.advance(days=7)  # a week later (Tuesday 24/11)
    r = answer(signed_in(client, lan), d)
    assert r.status_code == 302, r.content.decode()[:2000]
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    request.refresh_from_db()
    assert request.resubmitted_at == clock().astimezone(dt.UTC)
    assert d.due_at_current == deadlines.resumed_due(
        clock(), request.remaining_working_days, d.competent_unit_id
    )
    component = d.components.get(name__startswith="Giấy tờ bổ sung trực tuyến")
    assert component.digitized and component.file.name.endswith(".pdf")
    with component.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    event = d.events.get(action="resubmit_supplement")
    assert event.actor == lan and event.note == "Gửi bản sao giấy chứng sinh"
    html = client.get(page(d.code)).content.decode()
    assert "Đã bổ sung giấy tờ" in html and "Bạn (trực tuyến)" in html


def test_a_double_submitted_answer_counts_once(client, world, lan):
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    signed_in(client, lan)
    assert answer(client, d).status_code == 302
    again = answer(client, d)  # the same form, sent again (the same version)
    assert again.status_code == 409
    d.refresh_from_db()
    assert d.events.filter(action="resubmit_supplement").count() == 1
    assert DossierComponent.objects.filter(dossier=d, digitized=True).count() == 1


def test_a_bad_file_is_refused_in_vietnamese_and_nothing_moves(client, world, lan):
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    signed_in(client, lan)
    r = answer(client, d, SimpleUploadedFile("giay.jpg", b"not a photo at all", "image/jpeg"))
    assert r.status_code == 400
    assert "không phải ảnh" in r.content.decode()
    empty = answer(client, d, SimpleUploadedFile("giay.jpg", b"", "image/jpeg"))
    assert empty.status_code == 400 and "rỗng" in empty.content.decode()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_SUPPLEMENT


def test_only_the_applicant_may_resubmit_through_the_dossiers_service(world, lan, hung):
    """The rule lives in the service (workflow permit), not only in the view."""
    from django.core.exceptions import PermissionDenied

    d = drive(world, Status.AWAITING_SUPPLEMENT)
    with pytest.raises(PermissionDenied):
        dossier_services.resubmit_supplement(hung, dossier_id=d.pk)
    with pytest.raises(PermissionDenied):
        dossier_services.attach_document(
            hung,
            dossier_id=d.pk,
            kind=DossierDocument.Kind.WITHDRAWAL_REQUEST,
            file=SimpleUploadedFile("x.pdf", b"%PDF-1.4"),
            citizen_may=True,
        )
    assert dossier_services.resubmit_supplement(lan, dossier_id=d.pk).status == Status.PROCESSING


def test_no_answer_form_when_no_supplement_is_asked_and_a_post_is_refused(client, world, lan):
    d = drive(world, Status.PROCESSING)
    signed_in(client, lan)
    assert 'data-testid="supplement-form"' not in client.get(page(d.code)).content.decode()
    assert answer(client, d).status_code == 409
    assert not d.events.filter(action="resubmit_supplement").exists()


# --- withdrawal ------------------------------------------------------------------------------


def test_withdrawal_needs_a_reason_and_a_confirmation_then_goes_through(client, world, lan):
    d = drive(world, Status.PROCESSING)
    signed_in(client, lan)
    assert 'data-testid="withdraw-start"' in client.get(page(d.code)).content.decode()
    assert client.get(page(d.code, "rut/")).status_code == 200
    r = client.post(page(d.code, "rut/"), {"version": d.version, "ly_do": "", "xac_nhan": "1"})
    assert r.status_code == 400 and "Vui lòng ghi lý do rút hồ sơ." in r.content.decode()
    r = client.post(page(d.code, "rut/"), {"version": d.version, "ly_do": "Đã nộp nhầm"})
    assert r.status_code == 400 and "xác nhận" in r.content.decode()
    r = client.post(
        page(d.code, "rut/"), {"version": d.version, "ly_do": "Đã nộp nhầm", "xac_nhan": "1"}
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN
    letter = d.documents.get(kind=DossierDocument.Kind.WITHDRAWAL_REQUEST)
    with letter.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    event = d.events.get(action="withdraw")
    assert event.actor == lan and event.note == "Đã nộp nhầm"
    # a second, identical POST changes nothing
    again = client.post(
        page(d.code, "rut/"), {"version": d.version, "ly_do": "Đã nộp nhầm", "xac_nhan": "1"}
    )
    assert again.status_code == 409
    assert d.documents.filter(kind=DossierDocument.Kind.WITHDRAWAL_REQUEST).count() == 1


@pytest.mark.parametrize("status", [Status.RESULT_READY, Status.REFUSED, Status.STOPPED])
def test_withdrawal_is_not_offered_and_refused_when_the_rules_do_not_allow(
    client, world, lan, status
):
    d = drive(world, status)
    signed_in(client, lan)
    assert 'data-testid="withdraw-start"' not in client.get(page(d.code)).content.decode()
    assert client.get(page(d.code, "rut/")).status_code == 409
    r = client.post(page(d.code, "rut/"), {"version": d.version, "ly_do": "x", "xac_nhan": "1"})
    assert r.status_code == 409
    d.refresh_from_db()
    assert d.status == status


# --- the signed result through an expiring link -----------------------------------------------


def download_url(client, d, kind="result") -> str:
    import re

    html = client.get(page(d.code)).content.decode()
    match = re.search(rf'href="([^"]+)" data-testid="download-{kind}"', html)
    assert match, html[-3000:]
    return match.group(1).replace("&amp;", "&")


def test_the_signed_result_downloads_through_a_link_that_expires(client, world, lan, clock, _pki):
    d = returned_with_signed_result(world)
    signed_in(client, lan)
    url = download_url(client, d)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    body = b"".join(r.streaming_content)
    from motcua.documents.verification import verify_pdf

    assert verify_pdf(body).valid
    assert "no-store" in r["Cache-Control"]
    assert AuditEvent.objects.filter(action="citizen.download").count() == 1
    clock.advance(seconds=299)
    assert client.get(url).status_code == 200
    clock.advance(seconds=2)
    expired = client.get(url)
    assert expired.status_code == 403 and "đã hết hạn" in expired.content.decode()


def test_a_tampered_link_or_someone_elses_link_is_refused(client, world, lan, hung, _pki):
    d = returned_with_signed_result(world)
    signed_in(client, lan)
    url = download_url(client, d)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = url.replace(token, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    r = client.get(forged)
    assert r.status_code == 403 and "không hợp lệ" in r.content.decode()
    signed_in(client, hung)
    r = client.get(url)
    assert r.status_code == 403 and "không dành cho bạn" in r.content.decode()


def test_a_draft_result_awaiting_signature_is_never_offered(client, world, lan):
    from .myspace import result_pdf

    d = drive(world, Status.AWAITING_APPROVAL)
    dossier_services.attach_draft_result(world.specialist, dossier_id=d.pk, pdf_bytes=result_pdf())
    html = signed_in(client, lan).get(page(d.code)).content.decode()
    assert 'data-testid="download-result"' not in html


# --- the rating --------------------------------------------------------------------------------


def test_a_returned_dossier_is_rated_once(client, world, lan, _pki):
    d = returned_with_signed_result(world)
    signed_in(client, lan)
    assert 'data-testid="rate"' in client.get(page(d.code)).content.decode()
    r = client.post(page(d.code, "danh-gia/"), {"level": "not_satisfied"})
    assert r.status_code == 400 and "lý do" in r.content.decode()
    r = client.post(page(d.code, "danh-gia/"), {"level": "not_satisfied", "reason": "many_trips"})
    assert r.status_code == 302
    again = client.post(page(d.code, "danh-gia/"), {"level": "very_satisfied"})
    assert again.status_code == 302
    rating = Rating.objects.get(dossier=d)
    assert (rating.level, rating.reason, rating.channel) == (
        "not_satisfied",
        "many_trips",
        "online",
    )
    assert rating.rated_by == lan
    html = client.get(page(d.code)).content.decode()
    assert 'data-testid="rate"' not in html and 'data-testid="rated"' in html


def test_no_rating_before_the_result_is_returned(client, world, lan):
    d = drive(world, Status.PROCESSING)
    signed_in(client, lan)
    assert 'data-testid="rate"' not in client.get(page(d.code)).content.decode()
    r = client.post(page(d.code, "danh-gia/"), {"level": "satisfied"})
    assert r.status_code == 409
    assert not Rating.objects.filter(dossier=d).exists()


def test_dossier_rows_are_untouched_by_reading(client, world, lan):
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    version = d.version
    signed_in(client, lan).get(page(d.code))
    assert Dossier.objects.get(pk=d.pk).version == version
    assert reverse("citizens:my_dossier", args=[d.code]) == page(d.code)
