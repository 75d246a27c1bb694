"""Citizens' sign-in and sign-out, and the identity level a procedure may require.

The audit events name the account (an opaque username) and the identity level, never the
citizen ID or the name: the identity row holds those, behind the admin."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.audit import record

from .claims import Claims
from .models import CitizenIdentity

if TYPE_CHECKING:
    from motcua.accounts.models import User


class NotACitizen(Exception):
    """The account bound to this identity is not an active citizen account."""


class LevelTooLow(Exception):
    def __init__(self, required: int, held: int) -> None:
        super().__init__(f"identity level {held} < {required}")
        self.required = required
        self.held = held


def sign_in(*, issuer: str, claims: Claims) -> User:
    """The citizen account for (issuer, sub), created at the first sign-in, its identity
    refreshed from the claims; one audit event. A staff account is never returned.

    Two first sign-ins of one person at once (two tabs) both try to create the row; the one
    that loses the unique (issuer, sub) race finds the winner's row on its second try."""
    try:
        return _sign_in(issuer=issuer, claims=claims)
    except IntegrityError:
        return _sign_in(issuer=issuer, claims=claims)


def _sign_in(*, issuer: str, claims: Claims) -> User:
    user_model = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        identity = (
            CitizenIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=claims.subject)
            .first()
        )
        first = identity is None
        if identity is None:
            user = user_model(
                username=f"congdan-{secrets.token_hex(8)}",
                kind=user_model.Kind.CITIZEN,
                full_name=claims.full_name,
            )
            user.set_unusable_password()
            user.save()
            identity = CitizenIdentity(user=user, issuer=issuer, subject=claims.subject)
        user = identity.user
        if user.kind != user_model.Kind.CITIZEN or not user.is_active:
            raise NotACitizen
        if user.full_name != claims.full_name:
            user.full_name = claims.full_name
            user.save(update_fields=["full_name"])
        identity.citizen_id = claims.citizen_id
        identity.full_name = claims.full_name
        identity.date_of_birth = claims.date_of_birth
        identity.sex = claims.sex
        identity.address = claims.address
        identity.identity_level = claims.identity_level
        identity.last_signed_in_at = now
        identity.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
        identity.save()
        record(
            action="citizen.sign_in",
            obj=user,
            actor=user,
            changes={"identity_level": claims.identity_level, "first_sign_in": first},
        )
    return user


def record_sign_out(*, user: User) -> None:
    with transaction.atomic():
        record(action="citizen.sign_out", obj=user, actor=user, changes={})


def identity_of(user) -> CitizenIdentity | None:
    if not getattr(user, "is_authenticated", False) or user.kind != user.Kind.CITIZEN:
        return None
    return CitizenIdentity.objects.filter(user=user).first()


def require_level(user, level: int) -> CitizenIdentity:
    """The citizen's identity if it has at least `level`; LevelTooLow otherwise (a citizen
    without an identity row holds none: level 0)."""
    identity = identity_of(user)
    held = identity.identity_level if identity is not None else 0
    if identity is None or held < level:
        raise LevelTooLow(level, held)
    return identity
