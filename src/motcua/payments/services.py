"""Payment use cases: freeze what a dossier owes, open attempts, record what the platform, the
bank or the counter says happened. Every change goes through `machine.ATTEMPTS` (lock, event,
audit in one transaction); docs/decisions/0036-payments.md.

Who may do what is decided here, whatever screen or endpoint calls:
- a fee request and counter cash or card: the receiving unit's counter officers and managers;
- an online attempt: the dossier's own applicant (signed in) or those officers;
- `record_paid` / `record_failed` / `expire`: the platform adapter, the bank's notification
  and the jobs (no user: what they report is checked against the attempt instead).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.scoping import roles_of
from motcua.core import audit
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit
from motcua.core.statemachine import NOOP, IllegalTransition, actor_or_none
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.dossiers.models import Status as DossierStatus
from motcua.dossiers.workflow import is_applicant

from . import fees, platform, receipts, selectors
from .machine import ATTEMPTS
from .models import (
    ONLINE_METHODS,
    CollectionAccount,
    Method,
    PaymentAttempt,
    PaymentRequest,
    ReceiptIssuer,
)

log = logging.getLogger(__name__)
A = PaymentAttempt.Status
CASHIERS = (Role.COUNTER_OFFICER, Role.MANAGER)
MAX_KEY = 64
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U


class PaymentRefused(IllegalTransition):
    """A report about a payment that is not believed (amount, currency, reference, replay):
    nothing changes; `code` says why, for the protocol's answer and the log."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason, action="pay")
        self.code = code


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _require_cashier(actor, dossier: Dossier) -> None:
    if not roles_of(actor, dossier.receiving_unit_id) & set(CASHIERS):
        raise PermissionDenied(_("Chỉ cán bộ một cửa của nơi tiếp nhận hồ sơ được thu phí."))


# --- what is owed ----------------------------------------------------------------------------


def fee_breakdown(
    dossier: Dossier,
    *,
    conditions: frozenset[str] = frozenset(),
    quantities: fees.Quantities | None = None,
) -> fees.Breakdown:
    """The fees of `dossier` as they stand on its filing day, with the reliefs that apply."""
    day = dossier.submitted_at.astimezone(LOCAL_TZ).date()
    case = next((str(f.get("case") or "") for f in dossier.fees if f.get("case")), "")
    return fees.breakdown(
        dossier.procedure,
        unit=dossier.competent_unit,
        day=day,
        facts=fees.Facts(online=dossier.is_online, conditions=conditions),
        quantities=quantities,
        case=case,
    )


def request_fees(
    actor,
    *,
    dossier_id: int,
    conditions: frozenset[str] = frozenset(),
    quantities: fees.Quantities | None = None,
    at: dt.datetime | None = None,
) -> PaymentRequest:
    """Yêu cầu thanh toán phí, lệ phí: freeze the breakdown of `dossier` as the amount owed.

    One open fee request per dossier: asking again returns it unchanged. `conditions` are the
    relief conditions the officer checked (poor household, merit...), or that are known (VNeID
    level 2). A breakdown with a row the catalog does not know the amount of is refused."""
    at = _now(at)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().select_related("procedure").get(pk=dossier_id)
        if not (is_applicant(actor, dossier) or roles_of(actor, dossier.receiving_unit_id)):
            raise PermissionDenied(_("Bạn không có quyền với hồ sơ này."))
        if actor is not None and not is_applicant(actor, dossier):
            _require_cashier(actor, dossier)
        existing = dossier.payment_requests.filter(
            purpose=PaymentRequest.Purpose.FEES, status=PaymentRequest.Status.OPEN
        ).first()
        if existing is not None:
            return existing
        found = fee_breakdown(dossier, conditions=conditions, quantities=quantities)
        if found.has_unknown:
            raise ValidationError(
                _(
                    "Mức thu của một khoản phí, lệ phí chưa có trong danh mục thủ tục: cập nhật "
                    "danh mục trước khi thu."
                )
            )
        count = dossier.payment_requests.count() + 1
        request = PaymentRequest.objects.create(
            dossier=dossier,
            unit_id=dossier.receiving_unit_id,
            purpose=PaymentRequest.Purpose.FEES,
            reference=f"{dossier.code}-TT{count}"[:40],
            lines=found.as_json(),
            amount_vnd=found.total_vnd,
            status=PaymentRequest.Status.PAID
            if found.total_vnd == 0
            else PaymentRequest.Status.OPEN,
            created_at=at,
            created_by=actor_or_none(actor),
            paid_at=at if found.total_vnd == 0 else None,
        )
        audit.record(
            action="payment.request_created",
            obj=request,
            unit=request.unit_id,
            actor=actor,
            changes={
                "dossier": dossier.pk,
                "amount_vnd": request.amount_vnd,
                "conditions": sorted(conditions),
            },
        )
    return request


