"""The dossier page: what the staff of the unit sees, and the actions their roles allow now.

Illegal actions answer 409 with the Vietnamese reason; bad input 400 with the field's message;
another unit's dossier 404; a double-submitted form makes one change."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import services
from motcua.dossiers.models import DossierDocument, Status

from .factories import applicant, at, drive_to, receive

pytestmark = pytest.mark.django_db


def page(pk) -> str:
    return f"/can-bo/ho-so/{pk}/"


def act(pk, action) -> str:
    return f"/can-bo/ho-so/{pk}/thao-tac/{action}/"


def offered(html: str) -> set[str]:
    return set(re.findall(r'data-testid="action-([a-z_]+)"', html))


def test_page_shows_summary_deadlines_steps_and_timeline(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    html = client.get(page(d.pk)).content.decode()
    assert d.code in html and "Nguyễn Văn An" in html and "001203004567" in html
    assert "Mã trạng thái quốc gia: 4" in html and "Đang xử lý" in html
    assert "Hẹn trả (ban đầu)" in html and "Hạn theo quy định" in html
    assert "Tiếp nhận, chuyển hồ sơ" in html and "Thẩm định, trình ký" in html
    assert "Chuyển xử lý" in html  # the timeline speaks Vietnamese, not action keys


def test_an_online_submission_without_a_staff_actor_shows_citizen_in_the_timeline(client, world):
    d = drive_to(world, Status.SUBMITTED)  # submitted by a citizen: the event has no staff actor
    client.force_login(world.specialist)
    response = client.get(page(d.pk))
    assert response.status_code == 200
    assert "Công dân / hệ thống" in response.content.decode()


def test_another_units_dossier_is_404_for_page_actions_and_documents(client, world):
    theirs = services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=at(2026, 11, 2, 9),
    )
    client.force_login(world.manager)
    assert client.get(page(theirs.pk)).status_code == 404
    assert client.post(act(theirs.pk, "finish_step"), {"version": 1}).status_code == 404
    assert client.get(f"/can-bo/ho-so/{theirs.pk}/van-ban/1/").status_code == 404
    assert client.get("/can-bo/ho-so/999999/").status_code == 404


def test_actions_offered_follow_role_and_status(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    mine = offered(client.get(page(d.pk)).content.decode())
    assert {"finish_step", "submit_for_approval", "request_supplement", "extend"} <= mine
    assert "approve_sign" not in mine and "assign" not in mine
    waiting = drive_to(world, Status.AWAITING_APPROVAL)
    client.force_login(world.leader)
    leader = offered(client.get(page(waiting.pk)).content.decode())
    assert {"approve_sign", "send_back"} <= leader and "submit_for_approval" not in leader


def test_illegal_action_answers_409_with_the_reason(client, world):
    d = drive_to(world, Status.RECEIVED)
    client.force_login(world.specialist)
    r = client.post(act(d.pk, "submit_for_approval"), {"version": d.version})
    assert r.status_code == 409
    html = r.content.decode()
    assert "Không thể “Trình lãnh đạo phê duyệt” khi hồ sơ đang ở trạng thái" in html
    assert 'data-testid="action-error"' in html


def test_result_ready_before_approval_is_refused_with_the_invariant(client, world):
    d = drive_to(world, Status.PROCESSING)
    services.attach_document(
        world.specialist,
        dossier_id=d.pk,
        kind=DossierDocument.Kind.RESULT,
        file=SimpleUploadedFile("kq.pdf", b"%PDF-1.4\n"),
    )
    client.force_login(world.specialist)
    r = client.post(act(d.pk, "mark_result_ready"), {"version": d.version})
    assert r.status_code == 409
    assert "phải được lãnh đạo phê duyệt" in r.content.decode()


def test_finish_step_double_submit_makes_one_change(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    form = {"version": d.version, "note": "Đủ điều kiện"}
    first = client.post(act(d.pk, "finish_step"), form)
    second = client.post(act(d.pk, "finish_step"), form, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "đã được ghi nhận" in second.content.decode()
    # the reception step closed at reception, the examination step by this click only
    assert d.steps.filter(finished_at__isnull=False).count() == 2
    assert d.events.filter(action="finish_step").count() == 1


def test_stale_form_of_someone_else_is_a_conflict(client, world):
    d = drive_to(world, Status.PROCESSING)
    stale = d.version
    services.finish_step(world.manager, dossier_id=d.pk)
    client.force_login(world.specialist)
    r = client.post(act(d.pk, "finish_step"), {"version": stale})
    assert r.status_code == 409
    assert "vừa được cập nhật bởi thao tác khác" in r.content.decode()


def test_supplement_request_needs_items_and_reason(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.post(act(d.pk, "request_supplement"), {"version": d.version, "items": " "})
    assert r.status_code == 400
    html = r.content.decode()
    assert "Phải liệt kê đầy đủ các nội dung cần bổ sung." in html
    r = client.post(
        act(d.pk, "request_supplement"),
        {"version": d.version, "items": "Bản sao giấy chứng sinh\n", "reason": "Thiếu"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.AWAITING_SUPPLEMENT


def test_financial_obligation_amount_must_be_whole_vnd(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.post(
        act(d.pk, "request_financial_obligation"), {"version": d.version, "amount_vnd": "12.5"}
    )
    assert r.status_code == 400 and "số nguyên" in r.content.decode()
    r = client.post(
        act(d.pk, "request_financial_obligation"), {"version": d.version, "amount_vnd": "150000"}
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.AWAITING_FINANCIAL_OBLIGATION


def test_result_upload_is_checked_by_content(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    fake = SimpleUploadedFile("ket-qua.pdf", b"MZ not a pdf", content_type="application/pdf")
    r = client.post(act(d.pk, "attach_result"), {"version": d.version, "file": fake})
    assert r.status_code == 400 and "không phải là văn bản PDF" in r.content.decode()
    assert not d.documents.exists()


def test_assign_step_to_a_specialist(client, world):
    d = receive(world)
    client.force_login(world.manager)
    r = client.post(act(d.pk, "assign"), {"version": d.version, "assignee": world.specialist.pk})
    assert r.status_code == 302
    # the examination step, never the counter's reception step (closed by the officer)
    assert d.steps.get(order=2).assignee == world.specialist
    assert d.steps.get(order=1).assignee == world.officer
    r = client.post(act(d.pk, "assign"), {"version": d.version + 1, "assignee": 999999})
    assert r.status_code == 400


def test_extend_with_apology_generates_the_letter(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.post(act(d.pk, "extend"), {"version": d.version, "new_due_date": "2026-11-16"})
    assert r.status_code == 400 and "Gia hạn phải có lý do bằng văn bản." in r.content.decode()
    r = client.post(
        act(d.pk, "extend"),
        {"version": d.version, "reason": "Chờ xác minh", "new_due_date": "2026-11-01"},
    )
    assert r.status_code == 400 and "phải sau ngày hẹn hiện tại" in r.content.decode()
    r = client.post(
        act(d.pk, "extend"),
        {
            "version": d.version,
            "reason": "Chờ xác minh của công an xã",
            "new_due_date": "2026-11-16",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    extension = d.extensions.get()
    assert extension.letter_file.name.endswith(".pdf")
    letter = client.get(f"/can-bo/ho-so/{d.pk}/xin-loi/{extension.pk}/")
    assert letter.status_code == 200
    assert b"".join(letter.streaming_content).startswith(b"%PDF-")
    d.refresh_from_db()
    assert d.due_at_current.date().isoformat() == "2026-11-16"


def test_stop_without_the_letter_is_refused_with_a_message(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.post(act(d.pk, "stop"), {"version": d.version, "reason": "Có tranh chấp"})
    assert r.status_code == 400 and "Vui lòng chọn tệp PDF." in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.PROCESSING


def test_transfer_and_acknowledge_between_communes(client, world):
    from motcua.accounts.models import Role

    from .factories import make_staff

    d = drive_to(world, Status.RECEIVED)
    client.force_login(world.manager)
    r = client.post(
        act(d.pk, "transfer"),
        {"version": d.version, "to_unit": world.other.pk, "reason": "Đúng thẩm quyền xã bên"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.TRANSFERRING and d.competent_unit == world.other
    other_manager = make_staff((Role.MANAGER, world.other))
    client.force_login(other_manager)
    assert "acknowledge_transfer" in offered(client.get(page(d.pk)).content.decode())
    r = client.post(act(d.pk, "acknowledge_transfer"), {"version": d.version})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RECEIVED


def test_dossier_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    client.force_login(world.leader)
    client.get(page(d.pk))
    with django_assert_max_num_queries(40):
        assert client.get(page(d.pk)).status_code == 200


def test_confirmed_payment_resumes_processing(client, world):
    d = drive_to(world, Status.AWAITING_FINANCIAL_OBLIGATION)
    client.force_login(world.officer)
    assert "confirm_payment" in offered(client.get(page(d.pk)).content.decode())
    r = client.post(
        act(d.pk, "confirm_payment"),
        {"version": d.version, "paid_online": "on", "reference": "BL1"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.paid_online
