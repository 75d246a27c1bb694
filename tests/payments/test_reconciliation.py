"""Reconciliation of a bank statement (`payments.reconciliation`): each row matched to an attempt
by the reference the bank's notification finds in the transfer text; the report says what each
row is; a lost notification is caught up exactly once; broken rows are reported one by one
while the good rows still match; the same statement twice matches once; only the unit's
managers and leaders."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motcua.core.models import AuditEvent
from motcua.payments import reconciliation, services
from motcua.payments.models import (
    PaymentAttempt,
    PaymentEvent,
    PaymentRequest,
    ReconciliationLine,
    ReconciliationRun,
)
from tests.dossiers.factories import at, make_staff, receive

A = PaymentAttempt.Status
OUT = ReconciliationLine.Outcome
DAY = at(2026, 11, 2, 10)
LATER = at(2026, 11, 3, 8)


def vietqr_attempt(world, key="k") -> PaymentAttempt:
    dossier = receive(world)
    request = services.request_fees(world.officer, dossier_id=dossier.pk, at=DAY)
    return services.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key=key, at=DAY
    )


def credit_by_webhook(attempt, txn: str) -> None:
    services.record_paid(
        None,
        report=services.Report(
            reference=attempt.reference,
            amount_vnd=attempt.amount_vnd,
            transaction_id=f"bank:{txn}",
            source="bank",
        ),
        at=DAY,
    )


def vcb_csv(rows: list[str]) -> bytes:
    """A statement as Vietcombank's online banking exports it: title lines, then the table."""
    head = [
        "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM",
        "SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT",
        "Số tài khoản: 0123456789,,,,,,",
        "Từ ngày 02/11/2026 đến ngày 02/11/2026",
        "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Số dư,Mô tả giao dịch",
    ]
    return ("\n".join(head + rows) + "\n").encode("utf-8-sig")


@pytest.fixture
def four(world):
    """a paid by its notification; b waiting (its notification was lost); c paid, absent from
    the statement; d waiting, transferred with the wrong amount."""
    a, b, c, d = (vietqr_attempt(world, key) for key in "abcd")
    credit_by_webhook(a, "FT26306001")
    credit_by_webhook(c, "FT26306099")
    return a, b, c, d


def test_a_statement_report_says_what_each_row_is_and_a_lost_notification_is_caught_up(world, four):
    a, b, c, d = four
    statement = vcb_csv(
        [
            f'1,02/11/2026,FT26306001,,"8.000","1.008.000","MBVCB.1234.{a.reference}.CT tu 0011"',
            f'2,02/11/2026,FT26306002,,"8,000","1.016.000","NGUYEN VAN AN chuyen khoan '
            f'{b.reference[:6]} {b.reference[6:].lower()}"',
            f'3,02/11/2026,FT26306003,,"9.000","1.025.000","thanh toan {d.reference}"',
            '4,02/11/2026,FT26306004,,"50.000","1.075.000","ung ho quy khuyen hoc"',
            f'5,02/11/2026,FT26306001,,"8.000","1.083.000","MBVCB.1234.{a.reference}.CT tu 0011"',
            '6,02/11/2026,FT26306005,,"tam nghin","1.083.000","dong nay hong"',
            '7,31/02/2026,FT26306006,,"8.000","1.091.000","ngay sai"',
            '8,02/11/2026,FT26306007,"20.000",,"1.071.000","phi dich vu SMS"',
            ',Tổng cộng,,"20.000","91.000",,',
        ]
    )
    outcome = reconciliation.reconcile(
        world.manager, unit_id=world.commune.pk, source="bank", data=statement, at=LATER
    )
    run = outcome.run
    got = {line.row_number: line.outcome for line in run.lines.exclude(outcome=OUT.MISSING)}
    assert got == {
        6: OUT.MATCHED,  # a: already credited by its notification
        7: OUT.CREDITED,  # b: reference found despite the spaces and lower case
        8: OUT.AMOUNT_MISMATCH,  # d: 9.000 for 8.000
        9: OUT.UNMATCHED,  # money that matches no attempt
        10: OUT.DUPLICATE,  # the same bank reference twice in one file
        11: OUT.INVALID,  # "tam nghin" is no amount
        12: OUT.INVALID,  # 31/02 is no date
    }  # row 13 (money out) and the total line are not ours to match
    missing = run.lines.get(outcome=OUT.MISSING)
    assert missing.attempt == c and missing.row_number is None
    # exceptions: the mismatch, the unmatched, the duplicate, two broken rows, the missing one
    assert (run.rows, run.matched, run.credited, run.exceptions) == (7, 2, 1, 6)
    assert "tam nghin" in run.lines.get(row_number=11).problem
    assert (run.date_from, run.date_to) == (DAY.date(), DAY.date())

    b.refresh_from_db()
    assert b.status == A.PAID and b.provider_transaction_id == "bank:FT26306002"
    assert b.request.status == PaymentRequest.Status.PAID
    d.refresh_from_db()
    assert d.status == A.CREATED  # a wrong amount is never credited
    assert AuditEvent.objects.filter(action="payment.reconciled", object_id=str(run.pk)).exists()


