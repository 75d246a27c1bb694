"""Assisted filing at the centre (decisions/0032): a counter officer or a member of the
community digital-tech team helps a citizen who is present to file ONLINE.

1. `begin`: the helper enters the citizen's ID and the procedure; a short code (and a QR of
   /nop-truc-tuyen/ho-tro/<code>/) is shown, valid `MOTCUA_ASSIST_CODE_MINUTES`.
2. The citizen confirms: `confirm_by_sign_in` (they open the code on their phone, sign in with
   VNeID and tap "Đồng ý"; only if their identity's ID is the ID the helper entered), or
   `confirm_by_registry` (the helper checked their ID card against the population registry).
   Either opens the citizen's draft (`services.start`) in the session's unit.
3. The helper fills the draft through the ordinary filing pages and services: `draft_for`
   lets them (and only them, for `HELPING_HOURS` after the confirmation) act on that one draft;
   `services.submit` passes `FilingFacts(assisted_by=..., confirmed_by=...)` and calls
   `submitted` in the same transaction (the village's assisted action, the session closed).

Every function is keyword-only, checks the helper's role in the unit itself (PermissionDenied)
and audits its change without the citizen's ID or name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua import registry
from motcua.accounts.scoping import has_role, visible_unit_ids
from motcua.catalog.models import Procedure
from motcua.citizens import services as citizens
from motcua.citizens.models import CitizenIdentity
from motcua.core import audit, identifiers
from motcua.core.forms import MAX_ID
from motcua.core.models import Unit, Village
from motcua.dossiers.models import Dossier, OnlineFiling
from motcua.dossiers.services import ASSISTING_ROLES
from motcua.registry.interface import Person, RegistryUnavailable

from .models import AssistSession, Draft

# how long after the citizen confirmed the helper may still fill and submit the draft
HELPING_HOURS = 4
# the issuer of a citizen account made from the registry at the counter (never VNeID's)
ASSISTED_ISSUER = "motcua:ho-tro-nop"
# codes people may have to type: no 0/O, 1/I/L
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class CodeRefused(Exception):
    """The code is unknown, was already used, or expired."""


class WrongCitizen(Exception):
    """The signed-in citizen is not the person the helper entered."""


def may_assist(user, unit: Unit | int | None = None) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_staff_member", False)
        and has_role(user, *ASSISTING_ROLES, unit=unit)
    )


def units_of(user) -> QuerySet[Unit]:
    """The units where `user` helps citizens file: communes and wards running a one-stop
    office (they have departments) that an assisting role of theirs reaches."""
    if not may_assist(user):
        return Unit.objects.none()
    return (
        Unit.objects.filter(pk__in=visible_unit_ids(user, ASSISTING_ROLES), is_active=True)
        .exclude(kind=Unit.Kind.PROVINCE)
        .filter(departments__isnull=False)
        .distinct()
        .order_by("name", "code")
    )


def procedures_for(unit: Unit) -> list[Procedure]:
    """The procedures filed online in `unit`: its own, and its province's offered there."""
    from . import services

    candidates = Procedure.objects.filter(
        unit_id__in=[unit.pk, unit.parent_id] if unit.parent_id else [unit.pk],
        is_published=True,
        online_mode__in=services.ONLINE_MODES,
    ).order_by("name", "code")
    return [
        p
        for p in candidates
        if services.files_online(p) and unit.pk in {u.pk for u in services.units_for(p)}
    ]


def code_of(raw: str) -> str:
    return "".join(c for c in (raw or "").upper() if c in ALPHABET)


def _digest(code: str) -> str:
    return hashlib.sha256(code_of(code).encode()).hexdigest()


def _audit(action: str, session: AssistSession, actor, **changes) -> None:
    audit.record(
        action=f"filing.assist_{action}",
        obj=session,
        actor=actor,
        unit=session.unit_id,
        changes=changes,
    )


def sessions_of(helper) -> QuerySet[AssistSession]:
    return AssistSession.objects.filter(helper=helper).select_related(
        "procedure", "unit", "draft__dossier"
    )


def session_of(helper, session_id: int) -> AssistSession:
    """The helper's own session (PermissionDenied for anyone else's or a lost role)."""
    if not 0 < session_id <= MAX_ID:
        raise PermissionDenied
    session = sessions_of(helper).filter(pk=session_id).first()
    if session is None or not may_assist(helper, session.unit):
        raise PermissionDenied
    return session


def is_code_expired(session: AssistSession, now: dt.datetime | None = None) -> bool:
    return session.expires_at <= (now or timezone.now())


def begin(
    *,
    helper,
    unit: Unit,
    procedure: Procedure,
    citizen_id: str,
    now: dt.datetime | None = None,
) -> tuple[AssistSession, str]:
    """A new session and its code (the code is shown once; only its digest is kept)."""
    now = now or timezone.now()
    if not may_assist(helper, unit):
        raise PermissionDenied(
            _("Chỉ cán bộ một cửa hoặc tổ công nghệ số của đơn vị được hỗ trợ nộp hồ sơ.")
        )
    number = identifiers.citizen_id(citizen_id)
    if procedure.pk not in {p.pk for p in procedures_for(unit)}:
        raise ValidationError({"procedure": _("Thủ tục này chưa được nộp trực tuyến tại đơn vị.")})
    code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    with transaction.atomic():
        session = AssistSession.objects.create(
            unit=unit,
            procedure=procedure,
            helper=helper,
            id_number=number,
            token_hash=_digest(code),
            expires_at=now + dt.timedelta(minutes=settings.MOTCUA_ASSIST_CODE_MINUTES),
            created_at=now,
        )
        _audit("start", session, helper, procedure=procedure.pk)
    return session, code


def pending_by_code(code: str, now: dt.datetime | None = None) -> AssistSession:
    """The session a citizen's code opens (CodeRefused: unknown, used or expired)."""
    session = (
        AssistSession.objects.select_related("procedure", "unit", "helper")
        .filter(token_hash=_digest(code))
        .first()
    )
    if (
        session is None
        or session.status != AssistSession.Status.PENDING
        or is_code_expired(session, now)
    ):
        raise CodeRefused
    return session


def _village(person: Person | None) -> Village | None:
    if person is None or not person.village:
        return None
    return Village.objects.filter(unit__code=person.unit_code, name=person.village).first()


def _open_draft(session: AssistSession, citizen, now: dt.datetime) -> Draft:
    from . import services

    existing = services.open_drafts(citizen).filter(procedure=session.procedure).first()
    if existing is not None and existing.receiving_unit_id != session.unit_id:
        raise ValidationError(
            _(
                "Công dân đang có hồ sơ đang soạn của thủ tục này nộp tại đơn vị khác; "
                "hãy tiếp tục hồ sơ đó trên tài khoản của công dân."
            )
        )
    return services.start(citizen=citizen, procedure=session.procedure, unit=session.unit, now=now)


def confirm_by_sign_in(*, code: str, citizen, now: dt.datetime | None = None) -> AssistSession:
    """The signed-in citizen agrees to be helped: the session binds to their account and their
    draft opens, only if their VNeID identity's citizen ID is the one the helper entered."""
    now = now or timezone.now()
    identity = citizens.identity_of(citizen)
    if identity is None:
        raise WrongCitizen
    found = pending_by_code(code, now)
    if identity.citizen_id != found.id_number:  # kept (audited) outside the rolled-back block
        _audit("refused", found, citizen, reason="other_citizen")
        raise WrongCitizen
    with transaction.atomic():
        session = AssistSession.objects.select_for_update().get(pk=found.pk)
        if session.status != AssistSession.Status.PENDING or is_code_expired(session, now):
            raise CodeRefused
        try:
            person = registry.lookup(
                identity.citizen_id, actor=citizen, purpose="assisted_filing", unit=session.unit
            )
        except (RegistryUnavailable, ValidationError):
            person = None
        draft = _open_draft(session, citizen, now)
        _confirmed(session, citizen, draft, OnlineFiling.Confirmed.CITIZEN_SIGN_IN, person, now)
        _audit("confirm", session, citizen, confirmed_by=session.confirmed_by, draft=draft.pk)
    return session


def _confirmed(session, citizen, draft, how: str, person: Person | None, now) -> None:
    session.status = AssistSession.Status.CONFIRMED
    session.confirmed_by, session.confirmed_at = how, now
    session.citizen, session.draft = citizen, draft
    session.village = _village(person)
    session.save()


