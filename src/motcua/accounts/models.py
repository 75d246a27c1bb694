"""People and what they may see: staff accounts with roles per unit and department.

Citizens will sign in through the national identity (OIDC) in the portal issue; they get a
`User` with kind=citizen and never a staff role, so no staff query can reach them by accident.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Department, Unit, Village
from motcua.core.text import fold


class Role(models.TextChoices):
    COUNTER_OFFICER = "counter_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")
    MANAGER = "manager", _("Quản lý (Văn phòng, TTPVHCC)")
    ADMINISTRATOR = "administrator", _("Quản trị")
    DIGITAL_TEAM = "digital_team", _("Tổ công nghệ số cộng đồng")


class User(AbstractUser):
    """Tài khoản: staff log in with a password (+ optional TOTP); citizens through identity."""

    # A person belongs to the units of their assignments (what admin screens scope people by).
    unit_scope_field = "assignments__unit"

    class Kind(models.TextChoices):
        STAFF = "staff", _("Cán bộ")
        CITIZEN = "citizen", _("Công dân")

    kind = models.CharField(
        _("loại tài khoản"), max_length=10, choices=Kind.choices, default=Kind.STAFF
    )
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    search_name = models.CharField(max_length=320, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # Folded name + username so "nguyen van an" finds "Nguyễn Văn An" on SQLite and PG alike.
        self.search_name = fold(f"{self.full_name} {self.username}")[:320]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "username"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF and self.is_active


class StaffAssignment(models.Model):
    """Phân công: a staff member holds a role in a unit (optionally a department or village).

    A role held in a province reaches every commune under it; a role in a commune reaches
    that commune only.
    """

    user = models.ForeignKey(
        User, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="staff_assignments"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("phòng, ban"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_assignments",
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("thôn/tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_assignments",
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role", "department"], name="assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=models.Q(department=None),
                name="assignment_unique_without_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.unit}"
