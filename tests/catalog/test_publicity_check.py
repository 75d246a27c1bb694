"""Kiểm tra công khai: what a citizen would miss, counted per problem, scoped per unit."""

import pytest
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.catalog import publicity
from motcua.catalog.models import Procedure

from .factories import make_procedure, make_unit, make_user

pytestmark = pytest.mark.django_db
URL = reverse("catalog:publicity_check")


def test_a_complete_published_procedure_has_no_problem():
    unit = make_unit()
    make_procedure(unit=unit, complete=True)
    assert publicity.missing_information(Procedure.objects.all()) == []


def test_each_missing_piece_is_named():
    unit = make_unit()
    bare = make_procedure(unit=unit, is_published=False)  # online mode never published
    partial = make_procedure(unit=unit, complete=True, online_mode="partial", online_mode_reason="")
    with_reason = make_procedure(
        unit=unit, complete=True, online_mode="none", online_mode_reason="Phải có mặt ký sổ"
    )
    found = dict(publicity.missing_information(Procedure.objects.all()))
    assert set(found[bare]) == {
        "unpublished", "no_fee", "no_components", "no_processing_time", "no_legal_basis",
        "no_result", "no_online_mode",
    }  # fmt: skip
    assert found[partial] == ["no_online_reason"]
    assert with_reason not in found
    counts = publicity.problem_counts(Procedure.objects.all())
    assert counts["no_online_reason"] == 1
    assert counts["no_online_mode"] == 1
    assert counts["no_fee"] == 1


def test_managers_see_counts_and_can_filter_by_problem(client):
    unit = make_unit()
    make_procedure(unit=unit, name="Thủ tục thiếu phí", complete=True)
    Procedure.objects.get().fees.all().delete()
    make_procedure(unit=unit, name="Thủ tục bản nháp", complete=True, is_published=False)
    client.force_login(make_user((Role.MANAGER, unit)))

    page = client.get(URL).content.decode()
    assert "Thủ tục thiếu phí" in page and "Thủ tục bản nháp" in page
    assert "Chưa có thông tin phí, lệ phí: <strong>1</strong>" in page

    filtered = client.get(URL, {"problem": "no_fee"}).content.decode()
    assert "Thủ tục thiếu phí" in filtered
    assert "Thủ tục bản nháp" not in filtered


def test_empty_state_when_everything_is_published_in_full(client):
    unit = make_unit()
    make_procedure(unit=unit, complete=True)
    client.force_login(make_user((Role.LEADER, unit)))
    assert "Tất cả thủ tục đã đủ thông tin công khai" in client.get(URL).content.decode()


def test_another_units_draft_never_shows_up_and_naming_its_unit_is_a_404(client):
    mine, other = make_unit(), make_unit()
    make_procedure(unit=other, name="Bản nháp của xã khác", is_published=False)
    client.force_login(make_user((Role.ADMINISTRATOR, mine)))
    assert "Bản nháp của xã khác" not in client.get(URL).content.decode()
    assert client.get(URL, {"unit": other.code}).status_code == 404


def test_a_counter_officer_may_not_open_the_check(client):
    unit = make_unit()
    client.force_login(make_user((Role.COUNTER_OFFICER, unit)))
    assert client.get(URL).status_code == 403


def test_the_list_is_paginated_by_25(client):
    unit = make_unit()
    for i in range(27):
        make_procedure(unit=unit, name=f"Thủ tục nháp {i:02d}", is_published=False)
    client.force_login(make_user((Role.MANAGER, unit)))
    first = client.get(URL)
    assert first.content.decode().count('data-testid="problem-row"') == 25
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count('data-testid="problem-row"') == 2