# --- attempts --------------------------------------------------------------------------------


def start_attempt(
    actor,
    *,
    request_id: int,
    method: str,
    idempotency_key: str,
    at: dt.datetime | None = None,
) -> PaymentAttempt:
    """Open one attempt to pay the whole amount still owed by `method`.

    The same `idempotency_key` (a double-clicked button, a retried request) returns the same
    attempt. Online methods: the applicant or a cashier; cash and card: a cashier only. An
    online attempt is refused while another one of the request waits to be paid
    (`selectors.waiting_attempt`): the money could arrive twice."""
    at = _now(at)
    key = (idempotency_key or "").strip()[:MAX_KEY]
    if not key:
        raise ValidationError(_("Thiếu mã chống gửi trùng của yêu cầu thanh toán."))
    if method not in Method.values:
        raise ValidationError(_("Hình thức thanh toán không hợp lệ."))
    with transaction.atomic():
        request = (
            PaymentRequest.objects.select_for_update().select_related("dossier").get(pk=request_id)
        )
        dossier = request.dossier
        if method in ONLINE_METHODS and is_applicant(actor, dossier):
            pass
        else:
            _require_cashier(actor, dossier)
        again = request.attempts.filter(idempotency_key=key).first()
        if again is not None:
            return again
        if request.status != PaymentRequest.Status.OPEN:
            raise IllegalTransition(_("Yêu cầu thanh toán này không còn chờ thanh toán."))
        owed = request.amount_vnd - paid_amount(request)
        if owed <= 0:
            raise IllegalTransition(_("Yêu cầu thanh toán này đã được thanh toán đủ."))
        waiting = selectors.waiting_attempt(request, at=at) if method in ONLINE_METHODS else None
        if waiting is not None:  # the citizen may be paying it now: not a second one
            raise IllegalTransition(
                _(
                    "Giao dịch %(reference)s đang chờ thanh toán đến %(until)s: vui lòng tiếp "
                    "tục hoặc kiểm tra giao dịch đó thay vì tạo giao dịch mới."
                )
                % {
                    "reference": waiting.reference,
                    "until": waiting.expires_at.astimezone(LOCAL_TZ).strftime("%H:%M"),
                },
                action="create",
            )
        attempt = PaymentAttempt.objects.create(
            request=request,
            method=method,
            idempotency_key=key,
            reference=new_reference(),
            amount_vnd=owed,
            created_at=at,
            expires_at=at + dt.timedelta(minutes=attempt_minutes())
            if method in ONLINE_METHODS
            else None,
            created_by=actor_or_none(actor),
        )
        ATTEMPTS.created(
            attempt,
            action="create",
            actor=actor,
            at=at,
            data={"method": method, "amount_vnd": owed},
            changes={"method": method, "amount_vnd": owed, "request": request.pk},
            unit=request.unit_id,
        )
    return attempt


