"""What each message tells the national portal besides the status (RULES.md section 4): the
step history (QuaTrinhXuLy), the fees and obligations with whether they are paid and how, the
supplement requests as a list, each paper's reuse flags and the state databases consulted, all
as they were at the change the message is about."""

import pytest

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.models import IdentityVia, Status
from motcua.payments import services as payments
from motcua.portalsync import adapter, selectors
from motcua.portalsync.models import PortalMessage
from motcua.registry import services as registry
from tests.dossiers.factories import drive_to, make_procedure, receive
from tests.registry.conftest import LAN, make_user

pytestmark = pytest.mark.django_db


def statuses(dossier) -> list[PortalMessage]:
    return list(PortalMessage.objects.filter(dossier=dossier, kind="status").order_by("seq"))


def last(dossier) -> dict:
    return statuses(dossier)[-1].payload


def body(message: PortalMessage) -> dict:
    return adapter.envelope(message)["DuLieu"]


def test_the_step_history_says_who_did_what_to_which_status_and_when(world):
    dossier = drive_to(world, Status.RETURNED)
    history = last(dossier)["history"]
    assert [h["action"] for h in history] == [
        "receive",
        "start_processing",
        "finish_step",
        "submit_for_approval",
        "approve",
        "mark_result_ready",
        "return_result",
    ]
    assert [h["status"] for h in history] == [2, 4, 4, 4, 4, 9, 10]
    by_action = {h["action"]: h for h in history}
    reception = by_action["receive"]
    assert reception["actor"] == "Trần Thị Một Cửa"
    assert reception["unit"] == "Xã An Hưng" and reception["department"] == "Trung tâm PVHCC"
    assert reception["step"].startswith("Tiếp nhận") and reception["step_due_at"]
    examination = by_action["finish_step"]
    assert examination["actor"] == "Lê Văn Chuyên"
    assert examination["department"] == "Phòng Văn hóa - Xã hội"
    assert examination["step_started_at"] and examination["step_due_at"]
    assert by_action["approve"]["actor"] == "Phạm Văn Lãnh"
    # a hand-over completes no step of the control sheet: no unit, department or deadline
    assert by_action["start_processing"]["step"] == ""
    assert by_action["start_processing"]["step_due_at"] is None
    # each message carries the history up to its own change, no further
    assert [len(m.payload["history"]) for m in statuses(dossier)] == [1, 2, 4, 5, 6, 7]
    portal = body(statuses(dossier)[-1])["QuaTrinhXuLy"]
    assert [s["TrangThai"] for s in portal] == [2, 4, 4, 4, 4, 9, 10]
    assert portal[0]["NguoiXuLy"] == "Trần Thị Một Cửa" and len(portal[0]["ThoiDiemXuLy"]) == 14
    assert portal[0]["PhongBanXuLy"] == "Trung tâm PVHCC"
    assert len(portal[0]["NgayKetThucTheoQuyDinh"]) == 14
    assert portal[1]["NgayKetThucTheoQuyDinh"] == ""


def test_the_step_history_costs_one_query_however_long_it_is(world, django_assert_num_queries):
    short = receive(world)
    long = drive_to(world, Status.RETURNED)
    with django_assert_num_queries(1):
        found = selectors.histories([short.pk, long.pk])
    assert len(found[short.pk]) == 1 and len(found[long.pk]) == 7


def test_fees_paid_at_the_counter_are_sent_paid_without_an_online_method(world):
    dossier = receive(world)
    assert last(dossier)["fees"] == [
        {
            "kind": "le_phi",
            "name": "Lệ phí",
            "amount_vnd": 8000,
            "legal_basis": "",
            "paid": False,
            "online_method": "",
        }
    ]
    request = payments.request_fees(world.officer, dossier_id=dossier.pk)
    payments.take_at_counter(
        world.officer, request_id=request.pk, method="cash", idempotency_key="tien-mat"
    )
    services.start_processing(world.officer, dossier_id=dossier.pk, assignee=world.specialist)
    fee = last(dossier)["fees"][0]
    assert fee["paid"] is True and fee["online_method"] == ""
    portal = body(statuses(dossier)[-1])["DanhSachLePhi"][0]
    assert portal["DaThanhToan"] == 1 and portal["HinhThucThanhToanTrucTuyen"] == ""
    assert portal["LoaiPhiLePhi"] == 2 and portal["Gia"] == 8000
    # the reception message stays as it was: the fee was not paid then
    assert statuses(dossier)[0].payload["fees"][0]["paid"] is False


def test_fees_paid_by_vietqr_name_the_online_method(world):
    dossier = receive(world)
    request = payments.request_fees(world.officer, dossier_id=dossier.pk)
    attempt = payments.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key="qr"
    )
    payments.record_paid(
        None,
        report=payments.Report(
            reference=attempt.reference, amount_vnd=attempt.amount_vnd, transaction_id="FT1"
        ),
    )
    services.start_processing(world.officer, dossier_id=dossier.pk, assignee=world.specialist)
    portal = body(statuses(dossier)[-1])
    assert portal["DanhSachLePhi"][0]["HinhThucThanhToanTrucTuyen"] == "VIETQR"
    assert portal["DuocThanhToanTrucTuyen"] == 1


