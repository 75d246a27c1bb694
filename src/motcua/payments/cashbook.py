"""Sổ quỹ tiền mặt: the cash and card an officer took at the counter on one day, closed by a
manager of the unit.

The book of (unit, officer, day) is read from the counter attempts themselves (who took the
money is the attempt's creator, when is its `paid_at` in Vietnam time), with the receipt
numbers. `CashBookDay` is the row both writers lock (core.counters.lock_row): a counter payment
(`enter`, from the receipt hook inside the credit's transaction) is refused once the day is
closed; closing freezes the count and the totals by method with who closed it and when. After
closing nothing more can be taken on that book: the officer is told in Vietnamese and the
money goes on another day's book (decision 0042). A refund made later does not reopen a closed
book; it is shown on the entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role, User
from motcua.accounts.scoping import roles_of, visible_unit_ids
from motcua.core import audit, counters
from motcua.core.calendar import LOCAL_TZ
from motcua.core.statemachine import IllegalTransition

from .models import CashBookDay, Method, PaymentAttempt, Receipt

A = PaymentAttempt.Status
COUNTER_METHODS = (Method.CASH, Method.CARD)
TAKEN = (A.PAID, A.PARTIALLY_REFUNDED, A.REFUNDED)


class BookClosed(IllegalTransition):
    """Money cannot be entered on a closed book."""


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(LOCAL_TZ).date()


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
    return start, start + dt.timedelta(days=1)


def enter(attempt: PaymentAttempt, *, at: dt.datetime) -> CashBookDay:
    """A counter payment goes on its officer's book of the day: the day's row is locked until
    the credit commits; a closed day refuses it (the whole credit is undone)."""
    officer_id = attempt.created_by_id
    if officer_id is None:
        raise PermissionDenied(_("Khoản thu tại quầy phải có cán bộ thu."))
    day = counters.lock_row(
        CashBookDay, unit_id=attempt.request.unit_id, officer_id=officer_id, day=local_day(at)
    )
    if day.is_closed:
        raise BookClosed(
            _(
                "Sổ quỹ ngày %(day)s của bạn đã được khóa lúc %(time)s: không thu thêm vào sổ "
                "này được. Vui lòng báo quản lý."
            )
            % {
                "day": day.day.strftime("%d/%m/%Y"),
                "time": day.closed_at.astimezone(LOCAL_TZ).strftime("%H:%M"),
            },
            action="pay",
        )
    return day


# --- reading a book --------------------------------------------------------------------------


def may_see(user, *, unit_id: int, officer_id: int) -> bool:
    """A manager of the unit sees every officer's book; a counter officer their own."""
    roles = roles_of(user, unit_id)
    return Role.MANAGER in roles or (
        Role.COUNTER_OFFICER in roles and getattr(user, "pk", None) == officer_id
    )


