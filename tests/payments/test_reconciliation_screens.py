"""The manager's reconciliation screens (/can-bo/thu-phi/doi-soat/) and the payment figures
screen (/can-bo/thu-phi/so-lieu/): what a manager sees and does, the same file twice, a file
that is not a statement, and the refusals (a counter officer 403, another unit's run 404, a line
of another run 404), the figures' lists and their XLSX read back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from motcua.core.models import AuditEvent
from motcua.dossiers.models import Department
from motcua.payments.models import ReconciliationLine, ReconciliationRun
from tests.payments.test_payment_figures import commune  # noqa: F401 (the fixture)
from tests.payments.test_reconciliation import vcb_csv, vietqr_attempt

pytestmark = pytest.mark.django_db
URL = reverse("payments:reconciliation")
FIGURES = reverse("payments:figures")
NOVEMBER = {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-30"}


def upload(client, world, data: bytes, name="saoke.csv", **extra):
    return client.post(
        URL,
        {
            "don_vi": world.commune.pk,
            "nguon": "bank",
            "tep": SimpleUploadedFile(name, data),
            **extra,
        },
    )


def statement_with_a_broken_row(attempt) -> bytes:
    return vcb_csv(
        [
            f'1,02/11/2026,FT1,,"8.000","8.000","CT {attempt.reference}"',
            '2,02/11/2026,FT2,,"8.ooo","16.000","dong hong"',
        ]
    )


def test_a_manager_uploads_a_statement_and_works_through_its_exceptions(client, world):
    attempt = vietqr_attempt(world)
    client.force_login(world.manager)
    empty = client.get(URL).content.decode()
    assert 'data-testid="runs-empty"' in empty and "Chưa có lần đối soát nào." in empty

    answer = upload(client, world, statement_with_a_broken_row(attempt))
    run = ReconciliationRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "payments:reconciliation_run", args=[run.pk]
    )
    page = client.get(answer["Location"]).content.decode()
    assert "Số tiền ghi có không đọc được: “8.ooo”." in page  # only exceptions by default
    assert attempt.reference not in page
    everything = client.get(answer["Location"] + "?xem=tat_ca").content.decode()
    assert "Khớp, ghi nhận bổ sung (thiếu thông báo)" in everything
    assert attempt.reference in everything

    broken = run.lines.get(outcome=ReconciliationLine.Outcome.INVALID)
    done = client.post(
        answer["Location"],
        {"dong": broken.pk, "ghi_chu": "Ngân hàng xác nhận 8.000 đ, đã đối chiếu."},
    )
    assert done.status_code == 302
    broken.refresh_from_db()
    assert broken.resolved_by == world.manager
    assert AuditEvent.objects.filter(action="payment.reconciliation_resolved").count() == 1
    assert "Không còn dòng nào cần xử lý." in client.get(answer["Location"]).content.decode()
    assert "payment.reconciled" in AuditEvent.objects.values_list("action", flat=True)

    again = upload(client, world, statement_with_a_broken_row(attempt), name="lan-2.csv")
    assert again["Location"] == answer["Location"]
    shown = client.get(again["Location"]).content.decode()
    assert "Tệp này đã được đối soát lúc" in shown
    assert ReconciliationRun.objects.count() == 1


def test_a_file_that_is_not_a_statement_is_refused_with_a_vietnamese_message(client, world):
    client.force_login(world.leader)
    answer = upload(client, world, b"%PDF-1.7\n\x00\x01binary", name="saoke.csv")
    assert answer.status_code == 400
    assert "Tệp không phải sao kê dạng CSV hoặc Excel (.xlsx)" in answer.content.decode()
    assert ReconciliationRun.objects.count() == 0


def test_refusals(client, world):
    attempt = vietqr_attempt(world)
    client.force_login(world.manager)
    upload(client, world, statement_with_a_broken_row(attempt))
    run = ReconciliationRun.objects.get()
    line = run.lines.get(outcome=ReconciliationLine.Outcome.INVALID)
    run_url = reverse("payments:reconciliation_run", args=[run.pk])

    for role_without in (world.officer, world.specialist):
        client.force_login(role_without)
        assert client.get(URL).status_code == 403
        assert client.get(run_url).status_code == 403
        assert client.get(FIGURES).status_code == 403

    client.force_login(world.other_leader)  # a leader, of another commune
    assert client.get(run_url).status_code == 404
    assert client.post(run_url, {"dong": line.pk, "ghi_chu": "x"}).status_code == 404
    assert "Chưa có lần đối soát nào." in client.get(URL).content.decode()
    other = upload(client, world, b"x")  # the page does not offer this unit
    assert other.status_code == 400 and ReconciliationRun.objects.count() == 1
    line.refresh_from_db()
    assert line.resolved_at is None

    # a line of another run through this run's address does not exist
    client.force_login(world.manager)
    second = upload(client, world, vcb_csv(['1,03/11/2026,FT9,,"5.000","5.000","khong ro"']))
    assert second.status_code == 302
    newer = ReconciliationRun.objects.exclude(pk=run.pk).get()
    wrong = reverse("payments:reconciliation_run", args=[newer.pk])
    assert client.post(wrong, {"dong": line.pk, "ghi_chu": "x"}).status_code == 404
    assert client.post(run_url, {"dong": line.pk, "ghi_chu": ""}).status_code == 400


def test_the_runs_list_is_paginated(client, world):
    client.force_login(world.manager)
    for n in range(27):
        row = f'1,02/11/2026,FT{n},,"5.000","5.000","khong ro {n}"'
        assert upload(client, world, vcb_csv([row])).status_code == 302
    first = client.get(URL).content.decode()
    assert first.count('class="title"') == 25 and "Trang sau" in first
    assert client.get(URL + "?page=2").content.decode().count('class="title"') == 2


def test_the_figures_screen_shows_each_ratio_and_the_list_behind_it(client, world, commune):  # noqa: F811
    client.force_login(world.leader)
    page = client.get(FIGURES, {**NOVEMBER}).content.decode()
    assert "80,00%" in page and "4 / 5" in page  # transactions
    assert "66,67%" in page and "2 / 3" in page  # procedures
    assert "33,33%" in page and "2 / 6" in page  # dossiers
    listed = client.get(FIGURES, {**NOVEMBER, "ds": "ho_so"}).content.decode()
    assert listed.count('data-counted="1"') == 2 and listed.count('data-counted="0"') == 4

    vhxh = Department.objects.get(unit=world.commune, code="vhxh")
    one = client.get(FIGURES, {**NOVEMBER, "phong_ban": vhxh.pk}).content.decode()
    assert "0 / 3" in one
    theirs = Department.objects.get(unit=world.other, code="vhxh")
    assert client.get(FIGURES, {**NOVEMBER, "phong_ban": theirs.pk}).status_code == 404
    assert client.get(FIGURES, {**NOVEMBER, "don_vi": world.other.pk}).status_code == 404
    bad = client.get(FIGURES, {"tu_ngay": "2026-12-01", "den_ngay": "2026-11-01"})
    assert bad.status_code == 400 and "“Từ ngày” phải trước" in bad.content.decode()
    nothing = client.get(FIGURES, {"tu_ngay": "2027-01-01", "den_ngay": "2027-01-31"})
    assert "chưa có dữ liệu" in nothing.content.decode()
    assert 'data-testid="figures-empty"' in nothing.content.decode()


def test_the_figures_as_xlsx_read_back_with_their_diacritics(client, world, commune):  # noqa: F811
    client.force_login(world.manager)
    answer = client.get(reverse("payments:figures_xlsx"), NOVEMBER)
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith('so-lieu-thanh-toan-20261101-20261130.xlsx"')
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Tổng hợp", "Theo hình thức", "Theo thủ tục"]
    summary = [r for r in book["Tổng hợp"].iter_rows(values_only=True) if r and r[0]]
    assert ("Đơn vị", "Xã An Hưng") in [tuple(r[:2]) for r in summary]
    assert (
        "Hồ sơ thanh toán trực tuyến / hồ sơ có nghĩa vụ tài chính",
        2,
        6,
        33.33,
    ) in summary
    assert ("Số tiền thanh toán trực tuyến / số tiền thanh toán (đồng)", 32000, 532000, 6.02) in [
        tuple(r[:4]) for r in summary
    ]
    methods = list(book["Theo hình thức"].iter_rows(values_only=True))
    assert ("Chuyển khoản bằng mã VietQR", "Có", 3, 24000) in methods
    assert ("Tiền mặt tại quầy", "Không", 1, 500000) in methods
    procedures = list(book["Theo thủ tục"].iter_rows(values_only=True))
    assert procedures[0][1] == "Tên thủ tục"
    assert any(r[1] == "Chứng thực chữ ký" for r in procedures[1:])
