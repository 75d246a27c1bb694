"""Thống kê hàng đợi: the figures a leader reads, computed from a known morning of tickets.

The morning (Tuesday 17/11/2026, clock of tests/queueing/conftest.py):
  A001 09:01 -> called 09:03 at counter 1 (waited 2'), served 5', rated "rất hài lòng"
  A002 09:09 -> called 09:13 at counter 1 (waited 4'), served 9', "không hài lòng: chờ lâu"
  C001 09:23 -> called 09:29 at counter 2 (waited 6'), served 10', rated "hài lòng"
  B001 09:40 -> called 09:42 at counter 1 (waited 2'), three calls, absent
  A003 14:00 -> never called
"""

import datetime as dt
import io

import lxml.html
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.feedback import services as feedback
from motcua.feedback.models import Level, Reason
from motcua.queueing import services

from .conftest import MODEL_BACKEND

PAGE = "/can-bo/hang-doi/thong-ke/"
DAY = {"tu_ngay": "2026-11-17", "den_ngay": "2026-11-17"}


def serve(counters, officer, issue, clock, code, counter, wait, minutes):
    ticket = issue(code)
    clock.advance(minutes=wait)
    called = services.call_next(counter=counters[counter], officer=officer)
    assert called.pk == ticket.pk
    services.start_service(ticket=called, counter=counters[counter], officer=officer)
    clock.advance(minutes=minutes)
    return services.finish_service(ticket=called, counter=counters[counter], officer=officer)


@pytest.fixture
def morning(open_counters, officer, issue, clock):
    a1 = serve(open_counters, officer, issue, clock, "A", 1, wait=2, minutes=5)
    a2 = serve(open_counters, officer, issue, clock, "A", 1, wait=4, minutes=9)
    c1 = serve(open_counters, officer, issue, clock, "C", 2, wait=6, minutes=10)
    b1 = issue("B")
    clock.advance(minutes=2)
    services.call_next(counter=open_counters[1], officer=officer)
    for _ in range(2):
        services.recall(ticket=b1, counter=open_counters[1], officer=officer)
    services.skip(ticket=b1, counter=open_counters[1], officer=officer)
    clock.set(dt.datetime(2026, 11, 17, 13, 59, tzinfo=clock.current.tzinfo))
    issue("A")
    feedback.rate_ticket(ticket=a1, level=Level.VERY_SATISFIED)
    feedback.rate_ticket(ticket=a2, level=Level.NOT_SATISFIED, reason=Reason.LONG_WAIT)
    feedback.rate_ticket(ticket=c1, level=Level.SATISFIED)
    return open_counters


def signed_in(client, user):
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def text(page, testid: str) -> str:
    return " ".join(page.xpath(f'//*[@data-testid="{testid}"]')[0].text_content().split())


def table(page, testid: str) -> list[list[str]]:
    rows = page.xpath(f'//table[@data-testid="{testid}"]/tbody/tr')
    return [[" ".join(c.text_content().split()) for c in row.xpath("th|td")] for row in rows]


def test_a_leader_reads_waits_service_times_absences_and_satisfaction(
    client, morning, make_officer, commune
):
    leader = make_officer(commune, role=Role.LEADER)
    answer = signed_in(client, leader).get(PAGE, DAY)
    assert answer.status_code == 200
    page = lxml.html.fromstring(answer.content.decode())

    assert text(page, "total-issued") == "5"
    assert text(page, "total-served") == "3"
    assert text(page, "total-wait") == "3,5 phút"  # (2 + 4 + 6 + 2) / 4 called
    assert text(page, "total-service") == "8,0 phút"  # (5 + 9 + 10) / 3
    assert text(page, "total-no-show").startswith("25,0%")  # 1 absent of 4 called
    assert text(page, "total-satisfied").startswith("66,7%")  # 2 of 3 ratings
    # service, issued, served, wait, service time, absent, ratings, satisfied
    assert table(page, "by-service") == [
        ["A - Hộ tịch", "3", "2", "3,0", "7,0", "0,0%", "2", "50,0%"],
        ["B - Chứng thực", "1", "0", "2,0", "–", "100,0%", "0", "–"],
        ["C - Đất đai, xây dựng", "1", "1", "6,0", "10,0", "0,0%", "1", "100,0%"],
    ]
    assert table(page, "by-counter") == [
        ["Quầy 1: Hộ tịch - Chứng thực", "3", "2", "2,7", "7,0", "33,3%", "2", "50,0%"],
        ["Quầy 2: Đất đai", "1", "1", "6,0", "10,0", "0,0%", "1", "100,0%"],
    ]
    hours = table(page, "by-hour")
    assert [(r[0], r[1]) for r in hours] == [("09:00–09:59", "4"), ("14:00–14:59", "1")]
    assert text(page, "levels") == "Rất hài lòng 1 Hài lòng 1 Không hài lòng 1"
    assert text(page, "reasons") == "Chờ lâu: 1"
    assert table(page, "by-officer") == [["Cán bộ 1", "3", "66,7%", "1"]]