def new_reference() -> str:
    """An attempt's reference: "MC" and 10 random Crockford base-32 symbols (50 bits). Letters
    and digits only, 12 characters: it survives a bank's statement, which drops punctuation,
    and fits VietQR's 25-character purpose; not guessable, so a report must name it."""
    return "MC" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def attempt_minutes() -> int:
    return settings.MOTCUA_PAYMENT_ATTEMPT_MINUTES


def paid_amount(request: PaymentRequest) -> int:
    """What the request's paid attempts brought in, net of refunds."""
    total = 0
    for amount, refunded in request.attempts.filter(
        status__in=(A.PAID, A.PARTIALLY_REFUNDED, A.REFUNDED)
    ).values_list("amount_vnd", "refunded_vnd"):
        total += amount - refunded
    return total


@dataclass(frozen=True)
class Report:
    """What a platform, a bank or a counter says about one attempt (already authenticated by
    the adapter that read it)."""

    reference: str
    amount_vnd: int
    currency: str = "VND"
    transaction_id: str = ""
    source: str = ""


PAID_STATES = (A.PAID, A.PARTIALLY_REFUNDED, A.REFUNDED)


class _PlainRead:
    """One read of several joined rows in plain SQL, made into model instances as the ORM
    makes them (the fields' converters, `Model.from_db`). For the credit's two reads: every
    notification passes there, and building these queries through the ORM cost more than the
    database took to answer them. `parts` are (model, alias) in the order of the columns;
    `tail` is the FROM clause with its joins and WHERE; a part whose id is NULL (an outer
    join that found nothing) is None. Built on first use (the connection's quoting)."""

    def __init__(self, parts, tail: str, extra: str = "") -> None:
        self.parts, self.tail, self.extra = parts, tail, extra
        self.plan: list | None = None
        self.sql = ""

    def _build(self) -> None:
        qn, plan, columns = connection.ops.quote_name, [], []
        for model, alias in self.parts:
            fields = list(model._meta.concrete_fields)
            cols = [f.get_col(alias) for f in fields]
            converters = [
                connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                for col in cols
            ]
            pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
            plan.append((model, [f.attname for f in fields], cols, converters, pk_index))
            columns += [f"{alias}.{qn(f.column)}" for f in fields]
        self.sql = f"SELECT {', '.join(columns)}{self.extra} {self.tail}"
        self.plan = plan  # last: another thread seeing the plan sees the SQL too

    def fetch(self, params: list, *, lock: str = "") -> tuple | None:
        """(instances..., extra columns...) of the first row, or None when there is none."""
        if self.plan is None:
            self._build()
        assert self.plan is not None
        with connection.cursor() as cursor:
            cursor.execute(self.sql + lock, params)
            row = cursor.fetchone()
        if row is None:
            return None
        out: list = []
        at = 0
        for model, names, cols, converters, pk_index in self.plan:
            values = list(row[at : at + len(names)])
            at += len(names)
            if values[pk_index] is None:
                out.append(None)
                continue
            for i, (col, convert) in enumerate(zip(cols, converters, strict=True)):
                for converter in convert:
                    values[i] = converter(values[i], col, connection)
            out.append(model.from_db(connection.alias, names, values))
        return (*out, *row[at:])


