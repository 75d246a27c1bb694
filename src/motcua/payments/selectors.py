"""Read-side queries of payments, shared by the counter's and the citizen's pages."""

from __future__ import annotations

from .models import PaymentRequest


def fee_request(dossier) -> PaymentRequest | None:
    """The dossier's current fee request (open or paid; a cancelled one is history), or None."""
    return (
        dossier.payment_requests.filter(purpose=PaymentRequest.Purpose.FEES)
        .exclude(status=PaymentRequest.Status.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )
