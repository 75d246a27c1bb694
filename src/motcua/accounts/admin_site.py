"""The admin site behind the staff sign-in: same lockout, same second factor.

Enabled by listing `motcua.accounts.apps.StaffAdminConfig` instead of `django.contrib.admin`
in INSTALLED_APPS. Without it the stock admin login page would be a second door that skips
the TOTP step.

The site also tells every screen who administers which units (`may_administer`,
`administered_unit_ids`): `core.admin_scope.UnitScopedAdmin` asks it, since `core` cannot
import the roles kept here.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

from motcua.core.admin_scope import UnitScopedAdmin

from .models import Role
from .otp import has_confirmed_device, session_is_verified
from .scoping import has_role, visible_unit_ids


class StaffAdminSite(admin.AdminSite):
    site_header = _("motcua — quản trị")
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

    # What `core.admin_scope.UnitScopedAdmin` asks of its site.
    def may_administer(self, request) -> bool:
        return may_administer(request)

    def administered_unit_ids(self, request) -> set[int]:
        return administered_unit_ids(request)


def may_administer(request) -> bool:
    """Superusers, and staff holding the administrator role somewhere."""
    user = request.user
    if not (user.is_active and user.is_authenticated):
        return False
    return user.is_superuser or (user.is_staff_member and has_role(user, Role.ADMINISTRATOR))


def administered_unit_ids(request) -> set[int]:
    """Units the user's administrator role reaches: what their admin lists are scoped to."""
    return visible_unit_ids(request.user, [Role.ADMINISTRATOR])


# The name the apps' admin modules used before the rule moved to core: the same mixin, which
# scopes lists, choices and saves as well as opening the screen to administrators only.
AdministratorOnlyMixin = UnitScopedAdmin
