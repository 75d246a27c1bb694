"""The admin site behind the staff sign-in: same lockout, same second factor.

Enabled by listing `motcua.accounts.apps.StaffAdminConfig` instead of `django.contrib.admin`
in INSTALLED_APPS. Without it the stock admin login page would be a second door that skips
the TOTP step.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url

from .otp import has_confirmed_device, session_is_verified


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
