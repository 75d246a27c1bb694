"""The worklist tabs show each person the dossiers waiting for them, with counts, filters,
search, paging and bulk assignment; another unit's dossiers never appear."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Status, Violation

from .factories import applicant, at, drive_to, make_procedure, make_staff, receive

pytestmark = pytest.mark.django_db
URL = "/can-bo/ho-so/"


def codes(response) -> list[str]:
    return re.findall(r'class="title wl-code"[^>]*>([^<]+)<', response.content.decode())


def logged_in(client, user):
    client.force_login(user)
    return client


def test_worklist_url_is_the_staff_dossier_area():
    assert reverse("dossiers:worklist") == URL


def test_mine_shows_dossiers_whose_open_step_i_hold(client, world):
    mine = drive_to(world, Status.PROCESSING)  # step 1 assigned to the specialist
    other = receive(world)  # still at reception, not assigned to the specialist
    r = logged_in(client, world.specialist).get(URL)
    assert r.status_code == 200
    assert mine.code in codes(r) and other.code not in codes(r)
    assert 'data-testid="tab-mine"' in r.content.decode()


def test_overdue_and_due_soon_tabs_by_the_stored_due_date(client, world, clock):
    now = clock()
    quick = make_procedure(world.province, steps=False)
    late = receive(world, at(2026, 1, 5, 9), procedure=quick)  # due long ago
    soon = receive(world, at(2026, 11, 10, 9), procedure=quick)
    receive(world, at(2026, 11, 16, 9), procedure=quick)  # due next week: not listed
    Dossier.objects.filter(pk=soon.pk).update(due_at_current=now + dt.timedelta(hours=2))
    client = logged_in(client, world.manager)
    overdue = client.get(URL, {"tab": "overdue"})
    assert codes(overdue) == [late.code]
    text = overdue.content.decode()
    assert "Quá hạn" in text
    count = re.search(r'data-testid="tab-overdue">[^<]*<span class="count">(\d+)', text)
    assert count and int(count.group(1)) == 1
    due_soon = client.get(URL, {"tab": "due_soon"})
    assert codes(due_soon) == [soon.code]
    assert "Sắp đến hạn" in due_soon.content.decode()


def test_awaiting_supplement_signature_and_reception_tabs(client, world):
    paused = drive_to(world, Status.AWAITING_SUPPLEMENT)
    waiting_leader = drive_to(world, Status.AWAITING_APPROVAL)
    online = drive_to(world, Status.SUBMITTED)
    leader = logged_in(client, world.leader)
    assert codes(leader.get(URL, {"tab": "awaiting_supplement"})) == [paused.code]
    assert codes(leader.get(URL, {"tab": "awaiting_signature"})) == [waiting_leader.code]
    assert codes(leader.get(URL, {"tab": "awaiting_reception"})) == [online.code]


def test_specialist_has_no_signature_or_violation_tab(client, world):
    client = logged_in(client, world.specialist)
    text = client.get(URL).content.decode()
    assert "tab-awaiting_signature" not in text and "tab-violations" not in text
    assert client.get(URL, {"tab": "awaiting_signature"}).status_code == 404


def test_at_risk_and_violations_tabs_for_managers(client, world, clock):
    flagged = receive(world, at(2026, 11, 10, 9))  # examination step due Mon 16/11, still open
    calm = receive(world, at(2026, 11, 17, 8))
    Violation.objects.create(
        dossier=flagged,
        kind=Violation.Kind.LATE_APOLOGY,
        due_at_ref=flagged.due_at_current,
        detected_at=at(2026, 11, 5, 9),
    )
    client = logged_in(client, world.manager)
    at_risk = client.get(URL, {"tab": "at_risk"})
    assert codes(at_risk) == [flagged.code] and calm.code not in codes(at_risk)
    text = client.get(URL, {"tab": "violations"}).content.decode()
    assert flagged.code in text and "Xin lỗi muộn" in text


def test_another_units_dossier_is_absent_from_every_tab(client, world):
    theirs = services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=at(2026, 1, 5, 9),
    )
    client = logged_in(client, world.manager)
    for tab in ("mine", "due_soon", "overdue", "awaiting_supplement", "at_risk", "all"):
        assert theirs.code not in client.get(URL, {"tab": tab}).content.decode()
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404


def test_search_by_name_without_diacritics_code_tail_and_id(client, world):
    an = receive(world, applicant=applicant(name="Nguyễn Văn An"))
    binh = receive(world, applicant=applicant(name="Trần Thị Bình", id_number="001203009999"))
    client = logged_in(client, world.manager)
    assert codes(client.get(URL, {"tab": "all", "q": "tran thi binh"})) == [binh.code]
    assert codes(client.get(URL, {"tab": "all", "q": "001203009999"})) == [binh.code]
    assert codes(client.get(URL, {"tab": "all", "q": an.code})) == [an.code]


def test_filters_by_procedure_channel_status_and_dates(client, world):
    other_proc = make_procedure(world.province, name="Chứng thực bản sao")
    a = receive(world, at(2026, 11, 2, 9))
    b = receive(world, at(2026, 11, 4, 9), procedure=other_proc)
    client = logged_in(client, world.manager)
    assert codes(client.get(URL, {"tab": "all", "procedure": other_proc.code})) == [b.code]
    assert codes(
        client.get(URL, {"tab": "all", "date_from": "2026-11-02", "date_to": "2026-11-03"})
    ) == [a.code]
    assert codes(client.get(URL, {"tab": "all", "channel": "online"})) == []
    assert set(codes(client.get(URL, {"tab": "all", "status": Status.RECEIVED}))) == {
        a.code,
        b.code,
    }


def test_inverted_date_range_says_so_in_vietnamese(client, world):
    receive(world)
    client = logged_in(client, world.manager)
    r = client.get(URL, {"tab": "all", "date_from": "2026-11-09", "date_to": "2026-11-02"})
    text = r.content.decode()
    assert "phải trước hoặc bằng" in text and codes(r) == []


def test_sorted_by_due_date_and_paged_by_25(client, world):
    first = receive(world, at(2026, 10, 1, 9))
    for day in range(2, 28):
        receive(world, at(2026, 10, day, 9) if day not in (3, 4, 10, 11, 17, 18, 24, 25) else None)
    client = logged_in(client, world.manager)
    page1 = client.get(URL, {"tab": "all"})
    assert len(codes(page1)) == 25 and codes(page1)[0] == first.code
    page2 = client.get(URL, {"tab": "all", "page": 2})
    assert len(codes(page2)) == 2
    latest_first = client.get(URL, {"tab": "all", "sort": "-due"})
    assert codes(latest_first)[-1] != first.code


def test_empty_tab_says_nothing_is_waiting(client, world):
    r = logged_in(client, world.specialist).get(URL)
    assert "Bạn không có hồ sơ nào đang chờ xử lý." in r.content.decode()


def test_manager_bulk_assigns_open_steps_to_a_specialist(client, world):
    one, two = receive(world), receive(world)
    client = logged_in(client, world.manager)
    r = client.post(
        f"{URL}phan-cong/",
        {"dossiers": [one.pk, two.pk], "assignee": world.specialist.pk, "next": f"{URL}?tab=all"},
        follow=True,
    )
    assert "Đã giao 2 hồ sơ cho Lê Văn Chuyên." in r.content.decode()
    for d in (one, two):  # the examination step; the reception step stays the officer's
        assert d.steps.get(order=2).assignee == world.specialist


def test_bulk_assign_refuses_staff_and_dossiers_of_another_unit(client, world):
    ours = receive(world)
    theirs = services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=at(2026, 11, 2, 9),
    )
    client = logged_in(client, world.manager)
    r = client.post(
        f"{URL}phan-cong/", {"dossiers": [ours.pk], "assignee": world.other_officer.pk}, follow=True
    )
    assert "không thuộc đơn vị của bạn" in r.content.decode()
    r = client.post(
        f"{URL}phan-cong/", {"dossiers": [theirs.pk], "assignee": world.specialist.pk}, follow=True
    )
    assert "không thuộc danh sách của bạn" in r.content.decode()
    assert theirs.steps.get(order=2).assignee is None
    r = client.post(f"{URL}phan-cong/", {"assignee": world.specialist.pk}, follow=True)
    assert "Chưa chọn hồ sơ nào" in r.content.decode()


def test_specialist_cannot_bulk_assign(client, world):
    d = receive(world)
    r = logged_in(client, world.specialist).post(
        f"{URL}phan-cong/", {"dossiers": [d.pk], "assignee": world.specialist.pk}
    )
    assert r.status_code == 403


def test_worklist_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for _ in range(12):
        receive(world)
    client = logged_in(client, world.manager)
    client.get(URL, {"tab": "all"})
    with django_assert_max_num_queries(25):
        r = client.get(URL, {"tab": "all"})
    assert len(codes(r)) == 12


def test_province_manager_sees_both_communes(client, world):
    receive(world)
    services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=at(2026, 11, 2, 9),
    )
    boss = make_staff((Role.MANAGER, world.province))
    assert len(codes(logged_in(client, boss).get(URL, {"tab": "all"}))) == 2
