"""Per-village progress against the 45-50% target and the campaign's milestones, scoped to what
the viewer may see, and the same table as an .xlsx file."""

import io
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.core.models import Village
from motcua.outreach import selectors
from motcua.outreach.models import AgeGroup, AssistedAction, Campaign, GuidanceSession, Resident

DASHBOARD = "/can-bo/cong-nghe-so/"
EXPORT = "/can-bo/cong-nghe-so/xuat.xlsx"
INSTALLED = AssistedAction.Kind.APP_INSTALLED
REGISTERED = AssistedAction.Kind.APP_REGISTERED


def people(village, n, kinds, age_group=AgeGroup.WORKING):
    """n new residents of `village`, each with the given kinds of help (straight to the rows:
    these tests read, the recording rules are tested elsewhere)."""
    now = timezone.now()
    for _ in range(n):
        resident = Resident.objects.create(
            unit=village.unit, village=village, phone_hash=uuid.uuid4().hex, age_group=age_group
        )
        for kind in kinds:
            AssistedAction.objects.create(
                resident=resident,
                unit=village.unit,
                village=village,
                kind=kind,
                source="team_member",
                occurred_at=now - timedelta(days=3),
                client_uuid=uuid.uuid4(),
            )


@pytest.fixture
def progress(commune, villages):
    """Thôn 1 (200 of working age): 90 working-age installs + 10 seniors -> 45.0%.
    Thôn 2 (400): 40 installed, 20 self-registered, 6 both -> 66 people -> 16.5%.
    Đông: no population figure. Milestone 15% passed 5 days ago, 30% due in 10 days."""
    today = timezone.localdate()
    Campaign.objects.create(
        unit=commune,
        name="Cao điểm 60 ngày",
        start=today - timedelta(days=30),
        end=today + timedelta(days=29),
        target_percent=45,
        stretch_percent=50,
        milestones=[
            {"date": (today - timedelta(days=5)).isoformat(), "percent": 15},
            {"date": (today + timedelta(days=10)).isoformat(), "percent": 30},
        ],
    )
    people(villages["thon1"], 90, [INSTALLED, AssistedAction.Kind.VNEID_LEVEL2])
    people(villages["thon1"], 10, [INSTALLED], AgeGroup.SENIOR)
    people(villages["thon2"], 40, [INSTALLED])
    people(villages["thon2"], 20, [REGISTERED])
    people(villages["thon2"], 6, [INSTALLED, REGISTERED, AssistedAction.Kind.FIRST_ONLINE_PAYMENT])
    GuidanceSession.objects.create(
        unit=commune,
        village=villages["thon2"],
        date=today - timedelta(days=2),
        place="Nhà văn hóa thôn 2",
        attendees=35,
        client_uuid=uuid.uuid4(),
    )
    return villages


def rows_by_name(user):
    (board,) = selectors.dashboard(selectors.viewable_villages(user))
    return board, {str(r.village): r for r in board.rows}


def test_percentages_are_installed_working_age_over_working_age_population(manager, progress):
    board, rows = rows_by_name(manager)

    assert rows["Thôn 1"].adopted_working_age == 90
    assert rows["Thôn 1"].adopted_all_ages == 100
    assert rows["Thôn 1"].percent == 45.0
    assert rows["Thôn 2"].adopted_working_age == 66  # 6 people with both count once
    assert rows["Thôn 2"].percent == 16.5
    assert rows["Thôn 2"].kind_counts == {INSTALLED: 46, REGISTERED: 26, "first_online_payment": 6}
    assert (rows["Thôn 2"].sessions, rows["Thôn 2"].attendees) == (1, 35)
    assert rows["Thôn Đông"].percent is None
    assert board.totals["percent"] == 26.0  # 156 / 600


def test_each_village_is_judged_against_target_and_milestones(manager, progress):
    _, rows = rows_by_name(manager)

    assert rows["Thôn 1"].status == "reached"
    assert rows["Thôn 2"].status == "on_track"  # 16.5% >= 15% due 5 days ago
    assert rows["Thôn 2"].needed_for_next == 54  # 30% of 400 = 120, has 66
    assert rows["Thôn Đông"].status == "no_data"


def test_village_below_the_passed_milestone_is_behind(manager, progress):
    Campaign.objects.update(
        milestones=[{"date": (timezone.localdate() - timedelta(days=1)).isoformat(), "percent": 20}]
    )
    _, rows = rows_by_name(manager)
    assert rows["Thôn 2"].status == "behind"
    assert rows["Thôn 2"].needed_for_next == 114  # no milestone left: the 45% target


