"""`staff_required`: the one gate in front of every staff page.

Usage: `@staff_required` or `@staff_required()` for any active staff member,
`@staff_required(Role.MANAGER, Role.ADMINISTRATOR)` to also require one of those roles (in any
unit; the page still scopes its rows with `scoping.scoped`).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url

from .otp import has_confirmed_device, session_is_verified
from .scoping import has_role


def staff_required(*roles, login_url: str | None = None):
    """Anonymous -> login; not staff -> 403; TOTP not entered -> code step; wrong role -> 403."""
    if len(roles) == 1 and callable(roles[0]) and not isinstance(roles[0], str):
        return staff_required()(roles[0])

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url)
            if not user.is_staff_member:
                raise PermissionDenied
            if has_confirmed_device(user) and not session_is_verified(request):
                code_step = resolve_url("accounts:otp_verify")
                return redirect_to_login(request.get_full_path(), code_step)
            if roles and not has_role(user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