def test_the_export_holds_the_same_figures_under_vietnamese_headers(
    client, morning, make_officer, commune
):
    manager = make_officer(commune, role=Role.MANAGER)
    answer = signed_in(client, manager).get(reverse("queue_statistics:export"), DAY)

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "thong-ke-hang-doi-18073-20261117-20261117.xlsx" in answer["Content-Disposition"]
    wb = load_workbook(io.BytesIO(answer.content))
    assert wb.sheetnames == [
        "Tổng hợp",
        "Theo nhóm dịch vụ",
        "Theo quầy",
        "Theo giờ trong ngày",
        "Hài lòng theo cán bộ",
        "Hài lòng về hồ sơ",
        "Hài lòng hồ sơ theo cán bộ",
        "Chỉ số TT 01-2018",
    ]
    summary = {row[0]: row[1] for row in wb["Tổng hợp"].iter_rows(values_only=True) if row}
    assert summary["Đơn vị"] == "Xã Thạch Hà"
    assert summary["Số lượt lấy số"] == 5
    assert summary["Chờ trung bình (phút)"] == 3.5
    assert summary["Tỷ lệ vắng mặt (%)"] == 25.0
    assert summary["Tỷ lệ hài lòng (%)"] == 66.7
    assert summary["Chờ lâu"] == 1
    rows = list(wb["Theo quầy"].iter_rows(values_only=True))
    assert rows[0] == (
        "Quầy",
        "Số lượt lấy số",
        "Đã phục vụ xong",
        "Vắng mặt",
        "Chờ trung bình (phút)",
        "Phục vụ trung bình (phút)",
        "Tỷ lệ vắng mặt (%)",
        "Số lượt đánh giá",
        "Hài lòng (%)",
        "Không hài lòng",
    )
    assert rows[1] == ("Quầy 1: Hộ tịch - Chứng thực", 3, 2, 1, 2.7, 7.0, 33.3, 2, 50.0, 1)
    hours = list(wb["Theo giờ trong ngày"].iter_rows(values_only=True))
    assert [r[:2] for r in hours[1:]] == [("09:00–09:59", 4), ("14:00–14:59", 1)]


def test_a_counter_officer_sees_the_figures_but_not_colleagues_ranked(client, morning, officer):
    page = signed_in(client, officer).get(PAGE, DAY).content.decode()
    assert 'data-testid="by-counter"' in page
    assert 'data-testid="by-officer"' not in page
    wb = load_workbook(
        io.BytesIO(signed_in(client, officer).get(reverse("queue_statistics:export"), DAY).content)
    )
    assert "Hài lòng theo cán bộ" not in wb.sheetnames


def test_the_default_period_is_the_last_30_days(client, morning, officer):
    page = signed_in(client, officer).get(PAGE).content.decode()
    assert "từ 19/10/2026 đến 17/11/2026" in page
    assert 'data-testid="total-issued">5<' in page


