"""The papers are built from a dossier's rows: what each paper says comes from the dossier."""

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Status
from motcua.dossiers.papers import data, from_dossier

from .factories import at, drive_to

pytestmark = pytest.mark.django_db


def test_agency_is_the_communes_service_centre(world):
    agency = from_dossier.agency(world.commune)
    assert agency.name == "Trung tâm Phục vụ hành chính công xã An Hưng"
    assert agency.parent_name == "Ủy ban nhân dân xã An Hưng"
    assert agency.locality == "An Hưng"


def test_receipt_holds_code_applicant_appointment_and_receiver(world):
    dossier = drive_to(world, Status.RECEIVED)
    receipt = from_dossier.receipt(dossier, lookup_url="https://x.vn/tra-cuu/?ma=1")
    assert receipt.dossier_code == dossier.code
    assert receipt.applicant.name == "Nguyễn Văn An"
    assert receipt.applicant.salutation == "Ông/Bà"
    assert receipt.appointment_at == dossier.due_at
    assert receipt.received_at == dossier.received_at
    assert receipt.receiver_name == "Trần Thị Một Cửa"
    assert receipt.processing_time_text == "05 ngày làm việc"
    assert [c.name for c in receipt.components] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert receipt.register_entry_no == dossier.code.rsplit("-", 1)[1]


def test_no_receipt_for_an_online_dossier_not_yet_accepted(world):
    assert from_dossier.receipt(drive_to(world, Status.SUBMITTED), lookup_url="u") is None


def test_supplement_request_lists_the_items_asked(world):
    dossier = drive_to(world, Status.AWAITING_SUPPLEMENT)
    paper = from_dossier.supplement_request(dossier)
    assert paper.items == ("Bản sao giấy chứng sinh",)
    assert paper.reason == "Thiếu"
    assert paper.officer_name == "Lê Văn Chuyên"
    assert from_dossier.supplement_request(drive_to(world, Status.RECEIVED)) is None


def test_refusal_reads_the_reason_from_the_refusal(world):
    dossier = drive_to(world, Status.REFUSED)
    paper = from_dossier.refusal(dossier)
    assert paper.reason == "Không thuộc thẩm quyền"
    assert paper.signer_name == "Trần Thị Một Cửa"
    assert paper.dossier_code == dossier.code
    assert from_dossier.refusal(drive_to(world, Status.RECEIVED)) is None


def test_apology_states_old_and_new_appointment(world):
    dossier = drive_to(world, Status.PROCESSING)
    old_due = dossier.due_at_current
    services.extend_with_apology(
        world.specialist,
        dossier_id=dossier.pk,
        reason="Chờ xác minh",
        new_due_at=at(2026, 11, 16, 16),
        approved_by=world.leader,
        at=at(2026, 11, 3, 9),
    )
    paper = from_dossier.apology(dossier)
    assert paper.original_due_at == old_due
    assert paper.new_due_at == at(2026, 11, 16, 16)
    assert paper.signer_name == "Phạm Văn Lãnh"


def test_stop_notice_only_for_a_stopped_dossier(world):
    assert from_dossier.stop_notice(drive_to(world, Status.PROCESSING)) is None
    paper = from_dossier.stop_notice(drive_to(world, Status.STOPPED))
    assert paper.reason == "Có tranh chấp"


def test_control_sheet_has_a_row_per_started_step_with_its_result(world):
    dossier = drive_to(world, Status.RETURNED)
    sheet = from_dossier.control_sheet(dossier)
    assert [h.step_name for h in sheet.handovers] == [
        "Tiếp nhận, chuyển hồ sơ",
        "Thẩm định, trình ký",
        "Lãnh đạo ký duyệt",
    ]
    # the applicant hands the dossier to the counter officer, who hands it to the
    # specialist, who hands the draft to the leader: the people who really held each step
    assert [(h.giver, h.receiver) for h in sheet.handovers] == [
        ("Nguyễn Văn An", "Trần Thị Một Cửa"),
        ("Trần Thị Một Cửa", "Lê Văn Chuyên"),
        ("Lê Văn Chuyên", "Phạm Văn Lãnh"),
    ]
    assert all(h.finished_at is not None and h.due_at is not None for h in sheet.handovers)
    assert all(isinstance(h.result, data.Timeliness) for h in sheet.handovers)


def test_tracking_book_skips_dossiers_without_appointment(world):
    received = drive_to(world, Status.RECEIVED)
    online = drive_to(world, Status.SUBMITTED)
    book = from_dossier.tracking_book(
        world.commune,
        [received, online],
        start=at(2026, 11, 1).date(),
        end=at(2026, 11, 30).date(),
    )
    assert [r.dossier_code for r in book.rows] == [received.code]
    assert book.rows[0].note == "Đã tiếp nhận"
