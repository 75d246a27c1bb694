"""Recording for the digital-tech team with a date at the ends of the calendar (a phone's clock
set wrong, a hand-edited request): a Vietnamese message, nothing recorded, never a 500."""

import json

import pytest

from motcua.outreach.models import AssistedAction, GuidanceSession

from .conftest import new_key

URL = "/can-bo/cong-nghe-so/ghi-nhan/"
SESSION_URL = "/can-bo/cong-nghe-so/buoi-huong-dan/"
OUT_OF_RANGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59+07:00"])
def test_an_action_stamped_out_of_range_is_refused(signed_in, team_member, villages, moment):
    client = signed_in(team_member)
    data = {
        "village": villages["thon1"].pk,
        "kind": "vneid_level2_created",
        "citizen_id": "001204012345",
        "age_group": "18_59",
        "client_uuid": str(new_key()),
        "occurred_at": moment,
    }
    response = post_json(client, URL, data)
    assert response.status_code == 400
    assert OUT_OF_RANGE in json.dumps(response.json(), ensure_ascii=False)
    assert not AssistedAction.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_session_dated_out_of_range_is_refused(signed_in, team_member, villages, day):
    client = signed_in(team_member)
    data = {
        "village": villages["thon1"].pk,
        "client_uuid": str(new_key()),
        "date": day,
        "place": "Nhà văn hóa thôn 1",
        "attendees": 12,
    }
    response = post_json(client, SESSION_URL, data)
    assert response.status_code == 400
    assert OUT_OF_RANGE in json.dumps(response.json(), ensure_ascii=False)
    assert not GuidanceSession.objects.exists()
