"""Recording what the community digital-tech teams did, and counting real app events.

Every function is idempotent: a phone on a flaky connection may send the same record several
times (same `client_uuid`), and two team members may record the same person; neither may make
a person count twice for the same action. A replay answers `created=False`, not an error.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import audit, identifiers
from motcua.core.models import Village

from . import identity, selectors
from .models import AgeGroup, AssistedAction, GuidanceSession, Resident

# uuid5 namespace for records that come from events rather than from a phone
EVENT_NAMESPACE = uuid.UUID("5b3c2f0e-7d0a-4d6c-9a8e-0c1f6a1d2e11")
CLOCK_SKEW = timedelta(minutes=10)  # a phone's clock may run a little fast
MAX_ATTENDEES = 2000


@dataclass
class Recorded:
    """The stored row and whether this call created it (False: already recorded)."""

    obj: AssistedAction | GuidanceSession
    created: bool


def _check_village(actor, village: Village) -> None:
    if not selectors.recordable_villages(actor).filter(pk=village.pk).exists():
        own = ", ".join(str(v) for v in selectors.recordable_villages(actor)[:5])
        if own:
            msg = _("Bạn chỉ được ghi nhận cho thôn được phân công: %(own)s.") % {"own": own}
        else:
            msg = _("Bạn không có quyền ghi nhận cho thôn này.")
        raise ValidationError(msg, code="village")


def _check_when(occurred_at: datetime) -> datetime:
    if timezone.is_naive(occurred_at):
        raise ValidationError(_("Thời điểm thực hiện thiếu múi giờ."), code="occurred_at")
    if occurred_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("Thời điểm thực hiện không được ở tương lai."), code="occurred_at")
    return occurred_at


def _identity(citizen_id: str | None, phone: str | None) -> tuple[str | None, str | None, str]:
    """(id_hash, phone_hash, last 3 digits) from whatever was given; at least one is needed."""
    citizen_id = (citizen_id or "").strip()
    phone = (phone or "").strip()
    if not citizen_id and not phone:
        raise ValidationError(
            _("Cần nhập số định danh cá nhân (12 số) hoặc số điện thoại của người dân."),
            code="identity",
        )
    id_hash = phone_hash = None
    last3 = ""
    if citizen_id:
        cid = identifiers.citizen_id(citizen_id)
        id_hash, last3 = identity.keyed_hash("cccd", cid), cid[-3:]
    if phone:
        number = identifiers.phone(phone)
        phone_hash = identity.keyed_hash("phone", number)
        last3 = last3 or number[-3:]
    return id_hash, phone_hash, last3


def _find_resident(unit_id: int, id_hash: str | None, phone_hash: str | None) -> Resident | None:
    qs = Resident.objects.select_for_update().filter(unit_id=unit_id)
    if id_hash:
        found = qs.filter(id_hash=id_hash).first()
        if found:
            return found
    if phone_hash:
        return qs.filter(phone_hash=phone_hash).first()
    return None


def _resident(
    *, village: Village, id_hash: str | None, phone_hash: str | None, last3: str, age_group: str
) -> Resident:
    """The one resident of the commune with this citizen ID or phone; created on first sight.

    Known by phone and now also by ID (or the reverse): the missing hash is added, so the next
    record with either one finds the same person.
    """
    resident = _find_resident(village.unit_id, id_hash, phone_hash)
    if resident is None:
        try:
            with transaction.atomic():
                return Resident.objects.create(
                    unit_id=village.unit_id,
                    village=village,
                    id_hash=id_hash,
                    phone_hash=phone_hash,
                    last3=last3,
                    age_group=age_group,
                )
        except IntegrityError:  # recorded at the same moment by another request
            resident = _find_resident(village.unit_id, id_hash, phone_hash)
            if resident is None:
                raise
    changed = []
    if id_hash and not resident.id_hash:
        resident.id_hash, resident.last3 = id_hash, last3
        changed += ["id_hash", "last3"]
    if phone_hash and not resident.phone_hash:
        taken = Resident.objects.filter(unit_id=village.unit_id, phone_hash=phone_hash).exists()
        if not taken:
            resident.phone_hash = phone_hash
            changed.append("phone_hash")
    if age_group and not resident.age_group:
        resident.age_group = age_group
        changed.append("age_group")
    if changed:
        resident.save(update_fields=changed)
    return resident


def _record(
    *,
    actor,
    village: Village,
    kind: str,
    citizen_id: str | None,
    phone: str | None,
    age_group: str,
    occurred_at: datetime,
    client_uuid: uuid.UUID,
    source: str,
) -> Recorded:
    if kind not in AssistedAction.Kind.values:
        raise ValidationError(_("Loại việc hỗ trợ không hợp lệ."), code="kind")
    if source not in AssistedAction.Source.values:
        raise ValidationError(_("Nguồn ghi nhận không hợp lệ."), code="source")
    if age_group not in AgeGroup.values:
        raise ValidationError(_("Nhóm tuổi không hợp lệ."), code="age_group")
    _check_when(occurred_at)
    id_hash, phone_hash, last3 = _identity(citizen_id, phone)
    with transaction.atomic():
        replay = AssistedAction.objects.filter(client_uuid=client_uuid).first()
        if replay is not None:
            return Recorded(replay, False)
        resident = _resident(
            village=village,
            id_hash=id_hash,
            phone_hash=phone_hash,
            last3=last3,
            age_group=age_group,
        )
        already = AssistedAction.objects.filter(resident=resident, kind=kind).first()
        if already is not None:
            return Recorded(already, False)
        try:
            with transaction.atomic():
                action = AssistedAction.objects.create(
                    resident=resident,
                    unit_id=village.unit_id,
                    village=village,
                    kind=kind,
                    recorded_by=actor,
                    source=source,
                    occurred_at=occurred_at,
                    client_uuid=client_uuid,
                )
        except IntegrityError:  # the same record arriving twice at once
            existing = (
                AssistedAction.objects.filter(client_uuid=client_uuid).first()
                or AssistedAction.objects.filter(resident=resident, kind=kind).first()
            )
            if existing is None:
                raise
            return Recorded(existing, False)
        audit.record(
            action="outreach.action_recorded",
            obj=action,
            actor=actor,
            unit=village.unit_id,
            changes={
                "kind": kind,
                "village": village.pk,
                "source": source,
                "resident": resident.pk,
                "age_group": age_group,
            },
        )
    return Recorded(action, True)


def record_action(
    *,
    actor,
    village: Village,
    kind: str,
    age_group: str,
    occurred_at: datetime,
    client_uuid: uuid.UUID,
    citizen_id: str | None = None,
    phone: str | None = None,
    source: str = AssistedAction.Source.TEAM_MEMBER,
) -> Recorded:
    """A team member (or manager) records one assisted action for one villager."""
    _check_village(actor, village)
    return _record(
        actor=actor,
        village=village,
        kind=kind,
        citizen_id=citizen_id,
        phone=phone,
        age_group=age_group,
        occurred_at=occurred_at,
        client_uuid=client_uuid,
        source=source,
    )


def count_from_queue_event(
    *,
    village: Village | None,
    source: str,
    event_key: str,
    occurred_at: datetime,
    phone: str | None = None,
    citizen_id: str | None = None,
    age_group: str = "",
) -> Recorded | None:
    """Hook for real events: a citizen's app registration, first booking or first ticket.

    Call it (e.g. on commit) with the event's village and whatever identifies the person;
    `event_key` (say "ticket:123") makes a repeated call harmless. Returns None when the event
    cannot count (no village, or nobody identifiable): a ticket must never fail because of it.
    """
    if source not in (
        AssistedAction.Source.APP_REGISTRATION,
        AssistedAction.Source.FIRST_BOOKING,
        AssistedAction.Source.FIRST_TICKET,
    ):
        raise ValueError(f"not an event source: {source}")
    if village is None or not (phone or citizen_id):
        return None
    try:
        return _record(
            actor=None,
            village=village,
            kind=AssistedAction.Kind.APP_REGISTERED,
            citizen_id=citizen_id,
            phone=phone,
            age_group=age_group if age_group in AgeGroup.values else "",
            occurred_at=occurred_at,
            client_uuid=uuid.uuid5(EVENT_NAMESPACE, f"{source}:{event_key}"),
            source=source,
        )
    except ValidationError:
        return None  # a malformed phone on a ticket: nothing to count, nothing to break


def record_session(
    *,
    actor,
    village: Village,
    date: date,
    place: str,
    attendees: int,
    client_uuid: uuid.UUID,
    notes: str = "",
) -> Recorded:
    """A guidance session the team held (buổi hướng dẫn), e.g. at the village cultural house."""
    _check_village(actor, village)
    place = (place or "").strip()
    if not place:
        raise ValidationError(_("Cần nhập địa điểm tổ chức buổi hướng dẫn."), code="place")
    if not 1 <= attendees <= MAX_ATTENDEES:
        raise ValidationError(
            _("Số người tham dự phải từ 1 đến %(max)s.") % {"max": MAX_ATTENDEES},
            code="attendees",
        )
    if date > timezone.localdate() + timedelta(days=1):
        raise ValidationError(_("Ngày tổ chức không được ở tương lai."), code="date")
    with transaction.atomic():
        replay = GuidanceSession.objects.filter(client_uuid=client_uuid).first()
        if replay is not None:
            return Recorded(replay, False)
        try:
            with transaction.atomic():
                session = GuidanceSession.objects.create(
                    unit_id=village.unit_id,
                    village=village,
                    date=date,
                    place=place[:200],
                    attendees=attendees,
                    notes=(notes or "").strip(),
                    recorded_by=actor,
                    client_uuid=client_uuid,
                )
        except IntegrityError:
            existing = GuidanceSession.objects.filter(client_uuid=client_uuid).first()
            if existing is None:
                raise
            return Recorded(existing, False)
        audit.record(
            action="outreach.session_recorded",
            obj=session,
            actor=actor,
            unit=village.unit_id,
            changes={
                "village": village.pk,
                "date": date.isoformat(),
                "place": session.place,
                "attendees": attendees,
            },
        )
    return Recorded(session, True)
