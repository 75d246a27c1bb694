"""`citizen_required(level=None)`: the gate in front of every citizen page.

Anonymous -> the identity sign-in (back here afterwards); a staff account -> 403 (staff and
citizen accounts are separate); a citizen whose identity level is below `level` -> a page
saying a level-2 VNeID account is needed (403)."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from . import services


def citizen_required(view=None, *, level: int | None = None):
    if view is not None:
        return citizen_required(level=level)(view)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                start = reverse("citizens:start")
                return redirect(f"{start}?{urlencode({'next': request.get_full_path()})}")
            if user.kind != user.Kind.CITIZEN or not user.is_active:
                raise PermissionDenied
            if level:
                try:
                    services.require_level(user, level)
                except services.LevelTooLow as exc:
                    context = {"required": exc.required, "held": exc.held}
                    return render(request, "citizens/level_required.html", context, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
