"""A team member records for their own village; the commune's manager for any of its villages;
another commune's villages do not exist for them."""

import json

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.models import Role
from motcua.outreach import services
from motcua.outreach.models import AgeGroup, AssistedAction

from .conftest import at, new_key

URL = "/can-bo/cong-nghe-so/ghi-nhan/"


def payload(village, **extra):
    data = {
        "village": village.pk,
        "kind": "app_installed",
        "phone": "0912345678",
        "age_group": "18_59",
        "client_uuid": str(new_key()),
    }
    data.update(extra)
    return data


def test_team_member_cannot_record_for_another_village(team_member, villages):
    with pytest.raises(ValidationError) as exc:
        services.record_action(
            actor=team_member,
            village=villages["thon2"],
            kind=AssistedAction.Kind.APP_INSTALLED,
            phone="0912345678",
            age_group=AgeGroup.WORKING,
            occurred_at=at("2026-11-20 09:00"),
            client_uuid=new_key(),
        )
    assert exc.value.messages == ["Bạn chỉ được ghi nhận cho thôn được phân công: Thôn 1."]
    assert not AssistedAction.objects.exists()


def test_other_village_through_the_endpoint_gets_a_clear_message(signed_in, team_member, villages):
    client = signed_in(team_member)
    response = client.post(
        URL, json.dumps(payload(villages["thon2"])), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Bạn chỉ được ghi nhận cho thôn được phân công: Thôn 1."


def test_other_village_in_the_plain_form_shows_the_message(signed_in, team_member, villages):
    client = signed_in(team_member)
    response = client.post(URL, payload(villages["thon2"]))

    assert response.status_code == 400
    assert "Bạn chỉ được ghi nhận cho thôn được phân công: Thôn 1." in response.content.decode()


def test_another_communes_village_is_not_found(signed_in, team_member, far_village):
    client = signed_in(team_member)
    response = client.post(URL, json.dumps(payload(far_village)), content_type="application/json")
    assert response.status_code == 404
    assert not AssistedAction.objects.exists()


def test_manager_records_for_any_village_of_the_commune(signed_in, manager, villages):
    client = signed_in(manager)
    for village, phone in ((villages["thon1"], "0912345601"), (villages["thon2"], "0912345602")):
        response = client.post(
            URL, json.dumps(payload(village, phone=phone)), content_type="application/json"
        )
        assert response.status_code == 201
    assert AssistedAction.objects.count() == 2


def test_commune_level_team_member_covers_every_village(make_staff, commune, villages):
    member = make_staff(Role.DIGITAL_TEAM, commune)  # tổ công nghệ số xã, no village
    recorded = services.record_action(
        actor=member,
        village=villages["thon2"],
        kind=AssistedAction.Kind.APP_INSTALLED,
        phone="0912345678",
        age_group=AgeGroup.WORKING,
        occurred_at=at("2026-11-20 09:00"),
        client_uuid=new_key(),
    )
    assert recorded.created


def test_counter_officer_may_not_use_the_recording_page(signed_in, make_staff, commune, villages):
    officer = make_staff(Role.COUNTER_OFFICER, commune)
    client = signed_in(officer)
    assert client.get(URL).status_code == 403
    assert client.get("/can-bo/cong-nghe-so/").status_code == 403


def test_signed_out_visitor_is_sent_to_login(client, villages):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/can-bo/" in response["Location"]


def test_team_members_page_offers_only_their_village(signed_in, team_member, villages):
    page = signed_in(team_member).get(URL).content.decode()
    assert "Thôn 1" in page
    assert "Thôn 2" not in page