_SEEN = _PlainRead(
    [(PaymentAttempt, "a")],
    "FROM payments_paymentattempt a JOIN payments_paymentrequest r ON r.id = a.request_id "
    "LEFT JOIN payments_collectionaccount ca ON ca.unit_id = r.unit_id WHERE a.reference = %s",
    extra=", ca.account_number",
)
_LOCKED = _PlainRead(
    [
        (PaymentAttempt, "a"),
        (PaymentRequest, "r"),
        (Dossier, "d"),
        (Unit, "u"),
        (Unit, "p"),
        (CollectionAccount, "ca"),
        (ReceiptIssuer, "i"),
    ],
    "FROM payments_paymentattempt a JOIN payments_paymentrequest r ON r.id = a.request_id "
    "JOIN dossiers_dossier d ON d.id = r.dossier_id JOIN core_unit u ON u.id = r.unit_id "
    "LEFT JOIN core_unit p ON p.id = u.parent_id "
    "LEFT JOIN payments_collectionaccount ca ON ca.unit_id = u.id "
    "LEFT JOIN payments_receiptissuer i ON i.unit_id = u.id WHERE a.id = %s",
)
assert (PaymentAttempt._meta.db_table, PaymentRequest._meta.db_table) == (
    "payments_paymentattempt",
    "payments_paymentrequest",
)
assert (Dossier._meta.db_table, Unit._meta.db_table, CollectionAccount._meta.db_table) == (
    "dossiers_dossier",
    "core_unit",
    "payments_collectionaccount",
)
assert ReceiptIssuer._meta.db_table == "payments_receiptissuer"


def _lock_for_credit(pk: int) -> PaymentAttempt:
    """The attempt and its request locked (FOR UPDATE OF both), with its dossier, its unit,
    the unit's parent, collection account and receipt issuer read alongside (for the receipt
    and the dossier; read as committed, not locked), wired as select_related would."""
    lock = " FOR UPDATE OF a, r" if connection.features.has_select_for_update_of else ""
    found = _LOCKED.fetch([pk], lock=lock)
    if found is None:
        raise PaymentAttempt.DoesNotExist(pk)
    attempt, request, dossier, unit, parent, account, issuer = found
    attempt.read_with = {"issuer": issuer}  # for the receipt (receipts._issue)
    attempt.request = request
    request.dossier = dossier
    request.unit = unit
    if parent is not None:
        unit.parent = parent
    if account is not None:
        account.unit = unit  # also caches it as unit.collection_account
    else:
        Unit.collection_account.related.set_cached_value(unit, None)
    return attempt


def record_paid(actor, *, report: Report, at: dt.datetime | None = None) -> PaymentAttempt:
    """Credit the attempt `report.reference` once: the same transaction again is a no-op; a
    different amount or currency, an unknown reference, a transaction already credited to
    another attempt, or an attempt already paid by another transaction are refused
    (`PaymentRefused`, logged with the reason, nothing changes).

    The one `pay` transition of every path (bank notification, platform return and status job,
    statement reconciliation, counter): a repeat of a credited transaction is answered after
    one indexed read, with no lock and no write (a paid attempt never changes its transaction
    id); a credit is one transaction: the attempt and its request locked together, the
    attempt paid (event, receipt), the request settled, the dossier told, their audit rows
    written together (`audit.batch`)."""
    return _credit(actor, report=report, at=_now(at))


def _credit(
    actor, *, report: Report, at: dt.datetime, account: str | None = None
) -> PaymentAttempt:
    """`record_paid`; with `account`, the transfer must have reached the attempt's unit's
    collection account (`record_bank_transfer`)."""
    txn = (report.transaction_id or "").strip()[:64] or None
    found = _SEEN.fetch([report.reference])
    if found is None:
        raise _refused("unknown_reference", report)
    seen, expected = found
    pk, status, currency, amount_vnd = seen.pk, seen.status, seen.currency, seen.amount_vnd
    known_txn = seen.provider_transaction_id
    if account is not None and (
        expected is None or _account_key(expected) != _account_key(account)
    ):
        raise _refused("wrong_account", report)
    # amount and currency never change on an attempt: checked before any lock
    if report.currency != currency:
        raise _refused("wrong_currency", report)
    if report.amount_vnd != amount_vnd:
        raise _refused("wrong_amount", report)
    if status in PAID_STATES and txn is not None and known_txn == txn:
        return seen  # the same notification again: already credited, nothing to lock or write

    def guard(row: PaymentAttempt):
        if row.status in PAID_STATES:
            if txn is not None and row.provider_transaction_id == txn:
                return NOOP  # credited by a concurrent notification of the same transfer
            raise _refused("already_paid", report)
        return None  # a transaction id credited elsewhere: refused by its unique column

    def apply(row: PaymentAttempt, move, when):
        row.paid_at = when
        row.provider_transaction_id = txn
        return {"source": report.source, "transaction_id": txn}

    try:
        with transaction.atomic(), audit.batch():
            attempt = _lock_for_credit(pk)
            outcome = ATTEMPTS.run(
                locked=attempt,
                action="pay",
                actor=actor,
                at=at,
                guard=guard,
                apply=apply,
                audit_fields=("paid_at", "provider_transaction_id"),
                in_transaction=(receipts.on_credit,),  # the e-receipt, in this transaction
                savepoint=False,  # any error ends this transaction
            )
            if outcome.move is not None:
                _settle(attempt, at)
    except IntegrityError:
        reused = (
            txn is not None
            and PaymentAttempt.objects.filter(provider_transaction_id=txn).exclude(pk=pk).exists()
        )
        if not reused:
            raise
        raise _refused("transaction_reused", report) from None  # credited to another attempt
    return attempt