def test_the_same_statement_twice_or_overlapping_statements_never_credit_twice(world, four):
    _a, b, _c, _d = four
    row = f'1,02/11/2026,FT26306002,,"8.000","1.008.000","CT {b.reference}"'
    first = reconciliation.reconcile(
        world.manager, unit_id=world.commune.pk, source="bank", data=vcb_csv([row]), at=LATER
    )
    again = reconciliation.reconcile(
        world.leader, unit_id=world.commune.pk, source="bank", data=vcb_csv([row]), at=LATER
    )
    assert again.again and again.run.pk == first.run.pk
    assert ReconciliationRun.objects.count() == 1

    # a statement of two days that repeats yesterday's row: noted, not matched again
    week = vcb_csv([row, '2,03/11/2026,FT26307001,,"8.000","1.016.000","khong ro"'])
    later = reconciliation.reconcile(
        world.manager, unit_id=world.commune.pk, source="bank", data=week, at=LATER
    )
    assert later.run.lines.get(row_number=6).outcome == OUT.REPEATED
    assert PaymentEvent.objects.filter(attempt=b, action="pay").count() == 1

    # the lost notification arrives after all: refused, never a second credit
    with pytest.raises(services.PaymentRefused):
        credit_by_webhook(b, "FT26306002-WEBHOOK")
    assert PaymentEvent.objects.filter(attempt=b, action="pay").count() == 1


def test_an_xlsx_statement_with_a_banks_own_column_names(world, four):
    from openpyxl import Workbook

    _a, b, _c, _d = four
    book = Workbook()
    sheet = book.active
    sheet.append(["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM - VietinBank"])
    sheet.append(["Ngày HT", "Mã GD", "Có", "Chi tiết"])
    sheet.append([DAY.replace(tzinfo=None), "VTB001", 8000, f"IBFT {b.reference} Nguyễn Văn An"])
    sheet.append(["02/11/2026", "VTB002", "1,000,000.00", "không khớp"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError, match="dòng tiêu đề"):
        reconciliation.reconcile(
            world.manager, unit_id=world.commune.pk, source="bank", data=out.getvalue()
        )
    columns = {"date": "Ngày HT", "reference": "Mã GD", "credit": "Có", "text": "Chi tiết"}
    run = reconciliation.reconcile(
        world.manager,
        unit_id=world.commune.pk,
        source="bank",
        data=out.getvalue(),
        columns=columns,
        at=LATER,
    ).run
    assert [(x.row_number, x.outcome, x.amount_vnd) for x in run.lines.order_by("id")][:2] == [
        (3, OUT.CREDITED, 8000),
        (4, OUT.UNMATCHED, 1_000_000),
    ]
    b.refresh_from_db()
    assert b.status == A.PAID


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "không phải sao kê dạng CSV hoặc Excel"),
        (b"PK\x03\x04 not really a workbook", "Tệp Excel bị hỏng"),
        (b"", "Tệp rỗng"),
        ("Họ tên,Địa chỉ\nAn,Hà Nội\n".encode(), "dòng tiêu đề"),
    ],
)
def test_a_file_that_is_not_a_statement_is_refused_in_vietnamese(world, data, message):
    with pytest.raises(ValidationError, match=message):
        reconciliation.reconcile(world.manager, unit_id=world.commune.pk, source="bank", data=data)
    assert ReconciliationRun.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.000.000", 1_000_000),
        ("1,000,000", 1_000_000),
        ("1.000.000,00", 1_000_000),
        ("1,000,000.00", 1_000_000),
        ("8000", 8000),
        ("8.000 VND", 8000),
        (" 25.000 đ", 25000),
        (8000.0, 8000),
        ("", None),
    ],
)
def test_amounts_as_vietnamese_banks_write_them(text, amount):
    assert reconciliation.parse_amount(text) == amount