def citizen_account(person: Person, now: dt.datetime):
    """The citizen account a registry-confirmed draft belongs to: the account of their VNeID
    sign-in if they ever signed in (the newest), else one made here from the registry record
    (issuer `ASSISTED_ISSUER`, identity level 1: not VNeID's word), kept apart from staff."""
    known = (
        CitizenIdentity.objects.filter(
            citizen_id=person.citizen_id,
            user__kind=get_user_model().Kind.CITIZEN,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("-last_signed_in_at", "-id")
    )
    vneid = known.exclude(issuer=ASSISTED_ISSUER).first()
    if vneid is not None:
        return vneid.user
    made = known.first()
    if made is not None:
        return made.user
    return citizens.account_from_registry(person, issuer=ASSISTED_ISSUER, at=now)


def confirm_by_registry(
    *, session_id: int, helper, card_checked: bool, now: dt.datetime | None = None
) -> AssistSession:
    """The helper checked the citizen's ID card and looked them up in the population registry
    (purpose `assisted_filing`, logged): the draft opens in the citizen's account."""
    now = now or timezone.now()
    if not card_checked:
        raise ValidationError(
            {"card": _("Vui lòng kiểm tra thẻ căn cước của công dân trước khi xác nhận.")}
        )
    with transaction.atomic():
        session = session_of(helper, session_id)
        session = AssistSession.objects.select_for_update().get(pk=session.pk)
        if session.status != AssistSession.Status.PENDING:
            raise CodeRefused
        try:
            person = registry.lookup(
                session.id_number, actor=helper, purpose="assisted_filing", unit=session.unit
            )
        except RegistryUnavailable:
            raise ValidationError(
                _(
                    "Cơ sở dữ liệu quốc gia về dân cư không phản hồi. Công dân có thể xác nhận "
                    "bằng VNeID trên điện thoại của mình."
                )
            ) from None
        if person is None:
            raise ValidationError(
                _("Không tìm thấy số định danh này trong Cơ sở dữ liệu quốc gia về dân cư.")
            )
        citizen = citizen_account(person, now)
        draft = _open_draft(session, citizen, now)
        _confirmed(session, citizen, draft, OnlineFiling.Confirmed.REGISTRY, person, now)
        _audit("confirm", session, helper, confirmed_by=session.confirmed_by, draft=draft.pk)
    return session


def draft_for(helper, draft_id: int, now: dt.datetime | None = None) -> AssistSession:
    """The confirmed session through which `helper` acts on draft `draft_id`: theirs, still
    within `HELPING_HOURS` of the confirmation, their role in the unit still held.
    PermissionDenied otherwise (a draft not in their session)."""
    now = now or timezone.now()
    if not 0 < draft_id <= MAX_ID:
        raise PermissionDenied
    session = (
        AssistSession.objects.filter(
            helper=helper,
            draft_id=draft_id,
            status__in=[AssistSession.Status.CONFIRMED, AssistSession.Status.SUBMITTED],
            confirmed_at__gt=now - dt.timedelta(hours=HELPING_HOURS),
        )
        .select_related("helper", "unit")
        .order_by("-confirmed_at")
        .first()
    )
    if session is None or not may_assist(helper, session.unit):
        raise PermissionDenied
    return session


def age_group(person_born: dt.date | None, day: dt.date) -> str:
    from motcua.outreach.models import AgeGroup

    if person_born is None:
        return AgeGroup.UNKNOWN
    age = (
        day.year - person_born.year - ((day.month, day.day) < (person_born.month, person_born.day))
    )
    if age < 18:
        return AgeGroup.UNDER_18
    return AgeGroup.WORKING if age < 60 else AgeGroup.SENIOR


def submitted(session: AssistSession, dossier: Dossier, now: dt.datetime) -> None:
    """Inside `services.submit`'s transaction: the session is done, and the citizen's first
    online dossier counts for their village (skipped when the registry gave no village)."""
    from motcua.outreach import services as outreach
    from motcua.outreach.models import AssistedAction

    session.status = AssistSession.Status.SUBMITTED
    session.save(update_fields=["status"])
    if session.village is not None:
        identity = citizens.identity_of(session.citizen)
        outreach._record(
            actor=session.helper,
            village=session.village,
            kind=AssistedAction.Kind.FIRST_ONLINE_DOSSIER,
            citizen_id=session.id_number,
            phone=None,
            age_group=age_group(
                identity.date_of_birth if identity else None, timezone.localdate(now)
            ),
            occurred_at=now,
            client_uuid=uuid.uuid5(outreach.EVENT_NAMESPACE, f"assisted-dossier:{dossier.pk}"),
            source=AssistedAction.Source.TEAM_MEMBER,
        )
    _audit("submit", session, session.helper, dossier=dossier.pk)
