"""The citizen portal's acceptance chain (issue 12) in real browsers, each person alone in a
window of their own: Lan signs in on her 360 px phone through the development identity
provider, files a birth registration with what the state knows prefilled and her ID paper
reused, and submits (at most 3 typed fields, under 2 minutes from sign-in); the counter
officer finds it waiting for reception and receives it, hands it to the specialist, who
examines it and attaches the result; the leader approves and e-signs it; the specialist sends
it back to the one-stop and the officer returns it online. After every status change Lan has
been told by SMS (the notifications outbox) and her own space says where the dossier stands in
plain Vietnamese; at the end she downloads the signed result through its expiring link and
rates the dossier, once. Screenshots e2e-online-chain-*.png and filing-chain-*.png are looked
at.

Time: the app's clock starts on Tuesday 17/11/2026 09:00 in the commune and ticks with real
time (`tests.clock.Ticking`), so the reception clock (MOTCUA_ONLINE_RECEPTION_HOURS working
hours) and the shipped calendar see a working morning whatever the day and hour of the run,
and the time from sign-in to submission is still measured for real."""

import datetime as dt
import io
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint import HTML

from motcua.accounts.models import Role
from motcua.core import calendar
from motcua.core.text import fold
from motcua.documents.verification import verify_pdf
from motcua.dossiers.models import Dossier, OnlineFiling, Status
from motcua.feedback.models import Rating
from motcua.integrations.models import Notification
from tests.citizens.conftest import devidp, rp  # noqa: F401 (the identity provider fixtures)
from tests.clock import Ticking
from tests.dossiers.conftest import notify_outbox  # noqa: F401 (messages delivered inline)
from tests.dossiers.factories import add_routing, make_staff
from tests.filing.factories import ID_PAPER, LAN, make_filing_world
from tests.filing.walk import file_birth_registration

