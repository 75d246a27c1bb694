"""Worklists show a user the dossiers of the units they work for, and nothing else: another
unit's dossier is simply not there (404 on the detail)."""

import pytest
from django.http import Http404

from motcua.accounts.models import Role
from motcua.dossiers import selectors, services
from motcua.dossiers.models import Status

from .factories import applicant, at, drive_to, make_staff, receive

pytestmark = pytest.mark.django_db


def pks(qs):
    return set(qs.values_list("pk", flat=True))


def test_another_units_dossier_is_invisible_in_worklists_and_detail(world):
    ours = receive(world)
    theirs = services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=at(2026, 11, 2, 9),
    )
    assert pks(selectors.for_staff(world.officer)) == {ours.pk}
    assert pks(selectors.for_staff(world.other_officer)) == {theirs.pk}
    with pytest.raises(Http404):
        selectors.get_for_staff(world.officer, theirs.pk)
    with pytest.raises(Http404):
        selectors.get_for_staff(world.officer, "not-a-number")
    assert selectors.get_for_staff(world.officer, ours.pk) == ours
    province_manager = make_staff((Role.MANAGER, world.province))
    assert pks(selectors.for_staff(province_manager)) == {ours.pk, theirs.pk}


def test_mine_lists_dossiers_with_an_open_step_assigned_to_me(world):
    dossier = receive(world)
    assert not pks(selectors.mine(world.specialist))
    services.start_processing(world.officer, dossier_id=dossier.pk, assignee=world.specialist)
    assert pks(selectors.mine(world.specialist)) == {dossier.pk}
    assert not pks(selectors.mine(world.officer))


def test_assigning_a_step_to_staff_of_another_unit_is_refused(world):
    from django.core.exceptions import ValidationError

    dossier = receive(world)
    with pytest.raises(ValidationError, match="không thuộc đơn vị"):
        services.assign_step(world.manager, dossier_id=dossier.pk, assignee=world.other_officer)
    services.assign_step(world.manager, dossier_id=dossier.pk, assignee=world.specialist)
    assert dossier.steps.get(order=2).assignee == world.specialist


def test_due_soon_and_overdue_tabs(world):
    due_monday = receive(world, at(2026, 11, 2, 9))
    due_later = receive(world, at(2026, 11, 5, 9))
    monday = at(2026, 11, 9, 9)  # 6 office hours left of the first one's five days
    assert pks(selectors.due_soon(world.officer, now=monday)) == {due_monday.pk}
    assert pks(selectors.due_soon(world.other_officer, now=monday)) == set()
    assert pks(selectors.overdue(world.officer, now=at(2026, 11, 10, 9))) == {due_monday.pk}
    assert due_later.pk not in pks(selectors.overdue(world.officer, now=at(2026, 11, 10, 9)))


def test_closed_or_paused_dossiers_are_not_overdue(world):
    paused = drive_to(world, Status.AWAITING_SUPPLEMENT)
    returned = drive_to(world, Status.RETURNED)
    late = pks(selectors.overdue(world.officer, now=at(2027, 1, 4, 9)))
    assert paused.pk not in late and returned.pk not in late
    assert pks(selectors.awaiting_supplement(world.officer)) == {paused.pk}


def test_awaiting_signature_is_for_leaders_of_the_unit(world):
    waiting = drive_to(world, Status.AWAITING_APPROVAL)
    assert pks(selectors.awaiting_signature(world.leader)) == {waiting.pk}
    assert not pks(selectors.awaiting_signature(world.specialist))
    assert not pks(selectors.awaiting_signature(world.other_leader))


def test_awaiting_reception_lists_online_submissions_and_incoming_transfers(world):
    online = drive_to(world, Status.SUBMITTED)
    incoming = receive(world, competent_unit=world.other)
    assert pks(selectors.awaiting_reception(world.officer)) == {online.pk}
    assert pks(selectors.awaiting_reception(world.other_officer)) == {incoming.pk}


def test_search_by_code_name_without_accents_or_id_number(world):
    an = receive(world)
    binh = receive(world, applicant=applicant(name="Trần Thị Bình", id_number="079188001234"))
    qs = selectors.for_staff(world.officer)
    assert pks(selectors.search(qs, "tran thi binh")) == {binh.pk}
    assert pks(selectors.search(qs, "Nguyễn Văn An")) == {an.pk}
    assert pks(selectors.search(qs, "079188001234")) == {binh.pk}
    assert pks(selectors.search(qs, binh.code)) == {binh.pk}
    assert pks(selectors.search(qs, "")) == {an.pk, binh.pk}


def test_worklist_counts_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(3):
        drive_to(world, Status.PROCESSING)
    with django_assert_max_num_queries(8):
        counts = selectors.worklist_counts(world.specialist, now=at(2026, 11, 6, 9))
    assert counts["mine"] == 3


def test_worklist_rows_need_no_extra_query_per_row(world, django_assert_num_queries):
    for _ in range(4):
        receive(world)
    user = world.officer
    selectors.for_staff(user).count()  # fills the scope cache
    with django_assert_num_queries(1):
        rows = [
            (d.code, d.competent_unit.name, d.receiving_unit.name)
            for d in selectors.for_staff(user)
        ]
    assert len(rows) == 4


def test_index_facts_count_what_the_service_index_needs(world):
    receive(world, identity_verified_via="vneid")
    drive_to(world, Status.RETURNED)
    facts = selectors.index_facts([world.commune.pk], at(2026, 11, 1), at(2026, 12, 1))
    assert facts["total"] == 2
    assert facts["identity_verified"] == 1
    assert facts["result_signed"] == 1
    assert facts["finished"] == 1
