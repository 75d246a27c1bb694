"""Read side of the staff area: who works where, and the audit log, always scoped."""

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AuditEvent, Unit
from motcua.core.text import fold

from .models import Role, StaffAssignment, User
from .scoping import visible_unit_ids

STAFF_VIEWER_ROLES = (Role.MANAGER, Role.ADMINISTRATOR, Role.LEADER)
AUDIT_VIEWER_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)

ACTION_LABELS = {
    "auth.login": _("Đăng nhập"),
    "auth.login_failed": _("Đăng nhập không thành công"),
    "auth.locked_out": _("Tạm khóa do đăng nhập sai"),
    "auth.logout": _("Đăng xuất"),
    "auth.otp_setup_started": _("Bắt đầu cài xác thực hai bước"),
    "auth.otp_enabled": _("Bật xác thực hai bước"),
    "auth.otp_disabled": _("Tắt xác thực hai bước"),
    "auth.otp_disable_failed": _("Tắt xác thực hai bước không thành công"),
    "staff.created": _("Tạo tài khoản cán bộ"),
    "staff.updated": _("Sửa thông tin cán bộ"),
    "staff.role_assigned": _("Phân công vai trò"),
    "staff.role_revoked": _("Thu hồi vai trò"),
    "staff.assignment_changed": _("Sửa phân công"),
    "staff.password_set": _("Đặt mật khẩu"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# --- staff ---------------------------------------------------------------------------------


def staff_units(viewer: User) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=visible_unit_ids(viewer, STAFF_VIEWER_ROLES)).order_by(
        "kind", "name"
    )


def staff_for(
    viewer: User, *, unit_id: int | None = None, role: str = "", q: str = ""
) -> QuerySet[User]:
    """Staff with an assignment in a unit the viewer manages; only those assignments come along."""
    unit_ids = visible_unit_ids(viewer, STAFF_VIEWER_ROLES)
    if unit_id is not None:
        unit_ids = unit_ids & {unit_id}
    match = Q(unit_id__in=unit_ids)
    if role:
        match &= Q(role=role)
    users = User.objects.filter(
        kind=User.Kind.STAFF,
        pk__in=StaffAssignment.objects.filter(match).values("user_id"),
    )
    for word in fold(q).split()[:6]:
        users = users.filter(search_name__contains=word)
    assignments = (
        StaffAssignment.objects.filter(unit_id__in=unit_ids)
        .select_related("unit", "department", "village")
        .order_by("-is_active", "unit__name", "role")
    )
    return users.prefetch_related(
        Prefetch("assignments", queryset=assignments, to_attr="visible_assignments")
    ).order_by("full_name", "username")


def staff_member_for(viewer: User, pk: int) -> User | None:
    return staff_for(viewer).filter(pk=pk).first()


# --- audit log -----------------------------------------------------------------------------


def audit_events_for(viewer: User) -> QuerySet[AuditEvent]:
    """Events of units the viewer manages; events with no unit only for superusers."""
    unit_ids = visible_unit_ids(viewer, AUDIT_VIEWER_ROLES)
    match = Q(unit_id__in=unit_ids)
    if viewer.is_superuser and viewer.is_staff_member:
        match |= Q(unit_id__isnull=True)
    return AuditEvent.objects.filter(match)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def filter_audit_events(
    qs: QuerySet[AuditEvent],
    *,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Dates are whole local days (Asia/Ho_Chi_Minh), both ends included."""
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type__icontains=object_type.strip())
    if actor:
        qs = qs.filter(actor_label__icontains=actor.strip())
    if date_from:
        qs = qs.filter(created_at__gte=_local_midnight(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_local_midnight(date_to + timedelta(days=1)))
    return qs


def audit_action_choices(qs: QuerySet[AuditEvent]) -> list[tuple[str, str]]:
    actions = qs.order_by().values_list("action", flat=True).distinct()
    return sorted(((a, action_label(a)) for a in actions), key=lambda pair: pair[1])
