"""Đối soát: a bank statement or the platform's daily file matched to the attempts of a unit
(docs/decisions/0039-reconciliation-and-payment-figures.md).

Reading: a statement is a CSV or an XLSX (told apart by content, never by name) in the shape
Vietnamese banks export it: a few title lines, then a header row with "Ngày giao dịch", "Số
tham chiếu", "Số tiền ghi có", "Nội dung" / "Mô tả giao dịch" (or the other names in
`DEFAULT_COLUMNS`; a manager may name the columns of another bank), amounts as "1.000.000" or
"1,000,000", dates dd/mm/yyyy. The platform's daily file is read by `platform.read_daily_file`
(the adapter knows its field names). A broken row is reported with its line and the reason;
the good rows are still matched.

Matching, row by row: the attempt's reference is found in the transfer text by the function the
bank's notification uses (`bank.reference_in`); the platform's rows name their transaction id
and reference. A row that credits a waiting attempt (its notification was lost) goes through
`services.record_paid`, exactly once, so a row read twice or a notification that arrives later
never credits twice. Paid attempts of the statement's days that no row mentions are reported
too. Who may: the unit's managers and leaders.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role
from motcua.accounts.scoping import roles_of
from motcua.core import audit
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit

from . import bank, platform, services
from .models import Method, PaymentAttempt, ReconciliationLine, ReconciliationRun

RECONCILERS = (Role.MANAGER, Role.LEADER)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 30
A = PaymentAttempt.Status
OUT = ReconciliationLine.Outcome
PAID_STATES = (A.PAID, A.PARTIALLY_REFUNDED, A.REFUNDED)

# The header names Vietnamese banks use (Vietcombank, BIDV, VietinBank, Agribank, Techcombank
# exports), compared without case, diacritics or spaces. The first is the one shown by default.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("Ngày giao dịch", "Ngày GD", "Ngày hiệu lực", "Ngày hạch toán", "Transaction Date"),
    "reference": (
        "Số tham chiếu",
        "Số bút toán",
        "Mã giao dịch",
        "Số chứng từ",
        "Reference No",
        "Transaction No",
    ),
    "credit": ("Số tiền ghi có", "Ghi có", "Phát sinh có", "Số tiền có", "Credit", "Credit Amount"),
    "text": (
        "Nội dung",
        "Mô tả giao dịch",
        "Nội dung giao dịch",
        "Diễn giải",
        "Nội dung chi tiết",
        "Description",
    ),
}
COLUMN_LABELS = {
    "date": gettext_lazy("Ngày giao dịch"),
    "reference": gettext_lazy("Số tham chiếu"),
    "credit": gettext_lazy("Số tiền ghi có"),
    "text": gettext_lazy("Nội dung"),
}


class StatementError(ValidationError):
    """The file as a whole cannot be read (not CSV/XLSX, no header row, too big)."""


def _fold(text: object) -> str:
    """Lower case, no diacritics, no spaces or punctuation: "Số tiền ghi có" -> "sotienghico"."""
    s = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "d")
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", s.lower())


# --- reading values --------------------------------------------------------------------------

_GROUPED = re.compile(r"^\d{1,3}([.,])\d{3}(\1\d{3})*$")


def parse_amount(value: object) -> int | None:
    """Whole đồng from "1.000.000", "1,000,000", "1.000.000,00", "1,000,000.00 VND", 1000000 or
    1000000.0; None when empty (a debit row's credit column). ValueError when unreadable or not
    whole đồng."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise ValueError(value)
        return int(value)
    text = re.sub(r"(?i)\s|vnd|đ|₫", "", str(value))
    if text in ("", "-"):
        return None
    negative = text.startswith("-")
    text = text.lstrip("+-")
    if not re.fullmatch(r"[0-9.,]+", text) or not text[0].isdigit():
        raise ValueError(value)
    if _GROUPED.match(text):
        whole = re.sub(r"[.,]", "", text)
    elif text.isdigit():
        whole = text
    else:
        # the last separator is the decimal one: the part after it must be zeros (đồng are whole)
        cut = max(text.rfind("."), text.rfind(","))
        head, tail = text[:cut], text[cut + 1 :]
        if not tail.isdigit() or set(tail) != {"0"} or len(tail) > 2:
            raise ValueError(value)
        if head.isdigit():
            whole = head
        elif _GROUPED.match(head):
            whole = re.sub(r"[.,]", "", head)
        else:
            raise ValueError(value)
    amount = int(whole)
    return -amount if negative else amount


def parse_date(value: object) -> dt.date:
    """dd/mm/yyyy (or dd-mm-yyyy, dd.mm.yyyy, with or without a time after it), or a date cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    found = re.match(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b", str(value or ""))
    if not found:
        raise ValueError(value)
    day, month, year = (int(g) for g in found.groups())
    return dt.date(year, month, day)


# --- reading the file ------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    booked_on: dt.date | None = None
    key: str = ""
    amount_vnd: int | None = None
    text: str = ""
    problem: str = ""
    transaction_id: str = ""  # the platform's daily file: its transaction id,
    reference: str = ""  # the attempt's reference
    unit_code: str = ""  # and the unit it was paid to (MaDonVi)


def table_of(data: bytes) -> list[list[object]]:
    """The cells of a CSV or an XLSX, told apart by content. Anything else is refused."""
    if len(data) > MAX_BYTES:
        raise StatementError(_("Tệp quá lớn (tối đa 5 MB)."))
    if not data.strip():
        raise StatementError(_("Tệp rỗng."))
    if data[:4] == b"PK\x03\x04":
        return _xlsx_table(data)
    if b"\x00" in data[:4096]:
        raise StatementError(
            _("Tệp không phải sao kê dạng CSV hoặc Excel (.xlsx). Vui lòng tải lên đúng tệp.")
        )
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = unicodedata.normalize("NFC", data.decode(encoding))  # cp1258 decomposes
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly anything
        raise StatementError(_("Không đọc được bảng mã của tệp CSV."))
    if any(c in text[:4096] for c in "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"):
        raise StatementError(
            _("Tệp không phải sao kê dạng CSV hoặc Excel (.xlsx). Vui lòng tải lên đúng tệp.")
        )
    # Title lines above the table defeat csv.Sniffer: the delimiter is the one that splits
    # some line of the top of the file into the most cells (the header row).
    top = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])

    def widest(delimiter: str) -> int:
        return max((len(r) for r in csv.reader(io.StringIO(top), delimiter=delimiter)), default=0)

    delimiter = max(",;\t|", key=widest)
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_table(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is not a workbook, or a broken one
        raise StatementError(_("Tệp Excel bị hỏng hoặc không phải định dạng .xlsx.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 50)]
    finally:
        book.close()
    return rows


def _columns_of(header: list[object], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    folded = [_fold(h) for h in header]
    found: dict[str, int] = {}
    for name, choices in wanted.items():
        for choice in choices:
            if _fold(choice) in folded:
                found[name] = folded.index(_fold(choice))
                break
    return found


def read_statement(data: bytes, columns: dict[str, str] | None = None) -> list[Row]:
    """The rows of a bank statement with money in (credit), each read or with its problem.
    `columns` names a bank's own headers for "date", "reference", "credit", "text"; the
    defaults cover the usual Vietnamese exports. Debit rows (no credit) are left out."""
    table = table_of(data)
    wanted = {k: v for k, v in DEFAULT_COLUMNS.items()}
    for name, header in (columns or {}).items():
        if name in wanted and (header or "").strip():
            wanted[name] = (header.strip(), *wanted[name])
    header_at, where = None, {}
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        where = _columns_of(cells, wanted)
        if {"date", "credit", "text"} <= set(where):
            header_at = index
            break
    if header_at is None:
        raise StatementError(
            _(
                "Không tìm thấy dòng tiêu đề của sao kê (cần các cột Ngày giao dịch, Số tiền ghi "
                "có, Nội dung). Nếu ngân hàng đặt tên cột khác, hãy nhập tên cột ở mục Tên cột."
            )
        )
    body = table[header_at + 1 :]
    if len(body) > MAX_ROWS:
        raise StatementError(_("Sao kê quá dài (tối đa 20.000 dòng mỗi lần)."))
    rows: list[Row] = []
    for offset, cells in enumerate(body):
        line = header_at + 2 + offset  # the spreadsheet's own row number
        if not any(str(c or "").strip() for c in cells):
            continue

        def cell(name: str, cells=cells) -> object:
            i = where.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        row = Row(line=line, text=str(cell("text") or "").strip()[:300])
        row.key = str(cell("reference") or "").strip()[:70]
        try:
            row.amount_vnd = parse_amount(cell("credit"))
        except ValueError:
            row.problem = _("Số tiền ghi có không đọc được: “%(v)s”.") % {
                "v": str(cell("credit"))[:40]
            }
        try:
            row.booked_on = parse_date(cell("date"))
        except ValueError:
            if _fold(cell("date")) in ("tong", "tongcong", "cong", "total"):
                continue  # the statement's total line
            row.problem = row.problem or _("Ngày giao dịch không đọc được: “%(v)s”.") % {
                "v": str(cell("date") or "")[:40]
            }
        if not row.problem and (row.amount_vnd is None or row.amount_vnd <= 0):
            continue  # money out, or a balance line: not ours to match
        rows.append(row)
    return rows


def read_platform_file(data: bytes) -> list[Row]:
    """The platform's daily file (docs/payment-platform.md), read by the adapter."""
    if len(data) > MAX_BYTES:
        raise StatementError(_("Tệp quá lớn (tối đa 5 MB)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementError(_("Tệp đối soát của nền tảng phải là văn bản UTF-8.")) from None
    found = platform.read_daily_file(text)
    if len(found) == 1 and isinstance(found[0], platform.DailyRowError) and found[0].line == 1:
        raise StatementError(found[0].problem)
    rows = []
    for item in found:
        if isinstance(item, platform.DailyRowError):
            rows.append(Row(line=item.line, text=item.text, problem=item.problem))
        else:
            rows.append(
                Row(
                    line=item.line,
                    booked_on=item.paid_at.astimezone(LOCAL_TZ).date(),
                    key=item.transaction_id,
                    amount_vnd=item.amount_vnd if item.currency == "VND" else -1,
                    transaction_id=item.transaction_id,
                    reference=item.reference,
                    unit_code=item.unit_code,
                )
            )
    return rows


# --- matching --------------------------------------------------------------------------------


@dataclass
class Outcome:
    run: ReconciliationRun
    again: bool = False  # the same file was already reconciled: nothing was done
    counts: dict[str, int] = field(default_factory=dict)


def require_reconciler(actor, unit_id: int) -> None:
    if not roles_of(actor, unit_id) & set(RECONCILERS):
        raise PermissionDenied(_("Chỉ lãnh đạo, quản lý của đơn vị được đối soát thu phí."))


def reconcile(
    actor,
    *,
    unit_id: int,
    source: str,
    data: bytes,
    file_name: str = "",
    columns: dict[str, str] | None = None,
    at: dt.datetime | None = None,
) -> Outcome:
    """Read a statement (`source` "bank") or the platform's daily file ("platform") of
    `unit_id` and match it, in one transaction (a credit and its line are kept together). The
    same content again returns the first run (`again`)."""
    at = at or timezone.now()
    if actor is not None:
        require_reconciler(actor, unit_id)
    if source not in ReconciliationRun.Source.values:
        raise ValidationError(_("Nguồn đối soát không hợp lệ."))
    digest = hashlib.sha256(data).hexdigest()
    earlier = ReconciliationRun.objects.filter(
        unit_id=unit_id, source=source, file_sha256=digest
    ).first()
    if earlier is not None:
        return Outcome(run=earlier, again=True)
    if source == ReconciliationRun.Source.BANK:
        rows = read_statement(data, columns)
    else:
        rows = read_platform_file(data)
        unit_code = Unit.objects.filter(pk=unit_id).values_list("code", flat=True).first()
        rows = [r for r in rows if r.problem or r.unit_code == unit_code]
    try:
        with transaction.atomic():
            return _match(actor, unit_id, source, rows, digest, file_name, at)
    except IntegrityError:  # the same file uploaded at the same moment: the other run stands
        earlier = ReconciliationRun.objects.filter(
            unit_id=unit_id, source=source, file_sha256=digest
        ).first()
        if earlier is None:
            raise
        return Outcome(run=earlier, again=True)


def _match(actor, unit_id, source, rows, digest, file_name, at) -> Outcome:
    method = Method.VIETQR if source == ReconciliationRun.Source.BANK else Method.PLATFORM
    days = [r.booked_on for r in rows if r.booked_on]
    with transaction.atomic():  # its own savepoint: a concurrent twin fails here, first
        run = ReconciliationRun.objects.create(
            unit_id=unit_id,
            source=source,
            file_name=(file_name or "")[:200],
            file_sha256=digest,
            date_from=min(days) if days else None,
            date_to=max(days) if days else None,
            created_at=at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            rows=len(rows),
        )
    _lock_attempts(unit_id, source, rows)
    lines: list[ReconciliationLine] = []
    seen_keys: set[str] = set()
    matched_attempts: set[int] = set()
    for row in rows:
        line = ReconciliationLine(
            run=run,
            row_number=row.line,
            amount_vnd=row.amount_vnd,
            booked_on=row.booked_on,
            text=row.text[:300],
        )
        lines.append(line)
        if row.problem:
            line.outcome, line.problem = OUT.INVALID, row.problem[:300]
            continue
        if source == ReconciliationRun.Source.BANK:
            line.key = f"bank:{row.key}" if row.key else _row_key(row)
            line.reference = bank.reference_in(row.text) or ""
        else:
            line.key = f"platform:{row.transaction_id}"
            line.reference = row.reference
        if line.key in seen_keys:
            line.outcome, line.problem = OUT.DUPLICATE, _("Dòng lặp lại trong cùng tệp.")
            continue
        seen_keys.add(line.key)
        if (
            ReconciliationLine.objects.filter(run__unit_id=unit_id, key=line.key)
            .exclude(run=run)
            .exclude(outcome__in=(OUT.INVALID, OUT.DUPLICATE, OUT.MISSING))
            .exists()
        ):
            line.outcome = OUT.REPEATED
            line.attempt = _attempt_of(unit_id, row, line.reference, source)
            if line.attempt is not None:
                matched_attempts.add(line.attempt.pk)
            continue
        attempt = _attempt_of(unit_id, row, line.reference, source)
        line.attempt = attempt
        if attempt is None:
            line.outcome = OUT.UNMATCHED
            line.problem = (
                _("Không tìm thấy mã tham chiếu trong nội dung chuyển khoản.")
                if not line.reference
                else _("Mã tham chiếu %(r)s không thuộc giao dịch nào của đơn vị.")
                % {"r": line.reference}
            )
            continue
        if row.amount_vnd != attempt.amount_vnd:
            line.outcome = OUT.AMOUNT_MISMATCH
            line.problem = _("Giao dịch %(r)s cần %(want)s đồng, sao kê ghi %(got)s đồng.") % {
                "r": attempt.reference,
                "want": f"{attempt.amount_vnd:,}".replace(",", "."),
                "got": f"{row.amount_vnd:,}".replace(",", "."),
            }
            continue
        if attempt.pk in matched_attempts:
            line.outcome = OUT.DUPLICATE
            line.problem = _("Giao dịch %(r)s đã khớp với một dòng khác: tiền về hai lần.") % {
                "r": attempt.reference
            }
            continue
        matched_attempts.add(attempt.pk)
        if attempt.status in PAID_STATES:
            line.outcome = OUT.MATCHED
            continue
        if attempt.method != method:
            line.outcome = OUT.UNMATCHED
            line.problem = _("Giao dịch %(r)s chờ thanh toán bằng hình thức khác.") % {
                "r": attempt.reference
            }
            continue
        try:  # the notification never came: credited now, exactly once
            services.record_paid(
                None,
                report=services.Report(
                    reference=attempt.reference,
                    amount_vnd=row.amount_vnd,
                    # the id CHECK and the notification credit under: a later one is a no-op
                    transaction_id=row.transaction_id or line.key,
                    source=f"reconciliation:{source}",
                ),
                at=at,
            )
        except services.PaymentRefused as refused:
            line.outcome, line.problem = OUT.UNMATCHED, str(refused.reason)[:300]
            continue
        line.outcome = OUT.CREDITED
    lines.extend(_missing(run, unit_id, method, matched_attempts))
    for line in lines:
        line.needs_action = line.outcome in ReconciliationLine.EXCEPTIONS
    ReconciliationLine.objects.bulk_create(lines, batch_size=500)
    counts = {o: sum(1 for x in lines if x.outcome == o) for o in OUT.values}
    run.matched = counts[OUT.MATCHED] + counts[OUT.CREDITED]
    run.credited = counts[OUT.CREDITED]
    run.exceptions = sum(counts[o] for o in ReconciliationLine.EXCEPTIONS)
    run.save(update_fields=["matched", "credited", "exceptions"])
    audit.record(
        action="payment.reconciled",
        obj=run,
        unit=unit_id,
        actor=actor,
        changes={"source": source, "rows": run.rows, **{k: v for k, v in counts.items() if v}},
    )
    return Outcome(run=run, counts=counts)


def _lock_attempts(unit_id: int, source: str, rows: list[Row]) -> None:
    """Lock every attempt the file may name, in one order (no deadlock between two files):
    a concurrent run naming the same attempts waits until this one is committed, then sees
    them paid and its rows reconciled (matched or repeated, never credited twice)."""
    references = {
        bank.reference_in(r.text) if source == ReconciliationRun.Source.BANK else r.reference
        for r in rows
        if not r.problem
    } - {None, ""}
    transactions = {r.transaction_id for r in rows if r.transaction_id}
    if not references and not transactions:
        return
    list(
        PaymentAttempt.objects.select_for_update(of=("self",))
        .filter(request__unit_id=unit_id)
        .filter(Q(reference__in=references) | Q(provider_transaction_id__in=transactions))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _row_key(row: Row) -> str:
    """A row without the bank's reference number: its date, amount and text stand for it."""
    raw = f"{row.booked_on}|{row.amount_vnd}|{_fold(row.text)}"
    return "bank-row:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _attempt_of(unit_id: int, row: Row, reference: str, source: str) -> PaymentAttempt | None:
    attempts = PaymentAttempt.objects.filter(request__unit_id=unit_id)
    if source == ReconciliationRun.Source.PLATFORM and row.transaction_id:
        found = attempts.filter(provider_transaction_id=row.transaction_id).first()
        if found is not None:
            return found
    if not reference:
        return None
    return attempts.filter(reference=reference).first()


def _missing(run, unit_id, method, matched: set[int]) -> list[ReconciliationLine]:
    """Attempts credited in motcua on the statement's days that no row of it mentions."""
    if run.date_from is None:
        return []
    start = dt.datetime.combine(run.date_from, dt.time.min, tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(run.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)
    credited = (
        PaymentAttempt.objects.filter(
            request__unit_id=unit_id,
            method=method,
            status__in=PAID_STATES,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .exclude(pk__in=matched)
        .order_by("paid_at", "id")
    )
    return [
        ReconciliationLine(
            run=run,
            outcome=OUT.MISSING,
            attempt=a,
            reference=a.reference,
            amount_vnd=a.amount_vnd,
            booked_on=a.paid_at.astimezone(LOCAL_TZ).date(),
            problem=_("Đã ghi nhận thanh toán nhưng không có trong tệp đối soát."),
        )
        for a in credited
    ]


# --- working through the exceptions ----------------------------------------------------------


def resolve(actor, *, line_id: int, note: str, at: dt.datetime | None = None) -> ReconciliationLine:
    """Mark an exception resolved with what was done (audited). Only the unit's managers and
    leaders; a line that is not an exception, or already resolved, is refused."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Vui lòng ghi cách đã xử lý."))
    at = at or timezone.now()
    with transaction.atomic():
        line = ReconciliationLine.objects.select_for_update().select_related("run").get(pk=line_id)
        require_reconciler(actor, line.run.unit_id)
        if not line.needs_action:
            raise ValidationError(_("Dòng này không cần xử lý."))
        if line.resolved_at is not None:
            raise ValidationError(_("Dòng này đã được xử lý."))
        line.resolved_at, line.resolved_by, line.resolution_note = at, actor, note[:500]
        line.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        audit.record(
            action="payment.reconciliation_resolved",
            obj=line,
            unit=line.run.unit_id,
            actor=actor,
            changes={"outcome": line.outcome, "note": note[:500]},
        )
    return line


# --- the daily job ---------------------------------------------------------------------------


def reconcile_platform_day(day: dt.date, *, at: dt.datetime | None = None) -> list[Outcome]:
    """The job: fetch the platform's file of `day` and reconcile it for every unit it names
    (the file carries each transaction's MaDonVi). An unreachable platform is asked next time;
    the same file again changes nothing."""
    at = at or timezone.now()
    text = platform.daily_file(day, at=at)
    data = text.encode("utf-8")
    codes = {
        item.unit_code
        for item in platform.read_daily_file(text)
        if isinstance(item, platform.DailyRow)
    }
    return [
        reconcile(
            None,
            unit_id=unit.pk,
            source=ReconciliationRun.Source.PLATFORM,
            data=data,
            file_name=f"doisoat-{day:%Y%m%d}.txt",
            at=at,
        )
        for unit in Unit.objects.filter(code__in=codes).order_by("pk")
    ]
