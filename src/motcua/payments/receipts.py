"""Biên lai điện tử: one receipt per credited attempt, issued in the credit's transaction.

Every path that credits an attempt (counter cash and card through `take_at_counter`, the bank's
VietQR notification and the national platform through `record_paid`) runs the state machine's
`pay` move; `on_credit` is its in-transaction hook, so the receipt exists exactly when the
credit does (a replayed notification moves nothing and issues nothing; a rollback gives the
number back). Numbers come from the unit's gap-free series of the year (`ReceiptCounter`, the
locked row of `core.counters`). The content is frozen on the row (payer, lines with their legal
basis, amount in figures and in words, method, who took the money and when, the unit's name,
tax code and collection account); the PDF is drawn from those columns only.

A receipt is never deleted. `void` (a manager, with a reason) marks it void, keeps its number
in the series, and issues a new receipt with a new number for the payment that still stands.
A refund voids the receipt with the reason "Hoàn tiền: ..."; a partial refund then issues a
new one for what was kept (`on_refund`). docs/decisions/0042-receipts-and-cash-book.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.scoping import roles_of, visible_unit_ids
from motcua.core import audit, counters
from motcua.core.calendar import LOCAL_TZ
from motcua.core.statemachine import IllegalTransition, Outcome, actor_or_none

from .models import (
    CollectionAccount,
    Method,
    PaymentAttempt,
    Receipt,
    ReceiptCounter,
    ReceiptIssuer,
)

A = PaymentAttempt.Status
COUNTER_METHODS = frozenset({Method.CASH, Method.CARD})
STANDING = (A.PAID, A.PARTIALLY_REFUNDED)
MAX_REASON = 300

# --- amounts in Vietnamese words ---------------------------------------------------------------

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _triple(n: int, *, full: bool) -> list[str]:
    """0 < n < 1000 read aloud; `full` when a higher group precedes (then "không trăm", "linh")."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones:
            if words:
                words.append("linh")
            words.append(DIGITS[ones])
    elif tens == 1:
        words.append("mười")
        if ones:
            words.append("lăm" if ones == 5 else DIGITS[ones])
    else:
        words += [DIGITS[tens], "mươi"]
        if ones:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(ones, DIGITS[ones]))
    return words