def _refused(code: str, report: Report) -> PaymentRefused:
    reasons = {
        "unknown_reference": _("Không tìm thấy giao dịch với mã tham chiếu này."),
        "wrong_currency": _("Loại tiền không đúng với giao dịch."),
        "wrong_amount": _("Số tiền không đúng với giao dịch."),
        "already_paid": _("Giao dịch đã được ghi nhận thanh toán bởi một giao dịch khác."),
        "transaction_reused": _("Mã giao dịch này đã được ghi nhận cho một giao dịch khác."),
        "wrong_account": _("Tiền chuyển vào tài khoản không phải tài khoản thu của đơn vị."),
    }
    # no payer data in the log: the reference and the figures only
    log.warning(
        "payment report refused: %s (reference=%s amount=%s currency=%s source=%s)",
        code,
        report.reference[:40],
        report.amount_vnd,
        report.currency[:3],
        report.source[:20],
    )
    return PaymentRefused(reasons[code], code=code)


def _account_key(number: str) -> str:
    return "".join(ch for ch in (number or "").upper() if ch.isalnum())


def record_bank_transfer(
    *, report: Report, account: str, at: dt.datetime | None = None
) -> PaymentAttempt:
    """The bank says a transfer arrived on `account` (its VietQR notification): credited as
    `record_paid` does, only when `account` is the collection account of the attempt's unit (a
    transfer to another account, or to a unit with none, is refused: `wrong_account`); read
    with the attempt, in the same query."""
    return _credit(None, report=report, at=_now(at), account=account)


def _settle(attempt: PaymentAttempt, at: dt.datetime) -> None:
    """The request is paid when its attempts brought in the amount (inside the credit's
    transaction, under the request's lock, taken with the attempt's); the dossier then learns
    it: fees paid online count for the index, and a dossier waiting for its financial
    obligation resumes by itself."""
    request = attempt.request
    if request.status != PaymentRequest.Status.OPEN:
        return
    # an attempt is for what was still owed: one that covers the amount settles it (the common
    # case, one attempt per request) without adding up the others
    if attempt.amount_vnd < request.amount_vnd and paid_amount(request) < request.amount_vnd:
        return
    request.status = PaymentRequest.Status.PAID
    request.paid_at = at
    request.save(update_fields=["status", "paid_at"])
    audit.record(
        action="payment.request_paid",
        obj=request,
        unit=request.unit_id,
        changes={"status": [PaymentRequest.Status.OPEN, PaymentRequest.Status.PAID]},
    )
    online = (
        attempt.method in ONLINE_METHODS
        or request.attempts.filter(
            method__in=ONLINE_METHODS, status__in=(A.PAID, A.PARTIALLY_REFUNDED)
        ).exists()
    )
    if request.purpose == PaymentRequest.Purpose.OBLIGATION:
        dossier_services.record_obligation_paid(
            dossier_id=request.dossier_id, reference=request.reference, paid_online=online, at=at
        )
    else:
        dossier_services.record_fees_paid(
            dossier_id=request.dossier_id,
            online=online,
            reference=request.reference,
            dossier=request.dossier,
        )