def test_a_period_without_tickets_says_so(client, officer, commune):
    answer = signed_in(client, officer).get(
        PAGE, {"tu_ngay": "2026-01-01", "den_ngay": "2026-01-31"}
    )
    assert answer.status_code == 200
    assert "Chưa có số liệu trong khoảng thời gian này." in answer.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tu_ngay": "2026-11-20", "den_ngay": "2026-11-01"}, "“Từ ngày” phải trước"),
        ({"tu_ngay": "2024-01-01", "den_ngay": "2026-11-01"}, "tối đa 366 ngày"),
        ({"tu_ngay": "17/13/2026"}, "Ngày không hợp lệ."),
    ],
)
def test_a_wrong_period_is_explained(client, officer, commune, query, message):
    answer = signed_in(client, officer).get(PAGE, query)
    assert answer.status_code == 400
    assert message in answer.content.decode()


def test_another_units_statistics_do_not_exist_for_the_user(
    client, morning, officer, other_commune
):
    c = signed_in(client, officer)
    assert c.get(PAGE, {**DAY, "don_vi": other_commune.pk}).status_code == 404
    assert (
        c.get(reverse("queue_statistics:export"), {"don_vi": other_commune.pk}).status_code == 404
    )


def test_a_province_manager_picks_the_commune(
    client, morning, make_officer, commune, other_commune
):
    manager = make_officer(commune.parent, role=Role.MANAGER)
    c = signed_in(client, manager)
    first = c.get(PAGE, DAY).content.decode()
    assert "Xã Thạch Hà" in first and 'data-testid="total-issued">5<' in first  # runs a queue
    other = c.get(PAGE, {**DAY, "don_vi": other_commune.pk}).content.decode()
    assert "Chưa có số liệu trong khoảng thời gian này." in other


def test_who_may_open_the_statistics(client, make_officer, commune):
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and "/can-bo/dang-nhap/" in anonymous["Location"]
    for role in (Role.SPECIALIST, Role.DIGITAL_TEAM, Role.ADMINISTRATOR):
        client.force_login(make_officer(commune, role=role), backend=MODEL_BACKEND)
        assert client.get(PAGE).status_code == 403, role
    for role in (Role.COUNTER_OFFICER, Role.LEADER, Role.MANAGER):
        client.force_login(make_officer(commune, role=role), backend=MODEL_BACKEND)
        assert client.get(PAGE).status_code == 200, role


def test_the_staff_menu_links_the_statistics_for_leaders(client, make_officer, commune):
    leader = make_officer(commune, role=Role.LEADER)
    home = signed_in(client, leader).get(reverse("accounts:home")).content.decode()
    assert "Thống kê hàng đợi" in home and PAGE in home


def test_dossier_satisfaction_shows_land_construction_investment_apart(
    client, morning, make_officer, commune, officer
):
    """Two land dossiers (one not satisfied) and one civil-status dossier rated on 17/11: the
    page's dossier section says 3 ratings 66,7%, land etc. 1 of 2 (50%), the others 100%; the
    leader sees it per officer, the counter officer does not."""
    from motcua.catalog.models import Field
    from tests.feedback.test_rating_rules import _returned_dossier

    land = Field.objects.create(name="Đất đai", code="dat-dai")
    moment = dt.datetime(2026, 11, 17, 10, 0, tzinfo=dt.UTC)
    for n, (level, reason, in_land) in enumerate(
        [
            (Level.SATISFIED, "", True),
            (Level.NOT_SATISFIED, Reason.MANY_TRIPS, True),
            (Level.VERY_SATISFIED, "", False),
        ]
    ):
        dossier = _returned_dossier(commune, code=f"000.00.12.H42-261117-{n + 1:04d}")
        if in_land:
            dossier.procedure.field = land
            dossier.procedure.save(update_fields=["field"])
        feedback.rate_dossier(
            dossier=dossier, level=level, reason=reason, channel="phone", officer=officer, at=moment
        )

    leader = make_officer(commune, role=Role.LEADER)
    page = lxml.html.fromstring(signed_in(client, leader).get(PAGE, DAY).content)
    assert table(page, "dossier-groups") == [
        ["Tất cả hồ sơ", "3", "66,7%", "1"],
        ["Đất đai, xây dựng, đầu tư (mục tiêu ≥ 85%)", "2", "50,0%", "1"],
        ["Các lĩnh vực khác", "1", "100,0%", "0"],
    ]
    assert ["Đất đai", "2", "50,0%", "1"] in table(page, "dossier-fields")
    assert table(page, "dossier-officers") == [[str(officer), "3", "66,7%", "1"]]

    wb = load_workbook(io.BytesIO(client.get(reverse("queue_statistics:export"), DAY).content))
    rows = [[c.value for c in row] for row in wb["Hài lòng về hồ sơ"].iter_rows(min_row=2)]
    assert ["Đất đai, xây dựng, đầu tư (mục tiêu ≥ 85%)", 2, 50.0, 1] in rows
    assert ["Đất đai", 2, 50.0, 1] in rows

    mine = signed_in(client, officer).get(PAGE, DAY).content.decode()
    assert 'data-testid="dossier-groups"' in mine and 'data-testid="dossier-officers"' not in mine