@pytest.mark.parametrize("text", ["8.000,50", "1.00.000", "abc", "1,5"])
def test_amounts_that_are_not_whole_dong_are_refused(text):
    with pytest.raises(ValueError):
        reconciliation.parse_amount(text)


def test_only_the_units_managers_and_leaders_reconcile_and_resolve(world, four):
    _a, _b, _c, d = four
    row = f'1,02/11/2026,FT1,,"9.000","9.000","{d.reference}"'
    for outsider in (world.officer, world.other_leader, world.specialist):
        with pytest.raises(PermissionDenied):
            reconciliation.reconcile(
                outsider, unit_id=world.commune.pk, source="bank", data=vcb_csv([row])
            )
    run = reconciliation.reconcile(
        world.leader, unit_id=world.commune.pk, source="bank", data=vcb_csv([row]), at=LATER
    ).run
    line = run.lines.get(outcome=OUT.AMOUNT_MISMATCH)
    with pytest.raises(PermissionDenied):
        reconciliation.resolve(world.other_leader, line_id=line.pk, note="không phải của tôi")
    with pytest.raises(ValidationError):
        reconciliation.resolve(world.manager, line_id=line.pk, note="  ")
    province_manager = make_staff(("manager", world.province))
    done = reconciliation.resolve(
        province_manager, line_id=line.pk, note="Đã liên hệ người nộp, hoàn 1.000 đồng thừa."
    )
    assert done.resolved_by == province_manager and done.resolved_at is not None
    with pytest.raises(ValidationError, match="đã được xử lý"):
        reconciliation.resolve(world.manager, line_id=line.pk, note="lần hai")
    event = AuditEvent.objects.get(action="payment.reconciliation_resolved")
    assert event.changes["note"].startswith("Đã liên hệ")


def test_a_statement_only_reaches_its_own_units_attempts(world, four):
    _a, b, _c, _d = four
    row = f'1,02/11/2026,FT1,,"8.000","8.000","{b.reference}"'
    run = reconciliation.reconcile(
        world.other_leader, unit_id=world.other.pk, source="bank", data=vcb_csv([row]), at=LATER
    ).run
    assert run.lines.get().outcome == OUT.UNMATCHED
    b.refresh_from_db()
    assert b.status == A.CREATED


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_a_bidv_style_statement_with_any_delimiter_below_its_title_lines(world, delimiter):
    attempt = vietqr_attempt(world)
    out = io.StringIO()
    out.write("NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM\nSAO KÊ TÀI KHOẢN, kỳ 11/2026\n")
    table = csv.writer(out, delimiter=delimiter)  # quotes a text with the delimiter in it
    table.writerow(["STT", "Ngày GD", "Số tham chiếu", "Ghi nợ", "Ghi có", "Mô tả giao dịch"])
    table.writerow(
        ["1", "02/11/2026 10:21:33", "BIDV1", "", "8.000", f"CK {attempt.reference} phí, lệ phí"]
    )
    rows = reconciliation.read_statement(out.getvalue().encode())
    assert [(r.line, r.booked_on, r.key, r.amount_vnd, r.problem) for r in rows] == [
        (4, DAY.date(), "BIDV1", 8000, "")
    ]
    assert rows[0].text == f"CK {attempt.reference} phí, lệ phí"