def entries(*, unit_id: int, officer_id: int, day: dt.date):
    """The counter payments of the book, oldest first, with their receipts."""
    start, end = _bounds(day)
    return (
        PaymentAttempt.objects.filter(
            request__unit_id=unit_id,
            created_by_id=officer_id,
            method__in=COUNTER_METHODS,
            status__in=TAKEN,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .select_related("request__dossier")
        .prefetch_related(
            Prefetch("receipts", queryset=Receipt.objects.order_by("id"), to_attr="receipt_list")
        )
        .order_by("paid_at", "id")
    )


@dataclass
class Book:
    unit_id: int
    officer: User
    day: dt.date
    rows: list[PaymentAttempt]
    closing: CashBookDay | None
    totals: dict[str, dict] = field(default_factory=dict)

    @property
    def total_vnd(self) -> int:
        return sum(t["amount_vnd"] for t in self.totals.values())

    @property
    def is_closed(self) -> bool:
        return self.closing is not None and self.closing.is_closed


def totals_of(rows) -> dict[str, dict]:
    """{method: {"label", "count", "amount_vnd"}} for cash and card, in that order."""
    totals = {
        m.value: {"label": str(m.label), "count": 0, "amount_vnd": 0} for m in COUNTER_METHODS
    }
    for row in rows:
        totals[row.method]["count"] += 1
        totals[row.method]["amount_vnd"] += row.amount_vnd
    return totals


def book(user, *, unit_id: int, officer_id: int, day: dt.date) -> Book:
    """One book as its reader sees it; PermissionDenied when the user may not see it."""
    if not may_see(user, unit_id=unit_id, officer_id=officer_id):
        raise PermissionDenied(_("Bạn không xem được sổ quỹ này."))
    officer = User.objects.get(pk=officer_id)
    rows = list(entries(unit_id=unit_id, officer_id=officer_id, day=day))
    closing = CashBookDay.objects.filter(unit_id=unit_id, officer_id=officer_id, day=day).first()
    result = Book(unit_id, officer, day, rows, closing)
    result.totals = closing.totals if closing and closing.is_closed else totals_of(rows)
    return result


@dataclass
class DaySummary:
    unit_id: int
    unit_name: str
    officer: User
    count: int
    amount_vnd: int
    closing: CashBookDay | None


def books_of_day(user, day: dt.date) -> list[DaySummary]:
    """The books of `day` the user may see: every officer's in the units they manage (those who
    took money or whose day was closed), their own elsewhere."""
    managed = visible_unit_ids(user, [Role.MANAGER])
    cashier = visible_unit_ids(user, [Role.COUNTER_OFFICER])
    start, end = _bounds(day)
    taken = PaymentAttempt.objects.filter(
        method__in=COUNTER_METHODS, status__in=TAKEN, paid_at__gte=start, paid_at__lt=end
    )
    closed = CashBookDay.objects.filter(day=day)
    mine = {"created_by_id": user.pk, "request__unit_id__in": cashier}
    rows: dict[int, PaymentAttempt] = {}
    for qs in (taken.filter(request__unit_id__in=managed), taken.filter(**mine)):
        rows |= {row.pk: row for row in qs.select_related("created_by", "request__unit")}
    seen: dict[tuple[int, int], DaySummary] = {}
    for row in rows.values():
        key = (row.request.unit_id, row.created_by_id)
        summary = seen.setdefault(
            key, DaySummary(row.request.unit_id, row.request.unit.name, row.created_by, 0, 0, None)
        )
        summary.count += 1
        summary.amount_vnd += row.amount_vnd
    for c in closed.filter(unit_id__in=managed | cashier).select_related("officer", "unit"):
        if c.unit_id not in managed and c.officer_id != user.pk:
            continue
        key = (c.unit_id, c.officer_id)
        summary = seen.setdefault(key, DaySummary(c.unit_id, c.unit.name, c.officer, 0, 0, None))
        summary.closing = c
    return sorted(seen.values(), key=lambda s: (s.unit_name, s.officer.full_name, s.officer.pk))


# --- closing ---------------------------------------------------------------------------------


def close(
    actor, *, unit_id: int, officer_id: int, day: dt.date, at: dt.datetime | None = None
) -> CashBookDay:
    """Khóa sổ: a manager of the unit fixes the day's count and totals by method, with who and
    when. A day not yet over may be closed (the officer has finished); a future day may not.
    Closing a closed day is refused (`IllegalTransition`): a double-submitted form closes once."""
    at = at or timezone.now()
    if Role.MANAGER not in roles_of(actor, unit_id):
        raise PermissionDenied(_("Chỉ quản lý của đơn vị được khóa sổ quỹ."))
    if day > local_day(at):
        raise ValidationError(_("Chưa thể khóa sổ quỹ của một ngày chưa đến."))
    if not User.objects.filter(pk=officer_id).exists():
        raise ValidationError(_("Không tìm thấy cán bộ thu."))
    with transaction.atomic():
        # a counter payment holds the unit's audit chain before it locks the day (its first
        # audit row comes first): the same order here, or the two wait for each other
        audit.hold_chain(unit_id)
        row = counters.lock_row(CashBookDay, unit_id=unit_id, officer_id=officer_id, day=day)
        if row.is_closed:
            raise IllegalTransition(
                _("Sổ quỹ ngày %(day)s đã được khóa lúc %(time)s.")
                % {
                    "day": day.strftime("%d/%m/%Y"),
                    "time": row.closed_at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y"),
                },
                action="close",
            )
        rows = list(entries(unit_id=unit_id, officer_id=officer_id, day=day))
        row.totals = totals_of(rows)
        row.entries = len(rows)
        row.total_vnd = sum(t["amount_vnd"] for t in row.totals.values())
        row.closed_at = at
        row.closed_by = actor
        row.save(update_fields=["totals", "entries", "total_vnd", "closed_at", "closed_by"])
        audit.record(
            action="payment.cash_book_closed",
            obj=row,
            unit=unit_id,
            actor=actor,
            changes={
                "officer": officer_id,
                "day": day.isoformat(),
                "entries": row.entries,
                "total_vnd": row.total_vnd,
            },
        )
    return row


# --- the workbook ----------------------------------------------------------------------------


def xlsx(b: Book, *, unit_name: str) -> bytes:
    """The day's book as an .xlsx workbook (Vietnamese headers, amounts as numbers)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "So quy"
    ws.append(["SỔ QUỸ TIỀN MẶT TẠI QUẦY"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Đơn vị: {unit_name}"])
    ws.append([f"Cán bộ thu: {b.officer.full_name or b.officer.username}"])
    ws.append([f"Ngày: {b.day:%d/%m/%Y}"])
    columns = (
        ("STT", 6),
        ("Giờ thu", 10),
        ("Mã hồ sơ", 26),
        ("Người nộp", 28),
        ("Số biên lai", 16),
        ("Hình thức", 20),
        ("Số tiền (đồng)", 16),
        ("Ghi chú", 26),
    )
    ws.append([h for h, _w in columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for i, (_h, width) in enumerate(columns):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for n, row in enumerate(b.rows, start=1):
        receipts = getattr(row, "receipt_list", [])
        ws.append(
            [
                n,
                row.paid_at.astimezone(LOCAL_TZ).strftime("%H:%M"),
                row.request.dossier.code,
                row.request.dossier.applicant_name,
                ", ".join(r.label + (" (đã hủy)" if r.status == "void" else "") for r in receipts),
                row.get_method_display(),
                row.amount_vnd,
                f"Đã hoàn {row.refunded_vnd:,} đ".replace(",", ".") if row.refunded_vnd else "",
            ]
        )
    ws.append([])
    for total in b.totals.values():
        ws.append(["", "", "", "", "", f"Cộng {total['label'].lower()}", total["amount_vnd"]])
    ws.append(["", "", "", "", "", "Tổng cộng", b.total_vnd])
    ws.cell(ws.max_row, 6).font = Font(bold=True)
    ws.cell(ws.max_row, 7).font = Font(bold=True)
    if b.is_closed:
        c = b.closing
        who = c.closed_by.full_name or c.closed_by.username
        when = c.closed_at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")
        ws.append([f"Đã khóa sổ: {who}, {when}"])
    for r in ws.iter_rows(min_row=6, min_col=7, max_col=7):
        for cell in r:
            cell.number_format = "#,##0"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