def test_the_nine_tt01_indicators_and_the_grade_under_dossier_satisfaction(
    client, make_officer, commune, other_commune, clock
):
    """Two dossiers of the commune returned on 17/11, no petitions:
      A: everything right, filed online                 -> 18
      B: one supplement request, filed at the counter   -> (3) = 1, (9) = 1: 16
    Means 2; 2; 1,5; 2; 2; 2; 2; 2; 1,5 -> 17,00 "Xuất sắc". A dossier of the other commune
    returned that day is not counted (its page shows nothing for the commune's leader)."""
    from motcua.dossiers.models import Channel as DossierChannel
    from tests.feedback.test_tt01_indicators import returned, supplement

    returned(commune, 1)
    supplement(returned(commune, 2, channel=DossierChannel.COUNTER))
    returned(other_commune, 3)

    leader = make_officer(commune, role=Role.LEADER)
    page = lxml.html.fromstring(signed_in(client, leader).get(PAGE, DAY).content)
    assert text(page, "indicators-basis").startswith("Tính từ dữ liệu của 2 hồ sơ")
    rows = table(page, "indicators")
    assert [r[2] for r in rows] == [
        "2,00",
        "2,00",
        "1,50",
        "2,00",
        "2,00",
        "2,00",
        "2,00",
        "2,00",
        "1,50",
    ]
    assert rows[2] == ["3", "Số lần công dân phải liên hệ để hoàn thiện hồ sơ", "1,50"]
    assert text(page, "indicators-total") == "17,00"
    assert text(page, "indicators-grade") == "Xuất sắc"

    wb = load_workbook(io.BytesIO(client.get(reverse("queue_statistics:export"), DAY).content))
    assert wb.sheetnames[-1] == "Chỉ số TT 01-2018"
    cells = [r for r in wb["Chỉ số TT 01-2018"].iter_rows(values_only=True) if any(r)]
    assert cells[0] == ("STT", "Tiêu chí", "Điểm trung bình (0–2)")
    assert cells[9] == (9, "Cung cấp dịch vụ công trực tuyến", 1.5)
    summary = {r[1]: r[2] for r in cells[10:]}
    assert summary["Tổng điểm (tối đa 18)"] == 17.0
    assert summary["Xếp loại"] == "Xuất sắc"
    assert summary["Số hồ sơ đã trả kết quả trong kỳ"] == 2

    other_manager = make_officer(other_commune, role=Role.MANAGER)
    theirs = lxml.html.fromstring(signed_in(client, other_manager).get(PAGE, DAY).content)
    assert text(theirs, "indicators-basis").startswith("Tính từ dữ liệu của 1 hồ sơ")
    assert text(theirs, "indicators-total") == "18,00"


def test_a_period_with_tickets_but_no_returned_dossier_says_so(client, morning, officer):
    page = lxml.html.fromstring(signed_in(client, officer).get(PAGE, DAY).content)
    assert text(page, "indicators-empty") == (
        "Chưa có hồ sơ nào trả kết quả trong khoảng thời gian này."
    )
    assert not page.xpath('//*[@data-testid="indicators"]')
