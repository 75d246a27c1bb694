"""A petition from submission to rating through the one machine: routing, deadlines in working
days (Tết 2027), who may do what (refusals), events and audit rows, transfer, overdue."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from motcua.core.models import AuditEvent
from motcua.core.statemachine import IllegalTransition
from motcua.petitions import challenge, services
from motcua.petitions.models import Petition

from .conftest import at, petition_in, solved, submit

pytestmark = pytest.mark.django_db

S = Petition.Status


def test_routed_to_the_categorys_department_with_ten_working_days_across_tet_2027(world):
    # Received Monday 1/2/2027; Tết holidays 4/2-10/2 (Thursday 29 Tết to mùng năm) are not
    # counted: 2, 3, 11, 12, 15, 16, 17, 18, 19, 22 February. Without Tết: 15 February.
    p = submit(world, when=at(2027, 2, 1))
    assert p.department == world.economy
    assert p.days == 10
    assert p.due_at == at(2027, 2, 22, 17)
    assert p.status == S.RECEIVED
    assert p.code.startswith("PA-") and len(p.code) == 12
    event = p.events.get()
    assert (event.action, event.from_status, event.to_status) == ("receive", "", S.RECEIVED)
    row = AuditEvent.objects.get(action="petition.receive", object_id=str(p.pk))
    assert "Nguyễn" not in str(row.changes) and "0912" not in str(row.changes)


def test_a_category_sets_its_own_days_and_a_late_reception_counts_from_the_next_day(world):
    # 15 working days for land; received Wednesday 3/2/2027 at 16:00 (after the 15:00 cut-off):
    # day 0 is 11/2 (Tết in between), then 12, 15-19, 22-26, 1-3 March: 3 March.
    p = submit(world, when=at(2027, 2, 3, 16), category=world.land.pk)
    assert p.days == 15
    assert p.due_at == at(2027, 3, 4, 17)


def test_the_whole_path_with_an_event_and_an_audit_row_per_move(world):
    p = submit(world)
    services.assign(p.pk, actor=world.manager, handler=world.handler)
    services.answer(
        p.pk,
        actor=world.handler,
        text="Ngày 20/11/2026 Phòng Kinh tế đã thay bóng ba cột đèn; ông Nguyễn Văn An "
        "(0912345678) đã được báo.",
    )
    p = services.publish(p.pk, actor=world.leader)
    assert p.status == S.PUBLISHED
    assert "Nguyễn Văn An" not in p.published_answer
    assert "0912345678" not in p.published_answer
    assert "Phòng Kinh tế đã thay bóng ba cột đèn" in p.published_answer
    assert "20/11/2026" in p.published_answer
    p = services.rate(p.code, level="satisfied")
    assert p.rating == "satisfied"
    actions = list(p.events.values_list("action", flat=True))
    assert actions == ["receive", "assign", "answer", "publish", "rate"]
    audited = AuditEvent.objects.filter(object_id=str(p.pk), action__startswith="petition.")
    assert audited.count() == 5


def test_rated_once_and_only_after_publication(world):
    p = submit(world)
    with pytest.raises(IllegalTransition):
        services.rate(p.code, level="satisfied")
    services.assign(p.pk, actor=world.manager, handler=world.handler)
    services.answer(p.pk, actor=world.handler, text="Đã sửa xong đèn đường ở thôn Đông.")
    services.publish(p.pk, actor=world.manager)
    services.rate(p.code, level="not_satisfied")
    with pytest.raises(ValidationError, match="đã đánh giá"):
        services.rate(p.code, level="satisfied")
    with pytest.raises(ValidationError):
        services.rate(p.code, level="rat-hai-long")
    p.refresh_from_db()
    assert p.rating == "not_satisfied"
    assert p.events.filter(action="rate").count() == 1


def test_who_may_do_what(world):
    p = submit(world)
    # a specialist of another department may not take it, nor be given it
    with pytest.raises(PermissionDenied):
        services.assign(p.pk, actor=world.culture_handler, handler=world.culture_handler)
    with pytest.raises(ValidationError, match="không phải cán bộ"):
        services.assign(p.pk, actor=world.manager, handler=world.culture_handler)
    # a counter officer of the unit may not assign
    with pytest.raises(PermissionDenied):
        services.assign(p.pk, actor=world.officer, handler=world.handler)
    # another unit's manager does not even see it
    with pytest.raises(Http404):
        services.assign(p.pk, actor=world.other_manager, handler=world.handler)
    # the department's handler takes it himself
    services.assign(p.pk, actor=world.handler, handler=world.handler)
    # only the holder (or a manager) answers; a handler may not publish, close or transfer
    with pytest.raises(PermissionDenied):
        services.answer(p.pk, actor=world.culture_handler, text="Tôi trả lời thay phòng khác nhé.")
    services.answer(p.pk, actor=world.handler, text="Đã thay bóng đèn, đường đã sáng lại.")
    for call in (
        lambda: services.publish(p.pk, actor=world.handler),
        lambda: services.close(p.pk, actor=world.handler, reason="không thuộc thẩm quyền"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    # a move the status does not allow is refused for anyone
    with pytest.raises(IllegalTransition):
        services.transfer(p.pk, actor=world.manager, to_unit=world.other, reason="sai đơn vị")
    with pytest.raises(IllegalTransition):
        services.answer(p.pk, actor=world.manager, text="Trả lời lần hai cho cùng phản ánh.")
    p.refresh_from_db()
    assert p.status == S.ANSWERED
    assert p.events.count() == 3


def test_actions_offered_follow_the_same_rules(world):
    p = submit(world)
    assert services.actions_for(world.manager, p) == ["assign", "close", "transfer", "link_dossier"]
    assert services.actions_for(world.handler, p) == ["assign"]
    assert services.actions_for(world.culture_handler, p) == []
    assert services.actions_for(world.other_manager, p) == []
    p = services.assign(p.pk, actor=world.manager, handler=world.handler)
    assert services.actions_for(world.handler, p) == ["answer", "link_dossier"]


def test_a_stale_form_is_refused(world):
    p = submit(world)
    services.assign(p.pk, actor=world.manager, handler=world.handler, expected_version=0)
    with pytest.raises(IllegalTransition, match="vừa được cập nhật"):
        services.assign(p.pk, actor=world.leader, handler=world.handler, expected_version=0)


def test_transferred_to_the_competent_unit_and_followed_by_the_old_code(world):
    p = submit(world, when=at(2027, 2, 1))
    services.transfer(
        p.pk,
        actor=world.manager,
        to_unit=world.other,
        reason="Tuyến đường thuộc địa bàn xã Kiến Thụy",
        now=at(2027, 2, 2, 10),
    )
    p.refresh_from_db()
    assert p.status == S.TRANSFERRED
    new = Petition.objects.get(transferred_from=p)
    assert new.unit == world.other
    assert new.status == S.RECEIVED
    assert new.category.code == "giao-thong" and new.department.unit == world.other
    # counted again in the other unit: from 2/2 (day 0), Tết skipped: 23 February
    assert new.due_at == at(2027, 2, 23, 17)
    assert services.current(p.code) == new
    with pytest.raises(Http404):
        services.assign(new.pk, actor=world.manager, handler=world.handler)
    with pytest.raises(IllegalTransition):
        services.close(p.pk, actor=world.manager, reason="đã chuyển rồi mà")


def test_open_petitions_past_their_deadline_are_flagged_once(world):
    late = submit(world, when=at(2026, 11, 2))
    fresh = submit(world, when=at(2026, 11, 16))
    answered = submit(world, when=at(2026, 11, 2))
    services.assign(answered.pk, actor=world.manager, handler=world.handler)
    services.answer(answered.pk, actor=world.handler, text="Đã xử lý xong trong tuần này.")
    assert services.flag_overdue(now=at(2026, 11, 17, 8)) == 1
    assert services.flag_overdue(now=at(2026, 11, 17, 9)) == 0
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.overdue and not fresh.overdue
    assert late.events.filter(action="flag_overdue").count() == 1
    assert AuditEvent.objects.filter(action="petition.flag_overdue").count() == 1


def test_anonymous_keeps_no_contact_and_a_signed_in_citizen_needs_no_challenge(world):
    p = submit(world, anonymous=True, email="an@example.com")
    assert (p.anonymous, p.name, p.phone, p.email) == (True, "", "", "")
    with pytest.raises(challenge.ChallengeRefused):
        services.submit(unit=world.commune, data=petition_in(world), now=at(2026, 11, 17))
    p = services.submit(
        unit=world.commune, data=petition_in(world), user=world.officer, now=at(2026, 11, 17)
    )
    assert p.submitted_by == world.officer


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject", "", "tiêu đề"),
        ("content", "ngắn", "nội dung"),
        ("category", "999999", "Lĩnh vực"),
        ("category", "abc", "Lĩnh vực"),
        ("phone", "12345", "Số điện thoại"),
        ("email", "khong-phai-email", "thư điện tử"),
        ("latitude", "nan", "Vị trí"),
        ("repeat_of", "PA-AAAA-AAAA", "phản ánh trước"),
    ],
)
def test_bad_input_is_refused_with_a_vietnamese_message(world, field, value, message):
    with pytest.raises(ValidationError) as caught:
        submit(world, **{field: value, **({"longitude": "1"} if field == "latitude" else {})})
    assert message.lower() in " ".join(caught.value.messages).lower()
    assert not Petition.objects.exists()


def test_another_units_category_or_village_is_refused(world):
    foreign = world.other.departments.first()
    from motcua.petitions.models import Category

    category = Category.objects.get(unit=world.other)
    with pytest.raises(ValidationError):
        submit(world, category=category.pk)
    from motcua.core.models import Village

    village = Village.objects.create(unit=world.other, name="Thôn Tây")
    with pytest.raises(ValidationError):
        submit(world, village=village.pk)
    assert foreign is not None


def test_a_solved_challenge_is_kept_when_the_petition_is_refused(world):
    token = solved(at(2026, 11, 17))
    with pytest.raises(ValidationError):
        services.submit(
            unit=world.commune, data=petition_in(world, subject=""), now=at(2026, 11, 17), **token
        )
    p = services.submit(unit=world.commune, data=petition_in(world), now=at(2026, 11, 17), **token)
    assert p.pk


def test_a_unit_gets_the_starting_categories_of_its_departments_once(world):
    from motcua.petitions.models import Category

    created = services.ensure_categories(unit=world.other)
    # Kiến Thụy has an economy and a culture department (no office): 4 of the 6, one of which
    # ("giao-thong") it already had
    assert created == 3
    assert services.ensure_categories(unit=world.other) == 0
    land = Category.objects.get(unit=world.other, code="dat-dai-xay-dung")
    assert land.days == 15 and land.department.kind == "economy"
    assert AuditEvent.objects.filter(action="petition.categories_created").count() == 1