def test_a_financial_obligation_is_a_fee_line_unpaid_then_paid(world):
    dossier = drive_to(world, Status.AWAITING_FINANCIAL_OBLIGATION)
    owed = last(dossier)["fees"][-1]
    assert owed["kind"] == "obligation" and owed["amount_vnd"] == 50000
    assert owed["paid"] is False and owed["name"] == "Nghĩa vụ tài chính"
    request = payments.request_obligation(world.officer, dossier_id=dossier.pk)
    attempt = payments.start_attempt(
        world.officer, request_id=request.pk, method="platform", idempotency_key="ntt"
    )
    payments.record_paid(
        None,
        report=payments.Report(
            reference=attempt.reference, amount_vnd=attempt.amount_vnd, transaction_id="PG1"
        ),
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING  # the credit resumed it: a status message
    paid = last(dossier)["fees"][-1]
    assert paid["paid"] is True and paid["online_method"] == "platform"
    line = body(statuses(dossier)[-1])["DanhSachLePhi"][-1]
    assert line["LoaiPhiLePhi"] == 3 and line["HinhThucThanhToanTrucTuyen"] == "NEN_TANG_TTQG"


def test_supplements_are_a_list_with_their_date_reason_and_answer(world):
    dossier = drive_to(world, Status.AWAITING_SUPPLEMENT)
    (asked,) = last(dossier)["supplements"]
    assert asked["reason"] == "Thiếu" and asked["items"] == ["Bản sao giấy chứng sinh"]
    assert asked["requested_by"] == "Lê Văn Chuyên" and asked["requested_at"]
    assert asked["answered_at"] is None and asked["due_at_before"]
    services.resubmit_supplement(world.officer, dossier_id=dossier.pk)
    (answered,) = last(dossier)["supplements"]
    assert answered["answered_at"] and answered["due_at_after"]
    portal = body(statuses(dossier)[-1])["DanhSachHoSoBoSung"][0]
    assert portal["TrangThaiBoSung"] == 1 and len(portal["NgayTiepNhanBoSung"]) == 14
    assert portal["NoiDungBoSung"] == "Bản sao giấy chứng sinh" and portal["LyDo"] == "Thiếu"
    assert len(portal["NgayHenTraTruoc"]) == 14 and len(portal["NgayHenTraMoi"]) == 14


def test_each_paper_says_whether_it_was_reused_or_taken_from_state_data(world):
    dossier = receive(
        world,
        components=[
            services.ComponentIn(name="Tờ khai đăng ký khai sinh"),
            services.ComponentIn(name="Giấy chứng sinh", reused_from_warehouse=True),
            services.ComponentIn(name="Thông tin cư trú", from_state_data=True),
        ],
    )
    papers = body(statuses(dossier)[0])["TaiLieuNop"]
    assert [(p["TenTepDinhKem"], p["DuocTaiSuDung"], p["DuocLayTuKhoDMQG"]) for p in papers] == [
        ("Tờ khai đăng ký khai sinh", 0, 0),
        ("Giấy chứng sinh", 1, 0),
        ("Thông tin cư trú", 0, 1),
    ]
    assert [p["DuocSoHoa"] for p in papers] == [0, 1, 1]
    assert body(statuses(dossier)[0])["DSKetNoiCSDL"] == []


def test_a_population_database_check_at_reception_is_sent_as_a_database_consulted(
    people, vinh_bao, shipped_calendar
):
    officer = make_user((Role.COUNTER_OFFICER, vinh_bao), name="Nguyễn Thị Hòa")
    person, lookup = registry.lookup_recorded(
        LAN, actor=officer, purpose="reception", unit=vinh_bao
    )
    dossier = services.receive_at_counter(
        officer,
        procedure=make_procedure(vinh_bao.parent),
        receiving_unit=vinh_bao,
        applicant=services.Applicant(name=person.full_name, id_number=LAN),
        registry_lookup=lookup.pk,
    )
    assert dossier.identity_verified_via == IdentityVia.POPULATION_DB
    assert body(statuses(dossier)[0])["DSKetNoiCSDL"] == [{"MaCSDL": "CSDLQG_DAN_CU"}]


def test_the_simulated_portal_takes_every_new_list_as_sent(world, portal):
    from motcua.portalsim.models import ReceivedMessage
    from motcua.portalsync import services as sync

    dossier = drive_to(world, Status.AWAITING_SUPPLEMENT)
    services.resubmit_supplement(world.officer, dossier_id=dossier.pk)
    done = sync.drain()
    assert done.sent == len(statuses(dossier)) and done.refused == 0
    held = ReceivedMessage.objects.filter(dossier_code=dossier.code).order_by("id").last()
    assert held.body["DuLieu"]["DanhSachHoSoBoSung"][0]["TrangThaiBoSung"] == 1


def test_a_messages_facts_cost_the_same_queries_for_a_short_and_a_long_dossier(
    world, django_assert_num_queries
):
    from motcua.dossiers.models import Dossier
    from motcua.portalsync import outbox

    for dossier in (receive(world), drive_to(world, Status.RETURNED)):
        read = selectors.with_fee_request(Dossier.objects.filter(pk=dossier.pk))
        row = read.select_related("receiving_unit", "competent_unit").get()
        with django_assert_num_queries(2):  # the history, the papers
            found = outbox.facts([row], with_results=False)
        assert found[dossier.pk].history
