"""A petition about a dossier: the form's optional "Mã hồ sơ" (a dossier the receiving unit
received or decides; otherwise one Vietnamese error and the form keeps what was typed), the
staff's set/clear on the petition page (permission in the service, an event and an audit row),
the link kept across a transfer, and `selectors.dossiers_with_petition` for the index."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.petitions import challenge, selectors, services
from motcua.petitions.models import Category, Petition

from .conftest import at, make_dossier, petition_in, submit

pytestmark = pytest.mark.django_db

NOT_HERE = "Không tìm thấy hồ sơ có mã này do đơn vị tiếp nhận hoặc giải quyết"


def test_the_form_links_a_dossier_of_the_unit_typed_in_any_case_and_spacing(world):
    dossier = make_dossier(world.commune, 1)
    p = submit(world, dossier=" 000.00.12.h42-261110-0001 ")
    assert p.dossier == dossier
    # a dossier the commune decides though another unit received it is the commune's too
    decided_here = make_dossier(world.other, 2, competent=world.commune)
    assert submit(world, dossier=decided_here.code).dossier == decided_here


@pytest.mark.parametrize("which", ["another-units", "unknown"])
def test_another_units_dossier_or_an_unknown_code_is_one_error(world, which):
    elsewhere = make_dossier(world.other, 3)
    code = elsewhere.code if which == "another-units" else "000.00.12.H42-261110-9999"
    with pytest.raises(ValidationError) as refused:
        submit(world, dossier=code)
    assert NOT_HERE in refused.value.message_dict["dossier"][0]
    assert not Petition.objects.exists()


def test_the_page_keeps_what_was_typed_when_the_dossier_code_is_wrong(world):
    client = Client()
    token = challenge.issue()
    form = {
        "category": str(world.roads.pk),
        "subject": "Hồ sơ đất đai chậm trả kết quả",
        "content": "Hồ sơ của tôi đã quá hẹn hai tuần mà chưa được trả, không ai báo lý do.",
        "village": str(world.village.pk),
        "name": "Nguyễn Văn An",
        "phone": "0912345678",
        "dossier": "000.00.12.H42-261110-0404",
        "challenge": token,
        "nonce": challenge.solve(token),
    }
    page = client.post(reverse("petitions:new", args=[world.commune.code]), form)
    assert page.status_code == 400
    assert NOT_HERE in page.text
    for typed in (form["subject"], form["content"], form["dossier"], "0912345678"):
        assert typed in page.text
    assert not Petition.objects.exists()
    # corrected, the same challenge (not spent by the refusal) goes through
    make_dossier(world.commune, 404)
    done = client.post(reverse("petitions:new", args=[world.commune.code]), form)
    assert done.status_code == 302
    assert Petition.objects.get().dossier.code == form["dossier"]


def test_staff_set_and_clear_the_link_with_an_event_and_an_audit_row(world):
    dossier = make_dossier(world.commune, 5)
    p = submit(world)
    p = services.link_dossier(p.pk, actor=world.manager, code=dossier.code, now=at(2026, 11, 18))
    assert p.dossier_id == dossier.pk and p.status == Petition.Status.RECEIVED
    row = AuditEvent.objects.get(action="petition.link_dossier", object_id=str(p.pk))
    assert row.changes["dossier_id"] == [None, dossier.pk]
    assert p.events.filter(action="link_dossier").get().data == {"dossier": dossier.code}

    services.assign(p.pk, actor=world.manager, handler=world.handler)
    p = services.link_dossier(p.pk, actor=world.handler, code="")  # the holder clears it
    assert p.dossier_id is None
    assert AuditEvent.objects.filter(action="petition.link_dossier").count() == 2

    with pytest.raises(ValidationError, match=NOT_HERE):
        services.link_dossier(p.pk, actor=world.manager, code=make_dossier(world.other, 6).code)
    assert Petition.objects.get(pk=p.pk).dossier_id is None


def test_who_may_link_a_dossier(world):
    dossier = make_dossier(world.commune, 7)
    p = submit(world)
    for outsider in (world.culture_handler, world.handler):  # neither holds the petition
        with pytest.raises(PermissionDenied):
            services.link_dossier(p.pk, actor=outsider, code=dossier.code)
    with pytest.raises(Http404):
        services.link_dossier(p.pk, actor=world.other_manager, code=dossier.code)
    assert "link_dossier" in services.actions_for(world.manager, p)
    assert "link_dossier" not in services.actions_for(world.handler, p)
    assert Petition.objects.get(pk=p.pk).dossier_id is None


def test_the_page_offers_the_link_and_refuses_a_post_it_did_not_offer(world):
    dossier = make_dossier(world.commune, 8)
    p = submit(world)
    url = reverse("petitions:staff_act", args=[p.pk, "link_dossier"])
    handler = Client()
    handler.force_login(world.handler)
    assert (
        'data-testid="dossier-form"'
        not in handler.get(reverse("petitions:staff_detail", args=[p.pk])).text
    )
    refused = handler.post(url, {"dossier": dossier.code, "version": p.version})
    assert refused.status_code == 403
    manager = Client()
    manager.force_login(world.manager)
    page = manager.get(reverse("petitions:staff_detail", args=[p.pk]))
    assert 'data-testid="dossier-form"' in page.text
    done = manager.post(url, {"dossier": dossier.code, "version": p.version})
    assert done.status_code == 302
    page = manager.get(reverse("petitions:staff_detail", args=[p.pk]))
    assert dossier.code in page.text and "Gắn hồ sơ liên quan" in page.text
    wrong = manager.post(url, {"dossier": "khong-co", "version": p.version + 1})
    assert wrong.status_code == 400 and NOT_HERE in wrong.text


def test_a_transferred_petition_keeps_its_dossier_and_may_name_it_there(world):
    dossier = make_dossier(world.commune, 9)
    p = submit(world, dossier=dossier.code)
    services.transfer(p.pk, actor=world.manager, to_unit=world.other, reason="Thuộc xã khác")
    there = Petition.objects.get(transferred_from=p)
    assert there.dossier_id == dossier.pk
    services.link_dossier(there.pk, actor=world.other_manager, code="")
    # the commune it came from received the dossier: the unit it was routed to may name it
    there = services.link_dossier(there.pk, actor=world.other_manager, code=dossier.code)
    assert there.dossier_id == dossier.pk


def test_dossiers_with_a_petition_in_the_period(world):
    a = make_dossier(world.commune, 11)
    b = make_dossier(world.commune, 12)
    c = make_dossier(world.other, 13)
    decided_here = make_dossier(world.other, 14, competent=world.commune)
    make_dossier(world.commune, 15)  # no petition
    submit(world, when=at(2026, 11, 2), dossier=a.code)
    submit(world, when=at(2026, 11, 20), dossier=a.code)  # twice: one id
    submit(world, when=at(2026, 12, 1), dossier=b.code)  # after the period
    submit(world, when=at(2026, 11, 5), dossier=decided_here.code)
    submit(world, when=at(2026, 11, 5))  # about no dossier
    services.submit(
        unit=world.other,
        data=_other(world, c.code),
        user=world.other_manager,
        now=at(2026, 11, 6),
    )
    start, end = at(2026, 11, 1, 0), at(2026, 12, 1, 0)
    ids = selectors.dossiers_with_petition([world.commune.pk], start=start, end=end)
    assert sorted(ids) == sorted([a.pk, decided_here.pk])
    both = selectors.dossiers_with_petition(
        [world.commune.pk, world.other.pk], start=start, end=end
    )
    assert sorted(both) == sorted([a.pk, c.pk, decided_here.pk])


def _other(world, code):
    return petition_in(
        world,
        category=Category.objects.get(unit=world.other).pk,
        village=None,
        place="Chợ xã",
        dossier=code,
    )
