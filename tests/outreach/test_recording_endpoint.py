"""The recording endpoint answers the phone's JSON (201 new / 200 already recorded) and a plain
form post without JavaScript, with Vietnamese messages for bad input."""

import json

from motcua.outreach.models import AssistedAction, GuidanceSession

from .conftest import new_key

URL = "/can-bo/cong-nghe-so/ghi-nhan/"
SESSION_URL = "/can-bo/cong-nghe-so/buoi-huong-dan/"


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def action(village, **extra):
    data = {
        "village": village.pk,
        "kind": "vneid_level2_created",
        "citizen_id": "001204012345",
        "age_group": "18_59",
        "client_uuid": str(new_key()),
        "occurred_at": "2026-11-20T02:00:00Z",
    }
    data.update(extra)
    return data


def test_json_record_answers_201_then_200_on_replay(signed_in, team_member, villages):
    client = signed_in(team_member)
    data = action(villages["thon1"])

    first = post_json(client, URL, data)
    replay = post_json(client, URL, data)

    assert first.status_code == 201
    assert first.json()["created"] is True
    assert "Đã ghi nhận" in first.json()["message"]
    assert replay.status_code == 200
    assert replay.json()["created"] is False
    assert "đã được ghi nhận trước đó" in replay.json()["message"]
    saved = AssistedAction.objects.get()
    assert saved.recorded_by == team_member
    assert saved.occurred_at.isoformat() == "2026-11-20T02:00:00+00:00"


def test_json_endpoint_checks_the_csrf_token(team_member, villages):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(team_member, backend="django.contrib.auth.backends.ModelBackend")
    response = post_json(client, URL, action(villages["thon1"]))
    assert response.status_code == 403
    assert not AssistedAction.objects.exists()


def test_plain_form_post_works_without_javascript(signed_in, team_member, villages):
    client = signed_in(team_member)
    data = action(villages["thon1"])
    del data["occurred_at"]

    response = client.post(URL, data, follow=True)

    assert response.redirect_chain[-1] == (URL, 303)
    assert "Đã ghi nhận việc “tạo tài khoản định danh vneid mức 2”" in response.content.decode()
    assert AssistedAction.objects.count() == 1


def test_bad_json_and_missing_fields_get_vietnamese_messages(signed_in, team_member, villages):
    client = signed_in(team_member)
    garbled = client.post(URL, "{not json", content_type="application/json")
    assert garbled.status_code == 400
    assert garbled.json()["message"] == "Dữ liệu gửi lên không đọc được."

    no_person = post_json(client, URL, action(villages["thon1"], citizen_id=""))
    assert no_person.status_code == 400
    assert "Cần nhập số định danh cá nhân" in no_person.json()["message"]

    no_age = action(villages["thon1"])
    del no_age["age_group"]
    assert post_json(client, URL, no_age).json()["message"] == "Chọn nhóm tuổi."


def test_guidance_session_recorded_once(signed_in, team_member, villages):
    client = signed_in(team_member)
    data = {
        "village": villages["thon1"].pk,
        "date": "2026-11-18",
        "place": "Nhà văn hóa thôn 1",
        "attendees": "42",
        "notes": "Cài ứng dụng, tạo VNeID mức 2",
        "client_uuid": str(new_key()),
    }
    assert post_json(client, SESSION_URL, data).status_code == 201
    assert post_json(client, SESSION_URL, data).status_code == 200
    session = GuidanceSession.objects.get()
    assert (session.place, session.attendees) == ("Nhà văn hóa thôn 1", 42)

    zero = post_json(client, SESSION_URL, {**data, "attendees": "0", "client_uuid": str(new_key())})
    assert zero.status_code == 400
    assert zero.json()["message"] == "Số người tham dự phải từ 1 trở lên."
    no_place = post_json(client, SESSION_URL, {**data, "place": "", "client_uuid": str(new_key())})
    assert no_place.json()["message"] == "Cần nhập địa điểm tổ chức buổi hướng dẫn."


def test_recording_page_shows_both_forms(signed_in, team_member, villages):
    page = signed_in(team_member).get(URL).content.decode()
    assert "Việc đã hỗ trợ" in page and "Buổi hướng dẫn" in page
    assert "outreach/record.js" in page
    assert "<script>" not in page  # no inline script (CSP)
