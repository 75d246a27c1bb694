"""Reads: the certification book of the units a staff member reaches; a citizen's copies."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids

__all__ = ["BOOK_READERS", "book", "copies_of_citizen", "visible_unit_ids"]

from .models import CertifiedCopy

BOOK_READERS = (Role.LEADER, Role.MANAGER, Role.COUNTER_OFFICER, Role.ADMINISTRATOR)


def book(viewer) -> QuerySet[CertifiedCopy]:
    """Entries of the certification books of the units `viewer` reads them in, newest first."""
    units = visible_unit_ids(viewer, BOOK_READERS)
    return (
        CertifiedCopy._default_manager.filter(unit_id__in=units)
        .select_related("unit", "certified_by", "document")
        .order_by("-certified_at", "-number")
    )


def copies_of_citizen(citizen_id: str) -> QuerySet[CertifiedCopy]:
    """The certified copies made for the holder of `citizen_id`, newest first."""
    return (
        CertifiedCopy._default_manager.filter(citizen_id=citizen_id)
        .select_related("unit", "document")
        .order_by("-certified_at", "-pk")
    )
