"""Admin for accounts: superusers and unit administrators only, every save audited.

Non-superuser administrators see and edit only people with an assignment in a unit their
administrator role reaches, only those assignments, and can only assign roles in those units
(`core.admin_scope.UnitScopedAdmin`). The screens other packages register here (groups,
second-factor devices, sign-in records) are the operator's: superusers only.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OTPTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.admin_scope import SuperuserOnlyAdmin, UnitScopedAdmin
from motcua.core.audit import record

from .models import StaffAssignment, User
from .services import home_unit_id

_AUDITED_FIELDS = (
    "username",
    "full_name",
    "kind",
    "phone",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


class AdministratorOnlyMixin(UnitScopedAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: audit rows point at them


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit=True):
        with transaction.atomic():
            user = super().save(commit=commit)
            record(action="staff.password_set", obj=user, unit=home_unit_id(user))
        return user


class StaffAssignmentInline(AdministratorOnlyMixin, admin.TabularInline):
    model = StaffAssignment
    extra = 0
    fields = ("role", "unit", "department", "village", "is_active")
    autocomplete_fields = ()
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if self.administered_units(request) is None:
            return formset

        class InYourUnits(formset):
            """An administrator's person must keep a role in a unit they administer, or they
            would create (or push out) a person no administrator can see."""

            def clean(self):
                super().clean()
                if not any(f.cleaned_data for f in self.forms if f.is_valid()):
                    raise ValidationError(
                        _("Cần phân công ít nhất một vai trò tại đơn vị bạn quản trị.")
                    )

        return InYourUnits


@admin.register(User)
class StaffUserAdmin(AdministratorOnlyMixin, UserAdmin):
    inlines = [StaffAssignmentInline]
    change_password_form = AuditedPasswordChangeForm
    list_display = ("username", "full_name", "kind", "is_active", "last_login")
    list_filter = ("kind", "is_active", "assignments__role")
    search_fields = ("username", "full_name", "search_name", "email", "phone")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("kind", "full_name", "phone", "email")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "kind", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:  # only superusers hand out superpowers
            fields += ["is_superuser", "groups", "user_permissions"]
        return fields

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk:
            old = User.objects.filter(pk=obj.pk).values(*_AUDITED_FIELDS).first() or {}
            before = old
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = {f: getattr(obj, f) for f in _AUDITED_FIELDS}
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if changes:
                record(
                    action="staff.updated" if change else "staff.created",
                    obj=obj,
                    unit=home_unit_id(obj),
                    changes=changes,
                )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for assignment in instances:
                is_new = assignment.pk is None
                assignment.save()
                if is_new:
                    action = "staff.role_assigned"
                elif assignment.is_active:
                    action = "staff.assignment_changed"
                else:
                    action = "staff.role_revoked"
                record(
                    action=action,
                    obj=assignment.user,
                    unit=assignment.unit_id,
                    changes={
                        "role": assignment.role,
                        "assignment": assignment.pk,
                        "is_active": assignment.is_active,
                        "via": "admin",
                    },
                )
            formset.save_m2m()


class TOTPDeviceAdmin(OTPTOTPDeviceAdmin):
    """django-otp's screens for a device, with an unknown device a 404 (it raised DoesNotExist,
    a 500)."""

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)


# Screens other packages register: the operator's tools, whatever permissions a unit
# administrator was given (people of every unit, their second-factor devices, sign-in records).
for _model in (Group, TOTPDevice, AccessAttempt, AccessLog, AccessFailureLog):
    _their_admin = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(
        _model, type(f"Operator{_their_admin.__name__}", (SuperuserOnlyAdmin, _their_admin), {})
    )