from .conftest import assert_clean_console, assert_fits_the_screen
from .test_dossier_chain_browser import (  # the staff windows' steps
    PASSWORD,
    RESULT_HTML,
    _act,
    _attach_result_and_submit,
    _isolated,  # noqa: F401 (autouse: media, signing keys, a private cache)
    _leader_signs,
    _offered,
    _open,
    _sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TUESDAY_9AM = dt.datetime(2026, 11, 17, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
LAN_PHONE = "0912 345 678"
SLOW_MACHINE_MS = 30_000  # a signature or a page under a loaded CI machine can take > 10 s


@pytest.fixture
def clock(monkeypatch):
    """The live server runs in this process: its clock (and the deadline warnings') too."""
    c = Ticking(TUESDAY_9AM)
    monkeypatch.setattr(timezone, "now", lambda: c().astimezone(dt.UTC))
    return c


@pytest.fixture
def world(notify_outbox, rp, clock, settings):  # noqa: F811
    """Vĩnh Bảo with its population, birth registration routed through four steps, and its
    counter officer, specialist and leader, each signing in with a password."""
    settings.MOTCUA_ONLINE_RECEPTION_HOURS = 8  # the default, stated: the worklist says "fresh"
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    fw = make_filing_world()
    add_routing(fw.birth)
    specialist = make_staff((Role.SPECIALIST, fw.commune), name="Lê Văn Chuyên")
    leader = make_staff((Role.LEADER, fw.commune), name="Phạm Văn Lãnh")
    for user in (fw.officer, specialist, leader):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    fw.specialist, fw.leader = specialist, leader
    return fw


class Lan:
    """Her phone, and what she has been told so far."""

    def __init__(self, page: Page, rp_url: str, shoot) -> None:
        self.page, self.rp, self.shoot = page, rp_url, shoot
        self.told: list[str] = []

    def messages(self, dossier: Dossier) -> list[Notification]:
        return list(
            Notification.objects.filter(
                object_type="dossiers.dossier", object_id=str(dossier.pk)
            ).order_by("id")
        )

    def sees(
        self, dossier: Dossier, *, status: str, told: str | tuple[str, ...] | None, shot: str
    ) -> None:
        """Her own space shows `status`; `told`: the outbox purpose of the new message(s) the
        change sent her by SMS (None: an internal step, nothing new)."""
        dossier.refresh_from_db()
        rows = self.messages(dossier)
        if told is not None:
            self.told.extend([told] if isinstance(told, str) else told)
        assert [m.purpose for m in rows] == self.told, [m.purpose for m in rows]
        for message in rows:
            assert (message.channel, message.to_address) == ("sms", "+84912345678")
            assert message.status == Notification.Status.SENT, message.last_error
            assert dossier.code in message.body
        page = self.page
        page.goto(f"{self.rp}/cong-dan/ho-so/{dossier.code}/")
        expect(page.get_by_test_id("dossier-code")).to_have_text(dossier.code)
        expect(page.get_by_test_id("status")).to_contain_text(status)
        assert_fits_the_screen(page)
        assert_clean_console(page)
        self.shoot(page, f"online-chain-lan-{shot}")


def test_lan_files_online_and_the_commune_processes_signs_and_returns_it(
    browser: Browser,
    live_server,
    devidp,  # noqa: F811
    world,
    phone,
    shoot,
    artifacts_dir,
    tmp_path,
):
    w, url = world, live_server.url
    lan = Lan(phone, url, shoot)
    phone.set_default_timeout(SLOW_MACHINE_MS)

    # 1. Lan files on her phone, from the procedure page to the receipt.
    shots = iter(range(1, 100))

    def filing_shot(name: str) -> None:
        assert_fits_the_screen(phone)
        phone.screenshot(
            path=str(artifacts_dir / f"filing-chain-{next(shots):02d}-{name}-360.png"),
            full_page=True,
        )

    filed = file_birth_registration(
        phone,
        rp=url,
        devidp_url=devidp.url,
        fw=w,
        shot=filing_shot,
        tmp_path=tmp_path,
        phone_number=LAN_PHONE,
    )
    dossier = Dossier.objects.get(code=filed.code)
    assert (dossier.status, dossier.channel, dossier.applicant_id_number) == (1, "online", LAN)
    assert dossier.result_delivery == "online"
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.typed_fields is not None and filing.typed_fields <= 3, filing.typed_fields
    assert filing.reused_documents == 1
    assert dossier.components.filter(reused_from_warehouse=True, name=ID_PAPER).exists()
    assert filing.seconds_to_submit is not None and filing.seconds_to_submit < 120
    assert filing.seconds_to_submit <= filed.elapsed + 2  # from her sign-in, as she lived it
    assert filing.signed_in_at.astimezone(TUESDAY_9AM.tzinfo).date() == TUESDAY_9AM.date()
    lan.sees(dossier, status="Đã nộp trực tuyến, chờ tiếp nhận", told="dossier_submitted", shot="1")

    # 2. The counter officer finds it waiting for reception, fresh, and receives it.
    officer_ctx, officer = _sign_in(browser, live_server, w.officer, 1280)
    officer.set_default_timeout(SLOW_MACHINE_MS)
    officer.goto(f"{url}/can-bo/ho-so/?tab=awaiting_reception")
    row = officer.locator("[data-testid=dossier-row]", has_text=filed.code)
    expect(row).to_contain_text("Chờ tiếp nhận")
    expect(row).not_to_contain_text("quá hạn tiếp nhận")
    shoot(officer, "online-chain-2-awaiting-reception")
    with officer.expect_navigation():
        row.get_by_text(filed.code).click()
    expect(officer.get_by_test_id("reception-clock")).to_be_visible()
    shoot(officer, "online-chain-2-counter-page")
    with officer.expect_navigation():
        officer.get_by_role("button", name="Tiếp nhận hồ sơ trực tuyến").click()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.due_at_current is not None
    shoot(officer, "online-chain-2-received")
    lan.sees(dossier, status="Đã tiếp nhận", told="dossier_received", shot="2-received")

    # ... and hands it to the specialist, the one button of the department the counter gets.
    officer.goto(f"{url}/can-bo/ho-so/{dossier.pk}/")
    assert "start_processing" in _offered(officer)
    _open(officer, "start_processing")
    officer.select_option(
        "[data-testid=action-start_processing] select", label=w.specialist.full_name
    )
    with officer.expect_navigation():
        officer.click("[data-testid=submit-start_processing]")
    expect(officer.locator("[data-testid=status]")).to_contain_text("Đang xử lý")
    shoot(officer, "online-chain-2-handed-over")
    lan.sees(dossier, status="Đang giải quyết", told="dossier_assigned", shot="3-processing")

    # 3. The specialist finds it on the worklist, reads Lan's papers, attaches the result.
    result_pdf = tmp_path / "giay-khai-sinh.pdf"
    result_pdf.write_bytes(HTML(string=RESULT_HTML).write_pdf())
    specialist_ctx, specialist = _sign_in(browser, live_server, w.specialist, 1280)
    specialist.set_default_timeout(SLOW_MACHINE_MS)
    specialist.goto(f"{url}/can-bo/ho-so/")
    expect(specialist.locator("[data-testid=dossier-row]")).to_contain_text(filed.code)
    shoot(specialist, "online-chain-3-worklist")
    with specialist.expect_navigation():
        specialist.click(f"text={filed.code}")
    assert {"attach_result", "submit_for_approval"} <= _offered(specialist)
    expect(specialist.get_by_text(ID_PAPER)).to_be_visible()  # the paper she reused
    _attach_result_and_submit(specialist, result_pdf)
    shoot(specialist, "online-chain-3-submitted")
    assert_clean_console(specialist)
    lan.sees(dossier, status="Đang giải quyết", told=None, shot="4-awaiting-approval")

    # 4. The leader approves and e-signs on the real signing path.
    leader_ctx, leader = _sign_in(browser, live_server, w.leader, 1280)
    leader.set_default_timeout(SLOW_MACHINE_MS)
    _leader_signs(leader, url, filed.code, shoot, "online-chain-4")
    shoot(leader, "online-chain-4-signed")
    assert_clean_console(leader)
    leader_ctx.close()
    lan.sees(dossier, status="Đang giải quyết", told="dossier_approved", shot="5-approved")

    # 5. The specialist sends the signed result to the one-stop ...
    specialist.goto(f"{url}/can-bo/ho-so/{dossier.pk}/")
    _act(specialist, "mark_result_ready", "Hồ sơ đã có kết quả")
    expect(specialist.locator("[data-testid=status]")).to_contain_text("Đã xử lý xong")
    shoot(specialist, "online-chain-5-ready")
    specialist_ctx.close()
    lan.sees(dossier, status="Đã có kết quả", told="result_ready", shot="6-ready")
    # she asked for it online: she is not sent to the counter, she is told where to download
    expect(phone.get_by_test_id("status")).to_contain_text("tải kết quả đã ký số")
    expect(phone.get_by_test_id("appointment")).not_to_contain_text("Mang theo giấy tiếp nhận")
    ready_sms = fold(lan.messages(dossier)[-1].body)  # SMS text may be without diacritics
    assert fold("Hồ sơ của tôi") in ready_sms and fold("nhận kết quả tại") not in ready_sms

    # ... and the officer returns it online, as Lan asked when she filed.
    officer.goto(f"{url}/can-bo/mot-cua/tra-ket-qua/?q={filed.code}")
    row = officer.get_by_test_id("return-rows").locator("li", has_text=filed.code)
    expect(row).to_contain_text("kết quả đã ký số")
    expect(row.locator("input[name=delivery][value=online]")).to_be_checked()
    shoot(officer, "online-chain-5-return")
    with officer.expect_navigation():
        row.get_by_role("button", name="Trả kết quả").click()
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.result_delivery == "online"
    shoot(officer, "online-chain-5-returned")
    assert_clean_console(officer)
    officer_ctx.close()
    lan.sees(
        dossier,
        status="Đã trả kết quả",
        told=("dossier_returned", "rating_invite"),
        shot="7-returned",
    )

    # 6. Lan downloads the signed result through its expiring link: a PDF signed here.
    with phone.expect_download() as download_info:
        phone.get_by_test_id("download-result").click()
    saved = artifacts_dir / "online-chain-signed-result.pdf"
    download_info.value.save_as(str(saved))
    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    signatures = PdfFileReader(io.BytesIO(content)).embedded_signatures
    # the leader's own signature first, then the unit's seal over the whole file (decisions/0035)
    assert len(signatures) == 2 and all(s.field_name for s in signatures)
    verdict = verify_pdf(content)
    assert verdict.valid and verdict.issued_here
    assert verdict.document.object_id == str(dossier.pk)

    # 7. She rates it once; a second rating (a POST her page no longer offers) is refused.
    phone.get_by_test_id("rate").get_by_role("button", name="Hài lòng", exact=True).click()
    expect(phone.locator(".messages")).to_contain_text("Cảm ơn bạn đã đánh giá.")
    expect(phone.get_by_test_id("rated")).to_contain_text("Hài lòng")
    expect(phone.get_by_test_id("rate")).to_have_count(0)
    assert_fits_the_screen(phone)
    shoot(phone, "online-chain-lan-8-rated")
    token = next(c["value"] for c in phone.context.cookies() if c["name"] == "csrftoken")
    again = phone.context.request.post(
        f"{url}/cong-dan/ho-so/{filed.code}/danh-gia/",
        form={"csrfmiddlewaretoken": token, "level": "not_satisfied", "reason": "long_wait"},
        headers={"Referer": f"{url}/cong-dan/ho-so/{filed.code}/"},
    )
    assert again.ok and "mỗi hồ sơ chỉ đánh giá một lần" in again.text()
    rating = Rating.objects.get(dossier_id=dossier.pk)
    assert (rating.level, rating.channel) == ("satisfied", "online")
    assert_clean_console(phone)
