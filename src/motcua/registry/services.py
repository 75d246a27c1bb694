"""The registry's public functions: `lookup` (audited) and `confirms` (what counts as a
verification at the counter). Other apps call these, never the models or a backend.

Every lookup, whatever its result, appends a `RegistryLookup` row (who, which unit, why,
which ID, found / not found / registry down) and one audit event pointing at it, in one
transaction; the audit event and any log line carry only the ID's last four digits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.core import audit, identifiers
from motcua.core.text import fold

from .backends import get_backend
from .interface import Person, RegistryUnavailable
from .models import Outcome, Purpose, RegistryLookup

log = logging.getLogger(__name__)

# A lookup vouches for a reception made soon after it by the same officer at the same counter.
CONFIRMATION_MINUTES = 60


def masked(citizen_id: str) -> str:
    return "…" + (citizen_id or "")[-4:]


def name_digest(full_name: str) -> str:
    folded = " ".join(fold(full_name or "").split())
    key = ("motcua.registry.name:" + settings.SECRET_KEY).encode()
    return hmac.new(key, folded.encode(), hashlib.sha256).hexdigest()


def _record(
    *, actor, unit, purpose: str, citizen_id: str, outcome: str, backend: str, name: str = ""
):
    with transaction.atomic():
        row = RegistryLookup.objects.create(
            at=timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=(actor.get_username() if getattr(actor, "is_authenticated", False) else "")[
                :150
            ],
            unit=unit,
            purpose=purpose,
            citizen_id=citizen_id,
            outcome=outcome,
            backend=backend[:40],
            name_digest=name_digest(name) if name else "",
        )
        audit.record(
            action="registry.lookup",
            obj=row,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            unit=unit,
            changes={"purpose": purpose, "outcome": outcome, "citizen_id": masked(citizen_id)},
        )
    return row


def lookup_recorded(
    citizen_id: str, *, actor, purpose: str, unit=None
) -> tuple[Person | None, RegistryLookup]:
    """`lookup`, also returning the log row (the counter screen sends its id back with the
    reception form, so the reception can show it was verified: `confirms`)."""
    if purpose not in Purpose.values:
        raise ValueError(f"unknown lookup purpose {purpose!r}")
    number = identifiers.citizen_id(citizen_id)  # ValidationError in Vietnamese if malformed
    backend = get_backend()
    try:
        person = backend.find(number)
    except RegistryUnavailable:
        _record(
            actor=actor,
            unit=unit,
            purpose=purpose,
            citizen_id=number,
            outcome=Outcome.UNAVAILABLE,
            backend=backend.name,
        )
        log.warning("population registry %s unavailable (lookup %s)", backend.name, purpose)
        raise
    row = _record(
        actor=actor,
        unit=unit,
        purpose=purpose,
        citizen_id=number,
        outcome=Outcome.FOUND if person else Outcome.NOT_FOUND,
        backend=backend.name,
        name=person.full_name if person else "",
    )
    return person, row


def lookup(citizen_id: str, *, actor, purpose: str, unit=None) -> Person | None:
    """The person with this citizen ID in the population registry, or None.

    `purpose` is one of `models.Purpose` ("reception", "eform_prefill", "assisted_filing",
    "sign_in"); `unit` the unit on whose behalf the lookup is made (its managers see it in the
    lookup log). Raises ValidationError for a malformed ID and RegistryUnavailable when the
    registry does not answer (the lookup is logged either way).
    """
    person, _row = lookup_recorded(citizen_id, actor=actor, purpose=purpose, unit=unit)
    return person


def confirms(
    *,
    lookup_id: int | None,
    actor,
    unit,
    citizen_id: str,
    full_name: str,
    at: dt.datetime | None = None,
) -> bool:
    """Does lookup `lookup_id` verify this applicant? The rule of "identity verified through the
    national population database" at reception:

    the lookup was made by this officer, for this unit, with purpose reception or assisted
    filing, in the last CONFIRMATION_MINUTES, found the person, the person's ID is the
    applicant's ID, and the name on the dossier is the registry's (diacritics and spacing
    aside: the officer may not have typed the accents). Anything else is not a verification.
    """
    if not lookup_id or actor is None or not getattr(actor, "is_authenticated", False):
        return False
    at = at or timezone.now()
    row = (
        RegistryLookup.objects.filter(
            pk=lookup_id,
            actor_id=actor.pk,
            unit_id=getattr(unit, "pk", unit),
            outcome=Outcome.FOUND,
            purpose__in=[Purpose.RECEPTION, Purpose.ASSISTED_FILING],
            at__gte=at - dt.timedelta(minutes=CONFIRMATION_MINUTES),
            at__lte=at + dt.timedelta(minutes=1),
        )
        .only("citizen_id", "name_digest")
        .first()
    )
    if row is None or row.citizen_id != "".join((citizen_id or "").split()):
        return False
    return hmac.compare_digest(row.name_digest, name_digest(full_name))
