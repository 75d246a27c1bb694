"""Every state change of accounts, roles, sign-in and the second factor, each one audited.

Audit rows carry the unit of the person concerned (their first active assignment), so the
managers of that unit see them in the audit log. Passwords and TOTP secrets never reach the log.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.audit import record
from motcua.core.models import Department, Unit, Village

from .models import Role, StaffAssignment, User
from .otp import forget_device_cache
from .scoping import clear_scope_cache, has_role


def home_unit_id(user: User | None) -> int | None:
    """The unit an account's audit rows belong to: its first active assignment."""
    if user is None or user.pk is None:
        return None
    return (
        StaffAssignment.objects.filter(user_id=user.pk, is_active=True)
        .order_by("id")
        .values_list("unit_id", flat=True)
        .first()
    )


def _ensure_can_manage(actor: User | None, unit: Unit) -> None:
    """Superusers, or administrators whose role reaches `unit`, manage its staff."""
    if actor is None:  # management commands and data migrations
        return
    if actor.is_superuser or has_role(actor, Role.ADMINISTRATOR, unit=unit):
        return
    raise PermissionDenied(_("Bạn không có quyền quản lý cán bộ của đơn vị này."))


# --- staff accounts and roles ----------------------------------------------------------------


@transaction.atomic
def create_staff(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    unit: Unit,
    role: str,
    password: str | None = None,
    phone: str = "",
    email: str = "",
    department: Department | None = None,
    village: Village | None = None,
) -> User:
    """A new staff account holding `role` in `unit`; without a password it cannot log in yet."""
    _ensure_can_manage(actor, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if department is not None and department.unit_id != unit.pk:
        raise ValidationError({"department": _("Phòng, ban không thuộc đơn vị này.")})
    if village is not None and village.unit_id != unit.pk:
        raise ValidationError({"village": _("Thôn/tổ dân phố không thuộc đơn vị này.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập đã được sử dụng.")})
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        email=email,
        kind=User.Kind.STAFF,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    StaffAssignment.objects.create(
        user=user, unit=unit, role=role, department=department, village=village
    )
    record(
        action="staff.created",
        obj=user,
        actor=actor,
        unit=unit,
        changes={"username": username, "full_name": full_name, "role": role},
    )
    return user


@transaction.atomic
def update_staff(*, actor: User | None, user: User, **fields) -> User:
    """Change name, phone, e-mail or the active flag; records old and new values."""
    allowed = {"full_name", "phone", "email", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} here")
    unit_id = home_unit_id(user)
    if unit_id is not None:
        _ensure_can_manage(actor, Unit.objects.get(pk=unit_id))
    elif actor is not None and not actor.is_superuser:
        raise PermissionDenied
    before = {k: getattr(user, k) for k in fields}
    for key, value in fields.items():
        setattr(user, key, value)
    user.save()
    changes = {k: [before[k], fields[k]] for k in fields if before[k] != fields[k]}
    if changes:
        record(action="staff.updated", obj=user, actor=actor, unit=unit_id, changes=changes)
    return user


@transaction.atomic
def assign_role(
    *,
    actor: User | None,
    user: User,
    unit: Unit,
    role: str,
    department: Department | None = None,
    village: Village | None = None,
) -> StaffAssignment:
    """Give `user` a role in `unit` (re-activating a revoked identical assignment)."""
    _ensure_can_manage(actor, unit)
    if not user.is_staff_member:
        raise ValidationError(_("Chỉ tài khoản cán bộ đang hoạt động mới được phân công."))
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if department is not None and department.unit_id != unit.pk:
        raise ValidationError({"department": _("Phòng, ban không thuộc đơn vị này.")})
    if village is not None and village.unit_id != unit.pk:
        raise ValidationError({"village": _("Thôn/tổ dân phố không thuộc đơn vị này.")})
    assignment = (
        StaffAssignment.objects.select_for_update()
        .filter(user=user, unit=unit, role=role, department=department)
        .first()
    )
    if assignment is None:
        try:
            with transaction.atomic():
                assignment = StaffAssignment.objects.create(
                    user=user, unit=unit, role=role, department=department, village=village
                )
        except IntegrityError as exc:  # a concurrent identical assignment won
            raise ValidationError(_("Cán bộ đã có vai trò này tại đơn vị.")) from exc
    elif assignment.is_active:
        raise ValidationError(_("Cán bộ đã có vai trò này tại đơn vị."))
    else:
        assignment.is_active = True
        assignment.village = village
        assignment.save(update_fields=["is_active", "village"])
    clear_scope_cache(user)
    record(
        action="staff.role_assigned",
        obj=user,
        actor=actor,
        unit=unit,
        changes={
            "role": role,
            "department": department.pk if department else None,
            "village": village.pk if village else None,
        },
    )
    return assignment


@transaction.atomic
def revoke_role(*, actor: User | None, assignment: StaffAssignment) -> StaffAssignment:
    """End an assignment; the row stays (is_active=False) so history keeps its meaning."""
    _ensure_can_manage(actor, assignment.unit)
    held_by = assignment.user  # the caller's object: its cached scope must be dropped
    assignment = StaffAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_active:
        return assignment
    assignment.is_active = False
    assignment.save(update_fields=["is_active"])
    clear_scope_cache(held_by)
    record(
        action="staff.role_revoked",
        obj=assignment.user,
        actor=actor,
        unit=assignment.unit_id,
        changes={"role": assignment.role, "assignment": assignment.pk},
    )
    return assignment


@transaction.atomic
def set_password(*, actor: User | None, user: User, password: str) -> User:
    """Set a password after Django's validators; the audit row says who, never what."""
    if actor is not None and actor.pk != user.pk:
        unit_id = home_unit_id(user)
        if unit_id is None:
            if not actor.is_superuser:
                raise PermissionDenied
        else:
            _ensure_can_manage(actor, Unit.objects.get(pk=unit_id))
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(action="staff.password_set", obj=user, actor=actor, unit=home_unit_id(user))
    return user


# --- sign-in -------------------------------------------------------------------------------


def record_login(*, user: User, second_factor: bool) -> None:
    record(
        action="auth.login",
        obj=user,
        actor=user,
        unit=home_unit_id(user),
        changes={"username": user.username, "second_factor": second_factor},
    )


def record_login_failure(*, username: str, reason: str, step: str = "password") -> None:
    """A failed or refused sign-in. Only existing staff usernames are written down.

    A string typed into the username box may be a password or a citizen's id number, so for
    anything else the row says only that the name was unknown.
    """
    user = User.objects.filter(username=username, kind=User.Kind.STAFF).first()
    changes = {"reason": reason, "step": step}
    if user is not None:
        changes["username"] = user.username
    record(
        action="auth.login_failed" if reason != "locked_out" else "auth.locked_out",
        obj=user,
        object_type="" if user else "accounts.user",
        actor=None,
        unit=home_unit_id(user),
        changes=changes,
    )


def record_logout(*, user: User) -> None:
    record(
        action="auth.logout",
        obj=user,
        actor=user,
        unit=home_unit_id(user),
        changes={"username": user.username},
    )


# --- TOTP second factor --------------------------------------------------------------------


@transaction.atomic
def start_totp_setup(*, user: User) -> TOTPDevice:
    """The user's one unconfirmed device (a fresh secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="motcua", confirmed=False)
        record(action="auth.otp_setup_started", obj=user, actor=user, unit=home_unit_id(user))
    return device


@transaction.atomic
def confirm_totp(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Turn on the second factor when `token` matches the new device; False otherwise."""
    if device.user_id != user.pk or device.confirmed:
        return False
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    forget_device_cache(user)
    record(action="auth.otp_enabled", obj=user, actor=user, unit=home_unit_id(user))
    return True


@transaction.atomic
def disable_totp(*, user: User, token: str) -> bool:
    """Turn off the second factor; needs a current code so a borrowed session cannot do it."""
    devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
    if not devices or not any(d.verify_token(token) for d in devices):
        record(action="auth.otp_disable_failed", obj=user, actor=user, unit=home_unit_id(user))
        return False
    TOTPDevice.objects.filter(user=user).delete()
    forget_device_cache(user)
    record(action="auth.otp_disabled", obj=user, actor=user, unit=home_unit_id(user))
    return True


def verify_login_code(*, user: User, token: str) -> TOTPDevice | None:
    """The device that accepts `token`, or None. Failures are audited by the caller."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None
