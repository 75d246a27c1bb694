"""The cash book per officer and day (sổ quỹ tiền mặt, /can-bo/thu-phi/so-quy/...): the officer
sees their own, a manager every officer's of the unit and closes a day; after closing no cash
goes on that book; refusals (a counter officer closing, another unit's manager, a closed day
closed again, a double-submitted close) never give a 500; the day's book as XLSX."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from motcua.core.models import AuditEvent
from motcua.core.statemachine import IllegalTransition
from motcua.payments import cashbook, services
from motcua.payments.models import CashBookDay, PaymentAttempt, Receipt
from tests.clock import Clock
from tests.dossiers.factories import at, make_staff

from .helpers import fee_request

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)
LATER = at(2026, 11, 2, 17)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The app's clock: the next morning, Tuesday 03/11/2026 09:00 in the commune."""
    c = Clock(at(2026, 11, 3, 9))
    monkeypatch.setattr(timezone, "now", lambda: c().astimezone(dt.UTC))
    return c


def take(world, method="cash", hour=9, officer=None):
    request = fee_request(world)
    return services.take_at_counter(
        officer or world.officer,
        request_id=request.pk,
        method=method,
        idempotency_key=f"{method}{hour}",
        at=at(2026, 11, 2, hour),
    )


def book_url(world, day=DAY, officer=None):
    return reverse(
        "payments:cashbook_book",
        args=[world.commune.pk, (officer or world.officer).pk, day.isoformat()],
    )


def test_the_book_lists_who_what_receipt_and_totals_by_method(world):
    take(world, "cash", 9)
    take(world, "card", 10)
    take(world, "cash", 11)
    b = cashbook.book(world.officer, unit_id=world.commune.pk, officer_id=world.officer.pk, day=DAY)
    assert [r.method for r in b.rows] == ["cash", "card", "cash"]
    assert [r.receipt_list[0].label for r in b.rows] == [
        "0000001/2026",
        "0000002/2026",
        "0000003/2026",
    ]
    assert b.totals["cash"] == {"label": "Tiền mặt tại quầy", "count": 2, "amount_vnd": 16000}
    assert b.totals["card"]["amount_vnd"] == 8000 and b.total_vnd == 24000
    # the next day's book is empty
    empty = cashbook.book(
        world.manager,
        unit_id=world.commune.pk,
        officer_id=world.officer.pk,
        day=DAY + dt.timedelta(days=1),
    )
    assert empty.rows == [] and empty.total_vnd == 0


def test_a_manager_closes_the_day_then_no_cash_goes_on_that_book(world):
    take(world, "cash", 9)
    closed = cashbook.close(
        world.manager, unit_id=world.commune.pk, officer_id=world.officer.pk, day=DAY, at=LATER
    )
    assert closed.closed_by == world.manager and closed.closed_at == LATER
    assert closed.total_vnd == 8000 and closed.entries == 1
    assert closed.totals["cash"]["count"] == 1
    assert AuditEvent.objects.filter(action="payment.cash_book_closed").count() == 1
    with pytest.raises(cashbook.BookClosed, match="đã được khóa"):
        take(world, "cash", 16)
    assert PaymentAttempt.objects.count() == 1  # the refused take left nothing behind
    assert Receipt.objects.count() == 1
    # the receipt numbers have no gap: the refused one gave its number back
    services.take_at_counter(
        world.manager,
        request_id=fee_request(world).pk,
        method="cash",
        idempotency_key="m",
        at=at(2026, 11, 2, 16),
    )
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2]


def test_closing_is_refused_to_a_counter_officer_and_for_a_closed_or_future_day(world):
    take(world)
    with pytest.raises(PermissionDenied):
        cashbook.close(
            world.officer, unit_id=world.commune.pk, officer_id=world.officer.pk, day=DAY
        )
    other_manager = make_staff(("manager", world.other), name="Quản Lý Khác")
    with pytest.raises(PermissionDenied):
        cashbook.close(
            other_manager, unit_id=world.commune.pk, officer_id=world.officer.pk, day=DAY
        )
    cashbook.close(
        world.manager, unit_id=world.commune.pk, officer_id=world.officer.pk, day=DAY, at=LATER
    )
    with pytest.raises(IllegalTransition, match="đã được khóa"):
        cashbook.close(
            world.manager, unit_id=world.commune.pk, officer_id=world.officer.pk, day=DAY
        )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        cashbook.close(
            world.manager,
            unit_id=world.commune.pk,
            officer_id=world.officer.pk,
            day=DAY + dt.timedelta(days=5),
            at=LATER,
        )
    assert CashBookDay.objects.filter(closed_at__isnull=False).count() == 1