def test_commune_sees_every_village_with_colours(signed_in, manager, progress):
    page = signed_in(manager).get(DASHBOARD).content.decode()

    assert "Cao điểm 60 ngày" in page
    assert "Chỉ tiêu: 45-50%" in page
    assert "status-reached" in page and "status-on_track" in page
    assert "45,0%" in page and "16,5%" in page
    assert "Thôn 2" in page and "Thôn Đông" in page
    assert "15:00 thứ Sáu" in page
    assert "Tổng cộng: 156 / 600 người 18-59" in page


def test_team_member_sees_only_their_village(signed_in, team_member, progress):
    client = signed_in(team_member)
    page = client.get(DASHBOARD).content.decode()
    assert "Thôn 1" in page and "Thôn 2" not in page
    assert "Tổng cộng" not in page  # one village: no commune total to show
    assert client.get(f"{DASHBOARD}?thon={progress['thon2'].pk}").status_code == 404


def test_leader_sees_the_dashboard_but_cannot_record(signed_in, make_staff, commune, progress):
    leader = make_staff(Role.LEADER, commune)
    client = signed_in(leader)
    page = client.get(DASHBOARD).content.decode()
    assert "Thôn 2" in page
    assert "Ghi nhận hỗ trợ" not in page
    assert client.get("/can-bo/cong-nghe-so/ghi-nhan/").status_code == 403


def test_another_communes_village_is_not_found(signed_in, manager, progress, far_village):
    client = signed_in(manager)
    assert client.get(f"{DASHBOARD}?thon={far_village.pk}").status_code == 404
    assert client.get(f"{EXPORT}?thon={far_village.pk}").status_code == 404
    assert "Thôn Tây" not in client.get(DASHBOARD).content.decode()


def test_empty_state_when_the_commune_has_no_villages(signed_in, make_staff, other_commune):
    manager = make_staff(Role.MANAGER, other_commune)
    page = signed_in(manager).get(DASHBOARD).content.decode()
    assert "Chưa có thôn/tổ dân phố nào trong phạm vi bạn được xem." in page


def test_villages_without_records_show_zero_not_an_error(signed_in, manager, villages):
    page = signed_in(manager).get(DASHBOARD).content.decode()
    assert "0,0%" in page
    assert "Chưa có chiến dịch: dùng chỉ tiêu chung 45-50%." in page


def test_xlsx_export_has_vietnamese_headers_and_the_same_figures(signed_in, manager, progress):
    response = signed_in(manager).get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == (
        "Tiến độ cài đặt, hướng dẫn sử dụng hệ thống đặt hẹn và xếp hàng tự động"
    )
    header = next(r for r in values if r[0] == "Xã/phường")
    assert header[:7] == (
        "Xã/phường",
        "Thôn/tổ dân phố",
        "Dân số trong độ tuổi lao động (18-59)",
        "Đã cài đặt/được hướng dẫn (18-59)",
        "Tỷ lệ (%)",
        "Chỉ tiêu (%)",
        "Tiến độ",
    )
    assert "Tạo tài khoản định danh VNeID mức 2" in header
    thon1 = next(r for r in values if r[1] == "Thôn 1")
    assert thon1[:7] == ("Xã Vĩnh Bảo", "Thôn 1", 200, 90, 45.0, "45-50", "Đạt chỉ tiêu")
    thon2 = next(r for r in values if r[1] == "Thôn 2")
    assert thon2[4:7] == (16.5, "45-50", "Đúng tiến độ")
    total = next(r for r in values if r[1] == "Cộng")
    assert total[2:5] == (600, 156, 26.0)


def test_campaign_milestones_are_validated(commune):
    from django.core.exceptions import ValidationError

    campaign = Campaign(
        unit=commune,
        name="Cao điểm 30 ngày",
        start=timezone.localdate(),
        end=timezone.localdate() - timedelta(days=1),
        milestones=[{"date": "ngày mai", "percent": 120}],
    )
    with pytest.raises(ValidationError) as exc:
        campaign.full_clean()
    assert set(exc.value.message_dict) == {"end", "milestones"}


def test_dashboard_queries_do_not_grow_with_the_number_of_villages(
    signed_in, manager, commune, progress, django_assert_max_num_queries
):
    client = signed_in(manager)
    client.get(DASHBOARD)  # warm the session
    with django_assert_max_num_queries(14) as few:
        client.get(DASHBOARD)
    for i in range(20):
        village = Village.objects.create(
            unit=commune, name=f"Tổ dân phố {i}", working_age_population=100 + i
        )
        people(village, 2, [INSTALLED])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(DASHBOARD).status_code == 200