def request_obligation(actor, *, dossier_id: int, at: dt.datetime | None = None) -> PaymentRequest:
    """The payment request of the financial obligation a dossier waits for (the amount the
    handling officer asked, `request_financial_obligation`): made on first use, then the same.
    The applicant or the receiving unit's cashiers."""
    at = _now(at)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        if not is_applicant(actor, dossier):
            _require_cashier(actor, dossier)
        if dossier.status != DossierStatus.AWAITING_FINANCIAL_OBLIGATION:
            raise IllegalTransition(_("Hồ sơ không chờ thực hiện nghĩa vụ tài chính."))
        asked = (
            dossier.events.filter(action="request_financial_obligation")
            .order_by("-at", "-id")
            .first()
        )
        amount = int((asked.data or {}).get("amount_vnd") or 0) if asked else 0
        existing = dossier.payment_requests.filter(
            purpose=PaymentRequest.Purpose.OBLIGATION,
            status=PaymentRequest.Status.OPEN,
            created_at__gte=asked.at if asked else at,
        ).first()
        if existing is not None:
            return existing
        if amount <= 0:
            raise ValidationError(_("Chưa có số tiền nghĩa vụ tài chính cho hồ sơ này."))
        request = PaymentRequest.objects.create(
            dossier=dossier,
            unit_id=dossier.receiving_unit_id,
            purpose=PaymentRequest.Purpose.OBLIGATION,
            reference=f"{dossier.code}-NV{dossier.payment_requests.count() + 1}"[:40],
            lines=[
                {
                    "kind": "obligation",
                    "condition": (asked.note if asked else "")[:300],
                    "legal_basis": "",
                    "per": "dossier",
                    "quantity": 1,
                    "unit_amount_vnd": amount,
                    "base_vnd": amount,
                    "amount_vnd": amount,
                    "relief": None,
                    "unknown": False,
                }
            ],
            amount_vnd=amount,
            created_at=at,
            created_by=actor_or_none(actor),
        )
        audit.record(
            action="payment.request_created",
            obj=request,
            unit=request.unit_id,
            actor=actor,
            changes={"dossier": dossier.pk, "amount_vnd": amount, "purpose": "obligation"},
        )
    return request


def record_failed(
    actor, *, reference: str, reason: str = "", at: dt.datetime | None = None
) -> PaymentAttempt:
    """The platform says the attempt failed (a paid attempt stays paid: refused by the table)."""
    return ATTEMPTS.run(
        PaymentAttempt.objects.get(reference=reference).pk,
        action="fail",
        actor=actor,
        at=_now(at),
        data={"reason": reason[:200]},
        queryset=PaymentAttempt.objects.select_related("request"),
    ).obj


def expire_attempts(*, at: dt.datetime | None = None) -> int:
    """The job: online attempts past their time, still waiting, expire (one transaction each)."""
    at = _now(at)
    done = 0
    ids = PaymentAttempt.objects.filter(status=A.CREATED, expires_at__lt=at).values_list(
        "pk", flat=True
    )
    for pk in list(ids[:1000]):

        def still_waiting(row: PaymentAttempt):
            return None if row.status == A.CREATED else NOOP

        outcome = ATTEMPTS.run(
            pk,
            action="expire",
            at=at,
            guard=still_waiting,
            queryset=PaymentAttempt.objects.select_related("request"),
        )
        done += outcome.move is not None
    return done


def take_at_counter(
    actor,
    *,
    request_id: int,
    method: str,
    idempotency_key: str,
    at: dt.datetime | None = None,
) -> PaymentAttempt:
    """Cash or card at the counter: the cashier opens the attempt and records it paid at once
    (who took the money is the attempt's creator and the event's actor)."""
    if method not in (Method.CASH, Method.CARD):
        raise ValidationError(_("Tại quầy chỉ thu tiền mặt hoặc thẻ."))
    at = _now(at)
    with transaction.atomic():
        attempt = start_attempt(
            actor, request_id=request_id, method=method, idempotency_key=idempotency_key, at=at
        )
        if attempt.status == A.CREATED:
            record_paid(
                actor,
                report=Report(
                    reference=attempt.reference,
                    amount_vnd=attempt.amount_vnd,
                    transaction_id=f"{method}:{attempt.reference}",
                    source="counter",
                ),
                at=at,
            )
            attempt.refresh_from_db()
    return attempt


def refund(
    actor,
    *,
    attempt_id: int,
    amount_vnd: int,
    reason: str,
    at: dt.datetime | None = None,
) -> PaymentAttempt:
    """Hoàn tiền, fully or in part: never beyond what was paid; managers only, with a reason."""
    if not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValidationError({"amount_vnd": _("Số tiền hoàn phải là số nguyên dương (đồng).")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Vui lòng nêu lý do hoàn tiền.")})

    def guard(row: PaymentAttempt):
        if Role.MANAGER not in roles_of(actor, row.request.unit_id):
            raise PermissionDenied(_("Chỉ quản lý của đơn vị thu được hoàn tiền."))
        if row.status not in (A.PAID, A.PARTIALLY_REFUNDED):
            return None  # the table refuses it with its own reason
        if row.refunded_vnd + amount_vnd > row.amount_vnd:
            raise ValidationError(
                {"amount_vnd": _("Số tiền hoàn vượt quá số tiền đã thanh toán còn lại.")}
            )
        row.refund_pending_vnd = amount_vnd  # read by the table's target (machine._after_refund)
        return None

    def apply(row: PaymentAttempt, move, when):
        row.refunded_vnd += amount_vnd
        return {"amount_vnd": amount_vnd, "reason": reason.strip()[:300]}

    return ATTEMPTS.run(
        attempt_id,
        action="refund",
        actor=actor,
        at=_now(at),
        guard=guard,
        apply=apply,
        audit_fields=("refunded_vnd",),
        in_transaction=(receipts.on_refund,),  # the receipt is voided, and reissued if kept
        queryset=PaymentAttempt.objects.select_related("request"),
    ).obj


# --- the national payment platform -----------------------------------------------------------


class PaymentUnavailable(Exception):
    """The payment could not be started now; `reason` is the Vietnamese sentence shown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _platform_payment(attempt: PaymentAttempt) -> platform.Payment:
    request = attempt.request
    dossier = request.dossier
    return platform.Payment(
        reference=attempt.reference,
        amount_vnd=attempt.amount_vnd,
        dossier_code=dossier.code,
        procedure_code=dossier.procedure_code,
        unit_code=dossier.receiving_unit.code,
        payer_name=dossier.applicant_name,
        payer_id=dossier.applicant_id_number,
        lines=request.lines,
    )


def pay_through_platform(
    actor,
    *,
    request_id: int,
    idempotency_key: str,
    return_url: str,
    at: dt.datetime | None = None,
) -> PaymentAttempt:
    """Open a platform attempt and ask the platform for its payment page (INIT). A repeated
    click returns the same attempt and page. When the platform does not answer, the attempt
    waits (the citizen may try again; the job asks the platform about it later); when it
    refuses, the attempt fails. Either way `PaymentUnavailable` says so in Vietnamese."""
    at = _now(at)
    if not platform.configured():
        raise PaymentUnavailable(_("Chưa kết nối nền tảng thanh toán quốc gia."))
    attempt = start_attempt(
        actor,
        request_id=request_id,
        method=Method.PLATFORM,
        idempotency_key=idempotency_key,
        at=at,
    )
    if attempt.redirect_url or attempt.status != A.CREATED:
        return attempt
    payment = _platform_payment(
        PaymentAttempt.objects.select_related(
            "request__dossier", "request__dossier__receiving_unit"
        ).get(pk=attempt.pk)
    )
    try:
        _transaction_id, page = platform.initiate(payment, return_url=return_url, at=at)
    except platform.PlatformUnavailable:
        log.warning("payment platform unavailable for attempt %s", attempt.pk)
        raise PaymentUnavailable(
            _(
                "Nền tảng thanh toán đang không trả lời. Hồ sơ và khoản phí vẫn được giữ; "
                "vui lòng thử lại sau ít phút."
            )
        ) from None
    except platform.PlatformRefused as refused:
        record_failed(None, reference=attempt.reference, reason=f"init {refused.code}", at=at)
        raise PaymentUnavailable(
            _("Nền tảng thanh toán từ chối giao dịch (mã %(code)s). Vui lòng thử lại.")
            % {"code": refused.code}
        ) from None
    PaymentAttempt.objects.filter(pk=attempt.pk, redirect_url="").update(redirect_url=page)
    attempt.refresh_from_db()
    return attempt


def check_platform(reference: str, *, at: dt.datetime | None = None) -> PaymentAttempt:
    """Ask the platform what became of a platform attempt (CHECK) and record it: paid (then
    the e-receipt link), failed, or still waiting. What the citizen's return page says is never
    believed; only this answer is. Raises `platform.PlatformUnavailable` when it cannot ask."""
    at = _now(at)
    attempt = PaymentAttempt.objects.get(reference=reference, method=Method.PLATFORM)
    if attempt.status in (A.PAID, A.PARTIALLY_REFUNDED, A.REFUNDED):
        return attempt
    found = platform.status(reference, at=at)
    if found.state == platform.PAID:
        record_paid(
            None,
            report=Report(
                reference=reference,
                amount_vnd=found.amount_vnd,
                currency=found.currency,
                transaction_id=found.transaction_id,
                source="platform",
            ),
            at=at,
        )
        try:
            link = platform.receipt_link(reference, at=at)
        except (platform.PlatformUnavailable, platform.PlatformRefused):
            link = ""  # asked again by the job
        if link:
            PaymentAttempt.objects.filter(pk=attempt.pk).update(receipt_url=link)
    elif found.state == platform.FAILED and attempt.status == A.CREATED:
        record_failed(None, reference=reference, reason="platform", at=at)
    attempt.refresh_from_db()
    return attempt


CHECK_FOR_DAYS = 3


def check_waiting_platform_attempts(*, at: dt.datetime | None = None) -> int:
    """The job: ask the platform about every platform attempt of the last days still waiting or
    expired (a payment may land after its time), and about paid ones still without a receipt
    link. Returns how many were asked; an unreachable platform is asked next time."""
    at = _now(at)
    since = at - dt.timedelta(days=CHECK_FOR_DAYS)
    waiting = PaymentAttempt.objects.filter(
        method=Method.PLATFORM, created_at__gte=since, status__in=(A.CREATED, A.EXPIRED)
    ).exclude(redirect_url="")
    unreceipted = PaymentAttempt.objects.filter(
        method=Method.PLATFORM, created_at__gte=since, status=A.PAID, receipt_url=""
    )
    asked = 0
    for reference in list(waiting.values_list("reference", flat=True)[:500]):
        try:
            check_platform(reference, at=at)
        except (platform.PlatformUnavailable, PaymentRefused):
            continue
        asked += 1
    for pk, reference in list(unreceipted.values_list("pk", "reference")[:500]):
        try:
            link = platform.receipt_link(reference, at=at)
        except (platform.PlatformUnavailable, platform.PlatformRefused):
            continue
        PaymentAttempt.objects.filter(pk=pk, receipt_url="").update(receipt_url=link)
        asked += 1
    return asked
