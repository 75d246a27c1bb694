"""The admin site behind the staff sign-in: same lockout, same second factor.

Enabled by listing `motcua.accounts.apps.StaffAdminConfig` instead of `django.contrib.admin`
in INSTALLED_APPS. Without it the stock admin login page would be a second door that skips
the TOTP step.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url

from motcua.core.admin_base import PrefillFromQueryMixin

from .models import Role
from .otp import has_confirmed_device, session_is_verified
from .scoping import has_role, visible_unit_ids


class StaffAdminSite(admin.AdminSite):
    site_header = "motcua — quản trị"
    site_title = "motcua"

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_staff and user.is_authenticated):
            return False
        return not (has_confirmed_device(user) and not session_is_verified(request))

    def login(self, request, extra_context=None):
        """Send everyone to the staff sign-in (password + TOTP); it knows how to come back."""
        next_url = request.GET.get("next") or resolve_url("admin:index")
        if request.user.is_authenticated:
            if has_confirmed_device(request.user) and not session_is_verified(request):
                return redirect_to_login(next_url, resolve_url("accounts:otp_verify"))
            raise PermissionDenied  # signed in, but not an admin user: no redirect loop
        return redirect_to_login(next_url, resolve_url("accounts:login"))


def may_administer(request) -> bool:
    """Superusers, and staff holding the administrator role somewhere."""
    user = request.user
    if not (user.is_active and user.is_authenticated):
        return False
    return user.is_superuser or (user.is_staff_member and has_role(user, Role.ADMINISTRATOR))


def administered_unit_ids(request) -> set[int]:
    """Units the user's administrator role reaches: what their admin lists are scoped to."""
    return visible_unit_ids(request.user, [Role.ADMINISTRATOR])


class AdministratorOnlyMixin(PrefillFromQueryMixin):
    """Admin screens of reference data: only for `may_administer` users."""

    def has_module_permission(self, request):
        return may_administer(request)

    def has_view_permission(self, request, obj=None):
        return may_administer(request)

    def has_add_permission(self, request, *args):
        return may_administer(request)

    def has_change_permission(self, request, obj=None):
        return may_administer(request)

    def has_delete_permission(self, request, obj=None):
        return may_administer(request)
