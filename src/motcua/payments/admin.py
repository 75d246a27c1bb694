"""Reliefs and collection accounts are set up in the admin (scoped to the administrator's
units, every change audited); requests, attempts, their events and the reconciliation runs are
evidence, shown read-only to the operator (superusers) like a dossier's: they change only
through `payments.services` and `payments.reconciliation`, and the unit's staff see them on
their own screens."""

from django.contrib import admin

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import AuditedAdmin, SuperuserOnlyAdmin, UnitScopedAdmin

from .models import (
    CashBookDay,
    CollectionAccount,
    FeeRelief,
    PaymentAttempt,
    PaymentEvent,
    PaymentRequest,
    Receipt,
    ReceiptIssuer,
    ReconciliationLine,
    ReconciliationRun,
)


class SetUpAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    pass


class ReadOnlyAdmin(ReadOnlyMixin, SuperuserOnlyAdmin, admin.ModelAdmin):
    """The payment ledger: written only by the services."""


@admin.register(FeeRelief)
class FeeReliefAdmin(SetUpAdmin):
    list_display = ("name", "unit", "condition", "percent", "valid_from", "valid_to")
    list_filter = ("condition",)
    search_fields = ("name", "legal_basis", "procedure_codes")


@admin.register(CollectionAccount)
class CollectionAccountAdmin(SetUpAdmin):
    list_display = ("unit", "bank_name", "account_number", "account_name")


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    list_display = ("reference", "dossier", "amount_vnd", "status", "created_at", "paid_at")
    list_filter = ("status", "purpose")
    search_fields = ("reference", "dossier__code")
    list_select_related = ("dossier",)


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = ("reference", "method", "amount_vnd", "status", "created_at", "paid_at")
    list_filter = ("status", "method")
    search_fields = ("reference", "provider_transaction_id", "request__dossier__code")


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("attempt", "action", "from_status", "to_status", "at", "actor")
    list_filter = ("action",)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ("unit", "source", "file_name", "created_at", "rows", "matched", "exceptions")
    list_filter = ("source",)
    search_fields = ("file_name", "file_sha256")


@admin.register(ReconciliationLine)
class ReconciliationLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "row_number", "outcome", "reference", "amount_vnd", "resolved_at")
    list_filter = ("outcome", "needs_action")
    search_fields = ("reference", "key")


@admin.register(ReceiptIssuer)
class ReceiptIssuerAdmin(SetUpAdmin):
    list_display = ("unit", "tax_code", "symbol")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    """Receipts are a ledger: issued and voided through `payments.receipts` only."""

    list_display = ("label", "unit", "dossier_code", "amount_vnd", "method", "status", "issued_at")
    list_filter = ("status", "method", "year")
    search_fields = ("dossier_code", "reference", "=number")
    list_select_related = ("unit",)


@admin.register(CashBookDay)
class CashBookDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "unit", "officer", "entries", "total_vnd", "closed_at", "closed_by")
    list_filter = ("day",)
    list_select_related = ("unit", "officer", "closed_by")
