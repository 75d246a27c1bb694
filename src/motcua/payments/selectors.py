"""Read-side queries of payments, shared by the counter's and the citizen's pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Method, PaymentAttempt, PaymentRequest


def fee_request(dossier) -> PaymentRequest | None:
    """The dossier's current fee request (open or paid; a cancelled one is history), or None."""
    return (
        dossier.payment_requests.filter(purpose=PaymentRequest.Purpose.FEES)
        .exclude(status=PaymentRequest.Status.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )


def waiting_attempt(request: PaymentRequest, *, at: dt.datetime | None = None):
    """The request's online attempt the citizen may be paying right now: created, not yet
    expired, and payable (a VietQR code, or a platform attempt whose page the platform gave);
    None when there is none. While it waits, another online attempt is not started (the money
    could arrive twice): the pay page offers to continue it or to ask for its status."""
    at = at or timezone.now()
    return (
        request.attempts.filter(
            status=PaymentAttempt.Status.CREATED,
            method__in=(Method.VIETQR, Method.PLATFORM),
            expires_at__gt=at,
        )
        .exclude(method=Method.PLATFORM, redirect_url="")
        .order_by("-created_at", "-id")
        .first()
    )