def _below_billion(n: int, *, leading: bool) -> list[str]:
    words: list[str] = []
    started = not leading
    for value, name in ((n // 1_000_000, "triệu"), (n // 1000 % 1000, "nghìn"), (n % 1000, "")):
        if value == 0:
            continue
        words += _triple(value, full=started)
        if name:
            words.append(name)
        started = True
    return words


def _words(n: int) -> list[str]:
    if n >= 1_000_000_000:
        head = [*_words(n // 1_000_000_000), "tỷ"]
        rest = n % 1_000_000_000
        return head + (_below_billion(rest, leading=False) if rest else [])
    return _below_billion(n, leading=True) or ["không"]


def amount_in_words(amount_vnd: int) -> str:
    """100000 -> "Một trăm nghìn đồng"; 21500 -> "Hai mươi mốt nghìn năm trăm đồng"."""
    if amount_vnd < 0:
        raise ValueError("a receipt's amount is never negative")
    text = " ".join([*_words(int(amount_vnd)), "đồng"])
    return text[0].upper() + text[1:]


# --- issuing -----------------------------------------------------------------------------------


def _account_text(unit) -> str:
    try:
        account = unit.collection_account  # read with the attempt when the credit loaded it
    except CollectionAccount.DoesNotExist:
        return ""
    return f"{account.account_number} - {account.bank_name} ({account.account_name})"[:300]


def _issue(
    attempt: PaymentAttempt, *, amount_vnd: int, at: dt.datetime, replaces: Receipt | None
) -> Receipt:
    """The next number of the unit's series and the frozen content (inside a transaction)."""
    request = attempt.request
    dossier = request.dossier
    unit = request.unit
    year = at.astimezone(LOCAL_TZ).year
    number = counters.next_value(ReceiptCounter, unit=unit, year=year)
    read = getattr(attempt, "read_with", {})  # read with the locked attempt by the credit
    issuer = read["issuer"] if "issuer" in read else ReceiptIssuer.objects.filter(unit=unit).first()
    counter = attempt.method in COUNTER_METHODS
    collector = attempt.created_by if counter else None
    receipt = Receipt.objects.create(
        unit=unit,
        year=year,
        number=number,
        attempt=attempt,
        dossier=dossier,
        dossier_code=dossier.code,
        procedure_name=dossier.procedure_name[:500],
        issued_at=at,
        payer_name=dossier.applicant_name,
        payer_address=dossier.applicant_address,
        lines=request.lines,
        amount_vnd=amount_vnd,
        amount_words=amount_in_words(amount_vnd),
        method=attempt.method,
        reference=attempt.reference,
        collected_by=collector,
        collected_by_name=((collector.full_name or collector.username) if collector else "")[:150],
        collected_at=attempt.paid_at if counter else None,
        unit_name=unit.name,
        parent_unit_name=unit.parent.name if unit.parent_id else "",
        unit_tax_code=issuer.tax_code if issuer else "",
        symbol=issuer.symbol if issuer else "",
        account_text=_account_text(unit),
        replaces=replaces,
    )
    audit.record(
        action="payment.receipt_issued",
        obj=receipt,
        unit=unit.pk,
        actor=None,
        changes={
            "number": receipt.label,
            "attempt": attempt.reference,
            "amount_vnd": amount_vnd,
            **({"replaces": replaces.label} if replaces else {}),
        },
    )
    return receipt


def on_credit(outcome: Outcome) -> None:
    """The `pay` move's in-transaction hook (`services.record_paid`): a counter payment first
    needs its officer's cash book of the day still open (`cashbook.enter`), then the receipt."""
    from . import cashbook  # the cash book reads receipts: imported here, not at the top

    attempt: PaymentAttempt = outcome.obj
    at = outcome.at or timezone.now()
    if attempt.method in COUNTER_METHODS:
        cashbook.enter(attempt, at=at)
    _issue(attempt, amount_vnd=attempt.amount_vnd, at=at, replaces=None)


def on_refund(outcome: Outcome) -> None:
    """The `refund` move's in-transaction hook (`services.refund`): the receipt no longer tells
    the truth, so it is voided with the reason "Hoàn tiền"; when part of the payment is kept, a
    new receipt (a new number) states what was kept."""
    attempt: PaymentAttempt = outcome.obj
    reason = (outcome.data or {}).get("reason", "")
    current = Receipt.objects.select_for_update().filter(attempt=attempt, status="valid").first()
    if current is None:
        return  # paid before receipts existed
    _void_row(
        current,
        actor=outcome.actor,
        reason=(_("Hoàn tiền") + (f": {reason}" if reason else ""))[:MAX_REASON],
        at=outcome.at or timezone.now(),
    )
    kept = attempt.amount_vnd - attempt.refunded_vnd
    if kept > 0:
        _issue(attempt, amount_vnd=kept, at=outcome.at or timezone.now(), replaces=current)


def _void_row(receipt: Receipt, *, actor, reason: str, at: dt.datetime) -> None:
    receipt.status = Receipt.Status.VOID
    receipt.voided_at = at
    receipt.voided_by = actor_or_none(actor)
    receipt.void_reason = reason
    receipt.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
    audit.record(
        action="payment.receipt_voided",
        obj=receipt,
        unit=receipt.unit_id,
        actor=actor,
        changes={"status": ["valid", "void"], "number": receipt.label, "reason": reason},
    )


@dataclass(frozen=True)
class Voided:
    voided: Receipt
    replacement: Receipt | None


def void(actor, *, receipt_id: int, reason: str, at: dt.datetime | None = None) -> Voided:
    """Hủy biên lai: a manager of the receipt's unit, with a reason. The number stays in the
    series, marked void; if the payment still stands (not fully refunded) a new receipt with a
    new number is issued for it, with today's content of the dossier (a corrected name)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Vui lòng nêu lý do hủy biên lai.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Lý do hủy tối đa %(n)s ký tự.") % {"n": MAX_REASON}})
    at = at or timezone.now()
    with transaction.atomic():
        # the attempt first, then the receipt: the order a refund takes them in
        attempt_id = Receipt.objects.values_list("attempt_id", flat=True).get(pk=receipt_id)
        attempt = (
            PaymentAttempt.objects.select_for_update(of=("self",))
            .select_related("request__dossier", "request__unit__parent", "created_by")
            .get(pk=attempt_id)
        )
        receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
        if Role.MANAGER not in roles_of(actor, receipt.unit_id):
            raise PermissionDenied(_("Chỉ quản lý của đơn vị thu được hủy biên lai."))
        if receipt.status != Receipt.Status.VALID:
            raise IllegalTransition(_("Biên lai này đã bị hủy trước đó."), action="void")
        _void_row(receipt, actor=actor, reason=reason, at=at)
        kept = attempt.amount_vnd - attempt.refunded_vnd
        replacement = None
        if attempt.status in STANDING and kept > 0:
            replacement = _issue(attempt, amount_vnd=kept, at=at, replaces=receipt)
    return Voided(receipt, replacement)


# --- who may read a receipt ------------------------------------------------------------------

READERS = (Role.COUNTER_OFFICER, Role.MANAGER, Role.LEADER)


def for_staff(user):
    """Receipts of the units where the user takes or oversees fees."""
    return Receipt.objects.filter(unit_id__in=visible_unit_ids(user, READERS))


def get_for_staff(user, pk) -> Receipt:
    try:
        return for_staff(user).get(pk=pk)
    except (Receipt.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def get_for_citizen(user, pk) -> Receipt:
    """A receipt of one of the citizen's own dossiers; another's is not found (404)."""
    from motcua.citizens import selectors as citizen_selectors

    try:
        return Receipt.objects.get(
            pk=pk, dossier__in=citizen_selectors.my_dossiers(user).values("pk")
        )
    except (Receipt.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def of_dossier(dossier_id: int):
    return Receipt.objects.filter(dossier_id=dossier_id).order_by("issued_at", "id")


# --- the PDF -----------------------------------------------------------------------------------


def render_pdf(receipt: Receipt) -> bytes:
    """The receipt as PDF (WeasyPrint, as the dossier's papers; Vietnamese, whatever the UI)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from motcua.dossiers.papers import render as papers

    lines_total = sum(int(line.get("amount_vnd") or 0) for line in receipt.lines)
    context = {
        "r": receipt,
        "issued": papers.official_datetime(receipt.issued_at),
        "collected": papers.official_datetime(receipt.collected_at) if receipt.collected_at else "",
        "voided": papers.official_datetime(receipt.voided_at) if receipt.voided_at else "",
        "date_line": papers.official_date(receipt.issued_at).capitalize(),
        "d": {"agency": {"name": receipt.unit_name, "parent_name": receipt.parent_unit_name}},
        "lines_total": lines_total,
        "kept_less": lines_total - receipt.amount_vnd if lines_total > receipt.amount_vnd else 0,
    }
    with translation.override("vi"):
        html = render_to_string("payments/receipt_pdf.html", context)
    return papers.html_to_pdf(html)
