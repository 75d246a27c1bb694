"""The cash book screens (/can-bo/thu-phi/so-quy/...): the books of a day (the officer's own;
every officer's for a manager), one book with its entries and totals by method, the manager's
close button, and the day's book as XLSX. Thin: `payments.cashbook` decides who may see and
close; a book the user may not see is not found (404)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import roles_of
from motcua.core.models import Unit
from motcua.core.statemachine import IllegalTransition

from . import cashbook, services

OLDEST = dt.date(2000, 1, 1)


def _day(text: str | None) -> dt.date:
    today = timezone.localdate()
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        raise Http404 from None
    if not (OLDEST <= day <= today + dt.timedelta(days=1)):
        raise Http404
    return day


def _pager(day: dt.date) -> dict:
    today = timezone.localdate()
    return {
        "day": day,
        "previous_day": day - dt.timedelta(days=1) if day > OLDEST else None,
        "next_day": day + dt.timedelta(days=1) if day < today else None,
        "is_today": day == today,
    }


@staff_required(*services.CASHIERS)
@require_GET
def index(request):
    day = _day(request.GET.get("ngay"))
    books = cashbook.books_of_day(request.user, day)
    return render(
        request,
        "payments/cashbook_index.html",
        {"books": books, **_pager(day)},
    )


def _book(request, unit_id: int, officer_id: int, day_text: str) -> cashbook.Book:
    day = _day(day_text)
    try:
        return cashbook.book(request.user, unit_id=unit_id, officer_id=officer_id, day=day)
    except (PermissionDenied, cashbook.User.DoesNotExist):
        raise Http404 from None  # another unit's or another officer's book: not found


@staff_required(*services.CASHIERS)
@require_http_methods(["GET", "POST"])
def book(request, unit_id: int, officer_id: int, day: str):
    the_book = _book(request, unit_id, officer_id, day)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") != "close":
            messages.error(request, _("Thao tác không hợp lệ."))
            status = 400
        else:
            try:
                cashbook.close(
                    request.user, unit_id=unit_id, officer_id=officer_id, day=the_book.day
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                status = 403
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 400
            except IllegalTransition as exc:
                messages.error(request, exc.reason)
                status = 409
            else:
                messages.success(
                    request,
                    _("Đã khóa sổ quỹ ngày %(day)s.") % {"day": the_book.day.strftime("%d/%m/%Y")},
                )
                return redirect(request.path)
        the_book = _book(request, unit_id, officer_id, day)
    unit = Unit.objects.get(pk=unit_id)
    pager = _pager(the_book.day)
    context = {
        "book": the_book,
        "unit": unit,
        "can_close": Role.MANAGER in roles_of(request.user, unit_id) and not the_book.is_closed,
        **pager,
    }
    for key in ("previous_day", "next_day"):
        context[f"{key}_url"] = (
            reverse("payments:cashbook_book", args=[unit_id, officer_id, pager[key].isoformat()])
            if pager[key]
            else ""
        )
    return render(request, "payments/cashbook_book.html", context, status=status)


@staff_required(*services.CASHIERS)
@require_GET
def book_xlsx(request, unit_id: int, officer_id: int, day: str):
    the_book = _book(request, unit_id, officer_id, day)
    unit = Unit.objects.get(pk=unit_id)
    response = HttpResponse(
        cashbook.xlsx(the_book, unit_name=unit.name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"so-quy-{the_book.day.isoformat()}-{officer_id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