def test_the_screens_scope_refuse_and_close_once(client, world):
    take(world, "cash", 9)
    url = book_url(world)
    client.force_login(world.officer)
    own = client.get(url)
    assert own.status_code == 200 and "0000001/2026" in own.content.decode()
    assert "close-form" not in own.content.decode()
    refused = client.post(url, {"action": "close"})
    assert refused.status_code == 403 and "Chỉ quản lý" in refused.content.decode()
    # another officer's book in the same unit is not theirs
    colleague = make_staff(("counter_officer", world.commune), name="Cán Bộ Khác")
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    other_manager = make_staff(("manager", world.other), name="Quản Lý Khác")
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "close"}).status_code == 404
    client.force_login(world.specialist)
    assert client.get(url).status_code == 403
    client.force_login(world.manager)
    assert client.post(url, {"action": "close"}).status_code == 302
    again = client.post(url, {"action": "close"})  # the form submitted twice
    assert again.status_code == 409 and "đã được khóa" in again.content.decode()
    assert client.post(url, {"action": "reopen"}).status_code == 400
    assert CashBookDay.objects.get().closed_by == world.manager
    shown = client.get(url).content.decode()
    assert 'data-testid="closed"' in shown and "Đỗ Thị Quản" in shown
    assert client.get(book_url(world, day=dt.date(1990, 1, 1))).status_code == 404
    assert client.get(url.replace(DAY.isoformat(), "hom-qua")).status_code == 404


def test_the_index_lists_the_days_books_with_an_empty_state(client, world):
    take(world, "cash", 9)
    index = reverse("payments:cashbook")
    client.force_login(world.manager)
    listed = client.get(index, {"ngay": DAY.isoformat()}).content.decode()
    assert "Trần Thị Một Cửa" in listed and "8.000\u00a0đ" in listed
    assert 'rel="prev"' in listed and 'rel="next"' in listed
    empty = client.get(index, {"ngay": "2026-11-01"}).content.decode()
    assert 'data-testid="no-books"' in empty
    assert client.get(index, {"ngay": "not-a-day"}).status_code == 404
    client.force_login(world.other_officer)
    assert "Trần Thị Một Cửa" not in client.get(index, {"ngay": DAY.isoformat()}).content.decode()


def test_the_days_book_exports_to_xlsx_with_diacritics(client, world):
    take(world, "cash", 9)
    take(world, "card", 10)
    client.force_login(world.officer)
    got = client.get(
        reverse(
            "payments:cashbook_xlsx",
            args=[world.commune.pk, world.officer.pk, DAY.isoformat()],
        )
    )
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    ws = load_workbook(io.BytesIO(got.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "SỔ QUỸ TIỀN MẶT TẠI QUẦY" in cells and "Cán bộ thu: Trần Thị Một Cửa" in cells
    assert "Tiền mặt tại quầy" in cells and "Thẻ tại quầy" in cells
    assert "0000001/2026" in cells and 16000 in cells
    client.force_login(world.other_officer)
    assert (
        client.get(
            reverse(
                "payments:cashbook_xlsx",
                args=[world.commune.pk, world.officer.pk, DAY.isoformat()],
            )
        ).status_code
        == 404
    )


def test_the_fee_page_explains_a_closed_book_without_a_500(client, world, clock):
    clock.set(at(2026, 11, 2, 16))
    cashbook.close(
        world.manager,
        unit_id=world.commune.pk,
        officer_id=world.officer.pk,
        day=DAY,
        at=at(2026, 11, 2, 15),
    )
    request = fee_request(world)
    page = reverse("payments:counter_fees", args=[request.dossier_id])
    client.force_login(world.officer)
    refused = client.post(page, {"action": "cash", "key": "k"})
    assert refused.status_code == 409
    assert "Sổ quỹ ngày 02/11/2026 của bạn đã được khóa" in refused.content.decode()
    assert not PaymentAttempt.objects.exists() and not Receipt.objects.exists()
